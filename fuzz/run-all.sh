#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, one after another, at idle CPU
# priority, and keeps a log per target in fuzz/logs/. Needs cargo-fuzz; on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass the sanitizer flags it needs.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(genotype vcf_file gene_model ledger_text ped)
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/provar/fuzz-target}
mkdir -p logs
for t in "${targets[@]}"; do
  echo "== $t: ${seconds} s"
  nice -n 19 cargo fuzz run -O "$t" -- -max_total_time="$seconds" -rss_limit_mb=4096 \
    -timeout=10 > "logs/$t.log" 2>&1 && echo "$t: clean" || echo "$t: FAILED (see logs/$t.log)"
  grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs)' "logs/$t.log" | tail -1 || true
done
