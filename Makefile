# The README's two commands: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
EXTRAS ?= default-model,viz,dev
LINTED := $(wildcard src tests examples benchmarks)

.PHONY: install demo test test-fast check docs format bench clean chromium

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first, pinned: on these machines that is the CPU wheel on disk (no multi-GB CUDA build)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) examples/demo.py

check: install
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# the API reference (mkdocs + mkdocstrings); --strict: a broken docstring reference fails
docs: install
	$(VENV)/bin/mkdocs build --strict -d out/site

test: check docs chromium
	$(PY) -m pytest -m "not slow and not browser"
	$(PY) -m pytest -m "slow and not browser"
	$(PY) -m pytest -m browser

test-fast: check
	$(PY) -m pytest -m "not slow and not browser"

# The browser tests drive Debian's chromium (Playwright's own browser download does not work here)
chromium:
	command -v chromium || (apt-get update && apt-get install -y chromium)

format: install
	$(VENV)/bin/ruff format $(LINTED)
	$(VENV)/bin/ruff check --fix $(LINTED)

bench: install
	$(PY) -m pip install -q -e ".[$(EXTRAS),bench]"
	$(PY) benchmarks/ig_throughput.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .grimp_cache .import_linter_cache
