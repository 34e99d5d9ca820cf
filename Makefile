# The two commands a newcomer needs: `make run` and `make test`. Each bootstraps .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000
LOCK := requirements.lock

.PHONY: run test lint format schema lock mutants clean

# Installs the versions in $(LOCK) (the ones the suite ran against), as constraints.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

## Serve the gateway on the embedded default: SQLite in ./var, in-process bus, sandbox carrier, dev auth.
## `make run PORT=8001 HOST=0.0.0.0` serves elsewhere.
run: $(STAMP)
	$(BIN)/trunkline serve --sandbox --host $(HOST) --port $(PORT)

## Lint, check formatting, then run the whole suite twice: on the embedded default (SQLite,
## in-process bus) and on PostgreSQL + Redis (skipped when unreachable, except with CI=true).
## Each pass is shuffled (pytest-randomly) and prints its seed; -p randomly fails at once if the
## plugin is missing rather than quietly running in file order.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	TRUNKLINE_TEST_BACKEND=embedded $(BIN)/python -m pytest -p randomly $(PYTEST_ARGS)
	TRUNKLINE_TEST_BACKEND=services $(BIN)/python -m pytest -p randomly $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Re-export schema.graphql after changing the GraphQL schema.
schema: $(STAMP)
	$(BIN)/trunkline export-schema

## Re-resolve requirements.lock: the newest versions pyproject.toml allows, installed into a
## throwaway venv and frozen. Run `make test` after it and commit both.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet '.[dev]'
	( echo '# pip constraints: what `make test`, CI and the image install. Regenerate: `make lock`.'; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^trunkline[= @]' ) > $(LOCK)
	rm -rf .lock-venv build

## Mutation testing of the rules (status ranks, idempotency keys and receipts, the tenancy of a
## number, the session cap, the signature check, credential shapes): each mutant of the functions
## below runs against the tests that reach it, on the embedded backend. About 18 minutes with two
## children from scratch, incremental after (results kept in ./mutants); not in `make test` or CI.
## Configuration: [tool.mutmut] in pyproject.toml. Survivors: `$(BIN)/mutmut results`.
MUTANT_CHILDREN ?= 2
RULES := \
	'trunkline.services.messages.x_status_supersedes__*' \
	'trunkline.ingestion.message_status.xǁMessageStatusIngestionǁupdate_row__*' \
	'trunkline.services.calls.x_call_status_supersedes__*' \
	'trunkline.services.calls.x_recording_status_supersedes__*' \
	'trunkline.ingestion.calls.xǁCallIngestionǁupdate_row__*' \
	'trunkline.ingestion.batch.x_ingest_batch__*' \
	'trunkline.services.credentials.x__checked__*' \
	'trunkline.services.accounts.xǁTwilioAccountsǁby_number__*' \
	'trunkline.webhooks.verification.xǁDeliveryǁidempotency_key__*' \
	'trunkline.webhooks.twilio_handlers.x_call_status__*' \
	'trunkline.webhooks.requests.xǁWebhookRequestǁsigned_by__*' \
	'trunkline.auth.tokens.xǁTokenVerifierǁ_principal__*' \
	'trunkline.auth.tokens.xǁTokenVerifierǁ_session_start__*'
mutants: $(STAMP)
	TRUNKLINE_TEST_BACKEND=embedded $(BIN)/mutmut run --max-children $(MUTANT_CHILDREN) $(RULES)
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache mutants .lock-venv
