"""Write ``benchmarks/RESULTS.md``: one row per measure, our figure beside its anchor.

Reads what the benchmark scripts recorded in ``benchmarks/results/*.json`` (and the
evaluation classifier's record in ``course_utils/weights/``); runs nothing. A file
that is absent gives no row, so the table says only what was measured. Each row
names its file, profile, date and machine, so a figure is never read without where
it came from. Below the table, a note lists each result's date and whether this run
wrote it (``--since-file``: results newer than that file, which ``make bench`` touches
before its first measure) or kept it from an earlier run, then the results that give no
row. Run: ``python benchmarks/results_table.py [--check] [--since-file STAMP]``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
# COURSE_BENCH_RESULTS redirects the results (make bench-smoke writes to build/, not the committed ones).
RESULTS = Path(os.environ.get("COURSE_BENCH_RESULTS") or ROOT / "benchmarks" / "results")
Row = tuple[str, str, str, str]  # measure, ours, anchor (with its source), where measured


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / name if not name.startswith("/") else Path(name)
    return json.loads(path.read_text()) if path.exists() else None


# The keys a result may record its date under (a run's end time, a model's build day).
DATE_KEYS = ("date", "finished", "built")


def _date(data: dict[str, Any], missing: str = "") -> str:
    """The result's day, ``YYYY-MM-DD``, from the first of :data:`DATE_KEYS` it has."""
    return str(next((data[key] for key in DATE_KEYS if data.get(key)), missing))[:10]


def _where(data: dict[str, Any], name: str) -> str:
    machine = data.get("machine", {})
    cpu = machine.get("cpu") or machine.get("processor") or "?"
    cores = machine.get("cpu_count") or machine.get("cores")
    cores = f", {cores} cores" if cores else ""  # a record that did not say (course models built before 2026-12-03)
    gpu = "GPU" if machine.get("gpus") else "CPU"
    date = _date(data)
    profile = data.get('profile', 'full' if 'recipe' in data else '?')
    load = machine.get("load_average") or data.get("load_average")
    busy = f", load {load[0]:.1f} at start" if isinstance(load, list) and load else ""
    return f"`{name}` · {profile} · {cpu}{cores}{busy}, {gpu} · {date}"


def _week1(data: dict[str, Any]) -> Iterator[Row]:
    for result in data["results"]:
        seconds = result["seconds"]
        yield (f"week 1 conv forward, {result['config']}",
               f"naive {seconds['naive'] * 1e3:.0f} ms, vectorised {seconds['vectorised'] * 1e3:.2f} ms "
               f"({result['speedup_vectorised_over_naive']:.0f}×)",
               f"same-FLOP matrix product: vectorised is {result['vectorised_over_matmul']:.1f}× its time; "
               f"tf.nn.conv2d (float64): {result['vectorised_over_tf_float64']:.2f}×", "")


SMOKE_NOTE = " [smoke profile: little training, not the anchor's setting]"


def _smoke(data: dict[str, Any]) -> str:
    return SMOKE_NOTE if data.get("profile") == "smoke" else ""


def _week2(data: dict[str, Any]) -> Iterator[Row]:
    anchors = {"mnist": "LeNet-5 99.05 % (LeCun et al. 1998); keras.io MNIST convnet ≈ 99.2 %",
               "fashion_mnist": "small CNNs 92–93 % (Xiao et al. 2017, benchmark table)"}
    yield (f"week 2 reference CNN, {data['dataset']} test accuracy{_smoke(data)}",
           f"{data['test_accuracy']:.2%} ({data['parameters']:,} parameters, {data['epochs_run']} epochs, "
           f"{data['training_seconds'] / max(data['epochs_run'], 1):.0f} s/epoch)", anchors[data["dataset"]], "")


def _week3(data: dict[str, Any]) -> Iterator[Row]:
    for name, model in data["models"].items():
        fgsm = model["accuracy_vs_eps"]["fgsm"]
        yield (f"week 3 {name.replace('_', ' ')} CNN, accuracy under FGSM (eps 0 / 0.1 / 0.25){_smoke(data)}",
               f"{fgsm['0.0']:.1%} / {fgsm['0.1']:.1%} / {fgsm['0.25']:.1%}",
               "Goodfellow et al. 2015: at eps 0.25, error 99.9 % (softmax), 89.4 % (maxout); "
               "adversarial training lowers it to 17.9 % (maxout)", "")


