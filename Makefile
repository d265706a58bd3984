# Every CI step is a local command. `make demo` and `make test` set up what they need
# (the Rust toolchain pinned in rust-toolchain.toml, with clippy, rustfmt and the wasm32
# target; a Python virtualenv in .venv with the package built from source; the wasm module
# for the npm package, with the pinned wasm-bindgen CLI; the npm dev dependencies) and then
# run. The browser tests need Chromium (`apt-get install chromium`; .ci/run installs it).

CARGO ?= cargo
PYTHON ?= python3
VENV ?= .venv
VPY = $(CURDIR)/$(VENV)/bin/python

.PHONY: setup demo demo-rust test lint unit nostd docs python python-build python-wheel \
	js-native js js-browser bench bench-js clean

DEMO_LOG ?= $(CURDIR)/target/demo-log

setup:
	@command -v rustup >/dev/null 2>&1 || { echo "rustup is required: https://rustup.rs" >&2; exit 1; }
	rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
	rustup component add rustfmt clippy >/dev/null
	rustup target add wasm32-unknown-unknown >/dev/null

# The main job: build the Python package from source and run its demo (produce with keys,
# consume, reopen, read again), then read the same log from Node through WebAssembly.
demo: python-build js-native
	rm -rf $(DEMO_LOG)
	$(VPY) python/examples/demo.py $(DEMO_LOG)
	node js/examples/read-log.mjs $(DEMO_LOG)

demo-rust: setup
	$(CARGO) run -p mqlite --example quickstart

test: setup lint unit nostd docs python js js-browser

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

# The core must build without std for WebAssembly.
nostd:
	$(CARGO) build -p mqlite --no-default-features --target wasm32-unknown-unknown

docs:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p mqlite --no-deps

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

# The package, built by maturin from this checkout, with the test tools.
python-build: setup $(VPY)
	$(VPY) -m pip install -q "./python[test]"

# pytest (API, threads, asyncio, vectors, stubs and mypy --strict), the notebooks, and the
# demo run from a built wheel installed in a venv of its own.
python: python-build
	cd python && $(VPY) -m pytest -q tests
	cd python && $(VPY) -m pytest -q --nbmake notebooks
	$(MAKE) python-wheel

python-wheel: python-build
	rm -rf python/dist .venv-wheel
	$(VPY) -m pip wheel -q --no-deps ./python -w python/dist
	$(PYTHON) -m venv .venv-wheel
	.venv-wheel/bin/python -m pip install -q python/dist/mqlite-*.whl
	cd / && $(CURDIR)/.venv-wheel/bin/python $(CURDIR)/python/examples/demo.py

# The npm package's wasm module and JS glue (js/native), from bindings/wasm.
js-native: setup
	bash js/scripts/build-native.sh

js/node_modules/.package-lock.json: js/package-lock.json
	cd js && npm ci --no-audit --no-fund

# node --test: the API on real files, reopen and torn tails, the lock, vectors, bad input, the
# round trip with the Python package (both ways), and the TypeScript declarations.
js: js-native js/node_modules/.package-lock.json python-build
	cd js && MQLITE_PYTHON=$(VPY) npm test

# Headless Chromium (playwright-core) on pages served from 127.0.0.1: IndexedDB persistence
# across reloads and crashes, the Web Lock, bad input; then npm pack and a Vite build.
js-browser: js-native js/node_modules/.package-lock.json
	@command -v chromium >/dev/null 2>&1 || { echo "Chromium is required: apt-get install -y chromium" >&2; exit 1; }
	cd js && npm run test:browser

bench: setup
	$(CARGO) run --release -p mqlite-bench -- all

clean:
	$(CARGO) clean
