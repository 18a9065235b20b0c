"""nbgrader configuration for the course (used by `course release|validate|grade`).

`autograder.sources.release` loads this file, then points nbgrader at a private
temporary copy of the assignment (its own root and gradebook), so nbgrader never
writes a database or anything else into the repository.
"""

import os

c = get_config()  # noqa: F821 - injected by traitlets

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
# Notebooks live in solutions/NN_topic/NN_topic.ipynb; helper files (images, data
# stubs) beside them are released too.
c.CourseDirectory.notebook_id = "*"
# The released notebook keeps the student's answer cells empty with this marker.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# Per-cell limit while validating; grading uses its own, stricter bounds.
c.Execute.timeout = 600
c.Execute.kernel_name = "python3"
# Files an instructor's own run of a notebook leaves beside it (trained models,
# their metadata, figures) are never part of a release.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
    "*.keras", "*.keras.json", "*.npz", "*.npz.json",
]

# Late work (read by `course grade` and `course late`, autograder/grading/late_work.py).
# Times are UTC unless they name a zone; per_day and cap are shares of the assignment's points;
# each day started past the due date counts once the grace period is over. A due date set with
# `nbgrader db assignment add NN_topic --duedate=...` is used when none is named here.
# c.CourseLate.due = {"00_setup": "2027-01-18 23:59:00 Europe/Paris"}
# c.CourseLate.policy = {
#     "default": {"grace": "15 min", "per_day": 0.10, "cap": 0.50},
#     "07_style_transfer": {"grace": "1 h", "late": "not accepted"},
# }
# c.CourseLate.extensions = {"00_setup": {"alice": "2 days"}}
