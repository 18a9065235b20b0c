"""Hidden checks, one module per assignment (``autograder/checks/NN_topic.py``).

Each module defines ``CHECKS``: a list of :class:`autograder.verdicts.judging.FunctionCheck`
and :class:`autograder.verdicts.judging.ArtifactCheck`. Every threshold sits beside its
check with a comment saying where it comes from. These files never enter a
student's sandbox.
"""
