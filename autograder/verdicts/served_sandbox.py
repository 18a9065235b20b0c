"""The grader's side of served artifact checks: sandboxed model processes, one per submission.

A served check (:mod:`autograder.verdicts.served`) asks a student's saved model questions (named
input arrays) and judges the answers here. The model process pays TensorFlow's import and Keras's
start-up each time it starts, several CPU seconds, which dominated the cost of weeks 2, 5 and 6's
artifact checks when every file had a process of its own. All files of one submission belong to one
student, so one sandboxed process may load every served file of a submission, one after another,
and answer every question of every file (issues 28 and 32): it holds no token, no evaluation
data and no evaluation label whatever it loads (no check's first question carries one), its
answers are claims the grader reads bounded, and the grader still never loads student code. What
a model could do to its neighbour's answers it could do to its own, for the same student's points.

How (:func:`serve_submission`): each served check's judge is first run against a recorder that
notes the questions of its first :meth:`~autograder.verdicts.served.ModelQuery.ask` and stops it
there (:class:`_Recorder`); the questions of the checks of one file are merged, and one model process
answers all files (each file's questions and answers in a folder of its own). The judges then run
for real and are answered from those answers (:class:`SandboxedModel` answers a question it was
given before from its last answers). What is not answered that way costs a process of the file's
own, as before: a second question that depends on the first answers (week 2's hints for a model
under the bar, week 6's codes for a latent wider than the pool), and every file the shared process
left without complete answers (its loading raised, the process ran out of time or memory or died):
judged again alone, such a file gets the verdict and the message it always had, and a damaged file
never fails its neighbours' checks.

Bounds: the shared process gets each file's time in turn (``artifact_seconds`` times the number of
files, as the artifact checker gets each check's) and one file's memory (``artifact_memory_bytes``:
the files are loaded one at a time and each model is freed before the next).

Measured (smoke-trained reference artifacts, smoke grading, ``judge_artifacts_isolated`` on the
2-core CPU at load 6-8, 2026-12-07; CPU seconds of the grader plus every sandboxed process's cgroup,
before -> after): week 2, 2 files, 16.6 -> 10.5 s (2 model processes -> 1; wall 37 -> 24 s); week 5,
3 files, 31.5 -> 15.8 s (3 -> 1; wall 55 -> 32 s); week 6, 2 files, 42.0 -> 31.7 s (2 -> 1, the rest is
the grader's FID and classifier; wall 106 -> 60 s). The shared process peaked at 435 MiB (week 5)
where one file's peaked at 395 MiB. Every verdict was the same, word for word.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.isolation.sandbox import Limits
from autograder.verdicts import served
from autograder.verdicts.checker_process import checker_sandbox, copy_untrusted
from autograder.verdicts.judging import ArtifactCheck


class _Asked(BaseException):
    """Raised by :class:`_Recorder` to stop a judge at its first question (not an ``Exception``, so a
    judge's own ``except Exception`` does not catch it)."""


class _Recorder:
    """A :class:`~autograder.verdicts.served.ModelQuery` that only notes the first questions asked."""

    def __init__(self) -> None:
        self.questions: dict[str, np.ndarray] = {}

    def ask(self, inputs: dict[str, np.ndarray]) -> served.Answers:
        self.questions = {name: np.array(batch) for name, batch in inputs.items()}
        raise _Asked


def first_questions(check: ArtifactCheck, profile: str) -> dict[str, np.ndarray]:
    """The questions ``check``'s judge asks first ({} when it stops, or fails, before asking)."""
    recorder = _Recorder()
    try:
        check.serve.judge(recorder, profile)
    except _Asked:
        pass
    except Exception:  # noqa: BLE001 - the real run meets the same failure and judges it
        return {}
    return recorder.questions


@dataclass(frozen=True)
class ModelFile:
    """One file for a model process: ``key`` names its folders of questions and answers; ``check``'s
    ``serve.load`` and ``serve.predict`` answer the ``questions``; ``artifact`` is the grader's copy."""

    key: str
    check: ArtifactCheck
    artifact: Path
    questions: dict[str, np.ndarray]


@dataclass(frozen=True)
class ModelRun:
    """What one model process gave: the answers of each file it answered completely (its
    ``facts.json`` written, or, alone, its run ending well) and, when the run ended badly, why."""

    answers: dict[str, served.Answers]
    problem: str | None


def run_model_process(assignment: str, files: list[ModelFile], limits: Limits) -> ModelRun:
    """Load ``files`` in one fresh sandboxed model process (no data, no private set, no token bound) and
    read back their answers, bounded (:func:`autograder.verdicts.served.read_answers`). The questions go
    in through a read-only folder; the process gets ``artifact_seconds`` per file."""
    with tempfile.TemporaryDirectory(prefix="course-served-") as tmp:
        work, given = Path(tmp, "work"), Path(tmp, "inputs")
        work.mkdir()
        sandbox, env = checker_sandbox(work, data_needed=False)
        inside = sandbox.bind_readonly(given, "/opt/course-inputs")
        manifest = []
        for file in files:
            copy = work / file.key / file.check.path
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file.artifact, copy)  # the grader's copy, checked already
            served.write_inputs(file.questions, given / file.key)
            manifest.append({"file": file.key, "check": file.check.id, "inputs": f"{inside}/{file.key}",
                             "model": f"{sandbox.work}/{file.key}/{file.check.path}"})
        served.write_manifest(manifest, given)
        run = sandbox.run([sys.executable, "-m", "autograder.verdicts.served", assignment,
                           f"{inside}/{served.MANIFEST_FILE}", f"{sandbox.work}/answers"],
                          env=env, limits=limits, wall_seconds=limits.artifact_seconds * len(files),
                          memory_bytes=limits.artifact_memory_bytes)
        problem = None
        if run.timed_out:
            problem = f"checking it took longer than {limits.artifact_seconds:.0f} s"
        elif run.returncode != 0:
            memory = run.oom_killed or "MemoryError" in run.stderr or "bad_alloc" in run.stderr
            problem = "it needs more memory than allowed" if memory else "the checker could not load it"
        answers = {}
        for file in files:
            if (problem or len(files) > 1) and not _is_plain_file(work / "answers" / file.key / served.FACTS_FILE):
                continue  # no complete answers from this run

            def read(relative: str, max_bytes: int, key: str = file.key) -> bytes:
                target = Path(tmp, "read")
                copy_untrusted(work, f"answers/{key}/{relative}", target, max_bytes)  # no link below work
                return target.read_bytes()

            answers[file.key] = served.read_answers(file.check.serve, file.questions, read)
        return ModelRun(answers, problem)


