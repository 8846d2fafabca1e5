#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-ledger-gather
label: "Gather the sealed ledger segments of scattered steps into one ledger directory"
doc: |
  Every step of provar.cwl records into its own sealed segment (PROVAR_LEDGER_SEGMENT) of a
  ledger in its own directory. This copies the segments of all those ledgers into one
  ledger directory, `ledger/segments/NAME`, without merging them: the next step (report)
  reads them as pending records, and the verify step folds them with `provar ledger merge`.

requirements:
  InlineJavascriptRequirement: {}
  InitialWorkDirRequirement:
    listing: |
      ${
        var listing = [];
        for (var i = 0; i < inputs.ledgers.length; i++) {
          listing.push({"entry": inputs.ledgers[i], "entryname": "in-" + i, "writable": false});
        }
        return listing;
      }

baseCommand: [sh, -c, 'set -e; mkdir -p ledger/segments; for d in in-*; do cp -R "$d"/segments/. ledger/segments/; done']

inputs:
  ledgers:
    type: Directory[]
    doc: Ledger directories, each holding sealed segments under segments/.

outputs:
  ledger:
    type: Directory
    outputBinding: {glob: ledger}
