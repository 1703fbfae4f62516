# Two commands do everything on a fresh Debian machine:
#   make demo   set up, run the demo campaign, auto-approve what passed, publish to a local DAM
#   make test   set up, run the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.vitrina-installed
DEMO_OUT := out/demo
# -qq: errors only (a machine's pip.conf may name index folders that do not exist: warning floods)
PIP := $(BIN)/python -m pip -qq --disable-pip-version-check

.PHONY: setup system demo test lint clean

setup: system $(STAMP)

system:
	@scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "Creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing Python packages into $(VENV) (first time: a few minutes)"
	@$(PIP) install --upgrade pip
	@# The CPU wheel first: an unpinned torch range would pull gigabytes of CUDA wheels.
	@$(PIP) install "torch==2.13.0"
	@$(PIP) install -e ".[test]"
	@touch $(STAMP)

demo: setup
	@# an out/demo made by an older Vitrina: its catalog is migrated in place (backed up first)
	@[ ! -f $(DEMO_OUT)/catalog.sqlite ] || $(BIN)/vitrina db upgrade --out $(DEMO_OUT)
	@$(BIN)/vitrina run demo/campaign.yaml --out $(DEMO_OUT); code=$$?; [ $$code -le 1 ] || exit $$code
	@$(BIN)/vitrina review approve --all-passed --by "make demo" \
	  --note "automatic demo approval: every check passed" --out $(DEMO_OUT)
	@$(BIN)/vitrina publish --dam file://$(DEMO_OUT)/dam --out $(DEMO_OUT)
	@echo
	@echo "Published assets and JSON sidecars: $(DEMO_OUT)/dam"
	@echo "Review the rest:   $(BIN)/vitrina review list --out $(DEMO_OUT)"
	@echo "                   $(BIN)/vitrina review show ID --out $(DEMO_OUT)"
	@echo "                   $(BIN)/vitrina review approve ID --by NAME --out $(DEMO_OUT)"
	@echo "                   $(BIN)/vitrina review reject ID --by NAME --reason TEXT --out $(DEMO_OUT)"

# Lint and types first (seconds), then the suite in random order (pytest-randomly prints its seed).
lint: setup
	@$(BIN)/ruff check --quiet .
	@$(BIN)/ruff format --check --quiet .
	@$(BIN)/mypy --no-error-summary

test: lint
	@$(BIN)/python -m pytest -q

clean:
	rm -rf out .pytest_cache
