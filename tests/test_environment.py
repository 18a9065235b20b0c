"""Do pyproject.toml and environment.yml describe the same environment?"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """Normalised distribution name of a requirement (PEP 503, extras dropped)."""
    name = re.split(r"[\[=<>!~; ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        if requirement.startswith("-e") or not requirement.strip():
            continue
        spec = requirement.split(";")[0].strip()
        pins[_name(spec)] = re.sub(r"^[^=<>!~]*", "", spec.split("]")[-1] if "]" in spec else spec)
    return pins


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return _pins(project["dependencies"] + extras["cpu"] + extras["dev"])


def _conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return _pins(pip_section)


def test_every_dependency_is_pinned_exactly():
    """Is every pyproject requirement an exact == pin (so CI, grader and students agree)?"""
    unpinned = {name: spec for name, spec in _pyproject_pins().items() if not spec.startswith("==")}
    assert not unpinned, f"pin these with ==: {unpinned}"


def test_environment_yml_matches_pyproject():
    """Does environment.yml list exactly the pyproject pins (CPU build + dev tools)?"""
    pyproject, conda = _pyproject_pins(), _conda_pins()
    missing = sorted(set(pyproject) - set(conda))
    extra = sorted(set(conda) - set(pyproject))
    differ = {n: (pyproject[n], conda[n]) for n in set(pyproject) & set(conda) if pyproject[n] != conda[n]}
    assert not missing and not extra and not differ, (
        f"environment.yml drifted from pyproject.toml: missing {missing}, extra {extra}, "
        f"different versions {differ}"
    )


def test_gpu_extra_uses_the_same_tensorflow_version():
    """Does the GPU extra pin the same TensorFlow release as the CPU build?"""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    cpu_version = extras["cpu"][0].split("==")[1]
    gpu_version = extras["gpu"][0].split("==")[1]
    assert cpu_version == gpu_version
