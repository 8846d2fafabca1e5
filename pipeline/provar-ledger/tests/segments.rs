//! Scattered writers: each job records into its own sealed segment; merge folds them in.

use std::error::Error as StdError;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use provar_ledger::{Error, Ledger, NewRecord, Problem, Runtime, SEAL_FILE};

type TestResult = Result<(), Box<dyn StdError>>;

fn runtime() -> Runtime {
    Runtime {
        started_at: UNIX_EPOCH + Duration::from_secs(1_795_537_282),
        finished_at: UNIX_EPOCH + Duration::from_secs(1_795_537_290),
        threads: 2,
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, Box<dyn StdError>> {
    let path = dir.join(name);
    fs::write(&path, bytes)?;
    Ok(path)
}

/// One job: opens its own handle on the ledger (as a separate process would), records
/// one stage into segment `name`, seals it.
fn job(
    ledger_dir: &Path,
    name: &str,
    stage: &str,
    inputs: &[&Path],
    outputs: &[&Path],
) -> Result<(), Box<dyn StdError>> {
    let segment = Ledger::open(ledger_dir)?.open_segment(name)?;
    let mut record = NewRecord::new(stage, "0.1.0", runtime()).parameter("job", name);
    for input in inputs {
        record = record.input(*input);
    }
    for output in outputs {
        record = record.output(*output);
    }
    segment.append(record)?;
    segment.seal()?;
    Ok(())
}

/// Two shard jobs and a gather job whose segment names sort before their dependencies.
fn scattered_run(out: &Path) -> Result<PathBuf, Box<dyn StdError>> {
    let ledger_dir = out.join("ledger");
    let raw = write(out, "raw.txt", b"raw")?;
    let a = write(out, "shard1.bin", b"shard one")?;
    let b = write(out, "shard2.bin", b"shard two")?;
    let c = write(out, "merged.bin", b"shard one, shard two")?;
    job(&ledger_dir, "b-shard1", "ingest", &[&raw], &[&a])?;
    job(&ledger_dir, "c-shard2", "ingest", &[&raw], &[&b])?;
    job(&ledger_dir, "a-gather", "merge", &[&a, &b], &[&c])?;
    Ok(ledger_dir)
}

#[test]
fn merge_orders_by_dependency_recomputes_producers_and_is_idempotent() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let ledger_dir = scattered_run(tmp.path())?;
    let ledger = Ledger::open(&ledger_dir)?;

    // Before merging: the main log is empty and verify names each unmerged segment.
    let report = ledger.verify()?;
    let unmerged: Vec<String> = report
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::SegmentUnmerged { name } => Some(name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(unmerged, ["a-gather", "b-shard1", "c-shard2"]);

    let merged = ledger.merge_segments()?;
    assert_eq!(
        merged.merged,
        [
            ("b-shard1".to_owned(), 1),
            ("c-shard2".to_owned(), 1),
            ("a-gather".to_owned(), 1)
        ]
    );
    let records = ledger.records()?;
    let stages: Vec<&str> = records.iter().map(|r| r.stage.as_str()).collect();
    assert_eq!(stages, ["ingest", "ingest", "merge"]);
    let gather = &records[2];
    let origin = gather.segment.as_ref().ok_or("segment origin")?;
    assert_eq!((origin.name.as_str(), origin.seq), ("a-gather", 1));
    // Within its segment the gather job could not know who wrote its inputs; the merged
    // log does.
    let producers: Vec<Option<u64>> = gather.inputs.iter().map(|i| i.produced_by).collect();
    assert_eq!(producers, [Some(1), Some(2)]);
    assert_eq!(gather.runtime.started_at, "2026-11-24T16:21:22Z");
    let report = ledger.verify()?;
    assert!(report.is_ok(), "{report}");

    // Merging again changes nothing.
    let before = fs::read(ledger_dir.join("records.jsonl"))?;
    let again = ledger.merge_segments()?;
    assert!(again.merged.is_empty());
    assert_eq!(again.already_merged.len(), 3);
    assert_eq!(fs::read(ledger_dir.join("records.jsonl"))?, before);
    Ok(())
}

#[test]
fn unsealed_edited_and_sealed_segments_are_named() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let ledger_dir = scattered_run(tmp.path())?;
    let ledger = Ledger::open(&ledger_dir)?;

    // A job that died before sealing: merge leaves it, verify names it.
    let segment = ledger.open_segment("d-died")?;
    let d = write(tmp.path(), "d.bin", b"d")?;
    segment.append(NewRecord::new("qc", "0.1.0", runtime()).output(&d))?;
    let report = ledger.merge_segments()?;
    assert_eq!(report.unsealed, ["d-died"]);
    let verify = ledger.verify()?;
    assert!(
        verify.problems.iter().any(
            |p| matches!(p, Problem::SegmentUnsealed { name, records: 1 } if name == "d-died")
        ),
        "{verify}"
    );
    assert!(
        verify.to_string().contains("segment d-died is not sealed"),
        "{verify}"
    );

    // Appending to a sealed segment is refused.
    let sealed = Ledger::open(ledger_dir.join("segments/b-shard1"))?;
    let refused = sealed.append(NewRecord::new("qc", "0.1.0", runtime()).output(&d));
    assert!(matches!(refused, Err(Error::Sealed { .. })), "{refused:?}");
    assert!(ledger_dir
        .join("segments/b-shard1")
        .join(SEAL_FILE)
        .exists());

    // A sealed segment edited afterwards: verify names it, merge refuses.
    let records = ledger_dir.join("segments/c-shard2/records.jsonl");
    let text = fs::read_to_string(&records)?.replace("c-shard2", "c-shardX");
    fs::write(&records, text)?;
    let verify = ledger.verify()?;
    assert!(
        verify
            .problems
            .iter()
            .any(|p| matches!(p, Problem::SegmentInvalid { name, .. } if name == "c-shard2")),
        "{verify}"
    );
    let error = ledger.merge_segments().err().ok_or("merge must refuse")?;
    assert!(error.to_string().contains("c-shard2"), "{error}");
    Ok(())
}

#[test]
fn a_job_run_again_replaces_its_merged_segment() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let ledger_dir = scattered_run(tmp.path())?;
    let ledger = Ledger::open(&ledger_dir)?;
    ledger.merge_segments()?;
    // The shard1 job runs again and writes other bytes.
    let a = write(tmp.path(), "shard1.bin", b"shard one, again")?;
    let raw = tmp.path().join("raw.txt");
    job(&ledger_dir, "b-shard1", "ingest", &[&raw], &[&a])?;
    let report = ledger.merge_segments()?;
    assert_eq!(report.merged, [("b-shard1".to_owned(), 1)]);
    assert_eq!(ledger.records()?.len(), 4);
    // The gather job's output is still the recorded bytes; its input shard1.bin is now
    // recorded by the re-run, so verify checks that file against the latest record.
    let verify = ledger.verify()?;
    assert!(verify.is_ok(), "{verify}");
    Ok(())
}

