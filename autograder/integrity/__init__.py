"""Integrity signals for the TA: similar answers across a class or to public solutions, library calls
where the exercise text asks for work by hand.

Signals for a human, never a grade: nothing here reads or writes a score or a verdict. Everything is
read from the submitted notebooks' files in the grader's own process (the student's code never runs
here): answer cells by their nbgrader metadata, compared with copydetect's winnowed fingerprints
(:mod:`.similarity`), scanned with :mod:`ast` (:mod:`.library_calls`). The page is
``autograder.pages.integrity``.
"""
