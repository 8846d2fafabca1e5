#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-ingest
label: "provar ingest: one shard of a cohort VCF into variants, calls and samples tables"
doc: |
  Runs `provar ingest VCF --shard SHARD/SHARD_COUNT --out shards/SHARD --ledger LEDGER_NAME`.
  Shard I of N holds the records whose POS falls in the I-th of N consecutive genome parts
  cut at index-bin boundaries, so the N shards partition the file; `provar merge` joins
  them into the bytes of one whole-file ingest. Sharding reads the VCF's .tbi or .csi index.

  Ledger: with `ledger` given, the run is appended to (a copy of) that ledger; without it a
  new ledger is started. Either way the ledger comes out as `ledger` (a directory named
  LEDGER_NAME), its artifact paths relative to the job directory (`shards/I/...`).

requirements:
  InlineJavascriptRequirement: {}
  EnvVarRequirement:
    envDef:
      # Record into a sealed segment of the ledger (provar ledger merge folds them).
      PROVAR_LEDGER_SEGMENT: '$(inputs.segment === null ? "" : inputs.segment)'
  InitialWorkDirRequirement:
    listing: |
      ${
        // A copy (writable), never a symlink: provar resolves symlinks, and the root of a
        // ledger is the directory that holds it.
        return inputs.ledger === null ? [] :
          [{"entry": inputs.ledger, "entryname": inputs.ledger_name, "writable": true}];
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
  - {position: 1, valueFrom: ingest}
  - {position: 3, prefix: --shard, valueFrom: "$(inputs.shard)/$(inputs.shard_count)"}
  - {position: 4, prefix: --out, valueFrom: "shards/$(inputs.shard)"}
  - {position: 5, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  vcf:
    type: File
    doc: Cohort VCF, bgzipped and indexed (.tbi or .csi beside it).
    secondaryFiles:
      - {pattern: .tbi, required: false}
      - {pattern: .csi, required: false}
    inputBinding: {position: 2}
  shard:
    type: int
    doc: Which shard, 1-based.
  shard_count:
    type: int
    doc: How many shards the file is cut into.
  threads:
    type: int
    default: 1
  ledger:
    type: Directory?
    doc: A ledger to append to (copied); none starts a new one.
  ledger_name:
    type: string
    default: ledger
    doc: Name of the ledger directory in the job directory and in the output.

outputs:
  shard_dir:
    type: Directory
    doc: The shard's four tables, in a directory named after the shard number.
    outputBinding: {glob: "shards/$(inputs.shard)"}
  variants:
    type: File
    outputBinding: {glob: "shards/$(inputs.shard)/variants.parquet"}
  calls:
    type: File
    outputBinding: {glob: "shards/$(inputs.shard)/calls.parquet"}
  samples:
    type: File
    outputBinding: {glob: "shards/$(inputs.shard)/samples.parquet"}
  info:
    type: File
    doc: Every INFO field of the header, typed, one row per split variant.
    outputBinding: {glob: "shards/$(inputs.shard)/info.parquet"}
  format:
    type: File?
    doc: FORMAT keys beyond GT, AD, DP, GQ and PL, typed (only when the header declares any).
    outputBinding: {glob: "shards/$(inputs.shard)/format.parquet"}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: ingest.log