#[test]
fn eight_concurrent_jobs_each_with_a_segment_merge_into_one_log() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().to_path_buf();
    let ledger_dir = out.join("ledger");
    std::thread::scope(|scope| -> TestResult {
        let handles: Vec<_> = (0..8)
            .map(|job_no| {
                let (out, ledger_dir) = (out.clone(), ledger_dir.clone());
                scope.spawn(move || -> Result<(), String> {
                    let segment = Ledger::open(&ledger_dir)
                        .and_then(|l| l.open_segment(&format!("job{job_no}")))
                        .map_err(|e| e.to_string())?;
                    for n in 0..50 {
                        let path = out.join(format!("job{job_no}-{n}.txt"));
                        fs::write(&path, format!("{job_no} {n}")).map_err(|e| e.to_string())?;
                        segment
                            .append(NewRecord::new("qc", "0.1.0", runtime()).output(&path))
                            .map_err(|e| e.to_string())?;
                    }
                    segment.seal().map_err(|e| e.to_string())
                })
            })
            .collect();
        for handle in handles {
            handle.join().map_err(|_| "a job panicked")??;
        }
        Ok(())
    })?;
    let ledger = Ledger::open(&ledger_dir)?;
    let report = ledger.merge_segments()?;
    assert_eq!(report.merged.len(), 8);
    let records = ledger.records()?;
    assert_eq!(records.len(), 400);
    // Fixed order: by segment name, each segment's records in its own order.
    let first = records[0].segment.as_ref().ok_or("origin")?;
    let last = records[399].segment.as_ref().ok_or("origin")?;
    assert_eq!((first.name.as_str(), first.seq), ("job0", 1));
    assert_eq!((last.name.as_str(), last.seq), ("job7", 50));
    let verify = ledger.verify()?;
    assert!(verify.is_ok(), "{verify}");
    Ok(())
}