def _classifier(data: dict[str, Any]) -> Iterator[Row]:
    yield ("course evaluation classifier, MNIST test accuracy",
           f"{data['test_accuracy']:.2%} ({data['recipe']['parameters']:,} parameters, "
           f"{data['training_seconds']:.0f} s)", "keras.io MNIST convnet ≈ 99.2 %", "")


def _week5(data: dict[str, Any]) -> Iterator[Row]:
    for name, value in data.get("vae", {}).items():
        if "negative_elbo" in value:
            nll = (f"; importance-sampled NLL {value['importance_sampled_nll']:.1f} (K = {value['is_samples']})"
                   if "importance_sampled_nll" in value else "")
            prior = value.get("prior_samples")
            prior = (f"; prior samples: confidence {prior['mean_confidence']:.2f}, classifier score "
                     f"{prior['classifier_score']:.2f}" if prior else "")
            yield (f"week 5 VAE {name}, negative ELBO (nats / image)", f"{value['negative_elbo']:.1f}{nll}{prior}",
                   "Kingma & Welling 2014, Fig. 2: about 100 nats (20 latents, long training); Burda et al. "
                   "2016: IS NLL 86.8 (50 latents, K = 5000)", "")


def _week7_steps(data: dict[str, Any]) -> Iterator[Row]:
    vgg19 = {step["pixels"]: step["seconds_per_transfer_step"] for step in data["step_seconds"]
             if step["network"].startswith("VGG19")}
    for step in data["step_seconds"]:
        if step["network"].startswith("VGG19"):
            continue
        peer = vgg19.get(step["pixels"])
        yield (f"week 7 one style-transfer step, {step['pixels']} px, {step['network']}",
               f"{step['seconds_per_transfer_step']:.3f} s",
               f"peer: VGG19's architecture (weights=None) at {step['pixels']} px in the same run: {peer:.3f} s"
               if peer else "", "")


def _week7_bars(data: dict[str, Any]) -> Iterator[Row]:
    for variant, runs in data["results"].get("texture", {}).items():
        factors = [run["factor"] for run in runs]
        yield (f"week 7 texture synthesis, style-loss reduction factor: {variant}",
               f"{min(factors):.3g}-{max(factors):.3g} over {len(factors)} hidden cases",
               f"bar: at least {data['bars']['texture_min_factor']:g} (the check's)", "")


def _week6(data: dict[str, Any]) -> Iterator[Row]:
    floor = data.get("real_floor", {})
    for name in ("dcgan", "cgan", "wgan"):
        if name in data:
            value = data[name]
            extra = f", label accuracy {value['label_accuracy']:.1%}" if "label_accuracy" in value else ""
            yield (f"week 6 {name.upper()} samples: classifier FID / score", f"{value['fid']:.1f} / "
                   f"{value['score']:.2f}{extra}", f"real MNIST train vs test: {floor.get('fid_train_vs_test', 0):.1f}"
                   f" / {floor.get('score_test', 0):.2f} (the floor, same classifier)", "")


def _grader(data: dict[str, Any]) -> Iterator[Row]:
    plain = data["nbgrader_autograde"]["seconds_per_submission"]
    for run in data["course_grade"]:
        yield (f"grader, {data['assignment']}: s/submission, course grade ({run['workers']} worker(s)) vs "
               "nbgrader autograde", f"{run['seconds_per_submission']:.2f} s vs {plain:.2f} s",
               f"same scores as nbgrader: {data['same_scores_as_nbgrader']}", "")


def _grader_vs_nbgrader(data: dict[str, Any]) -> Iterator[Row]:
    end = data.get("load_average_at_end") or [0.0]
    smoke = (" In the smoke profile a model trains in seconds, so re-training is a small share here."
             if data.get("profile") == "smoke" else "")
    for run in data["assignments"]:
        plain, ours = run["nbgrader_autograde"], run["course_grade"]
        given = run.get("nbgrader_autograde_models_given")
        trained = plain.get("models", {}).get("trained")
        retrained = f"; nbgrader trained {trained} models again in all" if trained else ""
        peer = f"peer: nbgrader given the saved models {given['seconds_per_submission']:.1f} s. " if given else ""
        yield (f"grader, {run['assignment']}: s/submission, plain `nbgrader autograde` (re-runs every cell) vs "
               "`course grade` (loads the saved models; its time includes the sandbox and out-of-process judging)",
               f"nbgrader {plain['seconds_per_submission']:.1f} s vs course grade {ours['seconds_per_submission']:.1f} s:"
               f" {run['ratio_nbgrader_over_course_grade']:.2f}× ({run['students']} submissions, 1 worker{retrained}; "
               f"load {end[0]:.1f} at end)",
               f"{peer}Same scores: {run['same_scores']}. nbgrader's time includes the hidden checks judged in "
               f"instructor mode (a subprocess per check).{smoke if run.get('artifacts') else ''}", "")


