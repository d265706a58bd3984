#!/usr/bin/env bash
# Builds js/native/: the wasm module (bindings/wasm, release, wasm32) and its JS glue from the
# wasm-bindgen CLI of exactly the version Cargo.toml pins, installed into ~/.cargo/bin only
# when missing or different. No wasm-opt pass: Debian bookworm's binaryen (108) rewrites the
# externref table that this wasm-bindgen emits into one the glue cannot initialize.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' bindings/wasm/Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $version" ]; then
  echo "installing wasm-bindgen-cli $version (a few minutes, once)" >&2
  cargo install -q wasm-bindgen-cli --version "$version"
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo build -q -p mqlite-wasm --release --target wasm32-unknown-unknown
rm -rf js/native
wasm-bindgen --target web --out-dir js/native --out-name mqlite_native \
  target/wasm32-unknown-unknown/release/mqlite_wasm.wasm
