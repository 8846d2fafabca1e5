//! The stage contract, end to end: determinism, atomic outputs, clear errors, the ledger.

mod common;

use std::path::Path;

use common::*;
use provar_io::table::Table;
use provar_testkit::{testdata, Tsv};

const TABLES: [&str; 6] = [
    "variants.parquet",
    "calls.parquet",
    "samples.parquet",
    "variant_qc.parquet",
    "sample_qc.parquet",
    "clusters.parquet",
];

/// Ledger records with what legitimately differs between runs removed: the runtime
/// (timestamps, threads) and, because it hashes the previous record's runtime, `prev`.
fn comparable_records(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("ledger/records.jsonl"))
        .expect("ledger exists")
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("record is JSON");
            let o = v.as_object_mut().expect("record is an object");
            o.remove("runtime");
            o.remove("prev");
            v
        })
        .collect()
}

#[test]
fn outputs_are_byte_identical_at_one_and_two_threads() {
    let (a, b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let vcf = testdata("cohort/sample.vcf.gz");
    run_pipeline(&vcf, a.path(), &["--threads", "1"]);
    run_pipeline(&vcf, b.path(), &["--threads", "2"]);
    let files = files(a.path());
    assert_eq!(files, common::files(b.path()));
    for table in TABLES {
        assert!(
            files.iter().any(|f| f == Path::new(table)),
            "{table} written"
        );
    }
    for file in files.iter().filter(|f| !f.starts_with("ledger")) {
        let (x, y) = (
            std::fs::read(a.path().join(file)),
            std::fs::read(b.path().join(file)),
        );
        assert!(
            x.expect("readable") == y.expect("readable"),
            "{} differs",
            file.display()
        );
    }
    let records = comparable_records(a.path());
    // ingest, qc, cluster, report.
    assert_eq!(records.len(), 4);
    assert_eq!(records, comparable_records(b.path()));
}

#[test]
fn plain_and_bgzipped_vcf_give_identical_tables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("sample.vcf");
    let decompressed = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(testdata("cohort/sample.vcf.gz"))
        .output()
        .expect("gzip runs");
    assert!(decompressed.status.success());
    std::fs::write(&plain, decompressed.stdout).expect("write plain VCF");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (vcf, out) in [
        (plain.as_path(), &a),
        (testdata("cohort/sample.vcf.gz").as_path(), &b),
    ] {
        assert_ok(&provar([
            "ingest".as_ref(),
            vcf.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]));
    }
    for table in &TABLES[..3] {
        assert_eq!(
            std::fs::read(a.join(table)).expect("read"),
            std::fs::read(b.join(table)).expect("read"),
            "{table}"
        );
    }
}

fn edit_records(dir: &Path, f: impl Fn(&mut Vec<String>)) {
    let path = dir.join("ledger/records.jsonl");
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .expect("read")
        .lines()
        .map(str::to_owned)
        .collect();
    f(&mut lines);
    std::fs::write(
        &path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .expect("write");
}

/// `testdata/cohort/sample.bcf` is `bcftools view -Ob` of the bundled cohort.
#[test]
fn bcf_and_vcf_give_identical_tables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("bcf"), dir.path().join("vcf"));
    for (input, out) in [("cohort/sample.bcf", &a), ("cohort/sample.vcf.gz", &b)] {
        assert_ok(&provar([
            "ingest".as_ref(),
            testdata(input).as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]));
    }
    for table in &TABLES[..3] {
        assert!(
            std::fs::read(a.join(table)).expect("read")
                == std::fs::read(b.join(table)).expect("read"),
            "{table} differs between BCF and VCF input"
        );
    }
    assert_eq!(ints(&a, Table::Variants, "position").len(), 346);
}