def _dask(data: dict[str, Any]) -> Iterator[Row]:
    runs = data["real"]
    rates = ", ".join(f"{run['workers']}: {run['submissions_per_minute']:.2f}" for run in runs)
    ratios = ", ".join(f"{run['throughput_ratio_vs_first']:.2f}×" for run in runs)
    cores = data.get("machine", {}).get("cpu_count", "?")
    yield (f"grader on a Dask cluster, {data['assignment']}: submissions per minute by workers "
           f"({runs[0]['submissions']} real submissions)", f"{rates} ({ratios}; same scores at every size)",
           f"peer: the ideal is ×N up to the machine's {cores} cores", "")
    overhead = data["overhead"]
    yield (f"grader on a Dask cluster: cost per submission against the local process pool "
           f"({overhead['submissions']} do-nothing submissions, {overhead['workers']} workers)",
           f"{overhead['dask_seconds_per_submission']:.2f} s vs {overhead['local_pool_seconds_per_submission']:.2f} s "
           f"(+{overhead['dask_overhead_seconds_per_submission']:.2f} s)",
           "peer: grading one real submission takes 10-150 s (grading_throughput, grader_vs_nbgrader)", "")


def _demo(data: dict[str, Any]) -> Iterator[Row]:
    phases = ", ".join(f"`make {p['target']}` {p['seconds'] / 60:.1f} min" for p in data["phases"])
    verdict = "every phase succeeded" if data["ok"] else "a phase FAILED"
    prepared = {True: "offline data prepared before, outside the clone",
                False: "offline data prepared in this run"}.get(data.get("data_prepared_before"),
                                                                 "data state not recorded")
    yield (f"`make demo` from a fresh clone (venv with pip's cache; {prepared}; the graded demo)",
           f"{data['total_seconds'] / 60:.1f} min: {phases}; {verdict}",
           "no published anchor: the README's promise is two commands on a fresh machine (`make demo`, then "
           "`make test`)", "")


def _mutation(data: dict[str, Any]) -> Iterator[Row]:
    """One row per function check: its mutation score and what survived (benchmarks/mutation_score.py)."""
    for week in data["weeks"]:
        judged, made = week.get("mutants_judged"), week.get("mutants_generated")
        sampled = (f"; a random {judged} of the week's {made} mutants, seed {data['seed']}"
                   if judged is not None and made is not None and judged < made else "")
        for row in week["checks"]:
            score = "no mutant" if row["score"] is None else f"{row['score']:.1%}"
            excused = len(row.get("equivalent_but_killed", []))
            timed = len(row.get("timed_out", []))
            yield (f"mutation score, {week['assignment']} `{row['check']}` ({data['library']}{sampled})",
                   f"{score}: {row['killed']} of {row['mutants'] - row['equivalent']} killed"
                   f"{f' ({timed} by running past the limit)' if timed else ''}, {row['survived']} "
                   f"survived, {row['equivalent']} equivalent{f', {excused} annotated equivalent yet killed' if excused else ''}",
                   "DESIGN.md: at least 95 % of non-equivalent mutants killed per function check", "")


def _similarity_threshold(data: dict[str, Any]) -> Iterator[Row]:
    """Where the integrity page's similarity thresholds come from (benchmarks/similarity_threshold.py)."""
    yield ("integrity: similarity of the answer corpus's honest alternatives vs renamed copies (copydetect)",
           f"honest pairs at most {data['honest_max']:.2f} ({data['honest_pairs']} pairs), renamed copies at least "
           f"{data['renamed_min']:.2f} ({data['renamed_copies']}); threshold {data['threshold']}; against a reference "
           f"text: corpus answers at most {data['reference_corpus_max']:.2f}, ports at least "
           f"{data['reference_ports_min']:.2f}, threshold {data['reference_threshold']}",
           "issue 35: no honest pair above the threshold; copydetect's default display threshold is 0.33", "")


