// provar ingest, one shard (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Reads shard SHARD of SHARD_COUNT of an indexed cohort VCF into shards/SHARD/
// {variants,calls,samples}.parquet and records the run in a new ledger segment,
// ledger-shard-SHARD/ (artifact paths relative to the task directory: shards/SHARD/...).
process PROVAR_INGEST {
    tag "${meta.id} shard ${shard}/${shard_count}"
    label 'process_single'

    // No published container or conda package yet: provar must be on PATH (e.g. in a
    // container you build, set with process.container in nextflow.config).
    // The VCF stays symlinked (the default): provar resolves the symlink and records the
    // VCF at its real, absolute path. The ledger segment is new, so nothing needs copying.

    input:
    tuple val(meta), path(vcf), path(index), val(shard), val(shard_count)

    output:
    tuple val(meta), val(shard), path("shards/${shard}"), emit: shard_dir
    tuple val(meta), val(shard), path("ledger-shard-${shard}"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    provar --threads ${task.cpus} ingest ${vcf} \\
        --shard ${shard}/${shard_count} \\
        --out shards/${shard} \\
        --ledger ledger-shard-${shard} \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p shards/${shard} ledger-shard-${shard}
    touch shards/${shard}/variants.parquet shards/${shard}/calls.parquet shards/${shard}/samples.parquet shards/${shard}/info.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
