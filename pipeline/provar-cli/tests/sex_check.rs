//! Sex inference and the pedigree sex check of `provar qc` (issues 4 and 6) against PLINK 1.9
//! `--check-sex` on the simulated chromosome X cohort of `testdata/sex/` (200 samples of
//! known sex: 100 diploid females, 50 haploid males, 50 males written `a/a`; 200 PAR sites
//! that must be left out; three deliberate pedigree errors). The fixture
//! `expected/sim-x.sexcheck.tsv` and its command are in `expected/regenerate.sh`: PLINK is
//! given bcftools' allele frequencies (`--read-freq`), so the two compute F from the same p.

mod common;

use std::path::Path;

use common::{assert_ok, floats, ints, provar, stderr, strings};
use provar_io::table::Table;
use provar_testkit::{testdata, Tsv};

/// The simulated X cohort ingested and QC'd into a fresh directory, with `extra` qc args.
fn qc_sim_x(extra: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf-8 temp path").to_owned();
    common::ingest_testdata("sex/sim-x.vcf.gz", dir.path());
    let mut args = vec!["qc", "--out", &out];
    args.extend_from_slice(extra);
    let output = provar(&args);
    assert_ok(&output);
    (dir, stderr(&output))
}

fn sex_code(sex: Option<&str>) -> &'static str {
    match sex {
        Some("male") => "1",
        Some("female") => "2",
        _ => "0",
    }
}

#[test]
fn f_inferred_sex_and_pedigree_check_equal_plink_check_sex() {
    let ped = testdata("sex/sim-x.ped");
    let (dir, messages) = qc_sim_x(&["--ped", ped.to_str().expect("utf-8 path")]);
    let out = dir.path();
    let expected = Tsv::read("expected/sim-x.sexcheck.tsv");
    let ids = strings(out, Table::SampleQc, "sample_id");
    let f = floats(out, Table::SampleQc, "x_f");
    let inferred = strings(out, Table::SampleQc, "inferred_sex");
    let pedigree = strings(out, Table::SampleQc, "pedigree_sex");
    let check = strings(out, Table::SampleQc, "sex_check");
    assert_eq!(ids.len(), 200);
    assert_eq!(expected.rows.len(), 200);
    for (i, row) in expected.rows.iter().enumerate() {
        let id = ids[i].as_deref();
        assert_eq!(id, Some(expected.get(row, "sample")));
        // PLINK prints F with 4 significant digits.
        let plink_f: f64 = expected.get(row, "F").parse().expect("F is a number");
        let ours = f[i].expect("every sample has X sites");
        assert!(
            (ours - plink_f).abs() <= 5e-4 * plink_f.abs().max(1e-3),
            "{id:?}: F {ours} vs PLINK {plink_f}"
        );
        assert_eq!(
            sex_code(inferred[i].as_deref()),
            expected.get(row, "SNPSEX"),
            "{id:?} inferred sex"
        );
        assert_eq!(
            sex_code(pedigree[i].as_deref()),
            expected.get(row, "PEDSEX"),
            "{id:?} pedigree sex"
        );
        assert_eq!(
            check[i].as_deref().map(str::to_ascii_uppercase).as_deref(),
            Some(expected.get(row, "STATUS")),
            "{id:?} status"
        );
    }
    // The three deliberate pedigree errors are among the problems, named on stderr.
    for (id, line) in [
        ("SIM00007", "SIM00007: pedigree male, inferred female"),
        ("SIM00123", "SIM00123: pedigree female, inferred male"),
        ("SIM00188", "SIM00188: pedigree unknown, inferred male"),
    ] {
        assert!(messages.contains(line), "{id} not reported:\n{messages}");
    }
    // Every male (haploid or written a/a) is inferred male: F is 1, no heterozygous call.
    let het = ints(out, Table::SampleQc, "x_n_het");
    for i in 100..200 {
        assert_eq!(inferred[i].as_deref(), Some("male"), "{:?}", ids[i]);
        assert_eq!(het[i], 0);
    }
    // The report lists the problems.
    let dir_str = out.to_str().expect("utf-8 temp path");
    assert_ok(&provar(["report", "--out", dir_str, "-q"]));
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("Pedigree sex check"));
    assert!(html.contains("14 of 200 samples"));
    assert!(html.contains("<td>SIM00123</td><td>female</td><td>male</td>"));
}

/// The sites of sex inference are the polymorphic non-PAR X rows: derived here from
/// variant_qc's AF and the positions (the 200 PAR copies at 100,000 + POS left out), and
/// every sample is called at all of them.
#[test]
fn sex_inference_reads_polymorphic_non_par_sites_only() {
    let (dir, messages) = qc_sim_x(&[]);
    let out = dir.path();
    let positions = ints(out, Table::Variants, "position");
    let af = floats(out, Table::VariantQc, "AF");
    let sites = positions
        .iter()
        .zip(&af)
        .filter(|(p, af)| **p > 2_699_520 && af.is_some_and(|af| af > 1e-8 && af < 1.0 - 1e-8))
        .count() as i64;
    assert_eq!(sites, 3061, "PLINK's log: 3061 Xchr variant(s) scanned");
    assert!(ints(out, Table::SampleQc, "x_n_sites")
        .iter()
        .all(|&n| n == sites));
    assert!(
        messages.contains("sex from 3061 non-PAR X sites"),
        "{messages}"
    );
    // Without a pedigree, nothing is checked.
    assert!(strings(out, Table::SampleQc, "pedigree_sex")
        .iter()
        .all(Option::is_none));
    assert!(strings(out, Table::SampleQc, "sex_check")
        .iter()
        .all(Option::is_none));
}

#[test]
fn thresholds_are_configurable_and_output_is_thread_independent() {
    let ped = testdata("sex/sim-x.ped");
    let ped = ped.to_str().expect("utf-8 path");
    let (a, _) = qc_sim_x(&["--ped", ped, "--threads", "1"]);
    let (b, _) = qc_sim_x(&["--ped", ped, "--threads", "2"]);
    let bytes = |d: &Path| std::fs::read(d.join("sample_qc.parquet")).expect("sample_qc");
    assert_eq!(bytes(a.path()), bytes(b.path()));

    // With the female threshold raised to 0.7, every simulated female is inferred female.
    let (c, _) = qc_sim_x(&["--female-max-f", "0.7"]);
    let inferred = strings(c.path(), Table::SampleQc, "inferred_sex");
    assert!(inferred[..100]
        .iter()
        .all(|s| s.as_deref() == Some("female")));
}

/// The 1000 Genomes cohort has no X: F and the inferred sex are null, and a pedigree
/// listing its samples is not checked (nothing to infer from), which qc says.
#[test]
fn no_x_sites_means_no_inference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf-8 temp path");
    common::ingest_testdata("cohort/sample.vcf.gz", dir.path());
    let fam = testdata("cohort/sample.fam");
    let output = provar([
        "qc",
        "--out",
        out,
        "--ped",
        fam.to_str().expect("utf-8 path"),
    ]);
    assert_ok(&output);
    assert!(stderr(&output).contains("sex not inferred: no polymorphic non-PAR X sites"));
    assert!(floats(dir.path(), Table::SampleQc, "x_f")
        .iter()
        .all(Option::is_none));
    assert!(strings(dir.path(), Table::SampleQc, "sex_check")
        .iter()
        .all(Option::is_none));
    assert!(strings(dir.path(), Table::SampleQc, "pedigree_sex")
        .iter()
        .all(|s| s.as_deref() == Some("female")));
}
