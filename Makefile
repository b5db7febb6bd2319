# Fupin: `make demo` serves the demo county, `make test` runs the whole suite.
# Only Python 3.11+, Node/npm and git are needed; everything else is installed here.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
DEMO_DB := sqlite:///$(CURDIR)/var/demo.sqlite3

.PHONY: install demo test lint messages bench clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# apode (the tests' oracle for the income measures) ships only an sdist whose setup.py needs an
	@# old setuptools (pkg_resources, bdist_wheel from wheel), else its ez_setup.py tries a download;
	@# so it is built in the venv, not isolated. Our own package still builds isolated (setuptools>=77).
	$(BIN)/python -m pip install --quiet 'setuptools==69.5.1' 'wheel==0.45.1'
	$(BIN)/python -m pip install --quiet --no-build-isolation 'apode==0.1.0'
	@touch $@

node_modules/.installed: package.json package-lock.json scripts/vendor_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) scripts/vendor_assets.py
	@touch $@

demo: install
	$(BIN)/fupin demo --db $(DEMO_DB) --port $(PORT)

test: install
	@scripts/run-tests

lint: install
	$(BIN)/ruff check .

# Rebuild the Chinese translation catalogue after changing interface texts (needs gettext).
messages: install
	cd fupin && ../$(BIN)/django-admin makemessages -l zh_Hans --settings=fupin.settings --ignore='*/migrations/*' && ../$(BIN)/django-admin compilemessages --settings=fupin.settings

bench: install
	$(BIN)/python bench/load_areas.py

clean:
	rm -rf $(VENV) node_modules var/demo.sqlite3