#[test]
fn ledger_verifies_a_fresh_run_and_names_each_tampering() {
    let fresh = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata("cohort/sample.vcf.gz"), fresh.path(), &[]);
    let verify = |dir: &Path| {
        provar([
            "ledger".as_ref(),
            "verify".as_ref(),
            "--ledger".as_ref(),
            dir.join("ledger").as_os_str(),
        ])
    };
    assert_ok(&verify(fresh.path()));

    let tampered = |edit: &dyn Fn(&Path)| {
        let copy = tempfile::tempdir().expect("tempdir");
        copy_dir(fresh.path(), copy.path());
        edit(copy.path());
        let output = verify(copy.path());
        (output.status.code(), stderr(&output))
    };

    // One flipped byte in any output.
    for table in TABLES {
        let (code, message) = tampered(&|dir| {
            let path = dir.join(table);
            let mut bytes = std::fs::read(&path).expect("read");
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x01;
            std::fs::write(&path, bytes).expect("write");
        });
        assert_eq!(code, Some(1), "{table}: {message}");
        assert!(
            message.contains(&format!("artifact {table}")) && message.contains("bytes changed"),
            "{message}"
        );
    }

    // A parameter edited in the middle record, keeping canonical JSON.
    let (code, message) = tampered(&|dir| {
        edit_records(dir, |lines| {
            lines[1] = lines[1].replace("hail variant_qc/sample_qc", "hail variant_qc/sample_qX");
        })
    });
    assert_eq!(code, Some(1));
    assert!(
        message.contains("record 3") && message.contains("chain broken"),
        "{message}"
    );

    // The last record (report) edited.
    let (code, message) = tampered(&|dir| {
        edit_records(dir, |lines| {
            lines[3] = lines[3].replace("\"stage\":\"report\"", "\"stage\":\"reporX\"");
        })
    });
    assert_eq!(code, Some(1));
    assert!(message.contains("ledger head"), "{message}");

    // A record deleted: the middle one, then the last one.
    let (code, message) = tampered(&|dir| {
        edit_records(dir, |lines| {
            lines.remove(1);
        })
    });
    assert_eq!(code, Some(1));
    assert!(
        message.contains("line 2") && message.contains("expected 2"),
        "{message}"
    );
    let (code, message) = tampered(&|dir| {
        edit_records(dir, |lines| {
            lines.pop();
        })
    });
    assert_eq!(code, Some(1));
    assert!(
        message.contains("expects 4 records") && message.contains("found 3 records"),
        "{message}"
    );
}

#[test]
fn a_stage_refuses_an_input_changed_since_the_ledger_recorded_it() {
    let out = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata("trio/ashk-trio.vcf.gz"), out.path(), &[]);
    // Replace calls.parquet with another valid calls table: same schema, other bytes.
    let other = tempfile::tempdir().expect("tempdir");
    assert_ok(&provar([
        "ingest".as_ref(),
        testdata("cohort/sample.vcf.gz").as_os_str(),
        "--out".as_ref(),
        other.path().as_os_str(),
    ]));
    std::fs::copy(
        other.path().join("calls.parquet"),
        out.path().join("calls.parquet"),
    )
    .expect("copy");
    let output = provar([
        "qc".as_ref(),
        "--out".as_ref(),
        out.path().as_os_str(),
        "--ledger".as_ref(),
        out.path().join("ledger").as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("calls.parquet") && message.contains("record 1"),
        "{message}"
    );
}

