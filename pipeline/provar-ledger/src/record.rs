//! Record types and their canonical JSON form.

use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{format_timestamp, hash_bytes, Digest};

/// The record schema version written by this crate (the `schema` field).
pub const SCHEMA_VERSION: u64 = 1;

/// The tool name written into every record (`tool.name`).
pub const TOOL_NAME: &str = "provar";

/// A file read or written by a stage, as recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the ledger root with `/` separators, or the canonical
    /// absolute path when the file is outside the root.
    pub path: String,
    /// Size in bytes when recorded.
    pub size: u64,
    /// BLAKE3 digest of the contents when recorded.
    pub blake3: Digest,
    /// For inputs: the seq of the latest earlier record whose outputs contain
    /// this path with this digest. Always `None` for outputs.
    pub produced_by: Option<u64>,
}

/// Wall-clock facts about a stage run, supplied by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runtime {
    /// When the stage started.
    pub started_at: SystemTime,
    /// When the stage finished.
    pub finished_at: SystemTime,
    /// Worker threads the stage used.
    pub threads: usize,
}

/// What a caller supplies to [`Ledger::append`](crate::Ledger::append).
///
/// The ledger hashes the files itself; callers only name them.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    /// Stage name, e.g. `"ingest"`.
    pub stage: String,
    /// Version of provar that ran the stage (`tool.version`).
    pub tool_version: String,
    /// Stage parameters, stored verbatim (keys end up sorted).
    pub parameters: Map<String, Value>,
    /// Files the stage read, in the order given.
    pub inputs: Vec<PathBuf>,
    /// Files the stage wrote, in the order given.
    pub outputs: Vec<PathBuf>,
    /// Timing and threads.
    pub runtime: Runtime,
}

impl NewRecord {
    /// A record with no parameters, inputs or outputs yet.
    pub fn new(
        stage: impl Into<String>,
        tool_version: impl Into<String>,
        runtime: Runtime,
    ) -> Self {
        NewRecord {
            stage: stage.into(),
            tool_version: tool_version.into(),
            parameters: Map::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            runtime,
        }
    }

    /// Adds (or replaces) one parameter.
    #[must_use]
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.parameters.insert(key.into(), value.into());
        self
    }

    /// Adds one input file.
    #[must_use]
    pub fn input(mut self, path: impl Into<PathBuf>) -> Self {
        self.inputs.push(path.into());
        self
    }

    /// Adds one output file.
    #[must_use]
    pub fn output(mut self, path: impl Into<PathBuf>) -> Self {
        self.outputs.push(path.into());
        self
    }
}

/// The `runtime` object of a stored record, as written (timestamps are RFC 3339 strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRuntime {
    /// RFC 3339 UTC start time, e.g. `2026-11-24T16:21:22Z`.
    pub started_at: String,
    /// RFC 3339 UTC finish time.
    pub finished_at: String,
    /// Worker threads the stage used.
    pub threads: u64,
}

/// One parsed line of `records.jsonl`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line number the record was read from.
    pub line: usize,
    /// 1-based sequence number stored in the record.
    pub seq: u64,
    /// Digest of the previous record's line ([`Digest::ZERO`] for the first).
    pub prev: Digest,
    /// Stage name.
    pub stage: String,
    /// `tool.name` (always `"provar"` for records this crate writes).
    pub tool_name: String,
    /// `tool.version`.
    pub tool_version: String,
    /// Stage parameters.
    pub parameters: Map<String, Value>,
    /// Files the stage read.
    pub inputs: Vec<Artifact>,
    /// Files the stage wrote (`produced_by` is always `None`).
    pub outputs: Vec<Artifact>,
    /// Timing and threads.
    pub runtime: RecordedRuntime,
    /// The exact line, without its newline.
    pub raw: String,
    /// BLAKE3 of `raw`; the next record's `prev` must equal it.
    pub digest: Digest,
}

