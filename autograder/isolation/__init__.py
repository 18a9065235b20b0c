"""Walls around student code: one sandboxed process, its bounds, and the machine facts they need.

Owns the sandbox (bubblewrap or the plain-process fallback, seccomp, cgroups, private uids, a
disposable work folder), the bounds a run gets (:mod:`limits`) and which accelerator it may use.
Imports nothing of ``autograder`` outside this package: everything above runs student code
only through here.
"""
