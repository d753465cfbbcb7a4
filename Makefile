# Two commands on a fresh machine: `make run` and `make test`.
# Both create the virtual environment in .venv when it is missing or when
# pyproject.toml changed, then install the project into it.

PYTHON ?= python3
VENV   ?= .venv
ifeq ($(OS),Windows_NT)
  BIN := $(VENV)/Scripts
else
  BIN := $(VENV)/bin
endif
STAMP := $(VENV)/.installed

.PHONY: run test bench bundle clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py $(ARGS)

test: $(STAMP)
	$(BIN)/python -m ruff check shelter ui tests benchmarks main.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# The installable one-folder application in dist/Shelter/, checked by its own
# --self-test; on Linux also a tarball with a .desktop file. On Windows, then
# build the installer with Inno Setup (installer/README.md).
bundle: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bundle]"
	$(BIN)/python -m PyInstaller --noconfirm --clean --log-level WARN installer/shelter.spec
ifeq ($(OS),Windows_NT)
	dist/Shelter/shelter-cmd --self-test
else
	dist/Shelter/Shelter --self-test
	if [ "$$(uname -s)" = Linux ]; then $(BIN)/python installer/linux/tarball.py; fi
endif

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info
