// provar denovo (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Positional clustering of de novo mutations within genes (denovonear's statistic, seeded
// simulation) into denovo_clusters.parquet. ext.args may add `--gene SYMBOL`,
// `--iterations N`, `--seed S`. Not run here: Nextflow cannot be installed on this machine.
process PROVAR_DENOVO {
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(de_novos)
    tuple path(genes), path(fasta), path(fai), path(rates)

    output:
    tuple val(meta), path("denovo_clusters.parquet"), emit: clusters
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    provar denovo \\
        --de-novos ${de_novos} \\
        --genes ${genes} \\
        --fasta ${fasta} \\
        --rates ${rates} \\
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
    touch denovo_clusters.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
