//! Exports of a ledger for other provenance tools: W3C PROV-JSON, an in-toto Statement v1
//! with a SLSA provenance v1 predicate, and an RO-Crate 1.2 Provenance Run Crate.
//!
//! Every export is built from the records alone plus one read of each artifact to add its
//! SHA-256 (the digest those ecosystems expect) next to the recorded BLAKE3; an artifact
//! whose bytes no longer match the ledger stops the export, so an export never attests
//! bytes the ledger did not record. Output is deterministic: the same ledger gives the
//! same bytes.

use std::collections::BTreeMap;
use std::io::Read as _;

use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};

use crate::{Digest, Error, Ledger, Record};

/// One file as exported: the path as recorded, size, both digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// Path as recorded (relative to the ledger root, or absolute).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// BLAKE3 as recorded.
    pub blake3: Digest,
    /// SHA-256 of the same bytes, lowercase hex.
    pub sha256: String,
}

/// BLAKE3 and SHA-256 of a file in one pass.
fn hash_both(path: &std::path::Path) -> Result<(u64, Digest, String), Error> {
    let io = Error::io(path);
    if std::fs::metadata(path).map_err(&io)?.is_dir() {
        // A directory: both digests over its manifest (see `dir_manifest`).
        let (manifest, size) = crate::dir_manifest(path)?;
        let sha256 = Sha256::digest(manifest.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        return Ok((size, crate::hash_bytes(manifest.as_bytes()), sha256));
    }
    let mut file = std::fs::File::open(path).map_err(&io)?;
    let mut blake3 = blake3::Hasher::new();
    let mut sha = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(&io)?;
        if n == 0 {
            break;
        }
        blake3.update(&buffer[..n]);
        sha.update(&buffer[..n]);
        size += n as u64;
    }
    let sha256 = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((size, blake3.finalize().into(), sha256))
}

/// The artifacts of `records`, each (path, digest) once, with SHA-256 added.
fn exported_files(ledger: &Ledger, records: &[Record]) -> Result<Vec<ExportedFile>, Error> {
    let mut seen: BTreeMap<(String, Digest), u64> = BTreeMap::new();
    for record in records {
        for artifact in record.inputs.iter().chain(&record.outputs) {
            seen.insert((artifact.path.clone(), artifact.blake3), artifact.size);
        }
    }
    // The latest bytes of each path are on disk; older versions were overwritten and
    // keep their BLAKE3 only.
    let mut latest: BTreeMap<&str, Digest> = BTreeMap::new();
    for record in records {
        for artifact in record.inputs.iter().chain(&record.outputs) {
            latest.insert(&artifact.path, artifact.blake3);
        }
    }
    let mut files = Vec::with_capacity(seen.len());
    for ((path, blake3), size) in &seen {
        let sha256 = if latest.get(path.as_str()) == Some(blake3) {
            let file = ledger.resolve(path);
            let (found_size, found, sha256) = hash_both(&file)?;
            if found != *blake3 || found_size != *size {
                return Err(Error::Export {
                    path: file,
                    reason: format!(
                        "its bytes changed since the ledger recorded them (blake3 {blake3}, now {found}); run `provar ledger verify`"
                    ),
                });
            }
            sha256
        } else {
            String::new()
        };
        files.push(ExportedFile {
            path: path.clone(),
            size: *size,
            blake3: *blake3,
            sha256,
        });
    }
    Ok(files)
}

fn digest_set(file: &ExportedFile) -> Value {
    let mut set = Map::new();
    set.insert("blake3".into(), Value::from(file.blake3.to_string()));
    if !file.sha256.is_empty() {
        set.insert("sha256".into(), Value::from(file.sha256.clone()));
    }
    Value::Object(set)
}

/// The last record, in whose light the run is described.
fn records_or_empty(ledger: &Ledger) -> Result<Vec<Record>, Error> {
    let records = ledger.records()?;
    if records.is_empty() {
        return Err(Error::Empty {
            path: ledger.records_path(),
        });
    }
    Ok(records)
}

fn entity_id(path: &str, blake3: &Digest) -> String {
    format!("provar:file/{}/{}", &blake3.to_string()[..16], path)
}

