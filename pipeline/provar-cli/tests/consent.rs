//! Consent manifests, keyed pseudonyms and `ledger affected` (issue 7).

mod common;

use std::path::Path;

use common::*;
use provar_io::table::Table;
use provar_testkit::testdata;

fn sample_ids(dir: &Path, table: Table) -> Vec<String> {
    strings(dir, table, "sample_id")
        .into_iter()
        .map(|s| s.expect("sample_id is never null"))
        .collect()
}

fn records(out: &Path) -> String {
    std::fs::read_to_string(out.join("ledger/records.jsonl")).expect("records")
}

#[test]
fn a_revoked_sample_is_excluded_and_only_its_count_reaches_the_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = dir.path().join("consent.tsv");
    std::fs::write(
        &manifest,
        "# study register\nsample\tstatus\tscope\tdate\n\
         HG002\tgranted\tresearch\t2024-01-10\n\
         HG003\tgranted\tresearch\t2024-01-10\n\
         HG004\tgranted\tresearch\t2024-01-10\n\
         HG004\trevoked\tresearch\t2026-11-02\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    run_pipeline(
        &testdata("trio/ashk-trio.vcf.gz"),
        &out,
        &["--consent", manifest.to_str().expect("utf-8")],
    );
    assert_eq!(sample_ids(&out, Table::Samples), ["HG002", "HG003"]);
    assert_eq!(sample_ids(&out, Table::SampleQc), ["HG002", "HG003"]);
    let ledger = records(&out);
    // The manifest is a recorded input (its digest), the counts a parameter; no sample id.
    assert!(ledger.contains("consent.tsv"), "{ledger}");
    assert!(
        ledger.contains(r#""consent":{"excluded":1,"kept":2}"#),
        "{ledger}"
    );
    for id in ["HG002", "HG003", "HG004"] {
        assert!(!ledger.contains(id), "the ledger names {id}");
    }

    // The revoked sample's data is in the raw VCF only: that is all `affected` lists.
    let affected = provar([
        "ledger".as_ref(),
        "affected".as_ref(),
        "--ledger".as_ref(),
        out.join("ledger").as_os_str(),
        "--sample".as_ref(),
        "HG004".as_ref(),
    ]);
    assert_ok(&affected);
    let text = String::from_utf8_lossy(&affected.stdout).into_owned();
    let paths: Vec<&str> = text.lines().filter_map(|l| l.split('\t').next()).collect();
    assert_eq!(paths.len(), 1, "{text}");
    assert!(paths[0].ends_with("ashk-trio.vcf.gz"), "{text}");

    // A kept sample: the VCF and every table of the run.
    let affected = provar([
        "ledger".as_ref(),
        "affected".as_ref(),
        "--ledger".as_ref(),
        out.join("ledger").as_os_str(),
        "--sample".as_ref(),
        "HG002".as_ref(),
    ]);
    assert_ok(&affected);
    let text = String::from_utf8_lossy(&affected.stdout).into_owned();
    for table in [
        "variants.parquet",
        "calls.parquet",
        "samples.parquet",
        "variant_qc.parquet",
        "sample_qc.parquet",
        "clusters.parquet",
        "report.html",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{table}\t"))),
            "{table} missing from:\n{text}"
        );
    }
}

#[test]
fn a_bad_manifest_names_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = dir.path().join("consent.tsv");
    std::fs::write(
        &manifest,
        "sample\tstatus\tscope\tdate\nHG002\tmaybe\tresearch\t2024-01-10\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let output = provar([
        "ingest".as_ref(),
        testdata("trio/ashk-trio.vcf.gz").as_os_str(),
        "--consent".as_ref(),
        manifest.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("consent.tsv")
            && message.contains("line 2")
            && message.contains("granted or revoked"),
        "{message}"
    );
    assert!(!out.join("samples.parquet").exists());
}

#[test]
fn pseudonymised_tables_hold_keyed_blake3_pseudonyms_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("key.hex");
    let key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    std::fs::write(&key, format!("{key_hex}\n")).expect("write");
    let out = dir.path().join("out");
    run_pipeline(
        &testdata("trio/ashk-trio.vcf.gz"),
        &out,
        &["--pseudonymise", key.to_str().expect("utf-8")],
    );
    let ids = sample_ids(&out, Table::Samples);
    // Keyed BLAKE3 (the reference implementation via b3sum --keyed, when installed).
    let mut key_bytes = [0u8; 32];
    for (i, b) in key_bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&key_hex[2 * i..2 * i + 2], 16).expect("hex");
    }
    let expected: Vec<String> = ["HG002", "HG003", "HG004"]
        .iter()
        .map(|s| provar_ingest::pseudonym(&key_bytes, s))
        .collect();
    assert_eq!(ids, expected);
    assert!(ids.iter().all(|p| p.starts_with("psn-") && p.len() == 24));
    let message = dir.path().join("message");
    std::fs::write(&message, b"HG002").expect("write");
    if let Ok(b3) = std::process::Command::new("b3sum")
        .args(["--keyed", "--no-names"])
        .arg(&message)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write as _;
        let mut child = b3;
        let mut stdin = child.stdin.take().expect("stdin");
        // The key on standard input, the message in a file.
        stdin.write_all(&key_bytes).expect("key");
        drop(stdin);
        let output = child.wait_with_output().expect("b3sum");
        let hex = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        assert_eq!(
            format!("psn-{}", &hex[..20]),
            ids[0],
            "b3sum --keyed agrees"
        );
    } else {
        eprintln!("skipping the b3sum --keyed cross-check: b3sum not installed");
    }
    // No table and no ledger line names a sample.
    for file in [
        "samples.parquet",
        "sample_qc.parquet",
        "clusters.parquet",
        "report.html",
    ] {
        let bytes = std::fs::read(out.join(file)).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("HG00"), "{file} names a sample");
    }
    assert!(!records(&out).contains("HG00"));
    assert!(records(&out).contains("pseudonym_key_id"));

    // With the key, `affected` finds the pseudonymised sample.
    let affected = provar([
        "ledger".as_ref(),
        "affected".as_ref(),
        "--ledger".as_ref(),
        out.join("ledger").as_os_str(),
        "--sample".as_ref(),
        "HG003".as_ref(),
        "--pseudonymise".as_ref(),
        key.as_os_str(),
    ]);
    assert_ok(&affected);
    let text = String::from_utf8_lossy(&affected.stdout).into_owned();
    assert!(
        text.contains("samples.parquet\t") && text.contains("sample_qc.parquet\t"),
        "{text}"
    );
}
