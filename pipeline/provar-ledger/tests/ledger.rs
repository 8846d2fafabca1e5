//! End-to-end tests of the ledger over real temporary files.

use std::error::Error as StdError;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use provar_ledger::{
    hash_bytes, hash_file, merkle, Digest, Error, Ledger, NewRecord, Problem, Runtime,
    SignedCheckpoint, CHECKPOINT_FILE, LOCK_FILE, RECORDS_FILE,
};
use serde_json::Value;

type TestResult = Result<(), Box<dyn StdError>>;

fn runtime() -> Runtime {
    Runtime {
        started_at: UNIX_EPOCH + Duration::from_secs(1_795_537_282),
        finished_at: UNIX_EPOCH + Duration::from_secs(1_795_537_290),
        threads: 2,
    }
}

/// A temp dir with `raw.txt` outside the root and `provar-out/ledger` inside.
struct Fixture {
    _tmp: tempfile::TempDir,
    raw: PathBuf,
    out: PathBuf,
    ledger: Ledger,
}

impl Fixture {
    fn new() -> Result<Fixture, Box<dyn StdError>> {
        let tmp = tempfile::tempdir()?;
        let raw = tmp.path().join("raw.txt");
        fs::write(&raw, b"raw input bytes\n")?;
        let out = tmp.path().join("provar-out");
        let ledger = Ledger::open(out.join("ledger"))?;
        Ok(Fixture {
            _tmp: tmp,
            raw,
            out,
            ledger,
        })
    }

    fn file(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, Box<dyn StdError>> {
        let path = self.out.join(name);
        fs::write(&path, bytes)?;
        Ok(path)
    }

    /// Three chained stages: raw.txt -> a.bin -> b.bin -> c.bin.
    fn three_records(&self) -> Result<(), Box<dyn StdError>> {
        let a = self.file("a.bin", b"stage one output")?;
        self.ledger.append(
            NewRecord::new("ingest", "0.1.0", runtime())
                .parameter("x", 1)
                .input(&self.raw)
                .output(&a),
        )?;
        let b = self.file("b.bin", b"stage two output")?;
        self.ledger.append(
            NewRecord::new("qc", "0.1.0", runtime())
                .parameter("x", 2)
                .input(&a)
                .output(&b),
        )?;
        let c = self.file("c.bin", b"stage three output")?;
        self.ledger.append(
            NewRecord::new("cluster", "0.1.0", runtime())
                .parameter("x", 3)
                .input(&b)
                .output(&c),
        )?;
        Ok(())
    }

    fn records_path(&self) -> PathBuf {
        self.ledger.dir().join(RECORDS_FILE)
    }

    fn lines(&self) -> Result<Vec<String>, Box<dyn StdError>> {
        Ok(fs::read_to_string(self.records_path())?
            .lines()
            .map(str::to_owned)
            .collect())
    }

    fn write_lines(&self, lines: &[String]) -> TestResult {
        let mut text = lines.join("\n");
        text.push('\n');
        fs::write(self.records_path(), text)?;
        Ok(())
    }

    fn problems(&self) -> Result<Vec<Problem>, Box<dyn StdError>> {
        Ok(self.ledger.verify()?.problems)
    }
}

/// Leaf hashes of record lines.
fn leaves(lines: &[String]) -> Vec<merkle::Hash> {
    lines
        .iter()
        .map(|l| merkle::leaf_hash(l.as_bytes()))
        .collect()
}

/// Re-serialises a line canonically after changing `parameters.x`.
fn edit_parameter(line: &str, x: i64) -> Result<String, Box<dyn StdError>> {
    let mut value: Value = serde_json::from_str(line)?;
    value["parameters"]["x"] = Value::from(x);
    Ok(serde_json::to_string(&value)?)
}

#[test]
fn two_records_chain_and_parse_back() -> TestResult {
    let fx = Fixture::new()?;
    fs::create_dir_all(fx.out.join("nested/dir"))?;
    let a = fx.file("nested/dir/a.bin", b"first output")?;
    let first = fx.ledger.append(
        NewRecord::new("ingest", "0.1.0", runtime())
            .parameter("min_qual", 20)
            .input(&fx.raw)
            .output(&a),
    )?;
    let b = fx.file("b.bin", b"second output")?;
    let second = fx.ledger.append(
        NewRecord::new("qc", "0.1.0", runtime())
            .parameter("max_missing", 0.1)
            .input(&a)
            .output(&b),
    )?;

    let report = fx.ledger.verify()?;
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 2);
    assert_eq!(report.artifacts, 3);

