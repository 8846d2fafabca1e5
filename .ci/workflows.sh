#!/usr/bin/env bash
# CI for the workflow definitions in workflows/ (issue 8).
#
#   bash .ci/workflows.sh PATH/TO/provar
#
# Installs pinned Snakemake, its generic cluster executor and cwltool into a virtualenv
# (~/.cache/provar/venv, reused while the pins match), then proves on the bundled cohort:
#   (a) Snakemake, 4 shards, --cores 2: final tables byte-identical (cmp) to `provar run`,
#       and its ledger verifies;
#   (b) the same through profiles/local-cluster (each job a separate detached process);
#   (c) Snakemake killed (kill -9, whole process group) mid-way, then re-run with
#       --rerun-incomplete: same bytes, ledger verifies;
#   (d) `cwltool --validate` on every CWL file, and a cwltool run (scatter in parallel)
#       whose tables match and whose ledgers verify;
#   (e) if `groovy` is installed, the Nextflow files parse (syntax only).
# Nextflow, SLURM and Kubernetes are not run here (see workflows/README.md).
# Exits non-zero on the first failure, naming it.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 PATH/TO/provar" >&2
  exit 2
fi
repo="$(cd "$(dirname "$0")/.." && pwd)"
provar="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[[ -x "$provar" ]] || { echo "FAIL: $1 is not an executable provar binary" >&2; exit 2; }


vcf="$repo/testdata/cohort/sample.vcf.gz"
shards=4
tables=(variants calls samples info variant_qc sample_qc clusters pca relatedness)
script_start=$(date +%s)
current="setup"

fail() {
  echo "FAIL [$current]: $*" >&2
  exit 1
}
trap 'rc=$?; if [[ $rc -ne 0 ]]; then echo "workflows.sh: FAILED in step: $current (exit $rc)" >&2; fi' EXIT

step() {
  current="$1"
  step_start=$(date +%s)
  echo "== $current"
}
step_done() {
  echo "   ok ($(( $(date +%s) - step_start )) s)"
  passed+=("$current")
}
passed=()

# ---------------------------------------------------------------------------------------
step "venv (.ci/venv.sh)"
# shellcheck source=venv.sh
source "$repo/.ci/venv.sh"
snakemake="$venv/bin/snakemake"
cwltool="$venv/bin/cwltool"
echo "   snakemake $("$snakemake" --version), $("$cwltool" --version), $("$provar" --version)"
step_done

