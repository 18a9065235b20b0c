"""A seccomp filter for the grading sandbox, as a classic BPF program bubblewrap loads (``--seccomp FD``).

What it refuses, and why (everything else is allowed):

- **new user namespaces** (``unshare``/``clone`` with ``CLONE_NEWUSER``, and
  ``clone3``, whose flags live in memory a filter cannot read; it answers
  ``ENOSYS`` so that glibc falls back to ``clone``, as Docker's profile does):
  inside a user namespace a student's process regains capabilities and a much
  larger kernel surface;
- **``setns``**: joining other namespaces;
- **the kernel keyrings** (``add_key``, ``keyctl``, ``request_key``): keyrings
  are not namespaced, so two submissions run as the same uid could pass
  messages through them (seen: one submission left a key a later one read);
- **system calls of another ABI** (x32, or i386 on x86-64), whose numbers
  differ and would slip past the table.

Hand-assembled because the filter is small and libseccomp's Python binding is
not on PyPI; the layout follows ``linux/filter.h`` and ``linux/seccomp.h``.
"""

from __future__ import annotations

import errno
import platform
import struct

# BPF instruction classes and fields (linux/bpf_common.h).
_LD_W_ABS = 0x20          # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15             # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35             # BPF_JMP | BPF_JGE | BPF_K
_JSET_K = 0x45            # BPF_JMP | BPF_JSET | BPF_K
_RET_K = 0x06             # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000       # SECCOMP_RET_ALLOW
_ERRNO = 0x00050000       # SECCOMP_RET_ERRNO | errno
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_NR, _ARCH, _ARG0_LOW = 0, 4, 16
CLONE_NEWUSER = 0x10000000
_X32_BIT = 0x40000000

# (audit arch, syscall numbers) per machine: unshare, clone, clone3, setns, add_key, keyctl, request_key.
_TABLES = {
    "x86_64": (0xC000003E, {"unshare": 272, "clone": 56, "clone3": 435, "setns": 308,
                            "add_key": 248, "keyctl": 250, "request_key": 249}),
    "aarch64": (0xC00000B7, {"unshare": 97, "clone": 220, "clone3": 435, "setns": 268,
                             "add_key": 217, "keyctl": 219, "request_key": 218}),
}


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def supported() -> bool:
    """True when this machine's architecture has a filter here."""
    return platform.machine() in _TABLES


def program(machine: str | None = None) -> bytes:
    """The filter as ``struct sock_filter[]`` bytes (what ``bwrap --seccomp`` reads).

    Raises ValueError on an architecture without a table.
    """
    machine = machine or platform.machine()
    if machine not in _TABLES:
        raise ValueError(f"no seccomp table for {machine}")
    arch, nr = _TABLES[machine]
    deny, enosys = _ERRNO | errno.EPERM, _ERRNO | errno.ENOSYS
    refused = [nr["setns"], nr["add_key"], nr["keyctl"], nr["request_key"]]
    # Laid out as: header, one "jeq -> deny" per refused call, clone3, the two
    # flag-checked calls, allow, then the tails (flag check, deny, enosys): BPF
    # jumps only forward.
    body: list[tuple] = []          # (code, k, target_true, target_false) with symbolic targets
    body.append((_LD_W_ABS, _ARCH, None, None))
    body.append((_JEQ_K, arch, "next", "enosys"))
    body.append((_LD_W_ABS, _NR, None, None))
    if machine == "x86_64":
        body.append((_JGE_K, _X32_BIT, "enosys", "next"))
    for number in refused:
        body.append((_JEQ_K, number, "deny", "next"))
    body.append((_JEQ_K, nr["clone3"], "enosys", "next"))
    body.append((_JEQ_K, nr["unshare"], "flags", "next"))
    body.append((_JEQ_K, nr["clone"], "flags", "next"))
    body.append((_RET_K, _ALLOW, None, None))
    labels = {"flags": len(body), "deny": len(body) + 3, "enosys": len(body) + 4}
    body.append((_LD_W_ABS, _ARG0_LOW, None, None))
    body.append((_JSET_K, CLONE_NEWUSER, "deny", "next"))
    body.append((_RET_K, _ALLOW, None, None))
    body.append((_RET_K, deny, None, None))
    body.append((_RET_K, enosys, None, None))

    out = b""
    for index, (code, k, when_true, when_false) in enumerate(body):
        def offset(target: str | None) -> int:
            if target in (None, "next"):
                return 0
            jump = labels[target] - index - 1
            if not 0 <= jump <= 255:
                raise AssertionError("seccomp jump out of range")
            return jump
        out += _op(code, k, offset(when_true), offset(when_false))
    return out
