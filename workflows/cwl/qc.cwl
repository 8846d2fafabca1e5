#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-qc
label: "provar qc: Hail's variant_qc and sample_qc"
doc: |
  Stages the three ingest tables under their own names and runs
  `provar qc --tables . --out . --ledger LEDGER_NAME` (with `--ped` when a pedigree is given). When the ledger passed in recorded
  those tables (same names, same bytes), the qc record links to the record that made them.

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
          {"entry": inputs.samples, "entryname": "samples.parquet", "writable": true}
        ];
        if (inputs.ped !== null) {
          listing.push({"entry": inputs.ped, "entryname": "pedigree.ped", "writable": true});
        }
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
  - {position: 1, valueFrom: qc}
  - {position: 2, prefix: --tables, valueFrom: .}
  - {position: 3, prefix: --out, valueFrom: .}
  - {position: 4, prefix: --ledger, valueFrom: $(inputs.ledger_name)}
  - {position: 5, prefix: --ped, valueFrom: '$(inputs.ped === null ? null : "pedigree.ped")'}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  variants: File
  calls: File
  samples: File
  ped:
    type: File?
    doc: A pedigree whose sex column is checked against the sex inferred from X (sample_qc's pedigree_sex and sex_check).
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
  variant_qc:
    type: File
    outputBinding: {glob: variant_qc.parquet}
  sample_qc:
    type: File
    outputBinding: {glob: sample_qc.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: qc.log
