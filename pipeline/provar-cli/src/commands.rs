//! One module per subcommand.

pub(crate) mod annotate;
pub(crate) mod cluster;
pub(crate) mod ingest;
pub(crate) mod ledger;
pub(crate) mod merge;
pub(crate) mod qc;
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
}

impl Context {
    /// Prints a progress message to stderr unless `--quiet`.
    pub(crate) fn say(&self, message: std::fmt::Arguments<'_>) {
        if !self.quiet {
            eprintln!("provar: {message}");
        }
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
