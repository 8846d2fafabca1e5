#!/usr/bin/env python3
"""Deterministic benchmark input for `provar sites` and `provar coverage`: a random 5 Mb
reference (one contig `sim`), a diploid sample with a SNV every ~1 kb (half heterozygous),
and paired 150-base reads (insert 350 +- 50, 0.2% sequencing errors, Phred 30 qualities)
at the depth asked for, written as two FASTQ files for an aligner. Also a sites VCF with
every simulated SNV. Python 3 standard library only; the same seed gives the same bytes.

usage: simulate_reads.py OUTDIR [--length 5000000] [--depth 30] [--seed 7]
"""
import argparse, os, random

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--length", type=int, default=5_000_000)
    ap.add_argument("--depth", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    ref = bytearray(rng.choice(b"ACGT") for _ in range(a.length))
    with open(os.path.join(a.out, "ref.fa"), "w") as f:
        f.write(">sim\n")
        for i in range(0, a.length, 60):
            f.write(ref[i:i + 60].decode() + "\n")
    # Haplotypes with SNVs.
    hap = [bytearray(ref), bytearray(ref)]
    snvs = []
    pos = 500
    while pos < a.length - 500:
        alt = rng.choice([b for b in b"ACGT" if b != ref[pos]])
        het = rng.random() < 0.5
        hap[0][pos] = alt
        if not het:
            hap[1][pos] = alt
        snvs.append((pos, chr(ref[pos]), chr(alt), "0/1" if het else "1/1"))
        pos += rng.randint(500, 1500)
    with open(os.path.join(a.out, "sites.vcf"), "w") as f:
        f.write("##fileformat=VCFv4.2\n##contig=<ID=sim,length=%d>\n" % a.length)
        f.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
        f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSIM1\n")
        for p, r, al, gt in snvs:
            f.write(f"sim\t{p + 1}\t.\t{r}\t{al}\t.\t.\t.\tGT\t{gt}\n")
    comp = bytes.maketrans(b"ACGT", b"TGCA")
    read_len, pairs = 150, int(a.depth * a.length / 300)
    qual = "?" * read_len
    def mutate(s):
        s = bytearray(s)
        for i in range(len(s)):
            if rng.random() < 0.002:
                s[i] = rng.choice([b for b in b"ACGT" if b != s[i]])
        return s.decode()
    with open(os.path.join(a.out, "r1.fq"), "w") as f1, open(os.path.join(a.out, "r2.fq"), "w") as f2:
        for n in range(pairs):
            h = hap[rng.random() < 0.5]
            insert = max(read_len, int(rng.gauss(350, 50)))
            start = rng.randint(0, a.length - insert)
            frag = h[start:start + insert]
            r1 = frag[:read_len]
            r2 = frag[-read_len:].translate(comp)[::-1]
            if rng.random() < 0.5:
                r1, r2 = r2, r1
            f1.write(f"@p{n}/1\n{mutate(r1)}\n+\n{qual}\n")
            f2.write(f"@p{n}/2\n{mutate(r2)}\n+\n{qual}\n")

if __name__ == "__main__":
    main()
