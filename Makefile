# Every Go tool is pinned in a go.mod under tools/ and built into bin/ on
# first use; Spectral is pinned by tools/spectral/package-lock.json and
# installed by npm ci. So a fresh clone needs Go, a C compiler (for -race)
# and Node.js with npm; the browser tests also use Debian's chromium when
# it is there (.ci/run installs it).
.DEFAULT_GOAL := help
SHELL := /bin/bash

GO        ?= go
BIN       := $(CURDIR)/bin
GOTESTSUM := $(BIN)/gotestsum
LINT      := $(BIN)/golangci-lint
ACTIONLINT := $(BIN)/actionlint
BENCHSTAT := $(BIN)/benchstat
# Spectral is a Node program: pinned in tools/spectral/package-lock.json and
# installed there by npm ci on first use.
SPECTRAL  := tools/spectral/node_modules/.bin/spectral
REPORTS   := $(CURDIR)/reports
# make contract JUNIT=reports/contract.xml also writes a JUnit report.
JUNIT     ?=
# How long make fuzz runs each fuzz target.
FUZZTIME  ?= 20s
# How many interleaved runs make bench takes of every benchmark.
BENCHRUNS ?= 10
# Modules besides the main one, each with its own go.mod.
MODULES   := interop browser tools tools/breaking

# What make mutation mutates: the mock's handler code (never validate/,
# gen/ or anything the gate imports, which the tool refuses), and the gate
# revision it also judges by, to compare.
MUTATE    ?= mockserver/enhanced.go,mockserver/classic.go,mockserver/privileges.go,mockserver/store.go,mockserver/server.go,mockserver/authinfos.go,mockserver/connectivity.go,mockserver/tags.go
BASELINE  ?=
REUSE     ?=

# The packages whose tests are runs of the gate against servers broken on
# purpose: generated sequences drawn and shrunk, safety runs end to end.
# Under the race detector they take six to eight times as long (about
# six minutes on two cores), so make test runs them without it, but for one
# whole run each; make test-long runs them all with it.
GATE_PKGS     := ./gate/ ./cmd/dli-contract/
NOT_GATE_PKGS  = $(filter-out %/gate %/cmd/dli-contract,$(shell $(GO) list ./...))

.PHONY: help generate check-generated check-tracked spectral lint test test-long contract breaking fuzz bench mutation release

help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

generate: ## Regenerate gen/ from openapi/dli.yaml.
	$(GO) generate ./...

check-generated: ## Regenerate, then fail naming every file under gen/ that changed.
	@scripts/check-generated.sh

check-tracked: ## Fail, naming the file, when git tracks a binary or a file over 1 MiB.
	@scripts/check-tracked.sh

