#!/usr/bin/env python3
"""Side-by-side timing of `provar coverage` / `provar sites` against mosdepth, samtools depth
and bcftools mpileup on the simulated BAM/CRAM (see simulate_reads.py), same input, same
thread count, alternating runs; prints a Markdown table of median wall time, CPU time and
peak memory (GNU time -v) and the ratio provar / peer.

usage: run.py DIR PROVAR [--threads 2] [--reps 3]
"""
import argparse, os, statistics, subprocess, tempfile, shutil

def measure(cmd, env=None):
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.run(["/usr/bin/time", "-v", "-o", t.name, "sh", "-c", cmd], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise SystemExit(f"failed: {cmd}\n{p.stderr}")
        info = {}
        for line in t.read().splitlines():
            k, _, v = line.strip().rpartition(": ")
            info[k] = v
    wall = info["Elapsed (wall clock) time (h:mm:ss or m:ss)"]
    parts = [float(x) for x in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)
    cpu = float(info["User time (seconds)"]) + float(info["System time (seconds)"])
    return seconds, cpu, int(info["Maximum resident set size (kbytes)"]) / 1024

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir"); ap.add_argument("provar")
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    d, t, p = a.dir, a.threads, a.provar
    lib = tempfile.mkdtemp()
    os.symlink("/usr/lib/x86_64-linux-gnu/libhts.so.3", os.path.join(lib, "libhts.so"))
    env = dict(os.environ, LD_LIBRARY_PATH=lib)
    out = tempfile.mkdtemp()
    pairs = [
        ("coverage, BAM, 500-base windows",
         f"{p} --threads {t} -q coverage --bam {d}/sim.bam --window 500 --out {out}/cov",
         [("mosdepth -n --by 500", f"mosdepth -t {t} -n --by 500 {out}/md {d}/sim.bam"),
          ("samtools depth -a -s", f"samtools depth -@ {t} -a -s {d}/sim.bam > {out}/sd.txt")]),
        ("coverage, CRAM, 500-base windows",
         f"{p} --threads {t} -q coverage --bam {d}/sim.cram --reference {d}/ref.fa --window 500 --out {out}/covc",
         [("mosdepth -n --by 500 (CRAM)", f"mosdepth -t {t} -n --by 500 -f {d}/ref.fa {out}/mdc {d}/sim.cram")]),
        ("sites, BAM, every simulated SNV",
         f"{p} --threads {t} -q sites --bam {d}/sim.bam --variants {d}/sites.vcf --reference {d}/ref.fa --out {out}/sites",
         [("bcftools mpileup -a AD,ADF,ADR,DP -T sites", f"bcftools mpileup --threads {t} -a AD,ADF,ADR,DP -T {d}/sites.vcf -f {d}/ref.fa {d}/sim.bam -Ou -o /dev/null")]),
        ("sites, CRAM, every simulated SNV",
         f"{p} --threads {t} -q sites --bam {d}/sim.cram --variants {d}/sites.vcf --reference {d}/ref.fa --out {out}/sites",
         [("bcftools mpileup -a AD,ADF,ADR,DP -T sites (CRAM)", f"bcftools mpileup --threads {t} -a AD,ADF,ADR,DP -T {d}/sites.vcf -f {d}/ref.fa {d}/sim.cram -Ou -o /dev/null")]),
    ]
    print(f"| stage | command | median wall s | CPU s | peak MiB | provar / peer (wall) | (memory) |")
    print("|---|---|---|---|---|---|---|")
    for stage, mine, peers in pairs:
        runs = {name: [] for name, _ in peers}
        runs["provar"] = []
        for _ in range(a.reps):
            shutil.rmtree(f"{out}/cov", ignore_errors=True)
            for name in ["provar"] + [n for n, _ in peers]:
                cmd = mine if name == "provar" else dict(peers)[name]
                for sub in ["cov", "covc", "sites"]:
                    shutil.rmtree(f"{out}/{sub}", ignore_errors=True)
                runs[name].append(measure(cmd, env))
        med = {n: tuple(statistics.median(r[i] for r in v) for i in range(3)) for n, v in runs.items()}
        w0, c0, m0 = med["provar"]
        print(f"| {stage} | provar | {w0:.2f} | {c0:.2f} | {m0:.0f} | | |")
        for name, _ in peers:
            w, c, m = med[name]
            print(f"| | {name} | {w:.2f} | {c:.2f} | {m:.0f} | {w0 / w:.2f} | {m0 / m:.2f} |")
    shutil.rmtree(out); shutil.rmtree(lib)

if __name__ == "__main__":
    main()
