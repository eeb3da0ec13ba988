# govhall — two commands on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
NPM_STAMP   := node_modules/.installed
SYSTEM_PKGS := chromium fonts-wqy-zenhei fonts-arphic-uming poppler-utils
# PostgreSQL used by `make test` (CI: mandatory). Override with PG_URL=postgres://user@host:port/db.
PG_URL      ?= postgres://postgres@127.0.0.1:5432/govhall
# Two test processes (pytest-xdist): the suite takes half the time on a 2-core machine. loadgroup keeps a module's
# tests on one worker (tests/conftest.py), so its module-scoped data is built once.
PYTEST_ARGS ?= -n 2 --dist loadgroup

.PHONY: help setup system-deps run worker cluster reliability tamper test lint typecheck migrations-check test-sqlite test-postgres bench bench-throughput bench-throughput-quick clean

help:
	@echo "make run    — set up, load the demo county and serve http://127.0.0.1:8000 (SQLite)"
	@echo "make test   — set up, lint, type-check, check migrations, run every test on SQLite and PostgreSQL"

# Debian packages the browser tests and PDF checks need; installed only when missing (root, or sudo).
system-deps:
	@missing=""; for p in $(SYSTEM_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# With the bench extra: the throughput smoke test (tests/bench/) runs the SpiffWorkflow peer beside govhall.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[dev,bench]"
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: system-deps $(STAMP) $(NPM_STAMP)
	$(PY) manage.py migrate --noinput -v 0

# A hall with history: on the first start (no cases yet) 300 applications are simulated over the last 20 working
# days. The background worker (deemed acceptance, document seals) runs beside the server and stops with it.
# The demo's text messages go to var/sms.log (one JSON line each), not to the console, so the accounts and the
# address stay readable; set GOVHALL_SMS_BACKEND to choose otherwise.
run: export GOVHALL_SMS_BACKEND ?= govhall.notifications.sms.FileSmsBackend
run: setup
	$(PY) manage.py seed_demo
	$(PY) manage.py simulate --cases 300 --days 20 --bundles 6 --seed 1 --if-empty
	@echo ""
	@echo "govhall: http://127.0.0.1:8000  (portal)   /accounts/login/  (login)   /admin/  (administration)   /api/v1/docs  (API)"
	@echo "demo SMS: var/sms.log  (tail -f var/sms.log)"
	$(PY) manage.py demo_accounts
	@$(PY) manage.py checkpoint_key > /dev/null
	@$(PY) manage.py run_jobs & worker=$$!; \
	$(PY) manage.py supervise --interval 15 & watcher=$$!; \
	trap 'kill $$worker $$watcher 2>/dev/null; wait $$worker $$watcher 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# The background worker alone (beside a server started some other way); several may run at once.
worker: setup
	$(PY) manage.py run_jobs

# Production topology on one PostgreSQL (docs/deployment.md): SERVERS gunicorn servers on ports PORT, PORT+1, …,
# WORKERS run_jobs and WATCHERS supervise; restarts a member that dies; Ctrl-C or SIGTERM stops them all. The
# environment carries DATABASE_URL, GOVHALL_DEBUG=0, GOVHALL_SECRET_KEY, GOVHALL_ALLOWED_HOSTS…; without an SMS
# gateway configured, messages stay in the applicants' accounts (NullSmsBackend).
SERVERS ?= 2
WEB_WORKERS ?= 2
WORKERS ?= 2
WATCHERS ?= 1
PORT ?= 8000
cluster: setup
	$(PY) manage.py collectstatic --noinput -v 0
	GOVHALL_SMS_BACKEND="$${GOVHALL_SMS_BACKEND:-govhall.notifications.sms.NullSmsBackend}" \
	  $(PY) manage.py cluster --servers $(SERVERS) --web-workers $(WEB_WORKERS) --workers $(WORKERS) \
	  --watchers $(WATCHERS) --port $(PORT)

# The reliability suite (bench/reliability/README.md): kill -9 during an intake load and 200 races on one task, on
# a cluster over its own PostgreSQL database (created and dropped); a few minutes; prints JSON figures.
RELIABILITY_URL ?= postgres://postgres@127.0.0.1:5432/govhall_reliability
reliability: setup
	$(PY) bench/reliability/run.py --database-url "$(RELIABILITY_URL)"
	$(MAKE) --no-print-directory tamper

# lint-imports: the layer contract of pyproject.toml ([tool.importlinter]); no app imports one above it, no cycles.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy govhall

migrations-check: setup
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: setup
	env -u DATABASE_URL $(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

# On PostgreSQL when one answers; with CI=true it must answer.
test-postgres: setup
	@if $(PY) scripts/pg_available.py "$(PG_URL)"; then \
	  echo "== tests on PostgreSQL ($(PG_URL))"; \
	  DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS); \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "CI=true but PostgreSQL at $(PG_URL) is not reachable" >&2; exit 1; \
	else \
	  echo "== PostgreSQL not reachable at $(PG_URL): skipped (set CI=true to require it)"; \
	fi

test: setup lint typecheck migrations-check test-sqlite test-postgres

bench: setup
	$(PY) bench/run.py

# Throughput side by side in one run (bench/README.md): govhall on an empty and on a 300k-case database, the peers
# SpiffWorkflow and django-viewflow (the `bench` extra), pgbench replaying govhall's statements, HTTP through gunicorn.
# PostgreSQL at BENCH_PG (databases govhall_tp_* are created and dropped; govhall_tp_seed is kept between runs).
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
bench-throughput: setup
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) bench/throughput.py --server "$(BENCH_PG)"

bench-throughput-quick: setup
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) bench/throughput.py --server "$(BENCH_PG)" --quick

# Reliability suite, tamper part: every audit-trail rewrite is detected (PG_URL's server, a throwaway database).
tamper: setup
	$(PY) bench/tamper.py --database-url $(or $(TAMPER_DB_URL),$(dir $(PG_URL))govhall_tamper)

clean:
	rm -rf $(VENV) node_modules var/static
