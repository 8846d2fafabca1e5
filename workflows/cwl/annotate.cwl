#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-annotate
label: "provar annotate: genes, transcripts and region classes from a GFF3/GTF gene model; consequences already in the VCF"
doc: |
  Stages the variants table (and the info table, when given: its INFO/CSQ, ANN or BCSQ
  become consequences.parquet) and runs
  `provar annotate --genes GENES --tables . --out . [--flank N] --ledger LEDGER_NAME
  [--population SITES_VCF]`.

requirements:
  InlineJavascriptRequirement: {}
  EnvVarRequirement:
    envDef:
      PROVAR_LEDGER_SEGMENT: '$(inputs.segment === null ? "" : inputs.segment)'
  InitialWorkDirRequirement:
    listing: |
      ${
        var listing = [{"entry": inputs.variants, "entryname": "variants.parquet", "writable": true}];
        if (inputs.info !== null) {
          listing.push({"entry": inputs.info, "entryname": "info.parquet", "writable": true});
        }
        if (inputs.ledger !== null) {
          listing.push({"entry": inputs.ledger, "entryname": inputs.ledger_name, "writable": true});
        }
        return listing;
      }
hints:
  SoftwareRequirement:
    packages:
      provar:
        version: ["0.1.0"]

baseCommand: provar
arguments:
  - {position: 0, valueFrom: annotate}
  - {position: 2, prefix: --tables, valueFrom: .}
  - {position: 3, prefix: --out, valueFrom: .}
  - {position: 5, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT).
  variants: File
  info:
    type: File?
    doc: The ingest's info.parquet; with INFO/CSQ, ANN or BCSQ it yields consequences.parquet.
  genes:
    type: File
    doc: GFF3 or GTF gene model (plain, gzip or BGZF).
    inputBinding: {position: 1, prefix: --genes}
  population:
    type: File?
    doc: Population sites VCF (gnomAD-style AF/AC/AN/nhomalt INFO), joined by exact allele match.
    inputBinding: {position: 6, prefix: --population}
  flank:
    type: int
    default: 0
    inputBinding: {position: 4, prefix: --flank}
  ledger:
    type: Directory?
  ledger_name:
    type: string
    default: ledger

outputs:
  annotations:
    type: File
    outputBinding: {glob: annotations.parquet}
  consequences:
    type: File?
    doc: Present when info.parquet carried INFO/CSQ, ANN or BCSQ.
    outputBinding: {glob: consequences.parquet}
  population_af:
    type: File?
    doc: Present when a population sites VCF was given.
    outputBinding: {glob: population.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: annotate.log
