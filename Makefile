# The two commands: `make run` (the platform on embedded defaults, with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FEEDBACK_ENV ?= development

.PHONY: run test install lint translations clean fuzz bench bench-ingest bench-dispatch \
	bench-survey bench-csv bench-webhook bench-profile bench-report

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python setup.cfg plugins/*/setup.cfg
	@echo "installing feedback and its plugins into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/pip install -e ".[test]" $(addprefix -e ./,$(wildcard plugins/*/)) \
	  >$(VENV)/install.log 2>&1 || (tail -n 40 $(VENV)/install.log; exit 1)
	touch $(STAMP)

install: $(STAMP) translations node_modules/axe-core/axe.min.js

# axe-core for the accessibility tests (browser tests say why they skip when npm is missing).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --silent && touch $@; \
	else \
	  echo "npm not found: the accessibility tests will be skipped (CI fails them)"; \
	fi

# The core catalogue, then each plugin's own (its domain is its package name).
translations: $(STAMP)
	@$(BIN)/pybabel compile -f -d feedback/translations >/dev/null 2>&1
	@for dir in plugins/*/*/translations; do \
	  $(BIN)/pybabel compile -f -D "$$(basename "$$(dirname "$$dir")")" -d "$$dir" >/dev/null 2>&1 || exit 1; \
	done

run: install
	$(BIN)/feedback db upgrade
	$(BIN)/feedback seed-demo
	$(BIN)/feedback dev

test: install
	./scripts/test.sh $(PYTEST_ARGS)

# The API against its OpenAPI description, with 10x the cases the test suite runs (SQLite).
fuzz: $(STAMP)
	FEEDBACK_FUZZ_EXAMPLES=5000 TEST_DATABASE_URL= $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/api/test_schemathesis.py tests/contacts/test_ingest_properties.py tests/api/test_hostile_input.py

# Benchmarks, each beside its limit in the same run (results: docs/benchmarks.md). `make bench`:
# ingest, dispatch, the survey page and the CSV import on PostgreSQL + Redis, then on SQLite +
# the filesystem broker (the tables go into docs/benchmarks.md), then the webhook under ingest.
# Apart: `make bench-report` (the report's facts, quarter report and export; long: 1 M responses).
# BENCH_QUICK=1: short runs; BENCH_PROFILE=1: py-spy flame graphs into docs/profiles/.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py; status=$$?; \
	  $(BIN)/python benchmarks/webhook_under_ingest.py && exit $$status

bench-ingest: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

bench-dispatch: $(STAMP)
	$(BIN)/python benchmarks/dispatch.py

bench-survey: $(STAMP)
	$(BIN)/python benchmarks/survey_page.py

bench-csv: $(STAMP)
	$(BIN)/python benchmarks/csv_import.py

bench-webhook: $(STAMP)
	$(BIN)/python benchmarks/webhook_under_ingest.py

# The report on PostgreSQL: the facts' rebuild vs a bare GROUP BY, their incremental update, the
# quarter report (both PDFs) and the response-level export with its peak memory
# (BENCH_REPORT_RESPONSES, default 1,000,000; BENCH_QUICK=1: 50,000).
bench-report: $(STAMP)
	$(BIN)/python benchmarks/report_outputs.py

# The profiler is not a dependency of the app: installed here, when asked for.
bench-profile: $(STAMP)
	$(BIN)/pip install -q py-spy
	BENCH_PROFILE=1 $(BIN)/python benchmarks/ingest.py
	BENCH_PROFILE=1 $(BIN)/python benchmarks/survey_page.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance
