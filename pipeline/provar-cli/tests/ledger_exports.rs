//! Ledger exports (RO-Crate, PROV-JSON, in-toto) checked by their own ecosystems' tools
//! when installed, `ledger diff` between runs, and canonical JSON per RFC 8785 checked
//! by the `rfc8785` Python package (issue 7).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use provar_testkit::testdata;

/// A Python with the given modules importable: `PROVAR_PYTHON`, the CI virtual
/// environment (`~/.cache/provar/venv`), or `python3`.
fn python_with(modules: &[&str]) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(python) = std::env::var_os("PROVAR_PYTHON") {
        candidates.push(python.into());
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cache/provar/venv/bin/python"));
    }
    candidates.push("python3".into());
    let import = format!("import {}", modules.join(", "));
    let found = candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", &import])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        eprintln!("skipping the {modules:?} check: no Python with them (pip install them, or set PROVAR_PYTHON)");
    }
    found
}

/// `sha256sum` of the files under `dir`, by path relative to it.
fn sha256sums(dir: &Path, files: &[&str]) -> BTreeMap<String, String> {
    let output = Command::new("sha256sum")
        .args(files)
        .current_dir(dir)
        .output()
        .expect("sha256sum runs");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(digest, path)| (path.to_owned(), digest.to_owned()))
        .collect()
}

fn export(out: &Path, format: &str, file: &Path) {
    assert_ok(&provar([
        "ledger".as_ref(),
        "export".as_ref(),
        "--ledger".as_ref(),
        out.join("ledger").as_os_str(),
        "--format".as_ref(),
        format.as_ref(),
        "--out".as_ref(),
        file.as_os_str(),
    ]));
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("export")).expect("JSON")
}

const TABLES: [&str; 4] = [
    "variants.parquet",
    "calls.parquet",
    "variant_qc.parquet",
    "sample_qc.parquet",
];

