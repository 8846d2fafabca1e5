//! Everyday conveniences: `--version` names the commit, shell completions and the man page
//! come from the same clap definitions as `--help`.

mod common;

use common::{assert_ok, provar};

fn stdout(args: &[&str]) -> String {
    let output = provar(args);
    assert_ok(&output);
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn version_names_the_commit() {
    let version = stdout(&["--version"]);
    assert!(version.starts_with(&format!("provar {} (commit ", env!("CARGO_PKG_VERSION"))));
    let commit = version
        .trim_end()
        .trim_end_matches(')')
        .rsplit(' ')
        .next()
        .unwrap_or_default();
    let hex = commit.trim_end_matches("-dirty");
    assert!(
        hex == "unknown" || (hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit())),
        "{version}"
    );
}

#[test]
fn completions_cover_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&["completions", shell]);
        for sub in ["ingest", "qc", "report", "ledger", "run"] {
            assert!(script.contains(sub), "{shell} completions lack {sub}");
        }
    }
    assert_eq!(provar(["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let man = stdout(&["man"]);
    assert!(man.contains(".TH provar 1"), "{}", &man[..man.len().min(200)]);
    for sub in ["ingest", "merge", "qc", "report", "ledger", "run"] {
        assert!(man.contains(sub), "man page lacks {sub}");
    }
}

#[test]
fn json_summary_lists_outputs_with_digests_and_errors_with_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let vcf = provar_testkit::testdata("cohort/sample.vcf.gz");
    common::run_pipeline(&vcf, &out, &["-q"]);
    let ledger = out.join("ledger");
    let line = stdout(&[
        "--json",
        "report",
        "--out",
        out.to_str().expect("utf-8"),
        "--ledger",
        ledger.to_str().expect("utf-8"),
    ]);
    let value: serde_json::Value = serde_json::from_str(&line).expect("one JSON object");
    assert_eq!(value["command"], "report");
    assert_eq!(value["status"], "ok");
    assert_eq!(value["exit"], 0);
    let outputs = value["outputs"].as_array().expect("outputs");
    assert_eq!(outputs.len(), 1);
    let report = out.join("report.html");
    let (size, digest) = provar_ledger::hash_file(&report).expect("hash");
    assert_eq!(outputs[0]["size"], size);
    assert_eq!(outputs[0]["blake3"], digest.to_string());

    // An input error: exit 2 and status "error" on stdout, the message on stderr.
    let failed = provar(["--json", "ingest", "/nonexistent.vcf", "--out", "x"]);
    assert_eq!(failed.status.code(), Some(2));
    let value: serde_json::Value =
        serde_json::from_slice(&failed.stdout).expect("one JSON object");
    assert_eq!(value["status"], "error");
    assert_eq!(value["exit"], 2);
    assert!(value["error"]
        .as_str()
        .is_some_and(|e| e.contains("/nonexistent.vcf")));
}

#[test]
fn verbose_logs_timings_and_quiet_says_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let vcf = provar_testkit::testdata("cohort/sample.vcf.gz");
    let args = |flag: &str| {
        vec![
            flag.to_owned(),
            "ingest".into(),
            vcf.to_str().expect("utf-8").into(),
            "--out".into(),
            out.to_str().expect("utf-8").into(),
        ]
    };
    let verbose = provar(args("-v"));
    assert_ok(&verbose);
    let text = common::stderr(&verbose);
    assert!(text.contains("INFO start command=\"ingest\""), "{text}");
    assert!(text.contains("INFO end command=\"ingest\""), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when stderr is not a terminal");
    let quiet = provar(args("-q"));
    assert_ok(&quiet);
    assert!(quiet.stderr.is_empty());
    assert!(quiet.stdout.is_empty());
}