#[test]
fn malformed_vcfs_exit_2_naming_file_and_line_and_leave_nothing() {
    let expected = Tsv::read("malformed/EXPECTED.tsv");
    assert!(expected.rows.len() >= 8);
    for row in &expected.rows {
        let file = expected.get(row, "file");
        let line = expected.get(row, "line");
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let output = provar([
            "ingest".as_ref(),
            testdata(&format!("malformed/{file}")).as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{file}: {message}");
        assert!(!message.contains("panicked"), "{file}: {message}");
        if file == "empty.vcf" {
            assert!(
                message.contains("empty.vcf: the file is empty"),
                "{message}"
            );
        } else {
            assert!(
                message.contains(&format!("{file}:{line}")),
                "{file}: expected line {line}: {message}"
            );
        }
        assert!(!out.exists(), "{file}: output directory left behind");
        assert_eq!(std::fs::read_dir(dir.path()).expect("readable").count(), 0);
    }
}

#[test]
fn a_failed_stage_leaves_earlier_outputs_untouched_and_no_partial_files() {
    let out = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata("trio/ashk-trio.vcf.gz"), out.path(), &[]);
    let before = files(out.path());
    let variants = std::fs::read(out.path().join("variants.parquet")).expect("read");
    let output = provar([
        "ingest".as_ref(),
        testdata("malformed/failed_body_pos_001.vcf").as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        files(out.path()),
        before,
        "no temporary or partial file left"
    );
    assert_eq!(
        std::fs::read(out.path().join("variants.parquet")).expect("read"),
        variants
    );
}

#[test]
fn cluster_records_k_and_seed_and_rejects_k_above_the_sample_count() {
    let out = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata("cohort/sample.vcf.gz"), out.path(), &[]);
    // k-means over the sample_qc features, recorded in the same ledger.
    assert_ok(&provar([
        "cluster".as_ref(),
        "--on".as_ref(),
        "qc".as_ref(),
        "--k".as_ref(),
        "4".as_ref(),
        "--seed".as_ref(),
        "7".as_ref(),
        "--out".as_ref(),
        out.path().as_os_str(),
        "--ledger".as_ref(),
        out.path().join("ledger").as_os_str(),
    ]));
    let clusters = ints(out.path(), Table::Clusters, "cluster");
    assert_eq!(clusters.len(), 100);
    assert_eq!(
        clusters[0], 0,
        "labels are canonical: the first sample is in cluster 0"
    );
    let mut used: Vec<i64> = clusters.clone();
    used.sort_unstable();
    used.dedup();
    assert_eq!(used, [0, 1, 2, 3]);
    assert!(floats(out.path(), Table::Clusters, "distance")
        .iter()
        .all(|d| d.is_some_and(f64::is_finite)));
    let records = std::fs::read_to_string(out.path().join("ledger/records.jsonl")).expect("ledger");
    let cluster: serde_json::Value = records
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON"))
        .rfind(|record| record["stage"] == "cluster")
        .expect("a cluster record");
    assert_eq!(cluster["stage"], "cluster");
    assert_eq!(cluster["parameters"]["k"], 4);
    assert_eq!(cluster["parameters"]["seed"], 7);

    let trio = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata("trio/ashk-trio.vcf.gz"), trio.path(), &[]);
    let output = provar([
        "cluster".as_ref(),
        "--on".as_ref(),
        "qc".as_ref(),
        "--out".as_ref(),
        trio.path().as_os_str(),
        "--k".as_ref(),
        "4".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("invalid k: 4 clusters requested for 3 samples"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unknown_flags_exit_2_and_stdout_stays_empty() {
    let output = provar(["ingest", "--no-such-flag"]);
    assert_eq!(output.status.code(), Some(2));
    let out = tempfile::tempdir().expect("tempdir");
    let output = provar([
        "run".as_ref(),
        "--vcf".as_ref(),
        testdata("trio/ashk-trio.vcf.gz").as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
    ]);
    assert_ok(&output);
    assert!(output.stdout.is_empty(), "stdout carries data only");
    // ingest, qc, annotate (the trio carries BCSQ), cluster, report.
    assert!(
        stderr(&output).contains("ledger: 5 records"),
        "{}",
        stderr(&output)
    );
}

/// A small call set (the CEPH 1463 trio's 22 chrX sites) has too few common variants for a
/// PCA: `provar run` skips clustering, says why, and still ends with the rare-disease
/// tables, the consequences the VCF carries (VEP CSQ) and a verified ledger.
#[test]
fn run_on_a_small_call_set_skips_clustering_and_goes_on() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = provar([
        "run".as_ref(),
        "--vcf".as_ref(),
        testdata("family/test.mendel.vcf.gz").as_os_str(),
        "--ped".as_ref(),
        testdata("family/test.mendel.ped").as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
    ]);
    assert_ok(&output);
    let messages = stderr(&output);
    assert!(
        messages.contains("cluster: skipped: cannot cluster the samples of")
            && messages.contains("too few samples or common variants for PCA"),
        "{messages}"
    );
    for file in ["candidates.parquet", "consequences.parquet", "report.html"] {
        assert!(out.path().join(file).is_file(), "{file}");
    }
    assert!(!out.path().join("clusters.parquet").exists());
}
