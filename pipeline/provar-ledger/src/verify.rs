//! Whole-ledger verification.

use std::collections::BTreeMap;
use std::fmt;
use std::io::ErrorKind;

use crate::ledger::{tip, HeadState};
use crate::record::{canonical_json, parse_json, record_from_value};
use crate::{hash_bytes, hash_file, Artifact, Digest, Error, Ledger};

/// The outcome of [`Ledger::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Number of lines in `records.jsonl`.
    pub records: usize,
    /// Number of distinct artifact paths checked.
    pub artifacts: usize,
    /// Everything found wrong, in file order, then head, then artifacts by path.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// True when no problem was found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    /// One summary line, then one line per problem.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_ok() {
            write!(
                f,
                "ledger ok: {} records, {} artifacts verified",
                self.records, self.artifacts
            )
        } else {
            write!(
                f,
                "ledger has {} problem(s) ({} records, {} artifacts checked):",
                self.problems.len(),
                self.records,
                self.artifacts
            )?;
            for problem in &self.problems {
                write!(f, "\n  {problem}")?;
            }
            Ok(())
        }
    }
}

/// One thing [`Ledger::verify`] found wrong. `Display` gives a lowercase
/// message naming the record (seq and line) or the file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The line does not parse as JSON.
    InvalidJson {
        /// 1-based line number.
        line: usize,
        /// Parser message.
        reason: String,
    },
    /// The line parses but is not byte-identical to its canonical form.
    NotCanonical {
        /// 1-based line number.
        line: usize,
    },
    /// The line is JSON but not a valid schema-1 record.
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The last line of `records.jsonl` lacks its newline.
    Unterminated {
        /// 1-based line number.
        line: usize,
    },
    /// `seq` differs from the line number.
    SeqMismatch {
        /// 1-based line number.
        line: usize,
        /// The seq stored in the record.
        seq: u64,
    },
    /// `prev` differs from the digest of the previous line (or from zeros on line 1).
    ChainBroken {
        /// 1-based line number.
        line: usize,
        /// The seq stored in the record.
        seq: u64,
        /// Seq of the record on the previous line, if it parsed.
        previous_seq: Option<u64>,
    },
    /// `HEAD` is missing although there are records.
    HeadMissing {
        /// Lines in `records.jsonl`.
        found_count: u64,
        /// Digest of the last line.
        found_digest: Digest,
    },
    /// `HEAD` exists but is not a valid head.
    HeadInvalid {
        /// Parser message.
        reason: String,
    },
    /// `HEAD` disagrees with the records file.
    HeadMismatch {
        /// Record count stored in `HEAD`.
        expected_count: u64,
        /// Last-record digest stored in `HEAD`.
        expected_digest: Digest,
        /// Lines in `records.jsonl`.
        found_count: u64,
        /// Digest of the last line ([`Digest::ZERO`] if none).
        found_digest: Digest,
    },
    /// A recorded artifact no longer exists.
    ArtifactMissing {
        /// The path as recorded.
        path: String,
        /// The latest record mentioning it.
        seq: u64,
    },
    /// A recorded artifact exists but could not be read.
    ArtifactUnreadable {
        /// The path as recorded.
        path: String,
        /// The latest record mentioning it.
        seq: u64,
        /// The I/O error.
        reason: String,
    },
    /// A recorded artifact's bytes differ from the ledger.
    ArtifactChanged {
        /// The path as recorded.
        path: String,
        /// The latest record mentioning it.
        seq: u64,
        /// Digest in the ledger.
        expected: Digest,
        /// Size in the ledger.
        expected_size: u64,
        /// Digest of the file now.
        found: Digest,
        /// Size of the file now.
        found_size: u64,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::InvalidJson { line, reason } => {
                write!(f, "record at line {line} is not valid JSON: {reason}")
            }
            Problem::NotCanonical { line } => {
                write!(f, "record at line {line} was edited: not canonical JSON")
            }
            Problem::Malformed { line, reason } => {
                write!(f, "record at line {line} is not a valid ledger record: {reason}")
            }
            Problem::Unterminated { line } => write!(
                f,
                "record at line {line} is not newline-terminated (the file was truncated or appended to outside provar)"
            ),
            Problem::SeqMismatch { line, seq } => write!(
                f,
                "record at line {line} has seq {seq}, expected {line} (a record was removed or reordered)"
            ),
            Problem::ChainBroken { line, seq, previous_seq } => {
                write!(f, "record {seq} (line {line}): chain broken: ")?;
                match (line, previous_seq) {
                    (1, _) => write!(
                        f,
                        "prev is not 64 zeros although this is the first line (a record before it was removed or reordered)"
                    ),
                    (_, Some(prev)) => write!(
                        f,
                        "prev does not match the digest of record {prev} (line {}) (a record before it was edited, removed or reordered)",
                        line - 1
                    ),
                    (_, None) => write!(
                        f,
                        "prev does not match the digest of the record at line {} (a record before it was edited, removed or reordered)",
                        line - 1
                    ),
                }
            }
            Problem::HeadMissing { found_count, found_digest } => write!(
                f,
                "ledger head is missing, found {found_count} records ending in {found_digest} (HEAD was deleted, or records were written outside provar)"
            ),
            Problem::HeadInvalid { reason } => write!(f, "ledger head is not valid: {reason}"),
            Problem::HeadMismatch { expected_count, expected_digest, found_count, found_digest } => write!(
                f,
                "ledger head expects {expected_count} records ending in {expected_digest}, found {found_count} records ending in {found_digest} (the last record was edited or removed, or records were appended outside provar)"
            ),
            Problem::ArtifactMissing { path, seq } => write!(f, "artifact {path} (record {seq}): missing"),
            Problem::ArtifactUnreadable { path, seq, reason } => {
                write!(f, "artifact {path} (record {seq}): cannot be read: {reason}")
            }
            Problem::ArtifactChanged { path, seq, expected, expected_size, found, found_size } => write!(
                f,
                "artifact {path} (record {seq}): bytes changed: ledger has blake3 {expected}, size {expected_size}; file has {found}, size {found_size}"
            ),
        }
    }
}

