//! `provar-ledger-bench`: appends N records to a fresh ledger (each naming one small output
//! file, as a stage's record does), then verifies the whole log, and prints records per
//! second for both. Every append is durable (fsync of the records file and of the
//! checkpoint), as in real runs.

use std::{path::PathBuf, process::ExitCode, time::Instant};

use clap::Parser;
use provar_ledger::{Ledger, NewRecord, Runtime};

/// Time ledger appends and a full verify.
#[derive(Debug, Parser)]
#[command(name = "provar-ledger-bench", version)]
struct Args {
    /// Records to append.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Directory to create the ledger in (default: a new temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[allow(clippy::print_stdout)]
fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile_dir(args.dir.clone())?;
    let out = tmp.join("out");
    std::fs::create_dir_all(&out)?;
    let ledger = Ledger::open(out.join("ledger"))?;
    let artifact = out.join("artifact.txt");
    let started = Instant::now();
    for n in 0..args.records {
        std::fs::write(&artifact, n.to_string())?;
        let now = std::time::SystemTime::now();
        let runtime = Runtime {
            started_at: now,
            finished_at: now,
            threads: 1,
        };
        ledger.append(
            NewRecord::new("bench", env!("CARGO_PKG_VERSION"), runtime)
                .parameter("n", n)
                .output(&artifact),
        )?;
    }
    let append = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let report = ledger.verify()?;
    let verify = started.elapsed().as_secs_f64();
    if !report.is_ok() {
        return Err(format!("verify failed: {report}").into());
    }
    let n = args.records as f64;
    println!("records\t{}", args.records);
    println!(
        "append_seconds\t{append:.3}\tappend_records_per_second\t{:.0}",
        n / append
    );
    println!(
        "verify_seconds\t{verify:.3}\tverify_records_per_second\t{:.0}",
        n / verify
    );
    println!(
        "records_file_bytes\t{}",
        std::fs::metadata(out.join("ledger/records.jsonl"))?.len()
    );
    std::fs::remove_dir_all(&tmp)?;
    Ok(())
}

/// A fresh directory under `base` (or the system temporary directory).
fn tempfile_dir(base: Option<PathBuf>) -> std::io::Result<PathBuf> {
    let base = base.unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("provar-ledger-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("provar-ledger-bench: error: {error}");
            ExitCode::from(2)
        }
    }
}