    let records = fx.ledger.records()?;
    assert_eq!(records, vec![first, second]);
    let (r1, r2) = (&records[0], &records[1]);
    assert_eq!((r1.seq, r1.line, r2.seq, r2.line), (1, 1, 2, 2));
    assert_eq!(r1.prev, Digest::ZERO);
    assert_eq!(r2.prev, hash_bytes(r1.raw.as_bytes()));
    assert_eq!(r2.prev, r1.digest);
    assert_eq!(r1.stage, "ingest");
    assert_eq!(r1.tool_name, "provar");
    assert_eq!(r1.tool_version, "0.1.0");
    assert_eq!(r1.parameters["min_qual"], Value::from(20));
    assert_eq!(r1.runtime.started_at, "2026-11-24T16:21:22Z");
    assert_eq!(r1.runtime.finished_at, "2026-11-24T16:21:30Z");
    assert_eq!(r1.runtime.threads, 2);

    // raw.txt is outside the root: canonical absolute path, no producer.
    let raw_canon = fs::canonicalize(&fx.raw)?;
    assert_eq!(r1.inputs.len(), 1);
    assert_eq!(Path::new(&r1.inputs[0].path), raw_canon);
    assert_eq!(r1.inputs[0].produced_by, None);
    assert_eq!(r1.inputs[0].size, 16);
    assert_eq!(r1.inputs[0].blake3, hash_bytes(b"raw input bytes\n"));
    // a.bin is under the root: relative with '/' separators.
    assert_eq!(r1.outputs[0].path, "nested/dir/a.bin");
    assert_eq!(r1.outputs[0].blake3, hash_bytes(b"first output"));
    assert_eq!(r2.inputs[0].path, "nested/dir/a.bin");
    assert_eq!(r2.inputs[0].produced_by, Some(1));
    assert_eq!(r2.outputs[0].path, "b.bin");
    assert_eq!(r2.outputs[0].produced_by, None);

    // On-disk form: canonical lines, newline-terminated, the checkpoint anchors the tree.
    let text = fs::read_to_string(fx.records_path())?;
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        let value: Value = serde_json::from_str(line)?;
        assert_eq!(serde_json::to_string(&value)?, line);
        assert!(line.contains(r#""schema":2"#));
    }
    let input_json: Value = serde_json::from_str(&r1.raw)?;
    assert_eq!(input_json["inputs"][0]["produced_by"], Value::Null);
    assert!(input_json["outputs"][0].get("produced_by").is_none());
    let checkpoint: SignedCheckpoint =
        fs::read_to_string(fx.ledger.dir().join(CHECKPOINT_FILE))?.parse()?;
    let leaves = [
        merkle::leaf_hash(r1.raw.as_bytes()),
        merkle::leaf_hash(r2.raw.as_bytes()),
    ];
    assert_eq!(checkpoint.checkpoint.size, 2);
    assert_eq!(checkpoint.checkpoint.root, merkle::root(&leaves));
    assert_eq!(
        checkpoint.checkpoint.origin,
        provar_ledger::origin_for(r1.raw.as_bytes())
    );
    assert!(checkpoint.checkpoint.origin.starts_with("provar-ledger/"));
    assert!(checkpoint.note.signatures.is_empty(), "no signer: unsigned");
    assert!(
        fx.ledger.dir().join(LOCK_FILE).exists(),
        "the lock file stays"
    );
    assert_eq!(fx.ledger.root(), fs::canonicalize(&fx.out)?);
    Ok(())
}

#[test]
fn produced_by_requires_same_digest() -> TestResult {
    let fx = Fixture::new()?;
    let a = fx.file("a.bin", b"v1")?;
    fx.ledger
        .append(NewRecord::new("s1", "0.1.0", runtime()).output(&a))?;
    fs::write(&a, b"v2")?;
    fx.ledger
        .append(NewRecord::new("s2", "0.1.0", runtime()).output(&a))?;
    fs::write(&a, b"v1")?;
    let r3 = fx
        .ledger
        .append(NewRecord::new("s3", "0.1.0", runtime()).input(&a))?;
    assert_eq!(
        r3.inputs[0].produced_by,
        Some(1),
        "v1 bytes were produced by record 1"
    );
    fs::write(&a, b"v3")?;
    let r4 = fx
        .ledger
        .append(NewRecord::new("s4", "0.1.0", runtime()).input(&a))?;
    assert_eq!(r4.inputs[0].produced_by, None);
    Ok(())
}

#[test]
fn flipped_output_byte_is_exactly_one_bytes_changed_problem() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    assert!(fx.ledger.verify()?.is_ok());
    let c = fx.out.join("c.bin");
    let mut bytes = fs::read(&c)?;
    bytes[3] ^= 0x01;
    fs::write(&c, &bytes)?;
    let problems = fx.problems()?;
    assert_eq!(problems.len(), 1, "{problems:?}");
    match &problems[0] {
        Problem::ArtifactChanged {
            path,
            seq,
            expected,
            found,
            expected_size,
            found_size,
        } => {
            assert_eq!(path, "c.bin");
            assert_eq!(*seq, 3);
            assert_eq!(*expected, hash_bytes(b"stage three output"));
            assert_eq!(*found, hash_bytes(&bytes));
            assert_eq!((*expected_size, *found_size), (18, 18));
        }
        other => panic!("unexpected problem {other:?}"),
    }
    let message = problems[0].to_string();
    assert!(
        message.starts_with("artifact c.bin (record 3): bytes changed: ledger has blake3 "),
        "{message}"
    );
    assert!(message.contains("size 18; file has "), "{message}");
    Ok(())
}

