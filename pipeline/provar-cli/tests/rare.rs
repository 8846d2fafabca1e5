//! `provar rare` against Hail's Mendel-error expectations, bcftools +mendelian and PLINK
//! 1.9 --mendel on the GIAB trio, and slivar's de novo and compound-het expectations
//! (issue 6).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use provar_io::arrow_array::{Array, StringArray, UInt64Array, UInt8Array};
use provar_testkit::{testdata, Tsv};

fn rare(out: &Path, ped: &str, extra: &[&str]) -> String {
    let mut args: Vec<std::ffi::OsString> = vec![
        "rare".into(),
        "--ped".into(),
        testdata(ped).into(),
        "--out".into(),
        out.into(),
    ];
    args.extend(extra.iter().map(Into::into));
    let output = provar(args);
    assert_ok(&output);
    stderr(&output)
}

/// The rows of a table written by `provar rare`, as strings by column name.
fn rows(dir: &Path, name: &str) -> Vec<BTreeMap<String, String>> {
    let (_, batches) = provar_io::table::read_any(dir, name)
        .expect("table reads")
        .unwrap_or_else(|| panic!("{name}.parquet exists"));
    let mut out = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let mut map = BTreeMap::new();
            for (c, field) in schema.fields().iter().enumerate() {
                let column = batch.column(c);
                let text = if column.is_null(row) {
                    String::new()
                } else if let Some(s) = column.as_any().downcast_ref::<StringArray>() {
                    s.value(row).to_owned()
                } else if let Some(u) = column.as_any().downcast_ref::<UInt64Array>() {
                    u.value(row).to_string()
                } else if let Some(u) = column.as_any().downcast_ref::<UInt8Array>() {
                    u.value(row).to_string()
                } else if let Some(f) = column
                    .as_any()
                    .downcast_ref::<provar_io::arrow_array::Float64Array>()
                {
                    f.value(row).to_string()
                } else if let Some(u) = column
                    .as_any()
                    .downcast_ref::<provar_io::arrow_array::UInt32Array>()
                {
                    u.value(row).to_string()
                } else if let Some(b) = column
                    .as_any()
                    .downcast_ref::<provar_io::arrow_array::BooleanArray>()
                {
                    b.value(row).to_string()
                } else {
                    format!("{column:?}")
                };
                map.insert(field.name().clone(), text);
            }
            out.push(map);
        }
    }
    out
}

