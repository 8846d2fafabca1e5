//! `provar ledger`.

use std::path::Path;

use anyhow::Context as _;
use provar_ledger::Ledger;

use crate::{
    cli::{LedgerArgs, LedgerCommand},
    recorder::VerifyFailed,
    ExitStatus,
};

use super::Context;

/// Verifies the ledger in `dir`; prints every problem to stderr. Returns the report.
pub(crate) fn verify(context: &Context, dir: &Path) -> anyhow::Result<provar_ledger::VerifyReport> {
    let ledger =
        Ledger::open_existing(dir).with_context(|| format!("opening ledger {}", dir.display()))?;
    let report = ledger
        .verify()
        .with_context(|| format!("verifying ledger {}", dir.display()))?;
    for problem in &report.problems {
        eprintln!("provar: ledger {}: {problem}", dir.display());
    }
    if report.is_ok() {
        context.say(format_args!(
            "ledger: {} records, {} artifacts verified: ok",
            report.records, report.artifacts
        ));
    }
    Ok(report)
}

pub(crate) fn run(context: &Context, args: &LedgerArgs) -> anyhow::Result<ExitStatus> {
    match &args.command {
        LedgerCommand::Verify { ledger } => {
            let report = verify(context, ledger)?;
            if report.is_ok() {
                Ok(ExitStatus::Success)
            } else {
                Err(VerifyFailed {
                    dir: ledger.clone(),
                    problems: report.problems.len(),
                }
                .into())
            }
        }
    }
}
