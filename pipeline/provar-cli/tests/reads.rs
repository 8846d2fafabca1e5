//! `provar sites` and `provar coverage` from the command line: a run on BAM and CRAM that
//! the ledger verifies, and the mistakes (a truncated BAM, a BAM without index, a CRAM
//! without its reference, contigs that do not match) as clear errors, exit 2, nothing
//! written.

mod common;

use std::path::Path;

use common::provar;
use provar_testkit::{testdata, testdata_dir};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn fails_with(args: &[&str], tmp: &Path, out: &Path) -> String {
    let output = provar(args);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(!out.exists(), "{} was left behind", out.display());
    String::from_utf8_lossy(&output.stderr)
        .replace(&testdata_dir().display().to_string(), "TESTDATA")
        .replace(&tmp.display().to_string(), "TMP")
}

#[test]
fn sites_and_coverage_run_and_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let ledger = out.join("ledger");
    let bam1 = testdata("reads/mpileup.1.bam");
    let cram2 = testdata("reads/mpileup.2.cram");
    let bam3 = testdata("reads/mpileup.3.bam");
    let reference = testdata("reads/mpileup.ref.fa");
    let variants = testdata("reads/mpileup.5.out");
    let run = provar([
        "sites",
        "--bam",
        s(&bam1),
        s(&cram2),
        s(&bam3),
        "--variants",
        s(&variants),
        "--reference",
        s(&reference),
        "--out",
        s(&out),
        "--ledger",
        s(&ledger),
    ]);
    assert!(run.status.success(), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("502 sites x 3 samples"), "{stderr}");
    let run = provar([
        "coverage",
        "--bam",
        s(&bam1),
        s(&cram2),
        s(&bam3),
        "--reference",
        s(&reference),
        "--window",
        "500",
        "--out",
        s(&out),
        "--ledger",
        s(&ledger),
    ]);
    assert!(run.status.success(), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    // mosdepth's summary means for the three files (testdata/reads/mosdepth_windows.tsv).
    for expected in [
        "HG00100: mean depth 12.90",
        "HG00101: mean depth 5.01",
        "HG00102: mean depth 5.43",
    ] {
        assert!(stderr.contains(expected), "{stderr}");
    }
    for table in ["site_evidence", "coverage_summary", "coverage_windows"] {
        assert!(out.join(format!("{table}.parquet")).is_file(), "{table}");
    }
    let verify = provar(["ledger", "verify", "--ledger", s(&ledger)]);
    assert!(verify.status.success(), "{verify:?}");
}

