"""Helpers shared by every notebook of the course.

`course_utils` is shipped to students. It holds tools (data loading, seeding,
gradient checks, plotting, saving models) and never the answer to an exercise.
It must not import `autograder`, which stays with the course staff.
"""

import sys as _sys

__version__ = "0.1.0"

if "ipykernel" in _sys.modules:  # a notebook: keep TensorFlow's native log lines out of its outputs
    from course_utils.quiet import silence_native_logs as _silence
    from course_utils.tutor import install as _install_tutor

    _silence()
    _install_tutor()  # a blank exercise or a failed check: one line, not a traceback
