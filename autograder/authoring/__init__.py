"""The instructor's tools: ``course validate`` (is a week ready to release?), the static
checks it runs, a new week scaffolded, and the course's own trained models.

Imports submission (validate grades the solution and the blank as ``course grade`` does),
sources, verdicts, records and isolation; never :mod:`autograder.grading`.
"""
