# Everything a fresh machine needs: `make demo` and `make test` build .venv themselves.
SHELL := /bin/sh
PYTHON_BIN := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
# checkov scans the Kubernetes manifests and the Dockerfile (tests/deploy). It pins many packages of its
# own, so it gets a virtualenv of its own instead of holding the project's dependencies back.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

.PHONY: venv checkov-venv demo test fuzz lint bench clean

venv: $(STAMP)

checkov-venv: $(CHECKOV_STAMP)

$(CHECKOV_STAMP):
	@test -n "$(PYTHON_BIN)" || { echo "no Python >= 3.12 found" >&2; exit 1; }
	rm -rf $(CHECKOV_VENV)
	$(PYTHON_BIN) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	@touch $(CHECKOV_STAMP)

$(STAMP): pyproject.toml examples/filter_plugin/pyproject.toml Makefile
	@test -n "$(PYTHON_BIN)" || { echo "no Python >= 3.12 found" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev,sidecar,matrix]'
	$(PIP) install --quiet -e examples/filter_plugin
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m examples.demo_chat.run

test: $(STAMP) $(CHECKOV_STAMP)
	$(VENV)/bin/ruff check gateway filters tests examples benchmarks deploy
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n auto -q

# Property-based fuzzing of every parser of untrusted bytes, twenty-five times as many inputs as `make test`
# (minutes). A failure prints the input: keep it under tests/fuzz/corpus/ with the fix.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest -n auto -q tests/fuzz

lint: $(STAMP)
	$(VENV)/bin/ruff check gateway filters tests examples benchmarks deploy
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) build *.egg-info
