#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-rare
label: "provar rare: Mendel errors and inheritance-mode candidates for a pedigree"
doc: |
  Stages the ingest tables (info included: FILTER, INFO/DP, BCSQ genes) and the PED, and
  runs `provar rare --ped PED --tables . --out . --ledger LEDGER_NAME`.

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
          {"entry": inputs.ped, "entryname": "pedigree.ped", "writable": true}
        ];
        if (inputs.ledger !== null) {
          listing.push({"entry": inputs.ledger,
                        "entryname": inputs.ledger_name, "writable": true});
        }
        if (inputs.site_evidence !== null) {
          listing.push({"entry": inputs.site_evidence,
                        "entryname": "site_evidence.parquet", "writable": true});
        }
        if (inputs.variant_qc !== null) {
          listing.push({"entry": inputs.variant_qc,
                        "entryname": "variant_qc.parquet", "writable": true});
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
  - {position: 1, valueFrom: rare}
  - {position: 2, prefix: --ped, valueFrom: pedigree.ped}
  - {position: 3, prefix: --tables, valueFrom: .}
  - {position: 4, prefix: --out, valueFrom: .}
  - {position: 6, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  variants: File
  calls: File
  samples: File
  info: File
  variant_qc:
    type: File?
    doc: variant_qc.parquet of `provar qc`, for the candidates' cohort_af column (and --max-cohort-af).
  ped:
    type: File
    doc: PED/FAM file (family, individual, father, mother, sex, phenotype).
  site_evidence:
    type: File?
    doc: site_evidence.parquet of `provar sites`; with it AD and DP come from the reads (--read-evidence).
    inputBinding:
      position: 5
      valueFrom: '$(self === null ? null : "--read-evidence")'
  build:
    type: string
    default: GRCh37
    inputBinding: {position: 5, prefix: --build}
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
  mendel_errors:
    type: File
    outputBinding: {glob: mendel_errors.parquet}
  mendel_families:
    type: File
    outputBinding: {glob: mendel_families.parquet}
  mendel_individuals:
    type: File
    outputBinding: {glob: mendel_individuals.parquet}
  mendel_variants:
    type: File
    outputBinding: {glob: mendel_variants.parquet}
  candidates:
    type: File
    outputBinding: {glob: candidates.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: rare.log