#[test]
fn changed_intermediate_names_latest_record_once() -> TestResult {
    // a.bin is output of record 1 and input of record 2: reported once, against record 2.
    let fx = Fixture::new()?;
    fx.three_records()?;
    fs::write(fx.out.join("a.bin"), b"stage one outpuT")?;
    let problems = fx.problems()?;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        matches!(&problems[0], Problem::ArtifactChanged { path, seq: 2, .. } if path == "a.bin")
    );
    Ok(())
}

#[test]
fn missing_artifacts_are_reported() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    fs::remove_file(fx.out.join("b.bin"))?;
    fs::remove_file(&fx.raw)?;
    let problems = fx.problems()?;
    assert_eq!(problems.len(), 2, "{problems:?}");
    let raw_path = fs::canonicalize(fx.out.parent().ok_or("no parent")?)?.join("raw.txt");
    assert!(problems.contains(&Problem::ArtifactMissing {
        path: "b.bin".into(),
        seq: 3
    }));
    assert!(problems.contains(&Problem::ArtifactMissing {
        path: raw_path.to_str().ok_or("utf8")?.into(),
        seq: 1
    }));
    assert!(problems
        .iter()
        .any(|p| p.to_string() == "artifact b.bin (record 3): missing"));
    Ok(())
}

#[test]
fn edited_middle_record_breaks_chain_of_next() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let mut lines = fx.lines()?;
    lines[1] = edit_parameter(&lines[1], 99)?;
    fx.write_lines(&lines)?;
    let problems = fx.problems()?;
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(
        problems[0],
        Problem::ChainBroken {
            line: 3,
            seq: 3,
            previous_seq: Some(2)
        }
    );
    // The Merkle root over the lines changed too.
    assert!(
        matches!(
            problems[1],
            Problem::CheckpointMismatch {
                expected_size: 3,
                found_size: 3,
                ..
            }
        ),
        "{problems:?}"
    );
    assert_eq!(
        problems[0].to_string(),
        "record 3 (line 3): chain broken: prev does not match the digest of record 2 (line 2) \
         (a record before it was edited, removed or reordered)"
    );
    Ok(())
}

