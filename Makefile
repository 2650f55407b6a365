# data-platform-template: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
export DO_NOT_TRACK := 1
DEMO_DIR ?= $(CURDIR)/demo
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help uv setup demo test test-fast mutate lint format docs bench clean

help: ## list the tasks
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv \
		|| python3 -m pip install --quiet --user --break-system-packages uv \
		|| python3 -m pip install --quiet uv

# Synced only when pyproject.toml or uv.lock changed, bytecode compiled then, once: the tasks
# below run `uv run --no-sync`, which neither re-checks nor recompiles.
.venv/.synced: pyproject.toml uv.lock | uv
	@$(UV) sync --quiet --compile-bytecode
	@touch $@

setup: .venv/.synced ## install the template's development environment

demo: setup ## render the default platform into ./demo and run it end to end
	@rm -rf "$(DEMO_DIR)"
	@$(UV) run --no-sync copier copy --quiet --trust --defaults --vcs-ref HEAD "$(CURDIR)" "$(DEMO_DIR)"
	@echo "rendered the default platform into $(DEMO_DIR); running it"
	@$(MAKE) --no-print-directory -C "$(DEMO_DIR)" run

test: setup ## every template test: catalog, answers, render, static checks, update, end to end
	@$(UV) run --no-sync pytest -n 2 --dist loadgroup --durations=15 $(PYTEST_ARGS)

test-fast: setup ## the template tests without installing and running rendered platforms
	@$(UV) run --no-sync pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

mutate: setup ## break promised behaviours one at a time; fail if a test misses one (slow)
	@$(UV) run --no-sync python -m tests.mutations $(MUTATE_ARGS)

lint: setup ## ruff on the template's own code
	@$(UV) run --no-sync ruff check .
	@$(UV) run --no-sync ruff format --check .

format: setup
	@$(UV) run --no-sync ruff check --fix .
	@$(UV) run --no-sync ruff format .

docs: setup ## regenerate docs/matrix.md from the tool catalog
	@$(UV) run --no-sync python -m extensions.docs

bench: setup ## benchmarks: rendering, the every-combination matrix (figures, not asserted)
	@$(UV) run --no-sync python benchmarks/render.py
	@$(UV) run --no-sync python benchmarks/matrix.py

clean:
	rm -rf "$(DEMO_DIR)" build .pytest_cache
