# Every target sets up .venv itself: a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORE   := $(VENV)/.core-installed
DEV    := $(VENV)/.dev-installed
LINTED := $(wildcard src tests examples benchmarks evaluation)

# A bare `make` lists the targets (else it would run the first rule: an empty .venv).
.DEFAULT_GOAL := help
.PHONY: help weekend test lint docs bench eval clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "novelty needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)

$(CORE): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(CORE)

help:  ## list the targets with what each does
	@awk 'BEGIN { FS = ":.*## " } /^[a-z]+:.*## / { printf "  %-8s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

weekend: $(CORE)  ## print this weekend's ideas for examples/couple.toml (no network, no keys)
	$(BIN)/python examples/this_weekend.py

lint: $(DEV)  ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy src evaluation benchmarks

docs: $(DEV)  ## build the documentation site into site/ (strict: warnings fail)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

test: lint docs  ## everything CI checks: lint, types, docs, the test suite
	$(BIN)/pytest -q

bench: $(DEV)  ## speed and memory benchmarks; writes benchmarks/results.md
	$(BIN)/python -m benchmarks

eval: $(DEV)  ## offline evaluation against baselines; writes evaluation/results.csv
	$(BIN)/python -m evaluation

clean:  ## remove .venv/, site/ and the tool caches
	rm -rf $(VENV) site .mypy_cache .ruff_cache .pytest_cache .hypothesis