impl Ledger {
    /// W3C PROV-JSON: one `entity` per file version (path and digest), one `activity`
    /// per record, the provar version as `softwareAgent`, and `used`, `wasGeneratedBy`,
    /// `wasAssociatedWith` and `wasDerivedFrom` relations.
    pub fn export_prov_json(&self) -> Result<String, Error> {
        let records = records_or_empty(self)?;
        let files = exported_files(self, &records)?;
        let mut entity = Map::new();
        for file in &files {
            let mut attrs = Map::new();
            attrs.insert("prov:label".into(), Value::from(file.path.clone()));
            attrs.insert("prov:type".into(), Value::from("provar:File"));
            attrs.insert("provar:path".into(), Value::from(file.path.clone()));
            attrs.insert("provar:size".into(), Value::from(file.size));
            attrs.insert("provar:blake3".into(), Value::from(file.blake3.to_string()));
            if !file.sha256.is_empty() {
                attrs.insert("provar:sha256".into(), Value::from(file.sha256.clone()));
            }
            entity.insert(entity_id(&file.path, &file.blake3), Value::Object(attrs));
        }
        let (mut activity, mut agent) = (Map::new(), Map::new());
        let (mut used, mut generated, mut associated, mut derived) =
            (Map::new(), Map::new(), Map::new(), Map::new());
        for record in &records {
            let id = format!("provar:record/{}", record.seq);
            let tool = format!("provar:tool/{}", record.tool_version);
            activity.insert(
                id.clone(),
                json!({
                    "prov:label": format!("record {} {}", record.seq, record.stage),
                    "prov:type": format!("provar:stage/{}", record.stage),
                    "prov:startTime": record.runtime.started_at,
                    "prov:endTime": record.runtime.finished_at,
                    "provar:seq": record.seq,
                    "provar:parameters": crate::canonical_json(&Value::Object(record.parameters.clone())),
                    "provar:digest": record.digest.to_string(),
                }),
            );
            agent.insert(
                tool.clone(),
                json!({"prov:type": "prov:SoftwareAgent", "prov:label": format!("{} {}", record.tool_name, record.tool_version)}),
            );
            associated.insert(
                format!("_:assoc{}", record.seq),
                json!({"prov:activity": id, "prov:agent": tool}),
            );
            for (i, input) in record.inputs.iter().enumerate() {
                used.insert(
                    format!("_:used{}.{}", record.seq, i + 1),
                    json!({"prov:activity": id, "prov:entity": entity_id(&input.path, &input.blake3)}),
                );
            }
            for (o, output) in record.outputs.iter().enumerate() {
                let out_id = entity_id(&output.path, &output.blake3);
                generated.insert(
                    format!("_:gen{}.{}", record.seq, o + 1),
                    json!({"prov:entity": out_id, "prov:activity": id}),
                );
                for (i, input) in record.inputs.iter().enumerate() {
                    derived.insert(
                        format!("_:der{}.{}.{}", record.seq, o + 1, i + 1),
                        json!({
                            "prov:generatedEntity": out_id,
                            "prov:usedEntity": entity_id(&input.path, &input.blake3),
                            "prov:activity": id,
                        }),
                    );
                }
            }
        }
        let document = json!({
            "prefix": {
                "provar": "https://github.com/provar/provar/ledger#",
            },
            "entity": entity,
            "activity": activity,
            "agent": agent,
            "used": used,
            "wasGeneratedBy": generated,
            "wasAssociatedWith": associated,
            "wasDerivedFrom": derived,
        });
        Ok(pretty(&document))
    }