#[test]
fn exports_carry_both_digests_and_pass_their_validators() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    run_pipeline(&testdata("trio/ashk-trio.vcf.gz"), &out, &[]);
    let sha = sha256sums(&out, &TABLES);
    let records = std::fs::read_to_string(out.join("ledger/records.jsonl")).expect("records");
    let n_records = records.lines().count();

    // RO-Crate: every table a File with its sha256; one CreateAction per record.
    let crate_file = out.join("ro-crate-metadata.json");
    export(&out, "ro-crate", &crate_file);
    let crate_json = read_json(&crate_file);
    let graph = crate_json["@graph"].as_array().expect("@graph");
    let by_id: BTreeMap<&str, &serde_json::Value> = graph
        .iter()
        .map(|e| (e["@id"].as_str().expect("@id"), e))
        .collect();
    for table in TABLES {
        let entity = by_id
            .get(table)
            .unwrap_or_else(|| panic!("{table} in the crate"));
        assert_eq!(entity["sha256"], sha[table], "{table}");
    }
    let actions = graph
        .iter()
        .filter(|e| e["@type"] == "CreateAction" && e["@id"] != "#run")
        .count();
    assert_eq!(actions, n_records);
    if let Some(python) = python_with(&["rocrate_validator", "requests"]) {
        let validate = testdata("rocrate/validate_offline.py");
        for profile in ["provenance-run-crate-0.5", "ro-crate-1.2"] {
            let report = dir.path().join(format!("{profile}.json"));
            let output = Command::new(&python)
                .arg(&validate)
                .args([
                    "validate",
                    "--no-paging",
                    "--skip-availability-check",
                    "--no-cache",
                ])
                .args(["-p", profile, "-f", "json", "-o"])
                .arg(&report)
                .arg(".")
                .current_dir(&out)
                .env("COLUMNS", "200")
                .output()
                .expect("validator runs");
            let report = read_json(&report);
            assert_eq!(
                report["passed"],
                true,
                "{profile}: {}\n{}",
                report["issues"],
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    // PROV-JSON: an entity per file version, an activity per record; the `prov` package
    // reads it back with the same counts.
    let prov_file = dir.path().join("prov.json");
    export(&out, "prov-json", &prov_file);
    let prov = read_json(&prov_file);
    assert_eq!(
        prov["activity"].as_object().expect("activity").len(),
        n_records
    );
    let variant_qc = prov["entity"]
        .as_object()
        .expect("entity")
        .values()
        .find(|e| e["provar:path"] == "variant_qc.parquet")
        .expect("variant_qc entity");
    assert_eq!(variant_qc["provar:sha256"], sha["variant_qc.parquet"]);
    if let Some(python) = python_with(&["prov"]) {
        let script = "import sys, prov.model as m\n\
            d = m.ProvDocument.deserialize(sys.argv[1], format='json')\n\
            print(len(list(d.get_records(m.ProvActivity))), len(list(d.get_records(m.ProvEntity))), len(list(d.get_records(m.ProvGeneration))))";
        let output = Command::new(&python)
            .args(["-c", script])
            .arg(&prov_file)
            .output()
            .expect("python runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let counts = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let expected = format!(
            "{} {} {}",
            n_records,
            prov["entity"].as_object().expect("entity").len(),
            prov["wasGeneratedBy"]
                .as_object()
                .expect("generation")
                .len()
        );
        assert_eq!(counts, expected);
    }

    // in-toto Statement v1 / SLSA provenance v1: final outputs as subjects with sha256
    // and blake3, the raw VCF as a resolved dependency.
    let statement_file = dir.path().join("statement.json");
    export(&out, "in-toto", &statement_file);
    let statement = read_json(&statement_file);
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    let subjects: BTreeMap<&str, &serde_json::Value> = statement["subject"]
        .as_array()
        .expect("subject")
        .iter()
        .map(|s| (s["name"].as_str().expect("name"), &s["digest"]))
        .collect();
    for table in TABLES {
        assert_eq!(subjects[table]["sha256"], sha[table], "{table}");
        assert_eq!(subjects[table]["blake3"].as_str().map(str::len), Some(64));
    }
    let deps = statement["predicate"]["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .expect("dependencies");
    assert!(deps.iter().any(|d| d["name"]
        .as_str()
        .is_some_and(|n| n.ends_with("ashk-trio.vcf.gz"))));

    // Exports are deterministic.
    let again = dir.path().join("statement2.json");
    export(&out, "in-toto", &again);
    assert_eq!(
        std::fs::read(&statement_file).expect("read"),
        std::fs::read(&again).expect("read")
    );

    // Every record line is its own RFC 8785 canonical form (checked by another
    // implementation).
    if let Some(python) = python_with(&["rfc8785"]) {
        let script = "import sys, json, rfc8785\n\
            lines = open(sys.argv[1], 'rb').read().splitlines()\n\
            bad = [i + 1 for i, l in enumerate(lines) if rfc8785.dumps(json.loads(l)) != l]\n\
            print(len(lines), bad)";
        let output = Command::new(&python)
            .args(["-c", script])
            .arg(out.join("ledger/records.jsonl"))
            .output()
            .expect("python runs");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            format!("{n_records} []"),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn an_export_refuses_an_artifact_changed_since_recording() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    run_pipeline(&testdata("trio/ashk-trio.vcf.gz"), &out, &[]);
    std::fs::write(out.join("variant_qc.parquet"), b"not the recorded bytes").expect("write");
    let file = dir.path().join("statement.json");
    let output = provar([
        "ledger".as_ref(),
        "export".as_ref(),
        "--ledger".as_ref(),
        out.join("ledger").as_os_str(),
        "--format".as_ref(),
        "in-toto".as_ref(),
        "--out".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("variant_qc.parquet"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("bytes changed"),
        "{}",
        stderr(&output)
    );
    assert!(!file.exists());
}

#[test]
fn diff_names_parameters_and_files_that_differ_between_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let vcf = testdata("trio/ashk-trio.vcf.gz");
    run_pipeline(&vcf, &a, &[]);
    run_pipeline(&vcf, &b, &[]);
    let diff = |x: &Path, y: &Path| {
        provar([
            "ledger".as_ref(),
            "diff".as_ref(),
            x.as_os_str(),
            y.as_os_str(),
        ])
    };

    // Same inputs, same parameters: no difference (timestamps and hosts do not count).
    let output = diff(&a, &b.join("ledger"));
    assert_ok(&output);
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // Run B again with a genotype filter.
    run_pipeline(&vcf, &b, &["--min-gq", "20"]);
    let output = diff(&a, &b);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        text.contains("stage qc: parameter min_gq: null -> 20")
            || text.contains("stage qc: parameter min_gq: (not set) -> 20"),
        "{text}"
    );
    assert!(
        text.contains("stage qc: output variant_qc.parquet: blake3 "),
        "{text}"
    );
    // Ingest had the same parameters and made the same bytes.
    assert!(!text.contains("stage ingest"), "{text}");

    // Not a run: exit 2 naming it.
    let output = diff(&a, dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a ledger"),
        "{}",
        stderr(&output)
    );
}
