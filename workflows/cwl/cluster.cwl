#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-cluster
label: "provar cluster: PCA on genotypes, Gaussian mixture in PC space, KING kinship"
doc: |
  Stages the ingest tables and runs
  `provar cluster --on genotypes --tables . --out . --seed SEED --ledger LEDGER_NAME`.

requirements:
  InlineJavascriptRequirement: {}
  EnvVarRequirement:
    envDef:
      # Record into a sealed segment of the ledger (provar ledger merge folds them).
      PROVAR_LEDGER_SEGMENT: '$(inputs.segment === null ? "" : inputs.segment)'
  InitialWorkDirRequirement:
    listing: |
      ${
        var listing = [
          {"entry": inputs.variants, "entryname": "variants.parquet", "writable": true},
          {"entry": inputs.calls, "entryname": "calls.parquet", "writable": true},
          {"entry": inputs.samples, "entryname": "samples.parquet", "writable": true},
          {"entry": inputs.info, "entryname": "info.parquet", "writable": true}
        ];
        if (inputs.ledger !== null) {
          listing.push({"entry": inputs.ledger,
                        "entryname": inputs.ledger_name, "writable": true});
        }
        if (inputs.ped !== null) {
          listing.push({"entry": inputs.ped, "entryname": "pedigree.ped", "writable": true});
        }
        return listing;
      }
hints:
  SoftwareRequirement:
    packages:
      provar:
        version: ["0.1.0"]
  ResourceRequirement:
    coresMin: $(inputs.threads)

baseCommand: provar
arguments:
  - {position: 0, prefix: --threads, valueFrom: $(inputs.threads)}
  - {position: 1, valueFrom: cluster}
  - {position: 2, prefix: --tables, valueFrom: .}
  - {position: 2, prefix: --on, valueFrom: genotypes}
  - {position: 3, prefix: --out, valueFrom: .}
  - {position: 6, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  variants: File
  calls: File
  samples: File
  info: File
  seed:
    type: int
    default: 42
    inputBinding: {position: 5, prefix: --seed}
  ped:
    type: File?
    doc: PED/FAM file; relatedness.parquet then carries each pair's expected kinship.
    inputBinding: {position: 4, prefix: --ped, valueFrom: pedigree.ped}
  threads:
    type: int
    default: 1
  ledger:
    type: Directory?
    doc: A ledger to append to (copied); none starts a new one.
  ledger_name:
    type: string
    default: ledger

outputs:
  clusters:
    type: File
    outputBinding: {glob: clusters.parquet}
  pca:
    type: File
    outputBinding: {glob: pca.parquet}
  relatedness:
    type: File
    outputBinding: {glob: relatedness.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: cluster.log
