# Everything a fresh machine needs: `make demo` and `make test` build .venv themselves.
SHELL := /bin/sh
PYTHON_BIN := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml examples/filter_plugin/pyproject.toml Makefile
	@test -n "$(PYTHON_BIN)" || { echo "no Python >= 3.12 found" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	$(PIP) install --quiet -e examples/filter_plugin
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m examples.demo_chat.run

test: $(STAMP)
	$(VENV)/bin/ruff check gateway filters tests examples benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n auto -q

lint: $(STAMP)
	$(VENV)/bin/ruff check gateway filters tests examples benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) build *.egg-info