# ---------------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/provar-workflows.XXXXXX")"
started_groups=()
cleanup() {
  # End only what this script started: its snakemake process groups and the detached jobs
  # of the local-cluster profile (their process ids are the job ids).
  for g in "${started_groups[@]}"; do kill -9 -- "-$g" 2> /dev/null || true; done
  if [[ -d "$work/smk-cluster/.snakemake/local-cluster" ]]; then
    for log in "$work"/smk-cluster/.snakemake/local-cluster/*.log; do
      # Only jobs that never reported an exit code (their ids may be reused once ended).
      [[ -e "$log" && ! -e "${log%.log}.rc" ]] || continue
      kill -9 -- "-$(basename "$log" .log)" 2> /dev/null || true
    done
  fi
  rm -rf "$work"
}
trap 'rc=$?; cleanup; if [[ $rc -ne 0 ]]; then echo "workflows.sh: FAILED in step: $current (exit $rc)" >&2; fi' EXIT

# compare DIR: the final tables in DIR equal the reference `provar run` bytes.
compare_tables() {
  local dir="$1" t
  for t in "${tables[@]}"; do
    [[ -f "$dir/$t.parquet" ]] || fail "$dir/$t.parquet is missing"
    cmp "$dir/$t.parquet" "$work/reference/$t.parquet" \
      || fail "$dir/$t.parquet differs from provar run's $t.parquet"
  done
  echo "   ${#tables[@]} tables byte-identical to provar run"
}
# compare_report DIR: report.html in DIR equals provar run's.
compare_report() {
  cmp "$1/report.html" "$work/reference/report.html" \
    || fail "$1/report.html differs from provar run's report.html"
  echo "   report.html byte-identical to provar run"
}
verify_ledger() {
  local ledger="$1" out
  out=$("$provar" ledger verify --ledger "$ledger" 2>&1) \
    || { echo "$out" >&2; fail "provar ledger verify --ledger $ledger"; }
  echo "   $out"
}
# A copy of the Snakemake workflow, so runs never touch the repository.
snakemake_copy() {
  local dest="$1"
  mkdir -p "$dest"
  cp -R "$repo/workflows/snakemake/." "$dest/"
  rm -rf "$dest/results" "$dest/.snakemake"
}
smk_config=(--config "vcf=$vcf" "provar=$provar" "shards=$shards" cluster_seed=42 outdir=results)
check_snakemake_results() {
  local dir="$1"
  [[ -f "$dir/results/ledger.verified" ]] || fail "$dir/results/ledger.verified missing"
  compare_tables "$dir/results"
  compare_report "$dir/results"
  verify_ledger "$dir/results/ledger"
  local n
  n=$(wc -l < "$dir/results/ledger/records.jsonl")
  echo "   ledger: $n records"
  [[ $n -ge $((shards + 3)) ]] || fail "ledger has $n records, expected at least $((shards + 3))"
}

# ---------------------------------------------------------------------------------------
step "reference: provar run --vcf $vcf"
"$provar" run --vcf "$vcf" --out "$work/reference" 2> "$work/reference.log" \
  || { cat "$work/reference.log" >&2; fail "provar run"; }
step_done

# ---------------------------------------------------------------------------------------
step "(a) snakemake --cores 2, $shards shards"
snakemake_copy "$work/smk-local"
(cd "$work/smk-local" && timeout 300 "$snakemake" --cores 2 "${smk_config[@]}") \
  > "$work/smk-local.log" 2>&1 || { tail -40 "$work/smk-local.log" >&2; fail "snakemake run"; }
check_snakemake_results "$work/smk-local"
step_done

# ---------------------------------------------------------------------------------------
step "(a2) snakemake with a pedigree: rare-disease stages and burden equal provar run --ped"
fam="$repo/testdata/cohort/sample.fam"
"$provar" run --vcf "$vcf" --ped "$fam" --out "$work/reference-ped" 2> "$work/reference-ped.log" \
  || { cat "$work/reference-ped.log" >&2; fail "provar run --ped"; }
snakemake_copy "$work/smk-ped"
(cd "$work/smk-ped" && timeout 300 "$snakemake" --cores 2 "${smk_config[@]}" "pedigree=$fam" burden_window=1000000) \
  > "$work/smk-ped.log" 2>&1 || { tail -40 "$work/smk-ped.log" >&2; fail "snakemake run with a pedigree"; }
for t in "${tables[@]}" mendel_errors mendel_families mendel_individuals mendel_variants candidates burden; do
  cmp "$work/smk-ped/results/$t.parquet" "$work/reference-ped/$t.parquet" \
    || fail "$t.parquet differs from provar run --ped"
done
cmp "$work/smk-ped/results/report.html" "$work/reference-ped/report.html" \
  || fail "report.html differs from provar run --ped"
verify_ledger "$work/smk-ped/results/ledger"
echo "   $(( ${#tables[@]} + 6 )) tables and report.html byte-identical to provar run --ped"
step_done

# ---------------------------------------------------------------------------------------
step "(a3) snakemake with BAM/CRAM and a pedigree: sites, coverage, rare from reads equal provar run --bam --ped"
reads="$repo/testdata/reads"
"$provar" run --vcf "$reads/calls.vcf.gz" --bam "$reads/mpileup.1.bam" "$reads/mpileup.2.bam" \
  "$reads/mpileup.3.cram" --reference "$reads/mpileup.ref.fa" --ped "$reads/made-up-trio.ped" \
  --out "$work/reference-reads" \
  2> "$work/reference-reads.log" || { cat "$work/reference-reads.log" >&2; fail "provar run --bam"; }
snakemake_copy "$work/smk-reads"
(cd "$work/smk-reads" && timeout 300 "$snakemake" --cores 2 --config "vcf=$reads/calls.vcf.gz" \
  "provar=$provar" shards=2 cluster_seed=42 outdir=results "reference=$reads/mpileup.ref.fa" \
  "pedigree=$reads/made-up-trio.ped" burden_window=1000000 \
  "bams={\"a\": \"$reads/mpileup.1.bam\", \"b\": \"$reads/mpileup.2.bam\", \"c\": \"$reads/mpileup.3.cram\"}") \
  > "$work/smk-reads.log" 2>&1 || { tail -40 "$work/smk-reads.log" >&2; fail "snakemake run with BAM/CRAM"; }
for t in "${tables[@]}" site_evidence coverage_summary coverage_windows mendel_errors candidates burden; do
  cmp "$work/smk-reads/results/$t.parquet" "$work/reference-reads/$t.parquet" \
    || fail "$t.parquet differs from provar run --bam"
done
cmp "$work/smk-reads/results/report.html" "$work/reference-reads/report.html" \
  || fail "report.html differs from provar run --bam"
verify_ledger "$work/smk-reads/results/ledger"
PATH="$(dirname "$provar"):$PATH" "$cwltool" --quiet --outdir "$work/cwl-sites" \
  "$repo/workflows/cwl/sites.cwl" --variants "$work/reference-reads/variants.parquet" \
  --alignments "$reads/mpileup.1.bam" --alignments "$reads/mpileup.2.bam" \
  --alignments "$reads/mpileup.3.cram" --reference "$reads/mpileup.ref.fa" \
  > "$work/cwl-sites.log" 2>&1 || { tail -40 "$work/cwl-sites.log" >&2; fail "cwltool sites.cwl"; }
cmp "$work/cwl-sites/site_evidence.parquet" "$work/reference-reads/site_evidence.parquet" \
  || fail "cwltool sites.cwl: site_evidence.parquet differs from provar run --bam"
echo "   $(( ${#tables[@]} + 6 )) tables (reads, and rare with --read-evidence) and report.html byte-identical to provar run --bam --ped; cwltool sites.cwl too"
step_done

# ---------------------------------------------------------------------------------------
step "(a4) snakemake on the GIAB trio (extra FORMAT keys, BCSQ): format.parquet and candidates equal provar run --ped"
trio="$repo/testdata/trio"
"$provar" run --vcf "$trio/ashk-trio.vcf.gz" --ped "$trio/ashk-trio.ped" --out "$work/reference-trio" \
  2> "$work/reference-trio.log" || { cat "$work/reference-trio.log" >&2; fail "provar run (trio)"; }
snakemake_copy "$work/smk-trio"
(cd "$work/smk-trio" && timeout 300 "$snakemake" --cores 2 --config "vcf=$trio/ashk-trio.vcf.gz" \
  "provar=$provar" shards=2 cluster_seed=42 outdir=results "pedigree=$trio/ashk-trio.ped") \
  > "$work/smk-trio.log" 2>&1 || { tail -40 "$work/smk-trio.log" >&2; fail "snakemake run on the trio"; }
# provar run also splits BCSQ into consequences.parquet (annotate); the Snakemake rare step
# reads INFO/BCSQ directly: the candidates must be the same either way.
for t in variants calls samples info format variant_qc sample_qc mendel_errors candidates; do
  cmp "$work/smk-trio/results/$t.parquet" "$work/reference-trio/$t.parquet" \
    || fail "$t.parquet differs from provar run on the trio"
done
verify_ledger "$work/smk-trio/results/ledger"
echo "   9 tables (format.parquet included) byte-identical to provar run --ped on the trio"
step_done

# ---------------------------------------------------------------------------------------
step "(b) snakemake --profile profiles/local-cluster (each job a detached process)"
snakemake_copy "$work/smk-cluster"
(cd "$work/smk-cluster" && timeout 300 "$snakemake" --profile profiles/local-cluster "${smk_config[@]}") \
  > "$work/smk-cluster.log" 2>&1 || { tail -40 "$work/smk-cluster.log" >&2; fail "snakemake cluster-generic run"; }
check_snakemake_results "$work/smk-cluster"
submitted=$(grep -c "Submitted job" "$work/smk-cluster.log" || true)
ended=$(ls "$work/smk-cluster/.snakemake/local-cluster/"*.rc 2> /dev/null | wc -l)
echo "   $submitted jobs submitted through submit.sh, $ended ended as separate processes"
[[ $submitted -ge $((shards + 4)) && $ended -eq $submitted ]] \
  || fail "expected $((shards + 4)) jobs through submit.sh, got $submitted submitted, $ended ended"
step_done

# ---------------------------------------------------------------------------------------
step "(c) snakemake killed (kill -9) mid-way, then --rerun-incomplete"
# One attempt: start snakemake in its own session and process group (so kill -9 reaches it
# and every job it runs), wait for the first shard's tables, and kill -9 the whole group
# right then: jobs die wherever they are (writing tables, renaming them into place,
# appending to their ledger segment, sealing it). Each job records into its own segment,
# so no kill can tear a record another job needs. (A writer killed inside its ledger append
# is provar's own kill test.) Returns 3 if the run had finished before the kill.
kill_attempt() {
  local dir="$1" log="$2" pgid deadline
  snakemake_copy "$dir"
  (cd "$dir" && exec setsid "$snakemake" --cores 2 "${smk_config[@]}") > "$log" 2>&1 &
  pgid=$!
  started_groups+=("$pgid")
  deadline=$(( $(date +%s) + 120 ))
  until compgen -G "$dir/results/shards/*/calls.parquet" > /dev/null; do
    kill -0 "$pgid" 2> /dev/null || { tail -40 "$log" >&2; fail "snakemake ended before any shard output"; }
    [[ $(date +%s) -lt $deadline ]] || fail "no shard output within 120 s"
    sleep 0.02
  done
  [[ "$(ps -o pgid= -p "$pgid" | tr -d ' ')" == "$pgid" ]] || fail "snakemake did not get its own process group"
  kill -9 -- "-$pgid" 2> /dev/null || true
  wait "$pgid" 2> /dev/null || true
  sleep 0.5
  # Anything of the group still alive (zombies waiting to be reaped do not count)?
  if [[ -n "$(ps -o pid=,stat= -g "$pgid" | awk '$2 !~ /^Z/')" ]]; then
    ps -o pid,stat,args -g "$pgid" >&2
    fail "processes of the killed run survived"
  fi
  started_groups=()   # all gone: never signal that group id again
  if [[ -f "$dir/results/ledger.verified" ]]; then return 3; fi
  return 0
}
for try in 1 2 3; do
  dir="$work/smk-kill-$try"
  rc=0
  kill_attempt "$dir" "$work/smk-kill-$try.log" || rc=$?
  [[ $rc -eq 0 ]] && break
  [[ $rc -eq 3 ]] || fail "kill attempt $try"
  echo "   try $try: the run finished before the kill; trying again"
  [[ $try -lt 3 ]] || fail "the run finished before the kill, 3 times"
