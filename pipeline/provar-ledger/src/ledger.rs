//! The ledger directory: reading, appending, checkpoints, repair, input checks.

use std::collections::HashMap;
use std::fs;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, SignedCheckpoint, ORIGIN_PREFIX};
use crate::merkle::{leaf_hash, Hash, RootBuilder};
use crate::note::Signer;
use crate::record::{build_line, parse_record, SegmentOrigin};
use crate::{hash_bytes, hash_file, Artifact, Digest, Error, NewRecord, Record};

/// Name of the records file inside the ledger directory.
pub const RECORDS_FILE: &str = "records.jsonl";
/// Name of the checkpoint file inside the ledger directory.
pub const CHECKPOINT_FILE: &str = "checkpoint";
/// Name of the head file of ledgers written before checkpoints existed. It is still
/// honoured when there is no checkpoint, and removed by the next append.
pub const HEAD_FILE: &str = "HEAD";
/// Name of the lock file inside the ledger directory.
pub const LOCK_FILE: &str = "lock";

/// A provenance ledger stored in a directory.
///
/// The directory holds `records.jsonl` (one canonical JSON record per line, each chained
/// to the previous by BLAKE3, append-only) and `checkpoint` (a C2SP checkpoint: origin,
/// record count and the RFC 6962 SHA-256 Merkle root over the record lines, optionally
/// signed). The ledger *root* is the directory's parent; artifact paths under the root
/// are recorded relative to it.
#[derive(Debug, Clone)]
pub struct Ledger {
    dir: PathBuf,
    root: PathBuf,
    signer: Option<Signer>,
    /// What this handle (and its clones) knows about the records, so that an append
    /// reads only the records added since its last append.
    tail: Arc<Mutex<Tail>>,
}

/// A segment record to merge: the record's stage, tool and parameters, its artifacts as
/// recorded, where it came from and its recorded runtime.
pub(crate) type Merged = (
    NewRecord,
    Vec<Artifact>,
    Vec<Artifact>,
    SegmentOrigin,
    crate::RecordedRuntime,
);

/// The state an append needs, built from `records.jsonl` and extended as it grows.
///
/// A handle trusts what it has already read: if bytes it read earlier are changed behind
/// its back, its next checkpoint still commits the bytes it read, so `verify` reports
/// the change (the checkpoint root no longer matches) instead of it being laundered.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    /// Bytes of `records.jsonl` read so far (always at a line boundary).
    len: u64,
    /// The Merkle tree over those lines.
    tree: RootBuilder,
    /// BLAKE3 of the last line ([`Digest::ZERO`] if none).
    last: Digest,
    /// The ledger's origin, once there is a first record.
    origin: Option<String>,
    /// For `produced_by`: (output path, digest) to the latest record that wrote it.
    producers: HashMap<(String, Digest), u64>,
}

impl Tail {
    fn push(&mut self, record: &Record) {
        let raw = record.raw.as_bytes();
        self.len += raw.len() as u64 + 1;
        self.tree.push(leaf_hash(raw));
        self.last = record.digest;
        if self.origin.is_none() {
            self.origin = Some(origin_for(raw));
        }
        for output in &record.outputs {
            self.producers
                .insert((output.path.clone(), output.blake3), record.seq);
        }
    }
}

/// Contents of the `HEAD` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Head {
    pub(crate) count: u64,
    pub(crate) digest: Digest,
}

/// What was found at `HEAD`.
pub(crate) enum HeadState {
    Missing,
    Invalid(String),
    Present(Head),
}

/// The raw lines of `records.jsonl`.
pub(crate) struct Lines {
    pub(crate) bytes: Vec<u8>,
}

impl Lines {
    /// Lines without their `\n`; a final line lacking `\n` is included.
    pub(crate) fn lines(&self) -> Vec<&[u8]> {
        if self.bytes.is_empty() {
            return Vec::new();
        }
        let mut parts: Vec<&[u8]> = self.bytes.split(|b| *b == b'\n').collect();
        if self.terminated() {
            parts.pop();
        }
        parts
    }

    /// Whether the file is empty or ends with a newline.
    pub(crate) fn terminated(&self) -> bool {
        self.bytes.is_empty() || self.bytes.ends_with(b"\n")
    }
}

