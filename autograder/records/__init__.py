"""What the grader keeps: results as plain data, the nbgrader gradebook, and exports from it.

May import :mod:`autograder.isolation` only for types; never grades, never runs student code.
"""
