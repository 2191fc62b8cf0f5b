# The course's commands. Each one sets up a virtual environment on first use.
#   make course   execute every chapter notebook offline into _build/, print the key results, build the book
#   make test     unit tests, nbval over every notebook in book.yml, nbval again with other CPU kernels, the book in Chromium
#   make unit     the unit tests alone (no notebook executed, no browser): under a minute
#   make record CHAPTER=5.6   re-execute a chapter and, if it ran clean, make its outputs the committed ones
#   make lab      open JupyterLab on the student copies, _build/student/ (the missing ones written first, a learner's
#                 edited copy kept); make lab-solutions opens notebooks/, the worked solutions, for instructors
#   make upgrade  refresh the constraint file of the chosen Python (newest releases within pyproject's ranges)
#   make wheelhouse  download every wheel the course needs into wheelhouse/ (online, once); in a room without
#                 internet, make course WHEELHOUSE=wheelhouse/linux-x86_64-py3.13 installs from it with pip's index off
#
# Python: the newest supported interpreter found is used (3.13, then 3.12, then 3.11), or
# `make test PYTHON=python3.11`. Each version gets its own environment, .venv-py3.X, installed
# with constraints/py3.X.txt: the exact versions that passed CI on that Python.
SHELL := /bin/bash
SUPPORTED_PYTHONS := 3.13 3.12 3.11

# The first interpreter that runs, newest first (a pyenv shim for a version that is not active does not run).
PYTHON ?= $(shell for v in $(SUPPORTED_PYTHONS); do \
	  for cand in python$$v "$$(pyenv root 2>/dev/null)/versions/$$v"*/bin/python$$v; do \
	    if "$$cand" -c 'import sys' >/dev/null 2>&1; then command -v "$$cand" || echo "$$cand"; exit 0; fi; \
	  done; done)
ifeq ($(strip $(PYTHON)),)
$(error no supported Python found: install Python $(SUPPORTED_PYTHONS) (any one), or pass PYTHON=/path/to/python3.X)
endif
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(filter $(PYVER),$(SUPPORTED_PYTHONS)),)
$(error $(PYTHON) is Python $(PYVER); the course supports Python $(SUPPORTED_PYTHONS): pass PYTHON=python3.X)
endif
$(info == Python $(PYVER): $(PYTHON))

