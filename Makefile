# Every CI step is a local command. `make demo` and `make test` set up what they need
# (the Rust toolchain pinned in rust-toolchain.toml, with clippy, rustfmt and the wasm32
# target; a Python virtualenv in .venv with the package built from source) and then run.

CARGO ?= cargo
PYTHON ?= python3
VENV ?= .venv
VPY = $(CURDIR)/$(VENV)/bin/python

.PHONY: setup demo demo-rust test lint unit nostd docs python python-build python-wheel bench clean

setup:
	@command -v rustup >/dev/null 2>&1 || { echo "rustup is required: https://rustup.rs" >&2; exit 1; }
	rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
	rustup component add rustfmt clippy >/dev/null
	rustup target add wasm32-unknown-unknown >/dev/null

# The main job: build the Python package from source and run its demo (produce with keys,
# consume, reopen, read again).
demo: python-build
	$(VPY) python/examples/demo.py

demo-rust: setup
	$(CARGO) run -p mqlite --example quickstart

test: setup lint unit nostd docs python

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

bench: setup
	$(CARGO) run --release -p mqlite-bench -- all

clean:
	$(CARGO) clean