#[test]
fn edited_last_record_breaks_head() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let mut lines = fx.lines()?;
    let original = merkle::root(&leaves(&lines));
    lines[2] = edit_parameter(&lines[2], 99)?;
    let edited = merkle::root(&leaves(&lines));
    fx.write_lines(&lines)?;
    let problems = fx.problems()?;
    assert_eq!(
        problems,
        vec![Problem::CheckpointMismatch {
            expected_size: 3,
            expected_root: original,
            found_size: 3,
            found_root: edited
        }]
    );
    let message = problems[0].to_string();
    assert!(
        message.starts_with(&format!(
            "ledger head (checkpoint) expects 3 records with root {}, found 3 records with root {}",
            merkle::hex(&original),
            merkle::hex(&edited)
        )),
        "{message}"
    );
    // Appending on top of the tampered ledger is refused, so the edit cannot be laundered.
    let d = fx.file("d.bin", b"d")?;
    let err = fx
        .ledger
        .append(NewRecord::new("late", "0.1.0", runtime()).output(&d))
        .expect_err("append must refuse a head mismatch");
    assert!(matches!(err, Error::HeadMismatch { .. }), "{err}");
    assert_eq!(fx.lines()?.len(), 3);
    Ok(())
}

#[test]
fn deleted_middle_record_is_seq_and_chain_problem() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let mut lines = fx.lines()?;
    lines.remove(1);
    fx.write_lines(&lines)?;
    let problems = fx.problems()?;
    assert!(
        problems.contains(&Problem::SeqMismatch { line: 2, seq: 3 }),
        "{problems:?}"
    );
    assert!(
        problems.contains(&Problem::ChainBroken {
            line: 2,
            seq: 3,
            previous_seq: Some(1)
        }),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.to_string()
        == "record at line 2 has seq 3, expected 2 (a record was removed or reordered)"));
    // Record 3 read b.bin, which record 2 (now gone) wrote.
    assert!(
        problems.contains(&Problem::ProducerMissing {
            seq: 3,
            path: "b.bin".into(),
            producer: 2
        }),
        "{problems:?}"
    );
    Ok(())
}

#[test]
fn deleted_last_record_breaks_head() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let mut lines = fx.lines()?;
    let original = merkle::root(&leaves(&lines));
    lines.truncate(2);
    let shorter = merkle::root(&leaves(&lines));
    fx.write_lines(&lines)?;
    let problems = fx.problems()?;
    assert_eq!(
        problems,
        vec![Problem::CheckpointMismatch {
            expected_size: 3,
            expected_root: original,
            found_size: 2,
            found_root: shorter
        }]
    );
    let message = problems[0].to_string();
    assert!(
        message.contains("expects 3 records") && message.contains("found 2 records"),
        "{message}"
    );
    Ok(())
}

#[test]
fn missing_checkpoint_is_detected() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    fs::remove_file(fx.ledger.dir().join(CHECKPOINT_FILE))?;
    let problems = fx.problems()?;
    assert_eq!(problems, vec![Problem::CheckpointMissing { found_size: 3 }]);
    assert!(problems[0]
        .to_string()
        .starts_with("ledger head (checkpoint) is missing, found 3 records"));
    Ok(())
}

#[test]
fn reordered_records_are_detected() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let mut lines = fx.lines()?;
    lines.swap(0, 1);
    fx.write_lines(&lines)?;
    let problems = fx.problems()?;
    assert!(
        problems.contains(&Problem::SeqMismatch { line: 1, seq: 2 }),
        "{problems:?}"
    );
    assert!(
        problems.contains(&Problem::SeqMismatch { line: 2, seq: 1 }),
        "{problems:?}"
    );
    assert!(
        problems.contains(&Problem::ChainBroken {
            line: 1,
            seq: 2,
            previous_seq: None
        }),
        "{problems:?}"
    );
    assert!(
        problems.contains(&Problem::ChainBroken {
            line: 3,
            seq: 3,
            previous_seq: Some(1)
        }),
        "{problems:?}"
    );
    Ok(())
}

