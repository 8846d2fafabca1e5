//! Concurrency and crash safety: concurrent writers wait for each other, and a writer
//! killed at any moment leaves a log that verifies, or that `repair` restores losing only
//! the torn record.

use std::error::Error as StdError;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

use provar_ledger::{Ledger, NewRecord, Runtime, RECORDS_FILE};

type TestResult = Result<(), Box<dyn StdError>>;

/// Set (to a ledger directory) in the child process of the kill test.
const CHILD_ENV: &str = "PROVAR_LEDGER_KILL_TEST_DIR";

fn runtime() -> Runtime {
    Runtime {
        started_at: UNIX_EPOCH + Duration::from_secs(1_795_537_282),
        finished_at: UNIX_EPOCH + Duration::from_secs(1_795_537_290),
        threads: 1,
    }
}

/// A temporary directory in memory where there is one (`/dev/shm`): every append fsyncs
/// three times, which costs milliseconds on a disk and measures the disk, not the ledger.
/// Locking and kill safety do not depend on the file system.
fn fast_tempdir() -> std::io::Result<tempfile::TempDir> {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::tempdir_in(shm) {
            return Ok(dir);
        }
    }
    tempfile::tempdir()
}

#[test]
fn eight_concurrent_writers_append_500_records_each() -> TestResult {
    const WRITERS: usize = 8;
    const EACH: usize = 500;
    let tmp = fast_tempdir()?;
    let dir = tmp.path().join("ledger");
    Ledger::open(&dir)?;
    let started = Instant::now();
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || -> Result<(), provar_ledger::Error> {
                // Each writer opens its own handle, as separate processes would.
                let ledger = Ledger::open(&dir)?;
                for i in 0..EACH {
                    ledger.append(
                        NewRecord::new("concurrent", "0.1.0", runtime())
                            .parameter("writer", w)
                            .parameter("i", i),
                    )?;
                }
                Ok(())
            })
        })
        .collect();
    for handle in handles {
        handle.join().map_err(|_| "writer panicked")??;
    }
    let elapsed = started.elapsed();
    let ledger = Ledger::open_existing(&dir)?;
    let report = ledger.verify()?;
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records, WRITERS * EACH);
    // Every writer's records are all there, each in order.
    let records = ledger.records()?;
    for w in 0..WRITERS {
        let mine: Vec<u64> = records
            .iter()
            .filter(|r| r.parameters["writer"] == w)
            .map(|r| r.parameters["i"].as_u64().unwrap_or(u64::MAX))
            .collect();
        assert_eq!(mine, (0..EACH as u64).collect::<Vec<_>>(), "writer {w}");
    }
    eprintln!(
        "{} appends by {WRITERS} writers in {elapsed:.2?} ({:.0} records/s)",
        WRITERS * EACH,
        (WRITERS * EACH) as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

/// Set (to `DIR:WRITER:COUNT`) in the child processes of the multi-process test.
const WRITER_ENV: &str = "PROVAR_LEDGER_WRITER";

/// A child process of `eight_processes_append_concurrently`.
#[test]
#[ignore = "helper process for eight_processes_append_concurrently"]
fn writer_process_appends() -> TestResult {
    let Some(spec) = std::env::var_os(WRITER_ENV) else {
        return Ok(());
    };
    let spec = spec.to_str().ok_or("utf-8 spec")?.to_owned();
    let mut parts = spec.rsplitn(3, ':');
    let (Some(count), Some(writer), Some(dir)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("spec is DIR:WRITER:COUNT".into());
    };
    let ledger = Ledger::open(dir)?;
    for i in 0..count.parse::<u64>()? {
        ledger.append(
            NewRecord::new("process", "0.1.0", runtime())
                .parameter("writer", writer.parse::<u64>()?)
                .parameter("i", i),
        )?;
    }
    Ok(())
}

#[test]
fn eight_processes_append_concurrently() -> TestResult {
    const WRITERS: u64 = 8;
    const EACH: u64 = 200;
    let tmp = fast_tempdir()?;
    let dir = tmp.path().join("ledger");
    let ledger = Ledger::open(&dir)?;
    let exe = std::env::current_exe()?;
    let children = (0..WRITERS)
        .map(|w| {
            Command::new(&exe)
                .args([
                    "writer_process_appends",
                    "--exact",
                    "--ignored",
                    "--test-threads=1",
                ])
                .env(WRITER_ENV, format!("{}:{w}:{EACH}", dir.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
        })
        .collect::<Result<Vec<_>, _>>()?;
    for mut child in children {
        assert!(child.wait()?.success(), "a writer process failed");
    }
    let report = ledger.verify()?;
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.records as u64, WRITERS * EACH);
    let records = ledger.records()?;
    for w in 0..WRITERS {
        let mine: Vec<u64> = records
            .iter()
            .filter(|r| r.parameters["writer"] == w)
            .map(|r| r.parameters["i"].as_u64().unwrap_or(u64::MAX))
            .collect();
        assert_eq!(mine, (0..EACH).collect::<Vec<_>>(), "writer {w}");
    }
    Ok(())
}

/// The child process of the kill test: appends records until killed (or 20 s pass).
#[test]
#[ignore = "helper process for killed_writers_lose_at_most_the_torn_record"]
fn kill_test_child_appends_until_killed() -> TestResult {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return Ok(());
    };
    let ledger = Ledger::open(&dir)?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut i = 0_u64;
    while Instant::now() < deadline {
        ledger.append(
            NewRecord::new("kill-test", "0.1.0", runtime())
                .parameter("pid", std::process::id())
                .parameter("i", i),
        )?;
        i += 1;
    }
    Ok(())
}

/// xorshift64*: a fixed-seed source of kill delays, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn records_bytes(dir: &Path) -> Vec<u8> {
    fs::read(dir.join(RECORDS_FILE)).unwrap_or_default()
}

