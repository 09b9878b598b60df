PY := .venv/bin/python

.PHONY: run test lint format check fixture bench

run:
	python3 -m config.dev serve

test:
	python3 -m config.dev test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

check: lint test
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

fixture:
	$(PY) fixtures/build_seed_briefing.py

ci:
	bash .ci/run
