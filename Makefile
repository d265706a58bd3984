# Every CI step is a local command. `make demo` and `make test` set up what they need
# (the Rust toolchain pinned in rust-toolchain.toml, with clippy, rustfmt and the wasm32
# target) and then run.

CARGO ?= cargo

.PHONY: setup demo test lint unit nostd docs bench clean

setup:
	@command -v rustup >/dev/null 2>&1 || { echo "rustup is required: https://rustup.rs" >&2; exit 1; }
	rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
	rustup component add rustfmt clippy >/dev/null
	rustup target add wasm32-unknown-unknown >/dev/null

demo: setup
	$(CARGO) run -p mqlite --example quickstart

test: setup lint unit nostd docs

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

bench: setup
	$(CARGO) run --release -p mqlite-bench -- all

clean:
	$(CARGO) clean
