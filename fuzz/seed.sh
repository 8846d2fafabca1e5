#!/usr/bin/env bash
# Builds the seed corpora under fuzz/corpus/<target>/ from testdata/ (real files), so every
# target starts from valid inputs and their known-bad neighbours.
set -euo pipefail
cd "$(dirname "$0")"
td=../testdata
mkdir -p corpus/vcf_file corpus/genotype corpus/gene_model corpus/ledger_text corpus/ped
# VCF: the vcf-validator / htsjdk / cyvcf2 corpus (plain-text files under 64 KiB).
# Files are named by content digest (as libFuzzer does), so same-named cases do not collide.
add() { cp "$1" "corpus/$2/$(sha1sum < "$1" | cut -c1-16)"; }
while IFS= read -r f; do add "$f" vcf_file; done < <(
  find "$td/vcf-edge-cases" "$td/multiallelic" "$td/malformed" -type f -name '*.vcf' -size -64k)
# Genotypes: the GT values that occur in the bundled cohorts and edge cases.
i=0
for gt in 0/1 1/1 './.' '.|.' 0 1 '0|1' '1|2' 0/1/2 './1' '2/.' '0/0/0/1' '/1' '|1' 1/ 63/63 '0|1/2'; do
  printf '%s' "$gt" > "corpus/genotype/gt$i"; i=$((i + 1))
done
# Gene models: the GFF3/GTF parser cases (decompressed, under 64 KiB) and a slice of Ensembl chr21.
while IFS= read -r f; do add "$f" gene_model; done < <(
  find "$td/annotation" -type f \( -name '*.gff*' -o -name '*.gtf*' \) -size -64k ! -name '*.gz')
{ zcat "$td/annotation/ensembl_chr21.gff3.gz" || true; } | head -400 > corpus/gene_model/ensembl_chr21_head.gff3
# Ledger texts (first byte selects the parser): checkpoints and proofs from a real run.
if command -v provar >/dev/null 2>&1 || [ -n "${PROVAR:-}" ]; then
  provar=${PROVAR:-provar}
  work=$(mktemp -d)
  "$provar" -q run --out "$work/out" >/dev/null
  printf '\0' | cat - "$work/out/ledger/checkpoint" > corpus/ledger_text/checkpoint
  "$provar" ledger prove --ledger "$work/out/ledger" --record 1 > "$work/proof" 2>/dev/null \
    && printf '\1' | cat - "$work/proof" > corpus/ledger_text/proof || true
  rm -rf "$work"
fi
printf '\4%s' "$(printf '%064d' 0)" > corpus/ledger_text/digest
# PED files: every pedigree edge case bundled.
while IFS= read -r f; do add "$f" ped; done < <(find "$td" -type f \( -name '*.ped' -o -name '*.fam' \))
echo "seeded: $(for d in corpus/*; do printf '%s=%s ' "${d#corpus/}" "$(ls "$d" | wc -l)"; done)"
