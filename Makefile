# CNN Shape Lab. Two commands: `make lab` (start the notebooks) and `make test`.
# Both build .venv from the pinned constraints.txt the first time, and rebuild it
# only when pyproject.toml or constraints.txt are newer than the last install.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
LAB_PORT ?= 8888
LAB_ARGS ?=
PYTEST_ARGS ?=
# Jupyter refuses to run as root unless told; containers and CI run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.PHONY: lab test venv lock clean student

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@echo ">> building $(VENV) from constraints.txt (first run, or the pins changed)"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,hub]"
	touch $(STAMP)

# JupyterLab on 127.0.0.1 only, with its normal token authentication.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
		--ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Instructors: student copies of every notebook in build/student/ (solution blocks
# replaced by `# YOUR CODE HERE`, outputs cleared; the checks stay and say "not done yet").
student: $(STAMP)
	rm -rf build/student
	$(BIN)/python -m helpers.labkit notebooks build/student

# Maintainers: re-resolve the newest versions that pyproject.toml allows, for
# Python 3.10-3.12, into constraints.txt (then update environment.yml's pins:
# a test checks that the two agree).
lock:
	$(PYTHON) .ci/lock.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
