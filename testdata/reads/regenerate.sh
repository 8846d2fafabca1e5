#!/bin/sh
# Remakes the coverage fixtures from the BAMs here (samtools 1.16.1, mosdepth 0.3.3 from
# Debian; mosdepth needs libhts.so, linked into a temporary directory below).
set -eu
cd "$(dirname "$0")"
{
  echo "# samtools depth -a -s FILE.bam (per base, overlapping mates once), summed per 500-base window"
  printf 'file\tcontig\tstart\tend\tdepth_sum\n'
  for i in 1 2 3; do
    samtools depth -a -s mpileup.$i.bam |
      awk -v f=mpileup.$i.bam 'BEGIN{OFS="\t"} {w=int(($2-1)/500); s[w]+=$3; c[w]=$1; if ($2>m) m=$2}
        END {for (k=0; k*500<m; k++) {e=(k+1)*500; if (e>m) e=m; print f, c[k], k*500+1, e, s[k]}}'
  done
} > samtools_depth_windows.tsv
lib=$(mktemp -d); ln -s /usr/lib/x86_64-linux-gnu/libhts.so.3 "$lib/libhts.so"
out=$(mktemp -d)
{
  echo "# mosdepth -n --by 500 OUT FILE.bam: regions.bed.gz (mean per window) and summary mean"
  printf 'file\tcontig\tstart\tend\tmean\n'
  for i in 1 2 3; do
    LD_LIBRARY_PATH="$lib" mosdepth -n --by 500 "$out/m$i" mpileup.$i.bam
    zcat "$out/m$i.regions.bed.gz" | awk -v f=mpileup.$i.bam 'BEGIN{OFS="\t"} {print f, $1, $2+1, $3, $4}'
    awk -v f=mpileup.$i.bam 'BEGIN{OFS="\t"} $1=="total" {print f, "total", 1, $2, $4}' "$out/m$i.mosdepth.summary.txt"
  done
} > mosdepth_windows.tsv
rm -rf "$lib" "$out"

# BAMs without their BQ tags, so BAQ must be computed (bcftools does, from the reference),
# and bcftools 1.16's counts on them: partial BAQ (its default) over 17:100-600, and full
# BAQ (-D) over the whole slice.
for i in 1 2 3; do
  samtools view -b -x BQ -o nobq.$i.bam mpileup.$i.bam && samtools index nobq.$i.bam
done
for mode in partial full; do
  case $mode in partial) args="-r 17:100-600" ;; full) args="-D" ;; esac
  {
    echo "# bcftools mpileup $args -a DP,AD,ADF,ADR -f mpileup.ref.fa nobq.1.bam nobq.2.bam nobq.3.bam, then bcftools query: POS REF ALT INFO/INDEL, and DP AD ADF ADR per sample (bcftools 1.16)"
    printf 'pos\tref\talt\tindel\tdp1\tad1\tadf1\tadr1\tdp2\tad2\tadf2\tadr2\tdp3\tad3\tadf3\tadr3\n'
    # shellcheck disable=SC2086
    bcftools mpileup $args -a DP,AD,ADF,ADR -f mpileup.ref.fa nobq.1.bam nobq.2.bam nobq.3.bam 2>/dev/null |
      bcftools query -f '%POS\t%REF\t%ALT\t%INFO/INDEL[\t%DP\t%AD\t%ADF\t%ADR]\n'
  } > nobq.baq-$mode.tsv
done
