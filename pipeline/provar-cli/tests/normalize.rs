//! `provar ingest --fasta`: split rows left-aligned and trimmed against a reference the way
//! `bcftools norm -f REF -m-` does (issue 3), checked on the real GRCh37 17:1-4200 slice of
//! testdata/reads.

mod common;

use std::path::Path;

use common::*;
use provar_io::{
    arrow_array::{Array, Int32Array},
    table::{self, Table},
};
use provar_testkit::{cmd_exists, testdata, testdata_dir, Tsv};

const REFERENCE: &str = "reads/mpileup.ref.fa";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `provar ingest VCF --fasta REFERENCE --out OUT` plus `extra`, asserting success.
fn ingest(vcf: &Path, fasta: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["ingest", s(vcf), "--fasta", s(fasta), "--out", s(out)];
    args.extend(extra);
    let output = provar(args);
    assert_ok(&output);
    output
}

/// The rows of `variants` as `contig:pos:ref:alt`.
fn keys(dir: &Path) -> Vec<String> {
    let contig = strings(dir, Table::Variants, "contig");
    let position = ints(dir, Table::Variants, "position");
    let reference = strings(dir, Table::Variants, "reference_bases");
    let alternate = strings(dir, Table::Variants, "alternate_bases");
    (0..contig.len())
        .map(|i| {
            format!(
                "{}:{}:{}:{}",
                contig[i].as_deref().unwrap_or_default(),
                position[i],
                reference[i].as_deref().unwrap_or_default(),
                alternate[i].as_deref().unwrap_or(".")
            )
        })
        .collect()
}

/// INFO/END of every row as bcftools query prints it.
fn info_end(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for batch in table::read_any(dir, "info")
        .expect("info table reads")
        .expect("info table exists")
        .1
    {
        let end = batch
            .column_by_name("END")
            .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
            .expect("END is Int32")
            .clone();
        out.extend((0..end.len()).map(|i| {
            if end.is_null(i) {
                ".".to_owned()
            } else {
                end.value(i).to_string()
            }
        }));
    }
    out
}

/// `bcftools norm -f testdata/reads/mpileup.ref.fa -m- testdata/normalize/left-align.vcf |
/// bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t%INFO/END[\t%GT]\n'`: indels written
/// right-shifted in homopolymers and tandem repeats move to their leftmost position (one
/// to position 1), multi-allelic records mixing SNVs and indels split into rows that are
/// re-sorted, END follows, SNVs stay.
#[test]
fn rows_equal_bcftools_norm_with_fasta() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = ingest(
        &testdata("normalize/left-align.vcf"),
        &testdata(REFERENCE),
        out.path(),
        &[],
    );
    assert!(
        stderr(&output).contains("ingest: 17 variants normalised against"),
        "{}",
        stderr(&output)
    );
    let expected = Tsv::read("expected/left-align.norm-fasta.tsv");
    let dir = out.path();
    let (keys, ends, gts) = (keys(dir), info_end(dir), genotypes(dir));
    assert_eq!(keys.len(), 23, "17 records, 4 multi-allelic, 6 extra rows");
    assert_eq!(expected.rows.len(), keys.len());
    let stored_keys = strings(dir, Table::Variants, "variant_key");
    for (i, row) in expected.rows.iter().enumerate() {
        let theirs = row[..4].join(":");
        assert_eq!(keys[i], theirs, "row {i}");
        assert_eq!(
            stored_keys[i].as_deref(),
            Some(theirs.as_str()),
            "variant_key"
        );
        assert_eq!(ends[i], expected.get(row, "END"), "END at {theirs}");
        assert_eq!(
            gts[i],
            [expected.get(row, "a"), expected.get(row, "b")],
            "GT at {theirs}"
        );
    }
    assert_eq!(
        ints(dir, Table::Variants, "variant_index"),
        (0..23).collect::<Vec<i64>>()
    );
}

