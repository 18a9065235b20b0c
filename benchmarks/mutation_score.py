"""Mutation score of the hidden function checks: do they kill mutants of the reference solutions?

Every top-level function and class of a week's solution cells is mutated with mutmut's own
mutation operators (``mutmut.mutation.mutators``: numbers, strings, comparisons, arithmetic and
boolean operators, call arguments, assignments, ternaries...), applied to its source by mutmut's
libcst visitor, one change per mutant. Each mutant replaces the function in the solution
notebook's namespace (built as the answer corpus builds it: ``tests/test_answer_corpus``), the
grade cells' hidden ``judge.submit`` calls hand the functions over, and every hidden
``FunctionCheck`` whose handed-over function reaches the mutated name judges it on its real
hidden cases. A mutant is killed when one of those checks fails, or when it raises while being
defined or runs past its time limit. Mutants that do not compile are not counted.

Equivalent mutants (no answer built this way could be told apart from the reference, by any
hidden case) are listed with their reason in ``autograder/checks/mutants/<NN_topic>.toml``;
they are judged too, and one that a check kills is reported, not excused.

Why mutmut rather than cosmic-ray: mutmut's operators are plain functions on libcst nodes, so a
script mutates a function's source in memory; cosmic-ray mutates files on disk through a session
database and runs a test command per mutant (the notebook's functions would need a module first).

Run: ``python benchmarks/mutation_score.py [WEEKS...] [--sample N] [--seed S]``; writes
``benchmarks/results/mutation_score_<weeks or all>.json`` (machine, profile, date, commit).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import difflib
import io
import json
import os
import random
import signal
import sys
import time
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
# COURSE_BENCH_RESULTS redirects the results (make bench-smoke writes to build/, not the committed ones).
RESULTS = Path(os.environ.get("COURSE_BENCH_RESULTS") or ROOT / "benchmarks" / "results")
ANNOTATIONS = ROOT / "autograder" / "checks" / "mutants"
EQUIVALENT_KEYS: dict[str, type] = {"function": str, "operator": str, "occurrence": int, "line": str,
                                    "mutated": str, "reason": str}
TIME_FLOOR_S = 20.0  # a mutant's limit: this, or TIME_FACTOR x what the reference took on the same checks
TIME_FACTOR = 4  # the grader's limits are also a few times the reference's time; a mutant past it is killed
UNTIMED_LIMIT_S = 900.0  # a mutant's limit when the reference was not timed (generous: a busy machine)
Key = tuple[str, str, str, str, int]  # function, operator, original line, mutated line, occurrence


@dataclasses.dataclass(frozen=True)
class Definition:
    """A top-level function or class of a solution cell, with its source."""

    name: str
    source: str


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One mutmut change to one definition; ``key`` is stable under edits to other lines."""

    function: str
    operator: str
    occurrence: int  # among this function's mutants with the same operator, line and mutated line
    line: str  # the first changed line of the reference, stripped
    mutated: str  # what the mutant has there, stripped
    source: str
    diff: str

    @property
    def key(self) -> Key:
        return (self.function, self.operator, self.line, self.mutated, self.occurrence)

    @property
    def id(self) -> str:
        return f"{self.function}/{self.operator}/{self.occurrence}: {self.line} -> {self.mutated}"


def solution_definitions(assignment: str) -> list[Definition]:
    """The top-level functions and classes of the solution notebook's solution cells, in order."""
    import ast

    import nbformat

    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            for node in ast.parse(cell.source).body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    found.append(Definition(node.name, ast.get_source_segment(cell.source, node, padded=False)))
    return found


