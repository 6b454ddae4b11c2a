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

.PHONY: run test lint fmt bench clean install

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

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check pipelines transforms schemas seeds tests
	$(BIN)/mypy

clean:
	rm -rf output .pytest_cache .mypy_cache .ruff_cache