lint: $(LINT) $(ACTIONLINT) ## golangci-lint (gofmt, goimports, vet, staticcheck, errcheck ...) over every module; actionlint over the workflows and action.yml.
	$(LINT) run ./...
	@for m in $(MODULES); do echo "$(LINT) run ./... (in $$m)"; (cd $$m && $(LINT) run ./...) || exit 1; done
	@# action.yml is checked through the workflow that uses it (uses: ./).
	$(ACTIONLINT) .github/workflows/*.yml examples/github-workflow.yml

test: ## Run all tests of every module: with the race detector, but the gate's runs (see GATE_PKGS).
	$(GO) test -race -count=1 $(NOT_GATE_PKGS)
	$(GO) test -count=1 $(GATE_PKGS)
	@# The race detector still watches one whole run of each: every phase,
	@# the sequences and the cleanup, the gate's concurrency included.
	$(GO) test -race -count=1 -run '^TestTheMockPassesEveryCheck$$' $(GATE_PKGS)
	@for m in $(MODULES); do echo "$(GO) test -race -count=1 ./... (in $$m)"; (cd $$m && $(GO) test -race -count=1 ./...) || exit 1; done

test-long: ## The long runs (about 10 minutes): the gate's tests under -race, its broken-server table on fresh seeds too (300 draws, 400 shrinks), the safety table on the system clock.
	@# -v for the seeds drawn and the safety figures; grep trims the rest.
	set -o pipefail; DLI_TEST_LONG=1 $(GO) test -race -count=1 -timeout 40m -v $(GATE_PKGS) \
		| grep -E -A4 '^(--- |PASS|FAIL|ok|panic)|^\s+--- |fresh -seed|exit [0-9]+ after|[0-9]+ passed|^\s+(Error|Messages):'

spectral: $(SPECTRAL) ## Lint openapi/dli.yaml with Spectral's spectral:oas ruleset; an error or a warning fails.
	$(SPECTRAL) lint --quiet --ruleset .spectral.yaml --fail-severity=warn openapi/dli.yaml
	@echo "spectral: openapi/dli.yaml passes spectral:oas with no error and no warning"

contract: check-generated spectral $(GOTESTSUM) ## The contract gate: generated code current, document valid (kin-openapi and Spectral), suite green, a server checked by cmd/dli-contract (the mock unless DLI_ENDPOINT is set).
	@mkdir -p $(REPORTS)
	@rm -f $(REPORTS)/contract.txt
	@status=0; DLI_CONTRACT_REPORT=$(REPORTS)/contract.txt $(GOTESTSUM) --format pkgname \
		$(if $(JUNIT),--junitfile $(JUNIT)) -- -count=1 -short ./contract/ ./gate/ || status=$$?; \
	if [ -f $(REPORTS)/contract.txt ]; then cat $(REPORTS)/contract.txt; fi; \
	exit $$status
	$(GO) run ./cmd/dli-contract $(if $(DLI_ENDPOINT),,-require-keyword-coverage) -junit $(REPORTS)/server.xml -json $(REPORTS)/server.json \
		-html $(REPORTS)/server.html -har $(REPORTS)/server.har

release: ## Check CHANGELOG.md has VERSION (e.g. VERSION=v0.1.0), copy the document to openapi/released/, print the git tag command.
	@scripts/release.sh $(VERSION)

breaking: ## Fail on every breaking change of openapi/dli.yaml against openapi/released/dli.yaml.
	cd tools/breaking && $(GO) run . ../../openapi/released/dli.yaml ../../openapi/dli.yaml

fuzz: ## Run each fuzz target for FUZZTIME (default 20s).
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./mockserver/
	$(GO) test -run '^$$' -fuzz '^FuzzCreateStoresWhatWasValidated$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./mockserver/
	$(GO) test -run '^$$' -fuzz '^FuzzResponses$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./apierror/

mutation: ## The gate's mutation score: mutants of the mock's handlers, judged by the gate, the mock's tests and the official SDK (an hour; BASELINE=rev also judges by an older gate; GATE_ARGS="-profile live" also by the gate with those flags, its kills beside the gate's by file; REUSE=report takes the unit and interop verdicts of an earlier run, when only the gate changed).
	@mkdir -p $(REPORTS)
	cd tools && $(GO) run ./mutation -root .. -files $(MUTATE) -judges gate,unit,interop -when-gate-survives interop \
		-equivalents mutation/equivalents.json -json $(REPORTS)/mutation.json $(if $(BASELINE),-baseline $(BASELINE)) \
		$(if $(REUSE),-reuse $(abspath $(REUSE))) $(if $(GATE_ARGS),-gate-args "$(GATE_ARGS)") \
		| tee $(REPORTS)/mutation.txt

bench: $(BENCHSTAT) ## Benchmarks: client vs hand-written floor, Sign, mock handler (BENCHRUNS interleaved runs, medians).
	@mkdir -p $(REPORTS)
	@rm -f $(REPORTS)/bench.txt
	$(GO) test -c -o $(BIN)/client.bench ./client/
	$(GO) test -c -o $(BIN)/mockserver.bench ./mockserver/
	@# One run of every benchmark per round, so that the client and its
	@# floor see the same machine load; -count would run each back to back.
	@for i in $$(seq $(BENCHRUNS)); do \
		echo "round $$i of $(BENCHRUNS)"; \
		(cd client && $(BIN)/client.bench -test.run '^$$' -test.bench . -test.benchtime 1s) >> $(REPORTS)/bench.txt || exit 1; \
		(cd mockserver && $(BIN)/mockserver.bench -test.run '^$$' -test.bench . -test.benchtime 1s) >> $(REPORTS)/bench.txt || exit 1; \
	done
	@echo; echo "Create through the client (AK/SK signing) against the hand-written floor:"
	@$(BENCHSTAT) -filter '.name:Create' -col '/client@(floor generated+signing floor+signature-headers)' $(REPORTS)/bench.txt
	@echo; echo "The typed method against the generated call it wraps:"
	@$(BENCHSTAT) -filter '.name:Create' -col '/client@(generated+signing typed+signing)' $(REPORTS)/bench.txt
	@echo; echo "Everything else:"
	@$(BENCHSTAT) -filter '-.name:Create' $(REPORTS)/bench.txt

$(GOTESTSUM): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(GOTESTSUM) gotest.tools/gotestsum

$(BENCHSTAT): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(BENCHSTAT) golang.org/x/perf/cmd/benchstat

$(SPECTRAL): tools/spectral/package.json tools/spectral/package-lock.json
	cd tools/spectral && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ACTIONLINT): tools/actionlint/go.mod tools/actionlint/go.sum
	cd tools/actionlint && $(GO) build -o $(ACTIONLINT) github.com/rhysd/actionlint/cmd/actionlint

$(LINT): tools/lint/go.mod tools/lint/go.sum
	cd tools/lint && $(GO) build -o $(LINT) github.com/golangci/golangci-lint/v2/cmd/golangci-lint
