//! The crate's single error type.

use std::path::PathBuf;

use crate::Digest;

/// Everything that can go wrong while reading, appending to or checking a ledger.
///
/// Messages are lowercase and name the file involved. Problems found *inside* a
/// ledger by [`Ledger::verify`](crate::Ledger::verify) are not errors; they are
/// reported as [`Problem`](crate::Problem)s.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O operation on `path` failed.
    #[error("i/o error on {}: {source}", .path.display())]
    Io {
        /// The file or directory that could not be read or written.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line of `records.jsonl` could not be parsed as a ledger record.
    #[error("invalid record in {} at line {line}: {reason}", .path.display())]
    InvalidRecord {
        /// The records file.
        path: PathBuf,
        /// 1-based line number in the records file.
        line: usize,
        /// Why the line is not a valid record.
        reason: String,
    },
    /// Another writer holds the ledger's lock file.
    ///
    /// If no other provar process is running, a previous one crashed while
    /// appending; delete the lock file to recover.
    #[error("ledger is locked by another writer: {}", .path.display())]
    Locked {
        /// The lock file (`<ledger dir>/lock`).
        path: PathBuf,
    },
    /// A stage input was produced by a ledger record but its bytes have changed since.
    #[error(
        "input {} changed since record {seq} produced it: ledger has blake3 {expected}, file has blake3 {found}",
        .path.display()
    )]
    InputChanged {
        /// The input file, as given by the caller.
        path: PathBuf,
        /// The latest record that listed this file among its outputs.
        seq: u64,
        /// The digest recorded by that record.
        expected: Digest,
        /// The file's current digest.
        found: Digest,
    },
    /// `HEAD` does not match `records.jsonl`, so appending would hide tampering.
    #[error("ledger head {} does not match the records: {reason} (run verify)", .path.display())]
    HeadMismatch {
        /// The `HEAD` file.
        path: PathBuf,
        /// What does not match.
        reason: String,
    },
    /// A path cannot be written into a record (for example, it is not valid UTF-8).
    #[error("path {} cannot be recorded in the ledger: {reason}", .path.display())]
    InvalidPath {
        /// The offending path.
        path: PathBuf,
        /// Why it cannot be recorded.
        reason: String,
    },
}

impl Error {
    /// Shorthand used with `map_err`: wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> Error + '_ {
        move |source| Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