def generate_mutants(definition: Definition) -> list[Mutant]:
    """mutmut's mutants of one definition (its visitor and operators, no mutmut project config)."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper
    from mutmut.mutation.file_mutation import MutationVisitor, deep_replace
    from mutmut.mutation.mutators import mutation_operators
    from mutmut.mutation.pragma_handling import IgnoredCode

    made_by: dict[int, str] = {}

    def tagged(operator: Callable[[Any], Any]) -> Callable[[Any], Iterator[Any]]:
        def run(node: Any) -> Iterator[Any]:
            for mutated in operator(node):
                made_by[id(mutated)] = operator.__name__.removeprefix("operator_")
                yield mutated
        return run

    module = cst.parse_module(definition.source)
    visitor = MutationVisitor([(kind, tagged(op)) for kind, op in mutation_operators], IgnoredCode(set(), set(), set()))
    module = MetadataWrapper(module).visit(visitor)
    original = definition.source.splitlines()
    mutants, seen = [], defaultdict(int)
    for mutation in visitor.mutations:
        source = deep_replace(module, mutation.original_node, mutation.mutated_node).code
        changed = source.splitlines()
        blocks = [b for b in difflib.SequenceMatcher(a=original, b=changed).get_opcodes() if b[0] != "equal"]
        if not blocks:
            continue
        _, i1, _, j1, _ = blocks[0]
        line = original[i1].strip() if i1 < len(original) else ""
        mutated = changed[j1].strip() if j1 < len(changed) else ""
        operator = made_by[id(mutation.mutated_node)]
        group = (definition.name, operator, line, mutated)
        diff = "\n".join(difflib.unified_diff(original, changed, definition.name, "mutant", n=0, lineterm=""))
        mutants.append(Mutant(definition.name, operator, seen[group], line, mutated, source, diff))
        seen[group] += 1
    return mutants


def parse_equivalents(text: str, where: str = "<equivalents>") -> dict[Key, str]:
    """``[[equivalent]]`` tables (function, operator, occurrence, line, mutated, reason) -> reason by key.

    Refuses (ValueError) a file with other top-level keys, an entry with a missing, unknown,
    mistyped or empty field, or the same mutant twice: a typo must not silently excuse nothing."""
    data = tomllib.loads(text)
    if set(data) - {"equivalent"}:
        raise ValueError(f"{where}: unknown top-level keys {sorted(set(data) - {'equivalent'})}")
    found: dict[Key, str] = {}
    for index, entry in enumerate(data.get("equivalent", [])):
        if not isinstance(entry, dict) or set(entry) != set(EQUIVALENT_KEYS):
            raise ValueError(f"{where}: entry {index} must have exactly {sorted(EQUIVALENT_KEYS)}")
        for name, kind in EQUIVALENT_KEYS.items():
            if not isinstance(entry[name], kind) or isinstance(entry[name], bool) or (kind is str and name != "mutated"
                                                                                        and not entry[name].strip()):
                raise ValueError(f"{where}: entry {index}: {name} must be a non-empty {kind.__name__}")
        key = (entry["function"], entry["operator"], entry["line"], entry["mutated"], entry["occurrence"])
        if key in found:
            raise ValueError(f"{where}: entry {index} repeats {key}")
        found[key] = entry["reason"].strip()
    return found


def load_equivalents(assignment: str) -> dict[Key, str]:
    """The week's annotated equivalent mutants (none when it has no file)."""
    path = ANNOTATIONS / f"{assignment}.toml"
    return parse_equivalents(path.read_text(), str(path.relative_to(ROOT))) if path.exists() else {}


class MutantTimeout(BaseException):
    """Raised by the alarm: a BaseException, so the harness's ``except Exception`` lets it through."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`MutantTimeout` in the main thread after ``seconds`` (SIGALRM)."""
    def alarm(signum: int, frame: Any) -> None:
        raise MutantTimeout()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclasses.dataclass
class Week:
    """A week's notebook namespace (built once, restored after each mutant) and what reaches what."""

    assignment: str
    namespace: dict[str, Any]
    grade_cells: dict[str, Any]
    checks: dict[str, Any]  # FunctionCheck by id
    reach: dict[str, list[str]]  # definition name -> ids of the checks whose handed function reaches it
    reference_seconds: dict[str, float]
    definitions: list[Definition]


def load_week(assignment: str, judge_reference: bool = True) -> Week:
    """Build the notebook namespace, find which checks reach which definition, judge the reference
    (each check must pass it, else its mutation score would mean nothing) and time it; without
    ``judge_reference`` (the CI sample) each mutant gets :data:`UNTIMED_LIMIT_S`."""
    import test_answer_corpus as corpus
    from autograder.verdicts import judging

    namespace, grade_cells = corpus.notebook_namespace(assignment)
    handed = corpus.submitted_functions(namespace, grade_cells)
    checks = {c.id: c for c in judging.load_checks(assignment) if isinstance(c, judging.FunctionCheck) and c.id in handed}
    definitions = solution_definitions(assignment)
    reach: dict[str, list[str]] = {d.name: [] for d in definitions}
    seconds = {}
    for check_id, fn in handed.items():
        if check_id not in checks:
            continue
        names = corpus._reached_names(fn, namespace) | {getattr(fn, "__name__", "")}
        for name in reach:
            if name in names:
                reach[name].append(check_id)
        if not judge_reference:
            continue
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            verdict = corpus.judge_function(assignment, checks[check_id], fn)
        seconds[check_id] = time.perf_counter() - started
        if not verdict.passed:
            raise RuntimeError(f"{assignment}: the reference fails {check_id}: {verdict.message}")
    return Week(assignment, namespace, grade_cells, checks, reach, seconds, definitions)


