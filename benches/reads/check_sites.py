#!/usr/bin/env python3
"""Cross-check of the benchmark run: `provar sites` on the simulated BAM against
`bcftools mpileup -a AD,ADF,ADR,DP -T sites.vcf` (its query output in /tmp/simbcf.tsv), per
site: DP, and AD/ADF/ADR of REF and of the site's ALT. Needs pyarrow (not in the CI venv):
`python3 -m venv /tmp/pa && /tmp/pa/bin/pip install pyarrow`.

    provar sites --bam sim.bam --variants sites.vcf --reference ref.fa --out /tmp/simsites
    bcftools mpileup -a AD,ADF,ADR,DP -T sites.vcf -f ref.fa sim.bam |
      bcftools query -f '%POS\t%REF\t%ALT\t[%DP\t%AD\t%ADF\t%ADR]\n' > /tmp/simbcf.tsv
    /tmp/pa/bin/python benches/reads/check_sites.py
"""
import pyarrow.parquet as pq, sys
t = pq.read_table('/tmp/simsites/site_evidence.parquet').to_pylist()
ours = {r['position']: r for r in t}
same = diff = 0
for line in open('/tmp/simbcf.tsv'):
    pos, ref, alts, dp, ad, adf, adr = line.rstrip('\n').split('\t')
    alleles = [ref] + alts.split(',')
    ad = [int(x) for x in ad.split(',')]; adf=[int(x) for x in adf.split(',')]; adr=[int(x) for x in adr.split(',')]
    r = ours[int(pos)]
    alt = r['alternate_bases']
    k = alleles.index(alt) if alt in alleles else None
    exp = (int(dp), ad[0], adf[0], adr[0], ad[k] if k is not None else 0, adf[k] if k is not None else 0, adr[k] if k is not None else 0)
    got = (r['depth'], r['ref_count'], r['ref_forward'], r['ref_reverse'], r['alt_count'], r['alt_forward'], r['alt_reverse'])
    if exp == got: same += 1
    else:
        diff += 1
        if diff < 5: print(pos, exp, got)
print('equal', same, 'differ', diff)
