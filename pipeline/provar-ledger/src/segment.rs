//! Segments: one small sealed ledger per job, merged into the main log later.
//!
//! Jobs scattered over machines must never share a mutable file (a lock on a network
//! file system is not to be trusted). A job that records into segment `NAME` of the
//! ledger `provar-out/ledger/` writes `provar-out/ledger/segments/NAME/` — a ledger of its
//! own (`records.jsonl`, `checkpoint`, `lock`) whose artifact paths are relative to the
//! same root as the main ledger's — and seals it when the job ends by writing `sealed`, a
//! copy of its final checkpoint. After sealing, nothing more can be appended.
//!
//! [`Ledger::merge_segments`] folds every sealed segment into the main log, in a fixed
//! order (a segment whose inputs another segment produced comes after it; otherwise by
//! name), each segment record becoming one main record that names its origin (`segment`:
//! name, seq, line digest and the sealed root). Segments already merged (same name and
//! root) are skipped, so merging twice changes nothing. [`Ledger::verify`] names a
//! segment that is unsealed, sealed but not merged, or whose records no longer match
//! its seal.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::checkpoint::SignedCheckpoint;
use crate::ledger::LockGuard;
use crate::merkle::{leaf_hash, RootBuilder};
use crate::record::SegmentOrigin;
use crate::{Digest, Error, Ledger, NewRecord, Record, Runtime, CHECKPOINT_FILE};

/// The directory, inside a ledger, that holds its segments.
pub const SEGMENTS_DIR: &str = "segments";

/// The file whose presence seals a segment (a copy of its final checkpoint).
pub const SEAL_FILE: &str = "sealed";

/// What a segment directory holds.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Its name (the directory name).
    pub name: String,
    /// Its directory.
    pub dir: PathBuf,
    /// Sealed and consistent, unsealed, or broken.
    pub state: SegmentState,
}

/// The state of a [`Segment`].
#[derive(Debug, Clone)]
pub enum SegmentState {
    /// Its job has not ended (or died): no `sealed` file.
    Unsealed {
        /// Complete records so far.
        records: usize,
    },
    /// Sealed, and its records match the seal.
    Sealed {
        /// Base64 Merkle root of the sealed segment.
        root: String,
        /// Its records, in order.
        records: Vec<Record>,
    },
    /// Sealed, but the records do not match the seal, or do not parse or chain.
    Invalid {
        /// What is wrong.
        reason: String,
    },
}

/// What [`Ledger::merge_segments`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Segments merged now, in merge order, with their record counts.
    pub merged: Vec<(String, usize)>,
    /// Sealed segments already in the log (skipped).
    pub already_merged: Vec<String>,
    /// Segments left alone because their job has not sealed them.
    pub unsealed: Vec<String>,
}

