# Two entry points (see README): `make demo` runs the main job, `make test` the tests.
# Both bootstrap .venv with uv; uv itself comes from PyPI when it is missing.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
COURSE := $(VENV)/bin/course
# tensorflow[and-cuda] when an NVIDIA driver is visible, the CPU build otherwise.
TF_EXTRA := $(shell command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && echo gpu || echo cpu)
export TF_CPP_MIN_LOG_LEVEL ?= 3
# Test processes (pytest-xdist; tests/conftest.py says how tests are spread): 2 = the CI machine's cores.
TEST_WORKERS ?= 2

.PHONY: venv system-deps data demo test bench bench-smoke clean

$(VENV)/.installed: pyproject.toml
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv venv --quiet --allow-existing --python 3.11 $(VENV)
	VIRTUAL_ENV=$(VENV) uv pip install --quiet --compile-bytecode -e ".[$(TF_EXTRA),dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

venv: $(VENV)/.installed

# Debian packages: Fashion-MNIST's offline copy and the grading sandbox.
system-deps:
	@bash .ci/system-deps.sh

data: venv system-deps
	$(COURSE) data prepare

demo: data
	$(COURSE) demo

test: data
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Speed and quality targets; each script writes benchmarks/results/*.json (machine, profile, date,
# commit), then RESULTS.md is made from them; its note says which results this run wrote (newer than
# build/bench.stamp) and which are kept from earlier runs. Default: the smoke profile (27 min end
# to end on the quiet 2-core CPU, 2026-12-03). BENCH_FULL=1: the reference trainings and the grader comparison in the full
# profile (hours on a CPU, minutes on a GPU). BENCH_CALIBRATION=1 also re-measures the records the
# checks' bars and the grading limits were chosen from (adversarial_bars, conv_speed_verdict,
# grading_limits: about 1 h more).
BENCH_PROFILE := $(if $(BENCH_FULL),full,smoke)
BENCH_STAMP := build/bench.stamp
bench: data
	mkdir -p build && touch $(BENCH_STAMP)
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/conv_speed.py
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/grading_throughput.py --students 6 --workers 1 2
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/grader_vs_nbgrader.py --students 2
	COURSE_PROFILE=smoke $(PY) benchmarks/dask_throughput.py --students 4 --workers 1 2 4
	$(PY) benchmarks/demo_wall_time.py
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/reference_accuracy.py mnist fashion_mnist
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/adversarial_reference.py
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/autoencoders_reference.py
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/train_solution.py 06_gans build/bench/06_gans
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/gans_bars.py build/bench/06_gans --profile $(BENCH_PROFILE)
	$(PY) benchmarks/style_transfer_reference.py features
	$(PY) benchmarks/style_transfer_reference.py bars
	COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/mutation_score.py
	$(PY) benchmarks/similarity_threshold.py
	$(PY) benchmarks/similarity_class.py --students 300
	$(if $(BENCH_CALIBRATION),$(PY) benchmarks/adversarial_bars.py --profile $(BENCH_PROFILE) --seeds 20,@true)
	$(if $(BENCH_CALIBRATION),$(PY) benchmarks/adversarial_reference.py --targeted-case --seeds 20,@true)
	$(if $(BENCH_CALIBRATION),$(PY) benchmarks/conv_speed_verdict.py --runs 20,@true)
	$(if $(BENCH_CALIBRATION),COURSE_PROFILE=$(BENCH_PROFILE) $(PY) benchmarks/grading_limits.py,@true)
	$(PY) benchmarks/results_table.py --since-file $(BENCH_STAMP)

# A subset of bench in the smoke profile (2 min on the 2-core CPU at load 2-5, CI runs it): checks that each script
# writes its JSON (machine, profile, date, commit) and that the table is made from them, not
# the figures. Writes to build/bench-smoke/, never over the committed benchmarks/results/.
BENCH_SMOKE := build/bench-smoke/results
bench-smoke: data
	rm -rf $(BENCH_SMOKE) && mkdir -p $(BENCH_SMOKE) && touch $(BENCH_SMOKE)/../stamp
	COURSE_PROFILE=smoke COURSE_BENCH_RESULTS=$(BENCH_SMOKE) $(PY) benchmarks/conv_speed.py
	COURSE_PROFILE=smoke COURSE_BENCH_RESULTS=$(BENCH_SMOKE) $(PY) benchmarks/grading_throughput.py --students 2 --workers 1 2
	COURSE_PROFILE=smoke COURSE_BENCH_RESULTS=$(BENCH_SMOKE) $(PY) benchmarks/grader_vs_nbgrader.py --assignments 00_setup --students 1
	COURSE_BENCH_RESULTS=$(BENCH_SMOKE) $(PY) benchmarks/results_table.py --check --since-file $(BENCH_SMOKE)/../stamp

clean:
	rm -rf $(VENV) build *.egg-info