#[test]
fn killed_writers_lose_at_most_the_torn_record() -> TestResult {
    const ROUNDS: usize = 100;
    let tmp = fast_tempdir()?;
    let dir = tmp.path().join("ledger");
    let ledger = Ledger::open(&dir)?;
    let exe = std::env::current_exe()?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut clean, mut repaired) = (0, 0);
    for round in 0..ROUNDS {
        let before = records_bytes(&dir);
        let mut child = Command::new(&exe)
            .args([
                "kill_test_child_appends_until_killed",
                "--exact",
                "--ignored",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        // Wait until the child is appending (its start-up time varies with load), then
        // kill it at a random moment.
        let waiting = Instant::now();
        while fs::metadata(dir.join(RECORDS_FILE)).map_or(0, |m| m.len()) <= before.len() as u64
            && waiting.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_micros(500));
        }
        std::thread::sleep(Duration::from_micros(rng.next() % 3_000));
        child.kill()?; // SIGKILL on Unix
        let status = child.wait()?;
        assert!(
            !status.success(),
            "round {round}: the child was killed, not finished"
        );

        let report = ledger.verify()?;
        if report.is_ok() {
            clean += 1;
        } else {
            let repair = ledger.repair("test")?.ok_or_else(|| {
                format!("round {round}: verify failed but nothing to repair: {report}")
            })?;
            let after = ledger.verify()?;
            assert!(
                after.is_ok(),
                "round {round}: repaired log does not verify: {after}"
            );
            let records = ledger.records()?;
            let last = records.last().ok_or("a repair record")?;
            assert_eq!(last.stage, "repair");
            assert_eq!(
                last.parameters["dropped_bytes"],
                serde_json::Value::from(repair.dropped_bytes)
            );
            repaired += 1;
        }
        // Everything committed before this round is still there, byte for byte.
        let after = records_bytes(&dir);
        assert!(
            after.starts_with(&before),
            "round {round}: earlier records changed"
        );
    }
    let records = ledger.records()?.len();
    eprintln!(
        "{ROUNDS} kills: {clean} left a verifying log, {repaired} needed repair; {records} records"
    );
    assert!(records > ROUNDS, "the children appended records");
    Ok(())
}

#[test]
fn torn_tails_at_every_offset_are_repaired() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ledger");
    let ledger = Ledger::open(&dir)?;
    for i in 0..3 {
        ledger.append(NewRecord::new("s", "0.1.0", runtime()).parameter("i", i))?;
    }
    let committed = records_bytes(&dir);
    let checkpoint = fs::read(dir.join("checkpoint"))?;
    // A fourth record as the writer would have appended it.
    ledger.append(NewRecord::new("s", "0.1.0", runtime()).parameter("i", 3))?;
    let full = records_bytes(&dir);
    let fourth = &full[committed.len()..];
    for cut in 1..=fourth.len() {
        fs::write(
            dir.join(RECORDS_FILE),
            [&committed[..], &fourth[..cut]].concat(),
        )?;
        fs::write(dir.join("checkpoint"), &checkpoint)?;
        assert!(!ledger.verify()?.is_ok(), "cut {cut}: torn tail detected");
        let repair = ledger.repair("test")?.ok_or("something to repair")?;
        assert_eq!(repair.dropped_bytes, cut as u64);
        assert_eq!(repair.kept_records, 3);
        let report = ledger.verify()?;
        assert!(report.is_ok(), "cut {cut}: {report}");
        assert!(records_bytes(&dir).starts_with(&committed));
        assert_eq!(report.records, 4);
    }
    Ok(())
}
