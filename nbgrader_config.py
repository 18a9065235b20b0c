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
