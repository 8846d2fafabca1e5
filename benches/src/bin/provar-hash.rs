//! `provar-hash`: BLAKE3 of files through provar-ledger's `hash_file` (memory-mapped and
//! multithreaded above 1 MiB), printed like `b3sum`, for timing against it.

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;

/// Print the BLAKE3 digest of each file as `b3sum` does, hashing exactly as provar's ledger
/// does.
#[derive(Debug, Parser)]
#[command(name = "provar-hash", version)]
struct Args {
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Files to hash.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[allow(clippy::print_stdout)]
fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(threads) = args.threads {
        if let Err(error) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
        {
            eprintln!("provar-hash: error: {error}");
            return ExitCode::from(2);
        }
    }
    for file in &args.files {
        match provar_ledger::hash_file(file) {
            Ok((_, digest)) => println!("{digest}  {}", file.display()),
            Err(error) => {
                eprintln!("provar-hash: error: {error}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
