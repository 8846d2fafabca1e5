#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-cluster
label: "provar cluster: seeded k-means over standardised sample_qc features"
doc: |
  Stages sample_qc.parquet and runs
  `provar cluster --tables . --out . --k K --seed SEED --ledger LEDGER_NAME`.

requirements:
  InlineJavascriptRequirement: {}
  InitialWorkDirRequirement:
    listing: |
      ${
        var listing = [
          {"entry": inputs.sample_qc, "entryname": "sample_qc.parquet", "writable": true}
        ];
        if (inputs.ledger !== null) {
          listing.push({"entry": inputs.ledger,
                        "entryname": inputs.ledger_name, "writable": true});
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
  - {position: 3, prefix: --out, valueFrom: .}
  - {position: 6, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  sample_qc: File
  k:
    type: int
    default: 3
    inputBinding: {position: 4, prefix: --k}
  seed:
    type: int
    default: 42
    inputBinding: {position: 5, prefix: --seed}
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
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: cluster.log