/// Without `--fasta` nothing moves: rows stay as written, in file order.
#[test]
fn without_fasta_rows_stay_as_written() {
    let out = tempfile::tempdir().expect("tempdir");
    assert_ok(&provar([
        "ingest",
        s(&testdata("normalize/left-align.vcf")),
        "--out",
        s(out.path()),
    ]));
    let keys = keys(out.path());
    assert_eq!(keys[..3], ["17:2:AG:G", "17:2:AG:AAG", "17:100:C:T"]);
    assert_eq!(keys.len(), 23);
}

/// Same bytes at any thread count and chunk size: the re-sorting is decided record by
/// record.
#[test]
fn normalised_tables_are_identical_at_one_and_two_threads() {
    let vcf = testdata("normalize/left-align.vcf");
    let fasta = testdata(REFERENCE);
    let one = tempfile::tempdir().expect("tempdir");
    let two = tempfile::tempdir().expect("tempdir");
    ingest(&vcf, &fasta, one.path(), &["--threads", "1"]);
    ingest(&vcf, &fasta, two.path(), &["--threads", "2"]);
    let names = files(one.path());
    assert_eq!(names, files(two.path()));
    assert!(names.iter().any(|n| n.ends_with("variants.parquet")));
    for name in names {
        assert_eq!(
            std::fs::read(one.path().join(&name)).expect("read"),
            std::fs::read(two.path().join(&name)).expect("read"),
            "{} differs between --threads 1 and 2",
            name.display()
        );
    }
}

/// The FASTA is recorded as an input of the ingest record; without `.fai` it is indexed in
/// memory and gives the same tables.
#[test]
fn fasta_without_fai_gives_the_same_tables_and_is_a_ledger_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bare = tmp.path().join("ref.fa");
    std::fs::copy(testdata(REFERENCE), &bare).expect("copy");
    let vcf = testdata("normalize/left-align.vcf");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    ingest(&vcf, &testdata(REFERENCE), &a, &[]);
    let ledger = tmp.path().join("ledger");
    ingest(&vcf, &bare, &b, &["--ledger", s(&ledger)]);
    let variants = Table::Variants.file_name();
    assert_eq!(
        std::fs::read(a.join(&variants)).expect("read"),
        std::fs::read(b.join(&variants)).expect("read")
    );
    let lineage = provar([
        "ledger",
        "lineage",
        s(&b.join(&variants)),
        "--ledger",
        s(&ledger),
        "--json",
    ]);
    assert_ok(&lineage);
    let text = String::from_utf8_lossy(&lineage.stdout);
    assert!(text.contains("ref.fa"), "{text}");
    assert!(text.contains("bcftools norm -f FASTA -m-"), "{text}");
}

/// `provar run --fasta` normalises at ingest; the FASTA is a raw input of the tables.
#[test]
fn run_normalises_at_ingest_with_fasta() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("run");
    run_pipeline(
        &testdata("normalize/left-align.vcf"),
        &out,
        &["--fasta", s(&testdata(REFERENCE))],
    );
    let expected = Tsv::read("expected/left-align.norm-fasta.tsv");
    let theirs: Vec<String> = expected.rows.iter().map(|r| r[..4].join(":")).collect();
    assert_eq!(keys(&out), theirs);
    let lineage = provar([
        "ledger",
        "lineage",
        s(&out.join("variant_qc.parquet")),
        "--ledger",
        s(&out.join("ledger")),
    ]);
    assert_ok(&lineage);
    let text = String::from_utf8_lossy(&lineage.stdout);
    assert!(text.contains("mpileup.ref.fa"), "{text}");
}

