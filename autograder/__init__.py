"""The course's grader: release, validation, sandboxed grading, gradebook, feedback.

Instructor and TA tooling only; never shipped to students. Depends on
`course_utils` and nbgrader, never the other way round.
"""
