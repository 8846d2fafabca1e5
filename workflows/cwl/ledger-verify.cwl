#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-ledger-verify
label: "provar ledger verify: re-hash every recorded artifact and re-check the chain"
doc: |
  Lays out one results directory the way the ledgers recorded it (relative to the
  directory that holds them): the tables at the top, the shard tables under shards/1 ..
  shards/N, the main ledger and any other ledgers beside them. Then folds the main ledger's
  sealed segments into its log (`provar ledger merge`, idempotent) and runs
  `provar ledger verify --ledger L` for the main ledger and each other one; any finding
  (exit 1) fails the step. Outputs the whole directory as `results`, which verifies again
  wherever it is copied (absolute paths, like the input VCF's, must stay where they were).

requirements:
  InlineJavascriptRequirement: {}
  InitialWorkDirRequirement:
    listing: |
      ${
        // Copies (writable), never symlinks: provar resolves symlinks before it compares
        // a path with the root of a ledger.
        var listing = [{"entry": inputs.ledger,
                        "entryname": inputs.ledger.basename, "writable": true}];
        for (var i = 0; i < inputs.segments.length; i++) {
          listing.push({"entry": inputs.segments[i],
                        "entryname": inputs.segments[i].basename, "writable": true});
        }
        for (var j = 0; j < inputs.tables.length; j++) {
          listing.push({"entry": inputs.tables[j],
                        "entryname": inputs.tables[j].basename, "writable": true});
        }
        if (inputs.ped !== null) {
          listing.push({"entry": inputs.ped, "entryname": "pedigree.ped", "writable": true});
        }
        for (var k = 0; k < inputs.shards.length; k++) {
          listing.push({"entry": inputs.shards[k],
                        "entryname": "shards/" + (k + 1), "writable": true});
        }
        return listing;
      }
hints:
  SoftwareRequirement:
    packages:
      provar:
        version: ["0.1.0"]

baseCommand: [sh, -c, 'set -e; provar ledger merge --ledger "$1"; for l in "$@"; do provar ledger verify --ledger "$l"; done', provar-ledger-verify]
arguments:
  - position: 1
    valueFrom: |
      ${
        var names = [inputs.ledger.basename];
        for (var i = 0; i < inputs.segments.length; i++) { names.push(inputs.segments[i].basename); }
        return names;
      }

inputs:
  ledger:
    type: Directory
    doc: The main ledger.
  segments:
    type: Directory[]
    default: []
    doc: Further ledgers over the same layout (e.g. one per ingest shard), each verified too.
  tables:
    type: File[]
    default: []
    doc: Artifacts recorded at the top of the layout (e.g. variants.parquet).
  ped:
    type: File?
    doc: The pedigree the rare-disease steps read, recorded as pedigree.ped.
  shards:
    type: Directory[]
    default: []
    doc: Shard directories recorded as shards/1 .. shards/N, in shard order.

outputs:
  results:
    type: Directory
    doc: The verified layout (tables, shards/, ledgers, verify.log).
    outputBinding:
      glob: .
      outputEval: ${ self[0].basename = "results"; return self[0]; }
  report:
    type: stderr

stderr: verify.log
