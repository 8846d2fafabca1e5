#!/usr/bin/env bash
# Regenerate the bcftools reference outputs in testdata/expected/.
# Run from the repository root:  bash testdata/expected/regenerate.sh
# Each output file starts with '#' lines (command, bcftools version), then one
# header line, then tab-separated data. The outputs were made with Debian
# bcftools 1.16 (htslib 1.16); another version may format floats differently.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=testdata/expected
ver=$(bcftools --version | head -1)

# emit NAME COMMAND HEADER: runs COMMAND with bash and writes $out/NAME
emit() {
    local name=$1 cmd=$2 header=$3
    {
        printf '# command (run from the repository root): %s\n' "$cmd"
        printf '# bcftools --version | head -1: %s\n' "$ver"
        printf '%s\n' "$header"
        bash -o pipefail -c "$cmd" 2>/dev/null
    } > "$out/$name"
}

tab=$'\t'

emit sample.fill-tags.tsv \
  "bcftools +fill-tags testdata/cohort/sample.vcf.gz -Ou -- -t AN,AC,AF | bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t%AC\t%AN\t%AF\n'" \
  "contig${tab}position${tab}reference${tab}alternate${tab}AC${tab}AN${tab}AF"

psc_header="PSC${tab}id${tab}sample${tab}nRefHom${tab}nNonRefHom${tab}nHets${tab}nTransitions${tab}nTransversions${tab}nIndels${tab}average depth${tab}nSingletons${tab}nHapRef${tab}nHapAlt${tab}nMissing"

emit ashk-trio.stats-psc.tsv \
  "bcftools stats -s - testdata/trio/ashk-trio.vcf.gz | grep '^PSC'" \
  "$psc_header"

emit sample.stats-psc.tsv \
  "bcftools stats -s - testdata/cohort/sample.vcf.gz | grep '^PSC'" \
  "$psc_header"

# PSC counts hets and hom-alts of SNPs only; indel hets and hom-alts are in PSI.
psi_header="PSI${tab}id${tab}sample${tab}in-frame${tab}out-frame${tab}not applicable${tab}out/(in+out) ratio${tab}nInsHets${tab}nDelHets${tab}nInsAltHoms${tab}nDelAltHoms"

emit ashk-trio.stats-psi.tsv \
  "bcftools stats -s - testdata/trio/ashk-trio.vcf.gz | grep '^PSI'" \
  "$psi_header"

emit sample.stats-psi.tsv \
  "bcftools stats -s - testdata/cohort/sample.vcf.gz | grep '^PSI'" \
  "$psi_header"

ma=testdata/multiallelic/isaac-trio.vcf.gz
samples=$(bcftools query -l "$ma" | paste -sd '\t' -)

emit isaac-trio.norm-split.tsv \
  "bcftools norm -m- $ma | bcftools query -f '%CHROM\t%POS\t%REF\t%ALT[\t%GT]\n'" \
  "contig${tab}position${tab}reference${tab}alternate${tab}${samples}"

emit isaac-trio.norm-split.fill-tags.tsv \
  "bcftools norm -m- $ma -Ou | bcftools +fill-tags -- -t AN,AC,AF | bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t%AC\t%AN\t%AF\n'" \
  "contig${tab}position${tab}reference${tab}alternate${tab}AC${tab}AN${tab}AF"

# Reading by region (indexed): bcftools merges overlapping regions and prints each record once.
emit sample.regions.tsv \
  "bcftools query -r 20:10000000-12000000,20:11500000-13000000 -f '%CHROM\t%POS\t%REF\t%ALT\n' testdata/cohort/sample.vcf.gz" \
  "contig${tab}position${tab}reference${tab}alternate"

emit ashk-trio.regions-bed.tsv \
  "bcftools query -R testdata/regions/trio.bed -f '%CHROM\t%POS\t%REF\t%ALT\n' testdata/trio/ashk-trio.vcf.gz" \
  "contig${tab}position${tab}reference${tab}alternate"

# Sample selection: bcftools view -s keeps the listed samples in the listed order.
emit ashk-trio.samples-HG004-HG002.tsv \
  "bcftools view -s HG004,HG002 testdata/trio/ashk-trio.vcf.gz -Ou | bcftools +fill-tags -- -t AN,AC | bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t%AC\t%AN[\t%GT]\n'" \
  "contig${tab}position${tab}reference${tab}alternate${tab}AC${tab}AN${tab}HG004${tab}HG002"

