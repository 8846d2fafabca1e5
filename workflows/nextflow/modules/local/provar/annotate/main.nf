// provar annotate (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Genes, transcripts and region classes of the variants from a GFF3/GTF gene model into
// annotations.parquet. ext.args may add e.g. `--flank 5000`. Not run here: Nextflow cannot
// be installed on this machine.
process PROVAR_ANNOTATE {
    tag "${meta.id}"
    label 'process_single'

    stageInMode 'copy'

    input:
    tuple val(meta), path(variants), path(ledger_in, stageAs: 'ledger_in')
    path(genes)

    output:
    tuple val(meta), path("annotations.parquet"), emit: annotations
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    cp -R ledger_in ledger
    provar annotate \\
        --genes ${genes} \\
        --tables . \\
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
    cp -R ledger_in ledger
    touch annotations.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
