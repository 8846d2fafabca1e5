// provar sites (nf-core module conventions: meta map, ext.args, versions.yml).
//
// Reads per allele and strand at the cohort's variants from BAM/CRAM files (bcftools
// mpileup's counting rules) into site_evidence.parquet. ext.args may add e.g.
// `--min-baseq 13` or `--baq off`. Not run here: Nextflow cannot be installed on this machine.
process PROVAR_SITES {
    tag "${meta.id}"
    label 'process_low'

    stageInMode 'copy'

    input:
    tuple val(meta), path(variants), path(alignments), path(indexes), path(ledger_in, stageAs: 'ledger_in')
    tuple path(fasta), path(fai)

    output:
    tuple val(meta), path("site_evidence.parquet"), emit: site_evidence
    tuple val(meta), path("ledger"), emit: ledger
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def reference = fasta ? "--reference ${fasta}" : ''
    """
    cp -R ledger_in ledger
    provar --threads ${task.cpus} sites \\
        --bam ${alignments} \\
        --variants . \\
        ${reference} \\
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
    touch site_evidence.parquet

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
