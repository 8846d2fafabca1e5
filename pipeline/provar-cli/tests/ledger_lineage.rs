//! `provar ledger lineage` and `provar ledger export --format b3sum` (checked with `b3sum
//! --check` when installed).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, UNIX_EPOCH};

use provar_ledger::{hash_bytes, Ledger, NewRecord, Runtime};
use provar_testkit::cmd_exists;

fn provar(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_provar"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("PROVAR_SIGN_KEY")
        .output()
        .expect("the provar binary runs")
}

fn runtime() -> Runtime {
    Runtime {
        started_at: UNIX_EPOCH + Duration::from_secs(1_795_537_282),
        finished_at: UNIX_EPOCH + Duration::from_secs(1_795_537_290),
        threads: 1,
    }
}

/// raw.txt (outside the root) -> a.bin -> (b.bin, with a.bin) -> c.bin; d.bin unrelated.
fn fixture(tmp: &Path) -> std::path::PathBuf {
    let raw = tmp.join("raw.txt");
    fs::write(&raw, b"raw bytes\n").expect("write");
    let out = tmp.join("out");
    let ledger = Ledger::open(out.join("ledger")).expect("ledger");
    let write = |name: &str, bytes: &[u8]| {
        let path = out.join(name);
        fs::write(&path, bytes).expect("write");
        path
    };
    let a = write("a.bin", b"a");
    ledger
        .append(
            NewRecord::new("ingest", "0.1.0", runtime())
                .parameter("x", 1)
                .input(&raw)
                .output(&a),
        )
        .expect("append");
    let b = write("b.bin", b"b");
    ledger
        .append(
            NewRecord::new("qc", "0.1.0", runtime())
                .input(&a)
                .output(&b),
        )
        .expect("append");
    fs::create_dir_all(out.join("sub dir")).expect("mkdir");
    let c = write("sub dir/c.bin", b"c");
    ledger
        .append(
            NewRecord::new("cluster", "0.1.0", runtime())
                .parameter("k", 3)
                .input(&b)
                .input(&a)
                .output(&c),
        )
        .expect("append");
    out
}

#[test]
fn lineage_walks_back_to_raw_inputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = fixture(tmp.path());
    let c = out.join("sub dir/c.bin");
    let output = provar(&[&"ledger", &"lineage", &c, &"--ledger", &out.join("ledger")]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[0].starts_with("sub dir/c.bin  blake3 ")
            && lines[0].contains("<- record 3 cluster (provar 0.1.0) {\"k\":3}"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("├── b.bin  blake3 ") && lines[1].contains("<- record 2 qc"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("│   └── a.bin  blake3 ") && lines[2].contains("<- record 1 ingest"),
        "{text}"
    );
    let raw = format!(
        "raw.txt  blake3 {}  (raw input)",
        &hash_bytes(b"raw bytes\n").to_string()[..16]
    );
    assert!(
        lines[3].starts_with("│       └── /") && lines[3].ends_with(&raw),
        "{text}"
    );
    assert!(lines[4].starts_with("└── a.bin  blake3 "), "{text}");

    let output = provar(&[
        &"ledger",
        &"lineage",
        &c,
        &"--ledger",
        &out.join("ledger"),
        &"--json",
    ]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["path"], "sub dir/c.bin");
    assert_eq!(json["blake3"], hash_bytes(b"c").to_string());
    assert_eq!(json["produced_by"]["seq"], 3);
    let b = &json["produced_by"]["inputs"][0];
    assert_eq!(b["path"], "b.bin");
    let a = &b["produced_by"]["inputs"][0];
    assert_eq!(a["produced_by"]["stage"], "ingest");
    assert_eq!(
        a["produced_by"]["inputs"][0]["produced_by"],
        serde_json::Value::Null
    );

    // A file the ledger never produced: exit 2, naming it.
    let output = provar(&[
        &"ledger",
        &"lineage",
        &tmp.path().join("raw.txt"),
        &"--ledger",
        &out.join("ledger"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("raw.txt was not produced by any record")
    );

    // A changed file is traced, with a warning.
    fs::write(&c, b"changed").expect("write");
    let output = provar(&[&"ledger", &"lineage", &c, &"--ledger", &out.join("ledger")]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("has changed since it was recorded"));
}

#[test]
fn b3sum_export_passes_b3sum_check_from_the_ledger_root() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = fixture(tmp.path());
    let sums = out.join("sums.b3");
    let output = provar(&[
        &"ledger",
        &"export",
        &"--ledger",
        &out.join("ledger"),
        &"--format",
        &"b3sum",
        &"--out",
        &sums,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = fs::read_to_string(&sums).expect("export");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines.contains(&format!("{}  a.bin", hash_bytes(b"a")).as_str()),
        "{text}"
    );
    assert!(
        lines.contains(&format!("{}  sub dir/c.bin", hash_bytes(b"c")).as_str()),
        "{text}"
    );
    assert!(
        lines[0].ends_with("/raw.txt"),
        "absolute path outside the root first: {text}"
    );

    if !cmd_exists("b3sum") {
        eprintln!("skipping `b3sum --check`: b3sum is not installed (apt-get install b3sum)");
        return;
    }
    let check = Command::new("b3sum")
        .arg("--check")
        .arg(&sums)
        .current_dir(&out)
        .output()
        .expect("b3sum runs");
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    fs::write(out.join("b.bin"), b"tampered").expect("write");
    let check = Command::new("b3sum")
        .arg("--check")
        .arg(&sums)
        .current_dir(&out)
        .output()
        .expect("b3sum runs");
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stdout).contains("b.bin: FAILED"));
}
