// provar qc (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Hail's variant_qc and sample_qc over the ingest tables. Appends to a copy of the ledger
// that recorded those tables (staged as ledger_in/, written back as ledger/), so the qc
// record links to the record that produced its inputs.
process PROVAR_QC {
    tag "${meta.id}"
    label 'process_single'

    // Copies, never symlinks: provar resolves symlinks before it compares a path with the
    // root of the ledger, so symlinked inputs would be recorded in other task directories.
    stageInMode 'copy'

    input:
    tuple val(meta), path(variants), path(calls), path(samples), path(ledger_in, stageAs: 'ledger_in')

    output:
    tuple val(meta), path("variant_qc.parquet"), path("sample_qc.parquet"), emit: qc
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    cp -R ledger_in ledger
    provar --threads ${task.cpus} qc \\
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
    touch variant_qc.parquet sample_qc.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