@dataclasses.dataclass
class Outcome:
    """What the checks made of one mutant: the checks that failed it (killed if any), with the first message."""

    failed: dict[str, str]
    seconds: float
    timed_out: bool = False


def judge_mutant(week: Week, mutant: Mutant) -> Outcome | None:
    """Judge ``mutant`` by the checks reaching its function, cheapest first, to the first failing; None if it won't compile."""
    import test_answer_corpus as corpus

    try:
        code = compile(mutant.source, f"<mutant {mutant.id}>", "exec")
    except SyntaxError:
        return None
    reached = week.reach[mutant.function]
    limit = (max(TIME_FLOOR_S, TIME_FACTOR * sum(week.reference_seconds[c] for c in reached))
             if all(c in week.reference_seconds for c in reached) else UNTIMED_LIMIT_S)
    namespace, snapshot, failed, timed_out, warm = week.namespace, dict(week.namespace), {}, False, False
    cheapest_first, started = sorted(reached, key=lambda c: week.reference_seconds.get(c, 0.0)), time.perf_counter()
    try:
        with time_limit(limit), contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)
            handed = corpus.submitted_functions(namespace, week.grade_cells)
            for check_id in cheapest_first:
                verdict = corpus.judge_function(week.assignment, week.checks[check_id], handed[check_id])
                if not verdict.passed:  # killed: dearer checks need not run (killed_by_this_check: the first)
                    failed[check_id] = verdict.message.splitlines()[0][:300]
                    break
    except MutantTimeout:
        failed, timed_out = {c: f"ran past {limit:.0f} s" for c in reached}, True
        stale = getattr(sys.modules.get("tests.handover_worker"), "_WORKERS", {}).pop("shared", None)  # corpus' name
        if stale is not None:  # it may still run the mutant (the next ones would queue behind it): start a fresh one
            stale.close()
            warm = True
    except Exception as exc:  # noqa: BLE001 - a mutant that raises outside the harness is killed too
        failed = {c: f"raised {type(exc).__name__} outside the harness" for c in reached}
    finally:
        namespace.clear()
        namespace.update(snapshot)
    seconds = time.perf_counter() - started
    if warm:  # the fresh harness imports TensorFlow and the hidden models on the reference, off the next mutant's clock
        with contextlib.redirect_stdout(io.StringIO()):
            corpus.judge_function(week.assignment, week.checks[cheapest_first[0]], corpus.submitted_functions(
                namespace, week.grade_cells)[cheapest_first[0]])
    return Outcome(failed, seconds, timed_out)


def week_mutants(week: Week) -> tuple[list[Mutant], list[str]]:
    """The mutants of the definitions some function check reaches; the names no check reaches."""
    judged = [d for d in week.definitions if week.reach[d.name]]
    return [m for d in judged for m in generate_mutants(d)], [d.name for d in week.definitions if not week.reach[d.name]]


def sample(mutants: list[Mutant], size: int | None, seed: int) -> list[Mutant]:
    """``size`` mutants drawn with ``seed`` (all of them when ``size`` is None), in the drawn order, so
    that a run stopped by its time budget has judged a random subset, not the first functions."""
    order = random.Random(seed).sample(range(len(mutants)), len(mutants) if size is None else min(size, len(mutants)))
    return [mutants[i] for i in order]


