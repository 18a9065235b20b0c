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

# Speed and quality targets; each script writes benchmarks/results/*.json
# (machine, profile, date). COURSE_PROFILE=full trains the reference models.
bench: data
	$(PY) benchmarks/conv_speed.py
	$(PY) benchmarks/grading_throughput.py
	$(PY) benchmarks/reference_accuracy.py
	$(PY) benchmarks/adversarial_reference.py
	$(PY) benchmarks/results_table.py

# A subset of bench in the smoke profile (a few minutes, CI runs it): checks that each script
# writes its JSON (machine, profile, date, commit) and that the table is made from them, not
# the figures. Writes to build/bench-smoke/, never over the committed benchmarks/results/.
BENCH_SMOKE := build/bench-smoke/results
bench-smoke: data
	rm -rf $(BENCH_SMOKE) && mkdir -p $(BENCH_SMOKE)
	COURSE_PROFILE=smoke COURSE_BENCH_RESULTS=$(BENCH_SMOKE) $(PY) benchmarks/conv_speed.py
	COURSE_PROFILE=smoke COURSE_BENCH_RESULTS=$(BENCH_SMOKE) $(PY) benchmarks/grading_throughput.py --students 2 --workers 1 2
	COURSE_BENCH_RESULTS=$(BENCH_SMOKE) $(PY) benchmarks/results_table.py --check

clean:
	rm -rf $(VENV) build *.egg-info
