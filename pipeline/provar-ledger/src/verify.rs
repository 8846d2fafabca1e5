//! Whole-ledger verification.

use std::collections::BTreeMap;
use std::fmt;
use std::io::ErrorKind;

use crate::checkpoint::SignedCheckpoint;
use crate::ledger::{origin_for, tip, Anchor, LockGuard};
use crate::merkle::{hex, leaf_hash, Hash, RootBuilder};
use crate::note::{SignatureCheck, Verifier};
use crate::record::{canonical_json, parse_json, record_from_value};
use crate::{hash_bytes, hash_file, Artifact, Digest, Error, Ledger, CHECKPOINT_FILE};

/// What [`Ledger::verify_with`] checks beyond the records, the checkpoint and the artifacts.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Keys trusted to sign checkpoints. When set, the ledger's checkpoint (and every
    /// checkpoint in [`since`](Self::since)) must carry a valid signature by one of them,
    /// and no failing signature by any of them.
    pub trusted_keys: Option<Vec<Verifier>>,
    /// Earlier checkpoints the current log must extend (rollback and fork detection).
    pub since: Vec<EarlierCheckpoint>,
}

/// A checkpoint saved earlier, with the name to report it by (usually its path).
#[derive(Debug, Clone)]
pub struct EarlierCheckpoint {
    /// How messages name it.
    pub name: String,
    /// The checkpoint.
    pub checkpoint: SignedCheckpoint,
}

