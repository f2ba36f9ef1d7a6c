PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install system-packages demo test lint bench clean

$(BIN)/unionscore: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/unionscore

demo: install
	$(BIN)/unionscore batch facts/qingshan --out out/qingshan
	@echo "单个工会的详细评估，例如：$(BIN)/unionscore assess facts/qingshan/QS-016.yaml"

# What the browser, Word and PDF tests need from Debian: Chromium and its driver, LibreOffice Writer
# (.docx to PDF), poppler-utils (PDF to text) and a Chinese font. Installed when missing and run as
# root; otherwise the one command to run is printed and the tests stop.
SYSTEM_TOOLS := chromium:chromium chromedriver:chromium-driver soffice:libreoffice-writer-nogui pdftotext:poppler-utils

system-packages:
	@missing=""; \
	for pair in $(SYSTEM_TOOLS); do command -v "$${pair%%:*}" >/dev/null || missing="$$missing $${pair#*:}"; done; \
	fc-list :lang=zh-cn 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
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

bench: install
	$(BIN)/python bench/evaluate.py
	$(BIN)/python bench/batch.py --unions 3000

clean:
	rm -rf $(VENV)
