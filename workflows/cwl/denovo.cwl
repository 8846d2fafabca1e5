#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
id: provar-denovo
label: "provar denovo: positional clustering of de novo mutations within genes (denovonear's statistic)"
doc: |
  Runs `provar denovo --de-novos FILE --genes GTF --fasta FA --rates FILE --out .
  [--gene G]... --iterations N --seed S --ledger LEDGER_NAME`.

requirements:
  InlineJavascriptRequirement: {}
  EnvVarRequirement:
    envDef:
      PROVAR_LEDGER_SEGMENT: '$(inputs.segment === null ? "" : inputs.segment)'
  InitialWorkDirRequirement:
    listing: |
      ${
        return inputs.ledger === null ? [] :
          [{"entry": inputs.ledger, "entryname": inputs.ledger_name, "writable": true}];
      }
hints:
  SoftwareRequirement:
    packages:
      provar:
        version: ["0.1.0"]

baseCommand: provar
arguments:
  - {position: 0, valueFrom: denovo}
  - {position: 8, prefix: --out, valueFrom: .}
  - {position: 9, prefix: --ledger, valueFrom: $(inputs.ledger_name)}

inputs:
  segment:
    type: string?
    doc: Name of the ledger segment to record into (PROVAR_LEDGER_SEGMENT).
  de_novos:
    type: File
    doc: De novo table (denovonear or Kaplanis 2020 format).
    inputBinding: {position: 1, prefix: --de-novos}
  genes:
    type: File
    doc: GTF gene model with CDS features.
    inputBinding: {position: 2, prefix: --genes}
  fasta:
    type: File
    doc: Genome FASTA (with .fai).
    secondaryFiles: [.fai]
    inputBinding: {position: 3, prefix: --fasta}
  rates:
    type: File
    doc: Trinucleotide mutation rates.
    inputBinding: {position: 4, prefix: --rates}
  gene:
    type:
      - "null"
      - type: array
        items: string
        inputBinding: {prefix: --gene}
    doc: Only these genes (each given as --gene SYMBOL).
    inputBinding: {position: 5}
  iterations:
    type: int
    default: 1000000
    inputBinding: {position: 6, prefix: --iterations}
  seed:
    type: int
    default: 42
    inputBinding: {position: 7, prefix: --seed}
  ledger:
    type: Directory?
  ledger_name:
    type: string
    default: ledger

outputs:
  denovo_clusters:
    type: File
    outputBinding: {glob: denovo_clusters.parquet}
  ledger_out:
    type: Directory
    outputBinding: {glob: $(inputs.ledger_name)}
  log:
    type: stderr

stderr: denovo.log
