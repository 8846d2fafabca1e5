//! `provar report` on a real run of the bundled 1000 Genomes cohort: the page is one
//! self-contained file, shows the plots the tables allow, lists the ledger digest of every
//! table it shows (equal to the files' BLAKE3), and is byte-identical when rebuilt.

mod common;

use std::path::Path;

use common::{assert_ok, provar, run_pipeline};
use provar_testkit::testdata;

fn report(out: &Path) -> String {
    assert_ok(&provar([
        "report".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--ledger".as_ref(),
        out.join("ledger").as_os_str(),
    ]));
    std::fs::read_to_string(out.join("report.html")).expect("report.html is written")
}

/// The `<td>` cells of the provenance table, row by row.
fn provenance_rows(html: &str) -> Vec<Vec<String>> {
    let start = html
        .find("<table class=\"provenance\">")
        .expect("a provenance table");
    let end = start + html[start..].find("</table>").expect("table ends");
    html[start..end]
        .split("<tr>")
        .skip(2) // before the header row, the header row
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap_or_default().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn report_is_self_contained_traceable_and_deterministic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    run_pipeline(&testdata("cohort/sample.vcf.gz"), &out, &[]);
    let html = report(&out);

    // Self-contained: no scripts, no external references.
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(forbidden), "report contains {forbidden}");
    }
    // QC histograms (3 variant, 4 sample) and the cluster-size bars; every SVG closed.
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert_eq!(html.matches("<svg class=\"histogram\"").count(), 7);
    assert!(html.contains("<title>Cluster sizes</title>"));
    // The cluster-size bars show the sizes in clusters.parquet.
    let mut sizes = std::collections::BTreeMap::new();
    for c in common::ints(&out, provar_io::table::Table::Clusters, "cluster") {
        *sizes.entry(c).or_insert(0) += 1;
    }
    assert!(sizes.len() >= 2, "{sizes:?}");
    for (cluster, size) in &sizes {
        assert!(
            html.contains(&format!("<title>cluster {cluster}: {size}.0000</title>")),
            "cluster {cluster} of size {size}"
        );
    }
    // The variant AF histogram counts all 346 variants.
    let af = html
        .split("<svg class=\"histogram\"")
        .find(|s| s.contains("<title>Variant allele frequency</title>"))
        .expect("AF histogram");
    let counted: u64 = af
        .split("class=\"bar\"")
        .skip(1)
        .filter_map(|bar| {
            let t = bar.split("<title>").nth(1)?;
            t.split("</title>").next()?.parse::<u64>().ok()
        })
        .sum();
    assert_eq!(counted, 346);

    // Provenance: every table shown with the digest the ledger recorded, which is the file's.
    let rows = provenance_rows(&html);
    let files: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    for table in ["variants", "samples", "variant_qc", "sample_qc", "clusters"] {
        assert!(
            files.contains(&format!("{table}.parquet").as_str()),
            "{files:?}"
        );
    }
    for row in &rows {
        let (_, digest) = provar_ledger::hash_file(&out.join(&row[0])).expect("hashes");
        assert_eq!(row[2], digest.to_string(), "{}", row[0]);
        assert_eq!(
            row[1],
            std::fs::metadata(out.join(&row[0]))
                .expect("exists")
                .len()
                .to_string()
        );
    }

    // Rebuilt from the same tables: the same bytes; the ledger records both and verifies.
    let again = report(&out);
    assert_eq!(html, again);
    assert_ok(&provar([
        "ledger".as_ref(),
        "verify".as_ref(),
        "--ledger".as_ref(),
        out.join("ledger").as_os_str(),
    ]));

    // When Chromium is installed, the page renders headless and the DOM keeps every plot.
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| provar_testkit::cmd_exists(c));
    match chromium {
        None => eprintln!("skipping the headless-Chromium check: no chromium on PATH"),
        Some(browser) => {
            let dom = std::process::Command::new(browser)
                .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
                .arg(format!("file://{}", out.join("report.html").display()))
                .output()
                .expect("chromium runs");
            let dom = String::from_utf8_lossy(&dom.stdout);
            assert_eq!(
                dom.matches("<svg").count(),
                html.matches("<svg").count(),
                "rendered DOM keeps every plot"
            );
        }
    }
}
