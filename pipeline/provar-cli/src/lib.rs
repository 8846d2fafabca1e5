//! The `provar` command line. Each subcommand turns its flags into a stage's plain config,
//! calls the stage crate, commits its outputs atomically and appends one ledger record. No
//! analysis happens here.

mod cli;
mod commands;
mod hints;
mod recorder;

pub use cli::{Cli, Command};

use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory as _;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Exit 0.
    Success,
    /// Exit 1: a check ran and failed (e.g. `ledger verify` found tampering).
    Failure,
    /// Exit 2: bad usage, bad input or an I/O failure.
    Error,
}

impl ExitStatus {
    /// The status for an error: 1 when a ledger check failed, else 2.
    pub fn from_error(error: &anyhow::Error) -> Self {
        let check_failed = error.chain().any(|e| {
            matches!(
                e.downcast_ref::<provar_ledger::Error>(),
                Some(provar_ledger::Error::InputChanged { .. })
            ) || e.downcast_ref::<recorder::VerifyFailed>().is_some()
        });
        if check_failed {
            Self::Failure
        } else {
            Self::Error
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// Prints `provar: error: ...` and one `caused by:` line per cause to stderr.
pub fn report(error: &anyhow::Error) {
    eprintln!("provar: error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    if let Some(hint) = hints::hint(error) {
        eprintln!("  hint: {hint}");
    }
}

/// Writes generated text (completions, man page) to standard output.
fn write_stdout(bytes: &[u8]) -> anyhow::Result<ExitStatus> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("writing to standard output")?;
    Ok(ExitStatus::Success)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    let threads = cli.global.threads.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    // A global pool sized by --threads; stages use it through rayon.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
    let context = commands::Context {
        threads,
        quiet: cli.global.quiet,
    };
    match cli.command {
        Command::Ingest(args) => commands::ingest::run(&context, &args),
        Command::Merge(args) => commands::merge::run(&context, &args),
        Command::Qc(args) => commands::qc::run(&context, &args),
        Command::Cluster(args) => commands::cluster::run(&context, &args),
        Command::Annotate(args) => commands::annotate::run(&context, &args),
        Command::Report(args) => commands::report::run(&context, &args),
        Command::Ledger(args) => commands::ledger::run(&context, &args),
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "provar", &mut out);
            write_stdout(&out)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .context("rendering the man page")?;
            write_stdout(&out)
        }
        Command::Run(args) => commands::run::run(&context, &args),
    }
}
