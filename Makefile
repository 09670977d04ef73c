# slaflow: `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := web/static/vendor
APT_UPDATED := /tmp/.slaflow-apt-updated

.PHONY: run test test-pythons bench check lint clean-db venv assets system-deps run-deps lock

# Every dependency at the version and hash of requirements.lock (made from setup.cfg by `make lock`),
# then slaflow itself without resolving anything again.
$(VENV)/.installed: setup.cfg pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

lock: venv
	$(PY) -m pip install --quiet pip-tools==7.6.2
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --extra test --extra demo --output-file requirements.lock setup.cfg

venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	mkdir -p $(VENDOR)/bpmn-js $(VENDOR)/chart.js
	cp -r node_modules/bpmn-js/dist/. $(VENDOR)/bpmn-js/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chart.js/
	touch $@

assets: $(VENDOR)/.installed

# Debian packages the app needs: Pango for the PDF posters (WeasyPrint) and Thai fonts.
RUN_DEBS_CHECK = \
	ls /usr/lib/*/libpango-1.0.so.0 >/dev/null 2>&1 || need="$$need libpango-1.0-0"; \
	ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || need="$$need libpangoft2-1.0-0"; \
	[ -d /usr/share/fonts/truetype/tlwg ] || need="$$need fonts-thai-tlwg";

define INSTALL_DEBS
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing Debian packages:$$need"; \
	    [ -f $(APT_UPDATED) ] || { apt-get update -qq && touch $(APT_UPDATED); }; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	  else \
	    echo "missing Debian packages:$$need (run: sudo apt-get install$$need)"; \
	    [ "$$CI" != "true" ] || exit 1; \
	  fi; \
	fi
endef

run-deps:
	@need=""; $(RUN_DEBS_CHECK) \
	$(INSTALL_DEBS)

# Debian packages the tests drive for real as well: chromium (browser tests) and postgresql.
system-deps:
	@need=""; $(RUN_DEBS_CHECK) \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	$(INSTALL_DEBS)

run: venv assets run-deps
	@$(PY) -m web.cli init-db
	@$(PY) -m web.cli load-demo
	@mkdir -p var
	@echo "starting the scheduler (log: var/scheduler.log)"
	@$(PY) -m web.cli scheduler > var/scheduler.log 2>&1 & echo $$! > var/scheduler.pid
	@echo ""
	@echo "slaflow is running at http://$${SLAFLOW_HOST:-127.0.0.1}:$${SLAFLOW_PORT:-5000}/"
	@echo "demo logins (password: slaflow-demo): officer.dlt, supervisor.dlt, officer.dopa, supervisor.dopa,"
	@echo "  officer.cmpho, supervisor.cmpho, designer, central, admin; and officer.<code> / supervisor.<code>"
	@echo "  for the 27 other agencies (e.g. officer.rd, supervisor.sso-kk)"
	@echo "press Ctrl+C to stop"
	@trap 'kill $$(cat var/scheduler.pid) 2>/dev/null; rm -f var/scheduler.pid' EXIT INT TERM; \
	  $(PY) -m web.cli run

test: venv assets system-deps
	@set -e; \
	if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  export SLAFLOW_TEST_POSTGRES_URL=$$(tests/support/postgres.sh start); \
	fi; \
	trap 'tests/support/postgres.sh stop' EXIT; \
	$(PY) -m pytest -n 2 --dist loadgroup -m "not bench" $(PYTEST_ARGS)

# The suite (browser journeys and benchmarks aside) on the other Python versions this machine has
# (on PATH or from pyenv), each in its own virtualenv from the same lock file; a version not found is skipped.
test-pythons: system-deps
	@set -e; \
	if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  export SLAFLOW_TEST_POSTGRES_URL=$$(tests/support/postgres.sh start); \
	fi; \
	trap 'tests/support/postgres.sh stop' EXIT; \
	for v in 3.12 3.13; do \
	  py=""; \
	  for c in $$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python 2>/dev/null | sort -V -r) /usr/bin/python$$v /usr/local/bin/python$$v; do \
	    if [ -x "$$c" ] && "$$c" -c 'import sys' >/dev/null 2>&1; then py=$$c; break; fi; \
	  done; \
	  if [ -z "$$py" ]; then echo "Python $$v not found here: skipped"; continue; fi; \
	  venv=.venv-py$$v; \
	  test -x $$venv/bin/python || $$py -m venv $$venv; \
	  $$venv/bin/python -m pip install --quiet --upgrade pip; \
	  $$venv/bin/python -m pip install --quiet --require-hashes -r requirements.lock; \
	  $$venv/bin/python -m pip install --quiet --no-deps -e .; \
	  echo "== the suite on Python $$v"; \
	  $$venv/bin/python -m pytest -n 2 -m "not bench and not browser" -p no:cacheprovider $(PYTEST_ARGS); \
	done

bench: venv
	$(PY) -m pytest tests/bench -m bench -s -p no:xdist $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean-db:
	rm -f var/slaflow.sqlite3 var/slaflow.sqlite3-wal var/slaflow.sqlite3-shm