def _similarity_class(data: dict[str, Any]) -> Iterator[Row]:
    """The integrity signals for a synthetic class (benchmarks/similarity_class.py)."""
    pairs = max(row["pairs"] for row in data["exercises"])
    flagged = sum(row["flagged"] for row in data["exercises"])
    yield (f"integrity signals for {data['students']} submissions ({data['assignment']}, synthetic: 67 corpus "
           "texts renamed, far more alike than a class)",
           f"all {pairs} pairs of one exercise in at most {data['pairs_seconds_max']:.1f} s "
           f"({data['pairs_seconds_total']:.0f} s for {len(data['exercises'])} exercises, {flagged} pairs flagged); "
           f"reading the notebooks {data['read_seconds']:.1f} s, library-call scan "
           f"{data['library_call_scan_seconds']:.1f} s, page {data['page_seconds']:.1f} s ({data['page_mib']:.1f} MiB)",
           "issue 35: all pairs of one exercise for 300 submissions in seconds to a minute", "")


def _end_load(entry: dict[str, Any]) -> str:
    """``", 8.7 at end"`` when the record has the load at the end of the runs (a machine that filled up)."""
    end = entry.get("load_average_at_end")
    return f", {end[0]:.1f} at end" if end else ""


def _run_time(data: dict[str, Any]) -> Iterator[Row]:
    """One row per week: its notebook run as a student runs it (benchmarks/notebook_run_time.py)."""
    for week, entry in sorted(data["weeks"].items()):
        runs = [entry[run] for run in ("first_run", "rerun")]
        failed = "" if entry["ok"] else "; a run had errors: " + ", ".join(
            str(run["crash"] or run["errors"]) for run in runs if run["crash"] or run["errors"])
        cpu = (f", kernel CPU {runs[0]['kernel_cpu_seconds'] / 60:.1f} / {runs[1]['kernel_cpu_seconds'] / 60:.1f} min"
               if all("kernel_cpu_seconds" in run for run in runs) else "")
        two = (f"{runs[0]['seconds'] / 60:.1f} min with training, {runs[1]['seconds'] / 60:.1f} min again with the "
               "saved models" if entry["saved_files"] else f"{runs[0]['seconds'] / 60:.1f} min, "
               f"{runs[1]['seconds'] / 60:.1f} min a second time (it saves no model: both runs do the same work)")
        yield (f"{week} notebook top to bottom, as a student runs it ({data['profile']} profile)",
               f"{two}{cpu} (run under nice {entry.get('niceness', '?')}, load "
               f"{entry['machine']['load_average'][0]:.1f} at start{_end_load(entry)}, {entry['date'][:10]}){failed}",
               "no published anchor: the week's header states these figures (tests/test_conventions.py)", "")


SOURCES: list[tuple[str, Callable[[dict[str, Any]], Iterator[Row]]]] = [
    ("conv_speed_full.json", _week1),
    ("conv_speed_smoke.json", _week1),
    ("cnn_reference_full_mnist.json", _week2),
    ("cnn_reference_full_fashion_mnist.json", _week2),
    ("cnn_reference_smoke_mnist.json", _week2),
    ("cnn_reference_smoke_fashion_mnist.json", _week2),
    ("adversarial_reference_full.json", _week3),
    ("adversarial_reference_smoke.json", _week3),
    (str(ROOT / "course_utils" / "weights" / "mnist_classifier.json"), _classifier),
    ("autoencoders_reference_full.json", _week5),
    ("autoencoders_reference_smoke.json", _week5),
    ("gans_bars_full.json", _week6),
    ("gans_bars_smoke.json", _week6),
    ("style_transfer_features.json", _week7_steps),
    ("style_transfer_bars.json", _week7_bars),
    ("grader_vs_nbgrader_full.json", _grader_vs_nbgrader),
    ("grader_vs_nbgrader_smoke.json", _grader_vs_nbgrader),
    ("grading_throughput_full.json", _grader),
    ("grading_throughput_smoke.json", _grader),
    ("dask_throughput_full.json", _dask),
    ("dask_throughput_smoke.json", _dask),
    ("demo_wall_time_smoke.json", _demo),
    ("similarity_threshold.json", _similarity_threshold),
    ("similarity_class.json", _similarity_class),
    ("notebook_run_time_full.json", _run_time),
    ("notebook_run_time_smoke.json", _run_time),
]
# Results whose names vary (mutation_score_<weeks>.json): every file matching the pattern gives rows.
PATTERN_SOURCES: list[tuple[str, Callable[[dict[str, Any]], Iterator[Row]]]] = [
    ("mutation_score_*.json", _mutation),
]


