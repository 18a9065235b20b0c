"""Hidden checks judged outside the student's kernel: the check types, the function harness
(a sandboxed process that calls handed-over functions on hidden cases) and the artifact checker.

Imports :mod:`autograder.isolation`; the week's checks (:mod:`autograder.checks`) build on the
types defined here and are loaded by name, never imported from here.
"""
