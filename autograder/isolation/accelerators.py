"""The grading machine's GPUs, handed into each sandbox when there are any.

Why: bubblewrap gives every run a fresh ``/dev`` with no GPU in it, so on a GPU machine
the students' notebooks and the checks that evaluate models still ran on the CPU. Where
NVIDIA's device nodes exist they are bound into the sandbox (``--dev-bind``; the driver's
libraries are under the read-only system folders already), TensorFlow is told to take GPU
memory as it needs it (``TF_FORCE_GPU_ALLOW_GROWTH``: several grading workers share one
GPU, and by default the first would reserve all of it), and each report says which device
graded. Without a GPU nothing changes: everything runs on the CPU, as before.
"""

from __future__ import annotations

import glob
import os
import stat

NVIDIA_NODES = "/dev/nvidia*"   # nvidia0…, nvidiactl, nvidia-uvm, nvidia-uvm-tools, nvidia-modeset
GROWTH_ENV = {"TF_FORCE_GPU_ALLOW_GROWTH": "true"}


def gpu_devices(pattern: str = NVIDIA_NODES) -> list[str]:
    """The GPU device nodes of this machine (character devices only), sorted."""
    found = []
    for path in sorted(glob.glob(pattern)):
        try:
            if stat.S_ISCHR(os.stat(path).st_mode):
                found.append(path)
        except OSError:
            continue
    return found


def bwrap_args(devices: list[str]) -> list[str]:
    """bubblewrap arguments that bind ``devices`` into the sandbox's ``/dev`` (after ``--dev``)."""
    return [arg for device in devices for arg in ("--dev-bind", device, device)]


def sandbox_env(devices: list[str]) -> dict[str, str]:
    """Variables a sandboxed run needs to share the GPU fairly (none without one)."""
    return dict(GROWTH_ENV) if devices else {}


def describe(devices: list[str]) -> str:
    """One line for the report: which device the run could use."""
    gpus = [d for d in devices if os.path.basename(d)[len("nvidia"):].isdigit()]
    if not devices:
        return "device: CPU (no GPU on this machine)"
    return (f"device: GPU ({len(gpus)} NVIDIA GPU(s) bound into the sandbox: {', '.join(gpus) or 'none'}; "
            "TensorFlow takes GPU memory as it needs it)")
