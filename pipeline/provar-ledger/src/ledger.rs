//! The ledger directory: reading, appending, input checks.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::record::{build_line, canonical_json, parse_record};
use crate::{hash_bytes, hash_file, Artifact, Digest, Error, NewRecord, Record};

/// Name of the records file inside the ledger directory.
pub const RECORDS_FILE: &str = "records.jsonl";
/// Name of the head file inside the ledger directory.
pub const HEAD_FILE: &str = "HEAD";
/// Name of the lock file inside the ledger directory.
pub const LOCK_FILE: &str = "lock";

/// A provenance ledger stored in a directory.
///
/// The directory holds `records.jsonl` (one canonical JSON record per line,
/// each chained to the previous by BLAKE3) and `HEAD` (the record count and
/// the digest of the last line). The ledger *root* is the directory's parent;
/// artifact paths under the root are recorded relative to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    dir: PathBuf,
    root: PathBuf,
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
        Ok(Ledger { dir, root })
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

    /// Path of `HEAD`.
    pub fn head_path(&self) -> PathBuf {
        self.dir.join(HEAD_FILE)
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

    /// Appends one record: hashes the inputs and outputs, fills `produced_by`,
    /// chains the record to the last one and atomically rewrites
    /// `records.jsonl` and then `HEAD`.
    ///
    /// Holds `<dir>/lock` while working ([`Error::Locked`] if it exists).
    /// Refuses with [`Error::HeadMismatch`] if `HEAD` does not match the
    /// records file, since chaining onto an edited last record would hide the edit.
    pub fn append(&self, new: NewRecord) -> Result<Record, Error> {
        let _lock = LockGuard::acquire(&self.dir)?;
        let records_path = self.records_path();
        let lines = self.read_lines()?;
        let line_list = lines.lines();
        let (count, last) = tip(&line_list);
        let mismatch = |reason: String| Error::HeadMismatch {
            path: self.head_path(),
            reason,
        };
        match self.read_head()? {
            HeadState::Missing if count == 0 => {}
            HeadState::Missing => {
                return Err(mismatch(format!(
                    "HEAD is missing but {RECORDS_FILE} has {count} records"
                )))
            }
            HeadState::Invalid(reason) => {
                return Err(mismatch(format!("HEAD is not valid: {reason}")))
            }
            HeadState::Present(head) if head.count == count && head.digest == last => {}
            HeadState::Present(head) => {
                return Err(mismatch(format!(
                    "head expects {} records ending in {}, found {count} records ending in {last}",
                    head.count, head.digest
                )))
            }
        }
        let existing = parse_all(&records_path, &line_list)?;

        let mut inputs = Vec::with_capacity(new.inputs.len());
        for path in &new.inputs {
            let recorded = self.artifact_path(path)?;
            let (size, blake3) = hash_file(path)?;
            let produced_by = existing
                .iter()
                .rev()
                .find(|r| {
                    r.outputs
                        .iter()
                        .any(|o| o.path == recorded && o.blake3 == blake3)
                })
                .map(|r| r.seq);
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

        let seq = count + 1;
        let line_no = line_list.len() + 1;
        let invalid = |reason: String| Error::InvalidRecord {
            path: records_path.clone(),
            line: line_no,
            reason,
        };
        let line = build_line(seq, last, &new, &inputs, &outputs).map_err(invalid)?;
        let record = parse_record(line_no, line.as_bytes()).map_err(invalid)?;

        let mut contents = lines.bytes;
        if !contents.is_empty() && !contents.ends_with(b"\n") {
            contents.push(b'\n');
        }
        contents.extend_from_slice(line.as_bytes());
        contents.push(b'\n');
        write_atomic(&self.dir, RECORDS_FILE, &contents)?;
        let head = Head {
            count: seq,
            digest: record.digest,
        };
        write_atomic(&self.dir, HEAD_FILE, head_line(head).as_bytes())?;
        sync_dir(&self.dir)?;
        Ok(record)
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
        let records = self.records()?;
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

/// The canonical `HEAD` file contents, newline included.
fn head_line(head: Head) -> String {
    let value = serde_json::json!({ "count": head.count, "digest": head.digest.to_string() });
    let mut line = canonical_json(&value);
    line.push('\n');
    line
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

/// Makes the renames durable (no-op where directories cannot be opened).
fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::io(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Exclusive writer lock: `<dir>/lock`, created with `create_new`, removed on drop.
struct LockGuard {
    path: PathBuf,
}

impl LockGuard {
    fn acquire(dir: &Path) -> Result<LockGuard, Error> {
        let path = dir.join(LOCK_FILE);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                // The pid is only a hint for humans; failing to write it is harmless.
                let _ = writeln!(file, "{}", std::process::id());
                Ok(LockGuard { path })
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(Error::Locked { path }),
            Err(source) => Err(Error::Io { path, source }),
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}
