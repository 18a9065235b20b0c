"""The instructor's notebooks as data: reading and executing them, and nbgrader generating
the student release from ``solutions/``.

Imports :mod:`autograder.records` (nbgrader's gradebook schema) and nothing that grades.
"""