VENV ?= .venv-py$(PYVER)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints/py$(PYVER).txt
# 5.2's learned sound-effects embedding (CC BY 4.0): its wheel pins numpy 1.23 and librosa 0.9.2, which the course
# cannot use, and the course needs only its network and weights (torch), so it is installed without its dependencies.
AISFX := aisfx==0.1.2
CONSTRAINT_FLAG := $(if $(wildcard $(CONSTRAINTS)),-c $(CONSTRAINTS),)
# CI (and any machine that has it) reproduces the book's trumpet from ../shared; nothing else needs it.
SHARED_LIBROSA := $(abspath ../shared/data/librosa)
ifneq ($(wildcard $(SHARED_LIBROSA)/*.ogg),)
export LIBROSA_DATA_DIR ?= $(SHARED_LIBROSA)
endif
export PYTHONHASHSEED := 0
# A room without internet: install from the folder make wheelhouse filled, pip's index switched off.
ifdef WHEELHOUSE
export PIP_NO_INDEX := 1
export PIP_FIND_LINKS := $(abspath $(WHEELHOUSE))
endif
PYTEST := COURSE_OFFLINE=1 $(PY) -m pytest -q -rs
# Prints "== stage NAME: N s" after running the rest of the line; fails when it fails.
STAGE = start=$$(date +%s); trap 'echo "== stage $(1): $$(( $$(date +%s) - start )) s"' EXIT;

.PHONY: course book student test unit notebooks kernels browser nbval record lab lab-solutions bench doctor prefetch upgrade freeze clean

$(STAMP): pyproject.toml $(wildcard $(CONSTRAINTS))
	@$(call STAGE,setup) \
	if [ -z "$(CONSTRAINT_FLAG)" ]; then echo "== no $(CONSTRAINTS): installing the newest releases pyproject.toml allows (run make test, then make upgrade to record them)"; \
	else echo "== installing the versions CI verified: $(CONSTRAINTS)"; fi; \
	$(PYTHON) -m venv $(VENV) && \
	$(PY) -m pip install --quiet --upgrade pip && \
	$(PY) -m pip install --quiet $(CONSTRAINT_FLAG) -e '.[dev]' && \
	$(PY) -m pip install --quiet --no-deps $(CONSTRAINT_FLAG) '$(AISFX)' && \
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null && \
	touch $(STAMP)

course: $(STAMP)
	COURSE_OFFLINE=1 $(VENV)/bin/course run
	COURSE_OFFLINE=1 $(VENV)/bin/course book

book: $(STAMP)
	COURSE_OFFLINE=1 $(VENV)/bin/course book

student: $(STAMP)
	$(VENV)/bin/course student

# make test = four stages, each timed: unit, notebooks (nbval and the tests that execute notebooks), kernels
# (nbval again, with other CPU kernels), browser.
test: unit notebooks kernels browser

# The unit tests run in one process per core (pytest-xdist, at most 4), each with one thread for torch and faiss:
# two processes of two threads each on 2 cores ran no faster than one process (80 s), one thread each in 57 s.
unit: $(STAMP)
	@$(call STAGE,unit) $(VENV)/bin/ruff check --quiet . && \
	OMP_NUM_THREADS=1 $(PYTEST) tests -m "not notebooks and not browser" -n auto --maxprocesses 4 --dist loadfile

# The CPU and the kernels a stage computes with (pytest -q prints no header).
KERNEL_LINE = $(PY) -c "from course_utils.tooling.doctor import kernel_set; print('== kernels:', kernel_set())";

notebooks: $(STAMP)
	@$(call STAGE,notebooks) $(KERNEL_LINE) $(PYTEST) tests $$($(VENV)/bin/course notebooks) --nbval --nbval-current-env -m notebooks

# The committed outputs must hold on any learner's CPU. This stage re-executes every notebook with other kernels than
# this machine's best: ATen's scalar code instead of AVX2/AVX-512, MKL limited to SSE4.2, oneDNN to SSE4.1, faiss's
# distance code without SIMD (OpenBLAS's OPENBLAS_CORETYPE is left as the machine has it), and compares with the
# committed outputs by the same rules.
OTHER_KERNELS := ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 ONEDNN_MAX_CPU_ISA=SSE41 FAISS_SIMD_LEVEL=NONE
kernels: $(STAMP)
	@$(call STAGE,kernels) $(OTHER_KERNELS) $(KERNEL_LINE) $(OTHER_KERNELS) $(PYTEST) $$($(VENV)/bin/course notebooks) --nbval --nbval-current-env

browser: $(STAMP)
	@$(call STAGE,browser) $(PYTEST) tests -m browser

# nbval alone, over every notebook of book.yml or the ones named: make nbval NOTEBOOKS="notebooks/05_2_….ipynb"
nbval: $(STAMP)
	$(PYTEST) $(if $(NOTEBOOKS),$(NOTEBOOKS),$$($(VENV)/bin/course notebooks)) --nbval --nbval-current-env

# After a deliberate change to a chapter: execute it offline into _build/notebooks/ and, only if it ran without an
# error or anything on stderr, copy it over the committed notebook. Then run make test: it must pass here and in
# the kernels stage before the new outputs are committed.
record: $(STAMP)
	@if [ -z "$(CHAPTER)" ]; then echo "make record needs a chapter: make record CHAPTER=5.6 (ids: $$($(VENV)/bin/course notebooks | tr '\n' ' '))" >&2; exit 2; fi
	COURSE_OFFLINE=1 $(VENV)/bin/course run --chapter $(CHAPTER)
	@for f in $$($(VENV)/bin/course notebooks --chapter $(CHAPTER)); do cp "_build/notebooks/$$(basename $$f)" "$$f" && echo "== recorded $$f"; done

# Learners work in the student copies: course student --keep-edited writes the missing (and unedited) ones and
# never touches one a learner has changed. The chapter notebooks show their worked solutions collapsed.
lab: $(STAMP)
	$(VENV)/bin/course student --keep-edited
	$(VENV)/bin/jupyter lab _build/student/

lab-solutions: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

doctor: $(STAMP)
	$(VENV)/bin/course doctor

prefetch: $(STAMP)
	$(VENV)/bin/course prefetch

# Every wheel the course needs, for this machine (PLATFORMS="this macos-arm64 windows-amd64" adds others), into
# wheelhouse/<platform>-py3.X/: copy it to a USB stick. Not part of make test: it downloads gigabytes.
PLATFORMS ?= this
.PHONY: wheelhouse
wheelhouse: $(STAMP)
	$(VENV)/bin/course wheelhouse --out wheelhouse $(foreach p,$(PLATFORMS),--platform $(p))

# Refresh constraints/py3.X.txt: a fresh environment with the newest releases pyproject.toml allows,
# the whole test suite on it, and only then the exact versions written out. Commit the file if CI passes.
upgrade:
	rm -rf $(VENV)-upgrade
	$(PYTHON) -m venv $(VENV)-upgrade
	$(VENV)-upgrade/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-upgrade/bin/python -m pip install --quiet -e '.[dev]'
	$(VENV)-upgrade/bin/python -m pip install --quiet --no-deps '$(AISFX)'
	$(VENV)-upgrade/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	touch $(VENV)-upgrade/.installed
	$(MAKE) test VENV=$(VENV)-upgrade PYTHON=$(PYTHON)
	mkdir -p constraints
	$(MAKE) --no-print-directory freeze VENV=$(VENV)-upgrade PYTHON=$(PYTHON)
	rm -rf $(VENV)-upgrade $(VENV)
	@echo "== the next make installs $(VENV) from the new $(CONSTRAINTS)"

# Write the exact versions installed in $(VENV) to constraints/py3.X.txt (local labels such as +cu130 dropped,
# so that the file also holds on machines that get another build of the same release).
freeze:
	mkdir -p constraints
	{ echo "# Exact versions that passed make test on Python $(PYVER) ($$(date -u +%F)). Used by make; refresh with make upgrade."; \
	  $(PY) -m pip freeze --exclude-editable | sed -E 's/\+[A-Za-z0-9.]+$$//'; } > $(CONSTRAINTS)
	@echo "== wrote $(CONSTRAINTS) ($$(grep -vc '^#' $(CONSTRAINTS)) packages)"

# _build/student/ holds the learners' work (make lab opens it): clean leaves it.
clean:
	if [ -d _build ]; then find _build -mindepth 1 -maxdepth 1 ! -name student -exec rm -rf {} +; fi
	rm -rf .pytest_cache
