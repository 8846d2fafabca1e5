//! Record types and their canonical JSON form.

use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{format_timestamp, hash_bytes, Digest};

/// The record schema version written by this crate (the `schema` field).
///
/// Schema 2 adds the optional `host` and `segment` fields to schema 1; records of both
/// schemas are read.
pub const SCHEMA_VERSION: u64 = 2;

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
    /// The machine the stage ran on (`None` leaves it out).
    pub host: Option<String>,
}

/// Where a record merged from a segment came from (the `segment` field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentOrigin {
    /// The segment's name (its directory under `segments/`).
    pub name: String,
    /// The record's seq within the segment.
    pub seq: u64,
    /// BLAKE3 of the record's line in the segment.
    pub digest: Digest,
    /// Base64 Merkle root of the sealed segment (its checkpoint when sealed).
    pub root: String,
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
            host: None,
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
    /// The machine the stage ran on, when recorded.
    pub host: Option<String>,
    /// For a record merged from a segment: which segment record it is.
    pub segment: Option<SegmentOrigin>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    segment: Option<SegmentOrigin>,
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

/// Canonical JSON per RFC 8785 (the JSON Canonicalization Scheme): no insignificant
/// whitespace, object keys sorted by their UTF-16 code units, strings with the minimal
/// escapes (`\"`, `\\`, `\b \f \n \r \t`, other controls as lowercase `\u00xx`),
/// and floating-point numbers in ECMAScript's shortest form (`1e+30`, `4.5`, `0.002`,
/// `1e-27`, `-0` as `0`).
///
/// One deliberate difference: integers beyond 2^53 (never written by provar, whose
/// sizes and counts stay far below) are kept exact instead of being rounded to a double.
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
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
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
        Value::Number(number) if number.is_f64() => match number.as_f64() {
            Some(float) => out.push_str(&ecmascript_number(float)),
            None => out.push_str(&number.to_string()),
        },
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A finite double as ECMAScript's `Number.prototype.toString` writes it (RFC 8785
/// section 3.2.2.3): the shortest digits that read back to the same double, in plain
/// notation for decimal exponents from -6 to 20 and `d.ddde±x` outside.
pub fn ecmascript_number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        // JSON has no NaN or infinity; serde_json never produces them.
        return "0".to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i64;
    // value = 0.d1d2…dk × 10^n
    let n = exponent + 1;
    let mut out = String::new();
    if value < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(&(n - 1).abs().to_string());
    }
    out
}

/// Parses one line as JSON.
pub(crate) fn parse_json(raw: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(raw).map_err(|e| e.to_string())
}

/// Interprets an already-parsed line as a schema-1 record.
pub(crate) fn record_from_value(line: usize, value: Value, raw: &[u8]) -> Result<Record, String> {
    let rec: RawRecord = serde_json::from_value(value).map_err(|e| e.to_string())?;
    match rec.schema {
        1 if rec.host.is_some() || rec.segment.is_some() => {
            return Err("schema 1 records have no host or segment field".to_owned());
        }
        1 | SCHEMA_VERSION => {}
        other => {
            return Err(format!(
                "unsupported schema {other} (this provar understands schemas 1 to {SCHEMA_VERSION})"
            ));
        }
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
        host: rec.host,
        segment: rec.segment,
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
    merged: Option<(&SegmentOrigin, &RecordedRuntime)>,
) -> Result<String, String> {
    let (segment, recorded) = match merged {
        Some((segment, runtime)) => (Some(segment), Some(runtime)),
        None => (None, None),
    };
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
        runtime: match recorded {
            Some(runtime) => RawRuntime {
                started_at: runtime.started_at.clone(),
                finished_at: runtime.finished_at.clone(),
                threads: runtime.threads,
            },
            None => RawRuntime {
                started_at: format_timestamp(new.runtime.started_at),
                finished_at: format_timestamp(new.runtime.finished_at),
                threads: u64::try_from(new.runtime.threads).unwrap_or(u64::MAX),
            },
        },
        host: new.host.clone(),
        segment: segment.cloned(),
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
    fn rfc8785_numbers_match_the_published_vectors() {
        // RFC 8785 appendix B: IEEE 754 bit patterns and their canonical text.
        let vectors: [(u64, &str); 14] = [
            (0x0000_0000_0000_0000, "0"),
            (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"),
            (0x8000_0000_0000_0001, "-5e-324"),
            (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
            (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"),
            (0xc340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"),
            (0x44b5_2d02_c7e1_4af6, "1e+23"),
            (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
            (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
            (0x41b3_de43_5555_5555, "333333333.3333333"),
        ];
        for (bits, text) in vectors {
            assert_eq!(ecmascript_number(f64::from_bits(bits)), text, "{bits:016x}");
        }
        assert_eq!(ecmascript_number(1e21), "1e+21");
        assert_eq!(
            ecmascript_number(999_999_999_999_999_900_000.0),
            "999999999999999900000"
        );
    }

    #[test]
    fn rfc8785_sample_from_the_reference_implementation() -> Result<(), String> {
        // The sample of cyberphone/json-canonicalization (the RFC's reference code).
        let input = r#"{
  "numbers": [1E30,4.50,6,2e-3,0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "other":  [null, true, false]
}"#;
        let expected = "{\"escaping\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\",\"numbers\":[1e+30,4.5,6,0.002,1e-27],\"other\":[null,true,false]}";
        assert_eq!(canonical_json(&parse_json(input.as_bytes())?), expected);
        // Keys sort by UTF-16 code units: U+1F600 (surrogates D83D…) before U+FB01.
        let keys = json!({"\u{fb01}": 1, "\u{1f600}": 2, "a": 3});
        assert_eq!(
            canonical_json(&keys),
            "{\"a\":3,\"\u{1f600}\":2,\"\u{fb01}\":1}"
        );
        Ok(())
    }

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
            None,
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
        assert!(line.contains(r#""schema":2"#));
        assert!(line.contains(&format!(r#""prev":"{}""#, "0".repeat(64))));
        Ok(())
    }

    #[test]
    fn rejects_unknown_schema_and_fields() {
        let ok = r#"{"inputs":[],"outputs":[],"parameters":{},"prev":"0000000000000000000000000000000000000000000000000000000000000000","runtime":{"finished_at":"x","started_at":"x","threads":1},"schema":1,"seq":1,"stage":"s","tool":{"name":"provar","version":"0"}}"#;
        assert!(parse_record(1, ok.as_bytes()).is_ok());
        let v3 = ok.replace(r#""schema":1"#, r#""schema":3"#);
        let err = parse_record(1, v3.as_bytes()).expect_err("schema 3 is rejected");
        assert!(err.contains("unsupported schema 3"), "{err}");
        // Schema 1 has no host; schema 2 may.
        let host = ok.replace(r#""inputs""#, r#""host":"node7","inputs""#);
        assert!(parse_record(1, host.as_bytes()).is_err());
        let host2 = host.replace(r#""schema":1"#, r#""schema":2"#);
        assert!(parse_record(1, host2.as_bytes()).is_ok());
        let extra = ok.replace(r#""seq":1"#, r#""seq":1,"sneaky":true"#);
        assert!(parse_record(1, extra.as_bytes()).is_err());
    }
}
