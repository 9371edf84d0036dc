# cognitrig: the two commands are `make demo` (the main job) and `make test`
# (every test). Everything they need is installed from this repository's own
# files: Go modules from go.mod, test servers from package-lock.json.

GO          ?= go
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
LAMBDA_ENV  := CGO_ENABLED=0 GOOS=linux GOARCH=arm64
LAMBDA_FLAGS:= -tags lambda.norpc -trimpath
HANDLERS    := $(patsubst handlers/%/main.go,%,$(wildcard handlers/*/main.go))
FUZZTIME    ?= 5m

.PHONY: demo test deps fmt-check vet lint unit e2e synth cdk-test build fuzz bench clean

## demo: every recorded Cognito event through the example handlers, one line
## each, then the real flows of customauth, tenancy, migration and messages,
## run locally; ends with a summary line. `make demo DEMO_FLAGS=--verbose`
## adds each invocation's request and response.
DEMO_FLAGS ?=
demo:
	@$(GO) run ./cmd/cognitrig demo $(DEMO_FLAGS)

## test: format, vet, staticcheck, then every test with -race against a
## DynamoDB-API server (dynalite) on 127.0.0.1 that is stopped even on
## failure, then the CDK module's synth tests
test: deps fmt-check vet lint unit cdk-test

deps:
	npm ci --no-audit --no-fund --loglevel=error
	$(GO) mod download

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The handlers also build with -tags cognitrig_nosenders (the CDK app's
# build for a pool without custom senders), and the cold-start baseline
# with bare_esdk, with and without bare_calls: check those variants too.
vet:
	$(GO) vet ./...
	$(GO) vet -tags cognitrig_nosenders ./handlers/...
	$(GO) vet -tags bare_esdk ./internal/barebootstrap/sdk/
	$(GO) vet -tags bare_esdk,bare_calls ./internal/barebootstrap/sdk/

lint:
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags cognitrig_nosenders ./handlers/...
	$(STATICCHECK) -tags bare_esdk ./internal/barebootstrap/sdk/
	$(STATICCHECK) -tags bare_esdk,bare_calls ./internal/barebootstrap/sdk/

unit:
	COGNITRIG_E2E=1 ./scripts/with-dynalite.sh $(GO) test -race -count=1 ./...

## e2e: only the end-to-end suite (cognito-local → local Invoke API → shipped bootstraps)
e2e: deps
	COGNITRIG_E2E=1 ./scripts/with-dynalite.sh $(GO) test -race -count=1 -v ./e2e/

## synth: the CloudFormation template of the CDK app, in cdk.out/*.template.json
synth:
	$(MAKE) -C cdk synth OUT=$(CURDIR)/cdk.out

cdk-test:
	$(MAKE) -C cdk test

## build: one static linux/arm64 `bootstrap` per handlers/* entry point, in dist/NAME/
build:
	@for h in $(HANDLERS); do \
		echo "build dist/$$h/bootstrap"; \
		$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o dist/$$h/bootstrap ./handlers/$$h || exit 1; \
	done

## fuzz: run each fuzz target for FUZZTIME (the seed corpus also runs in `make test`)
fuzz:
	$(GO) test ./triggers/ -run '^$$' -fuzz '^FuzzInvoke$$' -fuzztime $(FUZZTIME)
	$(GO) test ./triggers/ -run '^$$' -fuzz '^FuzzScanHeader$$' -fuzztime $(FUZZTIME)

## bench: the benchmarks recorded in BENCHMARKS.md
bench:
	./scripts/with-dynalite.sh $(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf dist cdk.out
