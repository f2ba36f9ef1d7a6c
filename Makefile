# The distribution's Python when it can make a virtual environment and build durable-rules (it has ensurepip and
# Python.h): distributions build theirs with profile-guided optimisation, and one compiled locally without it
# (pyenv's default) grades a county 10% slower (docs/scale.md). Otherwise `python3`; `make PYTHON=…` chooses.
PYTHON ?= $(shell for p in /usr/bin/python3 python3; do $$p -c 'import ensurepip, os, sys, sysconfig; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 13) and os.path.exists(os.path.join(sysconfig.get_path("include"), "Python.h"))))' 2>/dev/null && echo $$p && exit; done; echo python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install system-packages demo test test-postgresql lint bench clean

$(BIN)/unionscore: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	# Compiled once, as pip compiles a packaged install: an editable one leaves it to the first import, and
	# where Python may not write (a tree installed by root, PYTHONDONTWRITEBYTECODE) every command compiles
	# the project again (about 0.13 s of each command's start).
	$(BIN)/python -m compileall -q cli.py engine service
	touch $@

install: $(BIN)/unionscore

demo: install
	$(BIN)/unionscore batch facts/qingshan --out out/qingshan
	@echo "单个工会的详细评估，例如：$(BIN)/unionscore assess facts/qingshan/QS-016.yaml"

# What the browser, Word, PDF and PostgreSQL tests need from Debian: Chromium, its driver and its Chinese
# interface (file pickers, dates as a Chinese user sees them), LibreOffice Writer (.docx to PDF),
# poppler-utils (PDF to text), PostgreSQL (pg_virtualenv, the server, pg_dump) and a Chinese font.
# Installed when missing and run as root; otherwise the one command to run is printed and the tests stop.
SYSTEM_TOOLS := chromium:chromium chromedriver:chromium-driver soffice:libreoffice-writer-nogui pdftotext:poppler-utils \
	pg_virtualenv:postgresql

system-packages:
	@missing=""; \
	for pair in $(SYSTEM_TOOLS); do command -v "$${pair%%:*}" >/dev/null || missing="$$missing $${pair#*:}"; done; \
	fc-list :lang=zh-cn 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	[ -e /usr/lib/chromium/locales/zh-CN.pak ] || missing="$$missing chromium-l10n"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装测试所需的系统软件包：$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "测试需要这些系统软件包，请先运行：sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install system-packages lint
	$(BIN)/unionscore check --strict rulesets/
	$(BIN)/unionscore test --min-coverage 90 rulesets/
	$(BIN)/pytest
	$(PG_TESTS)

# The service's database tests once more, on a real PostgreSQL server: pg_virtualenv (postgresql-common) makes a
# throwaway cluster (-t: in a temporary folder, run by the postgres user when we are root), exports PGHOST, PGPORT,
# PGUSER and PGPASSWORD for it and drops it afterwards; pytest-django creates its test database on that server.
PG_TESTS := pg_virtualenv -t sh -c 'UNIONSCORE_DB="postgresql://$$PGUSER@$$PGHOST:$$PGPORT/unionscore" $(BIN)/pytest -p no:cacheprovider tests/service'

test-postgresql: install system-packages
	$(PG_TESTS)

bench: install
	$(BIN)/python bench/evaluate.py
	$(BIN)/python bench/batch.py --unions 3000

clean:
	rm -rf $(VENV)
