// provar ledger verify (nf-core module conventions: meta map, versions.yml).
//
// Lays out one results directory the way the ledgers recorded it (tables at the top,
// shards/1 .. shards/N, the main ledger and the shard segments beside them) and runs
// `provar ledger verify` on every ledger. Any finding fails the task (exit 1).
process PROVAR_LEDGERVERIFY {
    tag "${meta.id}"
    label 'process_single'

    // Copies, never symlinks: provar resolves symlinks before it compares a path with the
    // root of the ledger, so symlinked inputs would be recorded in other task directories.
    stageInMode 'copy'

    input:
    tuple val(meta), path(tables), path(shard_dirs, stageAs: 'shards/*'), path(ledger), path(segments)

    output:
    tuple val(meta), path("results"), emit: results
    path "versions.yml", emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def segment_names = (segments instanceof List ? segments : [segments]).collect { it.name }.join(' ')
    """
    mkdir results
    cp -R ${tables} shards ${ledger} ${segment_names} results/
    cd results
    for l in ${ledger} ${segment_names}; do
        if ! provar ledger verify --ledger "\$l" ${args} 2>> verify.log; then
            cat verify.log >&2
            exit 1
        fi
    done
    cd ..

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """

    stub:
    """
    mkdir results

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        provar: \$(provar --version | sed 's/^provar //')
    END_VERSIONS
    """
}