# Every fill-tags field provar's variant_qc reproduces (issue 4).
ft_cols="contig${tab}position${tab}reference${tab}alternate${tab}AC${tab}AN${tab}AF${tab}AC_Het${tab}AC_Hom${tab}AC_Hemi${tab}F_MISSING${tab}MAF${tab}HWE${tab}ExcHet"
ft_query="bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t%AC\t%AN\t%AF\t%AC_Het\t%AC_Hom\t%AC_Hemi\t%F_MISSING\t%MAF\t%HWE\t%ExcHet\n'"
for name in cohort/sample trio/ashk-trio; do
  emit "$(basename $name).fill-tags-all.tsv" \
    "bcftools +fill-tags testdata/$name.vcf.gz -Ou -- -t AN,AC,AF,AC_Het,AC_Hom,AC_Hemi,F_MISSING,MAF,HWE,ExcHet | $ft_query" \
    "$ft_cols"
done

# Round trip: the fixed columns and the FORMAT fields provar stores, per record and sample.
rt_query="bcftools query -f '%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER[\t%GT:%AD:%DP:%GQ:%PL]\n'"
for name in cohort/sample trio/ashk-trio; do
  emit "$(basename $name).roundtrip.tsv" \
    "$rt_query testdata/$name.vcf.gz" \
    "contig${tab}position${tab}id${tab}reference${tab}alternate${tab}quality${tab}filters${tab}calls..."
done

# PL (Number=G) re-indexed by splitting, on a small hand-written file with 2-, 3- and
# 4-allele records and haploid calls.
emit pl.norm-split.tsv \
  "bcftools norm -m- testdata/multiallelic/pl.vcf | bcftools query -f '%CHROM\t%POS\t%REF\t%ALT[\t%GT:%AD:%PL]\n'" \
  "contig${tab}position${tab}reference${tab}alternate${tab}a${tab}b${tab}c"

# Left-alignment and normalisation against a reference (issue 3): hand-written records on
# the real GRCh37 17:1-4200 slice of testdata/reads (indels written right-shifted in
# homopolymers and tandem repeats, multi-allelic records mixing SNVs and indels, a
# deletion that moves to position 1, one END, unchanged SNVs), through bcftools norm -f -m-.
emit left-align.norm-fasta.tsv \
  "bcftools norm -f testdata/reads/mpileup.ref.fa -m- testdata/normalize/left-align.vcf | bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t%INFO/END[\t%GT]\n'" \
  "contig${tab}position${tab}reference${tab}alternate${tab}END${tab}a${tab}b"

# INFO fields: every INFO key of the header, in header order, after splitting
# multi-allelic records like provar does (Number=A keeps this allele's value, Number=R the
# reference's and this allele's). The info table of `provar ingest` must equal these.
info_query() {
    local vcf=$1 fmt='%CHROM\t%POS\t%REF\t%ALT' header="contig${tab}position${tab}reference${tab}alternate" k
    for k in $(bcftools view -h "$vcf" | grep '^##INFO' | sed 's/.*ID=\([^,]*\),.*/\1/'); do
        fmt="$fmt\t%INFO/$k"
        header="$header${tab}$k"
    done
    printf '%s\n%s\n' "bcftools norm -m- $vcf | bcftools query -f '$fmt\n'" "$header"
}
for pair in "ashk-trio.info.tsv testdata/trio/ashk-trio.vcf.gz" \
            "sample.info.tsv testdata/cohort/sample.vcf.gz" \
            "isaac-trio.info.tsv testdata/multiallelic/isaac-trio.vcf.gz"; do
    set -- $pair
    { read -r cmd; read -r header; } < <(info_query "$2")
    emit "$1" "$cmd" "$header"
done

# FORMAT fields beyond GT, AD, DP, GQ and PL (which the calls table holds): every such
# FORMAT key of the header, in header order, per sample, after the same split (Number=A:
# this allele's value; R: the reference's and this allele's; G: the genotypes of this
# allele). The format table of `provar ingest` must equal these.
format_query() {
    local vcf=$1 fmt='%CHROM\t%POS\t%REF\t%ALT' header="contig${tab}position${tab}reference${tab}alternate" k s
    local keys samples
    keys=$(bcftools view -h "$vcf" | grep '^##FORMAT' | sed 's/.*ID=\([^,]*\),.*/\1/' | grep -v -x -e GT -e AD -e DP -e GQ -e PL)
    samples=$(bcftools query -l "$vcf")
    fmt="$fmt["
    for k in $keys; do fmt="$fmt\t%$k"; done
    fmt="$fmt]"
    for s in $samples; do
        for k in $keys; do header="$header${tab}$s:$k"; done
    done
    printf '%s\n%s\n' "bcftools norm -m- $vcf | bcftools query -f '$fmt\n'" "$header"
}
for pair in "ashk-trio.format.tsv testdata/trio/ashk-trio.vcf.gz" \
            "isaac-trio.format.tsv testdata/multiallelic/isaac-trio.vcf.gz" \
            "test.mendel.format.tsv testdata/family/test.mendel.vcf.gz" \
            "test.mnp.format.tsv testdata/vcf-edge-cases/cyvcf2_misc/test.mnp.vcf"; do
    set -- $pair
    { read -r cmd; read -r header; } < <(format_query "$2")
    emit "$1" "$cmd" "$header"
