#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-burden
label: "provar burden: per-gene case-control burden of qualifying rare variants"
doc: |
  Stages the ingest tables, variant_qc and the PED, and runs
  `provar burden --ped PED --tables . --out . [--window BP] --ledger LEDGER_NAME`.

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
          {"entry": inputs.info, "entryname": "info.parquet", "writable": true},
          {"entry": inputs.variant_qc, "entryname": "variant_qc.parquet", "writable": true},
          {"entry": inputs.ped, "entryname": "pedigree.ped", "writable": true}
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
  - {position: 1, valueFrom: burden}
  - {position: 2, prefix: --ped, valueFrom: pedigree.ped}
  - {position: 3, prefix: --tables, valueFrom: .}
  - {position: 4, prefix: --out, valueFrom: .}
  - {position: 7, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  variants: File
  calls: File
  samples: File
  info: File
  variant_qc: File
  ped:
    type: File
    doc: PED/FAM with cases (phenotype 2) and controls (1).
  window:
    type: int?
    doc: Group variants in windows of this many bases instead of INFO/BCSQ genes.
    inputBinding: {position: 5, prefix: --window}
  qualifying:
    type: string
    default: protein
    inputBinding: {position: 6, prefix: --qualifying}
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
  burden:
    type: File
    outputBinding: {glob: burden.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: burden.log
