#!/usr/bin/env bash
# The main job: build everything, serve the bundled demo site on 127.0.0.1:8000, and crawl it
# with the example plugins on the embedded default (no Redis). Items land in out/.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip2
cargo build --release -p mocra-host -p mocra-tests --bin mocra-host --bin mocra-site

plugins=target/wasm-plugins/wasm32-wasip2/release
target/release/mocra-site --port 8000 &
site=$!
trap 'kill $site 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null && break
    sleep 0.1
done

echo "== books: a paginated listing, then a detail step per book"
target/release/mocra-host run "$plugins/books.wasm" --out out
echo "== catalog: 500 item pages"
target/release/mocra-host run "$plugins/catalog.wasm" --out out \
    --start-url 'http://127.0.0.1:8000/catalog?n=500'
echo
echo "first items of out/books.jsonl:"
head -n 3 out/books.jsonl
