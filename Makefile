# The two commands of the Quick start:
#   make serve   set up, build the graph and serve it on http://127.0.0.1:7878/
#   make test    set up and run every test (ruff, mypy --strict, pytest with doctests)

BIND ?= 127.0.0.1:7878
LOCATION ?= var/kg
PYTEST_ARGS ?= -n auto  # one pytest worker per core (pytest-xdist); PYTEST_ARGS= runs serially

.PHONY: setup setup-test build serve test lint typecheck docs bench clean

setup:
	@KG_SETUP_BROWSER=0 KG_SETUP_ENGINES=0 scripts/setup.sh

setup-test:
	@scripts/setup.sh

build: setup
	.venv/bin/kg build --location $(LOCATION)

serve: build
	.venv/bin/kg serve --location $(LOCATION) --bind $(BIND)

lint: setup-test
	.venv/bin/ruff check src tests bench

typecheck: setup-test
	.venv/bin/mypy

test: lint typecheck
	.venv/bin/python -m pytest -q $(PYTEST_ARGS)

docs: setup
	.venv/bin/kg docs

bench: setup
	KG_SETUP_BENCH=1 scripts/setup.sh
	.venv/bin/python bench/run_all.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache dist
