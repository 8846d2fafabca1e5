#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-sites
label: "provar sites: reads per allele and strand at the cohort's variants (BAM/CRAM)"
doc: |
  Stages the ingest variants table, and runs
  `provar sites --bam FILE... --variants . [--reference FASTA] --out . --ledger LEDGER_NAME`.
  Counting follows bcftools mpileup (read filters, overlapping mates, partial BAQ).

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
          {"entry": inputs.variants, "entryname": "variants.parquet", "writable": true}
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
  - {position: 1, valueFrom: sites}
  - {position: 3, prefix: --variants, valueFrom: .}
  - {position: 5, prefix: --out, valueFrom: .}
  - {position: 6, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  variants: File
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
    doc: Reference FASTA (for CRAM and BAQ).
    secondaryFiles: [.fai]
    inputBinding: {position: 4, prefix: --reference}
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
  site_evidence:
    type: File
    outputBinding: {glob: site_evidence.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: sites.log
