# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
SCALE ?= 100

.PHONY: help test test-pure test-odoo lint demo bench clean

help:
	@echo "make demo   - Odoo 18 + this module + the optional apps on http://localhost:8069"
	@echo "make test   - lint, pure tests, then the Odoo tests on fresh databases"
	@echo "make test-pure | test-odoo | lint | bench SCALE=N"

test: lint test-pure test-odoo

# a small virtualenv for the pure tests and the linters (the Odoo one lives beside Odoo)
$(VENV)/.stamp: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q -r requirements-test.txt
	touch $@

test-pure: $(VENV)/.stamp
	$(VPY) -m pytest tests/unit -q -p no:cacheprovider

test-odoo:
	$(PYTHON) tools/odoo_suite.py test

lint: $(VENV)/.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pylint --rcfile=.pylintrc-mandatory "$(CURDIR)"

demo:
	$(PYTHON) tools/odoo_suite.py demo

bench: $(VENV)/.stamp
	$(VPY) bench/pull_dispatch.py --scale $(SCALE)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
