//! `provar denovo` against denovonear 0.13.2 on its own OR4F5 example and three more de
//! novo sets on the same gene (fixtures: testdata/denovo/regenerate.sh), within Monte-Carlo
//! tolerance (issue 6).

mod common;

use std::path::Path;

use common::*;
use provar_io::arrow_array::{Array, Float64Array, StringArray, UInt32Array};
use provar_testkit::{testdata, Tsv};

/// (distance, p-value, events) of the missense row.
fn ours(input: &Path, out: &Path, seed: &str) -> (String, f64, u32) {
    let dir = testdata("denovo");
    assert_ok(&provar([
        "denovo".as_ref(),
        "--de-novos".as_ref(),
        input.as_os_str(),
        "--genes".as_ref(),
        dir.join("example.grch38.gtf").as_os_str(),
        "--fasta".as_ref(),
        dir.join("example.grch38.fa").as_os_str(),
        "--rates".as_ref(),
        dir.join("rates_trinucleotide_mutation_model.txt")
            .as_os_str(),
        "--seed".as_ref(),
        seed.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    let (_, batches) = provar_io::table::read_any(out, "denovo_clusters")
        .expect("reads")
        .expect("written");
    let b = &batches[0];
    let col = |n: &str| b.column_by_name(n).expect(n).clone();
    let class = col("class");
    let class = class.as_any().downcast_ref::<StringArray>().expect("class");
    let row = (0..b.num_rows())
        .find(|&i| class.value(i) == "missense")
        .expect("missense row");
    let dist = col("distance");
    let p = col("p_value");
    let events = col("events");
    (
        dist.as_any()
            .downcast_ref::<StringArray>()
            .expect("dist")
            .value(row)
            .to_owned(),
        p.as_any()
            .downcast_ref::<Float64Array>()
            .expect("p")
            .value(row),
        events
            .as_any()
            .downcast_ref::<UInt32Array>()
            .expect("n")
            .value(row),
    )
}

#[test]
fn clustering_equals_denovonear_within_monte_carlo_error() {
    for (set, input) in [
        ("example", "denovo/example.grch38.dnms.txt"),
        ("tight", "denovo/set-tight.txt"),
        ("spread", "denovo/set-spread.txt"),
        ("repeated", "denovo/set-repeated.txt"),
    ] {
        let expected = Tsv::read(&format!("denovo/denovonear-{set}.tsv"));
        let row = expected
            .rows
            .iter()
            .find(|r| r[1] == "missense")
            .expect("missense");
        let (n, dist, p): (u32, &str, f64) = (
            row[2].parse().expect("n"),
            &row[3],
            row[4].parse().expect("p"),
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let (our_dist, our_p, our_n) = ours(&testdata(input), dir.path(), "42");
        assert_eq!(
            (our_n, our_dist.as_str()),
            (n, dist),
            "{set}: events and distance"
        );
        // Both p-values come from 1,000,000 simulations: allow 6 standard errors of their
        // difference (plus the 1/(1+N) floor).
        let se = (2.0 * p * (1.0 - p) / 1e6).sqrt();
        assert!(
            (our_p - p).abs() <= 6.0 * se + 2e-6,
            "{set}: provar p {our_p}, denovonear p {p} (se {se})"
        );
    }
    // The same seed gives the same p-value; another seed a different draw.
    let input = testdata("denovo/example.grch38.dnms.txt");
    let (a, b, c) = (
        tempfile::tempdir().expect("t"),
        tempfile::tempdir().expect("t"),
        tempfile::tempdir().expect("t"),
    );
    let first = ours(&input, a.path(), "7");
    assert_eq!(first, ours(&input, b.path(), "7"));
    assert_ne!(first.1, ours(&input, c.path(), "8").1);
    assert_eq!(
        std::fs::read(a.path().join("denovo_clusters.parquet")).expect("a"),
        std::fs::read(b.path().join("denovo_clusters.parquet")).expect("b")
    );
}