/// A REF that differs from the reference stops the run (exit 2) naming the file, the line,
/// `contig:pos` and both alleles; nothing is left in --out.
#[test]
fn reference_mismatch_is_exit_2_naming_the_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tmp = dir.path().canonicalize().expect("canonical");
    let vcf = tmp.join("bad.vcf");
    let text = std::fs::read_to_string(testdata("normalize/left-align.vcf")).expect("read");
    // 17:1164 is TTT in the reference.
    std::fs::write(
        &vcf,
        text.replace("17\t1164\t.\tTTT\tT", "17\t1164\t.\tTGT\tT"),
    )
    .expect("write");
    let out = tmp.join("out");
    let output = provar([
        "ingest",
        s(&vcf),
        "--fasta",
        s(&testdata(REFERENCE)),
        "--out",
        s(&out),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert!(!out.exists(), "{} was left behind", out.display());
    let message = stderr(&output)
        .replace(&testdata_dir().display().to_string(), "TESTDATA")
        .replace(&tmp.display().to_string(), "TMP");
    assert_eq!(
        message,
        "provar: error: cannot normalise the record at TMP/bad.vcf:16 (17:1164) against \
         TESTDATA/reads/mpileup.ref.fa\n  caused by: REF TGT does not match the reference \
         bases TTT\n  hint: give the FASTA of the genome build the VCF was made on; `bcftools \
         norm -c w -f FASTA VCF` lists every mismatch\n"
    );
}

/// A contig the FASTA lacks is exit 2 naming it and the FASTA's contigs.
#[test]
fn contig_missing_from_the_fasta_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tmp = dir.path().canonicalize().expect("canonical");
    let vcf = tmp.join("chr.vcf");
    let text = std::fs::read_to_string(testdata("normalize/left-align.vcf")).expect("read");
    std::fs::write(
        &vcf,
        text.replace("\n17\t", "\nchr17\t")
            .replace("ID=17,", "ID=chr17,"),
    )
    .expect("write");
    let out = tmp.join("out");
    let output = provar([
        "ingest",
        s(&vcf),
        "--fasta",
        s(&testdata(REFERENCE)),
        "--out",
        s(&out),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!out.exists());
    let message = stderr(&output)
        .replace(&testdata_dir().display().to_string(), "TESTDATA")
        .replace(&tmp.display().to_string(), "TMP");
    assert_eq!(
        message,
        "provar: error: cannot normalise the record at TMP/chr.vcf:7 (chr17:2) against \
         TESTDATA/reads/mpileup.ref.fa\n  caused by: contig \"chr17\" is not in FASTA \
         TESTDATA/reads/mpileup.ref.fa (its contigs: 17)\n  hint: the FASTA names contigs \
         without \"chr\" (17, not chr17): rename the VCF's contigs (`bcftools annotate \
         --rename-chrs`) or use a FASTA named like the VCF\n"
    );
}

/// bcftools' own expected `mpileup` VCFs of testdata/reads (multi-allelic `<*>` records,
/// the indel at 17:302, a gVCF) ingest with `--fasta` to the rows of `bcftools norm -f
/// mpileup.ref.fa -m- FILE | bcftools query -f '%CHROM:%POS:%REF:%ALT\n'`. Needs bcftools.
#[test]
fn mpileup_outputs_equal_bcftools_norm_with_fasta() {
    if !cmd_exists("bcftools") {
        eprintln!("skipped: bcftools is not installed");
        return;
    }
    let fasta = testdata(REFERENCE);
    let mut total = 0;
    for name in [
        "mpileup.1.out",
        "mpileup.2.out",
        "mpileup.3.out",
        "mpileup.4.out",
        "mpileup.5.out",
        "mpileup.6.out",
        "mpileup.12.out",
    ] {
        let vcf = testdata(&format!("reads/{name}"));
        let norm = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "bcftools norm -f {} -m- {} | bcftools query -f '%CHROM:%POS:%REF:%ALT\\n'",
                s(&fasta),
                s(&vcf)
            ))
            .output()
            .expect("bcftools runs");
        assert!(
            norm.status.success(),
            "{}",
            String::from_utf8_lossy(&norm.stderr)
        );
        let theirs: Vec<String> = String::from_utf8_lossy(&norm.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        let out = tempfile::tempdir().expect("tempdir");
        ingest(&vcf, &fasta, out.path(), &[]);
        assert_eq!(keys(out.path()), theirs, "{name}");
        total += theirs.len();
    }
    assert!(total > 1000, "{total} rows compared");
}