done

# Mendel errors of the GIAB trio (mother HG004, father HG003, child HG002): the sites
# bcftools +mendelian lists as inconsistent, and PLINK 1.9's --mendel per-error table.
emit ashk-trio.mendelian-x.tsv \
  "bcftools +mendelian testdata/trio/ashk-trio.vcf.gz -t HG004,HG003,HG002 -m x | bcftools query -f '%CHROM\t%POS\t%REF\t%ALT[\t%GT]\n'" \
  "contig${tab}position${tab}reference${tab}alternate${tab}HG002${tab}HG003${tab}HG004"

# PLINK 1.9 --mendel on the same trio: the number of errors per code (its .mendel table
# has no positions when the VCF has no IDs). The trio and sexes are set with
# --update-parents/--update-sex; --keep-allele-order keeps A1 = ALT, so PLINK's codes
# (which name alleles A1/A2) are the same as Hail's (which name them ref/alt).
if command -v plink1.9 > /dev/null; then
    tmp=/tmp/provar-plink-mendel   # a fixed name: the command is printed into the fixture
    rm -rf "$tmp" && mkdir -p "$tmp"
    printf 'ash HG002 HG003 HG004\n' > "$tmp/parents.txt"
    printf 'ash HG002 1\nash HG003 1\nash HG004 2\n' > "$tmp/sex.txt"
    emit ashk-trio.plink-mendel-codes.tsv \
      "plink1.9 --vcf testdata/trio/ashk-trio.vcf.gz --keep-allele-order --const-fid ash --update-parents $tmp/parents.txt --update-sex $tmp/sex.txt --make-bed --out $tmp/t >/dev/null && plink1.9 --bfile $tmp/t --keep-allele-order --mendel --out $tmp/t >/dev/null && awk 'NR>1{print \$5}' $tmp/t.mendel | sort -n | uniq -c | awk '{print \$2\"\\t\"\$1}'" \
      "code${tab}errors"
    rm -rf "$tmp"
fi

# Gene-burden carriers per 1 Mb window of the cohort, for `provar burden --window 1000000
# --max-af 0.05` with Hail's case/control file sample.fam: PASS sites with AF <= 0.05
# (bcftools +fill-tags AF over all samples), a sample carries a window when any such site
# has an alternate allele in its GT; cases are phenotype 2, controls 1.
emit sample.burden-windows.tsv \
  "bcftools +fill-tags testdata/cohort/sample.vcf.gz -Ou -- -t AF | bcftools view -f PASS,. -i 'INFO/AF<=0.05' -Ou | bcftools query -H -f '%POS[\t%GT]\n' | awk -F'\t' -v fam=testdata/cohort/sample.fam 'BEGIN{while((getline l < fam)>0){split(l,f,/[ \t]+/); ph[f[2]]=f[6]}} NR==1{for(i=2;i<=NF;i++){s=\$i; sub(/^#? ?\[[0-9]+\]/,\"\",s); sub(/:GT\$/,\"\",s); name[i]=s}; next} {w=int((\$1-1)/1000000); for(i=2;i<=NF;i++){if(\$i ~ /1/){carrier[w,i]=1; seen[w]=1}}} END{for(w in seen){d=0;c=0; for(i=2;i<=101;i++){if(carrier[w,i]){if(ph[name[i]]==2)d++; else if(ph[name[i]]==1)c++}}; printf \"20:%d-%d\t%d\t%d\n\", w*1000000+1, (w+1)*1000000, d, c}}' | sort" \
  "window${tab}case_carriers${tab}control_carriers"

