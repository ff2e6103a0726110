#!/usr/bin/env bash
# The benchmark: the host against a hand-written native loop on the same loopback site, in
# one run, then in distributed mode on Redis with one and two workers. Arguments go to
# mocra-bench (default: --pages 20000 --rounds 3).
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip2
if ! command -v redis-server >/dev/null; then
    apt-get update -qq && apt-get install -y -qq redis-server
fi
cargo build --release -p mocra-host -p mocra-tests --bin mocra-host --bin mocra-bench
exec target/release/mocra-bench "$@"
