//! How a file was made: the records that produced it, back to raw inputs; and the
//! b3sum-compatible checksum export.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::Path;

use serde_json::{json, Value};

use crate::{hash_file, Artifact, Digest, Error, Ledger, Record};

/// One file in a lineage tree.
#[derive(Debug, Clone, PartialEq)]
pub struct LineageNode {
    /// The path as recorded.
    pub path: String,
    /// Size as recorded.
    pub size: u64,
    /// BLAKE3 as recorded.
    pub blake3: Digest,
    /// The record that produced these bytes, with its own inputs; `None` for a raw input
    /// (one the ledger never produced).
    pub produced_by: Option<Box<LineageStep>>,
}

/// The stage run that produced a [`LineageNode`].
#[derive(Debug, Clone, PartialEq)]
pub struct LineageStep {
    /// The record's seq.
    pub seq: u64,
    /// Stage name.
    pub stage: String,
    /// Tool version.
    pub tool_version: String,
    /// Parameters.
    pub parameters: serde_json::Map<String, Value>,
    /// Its inputs, each traced further back.
    pub inputs: Vec<LineageNode>,
}

/// The lineage of one file: the tree and whether the file still has the recorded bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Lineage {
    /// The file, traced back.
    pub root: LineageNode,
    /// The file's current BLAKE3, when it differs from the recorded one.
    pub changed_to: Option<Digest>,
}

impl Ledger {
    /// Traces `path` back through the records that produced it to raw inputs.
    ///
    /// The file is looked up among the outputs of the latest record that wrote it;
    /// [`Error::NotRecorded`] if no record did.
    pub fn lineage(&self, path: &Path) -> Result<Lineage, Error> {
        let recorded = self.artifact_path(path)?;
        let records = self.records()?;
        let by_seq: BTreeMap<u64, &Record> = records.iter().map(|r| (r.seq, r)).collect();
        let (record, artifact) = records
            .iter()
            .rev()
            .find_map(|r| {
                r.outputs
                    .iter()
                    .rev()
                    .find(|o| o.path == recorded)
                    .map(|o| (r, o))
            })
            .ok_or_else(|| Error::NotRecorded {
                path: path.to_path_buf(),
            })?;
        let (_, now) = hash_file(path)?;
        let root = LineageNode {
            path: artifact.path.clone(),
            size: artifact.size,
            blake3: artifact.blake3,
            produced_by: Some(Box::new(step(record, &by_seq))),
        };
        Ok(Lineage {
            root,
            changed_to: (now != artifact.blake3).then_some(now),
        })
    }
}

fn step(record: &Record, by_seq: &BTreeMap<u64, &Record>) -> LineageStep {
    LineageStep {
        seq: record.seq,
        stage: record.stage.clone(),
        tool_version: record.tool_version.clone(),
        parameters: record.parameters.clone(),
        inputs: record
            .inputs
            .iter()
            .map(|input| node(input, record.seq, by_seq))
            .collect(),
    }
}

fn node(input: &Artifact, consumer: u64, by_seq: &BTreeMap<u64, &Record>) -> LineageNode {
    // Only earlier records can have produced an input; anything else is ignored, so a
    // tampered `produced_by` cannot make the walk loop.
    let producer = input
        .produced_by
        .filter(|seq| *seq < consumer)
        .and_then(|seq| by_seq.get(&seq));
    LineageNode {
        path: input.path.clone(),
        size: input.size,
        blake3: input.blake3,
        produced_by: producer.map(|r| Box::new(step(r, by_seq))),
    }
}

impl LineageNode {
    /// The tree as JSON: `{path, size, blake3, produced_by: {seq, stage, tool_version,
    /// parameters, inputs: [...]} | null}`.
    pub fn to_json(&self) -> Value {
        json!({
            "path": self.path,
            "size": self.size,
            "blake3": self.blake3.to_string(),
            "produced_by": self.produced_by.as_ref().map(|s| json!({
                "seq": s.seq,
                "stage": s.stage,
                "tool_version": s.tool_version,
                "parameters": s.parameters,
                "inputs": s.inputs.iter().map(LineageNode::to_json).collect::<Vec<_>>(),
            })),
        })
    }

    fn write_tree(&self, out: &mut String, prefix: &str, last: bool, top: bool) -> fmt::Result {
        let (branch, extend) = match (top, last) {
            (true, _) => ("", ""),
            (false, true) => ("└── ", "    "),
            (false, false) => ("├── ", "│   "),
        };
        write!(
            out,
            "{prefix}{branch}{}  blake3 {}",
            self.path,
            short(&self.blake3)
        )?;
        match &self.produced_by {
            None => writeln!(out, "  (raw input)")?,
            Some(step) => {
                let parameters = crate::canonical_json(&Value::Object(step.parameters.clone()));
                writeln!(
                    out,
                    "  <- record {} {} (provar {}) {parameters}",
                    step.seq, step.stage, step.tool_version
                )?;
                let child_prefix = format!("{prefix}{extend}");
                for (i, input) in step.inputs.iter().enumerate() {
                    input.write_tree(out, &child_prefix, i + 1 == step.inputs.len(), false)?;
                }
            }
        }
        Ok(())
    }
}

fn short(digest: &Digest) -> String {
    digest.to_string()[..16].to_owned()
}

impl fmt::Display for Lineage {
    /// A text tree, one file per line, raw inputs at the leaves.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.root.write_tree(&mut out, "", true, true)?;
        if let Some(now) = self.changed_to {
            writeln!(
                out,
                "warning: {} has changed since it was recorded (blake3 now {})",
                self.root.path,
                short(&now)
            )?;
        }
        f.write_str(&out)
    }
}

impl Ledger {
    /// A b3sum-compatible checksum list (`HEX  PATH` lines, sorted by path) of every file
    /// the ledger records, with the digest of the latest record mentioning it. Paths are
    /// relative to the ledger root (so `b3sum --check` passes when run there) or absolute
    /// for files outside it; paths with a newline or backslash are escaped as b3sum does.
    pub fn export_b3sum(&self) -> Result<String, Error> {
        let records = self.records()?;
        let mut latest: BTreeMap<&str, Digest> = BTreeMap::new();
        for record in &records {
            for artifact in record.inputs.iter().chain(&record.outputs) {
                latest.insert(&artifact.path, artifact.blake3);
            }
        }
        let mut out = String::new();
        for (path, digest) in latest {
            if path.contains(['\\', '\n']) {
                let escaped = path.replace('\\', "\\\\").replace('\n', "\\n");
                out.push_str(&format!("\\{digest}  {escaped}\n"));
            } else {
                out.push_str(&format!("{digest}  {path}\n"));
            }
        }
        Ok(out)
    }
}
