#!/usr/bin/env bash
# Save-to-reload latency of `opsbook serve` on a generated handbook.
# Usage: bench/serve.sh [pages] [rounds]   (default: 10000 pages, 10 rounds)
# Generates the corpus with bench/gen.rs (once per size, kept in
# $BENCH_DIR, default /tmp/opsbook-bench), then runs bench/serve_latency.rs
# against the release binary on a loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-10000}
rounds=${2:-10}
work=${BENCH_DIR:-/tmp/opsbook-bench}
mkdir -p "$work"
cargo build --release --quiet --bin opsbook --example gen --example serve_latency
site="$work/serve-$pages"
if [ ! -d "$site/content" ]; then
  target/release/examples/gen "$pages" "$site" >/dev/null
fi
rm -rf "$site/templates"
target/release/examples/serve_latency target/release/opsbook "$site" "$rounds"
