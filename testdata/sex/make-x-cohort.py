#!/usr/bin/env python3
"""Make `sim-x.vcf.gz` and `sim-x.ped`: a SIMULATED chromosome X cohort with known sexes.

Input: `simulated/msprime_200x1Mb.vcf.gz` of the shared data set (msprime, 200 diploids,
1 Mb, phased GT only; made by `sim_msprime.py 200 1000000`, seed 42; no third-party data).
Nothing here is real human data: positions and bases are simulated.

What is done to it (standard library only, then bgzip):
- the contig becomes `X` (GRCh37 length); every site is moved to POS + 10,000,000, outside
  both builds' pseudo-autosomal regions;
- the first 200 sites are also written a second time at POS + 100,000, inside PAR1 of both
  GRCh37 (60,001-2,699,520) and GRCh38 (10,001-2,781,479), diploid for every sample:
  sex inference must ignore them;
- SIM00000-SIM00099 stay diploid (the "females");
- SIM00100-SIM00149 become haploid males: only their first haplotype is kept (GT `0`/`1`);
- SIM00150-SIM00199 become males written as many callers do, diploid homozygous (`a/a`,
  from the first haplotype).

`sim-x.ped` gives the true sex except for three deliberate errors, so that the pedigree
check has something to find: SIM00007 (female) recorded as male, SIM00123 (male) recorded
as female, SIM00188 (male) recorded with unknown sex (0).

Usage: python3 make-x-cohort.py SHARED/data/simulated/msprime_200x1Mb.vcf.gz OUTDIR
"""
import gzip
import subprocess
import sys

X_LENGTH = 155_270_560
PAR_COPIES = 200
WRONG_SEX = {"SIM00007": "1", "SIM00123": "2", "SIM00188": "0"}


def main(source, out_dir):
    header, records = [], []
    with gzip.open(source, "rt") as f:
        for line in f:
            if line.startswith("##"):
                if line.startswith("##contig"):
                    continue
                header.append(line.rstrip("\n"))
            elif line.startswith("#CHROM"):
                columns = line.rstrip("\n").split("\t")
            else:
                records.append(line.rstrip("\n").split("\t"))
    samples = columns[9:]
    assert len(samples) == 200, len(samples)
    header.insert(1, f"##contig=<ID=X,length={X_LENGTH}>")
    header.append("##provar_note=SIMULATED (msprime) chromosome X cohort with known sexes; see testdata/sex/make-x-cohort.py")

    def male_haploid(gt):
        return gt.replace("|", "/").split("/")[0]

    def male_diploid(gt):
        a = male_haploid(gt)
        return f"{a}/{a}"

    def row(fields, pos, par):
        out = ["X", str(pos)] + fields[2:9]
        for i, gt in enumerate(fields[9:]):
            if par or i < 100:
                out.append(gt)
            elif i < 150:
                out.append(male_haploid(gt))
            else:
                out.append(male_diploid(gt))
        return "\t".join(out)

    lines = header + ["\t".join(columns)]
    lines += [row(r, int(r[1]) + 100_000, True) for r in records[:PAR_COPIES]]
    lines += [row(r, int(r[1]) + 10_000_000, False) for r in records]
    vcf = f"{out_dir}/sim-x.vcf"
    with open(vcf, "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run(["bgzip", "-f", vcf], check=True)
    with open(f"{out_dir}/sim-x.ped", "w") as f:
        for i, s in enumerate(samples):
            sex = "2" if i < 100 else "1"
            f.write(f"{s}\t{s}\t0\t0\t{WRONG_SEX.get(s, sex)}\t-9\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
