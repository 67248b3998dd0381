# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test install interop lint bench clean messages

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Independent implementations used by the interop tests and benchmarks (never at run time).
interop/node_modules/.package-lock.json: interop/package.json interop/package-lock.json
	cd interop && npm ci --no-audit --no-fund --loglevel=error

# 1EdTech's OB 2.0 validator in its own environment (its pins cannot live beside ours).
OB2_VALIDATOR := interop/ob2_validator/.venv
$(OB2_VALIDATOR)/.installed: interop/ob2_validator/requirements.txt
	test -x $(OB2_VALIDATOR)/bin/python || $(PYTHON) -m venv $(OB2_VALIDATOR)
	$(OB2_VALIDATOR)/bin/python -m pip install --quiet --no-deps -r interop/ob2_validator/requirements.txt
	touch $@

interop: interop/node_modules/.package-lock.json $(OB2_VALIDATOR)/.installed

# Identifiers inside signed credentials derive from BADGES_PUBLIC_URL: seed and serve with the same one.
run: export BADGES_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production on one machine: the Procfile's web, worker and beat under honcho, in the foreground. Ctrl-C or
# SIGTERM stops them gracefully. Needs DATABASE_URL, CELERY_BROKER_URL, DJANGO_SECRET_KEY and
# BADGES_KEY_ENCRYPTION_KEYS in the environment (README, "Production").
serve: export DJANGO_SETTINGS_MODULE := badges_service.settings.production
serve: export BADGES_PUBLIC_URL ?= http://$(HOST):$(PORT)
serve: export DJANGO_ALLOWED_HOSTS ?= $(HOST),localhost
serve: export HOST := $(HOST)
serve: install
	@$(PY) -m badges_service.web --preflight
	$(PY) manage.py check --deploy --fail-level ERROR
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	mkdir -p var
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" exec $(PY) -m badges_service.supervise start --procfile Procfile --port $(PORT)

test: install interop
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

bench: install interop
	$(PY) bench/credentials.py

clean:
	rm -rf $(VENV) interop/node_modules var

# Refresh the translation catalogues after changing user-facing strings, then translate and run it again.
messages: install
	$(PY) manage.py makemessages -l fr -l en --no-location --no-obsolete --ignore=.venv --ignore=interop \
		--ignore=var --ignore=tests --ignore=bench
	for lang in fr en; do msgfmt --check -o locale/$$lang/LC_MESSAGES/django.mo locale/$$lang/LC_MESSAGES/django.po; done
