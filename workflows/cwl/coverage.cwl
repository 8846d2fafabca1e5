#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-coverage
label: "provar coverage: per-sample depth over windows and targets (mosdepth's semantics)"
doc: |
  Runs `provar coverage --bam FILE... [--reference FASTA] [--targets BED] --window N --out .
  --ledger LEDGER_NAME`.

requirements:
  InlineJavascriptRequirement: {}
  EnvVarRequirement:
    envDef:
      # Record into a sealed segment of the ledger (provar ledger merge folds them).
      PROVAR_LEDGER_SEGMENT: '$(inputs.segment === null ? "" : inputs.segment)'
  InitialWorkDirRequirement:
    listing: |
      ${
        if (inputs.ledger === null) { return []; }
        return [{"entry": inputs.ledger, "entryname": inputs.ledger_name, "writable": true}];
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
  - {position: 1, valueFrom: coverage}
  - {position: 6, prefix: --out, valueFrom: .}
  - {position: 7, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  alignments:
    type: File[]
    doc: BAM (with .bai) or CRAM (with .crai) files, one sample each.
    secondaryFiles:
      - pattern: ".bai"
        required: false
      - pattern: ".crai"
        required: false
    inputBinding: {position: 2, prefix: --bam}
  reference:
    type: File?
    secondaryFiles: [.fai]
    inputBinding: {position: 3, prefix: --reference}
  targets:
    type: File?
    doc: BED of target regions.
    inputBinding: {position: 4, prefix: --targets}
  window:
    type: int
    default: 1000
    inputBinding: {position: 5, prefix: --window}
  threads:
    type: int
    default: 1
  ledger:
    type: Directory?
  ledger_name:
    type: string
    default: ledger

outputs:
  summary:
    type: File
    outputBinding: {glob: coverage_summary.parquet}
  windows:
    type: File?
    outputBinding: {glob: coverage_windows.parquet}
  targets_depth:
    type: File?
    outputBinding: {glob: coverage_targets.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: coverage.log
