#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-merge
label: "provar merge: join shard tables into the tables of one whole-file ingest"
doc: |
  Stages the shard directories as shards/1 .. shards/N (in the given order) and runs
  `provar merge shards/1 .. shards/N --out . --ledger LEDGER_NAME`. The merged
  variants/calls/samples tables are byte-identical to one `provar ingest` over the whole
  file. Ledger handling as in ingest.cwl.

requirements:
  InlineJavascriptRequirement: {}
  EnvVarRequirement:
    envDef:
      # Record into a sealed segment of the ledger (provar ledger merge folds them).
      PROVAR_LEDGER_SEGMENT: '$(inputs.segment === null ? "" : inputs.segment)'
  InitialWorkDirRequirement:
    listing: |
      ${
        var listing = [];
        for (var i = 0; i < inputs.shards.length; i++) {
          listing.push({"entry": inputs.shards[i],
                        "entryname": "shards/" + (i + 1), "writable": true});
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
  - {position: 1, valueFrom: merge}
  - position: 2
    valueFrom: |
      ${
        var dirs = [];
        for (var i = 0; i < inputs.shards.length; i++) { dirs.push("shards/" + (i + 1)); }
        return dirs;
      }
  - {position: 3, prefix: --out, valueFrom: .}
  - {position: 4, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  shards:
    type: Directory[]
    doc: Shard directories of ingest.cwl (each holding variants, calls and samples .parquet), in shard order.
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
  variants:
    type: File
    outputBinding: {glob: variants.parquet}
  calls:
    type: File
    outputBinding: {glob: calls.parquet}
  samples:
    type: File
    outputBinding: {glob: samples.parquet}
  info:
    type: File
    outputBinding: {glob: info.parquet}
  format:
    type: File?
    doc: FORMAT keys beyond GT, AD, DP, GQ and PL, typed (only when the header declares any).
    outputBinding: {glob: format.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: merge.log
