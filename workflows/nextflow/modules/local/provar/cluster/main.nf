// provar cluster (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Seeded k-means over standardised sample_qc features. k and seed come from meta
// (meta.k, meta.seed; defaults 3 and 42), and are recorded in the ledger.
process PROVAR_CLUSTER {
    tag "${meta.id}"
    label 'process_single'

    // Copies, never symlinks: provar resolves symlinks before it compares a path with the
    // root of the ledger, so symlinked inputs would be recorded in other task directories.
    stageInMode 'copy'

    input:
    tuple val(meta), path(sample_qc), path(ledger_in, stageAs: 'ledger_in')

    output:
    tuple val(meta), path("clusters.parquet"), emit: clusters
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def k = meta.k ?: 3
    def seed = meta.seed != null ? meta.seed : 42
    """
    cp -R ledger_in ledger
    provar --threads ${task.cpus} cluster \\
        --tables . \\
        --out . \\
        --k ${k} \\
        --seed ${seed} \\
        --ledger ledger \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """

    stub:
    """
    cp -R ledger_in ledger
    touch clusters.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
