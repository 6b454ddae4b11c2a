# The two set-up commands from the README: `make run` and `make test`.
# Each creates .venv with python3 -m venv and installs the project if needed; the install is
# redone whenever pyproject.toml changes (the stamp file is older than it).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# camel-tools depends on torch; a plain `pip install torch` pulls multi-GB CUDA wheels. Install a
# CPU build first (here it comes from the local wheel cache; elsewhere point TORCH_PIP_ARGS at
# PyTorch's CPU wheel index, e.g. TORCH_PIP_ARGS="--index-url <cpu index url>").
TORCH_SPEC     ?= torch==2.13.0
TORCH_PIP_ARGS ?=
PYTEST_ARGS    ?=

.PHONY: run test lint fmt bench clean install fuzz audit

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_PIP_ARGS) "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/akhbar ingest

# The engine tests need the pinned engine artifacts: `make test` fetches what is missing
# first (once; later runs only verify the cache), so a fresh clone needs no other command.
# Two pytest-xdist processes by default (--dist loadgroup): the engine tests stay together in
# one of them (tests/conftest.py; tests/test_xdist_groups.py checks it), the rest share both.
# On fresh clones: 13.5 min (load 4.5-5, nothing else running) against 22.5 min for one process
# (load 3-4, other work running; the engine tests were about 10 of those minutes, mostly
# waiting for JVMs and SDK workers). PYTEST_PROCESSES=0
# runs everything in one process.
PYTEST_PROCESSES ?= 2
test: $(STAMP) engines
	$(BIN)/python -m pytest -n $(PYTEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

# Engine artifacts for the runners tested in tests/engines/ (pinned in deploy/engines.lock),
# fetched or built once into ${AKHBAR_ENGINE_CACHE:-~/.cache/akhbar/engines}; each script skips
# what is already there and verified. Tests never download: they fail naming this target.
.PHONY: engines
engines: $(STAMP)
	deploy/prism/fetch.sh
	deploy/flink/fetch.sh
	deploy/spark/fetch.sh

# Speed benchmarks (issue 19; benchmarks/run.py, README "Speed"): unique-article corpora of
# 10k and 50k articles, ANT 5x (duplicate-heavy), SaudiNewsNet (real); akhbar on
# FnApiRunner (1 and 2 workers, default options), Prism and the local Flink cluster, against the
# reference script, its own plain loop and datatrove; median of 3 interleaved runs ->
# benchmarks/results/<date>.{md,json} and latest.md, with the targets table; about an hour on
# 2 idle cores. Per-stage cProfile of the plain loop -> benchmarks/results/profile-<date>.md.
# `make bench-1m` adds the 1M-article corpora in both date layouts (one run each, ~1.8 GB of
# JSONL per layout, written once into benchmarks/data/) and the 10k/100k runs they are compared
# with: the whole targets table in one run, about 3 hours.
# BENCH_ARGS="--scenarios unique-backfill-50k '*/akhbar_prism_all'" runs a subset (names,
# corpora, prefixes or globs; see benchmarks/scenarios.py), BENCH_ARGS="--repeat 1" fewer runs.
BENCH_ARGS ?=
BENCH_DATE := $(shell date -u +%Y-%m-%d)
.PHONY: bench-1m bench-profile
bench: bench-smoke bench-profile
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

bench-1m: bench-smoke bench-profile
	$(BIN)/python -m benchmarks.run --with-1m $(BENCH_ARGS)

bench-profile: $(STAMP)
	$(BIN)/python -m benchmarks.unique_corpus --sizes 10 --layouts backfill
	$(BIN)/python -m benchmarks.profile_stages benchmarks/data/unique-backfill-10k.jsonl \
	  --out benchmarks/results/profile-$(BENCH_DATE).md > /dev/null
	$(BIN)/python -m benchmarks.write_speed --out benchmarks/results/write_speed-$(BENCH_DATE).md > /dev/null

# The harness itself at 1k articles, every scenario once (about a minute): it runs, and its
# report has every section. Not part of `make test` (it checks the tooling, not akhbar).
.PHONY: bench-smoke
bench-smoke: $(STAMP)
	$(BIN)/python -m pytest -q benchmarks/test_smoke.py

# mypy cannot follow setuptools' package-dir mapping (the folders at the top of the repository
# are installed as akhbar.pipelines, akhbar.transforms ...), so it checks a tree of symlinks
# laid out the way the wheel installs them.
MYPY_TREE := build/mypy
lint: $(STAMP)
	$(BIN)/ruff check akhbar pipelines transforms schemas seeds tests benchmarks
	$(BIN)/ruff format --check akhbar pipelines transforms schemas seeds tests benchmarks
	rm -rf $(MYPY_TREE) && mkdir -p $(MYPY_TREE)/akhbar
	for f in akhbar/__init__.py akhbar/_quiet_imports.py akhbar/py.typed; do ln -s $(CURDIR)/$$f $(MYPY_TREE)/$$f; done
	for d in pipelines transforms schemas seeds; do ln -s $(CURDIR)/$$d $(MYPY_TREE)/akhbar/$$d; done
	cd $(MYPY_TREE) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p akhbar

clean:
	rm -rf output .pytest_cache .mypy_cache .ruff_cache

# Coverage-guided fuzzing of the feed and JSONL readers (atheris/libFuzzer), each for a fixed
# time budget. Findings land in fuzz/findings/ (crash-*: replay with the same harness + path).
FUZZ_SECONDS ?= 60
SHARED_DATA  ?= ../shared/data
ATHERIS_SPEC ?= atheris>=2.3,<4
FUZZ_FLAGS   ?= -max_len=65536 -timeout=30 -rss_limit_mb=2048 -artifact_prefix=fuzz/findings/

fuzz: $(STAMP)
	@$(BIN)/python -c "import atheris" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(ATHERIS_SPEC)" \
	  || { echo "make fuzz: atheris does not install here (it needs a wheel for this Python, or clang with libFuzzer to build one); the hypothesis properties in tests/ still run"; exit 2; }
	mkdir -p fuzz/corpus/feed fuzz/corpus/jsonl fuzz/findings
	PYTHONPATH=. $(BIN)/python fuzz/make_seeds.py fuzz/seeds
	$(BIN)/python fuzz/fuzz_feed.py fuzz/corpus/feed fuzz/seeds/feed \
	  $(wildcard $(SHARED_DATA)/feedparser-suite $(SHARED_DATA)/feeds-real $(SHARED_DATA)/xml-bombs) \
	  -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS)
	$(BIN)/python fuzz/fuzz_jsonl.py fuzz/corpus/jsonl fuzz/seeds/jsonl \
	  -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS)

# Known vulnerabilities in the installed dependencies. pip-audit asks PyPI's vulnerability
# service (or OSV) about every installed package, so it needs the network: see README.
PIP_AUDIT_SPEC ?= pip-audit>=2.7,<3
AUDIT_FLAGS    ?= --skip-editable --progress-spinner off

audit: $(STAMP)
	@$(BIN)/python -m pip_audit --version >/dev/null 2>&1 || $(BIN)/python -m pip install --quiet "$(PIP_AUDIT_SPEC)" \
	  || { echo "make audit: pip-audit could not be installed (no package registry here?). Run it where the network is: pip install '$(PIP_AUDIT_SPEC)' && pip-audit $(AUDIT_FLAGS) (README, Development)"; exit 2; }
	@$(BIN)/python -m pip_audit $(AUDIT_FLAGS) \
	  || { status=$$?; echo "make audit: pip-audit exited $$status: vulnerable packages are listed above, or, if it reports a connection error, the vulnerability service (pypi.org / osv.dev) is not reachable from here; run 'make audit' on a machine that can reach it (README, Development)"; exit $$status; }