#[test]
fn non_canonical_whitespace_is_detected() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let mut lines = fx.lines()?;
    assert!(lines[1].contains(r#""seq":2"#));
    lines[1] = lines[1].replace(r#""seq":2"#, r#""seq": 2"#);
    fx.write_lines(&lines)?;
    let problems = fx.problems()?;
    assert_eq!(
        problems[0],
        Problem::NotCanonical { line: 2 },
        "{problems:?}"
    );
    assert_eq!(
        problems[0].to_string(),
        "record at line 2 was edited: not canonical JSON"
    );
    // The line's bytes changed, so the chain of record 3 no longer matches either.
    assert!(problems.contains(&Problem::ChainBroken {
        line: 3,
        seq: 3,
        previous_seq: Some(2)
    }));
    Ok(())
}

#[test]
fn reordered_keys_and_garbage_are_detected() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let mut lines = fx.lines()?;
    // Move "stage" to the front: valid JSON, same content, not canonical.
    let value: Value = serde_json::from_str(&lines[0])?;
    let stage = value["stage"].as_str().ok_or("stage")?;
    lines[0] = format!(
        "{{\"stage\":\"{stage}\",{}",
        &lines[0][1..].replace(&format!(",\"stage\":\"{stage}\""), "")
    );
    assert_eq!(serde_json::from_str::<Value>(&lines[0])?, value);
    lines[1] = "not json at all".to_owned();
    fx.write_lines(&lines)?;
    let problems = fx.problems()?;
    assert!(
        problems.contains(&Problem::NotCanonical { line: 1 }),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::InvalidJson { line: 2, .. })
                && p.to_string()
                    .starts_with("record at line 2 is not valid JSON: ")),
        "{problems:?}"
    );
    assert!(matches!(
        fx.ledger.records(),
        Err(Error::InvalidRecord { line: 2, .. })
    ));
    Ok(())
}

#[test]
fn unterminated_last_line_is_detected() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let text = fs::read_to_string(fx.records_path())?;
    fs::write(fx.records_path(), text.trim_end_matches('\n'))?;
    assert_eq!(fx.problems()?, vec![Problem::Unterminated { line: 3 }]);
    Ok(())
}

#[test]
fn check_input_reports_match_change_and_unknown() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let a = fx.out.join("a.bin");
    assert_eq!(fx.ledger.check_input(&a)?, Some(1));
    assert_eq!(fx.ledger.check_input(&fx.out.join("c.bin"))?, Some(3));
    // raw.txt was only ever an input, never produced by the ledger.
    assert_eq!(fx.ledger.check_input(&fx.raw)?, None);
    let unknown = fx.file("unknown.bin", b"never recorded")?;
    assert_eq!(fx.ledger.check_input(&unknown)?, None);

    fs::write(&a, b"modified")?;
    match fx.ledger.check_input(&a) {
        Err(Error::InputChanged {
            path,
            seq,
            expected,
            found,
        }) => {
            assert_eq!(path, a);
            assert_eq!(seq, 1);
            assert_eq!(expected, hash_bytes(b"stage one output"));
            assert_eq!(found, hash_bytes(b"modified"));
        }
        other => panic!("expected InputChanged, got {other:?}"),
    }
    let err = fx.ledger.check_input(&a).expect_err("changed");
    assert!(
        err.to_string()
            .contains("changed since record 1 produced it"),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_held_lock_makes_append_wait() -> TestResult {
    let fx = Fixture::new()?;
    let a = fx.file("a.bin", b"x")?;
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(fx.ledger.dir().join(LOCK_FILE))?;
    lock.lock()?;
    let ledger = fx.ledger.clone();
    let writer = std::thread::spawn(move || {
        ledger.append(NewRecord::new("s", "0.1.0", runtime()).output(&a))
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(!writer.is_finished(), "append waits for the lock");
    assert_eq!(fx.ledger.records()?.len(), 0);
    lock.unlock()?;
    let record = writer.join().map_err(|_| "writer panicked")??;
    assert_eq!(record.seq, 1);
    assert!(fx.ledger.verify()?.is_ok());
    Ok(())
}

#[test]
fn float_parameters_survive_verification() -> TestResult {
    let fx = Fixture::new()?;
    let a = fx.file("a.bin", b"x")?;
    let mut new = NewRecord::new("s", "0.1.0", runtime()).output(&a);
    for (i, x) in [
        0.1,
        1e300,
        2.2250738585072014e-308,
        1.0 / 3.0,
        -0.0,
        123456.789e-7,
    ]
    .into_iter()
    .enumerate()
    {
        new = new.parameter(format!("f{i}"), x);
    }
    new = new.parameter("text", "tab\tnewline\n\"quote\" é ✓");
    fx.ledger.append(new)?;
    let report = fx.ledger.verify()?;
    assert!(report.is_ok(), "{report}");
    Ok(())
}

#[test]
fn hash_file_mmap_path_equals_streaming_and_bytes() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let big: Vec<u8> = (0..3 * 1024 * 1024 + 17)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let big_path = tmp.path().join("big.bin");
    fs::write(&big_path, &big)?;
    assert_eq!(hash_file(&big_path)?, (big.len() as u64, hash_bytes(&big)));

    let small = &big[..1024 * 1024]; // exactly the threshold: streaming path
    let small_path = tmp.path().join("small.bin");
    fs::write(&small_path, small)?;
    assert_eq!(
        hash_file(&small_path)?,
        (small.len() as u64, hash_bytes(small))
    );

    let empty_path = tmp.path().join("empty.bin");
    fs::write(&empty_path, b"")?;
    assert_eq!(hash_file(&empty_path)?, (0, hash_bytes(b"")));

    let missing = tmp.path().join("missing.bin");
    let err = hash_file(&missing).expect_err("missing file");
    assert!(matches!(&err, Error::Io { path, .. } if *path == missing));
    assert!(err.to_string().contains("missing.bin"), "{err}");
    Ok(())
}

#[test]
fn empty_and_missing_ledgers() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("a/b/ledger");
    assert!(
        Ledger::open_existing(&dir).is_err(),
        "open_existing does not create"
    );
    let ledger = Ledger::open(&dir)?;
    assert!(dir.is_dir(), "open creates parents");
    assert_eq!(ledger.records()?, vec![]);
    let report = ledger.verify()?;
    assert!(report.is_ok());
    assert_eq!((report.records, report.artifacts), (0, 0));
    fs::remove_dir(&dir)?;
    assert!(matches!(ledger.verify(), Err(Error::Io { .. })));
    Ok(())
}

#[test]
fn report_display_lists_problems() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    assert_eq!(
        fx.ledger.verify()?.to_string(),
        "ledger ok: 3 records, 4 artifacts verified"
    );
    fs::remove_file(fx.out.join("c.bin"))?;
    let text = fx.ledger.verify()?.to_string();
    assert!(text.starts_with("ledger has 1 problem(s)"), "{text}");
    assert!(
        text.contains("\n  artifact c.bin (record 3): missing"),
        "{text}"
    );
    Ok(())
}