/// Hail's `test_mendel_errors_*` on mendel.vcf + mendel.fam: every count of the expected
/// file (testdata/family/hail_mendel_errors_expected.tsv).
#[test]
fn mendel_errors_equal_hails_expectations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    ingest_testdata("family/mendel.vcf", out);
    rare(out, "family/mendel.fam", &["--no-gates"]);
    let errors = rows(out, "mendel_errors");
    assert_eq!(errors.len(), 41);
    let families = rows(out, "mendel_families");
    assert_eq!(families.len(), 2);
    let fam = |dad: &str| {
        families
            .iter()
            .find(|f| f["father"] == dad)
            .map(|f| {
                (
                    f["children"].clone(),
                    f["errors"].clone(),
                    f["snp_errors"].clone(),
                )
            })
            .expect("family row")
    };
    assert_eq!(fam("Dad1"), ("2".into(), "41".into(), "39".into()));
    assert_eq!(fam("Dad2"), ("1".into(), "0".into(), "0".into()));
    let individuals = rows(out, "mendel_individuals");
    assert_eq!(individuals.len(), 7);
    for (sample, errors, snp) in [
        ("Son1", 23, 22),
        ("Dtr1", 18, 17),
        ("Dad1", 19, 18),
        ("Mom1", 22, 21),
        ("Dad2", 0, 0),
        ("Mom2", 0, 0),
        ("Son2", 0, 0),
    ] {
        let row = individuals
            .iter()
            .find(|r| r["sample"] == sample)
            .expect("individual row");
        assert_eq!(
            (row["errors"].as_str(), row["snp_errors"].as_str()),
            (errors.to_string().as_str(), snp.to_string().as_str()),
            "{sample}"
        );
    }
    let variants = rows(out, "mendel_variants");
    assert_eq!(variants.len(), 30);
    for (key, n) in [
        ("1:1:C:CT", 2),
        ("1:2:C:T", 1),
        ("X:1:C:T", 2),
        ("X:3:C:T", 1),
        ("Y:1:C:T", 1),
        ("Y:3:C:T", 1),
    ] {
        let row = variants
            .iter()
            .find(|r| r["variant_key"] == key)
            .expect("variant");
        assert_eq!(row["errors"], n.to_string(), "{key}");
    }

    // A missing sex for Son1 leaves Dtr1's errors unchanged.
    let dir2 = tempfile::tempdir().expect("tempdir");
    ingest_testdata("family/mendel.vcf", dir2.path());
    rare(
        dir2.path(),
        "family/mendelWithMissingSex.fam",
        &["--no-gates"],
    );
    let dtr = |rows: &[BTreeMap<String, String>]| {
        rows.iter()
            .filter(|r| r["child"] == "Dtr1")
            .map(|r| (r["variant_key"].clone(), r["code"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(dtr(&rows(dir2.path(), "mendel_errors")), dtr(&errors));
}

/// The GIAB trio: the sites bcftools +mendelian lists as inconsistent, and PLINK 1.9's
/// number of errors per code (fixtures made by testdata/expected/regenerate.sh).
#[test]
fn mendel_errors_on_the_giab_trio_equal_bcftools_and_plink() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    ingest_testdata("trio/ashk-trio.vcf.gz", out);
    rare(out, "trio/ashk-trio.ped", &["--no-gates"]);
    let errors = rows(out, "mendel_errors");
    let ours: Vec<String> = errors.iter().map(|r| r["variant_key"].clone()).collect();
    let bcftools = Tsv::read("expected/ashk-trio.mendelian-x.tsv");
    let theirs: Vec<String> = bcftools.rows.iter().map(|r| r[..4].join(":")).collect();
    let missing: Vec<_> = theirs.iter().filter(|k| !ours.contains(k)).collect();
    let extra: Vec<_> = ours.iter().filter(|k| !theirs.contains(k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "bcftools only: {missing:?}\nprovar only: {extra:?}"
    );
    let plink = Tsv::read("expected/ashk-trio.plink-mendel-codes.tsv");
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    for r in &errors {
        *by_code.entry(r["code"].clone()).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = plink
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[1].parse().expect("count")))
        .collect();
    assert_eq!(by_code, expected);
}

/// Candidates of one mode per sample.
fn count_mode(dir: &Path, mode: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in rows(dir, "candidates").iter().filter(|r| r["mode"] == mode) {
        *counts.entry(r["samples"].clone()).or_default() += 1;
    }
    counts
}

/// slivar's functional tests on the GIAB trio (testdata/family/slivar_functional_expectations.tsv):
/// check_denovo 11, check_denovo_with_filter 4, check_aliased_info 17.
#[test]
fn de_novo_counts_equal_slivars_expectations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    ingest_testdata("trio/ashk-trio.vcf.gz", out);
    let slivar_gates = [
        "--no-gates",
        "--min-gq",
        "11",
        "--min-dp",
        "11",
        "--max-parent-alt-reads",
        "1",
    ];
    // kid.het && mom.hom_ref && dad.hom_ref && (mom.AD[1]+dad.AD[1]) < 2 && GQ > 10 && DP > 10
    rare(out, "trio/ashk-trio.ped", &slivar_gates);
    assert_eq!(count_mode(out, "de_novo").get("HG002"), Some(&11));
    // ... && variant.FILTER == 'PASS'
    let mut with_pass = slivar_gates.to_vec();
    with_pass.push("--pass-only");
    rare(out, "trio/ashk-trio.ped", &with_pass);
    assert_eq!(count_mode(out, "de_novo").get("HG002"), Some(&4));
    // FILTER == 'PASS' && INFO.DP > 10, then kid.alts == 1 && mom.alts == 0 && dad.alts == 0
    rare(
        out,
        "trio/ashk-trio.ped",
        &["--no-gates", "--pass-only", "--min-info-dp", "11"],
    );
    assert_eq!(count_mode(out, "de_novo").get("HG002"), Some(&17));
    // Every de novo row has the kid heterozygous and both parents homozygous reference.
    for row in rows(out, "candidates")
        .iter()
        .filter(|r| r["mode"] == "de_novo")
    {
        let ev = &row["evidence"];
        assert!(
            ev.contains("HG002:0/1:") && ev.contains("HG003:0/0:") && ev.contains("HG004:0/0:"),
            "{ev}"
        );
    }
}

/// slivar's check_compound_hets: every `expect=yes` record of comphet.vcf is reported and
/// no `expect=no` one (genes from INFO/BCSQ); check_sibs_with_shared_compound_het: two
/// affected siblings whose PED has empty parent fields, 2 each.
#[test]
fn compound_hets_equal_slivars_expectations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    ingest_testdata("family/comphet.vcf", out);
    rare(out, "trio/ashk-trio.ped", &[]);
    let reported: Vec<String> = rows(out, "candidates")
        .iter()
        .filter(|r| r["mode"] == "compound_het")
        .map(|r| r["variant_key"].clone())
        .collect();
    let text = std::fs::read_to_string(testdata("family/comphet.vcf")).expect("vcf");
    let mut yes = Vec::new();
    let mut no = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let key = format!("{}:{}:{}:{}", f[0], f[1], f[3], f[4]);
        if f[7].contains("expect=yes") {
            yes.push(key);
        } else if f[7].contains("expect=no") {
            no.push(key);
        }
    }
    assert_eq!(yes.len(), 9);
    assert_eq!(reported, yes, "expect=yes records, in order, each once");
    assert!(no.iter().all(|k| !reported.contains(k)));
    // Partners name the other variant(s) of the pair, in the same gene.
    let first = &rows(out, "candidates")[0];
    assert_eq!(first["gene"], "geneA");
    assert_eq!(first["partners"], "1:65799:T:C");

    let dir2 = tempfile::tempdir().expect("tempdir");
    ingest_testdata("family/comphet-test-case.vcf", dir2.path());
    rare(dir2.path(), "family/comphet-test-case.ped", &["--no-gates"]);
    let counts = count_mode(dir2.path(), "compound_het");
    assert_eq!(counts.get("SID_3"), Some(&2));
    assert_eq!(counts.get("SID_4"), Some(&2));
}

