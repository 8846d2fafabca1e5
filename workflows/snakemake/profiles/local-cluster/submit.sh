#!/usr/bin/env bash
# Stand-in for `sbatch`: starts JOBSCRIPT as a separate, detached process (its own session,
# no terminal, stdin from /dev/null) and prints a job id (the process id) on stdout.
# Snakemake's cluster-generic executor calls it as `submit.sh JOBSCRIPT`.
# State lives in .snakemake/local-cluster/ of the working directory:
#   JOBID.log   the job's stdout and stderr
#   JOBID.rc    its exit code, written when it ends (status.sh reads it)
set -euo pipefail
jobscript="$1"
state="${LOCAL_CLUSTER_DIR:-.snakemake/local-cluster}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
# The job must not hold snakemake's stdout/stderr open: redirect everything.
setsid bash -c '
  state="$1"; jobscript="$2"
  bash "$jobscript" > "$state/$$.log" 2>&1
  rc=$?
  echo "$rc" > "$state/$$.rc.tmp" && mv "$state/$$.rc.tmp" "$state/$$.rc"
' local-cluster-job "$state" "$jobscript" < /dev/null > /dev/null 2>&1 &
echo "$!"
