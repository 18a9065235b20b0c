"""Tests for course_utils.runtime: profile, grading mode, seeds, device report."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

from course_utils import runtime


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv(runtime.PROFILE_ENV, raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return monkeypatch


# --- profile ----------------------------------------------------------------------------------


def test_profile_defaults_to_full(clean_env):
    assert runtime.profile() == "full"
    assert not runtime.is_smoke()


@pytest.mark.parametrize("value", ["smoke", "SMOKE", " smoke \n"])
def test_profile_reads_the_environment_case_and_space_insensitively(clean_env, value):
    clean_env.setenv(runtime.PROFILE_ENV, value)
    assert runtime.profile() == "smoke"
    assert runtime.is_smoke()


def test_empty_profile_means_full(clean_env):
    clean_env.setenv(runtime.PROFILE_ENV, "")
    assert runtime.profile() == "full"


def test_unknown_profile_is_an_error_that_lists_the_choices(clean_env):
    """Does a typo fail loudly instead of silently training the wrong amount?"""
    clean_env.setenv(runtime.PROFILE_ENV, "smok")
    with pytest.raises(ValueError, match=r"COURSE_PROFILE='smok' is not a profile; use one of smoke, full"):
        runtime.profile()


def test_by_profile_picks_the_value_of_the_active_profile(clean_env):
    assert runtime.by_profile(smoke=1, full=15) == 15
    clean_env.setenv(runtime.PROFILE_ENV, "smoke")
    assert runtime.by_profile(smoke=1, full=15) == 1


@pytest.mark.parametrize("profile", ["smoke", "full"])
def test_by_profile_takes_the_grading_size_only_while_grading(clean_env, profile):
    """Is the grading value used while graded (in either profile), and never otherwise?"""
    clean_env.setenv(runtime.PROFILE_ENV, profile)
    expected = 1 if profile == "smoke" else 15
    assert runtime.by_profile(smoke=1, full=15, grading=3) == expected
    clean_env.setenv("NBGRADER_EXECUTION", "autograde")
    assert runtime.by_profile(smoke=1, full=15, grading=3) == 3
    assert runtime.by_profile(smoke=1, full=15, grading=None) is None  # None is a value, not "unset"
    assert runtime.by_profile(smoke=1, full=15) == expected


# --- grading ----------------------------------------------------------------------------------


def test_is_grading_follows_nbgrader_execution(clean_env):
    assert not runtime.is_grading()
    for value in ("autograde", "validate"):
        clean_env.setenv("NBGRADER_EXECUTION", value)
        assert runtime.is_grading()
    clean_env.setenv("NBGRADER_EXECUTION", "")
    assert not runtime.is_grading()


# --- seeds ------------------------------------------------------------------------------------


@pytest.fixture
def restore_determinism():
    """set_seed(deterministic=True) is process-wide; switch it back off for the other tests."""
    tf_config = pytest.importorskip("tensorflow.python.framework.config")
    before = tf_config.is_op_determinism_enabled()
    yield tf_config
    if not before:
        tf_config.disable_op_determinism()


def draw_everything():
    import keras

    return random.random(), np.random.rand(3), keras.ops.convert_to_numpy(keras.random.normal((3,)))


def test_set_seed_makes_python_numpy_and_keras_repeat(restore_determinism):
    """Does the same seed give the same draws from every generator, and another seed different ones?"""
    assert runtime.set_seed(7) == 7
    first = draw_everything()
    runtime.set_seed(7)
    second = draw_everything()
    runtime.set_seed(8)
    other = draw_everything()
    assert first[0] == second[0]
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_array_equal(first[2], second[2])
    assert first[0] != other[0]
    assert not np.array_equal(first[2], other[2])
    assert restore_determinism.is_op_determinism_enabled()


def test_set_seed_can_leave_op_determinism_alone(restore_determinism):
    if restore_determinism.is_op_determinism_enabled():
        pytest.skip("an earlier call in this process already enabled op determinism")
    runtime.set_seed(3, deterministic=False)
    assert not restore_determinism.is_op_determinism_enabled()


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True, None])
def test_set_seed_rejects_what_is_not_a_non_negative_integer(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        runtime.set_seed(seed)


def test_set_seed_accepts_numpy_integers(restore_determinism):
    assert runtime.set_seed(np.int64(5), deterministic=False) == 5


# --- device report ----------------------------------------------------------------------------


def test_device_report_describes_the_machine(clean_env, capsys):
    """Does the report name the accelerator, library versions and profile, and print it when asked?"""
    import keras
    import tensorflow as tf

    clean_env.setenv(runtime.PROFILE_ENV, "smoke")
    report = runtime.device_report(verbose=True)
    printed = capsys.readouterr().out
    assert report.tensorflow == tf.__version__ and report.keras == keras.__version__
    assert report.numpy == np.__version__
    assert report.profile == "smoke" and report.grading is False
    assert report.accelerator == ("GPU" if tf.config.list_physical_devices("GPU") else "CPU")
    assert printed.strip() == str(report).strip()
    assert f"accelerator : {report.accelerator}" in printed and "profile     : smoke" in printed
    runtime.device_report(verbose=False)
    assert capsys.readouterr().out == ""


def test_cpu_report_says_training_runs_on_the_cpu():
    report = runtime.DeviceReport(python="3.11", platform="Linux x86_64", tensorflow="2", keras="3", numpy="2",
                                  gpus=(), profile="full", grading=False)
    assert report.accelerator == "CPU"
    assert "none (training runs on the CPU)" in str(report)
    with_gpu = runtime.DeviceReport(**{**report.__dict__, "gpus": ("NVIDIA H100",)})
    assert with_gpu.accelerator == "GPU" and "NVIDIA H100" in str(with_gpu)


def test_machine_facts_say_where_a_number_was_measured():
    """Do benchmark records get the CPU, its load and the library versions, as JSON?"""
    import json

    facts = runtime.machine_facts()
    assert facts["cpu_count"] == os.cpu_count()
    assert len(facts["load_average"]) == 3
    assert facts["accelerator"] in ("CPU", "GPU")
    assert facts["numpy"] == np.__version__
    json.dumps(facts)  # must be writable as it is
