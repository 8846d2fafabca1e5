#!/usr/bin/env bash
# Stand-in for `squeue`/`sacct`: prints running, success or failed for JOBID (the process id
# printed by submit.sh), from the exit code the job left in .snakemake/local-cluster/.
set -uo pipefail
jobid="$1"
state="${LOCAL_CLUSTER_DIR:-.snakemake/local-cluster}"
if [[ -f "$state/$jobid.rc" ]]; then
  if [[ "$(cat "$state/$jobid.rc")" == 0 ]]; then echo success; else echo failed; fi
elif kill -0 "$jobid" 2> /dev/null; then
  echo running
else
  # Gone without an exit code: killed (e.g. kill -9, or the node died).
  # Re-check the rc file: the job may have finished between the two tests.
  if [[ -f "$state/$jobid.rc" && "$(cat "$state/$jobid.rc")" == 0 ]]; then echo success; else echo failed; fi
fi
