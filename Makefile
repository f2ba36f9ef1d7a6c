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
	@for f in facts/*.yaml; do $(BIN)/unionscore assess $$f || exit $$?; done

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/evaluate.py

clean:
	rm -rf $(VENV)
