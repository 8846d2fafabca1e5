// provar cluster (nf-core module conventions: meta map, ext.args, versions.yml).
//
// PCA on genotype dosages, a Gaussian mixture in PC space (k by BIC) refined by the
// genotype likelihood, and KING kinship per pair. The seed comes from meta (meta.seed,
// default 42) and is recorded in the ledger.
process PROVAR_CLUSTER {
    tag "${meta.id}"
    label 'process_single'

    // Copies, never symlinks: provar resolves symlinks before it compares a path with the
    // root of the ledger, so symlinked inputs would be recorded in other task directories.
    stageInMode 'copy'

    input:
    tuple val(meta), path(variants), path(calls), path(samples), path(ledger_in, stageAs: 'ledger_in')

    output:
    tuple val(meta), path("clusters.parquet"), emit: clusters
    tuple val(meta), path("pca.parquet"), path("relatedness.parquet"), emit: structure
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def seed = meta.seed != null ? meta.seed : 42
    """
    cp -R ledger_in ledger
    provar --threads ${task.cpus} cluster \\
        --on genotypes \\
        --tables . \\
        --out . \\
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
    touch clusters.parquet pca.parquet relatedness.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
