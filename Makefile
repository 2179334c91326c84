# Two commands: `make run` (set up everything and serve) and `make test` (set up and run the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: chromium run test setup migrate demo lint typecheck check bench messages clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	mkdir -p var
	$(BIN)/yangguang migrate --noinput

demo: migrate
	$(BIN)/yangguang demo

run: demo
	@$(BIN)/python -m yangguang.core.banner
	$(BIN)/yangguang serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy src

check: lint typecheck
	mkdir -p var
	$(BIN)/yangguang makemigrations --check --dry-run

test: setup check chromium
	$(BIN)/pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run_all.py

messages: setup
	cd src/yangguang && ../../$(BIN)/yangguang makemessages -l zh_Hans --ignore 'tests/*' && ../../$(BIN)/yangguang compilemessages

clean:
	rm -rf $(VENV) var

# Debian's Chromium for the browser tests (never a downloaded browser); installed when we are root.
chromium:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; } || \
	  echo "chromium is missing: apt-get install chromium fonts-noto-cjk poppler-utils"
