// provar coverage (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Per-sample depth over windows (and targets, via ext.args `--targets BED`) with mosdepth's
// semantics. Not run here: Nextflow cannot be installed on this machine.
process PROVAR_COVERAGE {
    tag "${meta.id}"
    label 'process_low'

    stageInMode 'copy'

    input:
    tuple val(meta), path(alignments), path(indexes), path(ledger_in, stageAs: 'ledger_in')
    tuple path(fasta), path(fai)

    output:
    tuple val(meta), path("coverage_*.parquet"), emit: coverage
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def reference = fasta ? "--reference ${fasta}" : ''
    """
    cp -R ledger_in ledger
    provar --threads ${task.cpus} coverage \\
        --bam ${alignments} \\
        ${reference} \\
        --window ${params.coverage_window ?: 1000} \\
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
    touch coverage_summary.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