# The same with population allele frequencies joined (the labelled example sites file in
# reference/, as `provar annotate --population` does) and alleles above pop_AF 0.01 left
# out (`provar burden --max-pop-af 0.01`; an allele the sites file lacks stays in).
emit sample.burden-windows-pop.tsv \
  "bcftools annotate --no-version -a reference/example-population.sites.vcf.gz -c INFO/pop_AF:=INFO/AF testdata/cohort/sample.vcf.gz -Ou | bcftools +fill-tags -Ou -- -t AF | bcftools view -f PASS,. -i 'INFO/AF<=0.05 && (INFO/pop_AF<=0.01 || INFO/pop_AF=\".\")' -Ou | bcftools query -H -f '%POS[\t%GT]\n' | awk -F'\t' -v fam=testdata/cohort/sample.fam 'BEGIN{while((getline l < fam)>0){split(l,f,/[ \t]+/); ph[f[2]]=f[6]}} NR==1{for(i=2;i<=NF;i++){s=\$i; sub(/^#? ?\[[0-9]+\]/,\"\",s); sub(/:GT\$/,\"\",s); name[i]=s}; next} {w=int((\$1-1)/1000000); for(i=2;i<=NF;i++){if(\$i ~ /1/){carrier[w,i]=1; seen[w]=1}}} END{for(w in seen){d=0;c=0; for(i=2;i<=101;i++){if(carrier[w,i]){if(ph[name[i]]==2)d++; else if(ph[name[i]]==1)c++}}; printf \"20:%d-%d\t%d\t%d\n\", w*1000000+1, (w+1)*1000000, d, c}}' | sort" \
  "window${tab}case_carriers${tab}control_carriers"

# KING-robust kinship of every pair (plink2 --make-king-table, counts).
if command -v plink2 > /dev/null; then
    for pair in "ashk-trio testdata/trio/ashk-trio.vcf.gz" "sample testdata/cohort/sample.vcf.gz"; do
        set -- $pair
        tmp=/tmp/provar-plink-king-$1
        rm -rf "$tmp" && mkdir -p "$tmp"
        emit "$1.king.tsv" \
          "plink2 --vcf $2 --make-king-table counts --out $tmp/k >/dev/null && tail -n +2 $tmp/k.kin0" \
          "sample_1${tab}sample_2${tab}nsnp${tab}hethet${tab}ibs0${tab}kinship"
        rm -rf "$tmp"
    done
fi

# Sex check (PLINK 1.9 --check-sex F, SNPSEX and STATUS with the pedigree's sex) on the
# simulated X cohort (testdata/sex, known sexes, three deliberate pedigree errors; the real
# chrX files here lie almost wholly in PAR1, which sex inference leaves out). Split with bcftools norm -m- and given unique IDs; the allele
# frequencies are bcftools' (+fill-tags AF: each call's alleles as written, a haploid call
# one allele), handed to PLINK with --read-freq so both compute F from the same p;
# --split-x moves the PAR to XY, which --check-sex leaves out; half-calls are missing.
if command -v plink1.9 > /dev/null; then
    for pair in "sim-x testdata/sex/sim-x.vcf.gz testdata/sex/sim-x.ped b37"; do
        set -- $pair
        tmp=/tmp/provar-plink-sex-$1
        rm -rf "$tmp" && mkdir -p "$tmp"
        awk '{print $2, $2, $5}' "$3" > "$tmp/sex.txt"   # --double-id: FID = IID
        emit "$1.sexcheck.tsv" \
          "bcftools norm -m- $2 -Ou | bcftools annotate --set-id '%CHROM:%POS:%REF:%FIRST_ALT' -Ou | bcftools +fill-tags -Oz -o $tmp/s.vcf.gz -- -t AF && (echo CHR SNP A1 A2 MAF NCHROBS; bcftools query -f '%CHROM %ID %ALT %REF %AF 0\n' $tmp/s.vcf.gz) > $tmp/s.frq && plink1.9 --vcf $tmp/s.vcf.gz --double-id --vcf-half-call m --split-x $4 no-fail --make-bed --out $tmp/s >/dev/null && plink1.9 --bfile $tmp/s --read-freq $tmp/s.frq --update-sex $tmp/sex.txt --check-sex --out $tmp/s >/dev/null && tail -n +2 $tmp/s.sexcheck | awk -v OFS='\t' '{print \$2, \$3, \$4, \$5, \$6}'" \
          "sample${tab}PEDSEX${tab}SNPSEX${tab}STATUS${tab}F"
        rm -rf "$tmp"
    done
fi

# VEP's INFO/CSQ of the CEPH 1463 chrX file split one consequence per line, every
# sub-field (bcftools +split-vep -d -A tab), and the worst consequence per record (-s worst;
# bcftools 1.16's default severity scale).
emit test.mendel.split-vep.tsv \
  "bcftools +split-vep -d -A tab -f '%CHROM\t%POS\t%REF\t%ALT\t%CSQ\n' testdata/family/test.mendel.vcf.gz" \
  "contig${tab}position${tab}reference${tab}alternate${tab}$(bcftools +split-vep -l testdata/family/test.mendel.vcf.gz | cut -f2 | paste -sd "$tab")"
emit test.mendel.split-vep-worst.tsv \
  "bcftools +split-vep -s worst -f '%CHROM\t%POS\t%REF\t%ALT\t%Consequence\t%Feature\n' testdata/family/test.mendel.vcf.gz" \
  "contig${tab}position${tab}reference${tab}alternate${tab}Consequence${tab}Feature"
