//! One module per subcommand.

pub(crate) mod annotate;
pub(crate) mod burden;
pub(crate) mod cluster;
pub(crate) mod denovo;
pub(crate) mod ingest;
pub(crate) mod ledger;
pub(crate) mod merge;
pub(crate) mod qc;
pub(crate) mod rare;
pub(crate) mod reads;
pub(crate) mod report;
pub(crate) mod run;

use std::path::Path;

use anyhow::Context as _;

/// Settings every command sees.
pub(crate) struct Context {
    /// Worker threads (the global rayon pool has this many).
    pub(crate) threads: usize,
    /// Suppress progress messages.
    pub(crate) quiet: bool,
    /// What the command said and wrote, for `--json`.
    pub(crate) summary: std::cell::RefCell<Summary>,
}

/// What a command reported, collected for `--json`.
#[derive(Default)]
pub(crate) struct Summary {
    /// Every progress message, in order.
    pub(crate) messages: Vec<String>,
    /// Every artifact the command committed, in order.
    pub(crate) outputs: Vec<std::path::PathBuf>,
}

impl Context {
    /// A context for `threads` workers.
    pub(crate) fn new(threads: usize, quiet: bool) -> Self {
        Context {
            threads,
            quiet,
            summary: Default::default(),
        }
    }

    /// Prints a progress message to stderr unless `--quiet` (and keeps it for `--json`).
    pub(crate) fn say(&self, message: std::fmt::Arguments<'_>) {
        let text = message.to_string();
        tracing::debug!(target: "provar", message = %text);
        if !self.quiet {
            eprintln!("provar: {text}");
        }
        self.summary.borrow_mut().messages.push(text);
    }

    /// Notes artifacts the command committed (for `--json`).
    pub(crate) fn wrote(&self, outputs: &[std::path::PathBuf]) {
        self.summary
            .borrow_mut()
            .outputs
            .extend(outputs.iter().cloned());
    }
}

/// Creates the output directory; returns whether it was created (so a failed run can remove
/// it again when it stayed empty).
pub(crate) fn prepare_out_dir(dir: &Path) -> anyhow::Result<bool> {
    if dir.is_dir() {
        return Ok(false);
    }
    fs_err::create_dir_all(dir).context("creating the output directory")?;
    Ok(true)
}

/// Runs `f` in a freshly prepared output directory, removing the directory again if it was
/// created here, `f` failed and nothing is left in it.
pub(crate) fn in_out_dir<T>(
    dir: &Path,
    f: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let created = prepare_out_dir(dir)?;
    let result = f();
    if result.is_err() && created {
        let _ = std::fs::remove_dir(dir);
    }
    result
}
