// provar merge (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Gathers the shard directories (staged as shards/1 .. shards/N, each named after its
// shard number) into variants/calls/samples/info.parquet, byte-identical to one whole-file
// ingest, and starts the main ledger, ledger/.
process PROVAR_MERGE {
    tag "${meta.id}"
    label 'process_single'

    // Copies, never symlinks: provar resolves symlinks before it compares a path with the
    // root of the ledger, so symlinked inputs would be recorded in other task directories.
    stageInMode 'copy'

    input:
    tuple val(meta), path(shard_dirs, stageAs: 'shards/*')

    output:
    tuple val(meta), path("variants.parquet"), path("calls.parquet"), path("samples.parquet"), emit: tables
    tuple val(meta), path("info.parquet"), emit: info
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    // Shard order is the numeric order of the directory names (1, 2, ..., 10, ...).
    def ordered = (shard_dirs instanceof List ? shard_dirs : [shard_dirs])
        .collect { it.name }
        .sort { it as Integer }
        .collect { "shards/${it}" }
        .join(' ')
    """
    provar --threads ${task.cpus} merge ${ordered} \\
        --out . \\
        --ledger ledger \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p ledger
    touch variants.parquet calls.parquet samples.parquet info.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
