"""The last trusted step before a sandboxed command starts: ``python -m autograder.isolation.sandbox_jail SPEC [CONNECTION]``.

It runs *outside* the sandbox, as the grader's user, and replaces itself
(``exec``) with bubblewrap (or ``unshare``, or the bare command), so that whoever
started it (``subprocess.Popen`` in :meth:`autograder.isolation.sandbox.Sandbox.run`, or
jupyter_client launching a kernel) holds the sandbox's own process. Before
``exec`` it

1. joins the run's cgroups (memory and process bounds for everything below);
2. sets the rlimits (CPU time, file size, no core dumps, and where no cgroup
   exists, address space and process count), and lifts the grading worker's own data bound
   (``RLIMIT_DATA``'s soft limit, :mod:`autograder.grading.jobs`) from what it starts;
3. for a kernel, rewrites jupyter's connection file so that the Unix sockets'
   path is the one seen *inside* (the same folder is bound at another path);
4. hands bubblewrap its arguments and the seccomp filter through memory files
   (``--args FD``, ``--seccomp FD``), so that ``ps`` inside shows ``bwrap --args 3``
   and the command, not the binds' host paths.

SPEC is a JSON file written by :meth:`autograder.isolation.sandbox.Sandbox.write_spec`.
"""

from __future__ import annotations

import json
import os
import resource
import sys

CONNECTION_PLACEHOLDER = "{connection_file}"
_RLIMITS = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "fsize": resource.RLIMIT_FSIZE,
            "core": resource.RLIMIT_CORE, "nproc": resource.RLIMIT_NPROC}


def _memory_file(name: str, data: bytes) -> int:
    descriptor = os.memfd_create(name, 0)  # no MFD_CLOEXEC: bubblewrap must inherit it
    os.write(descriptor, data)
    os.lseek(descriptor, 0, os.SEEK_SET)
    return descriptor


def _rewrite_connection(spec: dict, host_file: str) -> str:
    """Write the kernel's connection file with the inside socket path; return its inside path."""
    with open(host_file, encoding="utf-8") as handle:
        info = json.load(handle)
    info["ip"] = spec["ipc_inside"]
    target = spec["connection_host"]
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    if spec.get("uid") is not None:
        os.chown(target, spec["uid"], spec["uid"])
    return spec["connection_inside"]


def main(argv: list[str]) -> None:
    with open(argv[0], encoding="utf-8") as handle:
        spec = json.load(handle)
    command = list(spec["command"])
    if len(argv) > 1:
        inside = _rewrite_connection(spec, argv[1])
        command = [inside if part == CONNECTION_PLACEHOLDER else part for part in command]
    for procs in spec.get("cgroup_procs", []):
        with open(procs, "w") as handle:
            handle.write(str(os.getpid()))
    _, data_hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (data_hard, data_hard))  # the grading worker's bound, not the run's
    for name, value in spec.get("rlimits", {}).items():
        resource.setrlimit(_RLIMITS[name], (value, value))
    if spec.get("cwd"):
        os.chdir(spec["cwd"])
    env = spec.get("env_outer") or {"PATH": "/usr/bin:/bin"}
    if spec["mode"] != "bwrap":
        os.execvpe(command[0], command, env)
    bwrap_args = list(spec["bwrap_args"])
    if spec.get("seccomp_hex"):
        bwrap_args += ["--seccomp", str(_memory_file("seccomp", bytes.fromhex(spec["seccomp_hex"])))]
    # The options go through a memory file; bubblewrap takes the command itself only
    # from its real command line (the interpreter's path is visible inside anyway).
    blob = b"".join(arg.encode() + b"\0" for arg in bwrap_args)
    os.execvpe("bwrap", ["bwrap", "--args", str(_memory_file("bwrap-args", blob)), "--", *command], env)


if __name__ == "__main__":
    main(sys.argv[1:])