def _sources() -> list[tuple[str, Callable[[dict[str, Any]], Iterator[Row]]]]:
    """:data:`SOURCES`, then the files present that match :data:`PATTERN_SOURCES`, by name."""
    return SOURCES + [(path.name, extract) for pattern, extract in PATTERN_SOURCES
                      for path in sorted(RESULTS.glob(pattern))]


def rows() -> list[Row]:
    """Every row whose source file is present (a file whose layout is not the expected one says so)."""
    table = []
    for name, extract in _sources():
        data = _load(name)
        if data is None:
            continue
        where = _where(data, Path(name).name)
        try:
            table += [(measure, ours, anchor, where) for measure, ours, anchor, _ in extract(data)]
        except (KeyError, TypeError, ZeroDivisionError) as exc:
            table.append((f"{Path(name).name}", f"unreadable ({type(exc).__name__}: {exc})", "", where))
    return table


def provenance(since: float | None = None) -> list[str]:
    """One line per recorded result: its date, and whether this run wrote it (file newer than ``since``,
    the start of ``make bench``) or kept it from an earlier run; then the results that give no row."""
    lines = []
    for name, _ in _sources():
        data = _load(name)
        if data is None:
            continue
        path = Path(name) if name.startswith("/") else RESULTS / name
        date = _date(data, "?")
        fresh = since is not None and path.stat().st_mtime >= since
        lines.append(f"- `{path.name}`: {'run this time' if fresh else 'kept from an earlier run'}, {date}")
    named = {Path(name).name for name, _ in _sources()}
    others = sorted(path.name for path in RESULTS.glob("*.json") if path.name not in named)
    if others:
        lines.append("- recorded, no row in this table (calibration and variant records, read by their own scripts): "
                     + ", ".join(f"`{name}`" for name in others))
    return lines


def render(table: list[Row], notes: list[str] | None = None) -> str:
    lines = ["# Benchmark results", "",
             "Generated by `benchmarks/results_table.py` from `benchmarks/results/*.json`; every figure is beside",
             "its anchor (a published figure or a peer measure) and where it was measured.", "",
             "| measure | ours | anchor | measured |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(cell.replace('|', '/') for cell in row)} |" for row in table]
    if notes:
        lines += ["", "## Where the rows come from", "", *notes]
    return "\n".join(lines) + "\n"


# What --check wants in every result, and the keys that may record it.
DATED = {"machine": ("machine",), "profile": ("profile",), "date": DATE_KEYS}


def _profile_per_row(data: dict) -> bool:
    """Does every row name its own profile(s)? (A record that trains in one profile and grades in
    several, as grading_limits does, has no single profile to give at the top.)"""
    rows = data.get("rows")
    return bool(rows) and all(isinstance(row, dict) and any(key.endswith("profile") for key in row)
                              for row in rows)


def check(table: list[Row]) -> list[str]:
    """What ``--check`` refuses (``make bench-smoke``): a result without its machine, profile or
    date, or a table with fewer rows than the results it was made from."""
    problems = []
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        problems += [f"{path.name} has no {key}" for key, names in DATED.items()
                     if not any(n in data for n in names) and not (key == "profile" and _profile_per_row(data))]
    present = [name for name, _ in _sources() if _load(name) is not None]
    if not present or len(table) < len(present):
        problems.append(f"{len(table)} rows from {len(present)} recorded result(s) in {RESULTS}")
    return problems


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="refuse results without machine, profile or date")
    parser.add_argument("--since-file", type=Path, default=None,
                        help="results newer than this file were run this time (make bench touches it first)")
    args = parser.parse_args(argv)
    since = args.since_file.stat().st_mtime if args.since_file and args.since_file.exists() else None
    path = RESULTS.parent / "RESULTS.md"  # benchmarks/RESULTS.md unless COURSE_BENCH_RESULTS says otherwise
    table = rows()
    path.write_text(render(table, provenance(since)))
    print(f"{len(table)} rows -> {path}")
    problems = check(table) if args.check else []
    for problem in problems:
        print(f"results_table --check: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