done
done_shards=$(compgen -G "$dir/results/shards/*/calls.parquet" | wc -l)
sealed=$(compgen -G "$dir/results/ledger/segments/*/sealed" | wc -l)
segments=$(compgen -G "$dir/results/ledger/segments/*/" | wc -l)
echo "   killed when $done_shards of $shards shards had tables; $sealed of $segments ledger segments sealed"
# What the kill left merges and verifies, except for the segments of the killed jobs,
# which verify names as unsealed (and nothing else).
"$provar" -q ledger merge --ledger "$dir/results/ledger" 2> "$work/smk-kill-merge.log" \
  || { cat "$work/smk-kill-merge.log" >&2; fail "ledger merge after the kill"; }
if ! "$provar" -q ledger verify --ledger "$dir/results/ledger" 2> "$work/smk-kill-verify.log"; then
  if grep -v "is not sealed" "$work/smk-kill-verify.log" | grep -q "provar: ledger"; then
    cat "$work/smk-kill-verify.log" >&2
    fail "after the kill the ledger has problems other than unsealed segments"
  fi
  echo "   after the kill, verify names only the killed jobs' unsealed segments: $(grep -c "is not sealed" "$work/smk-kill-verify.log")"
fi
(cd "$dir" && "$snakemake" --unlock "${smk_config[@]}") > "$work/smk-kill-unlock.log" 2>&1 \
  || { tail -20 "$work/smk-kill-unlock.log" >&2; fail "snakemake --unlock"; }