/// The outcome of [`Ledger::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Number of lines in `records.jsonl`.
    pub records: usize,
    /// Number of distinct artifact paths checked.
    pub artifacts: usize,
    /// Everything found wrong, in file order, then checkpoint, signatures and earlier
    /// checkpoints, then artifacts by path.
    pub problems: Vec<Problem>,
    /// Labels (`name+keyid`) of the trusted keys whose checkpoint signatures verified.
    pub signed_by: Vec<String>,
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
    /// A legacy `HEAD` (ledgers written before checkpoints) disagrees with the records file.
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
    /// There are records but no `checkpoint` (nor a legacy `HEAD`).
    CheckpointMissing {
        /// Lines in `records.jsonl`.
        found_size: u64,
    },
    /// `checkpoint` exists but does not parse.
    CheckpointInvalid {
        /// Parser message.
        reason: String,
    },
    /// The checkpoint's size or root disagrees with the records file.
    CheckpointMismatch {
        /// Tree size in the checkpoint.
        expected_size: u64,
        /// Root in the checkpoint.
        expected_root: Hash,
        /// Lines in `records.jsonl`.
        found_size: u64,
        /// Root computed over them.
        found_root: Hash,
    },
    /// A checkpoint's origin is not this ledger's.
    OriginMismatch {
        /// The checkpoint file.
        file: String,
        /// This ledger's origin.
        expected: String,
        /// The checkpoint's origin.
        found: String,
    },
    /// A signature by a trusted key does not verify.
    SignatureBad {
        /// The checkpoint file.
        file: String,
        /// `name+keyid` of the key.
        key: String,
    },
    /// No trusted key signed the checkpoint.
    SignatureUntrusted {
        /// The checkpoint file.
        file: String,
        /// `name+keyid` of the signatures present (empty: unsigned).
        found: Vec<String>,
    },
    /// An earlier checkpoint covers more records than the log has now.
    Rollback {
        /// The earlier checkpoint.
        file: String,
        /// Its tree size.
        earlier_size: u64,
        /// Records now.
        size: u64,
    },
    /// The log's first records no longer have an earlier checkpoint's root.
    Fork {
        /// The earlier checkpoint.
        file: String,
        /// Its tree size.
        earlier_size: u64,
        /// Its root.
        earlier_root: Hash,
        /// The root of the first `earlier_size` records now.
        found_root: Hash,
    },
    /// An input's `produced_by` names a record that is missing, is not earlier, or did
    /// not write those bytes.
    ProducerMissing {
        /// The record with the input.
        seq: u64,
        /// The input's path.
        path: String,
        /// The record it claims produced it.
        producer: u64,
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
    /// A segment whose job never sealed it (still running, or died).
    SegmentUnsealed {
        /// The segment's name.
        name: String,
        /// Complete records in it.
        records: usize,
    },
    /// A sealed segment not yet folded into the log (`provar ledger merge`).
    SegmentUnmerged {
        /// The segment's name.
        name: String,
    },
    /// A sealed segment whose records no longer match its seal, or do not chain.
    SegmentInvalid {
        /// The segment's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

/// Segment problems, kept apart so `Problem` stays one flat list for callers.
impl Problem {
    /// Whether this problem concerns a segment rather than the main log.
    pub fn is_segment(&self) -> bool {
        matches!(
            self,
            Problem::SegmentUnsealed { .. }
                | Problem::SegmentUnmerged { .. }
                | Problem::SegmentInvalid { .. }
        )
    }
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
            Problem::HeadMismatch { expected_count, expected_digest, found_count, found_digest } => write!(
                f,
                "ledger head expects {expected_count} records ending in {expected_digest}, found {found_count} records ending in {found_digest} (the last record was edited or removed, or records were appended outside provar)"
            ),
            Problem::CheckpointMissing { found_size } => write!(
                f,
                "ledger head ({CHECKPOINT_FILE}) is missing, found {found_size} records (it was deleted, or records were written outside provar)"
            ),
            Problem::CheckpointInvalid { reason } => {
                write!(f, "ledger head ({CHECKPOINT_FILE}) is not valid: {reason}")
            }
            Problem::CheckpointMismatch { expected_size, expected_root, found_size, found_root } => write!(
                f,
                "ledger head ({CHECKPOINT_FILE}) expects {expected_size} records with root {}, found {found_size} records with root {} (a record was edited or removed, or records were appended outside provar)",
                hex(expected_root),
                hex(found_root)
            ),
            Problem::OriginMismatch { file, expected, found } => write!(
                f,
                "checkpoint {file} is for log {found}, this ledger is {expected} (its first record changed, or it is another ledger)"
            ),
            Problem::SignatureBad { file, key } => write!(
                f,
                "checkpoint {file}: signature by trusted key {key} does not verify (the checkpoint was altered or forged)"
            ),
            Problem::SignatureUntrusted { file, found } if found.is_empty() => {
                write!(f, "checkpoint {file} is not signed by a trusted key: it is unsigned")
            }
            Problem::SignatureUntrusted { file, found } => write!(
                f,
                "checkpoint {file} is not signed by a trusted key: signed only by unknown key(s) {}",
                found.join(", ")
            ),
            Problem::Rollback { file, earlier_size, size } => write!(
                f,
                "log rolled back: checkpoint {file} has {earlier_size} records, the log now has {size} records"
            ),
            Problem::Fork { file, earlier_size, earlier_root, found_root } => write!(
                f,
                "log forked: checkpoint {file} has root {} for its {earlier_size} records, the log's first {earlier_size} records now have root {} (a record was edited, removed or reordered since)",
                hex(earlier_root),
                hex(found_root)
            ),
            Problem::ProducerMissing { seq, path, producer } => write!(
                f,
                "record {seq}: input {path} is produced_by record {producer}, but no earlier record {producer} wrote those bytes (a record was removed or edited)"
            ),
            Problem::SegmentUnsealed { name, records } => write!(
                f,
                "segment {name} is not sealed ({records} record(s)): its job is still running or died; re-run the job, or remove segments/{name} if it is abandoned"
            ),
            Problem::SegmentUnmerged { name } => write!(
                f,
                "segment {name} is sealed but not merged into the log: run `provar ledger merge`"
            ),
            Problem::SegmentInvalid { name, reason } => {
                write!(f, "segment {name} does not match its seal: {reason}")
            }
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
        self.verify_with(&VerifyOptions::default())
    }

    /// [`verify`](Self::verify), plus the checkpoint signature check against trusted keys
    /// and the consistency check against earlier checkpoints of `options`.
    ///
    /// The records are read under a shared lock, so an append in progress is waited for.
    pub fn verify_with(&self, options: &VerifyOptions) -> Result<VerifyReport, Error> {
        std::fs::metadata(self.dir()).map_err(Error::io(self.dir()))?;
        let lock = LockGuard::shared(self.dir());
        let lines = self.read_lines()?;
        let anchor = self.read_anchor()?;
        drop(lock);
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

        let mut tree = RootBuilder::default();
        let mut prefix_roots = std::collections::BTreeMap::new();
        for since in &options.since {
            prefix_roots.insert(since.checkpoint.checkpoint.size, None);
        }
        if let Some(slot) = prefix_roots.get_mut(&0) {
            *slot = Some(tree.root());
        }
        for line in &line_list {
            tree.push(leaf_hash(line));
            if let Some(slot) = prefix_roots.get_mut(&tree.size()) {
                *slot = Some(tree.root());
            }
        }
        let origin = line_list.first().map(|l| origin_for(l));
        let checkpoint_file = self.checkpoint_path().display().to_string();
        let (found_count, found_digest) = tip(&line_list);
        let mut signed_by = Vec::new();
        match anchor {
            Anchor::None if found_count == 0 => {}
            Anchor::None => problems.push(Problem::CheckpointMissing {
                found_size: found_count,
            }),
            Anchor::Invalid(reason) => problems.push(Problem::CheckpointInvalid { reason }),
            Anchor::Head(head) if head.count == found_count && head.digest == found_digest => {}
            Anchor::Head(head) => problems.push(Problem::HeadMismatch {
                expected_count: head.count,
                expected_digest: head.digest,
                found_count,
                found_digest,
            }),
            Anchor::Checkpoint(cp) => {
                let head = &cp.checkpoint;
                if head.size != tree.size() || head.root != tree.root() {
                    problems.push(Problem::CheckpointMismatch {
                        expected_size: head.size,
                        expected_root: head.root,
                        found_size: tree.size(),
                        found_root: tree.root(),
                    });
                }
                if let Some(origin) = &origin {
                    if head.origin != *origin {
                        problems.push(Problem::OriginMismatch {
                            file: checkpoint_file.clone(),
                            expected: origin.clone(),
                            found: head.origin.clone(),
                        });
                    }
                }
                if let Some(trusted) = &options.trusted_keys {
                    signature_problems(
                        &checkpoint_file,
                        &cp,
                        trusted,
                        &mut problems,
                        &mut signed_by,
                    );
                }
            }
        }
        for since in &options.since {
            let earlier = &since.checkpoint.checkpoint;
            if let Some(trusted) = &options.trusted_keys {
                signature_problems(
                    &since.name,
                    &since.checkpoint,
                    trusted,
                    &mut problems,
                    &mut Vec::new(),
                );
            }
            if let Some(origin) = &origin {
                if earlier.origin != *origin {
                    problems.push(Problem::OriginMismatch {
                        file: since.name.clone(),
                        expected: origin.clone(),
                        found: earlier.origin.clone(),
                    });
                    continue;
                }
            }
            match prefix_roots.get(&earlier.size).copied().flatten() {
                None => problems.push(Problem::Rollback {
                    file: since.name.clone(),
                    earlier_size: earlier.size,
                    size: tree.size(),
                }),
                Some(root) if root != earlier.root => problems.push(Problem::Fork {
                    file: since.name.clone(),
                    earlier_size: earlier.size,
                    earlier_root: earlier.root,
                    found_root: root,
                }),
                Some(_) => {}
            }
        }

        // Every `produced_by` must name an earlier record that wrote those bytes.
        let by_seq: BTreeMap<u64, &crate::Record> = records.iter().map(|r| (r.seq, r)).collect();
        for record in &records {
            for input in &record.inputs {
                let Some(producer) = input.produced_by else {
                    continue;
                };
                let found = producer < record.seq
                    && by_seq.get(&producer).is_some_and(|p| {
                        p.outputs
                            .iter()
                            .any(|o| o.path == input.path && o.blake3 == input.blake3)
                    });
                if !found {
                    problems.push(Problem::ProducerMissing {
                        seq: record.seq,
                        path: input.path.clone(),
                        producer,
                    });
                }
            }
        }

        // Segments: each sealed, consistent, and merged.
        let merged: std::collections::BTreeSet<(&str, &str)> = records
            .iter()
            .filter_map(|r| r.segment.as_ref())
            .map(|s| (s.name.as_str(), s.root.as_str()))
            .collect();
        for segment in self.segments()? {
            match segment.state {
                crate::SegmentState::Unsealed { records } => {
                    problems.push(Problem::SegmentUnsealed {
                        name: segment.name,
                        records,
                    });
                }
                crate::SegmentState::Invalid { reason } => {
                    problems.push(Problem::SegmentInvalid {
                        name: segment.name,
                        reason,
                    });
                }
                crate::SegmentState::Sealed { root, .. } => {
                    if !merged.contains(&(segment.name.as_str(), root.as_str())) {
                        problems.push(Problem::SegmentUnmerged { name: segment.name });
                    }
                }
            }
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
            signed_by,
        })
    }
}

fn signature_problems(
    file: &str,
    checkpoint: &SignedCheckpoint,
    trusted: &[Verifier],
    problems: &mut Vec<Problem>,
    signed_by: &mut Vec<String>,
) {
    match checkpoint.note.check(trusted) {
        SignatureCheck::Verified(keys) => signed_by.extend(keys),
        SignatureCheck::Bad(key) => problems.push(Problem::SignatureBad {
            file: file.to_owned(),
            key,
        }),
        SignatureCheck::NoTrustedSignature(found) => problems.push(Problem::SignatureUntrusted {
            file: file.to_owned(),
            found,
        }),
    }
}
