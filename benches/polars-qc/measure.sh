#!/bin/sh
# Times `provar qc` and polars-qc's variants alternately on one set of ingest tables.
#
#   benches/polars-qc/measure.sh PROVAR POLARS_QC TABLES_DIR WORK_DIR [RUNS] [THREADS]
#
# PROVAR is a release provar binary, POLARS_QC the release polars-qc binary, TABLES_DIR
# holds calls/variants/samples.parquet (only read), WORK_DIR receives the outputs. RUNS
# (default 3) repetitions, THREADS (default 2) threads. Prints one line per run:
# NAME, then GNU time's "wall s peak KiB", then polars-qc's own read/compute/write line.
set -eu
provar=$1 polars_qc=$2 tables=$3 work=$4 runs=${5:-3} threads=${6:-2}
export POLARS_MAX_THREADS=$threads
mkdir -p "$work"
time_it() {
    name=$1
    shift
    /usr/bin/time -f "%e s %M KiB" -o "$work/time" "$@" 2>"$work/stderr"
    timings=$(grep -h "read .* compute" "$work/stderr" | sed 's/^polars-qc: //' || true)
    printf '%s\t%s\t%s\n' "$name" "$(cat "$work/time")" "$timings"
}
i=1
while [ "$i" -le "$runs" ]; do
    time_it "provar qc" "$provar" --threads "$threads" qc --tables "$tables" --out "$work/provar" -q
    time_it "polars list, streaming" "$polars_qc" "$tables" "$work/list"
    time_it "polars list, streaming, fused" "$polars_qc" "$tables" "$work/fused" --fused
    time_it "polars list, in-memory" "$polars_qc" "$tables" "$work/list-mem" --engine in-memory
    time_it "polars explode, streaming" "$polars_qc" "$tables" "$work/explode" \
        --formulation explode
    time_it "polars list, per variant only" "$polars_qc" "$tables" "$work/variants" \
        --only variants
    time_it "polars list, per sample only" "$polars_qc" "$tables" "$work/samples" \
        --only samples
    time_it "plain Rust over polars' columns" "$polars_qc" "$tables" "$work/plain" \
        --formulation plain
    i=$((i + 1))
done
