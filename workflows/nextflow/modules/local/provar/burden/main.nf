// provar burden (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Per-gene burden of qualifying rare variants in cases vs controls (PED phenotype),
// one-sided Fisher exact test and BH FDR. ext.args may add e.g. `--window 1000000` for
// VCFs without INFO/BCSQ. Not run here: Nextflow cannot be installed on this machine.
process PROVAR_BURDEN {
    tag "${meta.id}"
    label 'process_single'

    stageInMode 'copy'

    input:
    tuple val(meta), path(variants), path(calls), path(samples), path(info), path(variant_qc), path(ped), path(ledger_in, stageAs: 'ledger_in')

    output:
    tuple val(meta), path("burden.parquet"), emit: burden
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    cp -R ledger_in ledger
    provar --threads ${task.cpus} burden \\
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
    touch burden.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
