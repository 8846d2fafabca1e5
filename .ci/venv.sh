#!/usr/bin/env bash
# The pinned Python tools CI uses, in one virtual environment (~/.cache/provar/venv,
# reused while the pins match): Snakemake and cwltool for the workflow checks, and the
# validators the tests call when present (rocrate-validator for RO-Crate exports, prov
# for PROV-JSON, rfc8785 for canonical JSON, scipy for the burden statistics). Source it:
# it sets $venv.
SNAKEMAKE_PIN="snakemake==9.27.1"
CLUSTER_GENERIC_PIN="snakemake-executor-plugin-cluster-generic==1.0.9"
CWLTOOL_PIN="cwltool==3.3.20260925135507"
VALIDATOR_PINS="roc-validator==0.13.0 prov==1.5.1 rfc8785==0.1.4 scipy==1.16.3"
pins="$SNAKEMAKE_PIN $CLUSTER_GENERIC_PIN $CWLTOOL_PIN $VALIDATOR_PINS"
venv="${PROVAR_VENV:-$HOME/.cache/provar/venv}"
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.provar-pins" 2> /dev/null)" != "$pins" ]]; then
  echo "   creating $venv ($pins)"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check $pins \
    || { echo "FAIL: pip install $pins" >&2; exit 1; }
  echo "$pins" > "$venv/.provar-pins"
else
  echo "   reusing $venv"
fi
