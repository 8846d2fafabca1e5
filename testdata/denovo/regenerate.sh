#!/usr/bin/env bash
# Regenerates denovonear's outputs for the OR4F5 example (GRCh38, local GTF and FASTA, no
# network) and for three more de novo sets placed on the same gene: a tight cluster, a
# spread-out set, and a set with a repeated site. Needs `pip install denovonear==0.13.2`.
# denovonear uses its bundled trinucleotide rates, the same file as
# rates_trinucleotide_mutation_model.txt here (its --rates option fails on a path in 0.13.2).
# Run from this directory: bash regenerate.sh
set -euo pipefail
denovonear=${DENOVONEAR:-denovonear}
header=$'gene_name\tchr\tpos\tconsequence\tsnp_or_indel'
run() {
    local name=$1; shift
    { echo "$header"; for pos in "$@"; do printf 'OR4F5\tchr1\t%s\tmissense_variant\tDENOVO-SNP\n' "$pos"; done; } > "set-$name.txt"
    "$denovonear" cluster --in "set-$name.txt" --gencode example.grch38.gtf \
        --fasta example.grch38.fa \
        --out "denovonear-$name.tsv" 2> /dev/null
}
"$denovonear" cluster --in example.grch38.dnms.txt --gencode example.grch38.gtf \
    --fasta example.grch38.fa \
    --out denovonear-example.tsv 2> /dev/null
run tight 69100 69103 69106 69112 69115
run spread 69150 69500 69950
run repeated 69500 69500 69500 69700
$denovonear --version 2>/dev/null || pip show denovonear 2>/dev/null | grep -i '^version' || true
