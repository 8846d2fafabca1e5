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

  Ledger: every step runs in its own directory and records into its own sealed segment
  (PROVAR_LEDGER_SEGMENT: ingest-I, merge, qc, cluster, report), as the Snakemake jobs do.
  The gather step copies the segments into one ledger directory (the report reads them as
  pending records to show each table's digest), and the verify step folds them into one log
  with `provar ledger merge` (dependency order) and verifies it. Every step stages its
  inputs under the names the ledger uses, so the final `results` directory holds the
  tables, shards/I/ and one ledger that passes `provar ledger verify` there.

requirements:
  ScatterFeatureRequirement: {}
  # rare and burden run only with a pedigree (`when`), and their outputs join the report's.
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
  ped:
    type: File?
    doc: PED/FAM file; with it the rare-disease stages run (Mendel errors, candidates, burden).
  burden_window:
    type: int?
    doc: Burden in windows of this many bases instead of INFO/BCSQ genes (VCFs without BCSQ).
  alignments:
    type: File[]?
    doc: BAM/CRAM files of the samples; with them sites and coverage run, and rare takes AD/DP from the reads.
    secondaryFiles:
      - {pattern: .bai, required: false}
      - {pattern: .crai, required: false}
  reference:
    type: File?
    doc: Reference FASTA (for CRAM and BAQ).
    secondaryFiles: [.fai]
  coverage_window:
    type: int
    default: 1000

outputs:
  results:
    type: Directory
    doc: Tables, report.html, shards/I/, one ledger/ (every segment merged) and verify.log, verified.
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
      segment:
        valueFrom: $("ingest-" + inputs.shard)
    out: [shard_dir, ledger_out]

  merge:
    run: merge.cwl
    in:
      shards: ingest/shard_dir
      threads: threads
      segment: {default: merge}
    out: [variants, calls, samples, info, ledger_out]

  qc:
    run: qc.cwl
    in:
      variants: merge/variants
      calls: merge/calls
      samples: merge/samples
      ped: ped
      threads: threads
      segment: {default: qc}
    out: [variant_qc, sample_qc, ledger_out]

  cluster:
    run: cluster.cwl
    in:
      variants: merge/variants
      calls: merge/calls
      samples: merge/samples
      info: merge/info
      seed: seed
      ped: ped
      threads: threads
      segment: {default: cluster}
    out: [clusters, pca, relatedness, ledger_out]

  sites:
    run: sites.cwl
    when: $(inputs.alignments !== null)
    in:
      variants: merge/variants
      alignments: alignments
      reference: reference
      threads: threads
      segment: {default: sites}
    out: [site_evidence, ledger_out]

  coverage:
    run: coverage.cwl
    when: $(inputs.alignments !== null)
    in:
      alignments: alignments
      reference: reference
      window: coverage_window
      threads: threads
      segment: {default: coverage}
    out: [summary, windows, ledger_out]

  rare:
    run: rare.cwl
    when: $(inputs.ped !== null)
    in:
      site_evidence: sites/site_evidence
      variants: merge/variants
      calls: merge/calls
      samples: merge/samples
      info: merge/info
      variant_qc: qc/variant_qc
      ped: ped
      threads: threads
      segment: {default: rare}
    out: [mendel_errors, mendel_families, mendel_individuals, mendel_variants, candidates, ledger_out]

  burden:
    run: burden.cwl
    when: $(inputs.ped !== null)
    in:
      variants: merge/variants
      calls: merge/calls
      samples: merge/samples
      info: merge/info
      variant_qc: qc/variant_qc
      ped: ped
      window: burden_window
      threads: threads
      segment: {default: burden}
    out: [burden, ledger_out]

  gather:
    run: ledger-gather.cwl
    in:
      ledgers:
        source: [ingest/ledger_out, merge/ledger_out, qc/ledger_out, cluster/ledger_out, sites/ledger_out, coverage/ledger_out, rare/ledger_out, burden/ledger_out]
        linkMerge: merge_flattened
        pickValue: all_non_null
    out: [ledger]

  report:
    run: report.cwl
    in:
      tables:
        source: [merge/variants, merge/calls, merge/samples, merge/info, qc/variant_qc, qc/sample_qc, cluster/clusters, cluster/pca, cluster/relatedness, sites/site_evidence, coverage/summary, coverage/windows, rare/mendel_errors, rare/mendel_families, rare/mendel_individuals, rare/mendel_variants, rare/candidates, burden/burden]
        linkMerge: merge_flattened
        pickValue: all_non_null
      ledger: gather/ledger
      ped: ped
      segment: {default: report}
    out: [report, ledger_out]

  verify:
    run: ledger-verify.cwl
    in:
      ledger: report/ledger_out
      ped: ped
      tables:
        source: [merge/variants, merge/calls, merge/samples, merge/info, qc/variant_qc, qc/sample_qc, cluster/clusters, cluster/pca, cluster/relatedness, sites/site_evidence, coverage/summary, coverage/windows, rare/mendel_errors, rare/mendel_families, rare/mendel_individuals, rare/mendel_variants, rare/candidates, burden/burden, report/report]
        linkMerge: merge_flattened
        pickValue: all_non_null
      shards: ingest/shard_dir
    out: [results]
