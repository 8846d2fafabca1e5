#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-report
label: "provar report: one self-contained HTML page over the tables, with their ledger digests"
doc: |
  Stages every table under its own name and the ledger, and runs
  `provar report --tables . --out . --ledger LEDGER_NAME`. The page lists the BLAKE3 the
  ledger recorded for each table it shows.

requirements:
  InlineJavascriptRequirement: {}
  EnvVarRequirement:
    envDef:
      # Record into a sealed segment of the ledger (provar ledger merge folds them).
      PROVAR_LEDGER_SEGMENT: '$(inputs.segment === null ? "" : inputs.segment)'
  InitialWorkDirRequirement:
    listing: |
      ${
        // Copies (writable), never symlinks: provar resolves symlinks before it compares
        // a path with the root of a ledger, and a symlinked table would not be found there.
        var listing = inputs.tables.map(function (t) {
          return {"entry": t, "entryname": t.basename, "writable": true};
        });
        listing.push({"entry": inputs.ledger, "entryname": inputs.ledger_name,
                      "writable": true});
        if (inputs.ped !== null) {
          listing.push({"entry": inputs.ped, "entryname": "pedigree.ped", "writable": true});
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
  - {position: 1, valueFrom: report}
  - {position: 2, prefix: --tables, valueFrom: .}
  - {position: 3, prefix: --out, valueFrom: .}
  - {position: 4, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT); none appends to the ledger directly.
  tables:
    type: File[]
    doc: The tables to report on (NAME.parquet each).
  ped:
    type: File?
    doc: PED/FAM file; the PCA plot is then coloured by family too.
    inputBinding: {position: 5, prefix: --ped, valueFrom: pedigree.ped}
  ledger:
    type: Directory
    doc: The ledger that recorded the tables (copied; the report is appended to it).
  ledger_name:
    type: string
    default: ledger

outputs:
  report:
    type: File
    outputBinding: {glob: report.html}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: report.log
