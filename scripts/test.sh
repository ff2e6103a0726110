#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (the wasm32-wasip2
# target, redis-server), checks formatting and lints, builds the host binary and the
# plugins, runs every unit and end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip2
# The Redis backends are tested against a real redis-server the tests start themselves.
if ! command -v redis-server >/dev/null; then
    apt-get update -qq && apt-get install -y -qq redis-server
fi

cargo fmt --all --check
cargo clippy --all-targets -- -D warnings
# The end-to-end tests drive the real binary: build it before they run. Building the default
# members (not `-p mocra-host` alone) resolves features as `cargo test` does, so the test
# build reuses every dependency instead of compiling wasmtime again.
cargo build
cargo test
