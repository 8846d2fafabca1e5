#!/usr/bin/env bash
# Stand-in for `scancel`: ends the jobs JOBID... (each one's whole process group, which
# submit.sh made its own session).
for jobid in "$@"; do
  kill -TERM -- "-$jobid" 2> /dev/null || true
done
