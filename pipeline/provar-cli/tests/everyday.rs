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
    assert!(
        man.contains(".TH provar 1"),
        "{}",
        &man[..man.len().min(200)]
    );
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
    let value: serde_json::Value = serde_json::from_slice(&failed.stdout).expect("one JSON object");
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
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stderr is not a terminal"
    );
    let quiet = provar(args("-q"));
    assert_ok(&quiet);
    assert!(quiet.stderr.is_empty());
    assert!(quiet.stdout.is_empty());
}

/// Every subcommand (and every `ledger` subcommand) shows an example in `--help`.
#[test]
fn every_subcommand_help_has_an_example() {
    use clap::CommandFactory as _;
    let cli = provar_cli::Cli::command();
    let mut paths: Vec<Vec<String>> = Vec::new();
    for sub in cli.get_subcommands() {
        let name = sub.get_name().to_owned();
        if name == "help" {
            continue;
        }
        let nested: Vec<String> = sub
            .get_subcommands()
            .map(|s| s.get_name().to_owned())
            .filter(|s| s != "help")
            .collect();
        paths.push(vec![name.clone()]);
        for n in nested {
            paths.push(vec![name.clone(), n]);
        }
    }
    assert!(paths.len() > 15, "{paths:?}");
    for path in paths {
        let mut args = path.clone();
        args.push("--help".to_owned());
        let output = provar(&args);
        assert!(output.status.success(), "{path:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("Example"),
            "provar {} --help has no example:\n{text}",
            path.join(" ")
        );
    }
}

/// A VCF big enough for the progress display to draw a few times.
fn big_vcf(dir: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write as _;
    let path = dir.join("big.vcf");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(
        file,
        "##fileformat=VCFv4.2\n##contig=<ID=1,length=300000000>\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tC"
    )
    .expect("write");
    for pos in 1..=120_000 {
        writeln!(file, "1\t{pos}\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t1/1").expect("write");
    }
    file.flush().expect("flush");
    path
}

/// Progress shows on a terminal (through `script`, which gives the command a pseudo
/// terminal) and never in a pipe or with -q.
#[test]
fn progress_shows_on_a_terminal_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vcf = big_vcf(dir.path());
    let bin = env!("CARGO_BIN_EXE_provar");
    // A pipe: the plain one-line messages only.
    let out = dir.path().join("piped");
    let output = provar([
        "ingest",
        vcf.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_ok(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok();
    if !has_script {
        eprintln!("skipping the terminal half: `script` (util-linux) is not installed");
        return;
    }
    let run_on_tty = |extra: &str, out: &str| {
        let command = format!(
            "{bin} {extra} ingest {} --out {}",
            vcf.display(),
            dir.path().join(out).display()
        );
        let output = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("PROVAR_PROGRESS")
            .output()
            .expect("script runs");
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let tty = run_on_tty("", "tty");
    assert!(
        tty.contains("provar: ingest: ") && tty.contains(" records, "),
        "{tty:?}"
    );
    assert!(tty.contains("120000 records (0 multi-allelic)"), "{tty:?}");
    let quiet = run_on_tty("-q", "quiet");
    assert!(!quiet.contains("records"), "{quiet:?}");
}
