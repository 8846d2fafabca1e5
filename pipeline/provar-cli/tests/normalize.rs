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
/// re-sorted, a deletion moving 13 bases left overtakes two later SNVs, END follows, SNVs
/// stay.
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
        stderr(&output).contains("ingest: 18 variants normalised against"),
        "{}",
        stderr(&output)
    );
    let expected = Tsv::read("expected/left-align.norm-fasta.tsv");
    let dir = out.path();
    let (keys, ends, gts) = (keys(dir), info_end(dir), genotypes(dir));
    assert_eq!(keys.len(), 26, "20 records, 4 multi-allelic, 6 extra rows");
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
        (0..26).collect::<Vec<i64>>()
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
    assert_eq!(keys.len(), 26);
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
        let theirs = bcftools_norm_keys(&fasta, &vcf);
        let out = tempfile::tempdir().expect("tempdir");
        ingest(&vcf, &fasta, out.path(), &[]);
        assert_eq!(keys(out.path()), theirs, "{name}");
        total += theirs.len();
    }
    assert!(total > 1000, "{total} rows compared");
}

/// `CHROM:POS:REF:ALT` of every row of `bcftools norm -f FASTA -m- VCF`.
fn bcftools_norm_keys(fasta: &Path, vcf: &Path) -> Vec<String> {
    let norm = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "bcftools norm -f {} -m- {} | bcftools query -f '%CHROM:%POS:%REF:%ALT\\n'",
            s(fasta),
            s(vcf)
        ))
        .output()
        .expect("bcftools runs");
    assert!(
        norm.status.success(),
        "{}",
        String::from_utf8_lossy(&norm.stderr)
    );
    String::from_utf8_lossy(&norm.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A small xorshift generator: the random files below are the same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn bases(&mut self, n: usize) -> String {
        (0..n).map(|_| b"ACGT"[self.below(4)] as char).collect()
    }
}

/// A VCF of random records on `sequence` (REFs taken from it): deletions, insertions that
/// copy nearby bases (so they sit in repeats), SNVs, random replacements, multi-allelic
/// records, lower-case alleles, `*` and `<*>`, dense or sparse.
fn random_vcf(sequence: &[u8], rng: &mut Xorshift) -> String {
    let mut text = String::from(
        "##fileformat=VCFv4.2\n##contig=<ID=17,length=4200>\n\
         ##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\n",
    );
    let n = 5 + rng.below(60);
    let (low, span) = if rng.below(2) == 0 {
        (1, sequence.len() - 1)
    } else {
        (1 + rng.below(3000), 50 + rng.below(600))
    };
    let mut positions: Vec<usize> = (0..n).map(|_| low + rng.below(span)).collect();
    positions.sort_unstable();
    for pos in positions {
        let end = (pos - 1 + 1 + rng.below(6)).min(sequence.len());
        let reference = String::from_utf8_lossy(&sequence[pos - 1..end]).into_owned();
        let mut alternates: Vec<String> = Vec::new();
        for _ in 0..[1, 1, 1, 2, 3][rng.below(5)] {
            let alternate = match rng.below(10) {
                0..=2 => reference[..1].to_owned(),
                3..=5 => {
                    let start = (pos + rng.below(7)).saturating_sub(4);
                    let stop = (start + 1 + rng.below(6)).min(sequence.len());
                    format!(
                        "{reference}{}",
                        String::from_utf8_lossy(&sequence[start.min(stop)..stop])
                    )
                }
                6 | 7 => {
                    let last = reference.as_bytes()[reference.len() - 1];
                    let other = b"ACGT"
                        .iter()
                        .find(|b| **b != last)
                        .copied()
                        .unwrap_or(b'A');
                    let pick = b"ACGT"[rng.below(4)];
                    let base = if pick == last { other } else { pick };
                    format!("{}{}", &reference[..reference.len() - 1], base as char)
                }
                _ => {
                    let n = 1 + rng.below(4);
                    rng.bases(n)
                }
            };
            if alternate != reference && !alternates.contains(&alternate) {
                alternates.push(alternate);
            }
        }
        match rng.below(20) {
            0 => alternates.clear(),
            1 | 2 => alternates.push("<*>".to_owned()),
            3 if !alternates.is_empty() => alternates.push("*".to_owned()),
            _ => {}
        }
        let mut alt = if alternates.is_empty() {
            ".".to_owned()
        } else {
            alternates.join(",")
        };
        let mut reference = reference;
        if rng.below(20) == 0 {
            reference = reference.to_ascii_lowercase();
        }
        if rng.below(20) == 0 {
            alt = alt.to_ascii_lowercase();
        }
        let gt = if alternates.is_empty() { "0/0" } else { "0/1" };
        text.push_str(&format!(
            "17\t{pos}\t.\t{reference}\t{alt}\t50\tPASS\t.\tGT\t{gt}\n"
        ));
    }
    text
}

/// Differential check: 60 seeded random files on the real slice give the rows of `bcftools
/// norm -f mpileup.ref.fa -m- FILE | bcftools query -f '%CHROM:%POS:%REF:%ALT\n'`, in the
/// same order. Needs bcftools.
#[test]
fn random_records_equal_bcftools_norm_with_fasta() {
    if !cmd_exists("bcftools") {
        eprintln!("skipped: bcftools is not installed");
        return;
    }
    let fasta = testdata(REFERENCE);
    let sequence: Vec<u8> = std::fs::read_to_string(&fasta)
        .expect("reads the FASTA")
        .lines()
        .filter(|l| !l.starts_with('>'))
        .flat_map(|l| l.trim().bytes().collect::<Vec<u8>>())
        .collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    let mut rows = 0;
    for file in 0..60 {
        let vcf = tmp.path().join(format!("random{file}.vcf"));
        std::fs::write(&vcf, random_vcf(&sequence, &mut rng)).expect("write");
        let theirs = bcftools_norm_keys(&fasta, &vcf);
        let out = tmp.path().join(format!("out{file}"));
        ingest(&vcf, &fasta, &out, &["-q"]);
        assert_eq!(
            keys(&out),
            theirs,
            "{}",
            std::fs::read_to_string(&vcf).unwrap_or_default()
        );
        rows += theirs.len();
    }
    assert!(rows > 1000, "{rows} rows compared");
}
