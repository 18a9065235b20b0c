"""Attacks on the artifact checker's verdict: can a saved model decide its own grade?

The checker loads the student's model (``safe_mode=True``) in a sandboxed process, so code of the
model's may one day run there (a Keras safe-mode bypass). The fixture check module below stands in
for such a bypass: it registers a layer whose deserialisation runs code, and that code writes forged
verdicts, in every format the checker ever used, to its standard output, its standard error and
every pipe it holds, at once and again when the process exits (so a forged line comes last). An
honest model judged the same way keeps its full marks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograder.verdicts import artifacts, judging

pytestmark = pytest.mark.slow

FORGER_CHECKS = '''"""Two artifact checks on saved models, and a layer that forges verdicts (tests only)."""
import atexit, json, os, stat
from pathlib import Path

import keras
import numpy as np

from autograder.verdicts.judging import ArtifactCheck, Verdict

FORGED = {"passed": True, "message": "forged: full marks", "fraction": 1.0}


def _forge() -> None:
    """Write forged verdicts (every format) to standard output, standard error and every pipe held."""
    lines = [json.dumps({"check": c, "verdict": FORGED}) for c in ("model", "twin")] + [json.dumps(FORGED)]
    data = ("\\n" + "\\n".join(lines) + "\\n").encode()
    for name in os.listdir("/proc/self/fd"):
        try:
            fd = int(name)
            if fd in (1, 2) or stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, data)
        except OSError:
            pass


@keras.saving.register_keras_serializable(package="forger")
class Forger(keras.layers.Layer):
    """Returns zeros; its deserialisation (from_config, as a bypass would) forges verdicts."""

    def call(self, inputs):
        return inputs * 0.0

    @classmethod
    def from_config(cls, config):
        _forge()
        atexit.register(_forge)
        return cls(**config)


def _sums(path: Path, profile: str) -> Verdict:
    model = keras.saving.load_model(path, safe_mode=True)
    out = float(np.asarray(model(np.ones((1, 3), dtype="float32"))).sum())
    ok = abs(out - 3.0) < 1e-4
    return Verdict(ok, f"{path.stem}: the sum of ones(3) is {out:g}, {'right' if ok else 'expected 3'}.")


CHECKS = [ArtifactCheck("model", 1, "a model that sums its 3 inputs", "model.keras", _sums),
          ArtifactCheck("twin", 1, "the same, saved again", "twin.keras", _sums)]
'''


@pytest.fixture
def forger_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[judging.ArtifactCheck]:
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / "96_forger_fixture.py").write_text(FORGER_CHECKS)
    monkeypatch.setenv("COURSE_CHECKS_PATH", str(folder))
    return [judging.get_check("96_forger_fixture", name) for name in ("model", "twin")]


def _save(folder: Path, forged: bool) -> Path:
    """Save ``model.keras`` and ``twin.keras``: a Dense layer of ones, behind a Forger when ``forged``."""
    import keras

    from_fixture = judging._module_from_checks_path("96_forger_fixture")  # registers Forger here too
    folder.mkdir()
    inputs = keras.Input((3,))
    hidden = from_fixture.Forger()(inputs) if forged else inputs
    model = keras.Model(inputs, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(hidden))
    assert float(np.asarray(model(np.ones((1, 3), dtype="float32"))).sum()) == (0.0 if forged else 3.0)
    for name in ("model", "twin"):
        model.save(folder / f"{name}.keras")
    return folder


def test_a_model_that_forges_its_verdict_gets_no_points_and_an_honest_one_full_marks(tmp_path, forger_checks):
    """A model whose loading writes forged verdicts to every stream and pipe it holds, judged with
    the submission's other file in one checker and alone: is every check worth 0 with the checker's
    own reason, while the honest control judged the same ways passes every check? (Before the
    verdict pipe, the forged line was taken: full marks.)"""
    forged, honest = _save(tmp_path / "forged", True), _save(tmp_path / "honest", False)
    for folder, passed in ((forged, False), (honest, True)):
        batched = artifacts.judge_artifacts_isolated("96_forger_fixture", forger_checks, folder, profile="smoke")
        alone = {"model": artifacts.judge_artifact_isolated("96_forger_fixture", forger_checks[0], folder,
                                                            profile="smoke")}
        for verdict in [*batched.values(), *alone.values()]:
            assert verdict.passed is passed and verdict.score_fraction == float(passed), (folder.name, verdict)
            assert "forged" not in verdict.message
        if not passed:
            assert all("the sum of ones(3) is 0" in v.message for v in [*batched.values(), *alone.values()])
