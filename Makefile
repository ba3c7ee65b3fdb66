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
# pytest-xdist workers for `make test`: 2 halves the run on a 2-core machine (measured);
# TEST_WORKERS=0 runs everything in one process (easier to debug).
TEST_WORKERS ?= 2
# Jupyter refuses to run as root unless told; containers and CI run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.PHONY: lab test test-fast venv lock clean student hub hub-deps

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
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The pure tier in seconds: the shape arithmetic's property tests, the layering test and
# the pure part's doctests, with TensorFlow and Keras made unimportable (tests/conftest.py).
test-fast: $(STAMP)
	CNNLAB_TEST_FAST=1 $(BIN)/python -m pytest -n 0 -p no:cacheprovider $(PYTEST_ARGS)

# Instructors: student copies of every notebook in build/student/ (solution blocks
# replaced by `# YOUR CODE HERE`, outputs cleared; the checks stay and say "not done yet").
student: $(STAMP)
	rm -rf build/student
	$(BIN)/python -m helpers.labkit notebooks build/student

# A local demo of a whole class: JupyterHub on 127.0.0.1, its proxy from npm
# (hub/package-lock.json), one shared password. NOT for a real class: see
# docs/instructor-guide.md. State goes to build/hub/; Ctrl-C stops everything.
HUB_PORT     ?= 8000
HUB_USERS    ?= student1,student2,student3,student4
HUB_PASSWORD ?= cnn-shape-lab
HUB_PROXY    := hub/node_modules/.bin/configurable-http-proxy

hub-deps: $(HUB_PROXY)

$(HUB_PROXY): hub/package.json hub/package-lock.json
	npm ci --prefix hub --no-audit --no-fund
	touch $(HUB_PROXY)

hub: $(STAMP) $(HUB_PROXY)
	@echo ">> JupyterHub: http://127.0.0.1:$(HUB_PORT)/  users: $(HUB_USERS)  shared password: $(HUB_PASSWORD)"
	@echo ">> local demo only (one shared password, every student the same OS user); Ctrl-C stops it"
	CNNLAB_HUB_PORT=$(HUB_PORT) CNNLAB_HUB_USERS=$(HUB_USERS) CNNLAB_HUB_PASSWORD=$(HUB_PASSWORD) \
		$(BIN)/jupyterhub -f hub/jupyterhub_config.py

# Maintainers: re-resolve the newest versions that pyproject.toml allows, for
# Python 3.10-3.12, into constraints.txt (then update environment.yml's pins:
# a test checks that the two agree).
lock:
	$(PYTHON) .ci/lock.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis hub/node_modules
