//! `provar annotate --population` (issue 4): population allele frequencies joined by exact
//! allele match equal `bcftools annotate -a SITES -c INFO/pop_AF:=INFO/AF,...` on the
//! 1000 Genomes cohort with the labelled example sites file (`reference/README.md`; fixture
//! and command in `reference/make-example-population.sh`).

mod common;

use std::{ffi::OsStr, path::Path};

use common::{assert_ok, provar, stderr};
use provar_io::arrow_array::{Array, Float32Array, Int32Array, StringArray};
use provar_testkit::{testdata, Tsv};

/// The 1000 Genomes cohort ingested into a fresh temporary directory.
fn ingested_cohort() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::ingest_testdata("cohort/sample.vcf.gz", dir.path());
    dir
}

/// `provar annotate --out OUT --population <the example sites> EXTRA…`.
fn annotate_with_population(out: &Path, extra: &[&OsStr]) -> std::process::Output {
    let sites = testdata("population/example-population.sites.vcf.gz");
    let mut args: Vec<&OsStr> = vec![
        "annotate".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--population".as_ref(),
        sites.as_os_str(),
    ];
    args.extend_from_slice(extra);
    provar(args)
}

#[test]
fn population_join_equals_bcftools_annotate() {
    let dir = ingested_cohort();
    let out = dir.path();
    let ledger = out.join("ledger");
    let run = annotate_with_population(out, &["--ledger".as_ref(), ledger.as_os_str()]);
    assert_ok(&run);
    assert!(
        stderr(&run).contains("264 of 346 variants matched"),
        "{}",
        stderr(&run)
    );
    // The scratch ingest of the sites file is gone.
    let left: Vec<String> = std::fs::read_dir(out)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let (schema, batches) = provar_io::table::read_any(out, "population")
        .expect("readable")
        .expect("population.parquet");
    assert_eq!(schema, "population/1");
    let mut ours = Vec::new();
    for b in &batches {
        let key = b.column_by_name("variant_key").expect("key");
        let key = key.as_any().downcast_ref::<StringArray>().expect("utf8");
        let af = b.column_by_name("pop_AF").expect("pop_AF");
        let af = af.as_any().downcast_ref::<Float32Array>().expect("Float32");
        let int = |name: &str| {
            b.column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<Int32Array>().cloned())
                .unwrap_or_else(|| panic!("{name} Int32"))
        };
        let (ac, an, hom) = (int("pop_AC"), int("pop_AN"), int("pop_AC_Hom"));
        let show_i = |a: &Int32Array, i: usize| {
            if a.is_null(i) {
                ".".to_owned()
            } else {
                a.value(i).to_string()
            }
        };
        for i in 0..b.num_rows() {
            let af = if af.is_null(i) {
                ".".to_owned()
            } else {
                af.value(i).to_string()
            };
            ours.push(vec![
                key.value(i).to_owned(),
                af,
                show_i(&ac, i),
                show_i(&an, i),
                show_i(&hom, i),
            ]);
        }
    }
    let expected = Tsv::read("expected/sample.population-annotate.tsv");
    assert_eq!(
        ours.len(),
        expected.rows.len(),
        "one row per cohort variant (346)"
    );
    let mut unmatched = 0;
    for (row, want) in ours.iter().zip(&expected.rows) {
        let key = ["contig", "position", "reference", "alternate"]
            .map(|c| expected.get(want, c).to_owned())
            .join(":");
        assert_eq!(row[0], key);
        let theirs = ["pop_AF", "pop_AC", "pop_AN", "pop_AC_Hom"].map(|c| expected.get(want, c));
        assert_eq!(row[1..], theirs, "{key}");
        unmatched += usize::from(theirs[0] == ".");
    }
    assert_eq!(
        unmatched, 82,
        "sites absent from the example (AC = 0 in its 50 samples)"
    );
    // The sites file is an input of the ledger record.
    let records =
        std::fs::read_to_string(out.join("ledger").join("records.jsonl")).expect("ledger");
    assert!(records.contains("example-population.sites.vcf.gz"));
}

#[test]
fn missing_population_field_is_a_clear_error() {
    let dir = ingested_cohort();
    let out = dir.path();
    let run = annotate_with_population(
        out,
        &["--population-fields".as_ref(), "AF,nhomalt".as_ref()],
    );
    assert_eq!(run.status.code(), Some(2));
    let message = stderr(&run);
    assert!(
        message.contains("example-population.sites.vcf.gz"),
        "{message}"
    );
    assert!(message.contains("has no INFO/nhomalt"), "{message}");
    assert!(!out.join("population.parquet").exists());
    let hidden = std::fs::read_dir(out)
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(hidden, 0, "no scratch left behind");
}

/// `provar run --population` runs annotate after qc: its population.parquet has the same
/// bytes as `provar annotate --population` writes, and rare reports the alleles its
/// population-AF limit (0.01) leaves out: those with pop_AF above 0.01.
#[test]
fn run_with_population_writes_the_same_table_and_rare_uses_it() {
    let by_hand = ingested_cohort();
    assert_ok(&annotate_with_population(by_hand.path(), &["-q".as_ref()]));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let sites = testdata("population/example-population.sites.vcf.gz");
    let output = provar([
        "run".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--population".as_ref(),
        sites.as_os_str(),
    ]);
    assert_ok(&output);
    let bytes = |d: &Path| std::fs::read(d.join("population.parquet")).expect("population");
    assert_eq!(bytes(&out), bytes(by_hand.path()));
    // The fixture's pop_AF column: alleles above 0.01 are left out of the modes.
    let fixture = Tsv::read("expected/sample.population-annotate.tsv");
    let above = fixture
        .rows
        .iter()
        .filter(|r| {
            fixture
                .get(r, "pop_AF")
                .parse::<f64>()
                .is_ok_and(|af| af > 0.01)
        })
        .count();
    assert!(above > 0);
    assert!(
        stderr(&output).contains(&format!(
            "rare: {above} variant(s) left out of the inheritance modes"
        )),
        "{}",
        stderr(&output)
    );
}
