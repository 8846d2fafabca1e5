#!/usr/bin/env bash
# NOT RUN here (see config.yaml). Prints running, success or failed for a Job name.
set -uo pipefail
out=$(kubectl get job "$1" -o jsonpath='{.status.succeeded} {.status.failed}' 2> /dev/null) || { echo failed; exit 0; }
read -r succeeded failed <<< "$out"
if [[ "${succeeded:-0}" -ge 1 ]]; then echo success
elif [[ "${failed:-0}" -ge 1 ]]; then echo failed
else echo running
fi
