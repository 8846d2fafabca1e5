//! Issue 3, "Bad input": `provar ingest` over every file of the vcf-edge-cases corpus
//! (`testdata/vcf-edge-cases/`, 549 VCF/BCF files from vcf-validator, htsjdk and cyvcf2).
//!
//! - every file vcf-validator labels valid ingests (exit 0, the three tables, readable);
//! - every file it labels invalid exits 2 naming the file and a line (`FILE:LINE`) and leaves
//!   no file behind, unless `TOLERATED.md` lists it with a category whose reason is given
//!   there; a listed file must then really be accepted, so the list stays exact;
//! - unlabelled files (htsjdk, cyvcf2) exit 0 with the tables or 2 with nothing left;
//! - nothing panics.

mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    process::Command,
};

use provar_io::table::{self, Table};
use provar_testkit::{testdata, Tsv};

const CORPUS: &str = "vcf-edge-cases";

/// What ingesting one file did.
struct Outcome {
    file: String,
    code: Option<i32>,
    stderr: String,
    files_left: Vec<PathBuf>,
    tables_readable: bool,
}

fn ingest(file: &str) -> Outcome {
    let vcf = testdata(&format!("{CORPUS}/{file}"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_provar"))
        .args(["--threads", "1", "-q", "ingest"])
        .arg(&vcf)
        .arg("--out")
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .expect("the provar binary runs");
    let files_left = common::files(dir.path());
    let tables_readable = output.status.success()
        && [Table::Variants, Table::Calls, Table::Samples]
            .iter()
            .all(|t| {
                table::read(&out, *t, 1024).is_ok_and(|mut batches| batches.all(|b| b.is_ok()))
            })
        && table::read_any(&out, "info").is_ok_and(|t| t.is_some());
    Outcome {
        file: file.to_owned(),
        code: output.status.code(),
        stderr: common::stderr(&output),
        files_left,
        tables_readable,
    }
}

/// Runs `ingest` on every file, on a few threads (each run is its own process).
fn ingest_all(files: &[String]) -> Vec<Outcome> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|f| ingest(f)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    })
}

