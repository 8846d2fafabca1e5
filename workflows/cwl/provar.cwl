#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: Workflow
id: provar
label: "provar: sharded ingest, merge, qc, cluster, report, and ledger verification"
doc: |
  Scatters `provar ingest --shard I/N` over I = 1..N, gathers the shards with
  `provar merge`, runs `provar qc`, `provar cluster` and `provar report`, then verifies
  every ledger.
  The final tables are byte-identical to `provar run --vcf VCF` on the same VCF.

  Ledgers: every step runs in its own directory, so the ledger travels as a Directory
  from step to step (each step appends to a copy and outputs it). Scattered shards cannot
  share one ledger, so each shard writes its own ledger segment (`ledger-shard-I`); the
  merge step starts the main `ledger`, and qc and cluster append to it, linked by
  `produced_by` to the merge record. Every step stages its inputs under the names the
  ledgers use, so the final `results` directory holds the tables, shards/I/, the main
  ledger and the segments, and each of them passes `provar ledger verify` there.
  (When provar gains `provar ledger merge` for segments, the merge step folds the shard
  segments into the main ledger.)

requirements:
  ScatterFeatureRequirement: {}
  MultipleInputFeatureRequirement: {}
  StepInputExpressionRequirement: {}
  InlineJavascriptRequirement: {}

inputs:
  vcf:
    type: File
    doc: Cohort VCF, bgzipped and indexed (.tbi or .csi beside it).
    secondaryFiles:
      - {pattern: .tbi, required: false}
      - {pattern: .csi, required: false}
  shard_count:
    type: int
    default: 4
  seed:
    type: int
    default: 42
  threads:
    type: int
    default: 1

outputs:
  results:
    type: Directory
    doc: Tables, shards/I/, ledger/, ledger-shard-I/ and verify.log, all verified.
    outputSource: verify/results

steps:
  shard_numbers:
    in:
      count: shard_count
    out: [numbers]
    run:
      class: ExpressionTool
      inputs:
        count: int
      outputs:
        numbers: int[]
      expression: |
        ${
          var numbers = [];
          for (var i = 1; i <= inputs.count; i++) { numbers.push(i); }
          return {"numbers": numbers};
        }

  ingest:
    run: ingest.cwl
    scatter: shard
    in:
      vcf: vcf
      shard: shard_numbers/numbers
      shard_count: shard_count
      threads: threads
      ledger_name:
        valueFrom: $("ledger-shard-" + inputs.shard)
    out: [shard_dir, ledger_out]

  # sites / coverage (issue 5): not yet a provar stage; a scattered step over the same shards
  # goes here when it is.

  merge:
    run: merge.cwl
    in:
      shards: ingest/shard_dir
      threads: threads
    out: [variants, calls, samples, info, ledger_out]

  qc:
    run: qc.cwl
    in:
      variants: merge/variants
      calls: merge/calls
      samples: merge/samples
      threads: threads
      ledger: merge/ledger_out
    out: [variant_qc, sample_qc, ledger_out]

  # rare-disease stages (issue 6): not yet provar stages; they go here, appending to the
  # ledger passed along from qc.

  cluster:
    run: cluster.cwl
    in:
      variants: merge/variants
      calls: merge/calls
      samples: merge/samples
      info: merge/info
      seed: seed
      threads: threads
      ledger: qc/ledger_out
    out: [clusters, pca, relatedness, ledger_out]

  report:
    run: report.cwl
    in:
      tables:
        source: [merge/variants, merge/calls, merge/samples, merge/info, qc/variant_qc, qc/sample_qc, cluster/clusters, cluster/pca, cluster/relatedness]
        linkMerge: merge_flattened
      ledger: cluster/ledger_out
    out: [report, ledger_out]

  verify:
    run: ledger-verify.cwl
    in:
      ledger: report/ledger_out
      segments: ingest/ledger_out
      tables:
        source: [merge/variants, merge/calls, merge/samples, merge/info, qc/variant_qc, qc/sample_qc, cluster/clusters, cluster/pca, cluster/relatedness, report/report]
        linkMerge: merge_flattened
      shards: ingest/shard_dir
    out: [results]
