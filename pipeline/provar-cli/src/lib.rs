//! The `provar` command line. Each subcommand turns its flags into a stage's plain config,
//! calls the stage crate, commits its outputs atomically and appends one ledger record. No
//! analysis happens here.

mod cli;
mod commands;
mod hints;
mod progress;
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
    init_logging(cli.global.verbose, cli.global.quiet);
    let context = commands::Context::new(threads, cli.global.quiet);
    // Commands whose product is standard output (a proof, a lineage document, completions)
    // keep stdout for it: `--json` there means the command's own JSON, not a summary.
    let json = cli.global.json && !writes_stdout(&cli.command);
    let name = command_name(&cli.command);
    let started = std::time::Instant::now();
    tracing::info!(command = name, threads, "start");
    let mut result = dispatch(&context, cli.command);
    if matches!(result, Ok(ExitStatus::Success)) {
        // A job recording into a ledger segment seals it when it succeeded.
        if let Err(e) = recorder::seal_segment() {
            result = Err(e);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(command = name, seconds, ok = result.is_ok(), "end");
    if json {
        summary_json(name, &context, &result, seconds)?;
    }
    result
}

/// The subcommand's name (`ledger verify` for nested ones).
fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Ingest(_) => "ingest",
        Command::Merge(_) => "merge",
        Command::Qc(_) => "qc",
        Command::Cluster(_) => "cluster",
        Command::Annotate(_) => "annotate",
        Command::Report(_) => "report",
        Command::Rare(_) => "rare",
        Command::Burden(_) => "burden",
        Command::Denovo(_) => "denovo",
        Command::Sites(_) => "sites",
        Command::Coverage(_) => "coverage",
        Command::Ledger(_) => "ledger",
        Command::Completions(_) => "completions",
        Command::Man => "man",
        Command::Run(_) => "run",
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}

/// Whether the command's product goes to standard output, which the `--json` summary
/// must then not share.
fn writes_stdout(command: &Command) -> bool {
    use cli::LedgerCommand as L;
    match command {
        Command::Completions(_) | Command::Man => true,
        Command::Ledger(args) => match &args.command {
            L::Prove(_) | L::Lineage(_) | L::Diff(_) | L::Affected(_) => true,
            L::Export(export) => export.out.as_os_str() == "-",
            _ => false,
        },
        _ => false,
    }
}

/// `-v`/`-q`/`PROVAR_LOG` → a tracing subscriber on stderr (colour only on a terminal and
/// without NO_COLOR). Without -v only warnings show, so default output stays the stage's
/// own one-line messages.
fn init_logging(verbose: u8, quiet: bool) {
    use std::io::IsTerminal as _;
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PROVAR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false)
        .try_init();
}

/// Prints the `--json` summary of a finished command on stdout.
fn summary_json(
    name: &str,
    context: &commands::Context,
    result: &anyhow::Result<ExitStatus>,
    seconds: f64,
) -> anyhow::Result<()> {
    let summary = context.summary.borrow();
    let outputs: Vec<serde_json::Value> = summary
        .outputs
        .iter()
        .map(|path| {
            let (size, blake3) = match provar_ledger::hash_file(path) {
                Ok((size, digest)) => (Some(size), Some(digest.to_string())),
                Err(_) => (None, None),
            };
            serde_json::json!({"path": path, "size": size, "blake3": blake3})
        })
        .collect();
    let (status, exit, error) = match result {
        Ok(ExitStatus::Success) => ("ok", 0, None),
        Ok(ExitStatus::Failure) => ("check-failed", 1, None),
        Ok(ExitStatus::Error) => ("error", 2, None),
        Err(e) => {
            let s = ExitStatus::from_error(e);
            (
                if s == ExitStatus::Failure {
                    "check-failed"
                } else {
                    "error"
                },
                if s == ExitStatus::Failure { 1 } else { 2 },
                Some(format!("{e:#}")),
            )
        }
    };
    let value = serde_json::json!({
        "command": name,
        "version": cli::VERSION,
        "status": status,
        "exit": exit,
        "error": error,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "threads": context.threads,
        "messages": summary.messages,
        "outputs": outputs,
    });
    let mut line = serde_json::to_string(&value).context("encoding the --json summary")?;
    line.push('\n');
    write_stdout(line.as_bytes()).map(|_| ())
}

/// Runs one command.
fn dispatch(context: &commands::Context, command: Command) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Ingest(args) => commands::ingest::run(context, &args),
        Command::Merge(args) => commands::merge::run(context, &args),
        Command::Qc(args) => commands::qc::run(context, &args),
        Command::Cluster(args) => commands::cluster::run(context, &args),
        Command::Annotate(args) => commands::annotate::run(context, &args),
        Command::Report(args) => commands::report::run(context, &args),
        Command::Rare(args) => commands::rare::run(context, &args),
        Command::Burden(args) => commands::burden::run(context, &args),
        Command::Denovo(args) => commands::denovo::run(context, &args),
        Command::Sites(args) => commands::reads::sites(context, &args),
        Command::Coverage(args) => commands::reads::coverage(context, &args),
        Command::Ledger(args) => commands::ledger::run(context, &args),
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
        Command::Run(args) => commands::run::run(context, &args),
    }
}
