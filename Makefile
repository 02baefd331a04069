# edge — build, test and check targets. `make help` lists them.
GO      ?= go
PYTHON  ?= /usr/bin/python3
SHARED  ?= ../shared
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PARITY  := infer/testdata/parity/out/manifest.json

.PHONY: help build test vet conformance fuzz fuzz-seeds parity-data clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build bin/edge for this machine
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/edge ./cmd/edge

test: $(PARITY) vet ## run every test (the command CI runs)
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags purego ./simd/ ./infer/

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1)

parity-data: ## regenerate the PyTorch parity exports (needs Debian's python3-torch)
	$(PYTHON) infer/testdata/parity/gen.py

$(PARITY): infer/testdata/parity/gen.py
	$(PYTHON) infer/testdata/parity/gen.py

conformance: ## run the ONNX node conformance tests through the CLI
	$(GO) run ./cmd/edge conformance $(SHARED)/data/onnx-node-tests

FUZZTIME ?= 5m
fuzz: ## fuzz the model loader and the .npy reader for FUZZTIME each
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./infer/
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./npy/

fuzz-seeds: ## rewrite the committed FuzzLoad seed corpus from the node tests
	$(GO) run ./internal/fuzzseeds $(SHARED)/data/onnx-node-tests infer/testdata/fuzz/FuzzLoad

clean:
	rm -rf bin
