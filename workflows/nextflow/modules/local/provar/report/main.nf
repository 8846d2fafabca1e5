// provar report (nf-core module conventions: meta map, ext.args, versions.yml).
//
// One self-contained HTML page over the tables, with the digest the ledger recorded for each.
// The tables are staged by their own names next to the ledger that recorded them. Not run
// here: Nextflow cannot be installed on this machine.
process PROVAR_REPORT {
    tag "${meta.id}"
    label 'process_single'

    stageInMode 'copy'

    input:
    tuple val(meta), path(tables), path(ledger_in, stageAs: 'ledger_in')

    output:
    tuple val(meta), path("report.html"), emit: report
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    cp -R ledger_in ledger
    provar report \\
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
    touch report.html

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