/// Whether `message` names `path` followed by `:LINE`.
fn names_file_and_line(message: &str, path: &Path) -> bool {
    let path = format!("{}:", path.display());
    message.match_indices(&path).any(|(i, _)| {
        message[i + path.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// The tolerated files and the categories TOLERATED.md documents: the `## Files` table gives
/// `| file | category | ... |`, the `## Categories` table `| category | ... |`.
fn tolerated() -> (BTreeMap<String, String>, BTreeSet<String>) {
    let path = testdata(&format!("{CORPUS}/TOLERATED.md"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut section = "";
    let (mut files, mut categories) = (BTreeMap::new(), BTreeSet::new());
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.trim();
            continue;
        }
        let cells: Vec<&str> = line
            .trim()
            .strip_prefix('|')
            .and_then(|l| l.strip_suffix('|'))
            .map(|l| l.split('|').map(|c| c.trim().trim_matches('`')).collect())
            .unwrap_or_default();
        if cells.len() < 2
            || cells[0].starts_with("---")
            || cells[0] == "file"
            || cells[0] == "category"
        {
            continue;
        }
        match section {
            "Categories" => {
                categories.insert(cells[0].to_owned());
            }
            "Files" => {
                let previous = files.insert(cells[0].to_owned(), cells[1].to_owned());
                assert!(previous.is_none(), "{} is listed twice", cells[0]);
            }
            _ => {}
        }
    }
    (files, categories)
}

#[test]
fn every_corpus_file_is_ingested_or_rejected_with_file_and_line() {
    let expected = Tsv::read(&format!("{CORPUS}/EXPECTED_OUTCOMES.tsv"));
    // Columns: file, validator label (valid / invalid / blank), CauseOfFailure, bcftools
    // 1.16 exit code, bcftools' first error line.
    let label: BTreeMap<String, String> = expected
        .rows
        .iter()
        .map(|r| (r[0].clone(), r.get(1).cloned().unwrap_or_default()))
        .collect();
    assert_eq!(label.len(), 549, "EXPECTED_OUTCOMES.tsv lists 549 files");
    let (tolerated, categories) = tolerated();

    let mut problems = Vec::new();
    for (file, category) in &tolerated {
        if label.get(file).map(String::as_str) != Some("invalid") {
            problems.push(format!(
                "TOLERATED.md lists {file}, which is not an invalid corpus file"
            ));
        }
        if !categories.contains(category) {
            problems.push(format!(
                "{file}: category {category:?} has no reason in TOLERATED.md"
            ));
        }
    }

    let files: Vec<String> = label.keys().cloned().collect();
    let outcomes = ingest_all(&files);
    assert_eq!(outcomes.len(), files.len());
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &outcomes {
        let path = testdata(&format!("{CORPUS}/{}", o.file));
        let what = format!("{} (exit {:?}): {}", o.file, o.code, o.stderr.trim());
        if o.stderr.contains("panicked") {
            problems.push(format!("panic: {what}"));
        }
        let clean_failure = o.code == Some(2) && o.files_left.is_empty();
        let names_line =
            names_file_and_line(&o.stderr, &path) || o.stderr.contains("the file is empty");
        // The four ingest tables, and format.parquet when the header declares FORMAT keys
        // beyond GT, AD, DP, GQ and PL.
        let accepted =
            o.code == Some(0) && o.tables_readable && (4..=5).contains(&o.files_left.len());
        match (label[&o.file].as_str(), tolerated.contains_key(&o.file)) {
            ("valid", _) => {
                *counts.entry("valid accepted").or_default() += usize::from(accepted);
                if !accepted {
                    problems.push(format!("valid file not ingested: {what}"));
                }
            }
            ("invalid", false) => {
                *counts.entry("invalid rejected").or_default() += usize::from(clean_failure);
                if !clean_failure || !names_line {
                    problems.push(format!(
                        "invalid file not rejected with FILE:LINE and no output: {what}; left {:?}",
                        o.files_left
                    ));
                }
            }
            ("invalid", true) => {
                *counts.entry("invalid tolerated").or_default() += usize::from(accepted);
                if !accepted {
                    problems.push(format!(
                        "TOLERATED.md lists {}, but it is not accepted (remove it from the list?): {what}",
                        o.file
                    ));
                }
            }
            _ => {
                *counts.entry("unlabelled accepted").or_default() += usize::from(accepted);
                *counts.entry("unlabelled rejected").or_default() += usize::from(clean_failure);
                if !accepted && !clean_failure {
                    problems.push(format!(
                        "unlabelled file neither ingested nor cleanly rejected: {what}"
                    ));
                }
            }
        }
    }
    eprintln!("corpus: {counts:?}");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Runs `provar ingest FILE --out DIR` then `provar qc --out DIR` on a corpus file.
fn ingest_and_qc(file: &str, out: &Path) {
    let vcf = testdata(&format!("{CORPUS}/{file}"));
    common::assert_ok(&common::provar([
        "ingest".as_ref(),
        vcf.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    common::assert_ok(&common::provar([
        "qc".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
}

/// The third and further alleles of each call in every `calls` row (`None` for ploidy <= 2).
fn extra_alleles(dir: &Path) -> Vec<Vec<Option<Vec<i8>>>> {
    use provar_io::arrow_array::{cast::AsArray, types::Int8Type, Array};
    let mut out = Vec::new();
    for batch in table::read(dir, Table::Calls, 1024).expect("calls opens") {
        let batch = batch.expect("calls reads");
        let rows = batch
            .column_by_name("gt_alleles_extra")
            .expect("gt_alleles_extra column")
            .as_list::<i32>();
        for row in 0..rows.len() {
            let samples = rows.value(row);
            let samples = samples.as_list::<i32>();
            out.push(
                (0..samples.len())
                    .map(|s| {
                        (!samples.is_null(s)).then(|| {
                            samples
                                .value(s)
                                .as_primitive::<Int8Type>()
                                .values()
                                .to_vec()
                        })
                    })
                    .collect(),
            );
        }
    }
    out
}

/// Issue 3: `0|0|1` keeps its third allele, and AN counts every allele (a triploid call
/// adds 3). bcftools 1.16 `+fill-tags` is no reference here: it gives `0|0|1` AN=2 AC=1 and
/// `0/1/1/1` AN=2 AC=1, as if every call were diploid.
#[test]
fn polyploid_calls_keep_every_allele_through_qc() {
    let dir = tempfile::tempdir().expect("tempdir");
    ingest_and_qc(
        "vcf_validator/v4.3/passed/passed_ploidy_000.vcf",
        dir.path(),
    );
    let genotypes = common::genotypes(dir.path());
    // The diploid columns hold the first two alleles; line 3 is `0|0|1  0|1`, line 4 `0  0|1`.
    assert_eq!(genotypes[0], ["0|0", "0|1"]);
    assert_eq!(genotypes[1], ["0", "0|1"]);
    let extra = extra_alleles(dir.path());
    assert_eq!(extra[0], [Some(vec![1]), None]);
    assert_eq!(extra[1], [None, None]);
    let an = common::ints(dir.path(), Table::VariantQc, "AN");
    let ac = common::ints(dir.path(), Table::VariantQc, "AC");
    let het = common::ints(dir.path(), Table::VariantQc, "n_het");
    assert_eq!((an[0], ac[0], het[0]), (5, 2, 2));
    assert_eq!((an[1], ac[1], het[1]), (3, 1, 1));
}

/// Issue 3: a record at POS 0 (a telomere) is kept with position 0, the number in the file.
#[test]
fn telomere_records_keep_position_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    ingest_and_qc("vcf_validator/v4.3/passed/passed_body_pos.vcf", dir.path());
    let position = common::ints(dir.path(), Table::Variants, "position");
    let keys = common::strings(dir.path(), Table::Variants, "variant_key");
    assert_eq!(position[..2], [0, 1]);
    assert_eq!(keys[0].as_deref(), Some("1:0:C:T"));
    assert_eq!(keys[1].as_deref(), Some("<1>:1:C:T"));
}

/// Issue 3: ALT `.` with a GT naming allele 1 (`passed_body_alt.vcf` line 22, labelled
/// valid) keeps that allele as an alternate the file does not name: neither a reference call
/// nor a missing one.
#[test]
fn a_gt_allele_at_alt_dot_stays_alternate() {
    let dir = tempfile::tempdir().expect("tempdir");
    ingest_and_qc("vcf_validator/v4.3/passed/passed_body_alt.vcf", dir.path());
    let alternates = common::strings(dir.path(), Table::Variants, "alternate_bases");
    let positions = common::ints(dir.path(), Table::Variants, "position");
    let row = alternates
        .iter()
        .zip(&positions)
        .position(|(a, p)| a.is_none() && *p == 1900)
        .expect("the ALT . record at 1:1900");
    assert_eq!(common::genotypes(dir.path())[row], ["0|0", "0|1"]);
    let ac = common::ints(dir.path(), Table::VariantQc, "AC");
    let an = common::ints(dir.path(), Table::VariantQc, "AN");
    assert_eq!((ac[row], an[row]), (1, 4));
}
