//! Scattered jobs record into sealed ledger segments (PROVAR_LEDGER_SEGMENT) and
//! `provar ledger merge` folds them into one log that verifies and traces lineage (issue 7).

mod common;

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output};

use common::*;
use provar_testkit::testdata;

/// Runs provar as a job recording into segment `segment` (a separate process, as a
/// cluster job would be).
fn job(segment: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let args: Vec<OsString> = args.iter().map(|a| a.as_ref().to_owned()).collect();
    Command::new(env!("CARGO_BIN_EXE_provar"))
        .args(&args)
        .env("PROVAR_LEDGER_SEGMENT", segment)
        .env_remove("PROVAR_SIGN_KEY")
        .output()
        .expect("provar runs")
}

/// Runs provar outside any segment.
fn plain(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let args: Vec<OsString> = args.iter().map(|a| a.as_ref().to_owned()).collect();
    Command::new(env!("CARGO_BIN_EXE_provar"))
        .args(&args)
        .env_remove("PROVAR_LEDGER_SEGMENT")
        .env_remove("PROVAR_SIGN_KEY")
        .output()
        .expect("provar runs")
}

fn records(ledger: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(ledger.join("records.jsonl"))
        .expect("records")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect()
}

#[test]
fn shard_jobs_record_into_segments_and_merge_into_a_verifiable_log() {
    let out = tempfile::tempdir().expect("tempdir");
    let out = out.path();
    let ledger = out.join("ledger");
    let vcf = testdata("cohort/sample.vcf.gz");
    for i in 1..=2 {
        let shard = out.join(format!("shard{i}"));
        assert_ok(&job(
            &format!("ingest-{i}"),
            &[
                &"ingest",
                &vcf,
                &"--shard",
                &format!("{i}/2"),
                &"--out",
                &shard,
                &"--ledger",
                &ledger,
            ],
        ));
        let sealed = ledger.join(format!("segments/ingest-{i}/sealed"));
        assert!(sealed.exists(), "a successful job seals its segment");
    }
    let tables = out.join("tables");
    assert_ok(&job(
        "gather",
        &[
            &"merge",
            &out.join("shard1"),
            &out.join("shard2"),
            &"--out",
            &tables,
            &"--ledger",
            &ledger,
        ],
    ));
    assert_ok(&job(
        "qc",
        &[&"qc", &"--out", &tables, &"--ledger", &ledger],
    ));
    // No job touched the main log.
    assert!(!ledger.join("records.jsonl").exists());

    // Unmerged segments fail verification, each named.
    let output = plain(&[&"ledger", &"verify", &"--ledger", &ledger]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    for name in ["ingest-1", "ingest-2", "gather", "qc"] {
        assert!(
            text.contains(&format!("segment {name} is sealed but not merged")),
            "{text}"
        );
    }

    let output = plain(&[&"ledger", &"merge", &"--ledger", &ledger]);
    assert_ok(&output);
    assert!(
        stderr(&output).contains("merged 4 segment(s) (4 records)"),
        "{}",
        stderr(&output)
    );
    let merged = records(&ledger);
    let order: Vec<&str> = merged
        .iter()
        .map(|r| r["segment"]["name"].as_str().expect("segment name"))
        .collect();
    // Dependencies first ("gather" sorts before "ingest-*" by name but reads their output).
    assert_eq!(order, ["ingest-1", "ingest-2", "gather", "qc"]);
    assert!(merged
        .iter()
        .all(|r| r["schema"] == 2 && r["host"].is_string()));
    let gather_inputs = merged[2]["inputs"].as_array().expect("inputs");
    assert!(gather_inputs.iter().any(|i| i["produced_by"] == 1));
    assert!(gather_inputs.iter().any(|i| i["produced_by"] == 2));

    let output = plain(&[&"ledger", &"verify", &"--ledger", &ledger]);
    assert_ok(&output);
    // Merging twice changes nothing.
    let before = std::fs::read(ledger.join("records.jsonl")).expect("records");
    assert_ok(&plain(&[&"ledger", &"merge", &"--ledger", &ledger]));
    assert_eq!(
        std::fs::read(ledger.join("records.jsonl")).expect("records"),
        before
    );

    // Lineage of a QC table walks through the gather job to both shard jobs and the VCF.
    let output = plain(&[
        &"ledger",
        &"lineage",
        &tables.join("variant_qc.parquet"),
        &"--ledger",
        &ledger,
    ]);
    assert_ok(&output);
    let tree = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(tree.contains("record 3 merge"), "{tree}");
    assert!(
        tree.contains("record 1 ingest") && tree.contains("record 2 ingest"),
        "{tree}"
    );
    assert!(tree.contains("sample.vcf.gz"), "{tree}");
}

#[test]
fn a_failed_job_leaves_its_segment_unsealed_and_verify_names_it() {
    let out = tempfile::tempdir().expect("tempdir");
    let ledger = out.path().join("ledger");
    let tables = out.path().join("tables");
    assert_ok(&job(
        "ingest",
        &[
            &"ingest",
            &testdata("cohort/sample.vcf.gz"),
            &"--out",
            &tables,
            &"--ledger",
            &ledger,
        ],
    ));
    // Cluster with an impossible k fails after nothing was recorded; a job that recorded
    // and then failed would leave an unsealed segment: simulate with a record and no seal.
    let output = job(
        "cluster",
        &[
            &"cluster",
            &"--out",
            &tables,
            &"--k",
            &"1000",
            &"--ledger",
            &ledger,
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(!ledger.join("segments/cluster").join("sealed").exists());
    assert_ok(&plain(&[&"ledger", &"merge", &"--ledger", &ledger]));
    let output = plain(&[&"ledger", &"verify", &"--ledger", &ledger]);
    // The failed cluster job recorded nothing, so there is no segment to complain about.
    assert!(
        !ledger.join("segments/cluster").exists() || stderr(&output).contains("segment cluster")
    );

    // A job killed after its record but before sealing.
    let segment = ledger.join("segments/qc-killed");
    std::fs::create_dir_all(&segment).expect("mkdir");
    std::fs::copy(
        ledger.join("segments/ingest/records.jsonl"),
        segment.join("records.jsonl"),
    )
    .expect("copy");
    std::fs::copy(
        ledger.join("segments/ingest/checkpoint"),
        segment.join("checkpoint"),
    )
    .expect("copy");
    let output = plain(&[&"ledger", &"verify", &"--ledger", &ledger]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("segment qc-killed is not sealed (1 record(s))"),
        "{}",
        stderr(&output)
    );
}
