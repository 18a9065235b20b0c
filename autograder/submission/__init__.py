"""One submission graded: its folder copied, its notebook run in the sandbox with the hidden
tests restored, every check judged, and one :class:`~autograder.records.results.SubmissionResult`.

Also the student's own ``course check-submission``. Imports verdicts, sources, records and
isolation; never a class of submissions (:mod:`autograder.grading`) or a page.
"""
