#!/usr/bin/env bash
# NOT RUN here (see config.yaml). Stand-in for sbatch on Kubernetes: runs JOBSCRIPT as a
# Kubernetes Job whose pod mounts the shared volume and starts in the same working
# directory, and prints the Job's name as the job id.
set -euo pipefail
jobscript="$1"
image="${PROVAR_K8S_IMAGE:?set PROVAR_K8S_IMAGE to an image with snakemake and provar}"
pvc="${PROVAR_K8S_PVC:-provar-data}"
mount="${PROVAR_K8S_MOUNT:-/data}"
case "$PWD/" in
  "$mount"/*) ;;
  *) echo "submit.sh: run snakemake from a directory under $mount (the shared volume)" >&2; exit 1 ;;
esac
name="provar-smk-$(date +%s)-$RANDOM"
kubectl apply -f - > /dev/null <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $name
  labels: {app: provar-snakemake}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 86400
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: job
          image: $image
          workingDir: $PWD
          command: ["bash", "$jobscript"]
          volumeMounts:
            - {name: data, mountPath: $mount}
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: $pvc}
YAML
echo "$name"