    /// An in-toto Statement v1 whose subjects are the run's final outputs (sha256 and
    /// blake3) and whose predicate is SLSA provenance v1: the stages as the build
    /// definition, raw inputs as resolved dependencies, the ledger's checkpoint as run
    /// metadata. Unsigned: sign it with your attestation tooling (e.g. a DSSE envelope).
    pub fn export_in_toto(&self) -> Result<String, Error> {
        let records = records_or_empty(self)?;
        let files = exported_files(self, &records)?;
        let by_key: BTreeMap<(&str, Digest), &crate::export::ExportedFile> = files
            .iter()
            .map(|f| ((f.path.as_str(), f.blake3), f))
            .collect();
        // Subjects: the latest version of every output; dependencies: inputs no record
        // produced.
        let mut latest_output: BTreeMap<&str, Digest> = BTreeMap::new();
        let mut raw: BTreeMap<&str, Digest> = BTreeMap::new();
        for record in &records {
            for output in &record.outputs {
                latest_output.insert(&output.path, output.blake3);
            }
            for input in record.inputs.iter().filter(|i| i.produced_by.is_none()) {
                raw.insert(&input.path, input.blake3);
            }
        }
        let describe = |path: &str, blake3: Digest| -> Value {
            match by_key.get(&(path, blake3)) {
                Some(file) => json!({"name": path, "digest": digest_set(file)}),
                None => json!({"name": path, "digest": {"blake3": blake3.to_string()}}),
            }
        };
        let subject: Vec<Value> = latest_output
            .iter()
            .map(|(path, blake3)| describe(path, *blake3))
            .collect();
        let dependencies: Vec<Value> = raw
            .iter()
            .filter(|(path, _)| !latest_output.contains_key(*path))
            .map(|(path, blake3)| {
                let mut value = describe(path, *blake3);
                if let Value::Object(map) = &mut value {
                    map.insert("uri".into(), Value::from(format!("file:{path}")));
                }
                value
            })
            .collect();
        let stages: Vec<Value> = records
            .iter()
            .map(|r| {
                json!({
                    "seq": r.seq,
                    "stage": r.stage,
                    "parameters": Value::Object(r.parameters.clone()),
                    "inputs": r.inputs.iter().map(|a| a.path.clone()).collect::<Vec<_>>(),
                    "outputs": r.outputs.iter().map(|a| a.path.clone()).collect::<Vec<_>>(),
                    "record_blake3": r.digest.to_string(),
                })
            })
            .collect();
        let checkpoint = self.checkpoint()?.map(|c| c.to_string());
        let (first, last) = (&records[0], &records[records.len() - 1]);
        let statement = json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": subject,
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://github.com/provar/provar/ledger-run/v1",
                    "externalParameters": {"stages": stages},
                    "internalParameters": {"ledger_schema": crate::SCHEMA_VERSION},
                    "resolvedDependencies": dependencies,
                },
                "runDetails": {
                    "builder": {
                        "id": "https://github.com/provar/provar",
                        "version": {"provar": last.tool_version},
                    },
                    "metadata": {
                        "invocationId": checkpoint.as_deref().and_then(|c| c.lines().next()).unwrap_or_default(),
                        "startedOn": first.runtime.started_at,
                        "finishedOn": last.runtime.finished_at,
                    },
                    "byproducts": [{
                        "name": "ledger checkpoint",
                        "mediaType": "text/plain",
                        "content": checkpoint.map(|c| base64_text(&c)).unwrap_or_default(),
                    }],
                },
            },
        });
        Ok(pretty(&statement))
    }

    /// An RO-Crate 1.2 metadata document (`ro-crate-metadata.json`, to be written in the
    /// ledger root) following the Provenance Run Crate profile: the pipeline as a
    /// `ComputationalWorkflow`, each stage as a `SoftwareApplication` step with its
    /// `HowToStep`, each record as a `CreateAction` with its `object` (inputs) and
    /// `result` (outputs), and an `OrganizeAction` for the whole run; files carry
    /// `contentSize`, `sha256` and BLAKE3 (as `provar:blake3`).
    pub fn export_ro_crate(&self) -> Result<String, Error> {
        let records = records_or_empty(self)?;
        let files = exported_files(self, &records)?;
        let mut latest: BTreeMap<&str, &ExportedFile> = BTreeMap::new();
        for file in &files {
            if !file.sha256.is_empty() {
                latest.insert(&file.path, file);
            }
        }
        let file_id = |path: &str| -> String {
            if path.starts_with('/') {
                format!("file://{path}")
            } else {
                path.to_owned()
            }
        };
        let mut graph = vec![json!({
            "@id": "ro-crate-metadata.json",
            "@type": "CreativeWork",
            // RO-Crate 1.2; 1.1 too, on which the Process/Workflow/Provenance Run Crate
            // 0.5 profiles are defined (their validator checks it).
            "conformsTo": [
                {"@id": "https://w3id.org/ro/crate/1.2"},
                {"@id": "https://w3id.org/ro/crate/1.1"},
            ],
            "about": {"@id": "./"},
        })];
        let mut stages: Vec<&str> = records.iter().map(|r| r.stage.as_str()).collect();
        stages.sort_unstable();
        stages.dedup();
        let last = &records[records.len() - 1];
        // The main workflow is the ledger's record file: the stages exactly as they ran,
        // with their parameters, in order.
        let workflow = "ledger/records.jsonl";
        let mut has_part: Vec<Value> = vec![json!({"@id": workflow})];
        has_part.extend(latest.keys().map(|p| json!({"@id": file_id(p)})));
        graph.push(json!({
            "@id": "./",
            "@type": "Dataset",
            "name": "provar run",
            "description": "Outputs of a provar run and their provenance, exported from its ledger",
            "datePublished": last.runtime.finished_at,
            "license": {"@id": "https://spdx.org/licenses/CC-BY-4.0"},
            "conformsTo": [
                {"@id": "https://w3id.org/ro/wfrun/process/0.5"},
                {"@id": "https://w3id.org/ro/wfrun/workflow/0.5"},
                {"@id": "https://w3id.org/ro/wfrun/provenance/0.5"},
                {"@id": "https://w3id.org/workflowhub/workflow-ro-crate/1.0"},
            ],
            "mainEntity": {"@id": workflow},
            "mentions": [{"@id": "#run"}],
            "hasPart": has_part,
        }));
        for (id, name, version) in [
            (
                "https://w3id.org/ro/wfrun/process/0.5",
                "Process Run Crate",
                "0.5",
            ),
            (
                "https://w3id.org/ro/wfrun/workflow/0.5",
                "Workflow Run Crate",
                "0.5",
            ),
            (
                "https://w3id.org/ro/wfrun/provenance/0.5",
                "Provenance Run Crate",
                "0.5",
            ),
            (
                "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
                "Workflow RO-Crate",
                "1.0",
            ),
        ] {
            graph.push(json!({"@id": id, "@type": ["CreativeWork", "Profile"], "name": name, "version": version}));
        }
        graph.push(json!({
            "@id": workflow,
            "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"],
            "name": "provar pipeline as recorded in its ledger",
            "encodingFormat": "application/x-ndjson",
            "programmingLanguage": {"@id": "#provar-language"},
            "hasPart": stages.iter().map(|s| json!({"@id": format!("#stage-{s}")})).collect::<Vec<_>>(),
            "step": stages.iter().map(|s| json!({"@id": format!("#step-{s}")})).collect::<Vec<_>>(),
        }));
        graph.push(json!({
            "@id": "#provar-language",
            "@type": "ComputerLanguage",
            "name": "provar",
            "url": {"@id": "https://github.com/provar/provar"},
            "version": last.tool_version,
        }));
        for (position, stage) in stages.iter().enumerate() {
            graph.push(json!({
                "@id": format!("#stage-{stage}"),
                "@type": "SoftwareApplication",
                "name": format!("provar {stage}"),
                "softwareVersion": last.tool_version,
                "version": last.tool_version,
                "url": {"@id": "https://github.com/provar/provar"},
            }));
            graph.push(json!({
                "@id": format!("#step-{stage}"),
                "@type": "HowToStep",
                "position": position.to_string(),
                "workExample": {"@id": format!("#stage-{stage}")},
            }));
        }
        let mut objects: BTreeMap<String, Value> = BTreeMap::new();
        let mut actions = Vec::new();
        for record in &records {
            let action_id = format!("#record-{}", record.seq);
            let refs = |artifacts: &[crate::Artifact]| -> Vec<Value> {
                artifacts
                    .iter()
                    .map(|a| json!({"@id": file_id(&a.path)}))
                    .collect()
            };
            for artifact in record.inputs.iter().chain(&record.outputs) {
                let id = file_id(&artifact.path);
                let mut entity = json!({
                    "@id": id,
                    "@type": "File",
                    "name": artifact.path,
                    "contentSize": artifact.size.to_string(),
                    "provar:blake3": artifact.blake3.to_string(),
                });
                if let Some(file) = latest.get(artifact.path.as_str()) {
                    if file.blake3 == artifact.blake3 {
                        entity["sha256"] = Value::from(file.sha256.clone());
                    }
                }
                objects.insert(id, entity);
            }
            graph.push(json!({
                "@id": action_id,
                "@type": "CreateAction",
                "name": format!("record {} {}", record.seq, record.stage),
                "instrument": {"@id": format!("#stage-{}", record.stage)},
                "startTime": record.runtime.started_at,
                "endTime": record.runtime.finished_at,
                "object": refs(&record.inputs),
                "result": refs(&record.outputs),
                "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"},
                "description": format!(
                    "parameters {}; ledger record blake3 {}",
                    crate::canonical_json(&Value::Object(record.parameters.clone())),
                    record.digest
                ),
            }));
            graph.push(json!({
                "@id": format!("#control-{}", record.seq),
                "@type": "ControlAction",
                "instrument": {"@id": format!("#step-{}", record.stage)},
                "object": {"@id": action_id},
            }));
            actions.push(json!({"@id": format!("#control-{}", record.seq)}));
        }
        graph.push(json!({
            "@id": "#run",
            "@type": "CreateAction",
            "name": "provar run",
            "instrument": {"@id": workflow},
            "startTime": records[0].runtime.started_at,
            "endTime": last.runtime.finished_at,
            "object": [],
            "result": latest.keys().map(|p| json!({"@id": file_id(p)})).collect::<Vec<_>>(),
        }));
        graph.push(json!({
            "@id": "#organize",
            "@type": "OrganizeAction",
            "name": "provar run orchestration",
            "instrument": {"@id": "#provar-engine"},
            "object": actions,
            "result": {"@id": "#run"},
        }));
        graph.push(json!({
            "@id": "#provar-engine",
            "@type": "SoftwareApplication",
            "name": "provar",
            "softwareVersion": last.tool_version,
            "version": last.tool_version,
            "url": {"@id": "https://github.com/provar/provar"},
        }));
        graph.extend(objects.into_values());
        let crate_doc = json!({
            "@context": [
                "https://w3id.org/ro/crate/1.2/context",
                {"provar": "https://github.com/provar/provar/ledger#"},
            ],
            "@graph": graph,
        });
        Ok(pretty(&crate_doc))
    }
}

fn base64_text(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

/// Pretty JSON with sorted keys (serde_json's map is ordered by key) and a final newline.
fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