def _is_plain_file(path: Path) -> bool:
    """Whether ``path`` is there as a regular file (not followed if a link); reading it stays bounded."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


class SandboxedModel:
    """:class:`autograder.verdicts.served.ModelQuery` for the grader, for one file. Questions it was
    given before (by :meth:`prime`, or its last :meth:`ask`) with the same arrays are answered from
    those answers, without a process: the checks of one file ask the same questions. Any other
    question loads the file in a fresh sandboxed model process of its own (no data, no private set,
    no token bound): the inputs go in through a read-only folder, the outputs come back as bounded
    plain files."""

    def __init__(self, assignment: str, check: ArtifactCheck, artifact: Path, limits: Limits) -> None:
        self.assignment, self.check, self.artifact, self.limits = assignment, check, Path(artifact), limits
        self.problem: str | None = None  # why the last ask ended without answers (time, memory)
        self._asked: dict[str, np.ndarray] = {}
        self._answers: served.Answers | None = None

    def answers_for(self, check: ArtifactCheck) -> bool:
        """Whether this model process can answer ``check``'s questions: the same file, loaded and
        asked by the same functions."""
        mine, theirs = self.check.serve, check.serve
        return check.path == self.check.path and theirs.load is mine.load and theirs.predict is mine.predict

    def prime(self, questions: dict[str, np.ndarray], answers: served.Answers) -> None:
        """Take ``answers`` to ``questions`` (a shared model process's, for this file) as the last run's."""
        self._asked = {name: np.array(batch) for name, batch in questions.items()}
        self._answers = answers

    def ask(self, inputs: dict[str, np.ndarray]) -> served.Answers:
        last = self._answers
        if last is not None and all(name in self._asked and self._asked[name].dtype == batch.dtype
                                    and np.array_equal(self._asked[name], batch) for name, batch in inputs.items()):
            return served.Answers(last.facts, {n: o for n, o in last.outputs.items() if n in inputs}, last.error)
        self._answers = self._run(inputs)
        self._asked = {name: np.array(batch) for name, batch in inputs.items()}
        return self._answers

    def _run(self, inputs: dict[str, np.ndarray]) -> served.Answers:
        """This file alone in a model process of its own, with ``artifact_seconds``."""
        run = run_model_process(self.assignment, [ModelFile("0", self.check, self.artifact, inputs)], self.limits)
        self.problem = run.problem
        return served.Answers(error=run.problem) if run.problem else run.answers["0"]


def serve_submission(assignment: str, checks: list[ArtifactCheck], work: Path, profile: str,
                     limits: Limits) -> dict[str, SandboxedModel]:
    """A :class:`SandboxedModel` for each served check (by id; the checks of one file share one), with
    the first questions of every file answered by one model process (module doc). ``work`` holds the
    grader's checked copies of the files, at each check's ``path``."""
    by_check: dict[str, SandboxedModel] = {}
    models: list[SandboxedModel] = []
    questions: list[dict[str, np.ndarray]] = []
    for check in checks:
        model = next((m for m in models if m.answers_for(check)), None)
        if model is None:
            model = SandboxedModel(assignment, check, work / check.path, limits)
            models.append(model)
            questions.append({})
        by_check[check.id] = model
        asked = questions[models.index(model)]
        for name, batch in first_questions(check, profile).items():
            asked.setdefault(name, batch)  # the same name asked differently: the second check runs alone
    files = [ModelFile(str(i), m.check, m.artifact, q) for i, (m, q) in enumerate(zip(models, questions)) if q]
    if len(files) > 1:  # one file alone: its first question starts its process, as it always did
        answered = run_model_process(assignment, files, limits).answers
        for file in files:
            if file.key in answered:
                models[int(file.key)].prime(file.questions, answered[file.key])
    return by_check

