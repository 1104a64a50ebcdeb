# Build and test syno.activebackup. `make help` lists the targets.
#
# Everything lands in git-ignored places: .venv, .venv-newest, build/, and ansible-test's
# output inside build/ansible-test/. Each ansible-test run works on a synced copy of the work
# tree (tests/utils/collection_root.py --copy); every other tool sees the work tree through
# the symlink build/collections/ansible_collections/syno/activebackup. Every stage's output
# is kept in build/stages/<stage>.log (tests/utils/stage.sh). tests/utils/ holds what the
# tests and checks run; tools/ the developer tools that are not tests (make demo, make bench).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
BIN := $(CURDIR)/$(VENV)/bin
STAGE := tests/utils/stage.sh
COLLECTIONS := $(CURDIR)/build/collections
NEUTRAL_CFG := $(CURDIR)/build/ansible.cfg
# Tools run with the venv first on PATH, the collection from build/collections, and an
# empty Ansible configuration (nothing from ~/.ansible.cfg or ./ansible.cfg).
TOOL_ENV := env PATH="$(BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" \
	ANSIBLE_CONFIG="$(NEUTRAL_CFG)" NO_COLOR=1

IMPORTER = $(TOOL_ENV) tests/utils/importer.sh build/dist/*.tar.gz

# pytest arguments for `make integration` (e.g. make integration PYTEST_ARGS='-k harness -x')
PYTEST_ARGS ?=
# more arguments for `make bench`, after --output docs/performance.md (e.g. BENCH_ARGS="--sizes 20 --pairs 5")
BENCH_ARGS ?=
# pytest-xdist workers for `make integration` (1: no xdist). The tests mostly wait on
# ansible-playbook and the emulator, so 2 workers on 2 cores take about 2/3 of the serial time.
INTEGRATION_JOBS ?= 2
XDIST := $(if $(filter-out 1,$(INTEGRATION_JOBS)),-n $(INTEGRATION_JOBS),)
INTEGRATION_PATHS := $(wildcard tests/emulator tests/integration)

# What `make test` runs, in this order. Every $(STAGE) line of their recipes is a stage: timed,
# its output kept in build/stages/<stage>.log. Under `make test` a failed stage does not stop
# the run: all stages run, then a table of them ends it, and the run fails if one failed.
TEST_STAGES := venv sanity units integration changelog-lint lint docs-lint docs build

.PHONY: help test test-start venv venv-newest collection \
	sanity sanity-2.19 sanity-newest units units-2.19 units-newest integration \
	lint docs-lint docs changelog-lint changelog build importer demo bench clean distclean
# one thing at a time, in the order written (make -j would mix the stages)
.NOTPARALLEL:

help:
	@echo "make test            everything below, each stage timed, then a table ($(TEST_STAGES))"
	@echo "make venv            .venv: Python 3.11, tests/requirements-dev.txt, Debian shellcheck"
	@echo "make sanity          ansible-test sanity on ansible-core 2.19 (.venv) and the newest (.venv-newest)"
	@echo "make units           ansible-test units on ansible-core 2.19 and the newest"
	@echo "make integration     pytest tests/emulator tests/integration (ansible-playbook vs the DSM emulator)"
	@echo "make changelog-lint  antsibull-changelog lint; CHANGELOG.md matches the fragments"
	@echo "make changelog       regenerate CHANGELOG.md from the fragments"
	@echo "make lint            ansible-lint (production profile) on roles/, examples/ and every module's EXAMPLES"
	@echo "make docs-lint       antsibull-docs lint-collection-docs --plugin-docs; ansible-doc on every module and role"
	@echo "make docs            HTML docs site into build/docs (antsibull-docs, Sphinx -W), links and pages checked in headless Chromium"
	@echo "make build           galaxy build into build/dist, tarball check, galaxy-importer, tarball smoke test, EE check"
	@echo "make demo / bench    tools/demo.sh / tools/bench.py (see tools/README.md)"
	@echo "make clean           remove build/ (keeps the venvs); make distclean also the venvs"

# ---------------------------------------------------------------------------- setup

venv:
	@$(STAGE) venv tests/utils/venv.sh main

venv-newest:
	@tests/utils/venv.sh newest

$(NEUTRAL_CFG):
	@mkdir -p $(dir $@)
	@printf '# written by the Makefile: an empty configuration, so no user ansible.cfg applies\n[defaults]\n' >$@

# prints the collection root that ANSIBLE_COLLECTIONS_PATH=build/collections resolves to
collection: venv
	@$(PY) tests/utils/collection_root.py

# the stages of TEST_STAGES as prerequisites, in order; STAGE_RUN=1 (inherited by all of them)
# makes a failed stage record its failure and let the next one run
test: export STAGE_RUN = 1
test: test-start $(TEST_STAGES)
	@$(STAGE) --summary

test-start:
	@$(STAGE) --start

# ---------------------------------------------------------------------------- ansible-test

sanity: sanity-2.19 sanity-newest

sanity-2.19: venv
	@$(STAGE) sanity-2.19 tests/utils/ansible_test.sh sanity

sanity-newest:
	@$(STAGE) sanity-newest tests/utils/ansible_test.sh --newest sanity

units: units-2.19 units-newest

units-2.19: venv
	@$(STAGE) units-2.19 tests/utils/ansible_test.sh units

units-newest:
	@$(STAGE) units-newest tests/utils/ansible_test.sh --newest units

# ---------------------------------------------------------------------------- integration

integration: venv
	@$(PY) tests/utils/collection_root.py >/dev/null
	@$(STAGE) integration $(PY) -m pytest $(INTEGRATION_PATHS) -q -p no:cacheprovider $(XDIST) $(PYTEST_ARGS)

# ---------------------------------------------------------------------------- lint hooks
# Owners of docs, roles and changelogs: extend these recipes with a `@$(STAGE) NAME COMMAND`
# line each (a stage fails when its command exits non-zero).

changelog-lint: venv
	@$(STAGE) changelog-lint $(BIN)/antsibull-changelog lint
	@# CHANGELOG.md is what the fragments give (make changelog regenerates it)
	@$(STAGE) changelog-current tests/utils/changelog.sh --check

# CHANGELOG.md from changelogs/changelog.yaml and the fragments (they are not consumed)
changelog: venv
	@tests/utils/changelog.sh

lint: venv
	@# ansible-lint, production profile, on roles/ and examples/ (.ansible-lint; offline)
	@$(STAGE) ansible-lint tests/utils/lint.sh
	@# ansible-lint on every module's EXAMPLES, as the playbooks users would copy
	@$(STAGE) lint-examples $(PY) tests/utils/lint_examples.py

docs-lint: venv $(NEUTRAL_CFG)
	@$(STAGE) antsibull-docs $(TOOL_ENV) $(BIN)/antsibull-docs lint-collection-docs \
		--plugin-docs --validate-collection-refs all --disallow-unknown-collection-refs \
		--check-extra-docs-refs "$$($(PY) tests/utils/collection_root.py)"
	@# ansible-doc renders every module of the action group and every role
	@$(STAGE) ansible-doc tests/utils/ansible_doc_check.sh
	@# every assumption ID of docs/dsm-api-contract.md is in the scope guide, every citation names a section
	@$(STAGE) contract $(PY) tests/utils/check_contract.py

# the collection's HTML documentation (modules, filters, roles, guides, changelog) into build/docs
docs: venv
	@$(STAGE) docs-site tests/utils/docs_site.sh
	@$(STAGE) docs-site-check $(PY) tests/utils/check_docs_site.py

# ---------------------------------------------------------------------------- build

build: venv $(NEUTRAL_CFG)
	@rm -rf build/dist
	@$(STAGE) galaxy-build $(TOOL_ENV) $(BIN)/ansible-galaxy collection build --output-path build/dist .
	@$(STAGE) tarball-check $(PY) tests/utils/check_tarball.py build/dist/*.tar.gz
	@$(STAGE) galaxy-importer $(IMPORTER)
	@# the tarball installed alone into an empty collections path, run against the emulator
	@$(STAGE) tarball-smoke tests/utils/tarball_smoke.sh build/dist/*.tar.gz
	@# execution environment definition (ansible-builder introspect + create; no image build)
	@$(STAGE) ee-create tests/utils/ee_create.sh

# galaxy-importer on the built tarball (fails on any ERROR line it prints)
importer: venv $(NEUTRAL_CFG)
	@test -n "$$(ls build/dist/*.tar.gz 2>/dev/null)" || { echo "importer: no tarball in build/dist (run make build)" >&2; exit 1; }
	@$(STAGE) galaxy-importer $(IMPORTER)

# ---------------------------------------------------------------------------- demo, bench

demo: venv
	@$(STAGE) demo tools/demo.sh

bench: venv
	@$(STAGE) bench $(PY) tools/bench.py --output docs/performance.md $(BENCH_ARGS)

# ---------------------------------------------------------------------------- clean

clean:
	rm -rf build

distclean: clean
	rm -rf .venv .venv-newest