/// Count and last-line digest of a list of lines ([`Digest::ZERO`] when empty).
pub(crate) fn tip(lines: &[&[u8]]) -> (u64, Digest) {
    let count = u64::try_from(lines.len()).unwrap_or(u64::MAX);
    (count, lines.last().map_or(Digest::ZERO, |l| hash_bytes(l)))
}

impl Ledger {
    /// Opens the ledger in `dir`, creating the directory (and parents) if missing.
    pub fn open(dir: impl AsRef<Path>) -> Result<Ledger, Error> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(Error::io(dir))?;
        Self::open_existing(dir)
    }

    /// Opens the ledger in `dir` without creating anything; fails if `dir` does
    /// not exist. Use this for read-only commands such as verify.
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<Ledger, Error> {
        let dir = dir.as_ref();
        let dir = fs::canonicalize(dir).map_err(Error::io(dir))?;
        if !dir.is_dir() {
            return Err(Error::Io {
                source: std::io::Error::new(
                    ErrorKind::NotADirectory,
                    "ledger path is not a directory",
                ),
                path: dir,
            });
        }
        let root = dir.parent().map_or_else(|| dir.clone(), Path::to_path_buf);
        Ok(Ledger {
            dir,
            root,
            signer: None,
            tail: Arc::default(),
        })
    }

    /// A ledger in `dir` whose artifact paths are relative to `root` (a segment, which
    /// lives under the main ledger but names files as the main ledger does).
    pub(crate) fn with_root(dir: PathBuf, root: PathBuf) -> Ledger {
        Ledger {
            dir,
            root,
            signer: None,
            tail: Arc::default(),
        }
    }

    /// The signer of this handle, if any.
    pub(crate) fn signer(&self) -> Option<&Signer> {
        self.signer.as_ref()
    }

    /// Signs every checkpoint this handle writes with `signer`.
    #[must_use]
    pub fn with_signer(mut self, signer: Signer) -> Ledger {
        self.signer = Some(signer);
        self
    }

    /// The ledger directory (canonical absolute path).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The ledger root: the parent of [`dir`](Self::dir). Relative artifact paths resolve against it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of `records.jsonl`.
    pub fn records_path(&self) -> PathBuf {
        self.dir.join(RECORDS_FILE)
    }

    /// Path of the legacy `HEAD`.
    pub fn head_path(&self) -> PathBuf {
        self.dir.join(HEAD_FILE)
    }

    /// Path of `checkpoint`.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.dir.join(CHECKPOINT_FILE)
    }

    /// How the ledger names `path` in records: relative to the root with `/`
    /// separators if the file is under the root, else its canonical absolute
    /// path (with `/` separators). The file must exist.
    pub fn artifact_path(&self, path: &Path) -> Result<String, Error> {
        let canonical = fs::canonicalize(path).map_err(Error::io(path))?;
        let not_utf8 = || Error::InvalidPath {
            path: path.to_path_buf(),
            reason: "path is not valid UTF-8".to_owned(),
        };
        if let Ok(rel) = canonical.strip_prefix(&self.root) {
            let mut parts = Vec::new();
            for component in rel.components() {
                match component {
                    Component::Normal(part) => parts.push(part.to_str().ok_or_else(not_utf8)?),
                    other => {
                        return Err(Error::InvalidPath {
                            path: path.to_path_buf(),
                            reason: format!("unexpected path component {other:?}"),
                        })
                    }
                }
            }
            if !parts.is_empty() {
                return Ok(parts.join("/"));
            }
        }
        Ok(canonical.to_str().ok_or_else(not_utf8)?.replace('\\', "/"))
    }

    /// The file a recorded artifact path refers to (relative paths resolve against the root).
    pub fn resolve(&self, recorded: &str) -> PathBuf {
        let path = Path::new(recorded);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        }
    }

    /// Reads `records.jsonl`; a missing file reads as empty.
    pub(crate) fn read_lines(&self) -> Result<Lines, Error> {
        let path = self.records_path();
        match fs::read(&path) {
            Ok(bytes) => Ok(Lines { bytes }),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Lines { bytes: Vec::new() }),
            Err(source) => Err(Error::Io { path, source }),
        }
    }

    /// Reads and parses `HEAD`.
    pub(crate) fn read_head(&self) -> Result<HeadState, Error> {
        let path = self.head_path();
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(HeadState::Missing),
            Err(source) => return Err(Error::Io { path, source }),
        };
        let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
        Ok(match serde_json::from_slice::<Head>(body) {
            Ok(head) => HeadState::Present(head),
            Err(e) => HeadState::Invalid(e.to_string()),
        })
    }

    /// Parses every record, without verifying anything. A missing records file
    /// yields an empty list; an unparseable line is an [`Error::InvalidRecord`].
    pub fn records(&self) -> Result<Vec<Record>, Error> {
        let lines = self.read_lines()?;
        parse_all(&self.records_path(), &lines.lines())
    }

    /// Appends one record: hashes the inputs and outputs, fills `produced_by`, chains the
    /// record to the last one, appends its line to `records.jsonl` (append-only, then
    /// fsync) and then commits it by atomically replacing `checkpoint` with the new tree
    /// head, signed if the ledger has a signer ([`with_signer`](Self::with_signer)).
    ///
    /// Holds an exclusive lock on `<dir>/lock` while working: concurrent appends (threads
    /// or processes on one machine) wait for each other. Refuses with
    /// [`Error::HeadMismatch`] if the checkpoint does not match the records file (chaining
    /// onto an edited record would hide the edit), and with [`Error::TornTail`] if the last
    /// line is incomplete (run [`repair`](Self::repair)).
    pub fn append(&self, new: NewRecord) -> Result<Record, Error> {
        let lock = LockGuard::exclusive(&self.dir)?;
        self.append_locked(new, &lock)
    }

    fn append_locked(&self, new: NewRecord, lock: &LockGuard) -> Result<Record, Error> {
        let mut tail = match self.tail.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let result = self.append_with_tail(new, None, lock, &mut tail);
        if result.is_err() {
            // Start from scratch next time rather than trust a half-updated state.
            *tail = Tail::default();
        }
        result
    }

    /// Brings `tail` up to date with `records.jsonl`, reading only what was appended since
    /// this handle last looked (the whole file the first time).
    fn refresh_tail(&self, tail: &mut Tail) -> Result<(), Error> {
        if tail.len > 0 && self.extend_tail(tail).is_ok() {
            return Ok(());
        }
        // The first read, or the file changed under what this handle had read: start over.
        *tail = Tail::default();
        self.extend_tail(tail)
    }

    fn extend_tail(&self, tail: &mut Tail) -> Result<(), Error> {
        let path = self.records_path();
        let io = Error::io(&path);
        let mut file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                *tail = Tail::default();
                return Ok(());
            }
            Err(e) => return Err(io(e)),
        };
        let len = file.metadata().map_err(&io)?.len();
        let mut bytes = Vec::new();
        if tail.len > 0 {
            // What was read before must still end where a line ends.
            if len < tail.len {
                return Err(io(std::io::Error::other("the records file shrank")));
            }
            file.seek(SeekFrom::Start(tail.len - 1)).map_err(&io)?;
            let mut byte = [0u8];
            file.read_exact(&mut byte).map_err(&io)?;
            if byte != *b"\n" {
                return Err(io(std::io::Error::other("the records file changed")));
            }
        }
        file.read_to_end(&mut bytes).map_err(&io)?;
        let new = Lines { bytes };
        let lines = new.lines();
        if !new.terminated() {
            return Err(Error::TornTail {
                path: path.clone(),
                line: tail.tree.size() as usize + lines.len(),
            });
        }
        for raw in lines {
            let line_no = tail.tree.size() as usize + 1;
            let record = parse_record(line_no, raw).map_err(|reason| Error::InvalidRecord {
                path: path.clone(),
                line: line_no,
                reason,
            })?;
            tail.push(&record);
        }
        Ok(())
    }

    /// Appends records taken from a segment, keeping their recorded artifacts (sizes and
    /// digests as the segment has them; the files are not read again) and recomputing
    /// each input's `produced_by` against this log. One lock for the whole batch.
    pub(crate) fn append_merged(&self, batch: Vec<Merged>) -> Result<Vec<Record>, Error> {
        let lock = LockGuard::exclusive(&self.dir)?;
        let mut tail = match self.tail.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut appended = Vec::with_capacity(batch.len());
        for merged in batch {
            match self.append_with_tail(merged.0.clone(), Some(merged), &lock, &mut tail) {
                Ok(record) => appended.push(record),
                Err(e) => {
                    *tail = Tail::default();
                    return Err(e);
                }
            }
        }
        Ok(appended)
    }

    fn append_with_tail(
        &self,
        new: NewRecord,
        merged: Option<Merged>,
        _lock: &LockGuard,
        tail: &mut Tail,
    ) -> Result<Record, Error> {
        let records_path = self.records_path();
        let seal = self.dir.join(crate::segment::SEAL_FILE);
        if seal.exists() {
            return Err(Error::Sealed { path: seal });
        }
        self.refresh_tail(tail)?;
        let (count, last) = (tail.tree.size(), tail.last);
        self.read_anchor()?
            .matches(count, last, &tail.tree.root(), tail.origin.as_deref())
            .map_err(|reason| Error::HeadMismatch {
                path: self.checkpoint_path(),
                reason,
            })?;

        let (inputs, outputs, origin) = match merged {
            Some((_, mut inputs, outputs, origin, runtime)) => {
                for input in &mut inputs {
                    input.produced_by = tail
                        .producers
                        .get(&(input.path.clone(), input.blake3))
                        .copied();
                }
                (inputs, outputs, Some((origin, runtime)))
            }
            None => {
                let (inputs, outputs) = self.hash_artifacts(&new, tail)?;
                (inputs, outputs, None)
            }
        };

        let seq = count + 1;
        let line_no = tail.tree.size() as usize + 1;
        let invalid = |reason: String| Error::InvalidRecord {
            path: records_path.clone(),
            line: line_no,
            reason,
        };
        let line = build_line(
            seq,
            last,
            &new,
            &inputs,
            &outputs,
            origin.as_ref().map(|(o, r)| (o, r)),
        )
        .map_err(invalid)?;
        let record = parse_record(line_no, line.as_bytes()).map_err(invalid)?;
        self.write_committed(tail, line, record)
    }

    /// Hashes a new record's files and fills `produced_by` from what this log has seen.
    fn hash_artifacts(
        &self,
        new: &NewRecord,
        tail: &Tail,
    ) -> Result<(Vec<Artifact>, Vec<Artifact>), Error> {
        let mut inputs = Vec::with_capacity(new.inputs.len());
        for path in &new.inputs {
            let recorded = self.artifact_path(path)?;
            let (size, blake3) = hash_file(path)?;
            let produced_by = tail.producers.get(&(recorded.clone(), blake3)).copied();
            inputs.push(Artifact {
                path: recorded,
                size,
                blake3,
                produced_by,
            });
        }
        let mut outputs = Vec::with_capacity(new.outputs.len());
        for path in &new.outputs {
            let recorded = self.artifact_path(path)?;
            let (size, blake3) = hash_file(path)?;
            outputs.push(Artifact {
                path: recorded,
                size,
                blake3,
                produced_by: None,
            });
        }
        Ok((inputs, outputs))
    }

    /// Appends `line` (fsynced) and commits it by replacing the checkpoint.
    fn write_committed(
        &self,
        tail: &mut Tail,
        line: String,
        record: Record,
    ) -> Result<Record, Error> {
        let records_path = self.records_path();
        let mut bytes = line.into_bytes();
        bytes.push(b'\n');
        let io = Error::io(&records_path);
        let mut file = fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&records_path)
            .map_err(&io)?;
        file.write_all(&bytes).map_err(&io)?;
        file.sync_data().map_err(&io)?;
        drop(file);

        tail.push(&record);
        self.commit(Checkpoint {
            origin: tail
                .origin
                .clone()
                .unwrap_or_else(|| origin_for(record.raw.as_bytes())),
            size: tail.tree.size(),
            root: tail.tree.root(),
        })?;
        Ok(record)
    }

    /// Writes `checkpoint` (signed if there is a signer), removes a legacy `HEAD`, syncs
    /// the directory.
    fn commit(&self, checkpoint: Checkpoint) -> Result<(), Error> {
        let mut signed = SignedCheckpoint::unsigned(checkpoint);
        if let Some(signer) = &self.signer {
            signed.note.add_signature(signer);
        }
        write_atomic(&self.dir, CHECKPOINT_FILE, signed.to_string().as_bytes())?;
        let head = self.head_path();
        match fs::remove_file(&head) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Io { path: head, source }),
        }
        sync_dir(&self.dir)
    }

    /// Adds `signer`'s signature to the current checkpoint (keeping other keys'
    /// signatures), after checking that the checkpoint matches the records. Writes a
    /// checkpoint first if the ledger has records but none (a legacy `HEAD` ledger).
    pub fn sign(&self, signer: &Signer) -> Result<SignedCheckpoint, Error> {
        let _lock = LockGuard::exclusive(&self.dir)?;
        let lines = self.read_lines()?;
        let line_list = lines.lines();
        let (count, last, root, origin) = summary(&line_list);
        let anchor = self.read_anchor()?;
        anchor
            .matches(count, last, &root, origin.as_deref())
            .map_err(|reason| Error::HeadMismatch {
                path: self.checkpoint_path(),
                reason,
            })?;
        if !lines.terminated() {
            return Err(Error::TornTail {
                path: self.records_path(),
                line: line_list.len(),
            });
        }
        let Some(first) = line_list.first() else {
            return Err(Error::Empty {
                path: self.records_path(),
            });
        };
        let mut signed = match anchor {
            Anchor::Checkpoint(cp) => cp,
            _ => SignedCheckpoint::unsigned(Checkpoint {
                origin: origin_for(first),
                size: count,
                root,
            }),
        };
        signed.note.add_signature(signer);
        write_atomic(&self.dir, CHECKPOINT_FILE, signed.to_string().as_bytes())?;
        sync_dir(&self.dir)?;
        Ok(signed)
    }

    /// Reads and parses `checkpoint`.
    pub fn checkpoint(&self) -> Result<Option<SignedCheckpoint>, Error> {
        let path = self.checkpoint_path();
        match fs::read_to_string(&path) {
            Ok(text) => text.parse().map(Some).map_err(|e: crate::note::NoteError| {
                Error::InvalidCheckpoint {
                    path,
                    reason: e.to_string(),
                }
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Io { path, source }),
        }
    }

    /// What anchors the end of the log: the checkpoint, else a legacy `HEAD`.
    pub(crate) fn read_anchor(&self) -> Result<Anchor, Error> {
        match self.checkpoint() {
            Ok(Some(cp)) => return Ok(Anchor::Checkpoint(cp)),
            Ok(None) => {}
            Err(Error::InvalidCheckpoint { reason, .. }) => return Ok(Anchor::Invalid(reason)),
            Err(e) => return Err(e),
        }
        Ok(match self.read_head()? {
            HeadState::Missing => Anchor::None,
            HeadState::Invalid(reason) => Anchor::Invalid(format!("HEAD is not valid: {reason}")),
            HeadState::Present(head) => Anchor::Head(head),
        })
    }

    /// Leaf hashes of every complete line (for proofs).
    pub(crate) fn leaves(&self) -> Result<Vec<Hash>, Error> {
        let lines = self.read_lines()?;
        Ok(lines.lines().iter().map(|l| leaf_hash(l)).collect())
    }

    /// Drops a torn tail, and only that, then records a `repair` record saying what was
    /// dropped. Returns `None` when there was nothing to repair.
    ///
    /// A torn tail is what a writer killed mid-append leaves: a last line without its
    /// newline, and/or one last line beyond the checkpoint (written but never committed).
    /// Anything else (an edited record, a checkpoint that does not match the records
    /// before the tail, more than one uncommitted line) is refused with
    /// [`Error::RepairRefused`]: that is tampering for `verify` to report, not a crash.
    pub fn repair(&self, tool_version: &str) -> Result<Option<Repair>, Error> {
        let lock = LockGuard::exclusive(&self.dir)?;
        let records_path = self.records_path();
        let refuse = |reason: String| Error::RepairRefused {
            path: records_path.clone(),
            reason,
        };
        let lines = self.read_lines()?;
        let mut keep = lines.bytes.len();
        let mut reasons = Vec::new();
        if !lines.terminated() {
            keep = lines
                .bytes
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            reasons.push("the last line has no newline".to_owned());
        }
        let kept = Lines {
            bytes: lines.bytes[..keep].to_vec(),
        };
        let mut kept_lines = kept.lines();
        let anchor = self.read_anchor()?;
        let committed = match &anchor {
            Anchor::None => 0,
            Anchor::Checkpoint(cp) => cp.checkpoint.size,
            Anchor::Head(head) => head.count,
            Anchor::Invalid(reason) => {
                return Err(refuse(format!("the checkpoint is not valid: {reason}")))
            }
        };
        let complete = kept_lines.len() as u64;
        if complete == committed + 1 {
            let last = kept_lines.pop().unwrap_or_default();
            keep -= last.len() + 1;
            reasons.push(if parse_record(kept_lines.len() + 1, last).is_ok() {
                format!(
                    "record {} was written but not committed to the checkpoint",
                    complete
                )
            } else {
                format!("line {complete} is not a valid record and is beyond the checkpoint")
            });
        } else if complete != committed {
            return Err(refuse(format!(
                "the checkpoint covers {committed} records but {RECORDS_FILE} has {complete} complete lines; only a torn last record can be repaired (run verify)"
            )));
        }
        let (count, last, root, origin) = summary(&kept_lines);
        anchor
            .matches(count, last, &root, origin.as_deref())
            .map_err(|reason| refuse(format!("the records before the torn tail do not match the checkpoint: {reason} (run verify)")))?;
        if keep == lines.bytes.len() {
            return Ok(None);
        }
        let dropped = &lines.bytes[keep..];
        let repair = Repair {
            kept_records: kept_lines.len() as u64,
            dropped_bytes: dropped.len() as u64,
            dropped_blake3: hash_bytes(dropped),
            reason: reasons.join("; "),
        };
        let io = Error::io(&records_path);
        let file = fs::OpenOptions::new()
            .write(true)
            .open(&records_path)
            .map_err(&io)?;
        file.set_len(keep as u64).map_err(&io)?;
        file.sync_all().map_err(&io)?;
        drop(file);
        match self.tail.lock() {
            Ok(mut tail) => *tail = Tail::default(),
            Err(poisoned) => *poisoned.into_inner() = Tail::default(),
        }
        let now = std::time::SystemTime::now();
        let record = NewRecord::new(
            "repair",
            tool_version,
            crate::Runtime {
                started_at: now,
                finished_at: now,
                threads: 1,
            },
        )
        .parameter("dropped_bytes", repair.dropped_bytes)
        .parameter("dropped_blake3", repair.dropped_blake3.to_string())
        .parameter("reason", repair.reason.clone());
        self.append_locked(record, &lock)?;
        Ok(Some(repair))
    }

    /// For a stage about to read `path`: if some record lists this path among
    /// its outputs, check that the file's current digest equals the one in the
    /// latest such record.
    ///
    /// Returns `Ok(None)` if the ledger never produced the file, `Ok(Some(seq))`
    /// if it matches record `seq`, and [`Error::InputChanged`] if it does not.
    /// The file must exist.
    pub fn check_input(&self, path: &Path) -> Result<Option<u64>, Error> {
        let recorded = self.artifact_path(path)?;
        // Sealed segments not merged yet count too: in a scattered workflow, the job that
        // wrote this input recorded it in its own segment.
        let records = self.records_with_pending()?;
        let latest = records.iter().rev().find_map(|r| {
            r.outputs
                .iter()
                .rev()
                .find(|o| o.path == recorded)
                .map(|o| (r.seq, o.blake3))
        });
        let Some((seq, expected)) = latest else {
            return Ok(None);
        };
        let (_, found) = hash_file(path)?;
        if found == expected {
            Ok(Some(seq))
        } else {
            Err(Error::InputChanged {
                path: path.to_path_buf(),
                seq,
                expected,
                found,
            })
        }
    }
}