// ---- wire format -------------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    schema: u64,
    seq: u64,
    prev: Digest,
    stage: String,
    tool: RawTool,
    parameters: Map<String, Value>,
    inputs: Vec<RawInput>,
    outputs: Vec<RawOutput>,
    runtime: RawRuntime,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTool {
    name: String,
    version: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    path: String,
    size: u64,
    blake3: Digest,
    produced_by: Option<u64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    path: String,
    size: u64,
    blake3: Digest,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuntime {
    started_at: String,
    finished_at: String,
    threads: u64,
}

/// Canonical JSON: no insignificant whitespace, object keys sorted by their
/// UTF-8 bytes, scalars as `serde_json` writes them.
///
/// Sorting is done here rather than relied upon from `serde_json::Map`, so the
/// form stays the same even if serde_json's `preserve_order` feature gets
/// enabled elsewhere in the build.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(val, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Parses one line as JSON.
pub(crate) fn parse_json(raw: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(raw).map_err(|e| e.to_string())
}

/// Interprets an already-parsed line as a schema-1 record.
pub(crate) fn record_from_value(line: usize, value: Value, raw: &[u8]) -> Result<Record, String> {
    let rec: RawRecord = serde_json::from_value(value).map_err(|e| e.to_string())?;
    if rec.schema != SCHEMA_VERSION {
        return Err(format!(
            "unsupported schema {} (this provar understands schema {SCHEMA_VERSION})",
            rec.schema
        ));
    }
    let raw_str = std::str::from_utf8(raw)
        .map_err(|e| e.to_string())?
        .to_owned();
    Ok(Record {
        line,
        seq: rec.seq,
        prev: rec.prev,
        stage: rec.stage,
        tool_name: rec.tool.name,
        tool_version: rec.tool.version,
        parameters: rec.parameters,
        inputs: rec
            .inputs
            .into_iter()
            .map(|a| Artifact {
                path: a.path,
                size: a.size,
                blake3: a.blake3,
                produced_by: a.produced_by,
            })
            .collect(),
        outputs: rec
            .outputs
            .into_iter()
            .map(|a| Artifact {
                path: a.path,
                size: a.size,
                blake3: a.blake3,
                produced_by: None,
            })
            .collect(),
        runtime: RecordedRuntime {
            started_at: rec.runtime.started_at,
            finished_at: rec.runtime.finished_at,
            threads: rec.runtime.threads,
        },
        digest: hash_bytes(raw),
        raw: raw_str,
    })
}

/// Parses one line (JSON, then record structure).
pub(crate) fn parse_record(line: usize, raw: &[u8]) -> Result<Record, String> {
    let value = parse_json(raw)?;
    record_from_value(line, value, raw)
}

/// Builds the canonical line (without newline) for a new record.
///
/// The line is a fixed point of parse-then-canonicalise, so `verify` never
/// flags a record this crate wrote: a float that does not survive serde_json's
/// parse exactly is replaced by the value it parses to.
pub(crate) fn build_line(
    seq: u64,
    prev: Digest,
    new: &NewRecord,
    inputs: &[Artifact],
    outputs: &[Artifact],
) -> Result<String, String> {
    let raw = RawRecord {
        schema: SCHEMA_VERSION,
        seq,
        prev,
        stage: new.stage.clone(),
        tool: RawTool {
            name: TOOL_NAME.to_owned(),
            version: new.tool_version.clone(),
        },
        parameters: new.parameters.clone(),
        inputs: inputs
            .iter()
            .map(|a| RawInput {
                path: a.path.clone(),
                size: a.size,
                blake3: a.blake3,
                produced_by: a.produced_by,
            })
            .collect(),
        outputs: outputs
            .iter()
            .map(|a| RawOutput {
                path: a.path.clone(),
                size: a.size,
                blake3: a.blake3,
            })
            .collect(),
        runtime: RawRuntime {
            started_at: format_timestamp(new.runtime.started_at),
            finished_at: format_timestamp(new.runtime.finished_at),
            threads: u64::try_from(new.runtime.threads).unwrap_or(u64::MAX),
        },
    };
    let value = serde_json::to_value(&raw).map_err(|e| e.to_string())?;
    let mut line = canonical_json(&value);
    for _ in 0..4 {
        let again = canonical_json(&parse_json(line.as_bytes())?);
        if again == line {
            return Ok(line);
        }
        line = again;
    }
    Err("parameters contain a number whose JSON form does not round-trip".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_sorts_keys_and_strips_whitespace() {
        let v: Value = serde_json::from_str(r#"{ "b": [1, {"z": 1, "a": "x\n"}], "a": null }"#)
            .expect("literal JSON");
        assert_eq!(
            canonical_json(&v),
            r#"{"a":null,"b":[1,{"a":"x\n","z":1}]}"#
        );
        assert_eq!(
            canonical_json(&v),
            serde_json::to_string(&v).expect("value serialises")
        );
    }

    #[test]
    fn built_line_is_canonical_and_parses_back() -> Result<(), String> {
        let now = SystemTime::UNIX_EPOCH;
        let new = NewRecord::new(
            "ingest",
            "0.1.0",
            Runtime {
                started_at: now,
                finished_at: now,
                threads: 2,
            },
        )
        .parameter("min_qual", 0.1)
        .parameter("big", 1e300)
        .parameter("name", json!({"z": 1, "a": [true]}));
        let input = Artifact {
            path: "in.vcf".into(),
            size: 3,
            blake3: hash_bytes(b"abc"),
            produced_by: None,
        };
        let output = Artifact {
            path: "out.parquet".into(),
            size: 1,
            blake3: hash_bytes(b"x"),
            produced_by: None,
        };
        let line = build_line(
            1,
            Digest::ZERO,
            &new,
            std::slice::from_ref(&input),
            std::slice::from_ref(&output),
        )?;
        assert!(!line.contains('\n'));
        let value = parse_json(line.as_bytes())?;
        assert_eq!(canonical_json(&value), line);
        let rec = record_from_value(1, value, line.as_bytes())?;
        assert_eq!(rec.seq, 1);
        assert_eq!(rec.prev, Digest::ZERO);
        assert_eq!(rec.tool_name, "provar");
        assert_eq!(rec.inputs, vec![input]);
        assert_eq!(rec.outputs, vec![output]);
        assert_eq!(rec.runtime.started_at, "1970-01-01T00:00:00Z");
        assert_eq!(rec.runtime.threads, 2);
        assert_eq!(rec.digest, hash_bytes(line.as_bytes()));
        assert!(line.starts_with(r#"{"inputs":[{"blake3":""#));
        assert!(line.contains(r#""produced_by":null"#));
        assert!(line.contains(r#""schema":1"#));
        assert!(line.contains(&format!(r#""prev":"{}""#, "0".repeat(64))));
        Ok(())
    }

    #[test]
    fn rejects_unknown_schema_and_fields() {
        let ok = r#"{"inputs":[],"outputs":[],"parameters":{},"prev":"0000000000000000000000000000000000000000000000000000000000000000","runtime":{"finished_at":"x","started_at":"x","threads":1},"schema":1,"seq":1,"stage":"s","tool":{"name":"provar","version":"0"}}"#;
        assert!(parse_record(1, ok.as_bytes()).is_ok());
        let v2 = ok.replace(r#""schema":1"#, r#""schema":2"#);
        let err = parse_record(1, v2.as_bytes()).expect_err("schema 2 is rejected");
        assert!(err.contains("unsupported schema 2"), "{err}");
        let extra = ok.replace(r#""seq":1"#, r#""seq":1,"sneaky":true"#);
        assert!(parse_record(1, extra.as_bytes()).is_err());
    }
}