(cd "$dir" && timeout 300 "$snakemake" --cores 2 --rerun-incomplete "${smk_config[@]}") \
  > "$work/smk-kill-2.log" 2>&1 || { tail -40 "$work/smk-kill-2.log" >&2; fail "snakemake re-run after kill"; }
check_snakemake_results "$dir"
step_done

# ---------------------------------------------------------------------------------------
step "(d) cwltool --validate, then cwltool --parallel on the bundled cohort"
for f in "$repo"/workflows/cwl/*.cwl; do
  "$cwltool" --validate "$f" > "$work/cwl-validate.log" 2>&1 \
    || { cat "$work/cwl-validate.log" >&2; fail "cwltool --validate $(basename "$f")"; }
  echo "   valid: workflows/cwl/$(basename "$f")"
done
mkdir -p "$work/bin"
ln -s "$provar" "$work/bin/provar"
(cd "$repo/workflows/cwl" && PATH="$work/bin:$PATH" timeout 300 "$cwltool" --parallel \
    --outdir "$work/cwl-out" --tmpdir-prefix "$work/cwl-tmp/" --tmp-outdir-prefix "$work/cwl-tmp/" \
    provar.cwl cohort.yml) > "$work/cwl-run.log" 2>&1 \
  || { tail -40 "$work/cwl-run.log" >&2; fail "cwltool provar.cwl cohort.yml"; }
compare_tables "$work/cwl-out/results"
compare_report "$work/cwl-out/results"
verify_ledger "$work/cwl-out/results/ledger"
# One ledger: every step's segment folded in (ingest-1..N, merge, qc, cluster, report).
n=$(wc -l < "$work/cwl-out/results/ledger/records.jsonl")
[[ $n -eq $((shards + 4)) ]] || fail "CWL ledger has $n records, expected $((shards + 4))"
echo "   CWL ledger: $n records in one log (every step's segment merged)"
step_done

# ---------------------------------------------------------------------------------------
step "(d2) cwltool with a pedigree: rare and burden steps (when), equal to provar run --ped"
(cd "$repo/workflows/cwl" && PATH="$work/bin:$PATH" timeout 300 "$cwltool" --parallel \
    --outdir "$work/cwl-ped" --tmpdir-prefix "$work/cwl-tmp/" --tmp-outdir-prefix "$work/cwl-tmp/" \
    provar.cwl cohort-ped.yml) > "$work/cwl-ped.log" 2>&1 \
  || { tail -40 "$work/cwl-ped.log" >&2; fail "cwltool provar.cwl cohort-ped.yml"; }
for t in "${tables[@]}" mendel_errors mendel_families mendel_individuals mendel_variants candidates burden; do
  cmp "$work/cwl-ped/results/$t.parquet" "$work/reference-ped/$t.parquet" \
    || fail "CWL with a pedigree: $t.parquet differs from provar run --ped"
done
cmp "$work/cwl-ped/results/report.html" "$work/reference-ped/report.html" \
  || fail "CWL with a pedigree: report.html differs from provar run --ped"
verify_ledger "$work/cwl-ped/results/ledger"
echo "   $(( ${#tables[@]} + 6 )) tables and report.html byte-identical to provar run --ped"
step_done

# ---------------------------------------------------------------------------------------
step "(d3) cwltool with reads and a pedigree: sites, coverage, rare from reads, equal to provar run --bam --ped"
(cd "$repo/workflows/cwl" && PATH="$work/bin:$PATH" timeout 300 "$cwltool" --parallel \
    --outdir "$work/cwl-reads" --tmpdir-prefix "$work/cwl-tmp/" --tmp-outdir-prefix "$work/cwl-tmp/" \
    provar.cwl reads.yml) > "$work/cwl-reads.log" 2>&1 \
  || { tail -40 "$work/cwl-reads.log" >&2; fail "cwltool provar.cwl reads.yml"; }
for t in "${tables[@]}" site_evidence coverage_summary coverage_windows mendel_errors candidates burden; do
  cmp "$work/cwl-reads/results/$t.parquet" "$work/reference-reads/$t.parquet" \
    || fail "CWL with reads: $t.parquet differs from provar run --bam --ped"
done
cmp "$work/cwl-reads/results/report.html" "$work/reference-reads/report.html" \
  || fail "CWL with reads: report.html differs from provar run --bam --ped"
verify_ledger "$work/cwl-reads/results/ledger"
echo "   $(( ${#tables[@]} + 6 )) tables and report.html byte-identical to provar run --bam --ped"
step_done

# ---------------------------------------------------------------------------------------
# Nextflow cannot be installed here; when Debian's groovy is present (apt-get install
# groovy), at least check that the Nextflow files parse. Syntax only: never a Nextflow run.
if command -v groovy > /dev/null; then
  step "(e) Nextflow files parse as Groovy (syntax only; Nextflow itself not run)"
  if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME:-}/bin/java" ]]; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    export JAVA_HOME
  fi
  cp "$repo/workflows/nextflow/nextflow.config" "$work/nextflow.config.groovy"
  (cd "$repo/workflows/nextflow" && groovy syntax-check.groovy main.nf modules/local/provar/*/main.nf \
      "$work/nextflow.config.groovy") || fail "a Nextflow file does not parse"
  step_done
else
  echo "== (e) skipped: no groovy to syntax-check the Nextflow files (apt-get install groovy)"
fi

# ---------------------------------------------------------------------------------------
current="summary"
echo "== workflows: ${#passed[@]} checks passed in $(( $(date +%s) - script_start )) s"
for p in "${passed[@]}"; do echo "   passed: $p"; done
echo "${#passed[@]} passed, 0 failed"