#[test]
fn a_legacy_head_ledger_verifies_and_migrates_on_append() -> TestResult {
    let fx = Fixture::new()?;
    fx.three_records()?;
    let dir = fx.ledger.dir().to_path_buf();
    let last = fx.lines()?.pop().ok_or("three lines")?;
    // What the first ledger version wrote: HEAD, no checkpoint.
    fs::remove_file(dir.join(CHECKPOINT_FILE))?;
    fs::write(
        dir.join(provar_ledger::HEAD_FILE),
        format!(
            "{{\"count\":3,\"digest\":\"{}\"}}\n",
            hash_bytes(last.as_bytes())
        ),
    )?;
    let ledger = Ledger::open(&dir)?;
    assert!(ledger.verify()?.is_ok());
    fs::write(
        dir.join(provar_ledger::HEAD_FILE),
        format!(
            "{{\"count\":2,\"digest\":\"{}\"}}\n",
            hash_bytes(last.as_bytes())
        ),
    )?;
    assert!(matches!(
        ledger.verify()?.problems.as_slice(),
        [Problem::HeadMismatch {
            expected_count: 2,
            found_count: 3,
            ..
        }]
    ));
    fs::write(
        dir.join(provar_ledger::HEAD_FILE),
        format!(
            "{{\"count\":3,\"digest\":\"{}\"}}\n",
            hash_bytes(last.as_bytes())
        ),
    )?;
    let d = fx.file("d.bin", b"d")?;
    ledger.append(NewRecord::new("late", "0.1.0", runtime()).output(&d))?;
    assert!(
        !dir.join(provar_ledger::HEAD_FILE).exists(),
        "HEAD replaced"
    );
    assert!(dir.join(CHECKPOINT_FILE).exists());
    let report = ledger.verify()?;
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, 4);
    Ok(())
}
