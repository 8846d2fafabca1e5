//! Snapshots of the error messages for the mistakes users make most. Each names the file
//! (and the line or contig where one applies), ends in a `hint:` with the likely fix, exits 2
//! and leaves no output directory behind. Paths are shown as TESTDATA/… and TMP/….

mod common;

use std::path::Path;

use common::provar;
use provar_testkit::{testdata, testdata_dir};

/// Runs provar, asserts exit 2 and that `out` was not created, and returns stderr with the
/// testdata and temporary directories replaced by placeholders.
fn fails_with(args: &[&str], tmp: &Path, out: &Path) -> String {
    let output = provar(args);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty());
    assert!(!out.exists(), "{} was left behind", out.display());
    String::from_utf8_lossy(&output.stderr)
        .replace(&testdata_dir().display().to_string(), "TESTDATA")
        .replace(&tmp.display().to_string(), "TMP")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn common_mistakes_give_clear_messages_with_hints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tmp = dir.path().canonicalize().expect("canonical");
    let out = tmp.join("out");
    let cohort = testdata("cohort/sample.vcf.gz");

    // A pedigree naming none of the samples.
    let tables = tmp.join("tables");
    let ingest = provar(["ingest", s(&cohort), "--out", s(&tables)]);
    assert!(ingest.status.success());
    let ped = tmp.join("family.ped");
    std::fs::write(
        &ped,
        "fam\tKID\tDAD\tMOM\t1\t2\nfam\tDAD\t0\t0\t1\t1\nfam\tMOM\t0\t0\t2\t1\n",
    )
    .expect("write");
    assert_eq!(
        fails_with(
            &[
                "rare",
                "--ped",
                s(&ped),
                "--tables",
                s(&tables),
                "--out",
                s(&out)
            ],
            &tmp,
            &out
        ),
        "provar: error: analysing families of TMP/family.ped\n  caused by: no individual of the \
         pedigree is among the 100 samples of TMP/tables: the PED names none of them (first \
         sample: C1046::HG02024)\n  hint: the PED's second column must hold the VCF's sample \
         names exactly (list them with `bcftools query -l`, or read TMP/tables/samples.parquet); \
         the first one here is C1046::HG02024\n"
    );

    // A gene model given to ingest.
    let gff = testdata("annotation/ensembl_chr21.gff3.gz");
    assert_eq!(
        fails_with(&["ingest", s(&gff), "--out", s(&out)], &tmp, &out),
        "provar: error: invalid header at TESTDATA/annotation/ensembl_chr21.gff3.gz:1: \
         missing ##fileformat line: a VCF starts with one (e.g. ##fileformat=VCFv4.3)\n  \
         hint: TESTDATA/annotation/ensembl_chr21.gff3.gz looks like a GFF3/GTF gene model: \
         give it to `provar annotate --genes FILE`; `provar ingest` reads VCF or BCF\n"
    );

    // A region on a file without an index.
    let unindexed = tmp.join("cohort.vcf.gz");
    std::fs::copy(&cohort, &unindexed).expect("copy");
    assert_eq!(
        fails_with(
            &[
                "ingest",
                s(&unindexed),
                "--region",
                "20:1-100000",
                "--out",
                s(&out)
            ],
            &tmp,
            &out
        ),
        "provar: error: TMP/cohort.vcf.gz has no index (.tbi or .csi beside it): reading by \
         region or shard needs one\n  hint: index it with `tabix -p vcf TMP/cohort.vcf.gz` or \
         `bcftools index TMP/cohort.vcf.gz` (a bgzipped VCF needs bgzip, not gzip)\n"
    );

    // chr20 against a file that says 20.
    assert_eq!(
        fails_with(
            &[
                "ingest",
                s(&cohort),
                "--region",
                "chr20:1-1000000",
                "--out",
                s(&out)
            ],
            &tmp,
            &out
        ),
        "provar: error: contig \"chr20\" is not in TESTDATA/cohort/sample.vcf.gz (its contigs: \
         20)\n  hint: this file names contigs without \"chr\": write 20 instead of chr20\n"
    );

    // A sample name in the wrong case.
    assert_eq!(
        fails_with(
            &[
                "ingest",
                s(&cohort),
                "--samples",
                "HG00096,hg00097",
                "--out",
                s(&out)
            ],
            &tmp,
            &out
        ),
        "provar: error: sample \"hg00097\" is not in TESTDATA/cohort/sample.vcf.gz\n  hint: \
         sample names are case-sensitive and must match the #CHROM line exactly; `bcftools \
         query -l FILE` lists them (looked for \"hg00097\")\n"
    );

    // A truncated download.
    let truncated = tmp.join("truncated.vcf.gz");
    let bytes = std::fs::read(&cohort).expect("read");
    std::fs::write(&truncated, &bytes[..30_000]).expect("write");
    let message = fails_with(&["ingest", s(&truncated), "--out", s(&out)], &tmp, &out);
    assert!(
        message
            .starts_with("provar: error: cannot read TMP/truncated.vcf.gz\n  caused by: at line "),
        "{message}"
    );
    assert!(message.ends_with(
        "  hint: TMP/truncated.vcf.gz ends in the middle of a compressed block: the file is \
         truncated (an interrupted download or copy?)\n"
    ));

    // --out naming a file.
    let file = tmp.join("a-file");
    std::fs::write(&file, b"").expect("write");
    let message = fails_with(&["ingest", s(&cohort), "--out", s(&file)], &tmp, &out);
    assert!(
        message.starts_with("provar: error: creating the output directory\n"),
        "{message}"
    );
    assert!(message.ends_with("  hint: --out names an existing file; give a directory\n"));

    // gzip instead of bgzip.
    let gzipped = tmp.join("gzip.vcf.gz");
    {
        use std::io::Write as _;
        let plain = std::fs::read(testdata("multiallelic/pl.vcf")).expect("read");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&plain).expect("compress");
        std::fs::write(&gzipped, encoder.finish().expect("compress")).expect("write");
    }
    assert_eq!(
        fails_with(&["ingest", s(&gzipped), "--out", s(&out)], &tmp, &out),
        "provar: error: unsupported compression in TMP/gzip.vcf.gz: gzip but not BGZF\n  \
         hint: recompress with `bgzip` (htslib) instead of gzip\n"
    );
}