/// Whether `name` can name a segment: ASCII letters, digits, `.`, `_`, `-`, not starting
/// with `.`, at most 200 bytes.
pub fn valid_segment_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl Ledger {
    /// The directory of this ledger's segments.
    pub fn segments_dir(&self) -> PathBuf {
        self.dir().join(SEGMENTS_DIR)
    }

    /// Opens segment `name` of this ledger for a job to record into, creating it. The
    /// segment names artifacts relative to this ledger's root and signs with this
    /// handle's signer.
    ///
    /// A segment sealed by an earlier run of the same job is replaced (moved aside to
    /// `NAME.replaced-N` if it was never merged, so nothing recorded is lost): the job is
    /// running again and its outputs are being rewritten. With `fresh`, an unsealed
    /// segment left by a run of the job that died is removed too (its outputs are being
    /// rewritten); without, new records are appended to it (several stages of one job).
    pub fn open_segment_with(&self, name: &str, fresh: bool) -> Result<Ledger, Error> {
        let dir = self.segments_dir().join(name);
        if fresh && dir.is_dir() && !dir.join(SEAL_FILE).exists() && valid_segment_name(name) {
            fs::remove_dir_all(&dir).map_err(Error::io(&dir))?;
        }
        self.open_segment(name)
    }

    /// [`open_segment_with`](Self::open_segment_with) without `fresh`.
    pub fn open_segment(&self, name: &str) -> Result<Ledger, Error> {
        let dir = self.segments_dir().join(name);
        if !valid_segment_name(name) {
            return Err(Error::Segment {
                path: dir,
                reason: "a segment name is ASCII letters, digits, '.', '_' and '-' (not starting with '.')"
                    .to_owned(),
            });
        }
        if dir.join(SEAL_FILE).exists() {
            self.retire_segment(name, &dir)?;
        }
        fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
        let segment = Ledger::with_root(dir, self.root().to_path_buf());
        Ok(match self.signer() {
            Some(signer) => segment.with_signer(signer.clone()),
            None => segment,
        })
    }

    /// Moves a sealed segment out of the way of a new run of its job: deleted if the
    /// main log already holds it, else renamed so that merge and verify still see it.
    fn retire_segment(&self, name: &str, dir: &Path) -> Result<(), Error> {
        let merged = match read_segment(name, dir, self.root()) {
            SegmentState::Sealed { root, .. } => {
                let records = self.records()?;
                records.iter().any(|r| {
                    r.segment
                        .as_ref()
                        .is_some_and(|s| s.name == name && s.root == root)
                })
            }
            _ => false,
        };
        if merged {
            return fs::remove_dir_all(dir).map_err(Error::io(dir));
        }
        for n in 1.. {
            let aside = self.segments_dir().join(format!("{name}.replaced-{n}"));
            if !aside.exists() {
                return fs::rename(dir, &aside).map_err(Error::io(&aside));
            }
        }
        Ok(())
    }

    /// Seals this ledger (a segment) at its current checkpoint: writes `sealed`, after
    /// which appends are refused. Sealing an already sealed segment does nothing.
    pub fn seal(&self) -> Result<(), Error> {
        let _lock = LockGuard::exclusive(self.dir())?;
        let seal = self.dir().join(SEAL_FILE);
        if seal.exists() {
            return Ok(());
        }
        let checkpoint = self.checkpoint_path();
        let text = match fs::read(&checkpoint) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(Error::Segment {
                    path: self.dir().to_path_buf(),
                    reason: "nothing to seal: no record was written".to_owned(),
                })
            }
            Err(source) => {
                return Err(Error::Io {
                    path: checkpoint,
                    source,
                })
            }
        };
        let tmp = self.dir().join(format!(".{SEAL_FILE}.tmp"));
        fs::write(&tmp, &text).map_err(Error::io(&tmp))?;
        fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(Error::io(&tmp))?;
        fs::rename(&tmp, &seal).map_err(Error::io(&seal))
    }

    /// Every segment of this ledger, by name.
    pub fn segments(&self) -> Result<Vec<Segment>, Error> {
        let dir = self.segments_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(Error::Io { path: dir, source }),
        };
        let mut segments = Vec::new();
        for entry in entries {
            let entry = entry.map_err(Error::io(&dir))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !path.is_dir() || name.starts_with('.') {
                continue;
            }
            let state = read_segment(&name, &path, self.root());
            segments.push(Segment {
                name,
                dir: path,
                state,
            });
        }
        segments.sort_by(|a, b| name_order(&a.name).cmp(&name_order(&b.name)));
        Ok(segments)
    }

    /// The records of the log followed by those of every sealed segment not merged yet,
    /// in merge order: what the log will hold after `merge`. Stages use it to find who
    /// wrote a file while the jobs of a workflow still record into segments.
    pub fn records_with_pending(&self) -> Result<Vec<Record>, Error> {
        let mut records = self.records()?;
        let merged: BTreeSet<(String, String)> = records
            .iter()
            .filter_map(|r| r.segment.as_ref())
            .map(|s| (s.name.clone(), s.root.clone()))
            .collect();
        let pending: Vec<(String, String, Vec<Record>)> = self
            .segments()?
            .into_iter()
            .filter_map(|segment| match segment.state {
                SegmentState::Sealed { root, records }
                    if !merged.contains(&(segment.name.clone(), root.clone())) =>
                {
                    Some((segment.name, root, records))
                }
                _ => None,
            })
            .collect();
        for index in merge_order(&pending) {
            records.extend(pending[index].2.iter().cloned());
        }
        Ok(records)
    }

    /// Folds every sealed segment not yet in the log into it (see the module docs for the
    /// order). Unsealed segments are left alone and listed; a sealed segment whose records
    /// do not match its seal is an error and nothing is merged.
    pub fn merge_segments(&self) -> Result<MergeReport, Error> {
        let segments = self.segments()?;
        let mut report = MergeReport::default();
        let records = self.records()?;
        let merged: BTreeSet<(&str, &str)> = records
            .iter()
            .filter_map(|r| r.segment.as_ref())
            .map(|s| (s.name.as_str(), s.root.as_str()))
            .collect();
        let mut pending = Vec::new();
        for segment in &segments {
            match &segment.state {
                SegmentState::Unsealed { .. } => report.unsealed.push(segment.name.clone()),
                SegmentState::Invalid { reason } => {
                    return Err(Error::Segment {
                        path: segment.dir.clone(),
                        reason: reason.clone(),
                    })
                }
                SegmentState::Sealed { root, records } => {
                    if merged.contains(&(segment.name.as_str(), root.as_str())) {
                        report.already_merged.push(segment.name.clone());
                    } else {
                        pending.push((segment.name.clone(), root.clone(), records.clone()));
                    }
                }
            }
        }
        for index in merge_order(&pending) {
            let (name, root, records) = &pending[index];
            let batch = records
                .iter()
                .map(|record| {
                    let new = NewRecord {
                        stage: record.stage.clone(),
                        tool_version: record.tool_version.clone(),
                        parameters: record.parameters.clone(),
                        inputs: Vec::new(),
                        outputs: Vec::new(),
                        runtime: Runtime {
                            started_at: std::time::SystemTime::UNIX_EPOCH,
                            finished_at: std::time::SystemTime::UNIX_EPOCH,
                            threads: usize::try_from(record.runtime.threads).unwrap_or(usize::MAX),
                        },
                        host: record.host.clone(),
                    };
                    let origin = SegmentOrigin {
                        name: name.clone(),
                        seq: record.seq,
                        digest: record.digest,
                        root: root.clone(),
                    };
                    (
                        new,
                        record.inputs.clone(),
                        record.outputs.clone(),
                        origin,
                        record.runtime.clone(),
                    )
                })
                .collect::<Vec<_>>();
            self.append_merged(batch)?;
            report.merged.push((name.clone(), records.len()));
        }
        Ok(report)
    }
}

