#!/usr/bin/env bash
# NOT RUN here (see config.yaml). Deletes the given Jobs and their pods.
kubectl delete job --wait=false "$@" > /dev/null 2>&1 || true
