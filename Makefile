# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
SCALE ?= 100

.PHONY: help test test-pure test-odoo lint demo bench bench-pull clean

help:
	@echo "make demo   - the newest Odoo found (ODOO=18|19) + this module + the optional apps on :8069"
	@echo "make test   - lint, pure tests, then the Odoo tests on fresh databases of every Odoo found"
	@echo "make test-pure | test-odoo | lint | bench SCALE=N | bench-pull SCALE=N"

test: lint test-pure test-odoo

# a small virtualenv for the pure tests and the linters (the Odoo one lives beside Odoo)
$(VENV)/.stamp: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q -r requirements-test.txt
	touch $@

test-pure: $(VENV)/.stamp
	$(VPY) -m pytest tests/unit -q -p no:cacheprovider

test-odoo:
	$(PYTHON) tools/odoo_suite.py test $(if $(ODOO),--odoo $(ODOO))

lint: $(VENV)/.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pylint --rcfile=.pylintrc-mandatory "$(CURDIR)"

demo:
	$(PYTHON) tools/odoo_suite.py demo $(if $(ODOO),--odoo $(ODOO))

# the engine against XML-RPC and load() on the same data, one run (see README)
bench:
	$(PYTHON) bench/engine_vs_peers.py --scale $(SCALE) $(if $(ODOO),--odoo $(ODOO)) $(BENCH_FLAGS)

# source side only: a full pull from the Dispatch emulator, sequential vs concurrent
bench-pull: $(VENV)/.stamp
	$(VPY) -m bench.pull_dispatch --scale $(SCALE)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
