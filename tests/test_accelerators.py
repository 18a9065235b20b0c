"""Does the sandbox hand the machine's GPUs in (and only then), and does the report say which
device graded? The machine running the suite may have no GPU: device nodes are faked with
character devices that every Linux has (/dev/null, /dev/zero)."""

from __future__ import annotations

import os

from autograder.isolation import accelerators, sandbox
from autograder.isolation.sandbox import Limits


def test_only_character_devices_count(tmp_path):
    os.symlink("/dev/null", tmp_path / "nvidia0")
    (tmp_path / "nvidia-fake").write_text("not a device")
    assert accelerators.gpu_devices(str(tmp_path / "nvidia*")) == [str(tmp_path / "nvidia0")]
    assert accelerators.gpu_devices(str(tmp_path / "none*")) == []


def test_without_a_gpu_nothing_is_bound_and_the_report_says_cpu():
    assert accelerators.bwrap_args([]) == []
    assert accelerators.sandbox_env([]) == {}
    assert accelerators.describe([]) == "device: CPU (no GPU on this machine)"


def test_a_gpu_is_bound_with_memory_growth_and_named_in_the_report(tmp_path, monkeypatch):
    """With GPU nodes present, is each bound into the sandbox after its fresh /dev, is TensorFlow
    told to share the GPU, and does the report name the GPU?"""
    devices = ["/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm"]
    monkeypatch.setattr(accelerators, "gpu_devices", lambda pattern=accelerators.NVIDIA_NODES: devices)
    box = sandbox.Sandbox(tmp_path)
    args = box._bwrap_args(Limits(), {})
    dev = args.index("--dev")
    for device in devices:
        at = args.index(device)
        assert args[at - 1] == "--dev-bind" and args[at + 1] == device and at > dev
    line = accelerators.describe(devices)
    assert "GPU" in line and "/dev/nvidia0" in line and "nvidiactl" not in line
    assert line in box.describe()
    assert accelerators.sandbox_env(devices) == {"TF_FORCE_GPU_ALLOW_GROWTH": "true"}
