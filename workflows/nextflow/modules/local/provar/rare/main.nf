// provar rare (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Mendel errors (Hail's codes) and inheritance-mode candidates for the families of a PED
// file, from the merged ingest tables. Not run here: Nextflow cannot be installed on this
// machine (see workflows/README.md).
process PROVAR_RARE {
    tag "${meta.id}"
    label 'process_single'

    // Copies, never symlinks: provar resolves symlinks before it compares a path with the
    // root of the ledger, so symlinked inputs would be recorded in other task directories.
    stageInMode 'copy'

    input:
    tuple val(meta), path(variants), path(calls), path(samples), path(info), path(ped), path(ledger_in, stageAs: 'ledger_in')

    output:
    tuple val(meta), path("mendel_*.parquet"), path("candidates.parquet"), emit: rare
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    cp -R ledger_in ledger
    provar --threads ${task.cpus} rare \\
        --ped ${ped} \\
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
    touch mendel_errors.parquet mendel_families.parquet mendel_individuals.parquet mendel_variants.parquet candidates.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