/// The candidates of a run as (mode, samples, variant_key) with their columns.
fn candidates(dir: &Path) -> BTreeMap<(String, String, String), BTreeMap<String, String>> {
    rows(dir, "candidates")
        .into_iter()
        .map(|r| {
            (
                (
                    r["mode"].clone(),
                    r["samples"].clone(),
                    r["variant_key"].clone(),
                ),
                r,
            )
        })
        .collect()
}

/// Rarity and impact limits (issue 6, item 3) on the GIAB trio: `--max-cohort-af` keeps
/// exactly the candidates whose AF by `bcftools +fill-tags` is within the limit, and
/// `--impact lof` those with a loss-of-function BCSQ consequence (compound hets: a subset,
/// since both variants of a pair must pass). The candidates' `cohort_af` column is
/// bcftools' AF.
#[test]
fn rarity_and_impact_limits_select_what_bcftools_af_and_bcsq_say() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    ingest_testdata("trio/ashk-trio.vcf.gz", out);
    assert_ok(&provar([
        "qc".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]));
    let fill_tags = Tsv::read("expected/ashk-trio.fill-tags-all.tsv");
    let bcftools_af: BTreeMap<String, f64> = fill_tags
        .rows
        .iter()
        .map(|r| {
            let key = ["contig", "position", "reference", "alternate"]
                .map(|c| fill_tags.get(r, c))
                .join(":");
            (key, fill_tags.get(r, "AF").parse().expect("AF"))
        })
        .collect();

    rare(out, "trio/ashk-trio.ped", &[]);
    let all = candidates(out);
    assert!(all.len() > 1000, "{} candidates", all.len());
    for ((_, _, key), row) in &all {
        let ours: f64 = row["cohort_af"].parse().expect("cohort_af after qc");
        // bcftools prints 6 significant digits.
        assert!(
            (ours - bcftools_af[key]).abs() < 1e-5,
            "{key}: {ours} vs {}",
            bcftools_af[key]
        );
    }

    let messages = rare(out, "trio/ashk-trio.ped", &["--max-cohort-af", "0.34"]);
    assert!(
        messages.contains("left out of the inheritance modes"),
        "{messages}"
    );
    let rare_only = candidates(out);
    let expected: Vec<_> = all
        .keys()
        .filter(|(_, _, key)| bcftools_af[key] <= 0.34)
        .collect();
    assert!(!rare_only.is_empty() && rare_only.len() < all.len());
    for (mode, samples, key) in &expected {
        if mode != "compound_het" {
            assert!(
                rare_only.contains_key(&(mode.clone(), samples.clone(), key.clone())),
                "{key}"
            );
        }
    }
    assert!(rare_only.keys().all(|k| expected.contains(&k)));

    rare(out, "trio/ashk-trio.ped", &["--impact", "lof"]);
    let lof = candidates(out);
    assert!(!lof.is_empty());
    let is_lof = |c: &str| {
        c.trim_start_matches('*').split('&').any(|t| {
            [
                "stop_gained",
                "frameshift",
                "splice_acceptor",
                "splice_donor",
                "start_lost",
                "stop_lost",
            ]
            .contains(&t)
        })
    };
    for (k, row) in &all {
        let kept = lof.contains_key(k);
        if k.0 != "compound_het" {
            assert_eq!(
                kept,
                is_lof(&row["consequence"]),
                "{k:?} {}",
                row["consequence"]
            );
        } else if kept {
            assert!(is_lof(&row["consequence"]), "{k:?}");
        }
    }

    // Genes and consequences from consequences.parquet (provar annotate splits the same
    // BCSQ) give the same candidates as INFO/BCSQ read directly.
    assert_ok(&provar([
        "annotate".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]));
    rare(out, "trio/ashk-trio.ped", &[]);
    assert_eq!(candidates(out), all);
}
