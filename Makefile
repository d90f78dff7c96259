# Every target installs what it needs into $(VENV) first (the ./venv that Pulumi.yaml names).
VENV ?= venv
CHECKOV_VENV ?= checkov-venv
PYTHON ?= python3
STACK ?= dev
BIN := $(VENV)/bin
CHECKOV := $(abspath $(CHECKOV_VENV))/bin/checkov

.PHONY: try install checkov-venv trailscraper-venv benchmark-least-privilege benchmark-scaling cdk-yardstick test lint typecheck docs docs-check workflows check up preview review snapshots benchmark mutation

$(BIN)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@echo "==> Installing the project and its tools into $(VENV) (about two minutes the first time)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# The package as pip installs it (the Python consumer example imports that copy), rebuilt when
# components/ changes (the folder itself too, for a file added or removed): pip would keep an
# installed copy of the same version otherwise. An in-tree build reuses build/, which would keep
# a removed module in the wheel, so it goes first.
$(BIN)/.package: $(BIN)/.installed pyproject.toml components $(wildcard components/*.py) \
		components/network $(wildcard components/network/*.py) \
		components/least_privilege $(wildcard components/least_privilege/*.py)
	@echo "==> Installing the components as pip would (ec2-instance-role into $(VENV))"
	rm -rf build
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall .
	touch $@

install: $(BIN)/.installed $(BIN)/.package

# checkov pins libraries we also use, so it lives in a virtualenv of its own.
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@echo "==> Installing checkov into $(CHECKOV_VENV), its own venv (about a minute the first time)"
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

checkov-venv: $(CHECKOV_VENV)/.installed

# trailscraper, the yardstick of the least-privilege benchmark, in a venv of its own too.
trailscraper-venv/.installed: requirements-trailscraper.txt
	@echo "==> Installing trailscraper into trailscraper-venv, its own venv (the benchmark's yardstick)"
	$(PYTHON) -m venv trailscraper-venv
	trailscraper-venv/bin/python -m pip install --quiet -r requirements-trailscraper.txt
	touch $@

trailscraper-venv: trailscraper-venv/.installed

## The try-it run: the dev stack applied to an in-process AWS emulator, verified from the
## instance's side, shown and torn down (no AWS account, no Pulumi CLI; about ten seconds).
try: install
	$(BIN)/python -m offline.try_it

## The test suite (mocked Pulumi engine; no cloud, no CLI; checkov from its own venv).
test: install checkov-venv
	@echo "==> Running the tests (about a minute on two cores)"
	CHECKOV=$(CHECKOV) $(BIN)/python -m pytest

## Offline review of a stack: tree, policies, diagram, policy pack and checkov results;
## AGAINST=<resources.json> also prints what changed since it (who may do what first).
review: install checkov-venv
	CHECKOV=$(CHECKOV) $(BIN)/python -m offline.review --stack $(STACK) $(if $(AGAINST),--against $(AGAINST))

## Rewrite the committed resources.json snapshots of dev and prod.
snapshots: install
	$(BIN)/python -m offline.snapshots

# mutmut, for `make mutation` only: on top of the dev tools, in the same venv (it runs their tests).
$(BIN)/.mutation: $(BIN)/.installed requirements-mutation.txt
	@echo "==> Installing mutmut into $(VENV)"
	$(BIN)/python -m pip install --quiet -r requirements-mutation.txt
	touch $@

MUTATION_FAIL_UNDER ?= 90
MUTATION_JOBS ?= 2

## Mutation testing of components/ (mutmut, configured in pyproject.toml): every module's share of
## mutants its tests kill, failing below MUTATION_FAIL_UNDER percent. The results stay in
## mutants/; a second run tests again only the functions that changed.
mutation: install $(BIN)/.mutation
	@echo "==> Mutating components/ and running the tests that reach each mutant (about five hours on two cores)"
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	$(BIN)/python -m tools.mutation_scores --fail-under $(MUTATION_FAIL_UNDER)

## Time the review's render step against the floor of importing what it needs, and the whole
## review (checkov's cache warm) against the render.
benchmark: install checkov-venv
	@echo "==> Timing the review's render step and the warm review (about a minute)"
	CHECKOV=$(CHECKOV) $(BIN)/python benchmarks/review_render.py

# AWS CDK 2.276, the scaling benchmark's other yardstick (needs node and npm; pinned by the lock).
benchmarks/cdk/node_modules/.installed: benchmarks/cdk/package.json benchmarks/cdk/package-lock.json
	@echo "==> Installing aws-cdk-lib into benchmarks/cdk (the scaling benchmark's yardstick)"
	cd benchmarks/cdk && npm ci --no-audit --no-fund
	touch $@

cdk-yardstick: benchmarks/cdk/node_modules/.installed

## How render time grows with instances, beside the same raw resources and AWS CDK (minutes).
benchmark-scaling: install
	@echo "==> Timing programs of 1 to 100 instances against their raw resources"
	$(BIN)/python benchmarks/scaling.py

## Time least-privilege on a million CloudTrail records beside trailscraper (a few minutes).
benchmark-least-privilege: install trailscraper-venv
	@echo "==> Timing least-privilege against trailscraper (writes its corpus once, to /tmp)"
	$(BIN)/python benchmarks/least_privilege.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## pyright against pulumi-aws, plus a canary file it must reject.
typecheck: install
	$(BIN)/pyright --pythonpath $(BIN)/python
	@if $(BIN)/pyright --pythonpath $(BIN)/python tests/typecheck/misspelled_argument.py >/dev/null; then \
		echo "pyright accepted a misspelled pulumi_aws argument: the type check is not live"; exit 1; \
	else echo "pyright rejects the misspelled-argument canary, as it must"; fi

## Rewrite the README's Inputs and Outputs tables and provider/schema.json from the components.
docs: install
	$(BIN)/python -m tools.readme_tables
	$(BIN)/python -m tools.package_schema

docs-check: install
	$(BIN)/python -m tools.readme_tables --check
	$(BIN)/python -m tools.package_schema --check

## The GitHub workflows against GitHub's schema, and zizmor's security audit (offline).
workflows: install
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
	$(BIN)/zizmor --offline --persona=auditor .github/

check: lint typecheck docs-check workflows test

## Set up and deploy a stack (needs the Pulumi CLI and AWS credentials).
up: install
	pulumi whoami >/dev/null 2>&1 || pulumi login --local
	pulumi stack select --create $(STACK)
	pulumi up --refresh --stack $(STACK)

preview: install
	pulumi preview --refresh --stack $(STACK)
