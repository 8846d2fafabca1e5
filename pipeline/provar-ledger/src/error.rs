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
    /// The last line of `records.jsonl` has no newline: a writer died mid-append.
    #[error("torn record at the end of {} (line {line} has no newline): a writer was killed mid-append; run `provar ledger repair`", .path.display())]
    TornTail {
        /// The records file.
        path: PathBuf,
        /// 1-based number of the torn line.
        line: usize,
    },
    /// The operation needs at least one record.
    #[error("ledger {} has no records", .path.display())]
    Empty {
        /// The records file.
        path: PathBuf,
    },
    /// The `checkpoint` file (or a checkpoint given by the user) cannot be parsed.
    #[error("invalid checkpoint {}: {reason}", .path.display())]
    InvalidCheckpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// `repair` found something other than a torn tail.
    #[error("cannot repair {}: {reason}", .path.display())]
    RepairRefused {
        /// The records file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// No record lists this file among its outputs.
    #[error("{} was not produced by any record of the ledger", .path.display())]
    NotRecorded {
        /// The file, as given.
        path: PathBuf,
    },
    /// A proof was asked for sizes or records the ledger does not have.
    #[error("cannot prove from {}: {reason}", .path.display())]
    InvalidProofRequest {
        /// The records file.
        path: PathBuf,
        /// Why not.
        reason: String,
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
    /// The checkpoint (or a legacy `HEAD`) does not match `records.jsonl`, so appending
    /// would hide tampering.
    #[error("ledger head {} does not match the records: {reason} (run verify)", .path.display())]
    HeadMismatch {
        /// The `checkpoint` file.
        path: PathBuf,
        /// What does not match.
        reason: String,
    },
    /// The ledger is a sealed segment: its job ended, nothing more may be appended.
    #[error("ledger segment is sealed ({} exists): its job already ended; use another segment name for a new job", .path.display())]
    Sealed {
        /// The seal file.
        path: PathBuf,
    },
    /// A segment cannot be merged (unsealed, its seal not matching its records, or a
    /// record that does not verify).
    #[error("segment {}: {reason}", .path.display())]
    Segment {
        /// The segment directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An export cannot be written (an artifact changed since it was recorded).
    #[error("cannot export {}: {reason}", .path.display())]
    Export {
        /// The file concerned.
        path: PathBuf,
        /// Why not.
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