/// The order of segment names: by name, except that `NAME.replaced-N` (an earlier run of
/// job `NAME`, moved aside) comes right before `NAME`, older runs first.
fn name_order(name: &str) -> (&str, u8, u64) {
    if let Some((base, n)) = name.rsplit_once(".replaced-") {
        if let Ok(n) = n.parse::<u64>() {
            return (base, 0, n);
        }
    }
    (name, 1, 0)
}

/// Reads one segment directory.
pub(crate) fn read_segment(name: &str, dir: &Path, root: &Path) -> SegmentState {
    let segment = Ledger::with_root(dir.to_path_buf(), root.to_path_buf());
    let lines = match segment.read_lines() {
        Ok(lines) => lines,
        Err(e) => {
            return SegmentState::Invalid {
                reason: e.to_string(),
            }
        }
    };
    let line_list = lines.lines();
    let seal = dir.join(SEAL_FILE);
    let sealed = match fs::read_to_string(&seal) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let complete = if lines.terminated() {
                line_list.len()
            } else {
                line_list.len().saturating_sub(1)
            };
            return SegmentState::Unsealed { records: complete };
        }
        Err(e) => {
            return SegmentState::Invalid {
                reason: format!("cannot read {}: {e}", seal.display()),
            }
        }
    };
    let _ = name;
    let invalid = |reason: String| SegmentState::Invalid { reason };
    let checkpoint = match sealed.parse::<SignedCheckpoint>() {
        Ok(checkpoint) => checkpoint,
        Err(e) => return invalid(format!("{SEAL_FILE} is not a checkpoint: {e}")),
    };
    if !lines.terminated() {
        return invalid("the last record is torn".to_owned());
    }
    if fs::read_to_string(dir.join(CHECKPOINT_FILE))
        .ok()
        .as_deref()
        != Some(sealed.as_str())
    {
        return invalid(format!("{CHECKPOINT_FILE} differs from {SEAL_FILE}"));
    }
    let mut tree = RootBuilder::default();
    let mut records = Vec::with_capacity(line_list.len());
    let mut prev = Digest::ZERO;
    for (index, raw) in line_list.iter().enumerate() {
        let record = match crate::record::parse_record(index + 1, raw) {
            Ok(record) => record,
            Err(reason) => return invalid(format!("record at line {}: {reason}", index + 1)),
        };
        if usize::try_from(record.seq).ok() != Some(index + 1) || record.prev != prev {
            return invalid(format!(
                "record at line {}: seq or chain broken (a record was edited, removed or reordered)",
                index + 1
            ));
        }
        if crate::record::canonical_json(&crate::record::parse_json(raw).unwrap_or_default())
            .as_bytes()
            != *raw
        {
            return invalid(format!(
                "record at line {} was edited: not canonical JSON",
                index + 1
            ));
        }
        prev = record.digest;
        tree.push(leaf_hash(raw));
        records.push(record);
    }
    let head = &checkpoint.checkpoint;
    if head.size != tree.size() || head.root != tree.root() {
        return invalid(format!(
            "sealed with {} records and root {}, holds {} records with root {} (edited after sealing)",
            head.size,
            crate::merkle::hex(&head.root),
            tree.size(),
            crate::merkle::hex(&tree.root())
        ));
    }
    SegmentState::Sealed {
        root: base64_root(&head.root),
        records,
    }
}

