//! Population structure: on a stdpopsim Out-of-Africa simulation (67 YRI, 67 CEU, 67 CHB;
//! testdata/popsim), genotype clustering recovers the populations (adjusted Rand index ≥
//! 0.95); KING kinship equals plink2 --make-king-table (issue 6).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use provar_io::table::Table;
use provar_testkit::testdata;

/// Adjusted Rand index of two labellings.
fn ari(a: &[String], b: &[String]) -> f64 {
    let n = a.len() as f64;
    let mut table: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    let mut rows: BTreeMap<&str, f64> = BTreeMap::new();
    let mut cols: BTreeMap<&str, f64> = BTreeMap::new();
    for (x, y) in a.iter().zip(b) {
        *table.entry((x, y)).or_default() += 1.0;
        *rows.entry(x).or_default() += 1.0;
        *cols.entry(y).or_default() += 1.0;
    }
    let c2 = |v: f64| v * (v - 1.0) / 2.0;
    let index: f64 = table.values().map(|v| c2(*v)).sum();
    let (sa, sb): (f64, f64) = (
        rows.values().map(|v| c2(*v)).sum(),
        cols.values().map(|v| c2(*v)).sum(),
    );
    let expected = sa * sb / c2(n);
    (index - expected) / (0.5 * (sa + sb) - expected)
}

fn cluster(out: &Path, method: &str, pcs: &str) -> Vec<String> {
    assert_ok(&provar([
        "cluster",
        "--on",
        "genotypes",
        "--method",
        method,
        "--pcs",
        pcs,
        "--out",
        out.to_str().expect("utf-8"),
    ]));
    ints(out, Table::Clusters, "cluster")
        .into_iter()
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn clustering_recovers_the_three_simulated_populations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    assert_ok(&provar([
        "ingest".as_ref(),
        testdata("popsim/stdpopsim_OOA_201x1Mb.vcf.gz").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    let truth: Vec<String> = strings(out, Table::Samples, "sample_id")
        .into_iter()
        .map(|s| s.expect("id")[..3].to_owned())
        .collect();
    assert_eq!(truth.len(), 201);
    let mut scores = Vec::new();
    // The defaults (Gaussian mixture on 4 PCs, k by BIC), and k-means on 2 PCs (k by
    // silhouette); both then refined by the genotype likelihood.
    for (method, pcs) in [("gmm", "4"), ("kmeans", "2"), ("dbscan", "4")] {
        let labels = cluster(out, method, pcs);
        let groups = labels
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        scores.push((method, pcs, groups, ari(&truth, &labels)));
    }
    eprintln!("(method, PCs, groups, adjusted Rand index): {scores:?}");
    for (method, _, groups, score) in &scores[..2] {
        assert_eq!(*groups, 3, "{method}");
        assert!(*score >= 0.95, "{method}: ARI {score} (all: {scores:?})");
    }
    // DBSCAN finds dense groups, not close populations: it separates YRI from the rest.
    assert!(scores[2].3 >= 0.45, "{scores:?}");
    // The PCA coordinates are written for every sample.
    assert_eq!(floats(out, Table::Clusters, "distance").len(), 201);
}

/// Reads relatedness.parquet as (sample_1, sample_2) → (nsnp, hethet, ibs0, kinship,
/// expected).
#[allow(clippy::type_complexity)]
fn relatedness(dir: &Path) -> BTreeMap<(String, String), (u64, u64, u64, f64, Option<f64>)> {
    use provar_io::arrow_array::{Array, Float64Array, StringArray, UInt64Array};
    let (_, batches) = provar_io::table::read_any(dir, "relatedness")
        .expect("reads")
        .expect("written");
    let mut out = BTreeMap::new();
    for b in batches {
        let s = |n: &str| {
            b.column_by_name(n)
                .expect(n)
                .as_any()
                .downcast_ref::<StringArray>()
                .expect(n)
                .clone()
        };
        let u = |n: &str| {
            b.column_by_name(n)
                .expect(n)
                .as_any()
                .downcast_ref::<UInt64Array>()
                .expect(n)
                .clone()
        };
        let f = |n: &str| {
            b.column_by_name(n)
                .expect(n)
                .as_any()
                .downcast_ref::<Float64Array>()
                .expect(n)
                .clone()
        };
        let (a, c, nsnp, hh, ibs0, k, e) = (
            s("sample_1"),
            s("sample_2"),
            u("nsnp"),
            u("hethet"),
            u("ibs0"),
            f("kinship"),
            f("expected_kinship"),
        );
        for i in 0..b.num_rows() {
            let mut key = [a.value(i).to_owned(), c.value(i).to_owned()];
            key.sort();
            out.insert(
                (key[0].clone(), key[1].clone()),
                (
                    nsnp.value(i),
                    hh.value(i),
                    ibs0.value(i),
                    k.value(i),
                    (!e.is_null(i)).then(|| e.value(i)),
                ),
            );
        }
    }
    out
}

/// KING-robust kinship of every pair equals plink2 --make-king-table (counts exactly, the
/// estimate to plink2's six printed digits) on the GIAB trio and the 1000 Genomes cohort;
/// on the trio the PED's expected kinship sits beside it.
#[test]
fn king_kinship_equals_plink2() {
    for (vcf, fixture, ped) in [
        (
            "trio/ashk-trio.vcf.gz",
            "expected/ashk-trio.king.tsv",
            Some("trio/ashk-trio.ped"),
        ),
        ("cohort/sample.vcf.gz", "expected/sample.king.tsv", None),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path();
        assert_ok(&provar([
            "ingest".as_ref(),
            testdata(vcf).as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]));
        let mut args: Vec<std::ffi::OsString> = vec![
            "cluster".into(),
            "--on".into(),
            "genotypes".into(),
            "--out".into(),
            out.into(),
            "--max-k".into(),
            "2".into(),
        ];
        if let Some(ped) = ped {
            args.extend(["--ped".into(), testdata(ped).into()]);
        }
        assert_ok(&provar(args));
        let ours = relatedness(out);
        let theirs = provar_testkit::Tsv::read(fixture);
        assert_eq!(ours.len(), theirs.rows.len(), "{vcf}");
        for row in &theirs.rows {
            let mut key = [row[0].clone(), row[1].clone()];
            key.sort();
            let (nsnp, hh, ibs0, kinship, _) = ours[&(key[0].clone(), key[1].clone())];
            assert_eq!(
                (nsnp.to_string(), hh.to_string(), ibs0.to_string()),
                (row[2].clone(), row[3].clone(), row[4].clone()),
                "{vcf} {key:?}"
            );
            let expected: f64 = row[5].parse().expect("kinship");
            assert!(
                (kinship - expected).abs() <= 5e-6 * expected.abs().max(1e-3),
                "{vcf} {key:?}: {kinship} vs {expected}"
            );
        }
        if ped.is_some() {
            let (_, _, _, k, e) = ours[&("HG002".to_owned(), "HG003".to_owned())];
            assert_eq!(e, Some(0.25));
            assert!((k - 0.25).abs() < 0.02, "parent-child kinship {k}");
            assert_eq!(ours[&("HG003".to_owned(), "HG004".to_owned())].4, Some(0.0));
        }
    }
}
