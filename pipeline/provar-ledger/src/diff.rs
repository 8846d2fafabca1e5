//! What differs between two runs: `provar ledger diff RUN_A RUN_B`.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::{Artifact, Error, Ledger, Record};

/// One difference between two runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// A stage ran in one run only (`in_a` says which).
    StageOnlyIn {
        /// The stage.
        stage: String,
        /// True when only run A has it.
        in_a: bool,
    },
    /// The provar version of a stage differs.
    Version {
        /// The stage.
        stage: String,
        /// Version in A.
        a: String,
        /// Version in B.
        b: String,
    },
    /// A parameter differs, or is set in one run only.
    Parameter {
        /// The stage.
        stage: String,
        /// The parameter.
        key: String,
        /// Value in A (`None`: not set).
        a: Option<Value>,
        /// Value in B.
        b: Option<Value>,
    },
    /// An input or output file differs (bytes), or is in one run only.
    File {
        /// The stage.
        stage: String,
        /// "input" or "output".
        role: &'static str,
        /// The recorded path.
        path: String,
        /// BLAKE3 and size in A.
        a: Option<(String, u64)>,
        /// BLAKE3 and size in B.
        b: Option<(String, u64)>,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<Value>| {
            v.as_ref()
                .map_or_else(|| "(not set)".to_owned(), crate::canonical_json)
        };
        let file = |v: &Option<(String, u64)>| match v {
            Some((digest, size)) => format!("blake3 {}… {size} bytes", &digest[..16]),
            None => "(absent)".to_owned(),
        };
        match self {
            Difference::StageOnlyIn { stage, in_a } => {
                write!(
                    f,
                    "stage {stage}: only in run {}",
                    if *in_a { "A" } else { "B" }
                )
            }
            Difference::Version { stage, a, b } => {
                write!(f, "stage {stage}: provar version {a} -> {b}")
            }
            Difference::Parameter { stage, key, a, b } => {
                write!(
                    f,
                    "stage {stage}: parameter {key}: {} -> {}",
                    show(a),
                    show(b)
                )
            }
            Difference::File {
                stage,
                role,
                path,
                a,
                b,
            } => {
                write!(
                    f,
                    "stage {stage}: {role} {path}: {} -> {}",
                    file(a),
                    file(b)
                )
            }
        }
    }
}

/// The latest record of each stage (what a run directory holds now, after re-runs).
fn by_stage(records: &[Record]) -> BTreeMap<String, &Record> {
    let mut keyed = BTreeMap::new();
    for record in records {
        keyed.insert(record.stage.clone(), record);
    }
    keyed
}

fn files(artifacts: &[Artifact]) -> BTreeMap<&str, (String, u64)> {
    artifacts
        .iter()
        .map(|a| (a.path.as_str(), (a.blake3.to_string(), a.size)))
        .collect()
}

/// Compares two runs' ledgers stage by stage (the latest record of each stage, which
/// describes what the run directory holds after any re-runs): versions, parameters, and
/// input and output files by recorded path and digest.
/// Timestamps, hosts and record order are not differences. An empty list: same run.
pub fn diff(a: &Ledger, b: &Ledger) -> Result<Vec<Difference>, Error> {
    let (records_a, records_b) = (a.records()?, b.records()?);
    let (stages_a, stages_b) = (by_stage(&records_a), by_stage(&records_b));
    let mut out = Vec::new();
    let mut keys: Vec<&String> = stages_a.keys().chain(stages_b.keys()).collect();
    keys.sort_by_key(|k| {
        // Pipeline order: by seq in A, else in B.
        stages_a
            .get(*k)
            .map(|r| (0, r.seq))
            .or_else(|| stages_b.get(*k).map(|r| (1, r.seq)))
    });
    keys.dedup();
    for stage in keys {
        let (Some(ra), Some(rb)) = (stages_a.get(stage), stages_b.get(stage)) else {
            out.push(Difference::StageOnlyIn {
                stage: stage.clone(),
                in_a: stages_a.contains_key(stage),
            });
            continue;
        };
        if ra.tool_version != rb.tool_version {
            out.push(Difference::Version {
                stage: stage.clone(),
                a: ra.tool_version.clone(),
                b: rb.tool_version.clone(),
            });
        }
        let mut params: Vec<&String> = ra.parameters.keys().chain(rb.parameters.keys()).collect();
        params.sort();
        params.dedup();
        for key in params {
            let (va, vb) = (ra.parameters.get(key), rb.parameters.get(key));
            if va != vb {
                out.push(Difference::Parameter {
                    stage: stage.clone(),
                    key: key.clone(),
                    a: va.cloned(),
                    b: vb.cloned(),
                });
            }
        }
        for (role, fa, fb) in [
            ("input", files(&ra.inputs), files(&rb.inputs)),
            ("output", files(&ra.outputs), files(&rb.outputs)),
        ] {
            let mut paths: Vec<&&str> = fa.keys().chain(fb.keys()).collect();
            paths.sort();
            paths.dedup();
            for path in paths {
                let (xa, xb) = (fa.get(*path), fb.get(*path));
                if xa != xb {
                    out.push(Difference::File {
                        stage: stage.clone(),
                        role,
                        path: (*path).to_owned(),
                        a: xa.cloned(),
                        b: xb.cloned(),
                    });
                }
            }
        }
    }
    Ok(out)
}