/// The standard base64 form of a root, as checkpoints write it.
fn base64_root(root: &crate::merkle::Hash) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(root)
}

/// The order to merge pending segments in: a segment that reads bytes another pending
/// segment wrote comes after it; ties (and cycles, which real jobs cannot make) by name.
fn merge_order(pending: &[(String, String, Vec<Record>)]) -> Vec<usize> {
    let mut writer: HashMap<(&str, Digest), usize> = HashMap::new();
    for (index, (_, _, records)) in pending.iter().enumerate() {
        for record in records {
            for output in &record.outputs {
                writer
                    .entry((output.path.as_str(), output.blake3))
                    .or_insert(index);
            }
        }
    }
    let mut after: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (index, (_, _, records)) in pending.iter().enumerate() {
        for record in records {
            for input in &record.inputs {
                if let Some(&w) = writer.get(&(input.path.as_str(), input.blake3)) {
                    if w != index {
                        after.entry(index).or_default().insert(w);
                    }
                }
            }
        }
    }
    let mut done = vec![false; pending.len()];
    let mut order = Vec::with_capacity(pending.len());
    while order.len() < pending.len() {
        // `pending` is in name order: the first ready one comes first.
        let ready = (0..pending.len()).find(|&i| {
            !done[i]
                && after
                    .get(&i)
                    .is_none_or(|deps| deps.iter().all(|&d| done[d]))
        });
        let next = ready.unwrap_or_else(|| (0..pending.len()).find(|&i| !done[i]).unwrap_or(0));
        done[next] = true;
        order.push(next);
    }
    order
}