fn parse_all(path: &Path, lines: &[&[u8]]) -> Result<Vec<Record>, Error> {
    lines
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            parse_record(i + 1, raw).map_err(|reason| Error::InvalidRecord {
                path: path.to_path_buf(),
                line: i + 1,
                reason,
            })
        })
        .collect()
}

/// What [`Ledger::repair`] dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// Records kept before the `repair` record was appended.
    pub kept_records: u64,
    /// Bytes cut from the end of `records.jsonl`.
    pub dropped_bytes: u64,
    /// BLAKE3 of the dropped bytes.
    pub dropped_blake3: Digest,
    /// Why they were dropped.
    pub reason: String,
}

/// What anchors the end of the log.
pub(crate) enum Anchor {
    /// Nothing yet (an empty ledger).
    None,
    /// The `checkpoint` file could not be parsed.
    Invalid(String),
    /// A checkpoint.
    Checkpoint(SignedCheckpoint),
    /// A `HEAD` file of a ledger written before checkpoints existed.
    Head(Head),
}

impl Anchor {
    /// Whether the anchor commits exactly `count` records whose last line has BLAKE3
    /// `last`, whose Merkle root is `root` and whose origin is `origin`.
    pub(crate) fn matches(
        &self,
        count: u64,
        last: Digest,
        root: &Hash,
        origin: Option<&str>,
    ) -> Result<(), String> {
        match self {
            Anchor::None if count == 0 => Ok(()),
            Anchor::None => Err(format!(
                "{CHECKPOINT_FILE} is missing but {RECORDS_FILE} has {count} records"
            )),
            Anchor::Invalid(reason) => Err(format!("{CHECKPOINT_FILE} is not valid: {reason}")),
            Anchor::Head(head) if head.count == count && head.digest == last => Ok(()),
            Anchor::Head(head) => Err(format!(
                "head expects {} records ending in {}, found {count} records ending in {last}",
                head.count, head.digest
            )),
            Anchor::Checkpoint(cp) => {
                let cp = &cp.checkpoint;
                if cp.size != count || cp.root != *root {
                    return Err(format!(
                        "checkpoint expects {} records with root {}, found {count} records with root {}",
                        cp.size,
                        crate::merkle::hex(&cp.root),
                        crate::merkle::hex(root)
                    ));
                }
                match origin {
                    Some(origin) if cp.origin != origin => Err(format!(
                        "checkpoint origin {} is not this ledger's ({origin})",
                        cp.origin
                    )),
                    _ => Ok(()),
                }
            }
        }
    }
}