impl Ledger {
    /// Checks the whole ledger: every line canonical and well-formed, seq equal
    /// to the line number, each `prev` equal to the digest of the line before,
    /// `HEAD` matching the count and last line, and every artifact path (taken
    /// from the latest record mentioning it, inputs and outputs alike) still
    /// having the recorded bytes. Each distinct file is hashed once.
    ///
    /// Problems are collected into the report; `Err` is only for I/O failures
    /// that prevent verifying at all (ledger directory or records file unreadable).
    pub fn verify(&self) -> Result<VerifyReport, Error> {
        std::fs::metadata(self.dir()).map_err(Error::io(self.dir()))?;
        let lines = self.read_lines()?;
        let line_list = lines.lines();
        let mut problems = Vec::new();
        let mut records = Vec::new();
        let mut prev_digest = Digest::ZERO;
        let mut prev_seq = None;

        for (index, raw) in line_list.iter().enumerate() {
            let line = index + 1;
            let this_seq = match parse_json(raw) {
                Err(reason) => {
                    problems.push(Problem::InvalidJson { line, reason });
                    None
                }
                Ok(value) => {
                    if canonical_json(&value).as_bytes() != *raw {
                        problems.push(Problem::NotCanonical { line });
                    }
                    match record_from_value(line, value, raw) {
                        Err(reason) => {
                            problems.push(Problem::Malformed { line, reason });
                            None
                        }
                        Ok(record) => {
                            let seq = record.seq;
                            if usize::try_from(seq).ok() != Some(line) {
                                problems.push(Problem::SeqMismatch { line, seq });
                            }
                            if record.prev != prev_digest {
                                problems.push(Problem::ChainBroken {
                                    line,
                                    seq,
                                    previous_seq: prev_seq,
                                });
                            }
                            records.push(record);
                            Some(seq)
                        }
                    }
                }
            };
            prev_seq = this_seq;
            prev_digest = hash_bytes(raw);
        }
        if !lines.terminated() {
            problems.push(Problem::Unterminated {
                line: line_list.len(),
            });
        }

        let (found_count, found_digest) = tip(&line_list);
        match self.read_head()? {
            HeadState::Missing if found_count == 0 => {}
            HeadState::Missing => problems.push(Problem::HeadMissing {
                found_count,
                found_digest,
            }),
            HeadState::Invalid(reason) => problems.push(Problem::HeadInvalid { reason }),
            HeadState::Present(head)
                if head.count == found_count && head.digest == found_digest => {}
            HeadState::Present(head) => problems.push(Problem::HeadMismatch {
                expected_count: head.count,
                expected_digest: head.digest,
                found_count,
                found_digest,
            }),
        }

        // Latest mention wins; within a record, outputs come after inputs.
        let mut latest: BTreeMap<&str, (u64, &Artifact)> = BTreeMap::new();
        for record in &records {
            for artifact in record.inputs.iter().chain(&record.outputs) {
                latest.insert(&artifact.path, (record.seq, artifact));
            }
        }
        for (&path, &(seq, artifact)) in &latest {
            let file = self.resolve(path);
            match hash_file(&file) {
                Ok((size, digest)) if size == artifact.size && digest == artifact.blake3 => {}
                Ok((found_size, found)) => problems.push(Problem::ArtifactChanged {
                    path: path.to_owned(),
                    seq,
                    expected: artifact.blake3,
                    expected_size: artifact.size,
                    found,
                    found_size,
                }),
                Err(Error::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                    problems.push(Problem::ArtifactMissing {
                        path: path.to_owned(),
                        seq,
                    });
                }
                Err(e) => problems.push(Problem::ArtifactUnreadable {
                    path: path.to_owned(),
                    seq,
                    reason: e.to_string(),
                }),
            }
        }

        Ok(VerifyReport {
            records: line_list.len(),
            artifacts: latest.len(),
            problems,
        })
    }
}
