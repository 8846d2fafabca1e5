#!/usr/bin/env bash
# Builds reference/example-population.sites.vcf.gz: a CLEARLY LABELLED EXAMPLE, not gnomAD.
# Allele counts of 50 of the 100 1000 Genomes samples in testdata/cohort/sample.vcf.gz
# (samples 51-100 in file order), sites with AC > 0 only, INFO reduced to gnomAD-style
# AC, AN, AF and AC_Hom (2 x the homozygous-ALT count). Run from the repository root with
# bcftools 1.16. Then regenerates the bcftools annotate fixture for tests/population.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
vcf=testdata/cohort/sample.vcf.gz
out=reference/example-population.sites.vcf.gz
samples=$(bcftools query -l "$vcf" | sed -n 51,100p | paste -sd,)
bcftools view --no-version -s "$samples" "$vcf" -Ou \
  | bcftools +fill-tags --no-version -Ou -- -t AC,AN,AF,AC_Hom \
  | bcftools view --no-version -G -i 'INFO/AC>0' -Ou \
  | bcftools annotate --no-version -x '^INFO/AC,INFO/AN,INFO/AF,INFO/AC_Hom' -Oz -o "$out"
bcftools index -f -t "$out"
fixture=testdata/expected/sample.population-annotate.tsv
cmd="bcftools annotate --no-version -a $out -c INFO/pop_AF:=INFO/AF,INFO/pop_AC:=INFO/AC,INFO/pop_AN:=INFO/AN,INFO/pop_AC_Hom:=INFO/AC_Hom $vcf | bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t%pop_AF\t%pop_AC\t%pop_AN\t%pop_AC_Hom\n'"
{
  printf '# command (run from the repository root): %s\n' "$cmd"
  printf '# bcftools --version | head -1: %s\n' "$(bcftools --version | head -1)"
  printf 'contig\tposition\treference\talternate\tpop_AF\tpop_AC\tpop_AN\tpop_AC_Hom\n'
  bash -o pipefail -c "$cmd"
} > "$fixture"