/// Count, last-line digest, root and origin of a list of lines.
fn summary(lines: &[&[u8]]) -> (u64, Digest, Hash, Option<String>) {
    let (count, last) = tip(lines);
    let mut tree = RootBuilder::default();
    for line in lines {
        tree.push(leaf_hash(line));
    }
    (
        count,
        last,
        tree.root(),
        lines.first().map(|l| origin_for(l)),
    )
}

/// The checkpoint origin of a ledger whose first record line is `first_line`:
/// `provar-ledger/` and the first 16 hex digits of that line's leaf hash.
pub fn origin_for(first_line: &[u8]) -> String {
    let hash = leaf_hash(first_line);
    format!("{ORIGIN_PREFIX}{}", &crate::merkle::hex(&hash)[..16])
}

/// Writes `dir/name` by writing a temp file in `dir`, fsyncing it and renaming it over.
/// Callers hold the ledger lock, so a fixed temp name cannot collide.
fn write_atomic(dir: &Path, name: &str, contents: &[u8]) -> Result<(), Error> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let dest = dir.join(name);
    let mut file = fs::File::create(&tmp).map_err(Error::io(&tmp))?;
    file.write_all(contents).map_err(Error::io(&tmp))?;
    file.sync_all().map_err(Error::io(&tmp))?;
    drop(file);
    fs::rename(&tmp, &dest).map_err(Error::io(&dest))
}

/// Makes renames and file creation durable (no-op where directories cannot be opened).
fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::io(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// An advisory lock on `<dir>/lock` (`flock` on Unix, `LockFileEx` on Windows), released
/// when dropped or when the process dies. The lock file itself stays: deleting it would
/// let a waiting writer lock an unlinked file.
pub(crate) struct LockGuard {
    _file: fs::File,
}

impl LockGuard {
    /// Waits for the exclusive (writer) lock.
    pub(crate) fn exclusive(dir: &Path) -> Result<LockGuard, Error> {
        let path = dir.join(LOCK_FILE);
        let io = Error::io(&path);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(&io)?;
        file.lock().map_err(&io)?;
        Ok(LockGuard { _file: file })
    }

    /// Waits for a shared (reader) lock, so a reader never sees a record whose checkpoint
    /// is still being written. `None` if there is no lock file or it cannot be opened
    /// (a read-only copy of a ledger): then there is no writer to wait for.
    pub(crate) fn shared(dir: &Path) -> Option<LockGuard> {
        let file = fs::File::open(dir.join(LOCK_FILE)).ok()?;
        file.lock_shared().ok()?;
        Some(LockGuard { _file: file })
    }
}
