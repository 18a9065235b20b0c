"""Helpers shared by every notebook of the course.

`course_utils` is shipped to students. It holds tools (data loading, seeding,
gradient checks, plotting, saving models) and never the answer to an exercise.
It must not import `autograder`, which stays with the course staff.
"""

__version__ = "0.1.0"
