# Accounts service: `make run` serves it with its local servers; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SERVERS := scripts/local-servers.sh

RUN_STORE := $(or $(ACCOUNTS_MONGODB_URI),mongodb://127.0.0.1:27017/)
RUN_BROKER := $(or $(ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS),127.0.0.1:9092)
TEST_STORE := $(or $(ACCOUNTS_MONGODB_URI),mongodb://127.0.0.1:27117/)
TEST_BROKER := $(or $(ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS),127.0.0.1:19092)

.PHONY: run test install servers-stop schema lint bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing the project into $(VENV) ..."
	@$(PY) -m pip install -q -e '.[dev]' > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@

install: $(VENV)/.installed

run: install
	@$(SERVERS) start run
	@ACCOUNTS_MONGODB_URI=$(RUN_STORE) ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS=$(RUN_BROKER) \
		ACCOUNTS_DATA_DIR=$${ACCOUNTS_DATA_DIR:-.data/run} $(PY) -m service.main

test: install
	@$(SERVERS) start test
	@ACCOUNTS_MONGODB_URI=$(TEST_STORE) ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS=$(TEST_BROKER) \
		$(PY) -m pytest $(PYTEST_ARGS)

servers-stop:
	@$(SERVERS) stop run; $(SERVERS) stop test

schema: install
	@$(PY) -m scripts.export_schema > schema.graphql

lint: install
	@$(VENV)/bin/ruff check service rest_compat tests scripts bench
	@$(VENV)/bin/mypy service rest_compat

bench: install
	@$(SERVERS) start test
	@ACCOUNTS_MONGODB_URI=$(TEST_STORE) ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS=$(TEST_BROKER) \
		$(PY) -m bench.run

clean:
	rm -rf $(VENV) .data
