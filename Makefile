PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test bench clean

$(BIN)/unionscore: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/unionscore

demo: install
	$(BIN)/unionscore batch facts/qingshan --out out/qingshan
	@echo "单个工会的详细评估，例如：$(BIN)/unionscore assess facts/qingshan/QS-016.yaml"

test: install
	$(BIN)/unionscore check --strict rulesets/
	$(BIN)/unionscore test --min-coverage 90 rulesets/
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/evaluate.py
	$(BIN)/python bench/batch.py --unions 3000

clean:
	rm -rf $(VENV)
