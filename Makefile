# Every tool is pinned in tools/go.mod and built into bin/ on first use, so
# a fresh clone needs only Go (and a C compiler for -race).
.DEFAULT_GOAL := help
SHELL := /bin/bash

GO        ?= go
BIN       := $(CURDIR)/bin
GOTESTSUM := $(BIN)/gotestsum
REPORTS   := $(CURDIR)/reports
# make contract JUNIT=reports/contract.xml also writes a JUnit report.
JUNIT     ?=

.PHONY: help generate check-generated lint test contract

help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

generate: ## Regenerate gen/ from openapi/dli.yaml.
	$(GO) generate ./...

check-generated: ## Regenerate, then fail naming every file under gen/ that changed.
	@scripts/check-generated.sh

lint: ## gofmt and go vet.
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd interop && $(GO) vet ./...

test: ## Run all tests (with the race detector), the SDK interop module's included.
	$(GO) test -race -count=1 ./...
	cd interop && $(GO) test -race -count=1 ./...

contract: check-generated $(GOTESTSUM) ## The contract gate: generated code current, document valid, suite green.
	@mkdir -p $(REPORTS)
	@rm -f $(REPORTS)/contract.txt
	@status=0; DLI_CONTRACT_REPORT=$(REPORTS)/contract.txt $(GOTESTSUM) --format pkgname \
		$(if $(JUNIT),--junitfile $(JUNIT)) -- -count=1 ./contract/ || status=$$?; \
	if [ -f $(REPORTS)/contract.txt ]; then cat $(REPORTS)/contract.txt; fi; \
	exit $$status

$(GOTESTSUM): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(GOTESTSUM) gotest.tools/gotestsum
