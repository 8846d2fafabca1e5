#!/usr/bin/env nextflow
// provar as a Nextflow DSL2 pipeline: scatter `provar ingest --shard I/N` over I = 1..N,
// gather with `provar merge`, then `provar qc`, `provar cluster` and `provar ledger verify`.
//
//   nextflow run main.nf                                  # bundled cohort, 4 shards
//   nextflow run main.nf --vcf cohort.vcf.gz --shards 32 --outdir results -profile slurm
//
// NOT RUN in this repository's CI: Nextflow cannot be installed on the build machines (its
// launcher downloads its runtime at first start). See workflows/README.md.
nextflow.enable.dsl = 2

include { PROVAR_INGEST       } from './modules/local/provar/ingest/main'
include { PROVAR_MERGE        } from './modules/local/provar/merge/main'
include { PROVAR_QC           } from './modules/local/provar/qc/main'
include { PROVAR_CLUSTER      } from './modules/local/provar/cluster/main'
include { PROVAR_LEDGERVERIFY } from './modules/local/provar/ledgerverify/main'

workflow PROVAR {
    take:
    ch_vcf      // channel: [ val(meta), path(vcf), path(index) ]
    shard_count // val: number of shards

    main:
    ch_versions = Channel.empty()

    // Scatter: one task per shard.
    ch_shards = ch_vcf.combine(Channel.of(1..shard_count))
        .map { meta, vcf, index, shard -> [ meta, vcf, index, shard, shard_count ] }
    PROVAR_INGEST(ch_shards)
    ch_versions = ch_versions.mix(PROVAR_INGEST.out.versions.first())

    // Gather: every shard of a cohort, in shard order (tasks finish in any order, so sort
    // the (shard, dir) pairs by shard number).
    ch_shard_dirs = PROVAR_INGEST.out.shard_dir
        .groupTuple(size: shard_count)
        .map { meta, shards, dirs -> [ meta, [shards, dirs].transpose().sort { it[0] }.collect { it[1] } ] }
    ch_segments = PROVAR_INGEST.out.ledger
        .groupTuple(size: shard_count)
        .map { meta, shards, dirs -> [ meta, [shards, dirs].transpose().sort { it[0] }.collect { it[1] } ] }

    // sites / coverage: the PROVAR_SITES and PROVAR_COVERAGE modules exist
    // (modules/local/provar/{sites,coverage}) but are not wired in: this workflow takes no
    // BAM/CRAM files yet. They would run after PROVAR_MERGE (sites on its variants table).

    PROVAR_MERGE(ch_shard_dirs)
    ch_versions = ch_versions.mix(PROVAR_MERGE.out.versions)

    PROVAR_QC(PROVAR_MERGE.out.tables.join(PROVAR_MERGE.out.ledger))
    ch_versions = ch_versions.mix(PROVAR_QC.out.versions)

    // rare-disease stages: the PROVAR_RARE and PROVAR_BURDEN modules exist but are not
    // wired in: this workflow takes no pedigree yet.

    PROVAR_CLUSTER(
        PROVAR_MERGE.out.tables
            .join(PROVAR_QC.out.ledger)
    )
    ch_versions = ch_versions.mix(PROVAR_CLUSTER.out.versions)

    // report: the PROVAR_REPORT module exists but is not wired in yet; it would go here,
    // before verify (Snakemake and CWL run the step).

    ch_tables = PROVAR_MERGE.out.tables
        .join(PROVAR_MERGE.out.info)
        .join(PROVAR_QC.out.qc)
        .join(PROVAR_CLUSTER.out.clusters)
        .join(PROVAR_CLUSTER.out.structure)
        .map { meta, variants, calls, samples, info, variant_qc, sample_qc, clusters, pca, relatedness ->
            [ meta, [ variants, calls, samples, info, variant_qc, sample_qc, clusters, pca, relatedness ] ] }
    PROVAR_LEDGERVERIFY(
        ch_tables
            .join(ch_shard_dirs)
            .join(PROVAR_CLUSTER.out.ledger)
            .join(ch_segments)
    )
    ch_versions = ch_versions.mix(PROVAR_LEDGERVERIFY.out.versions)

    emit:
    results  = PROVAR_LEDGERVERIFY.out.results // channel: [ val(meta), path(results) ]
    versions = ch_versions                     // channel: path(versions.yml)
}

workflow {
    def vcf = file(params.vcf, checkIfExists: true)
    def index = file("${params.vcf}.tbi").exists() ? file("${params.vcf}.tbi") : file("${params.vcf}.csi", checkIfExists: true)
    def meta = [ id: params.id ?: vcf.simpleName, k: params.k, seed: params.seed ]

    PROVAR(Channel.of([ meta, vcf, index ]), params.shards as Integer)

    PROVAR.out.versions
        .unique()
        .collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info")
}