#[test]
fn an_unmerged_earlier_run_is_kept_aside_and_merged_before_its_successor() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let ledger_dir = scattered_run(tmp.path())?;
    // shard1 runs again (other bytes) before anything was merged.
    let a = write(tmp.path(), "shard1.bin", b"shard one, second run")?;
    let raw = tmp.path().join("raw.txt");
    job(&ledger_dir, "b-shard1", "ingest", &[&raw], &[&a])?;
    assert!(ledger_dir
        .join("segments/b-shard1.replaced-1/sealed")
        .exists());
    let ledger = Ledger::open(&ledger_dir)?;
    let report = ledger.merge_segments()?;
    let order: Vec<&str> = report.merged.iter().map(|(n, _)| n.as_str()).collect();
    // The earlier run first, so the latest record of shard1.bin is the second run's.
    assert_eq!(
        order,
        ["b-shard1.replaced-1", "b-shard1", "c-shard2", "a-gather"]
    );
    // The gather job read the first run's bytes of shard1.bin and was not re-run: verify
    // says so (its input no longer has those bytes).
    let verify = ledger.verify()?;
    assert_eq!(verify.problems.len(), 1, "{verify}");
    assert!(
        verify.problems[0]
            .to_string()
            .starts_with("artifact shard1.bin (record 4): bytes changed"),
        "{verify}"
    );
    // Re-running the gather job on the new shard brings the log back to verifying.
    let b = tmp.path().join("shard2.bin");
    let c = write(
        tmp.path(),
        "merged.bin",
        b"shard one, second run, shard two",
    )?;
    job(&ledger_dir, "a-gather", "merge", &[&a, &b], &[&c])?;
    ledger.merge_segments()?;
    let verify = ledger.verify()?;
    assert!(verify.is_ok(), "{verify}");
    let records = ledger.records()?;
    let last = records.last().ok_or("records")?;
    // Its input is now produced by the second shard1 run (record 2).
    assert_eq!(last.inputs[0].produced_by, Some(2));
    Ok(())
}

#[test]
fn a_directory_artifact_is_recorded_by_its_manifest_and_changes_are_caught() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("out");
    let shards = out.join("shards");
    fs::create_dir_all(shards.join("1"))?;
    fs::write(shards.join("1/calls.parquet"), b"calls")?;
    let ledger = Ledger::open(out.join("ledger"))?;
    let record = ledger.append(NewRecord::new("ingest", "0.1.0", runtime()).output(&shards))?;
    assert_eq!(record.outputs[0].path, "shards");
    assert_eq!(record.outputs[0].size, 5);
    assert!(ledger.verify()?.is_ok());
    // A file added to the directory is a changed artifact.
    fs::write(shards.join("1/extra.txt"), b"")?;
    let report = ledger.verify()?;
    assert!(
        report
            .to_string()
            .contains("artifact shards (record 1): bytes changed"),
        "{report}"
    );
    Ok(())
}
