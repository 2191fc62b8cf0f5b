# The course's commands. Each one sets up .venv from pyproject.toml on first use.
#   make course  execute every chapter notebook offline into _build/, print the key results, build the book
#   make book    build the HTML book from the notebooks' committed outputs into _build/html (offline)
#   make test    unit tests + nbval regression over every notebook in book.yml + the book in headless Chromium
#   make lab     open JupyterLab on notebooks/
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# CI (and any machine that has it) reproduces the book's trumpet from ../shared; nothing else needs it.
SHARED_LIBROSA := $(abspath ../shared/data/librosa)
ifneq ($(wildcard $(SHARED_LIBROSA)/*.ogg),)
export LIBROSA_DATA_DIR ?= $(SHARED_LIBROSA)
endif
export PYTHONHASHSEED := 0

.PHONY: course book student test unit nbval lab bench doctor prefetch clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	touch $(STAMP)

course: $(STAMP)
	COURSE_OFFLINE=1 $(VENV)/bin/course run
	COURSE_OFFLINE=1 $(VENV)/bin/course book

book: $(STAMP)
	COURSE_OFFLINE=1 $(VENV)/bin/course book

student: $(STAMP)
	$(VENV)/bin/course student

test: $(STAMP)
	COURSE_OFFLINE=1 $(PY) -m pytest tests $$($(VENV)/bin/course notebooks) --nbval --nbval-current-env -q -rs

unit: $(STAMP)
	COURSE_OFFLINE=1 $(PY) -m pytest tests -q -rs

nbval: $(STAMP)
	COURSE_OFFLINE=1 $(PY) -m pytest $$($(VENV)/bin/course notebooks) --nbval --nbval-current-env -q

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

doctor: $(STAMP)
	$(VENV)/bin/course doctor

prefetch: $(STAMP)
	$(VENV)/bin/course prefetch

clean:
	rm -rf _build .pytest_cache