def score_week(assignment: str, size: int | None, seed: int, budget_s: float | None = None,
               judge_reference: bool = True, progress: bool = True) -> dict[str, Any]:
    """Judge a week's (sampled) mutants, stopping after ``budget_s`` seconds of judging (the rest are
    reported as not judged); the per-check counts, survivors and timing of one week."""
    started = time.perf_counter()
    week = load_week(assignment, judge_reference)
    setup = time.perf_counter() - started
    mutants, unjudged = week_mutants(week)
    equivalents = load_equivalents(assignment)
    stale = [" / ".join(map(str, k)) for k in equivalents if k not in {m.key for m in mutants}]
    chosen = sample(mutants, size, seed)
    per_check = {c: {"check": c, "functions": sorted(n for n, cs in week.reach.items() if c in cs), "mutants": 0,
                     "killed": 0, "killed_by_this_check": 0, "timed_out": [], "equivalent": 0, "survived": 0, "survivors": [],
                     "equivalent_but_killed": []} for c in week.checks}
    not_compiling, judged_seconds, judged = 0, 0.0, 0
    for index, mutant in enumerate(chosen):
        if budget_s is not None and judged_seconds > budget_s:
            break
        judged += 1
        outcome = judge_mutant(week, mutant)
        if outcome is None:
            not_compiling += 1
            continue
        judged_seconds += outcome.seconds
        reason = equivalents.get(mutant.key)
        for check_id in week.reach[mutant.function]:
            row = per_check[check_id]
            row["mutants"] += 1
            row["killed_by_this_check"] += check_id in outcome.failed
            if outcome.failed:
                row["killed"] += 1
                if outcome.timed_out:
                    row["timed_out"].append(mutant.id)
                if reason:
                    row["equivalent_but_killed"].append({"id": mutant.id, "failed": outcome.failed})
            elif reason:
                row["equivalent"] += 1
            else:
                row["survived"] += 1
                row["survivors"].append({"id": mutant.id, "diff": mutant.diff})
        if progress and (index + 1) % 25 == 0:
            print(f"{assignment}: {index + 1}/{len(chosen)} mutants, {judged_seconds:.0f} s", file=sys.stderr)
    for row in per_check.values():
        counted = row["mutants"] - row["equivalent"]
        row["score"] = round(row["killed"] / counted, 4) if counted else None
    per_mutant = judged_seconds / max(judged - not_compiling, 1)
    return {"assignment": assignment, "mutants_generated": len(mutants), "mutants_drawn": len(chosen),
            "mutants_judged": judged - not_compiling, "stopped_by_budget": judged < len(chosen),
            "not_compiling": not_compiling, "setup_seconds": round(setup, 1), "judging_seconds": round(judged_seconds, 1),
            "seconds_per_mutant": round(per_mutant, 3), "projected_full_seconds": round(setup + per_mutant * len(mutants)),
            "reference_seconds": {c: round(s, 3) for c, s in week.reference_seconds.items()},
            "functions": {d.name: week.reach[d.name] for d in week.definitions}, "unjudged_functions": unjudged,
            "stale_annotations": stale, "checks": list(per_check.values())}


def main(argv: list[str] | None = None) -> int:
    from course_utils.runtime import machine_facts
    from course_utils.runtime import profile as active_profile

    all_weeks = sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weeks", nargs="*", help=f"default: every week ({', '.join(all_weeks)})")
    parser.add_argument("--sample", type=int, default=None, help="judge this many mutants per week, drawn with --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=None, help="stop judging a week after this many seconds")
    parser.add_argument("--untimed", action="store_true", help="do not judge and time the reference first (on a "
                        f"busy machine): each mutant then gets {UNTIMED_LIMIT_S:.0f} s")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    weeks = args.weeks or all_weeks
    unknown = set(weeks) - set(all_weeks)
    if unknown:
        parser.error(f"no such week: {sorted(unknown)}")
    from mutmut import __version__ as mutmut_version

    started = dt.datetime.now(dt.timezone.utc)
    name = "all" if weeks == all_weeks else "-".join(weeks)
    output = args.output or RESULTS / f"mutation_score_{name}{'_sample' if args.sample else ''}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    for assignment in weeks:  # the record is rewritten after each week: a long run keeps what it judged
        results.append(score_week(assignment, args.sample, args.seed, args.budget, not args.untimed))
        print(f"{assignment}: {results[-1]['mutants_judged']} mutants in {results[-1]['judging_seconds']:.0f} s",
              file=sys.stderr)
        machine = machine_facts()
        report = {"benchmark": "mutation_score", "profile": active_profile(),
                  "date": started.isoformat(timespec="seconds"),
                  "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "commit": machine.get("git_commit"), "machine": machine, "library": f"mutmut {mutmut_version}",
                  "sample": args.sample, "seed": args.seed, "budget_seconds_per_week": args.budget,
                  "reference_judged_first": not args.untimed,
                  "time_floor_seconds": TIME_FLOOR_S, "time_factor": TIME_FACTOR, "weeks_asked": weeks, "weeks": results}
        output.write_text(json.dumps(report, indent=1) + "\n")
    for week in results:
        for row in week["checks"]:
            print(f"{week['assignment']} {row['check']}: {row['killed']}/{row['mutants'] - row['equivalent']} killed "
                  f"(score {row['score']}), {row['survived']} survived, {row['equivalent']} equivalent")
    print(f"-> {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
