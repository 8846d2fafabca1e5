//! Fault tests on the real bundled cohort: every stage killed (SIGKILL) at many points never
//! leaves a half-written artifact under its final name, its ledger verifies or is repaired
//! with nothing but the torn record lost, and a re-run gives the same bytes; a file-size
//! limit or an unwritable output is a clear error (exit 2) with nothing partial left; an
//! input changed between two stages is caught by the ledger (exit 1).

mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use common::{assert_ok, provar, stderr};
use provar_testkit::testdata;

const BIN: &str = env!("CARGO_BIN_EXE_provar");

/// A stage of the pipeline: its arguments (with `DIR` for the working directory) and the
/// artifacts it writes there.
struct Stage {
    name: &'static str,
    args: Vec<String>,
    outputs: &'static [&'static str],
}

fn stages(vcf: &Path) -> Vec<Stage> {
    let common = |v: &[&str]| -> Vec<String> {
        v.iter()
            .map(|s| s.to_string())
            .chain(["--out", "DIR", "--ledger", "DIR/ledger"].map(String::from))
            .collect()
    };
    let vcf = vcf.to_str().expect("utf-8").to_owned();
    vec![
        Stage {
            name: "ingest",
            args: common(&["ingest", &vcf]),
            outputs: &["variants.parquet", "calls.parquet", "samples.parquet"],
        },
        Stage {
            name: "qc",
            args: common(&["qc"]),
            outputs: &["variant_qc.parquet", "sample_qc.parquet"],
        },
        Stage {
            name: "cluster",
            args: common(&["cluster"]),
            outputs: &["clusters.parquet"],
        },
        Stage {
            name: "report",
            args: common(&["report"]),
            outputs: &["report.html"],
        },
    ]
}

fn args_in(stage: &Stage, dir: &Path) -> Vec<String> {
    let d = dir.to_str().expect("utf-8");
    stage.args.iter().map(|a| a.replace("DIR", d)).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn records(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("ledger/records.jsonl"))
        .map(|t| t.lines().filter(|l| l.ends_with('}')).count())
        .unwrap_or(0)
}

fn ledger(dir: &Path, command: &str) -> std::process::Output {
    provar([
        "ledger".as_ref(),
        command.as_ref(),
        "--ledger".as_ref(),
        dir.join("ledger").as_os_str(),
    ])
}

#[test]
fn every_stage_survives_sigkill_at_many_points() {
    let root = tempfile::tempdir().expect("tempdir");
    let vcf = testdata("cohort/sample.vcf.gz");
    let stages = stages(&vcf);

    // Reference: the stages run to completion one after another; before[i] is the directory
    // as stage i found it, durations[i] how long it took.
    let reference = root.path().join("reference");
    let mut before: Vec<PathBuf> = Vec::new();
    let mut durations = Vec::new();
    for (i, stage) in stages.iter().enumerate() {
        let snapshot = root.path().join(format!("before-{i}"));
        if reference.exists() {
            copy_dir(&reference, &snapshot);
        } else {
            std::fs::create_dir_all(&snapshot).expect("mkdir");
        }
        before.push(snapshot);
        let start = Instant::now();
        assert_ok(&provar(args_in(stage, &reference)));
        durations.push(start.elapsed());
    }

    // A fixed sequence of kill points spread over [0, 1.3 x duration].
    let kills_per_stage = 12;
    let mut killed_midway = 0;
    for (i, stage) in stages.iter().enumerate() {
        for k in 0..kills_per_stage {
            let dir = root.path().join(format!("kill-{}-{k}", stage.name));
            copy_dir(&before[i], &dir);
            let records_before = records(&dir);
            let fraction = ((k as f64 + 0.5) * 0.618_034).fract() * 1.3;
            let delay = durations[i].mul_f64(fraction);
            let mut child = Command::new(BIN)
                .args(args_in(stage, &dir))
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("spawn");
            std::thread::sleep(delay);
            let finished = child.try_wait().expect("try_wait").is_some();
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            if !finished {
                killed_midway += 1;
            }

            // Never a half-written artifact under its final name.
            for output in stage.outputs {
                let path = dir.join(output);
                if path.exists() {
                    assert_eq!(
                        std::fs::read(&path).expect("read"),
                        std::fs::read(reference.join(output)).expect("read"),
                        "{} after a kill at {delay:?} differs from a complete run",
                        path.display()
                    );
                }
            }
            // The ledger verifies, or repair drops only the torn record.
            if records_before > 0 || dir.join("ledger").exists() {
                let verify = ledger(&dir, "verify");
                if !verify.status.success() {
                    assert_ok(&ledger(&dir, "repair"));
                    let again = ledger(&dir, "verify");
                    assert!(
                        again.status.success(),
                        "{} after repair: {}",
                        stage.name,
                        stderr(&again)
                    );
                }
                let n = records(&dir);
                assert!(
                    n == records_before || n == records_before + 1,
                    "{}: {n} records after the kill, {records_before} before",
                    stage.name
                );
            }
            // Re-running the stage completes with the reference bytes.
            assert_ok(&provar(args_in(stage, &dir)));
            for output in stage.outputs {
                assert_eq!(
                    std::fs::read(dir.join(output)).expect("read"),
                    std::fs::read(reference.join(output)).expect("read"),
                    "{output} after kill and re-run"
                );
            }
            assert_ok(&ledger(&dir, "verify"));
            std::fs::remove_dir_all(&dir).expect("cleanup");
        }
    }
    // Most kills landed while a stage was still running (not all: stages are fast here).
    assert!(
        killed_midway >= stages.len() * kills_per_stage / 2,
        "only {killed_midway} kills landed mid-run"
    );
}

#[test]
fn a_file_size_limit_is_a_clear_error_with_nothing_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let vcf = testdata("cohort/sample.vcf.gz");
    // 64 KiB: the variants table fits, calls.parquet does not.
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 64 && exec '{BIN}' ingest '{}' --out '{}'",
            vcf.display(),
            out.display()
        ))
        .output()
        .expect("sh runs");
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains(".parquet"), "names the file: {message}");
    assert!(message.contains("File too large"), "{message}");
    assert!(message.contains("hint: the disk is full or a file-size limit applies"));
    assert!(
        !out.exists(),
        "nothing partial is left: {:?}",
        std::fs::read_dir(&out).ok()
    );
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let vcf = testdata("cohort/sample.vcf.gz");
    // /proc refuses new directories even to root (a read-only directory would not stop root).
    let output = provar([
        "ingest".as_ref(),
        vcf.as_os_str(),
        "--out".as_ref(),
        "/proc/provar-test/out".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("/proc/provar-test/out"), "{message}");
}

#[test]
fn an_input_changed_between_stages_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let vcf = testdata("cohort/sample.vcf.gz");
    let ledger_dir = out.join("ledger");
    assert_ok(&provar([
        "ingest".as_ref(),
        vcf.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--ledger".as_ref(),
        ledger_dir.as_os_str(),
    ]));
    // Flip one byte in the middle of calls.parquet.
    let calls = out.join("calls.parquet");
    let mut bytes = std::fs::read(&calls).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&calls, bytes).expect("write");
    let output = provar([
        "qc".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--ledger".as_ref(),
        ledger_dir.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("calls.parquet"),
        "{}",
        stderr(&output)
    );
    assert!(!out.join("variant_qc.parquet").exists());
}