#[test]
fn damaged_inputs_give_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tmp = dir.path().canonicalize().expect("canonical");
    let out = tmp.join("out");
    let variants = testdata("reads/mpileup.5.out");
    let reference = testdata("reads/mpileup.ref.fa");

    // A BAM cut in half (its index copied along).
    let bytes = std::fs::read(testdata("reads/mpileup.1.bam")).expect("read");
    let truncated = tmp.join("cut.bam");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    std::fs::copy(testdata("reads/mpileup.1.bam.bai"), tmp.join("cut.bam.bai")).expect("copy");
    assert_eq!(
        fails_with(
            &[
                "sites",
                "--bam",
                s(&truncated),
                "--variants",
                s(&variants),
                "--out",
                s(&out)
            ],
            &tmp,
            &out
        ),
        "provar: error: counting reads at the sites of TESTDATA/reads/mpileup.5.out\n  \
         caused by: TMP/cut.bam is truncated: it lacks the BGZF end-of-file block\n  \
         hint: TMP/cut.bam is damaged or was cut short (an interrupted download or copy?); \
         `samtools quickcheck` tells, and a fresh copy fixes it\n"
    );

    // A BAM without its index.
    let bare = tmp.join("bare.bam");
    std::fs::copy(testdata("reads/mpileup.1.bam"), &bare).expect("copy");
    assert_eq!(
        fails_with(
            &["coverage", "--bam", s(&bare), "--out", s(&out)],
            &tmp,
            &out
        ),
        "provar: error: computing coverage\n  caused by: TMP/bare.bam has no index (looked for \
         FILE.bai, FILE.csi and FILE without .bam + .bai)\n  hint: index it with `samtools \
         index TMP/bare.bam`\n"
    );

    // A CRAM without --reference.
    let cram = testdata("reads/mpileup.1.cram");
    assert_eq!(
        fails_with(
            &[
                "sites",
                "--bam",
                s(&cram),
                "--variants",
                s(&variants),
                "--out",
                s(&out)
            ],
            &tmp,
            &out
        ),
        "provar: error: counting reads at the sites of TESTDATA/reads/mpileup.5.out\n  \
         caused by: TESTDATA/reads/mpileup.1.cram is CRAM, and decoding it needs the reference \
         FASTA it was written against\n  hint: give the FASTA it was written against with \
         --reference FASTA (with its .fai)\n"
    );

    // Variants named chr17 against reads on 17.
    let text = std::fs::read_to_string(&variants).expect("read");
    let renamed: String = text
        .lines()
        .map(|l| {
            if l.starts_with("17\t") {
                format!("chr{l}\n")
            } else if l.starts_with("##contig=<ID=17,") {
                format!("{}\n", l.replace("ID=17,", "ID=chr17,"))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let chr = tmp.join("chr.vcf");
    std::fs::write(&chr, renamed).expect("write");
    assert_eq!(
        fails_with(
            &[
                "sites",
                "--bam",
                s(&testdata("reads/mpileup.1.bam")),
                "--variants",
                s(&chr),
                "--reference",
                s(&reference),
                "--out",
                s(&out)
            ],
            &tmp,
            &out
        ),
        "provar: error: counting reads at the sites of TMP/chr.vcf\n  caused by: contig chr17 of \
         the variants is not in TESTDATA/reads/mpileup.1.bam (its contigs: 17)\n  hint: the \
         alignments name contigs without \"chr\" (17, not chr17): the variants and the reads \
         use different naming, or different genome builds\n"
    );

    // Variants from another genome build: the VCF's contig 17 is GRCh37's full chromosome,
    // the reads are on a 4.2 kb slice.
    let other_build = tmp.join("grch37.vcf");
    std::fs::write(
        &other_build,
        text.replace(
            "##contig=<ID=17,length=4200>",
            "##contig=<ID=17,length=81195210>",
        ),
    )
    .expect("write");
    assert_eq!(
        fails_with(
            &[
                "sites",
                "--bam",
                s(&testdata("reads/mpileup.1.bam")),
                "--variants",
                s(&other_build),
                "--reference",
                s(&reference),
                "--out",
                s(&out)
            ],
            &tmp,
            &out
        ),
        "provar: error: counting reads at the sites of TMP/grch37.vcf\n  caused by: contig 17 is \
         81195210 bases long in TMP/grch37.vcf but 4200 in TESTDATA/reads/mpileup.1.bam: the \
         variants and the reads are on different genome builds\n  hint: use variants and reads \
         on the same reference (e.g. both GRCh38): re-align the reads, or lift the variants over \
         (`bcftools +liftover`, CrossMap)\n"
    );

    // A VCF given as --bam.
    assert_eq!(
        fails_with(
            &["coverage", "--bam", s(&variants), "--out", s(&out)],
            &tmp,
            &out
        ),
        "provar: error: computing coverage\n  caused by: TESTDATA/reads/mpileup.5.out is not a \
         BAM or CRAM file (no BGZF or CRAM magic bytes)\n  hint: --bam takes BAM or CRAM files\n"
    );
}

#[test]
fn rare_takes_allele_depths_from_reads_when_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let calls = testdata("reads/calls.vcf.gz");
    let ped = dir.path().join("trio.ped");
    // The three samples are unrelated; a made-up trio is enough to exercise the gates.
    std::fs::write(
        &ped,
        "t\tHG00100\t0\t0\t1\t1\nt\tHG00101\t0\t0\t2\t1\nt\tHG00102\tHG00100\tHG00101\t1\t2\n",
    )
    .expect("write");
    assert!(provar(["ingest", s(&calls), "--out", s(&out)])
        .status
        .success());
    // Without site_evidence.parquet, --read-evidence is a clear error.
    let missing = provar([
        "rare",
        "--ped",
        s(&ped),
        "--out",
        s(&out),
        "--read-evidence",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("has no site_evidence.parquet: run `provar sites`"),
        "{stderr}"
    );
    let sites = provar([
        "sites",
        "--bam",
        s(&testdata("reads/mpileup.1.bam")),
        s(&testdata("reads/mpileup.2.bam")),
        s(&testdata("reads/mpileup.3.bam")),
        "--variants",
        s(&out),
        "--reference",
        s(&testdata("reads/mpileup.ref.fa")),
        "--out",
        s(&out),
    ]);
    assert!(sites.status.success(), "{sites:?}");
    let rare = provar([
        "rare",
        "--ped",
        s(&ped),
        "--out",
        s(&out),
        "--read-evidence",
    ]);
    assert!(rare.status.success(), "{rare:?}");
    let stderr = String::from_utf8_lossy(&rare.stderr);
    // 11 variants x 3 samples, every one counted in the reads.
    assert!(
        stderr.contains("AD and DP of 33 call(s) taken from the reads"),
        "{stderr}"
    );
}
