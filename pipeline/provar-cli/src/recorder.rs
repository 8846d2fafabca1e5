//! Connects a stage run to the ledger: checks inputs before, appends one record after.

use std::{
    path::{Path, PathBuf},
    time::SystemTime,
};

use anyhow::Context as _;
use provar_ledger::{Ledger, NewRecord, Runtime, Signer};
use serde_json::{Map, Value};

/// Raised when `ledger verify` (or the check at the end of `run`) finds problems: exit 1.
#[derive(Debug, thiserror::Error)]
#[error("ledger {} failed verification: {problems} problem(s)", dir.display())]
pub(crate) struct VerifyFailed {
    pub(crate) dir: PathBuf,
    pub(crate) problems: usize,
}

/// The environment variable naming the ledger segment a job records into: set by a
/// workflow engine per job (e.g. `ingest-shard3`), so that scattered jobs never share a
/// mutable file. The job's records go to `LEDGER/segments/NAME/`, sealed when the command
/// succeeds; `provar ledger merge` folds the segments into the log.
pub(crate) const SEGMENT_ENV: &str = "PROVAR_LEDGER_SEGMENT";

/// The segment this process records into (opened at the first stage, sealed at the end).
static SEGMENT: std::sync::Mutex<Option<Ledger>> = std::sync::Mutex::new(None);

/// The segment name from `PROVAR_LEDGER_SEGMENT`, if set and non-empty.
fn segment_name() -> Option<String> {
    std::env::var(SEGMENT_ENV)
        .ok()
        .filter(|name| !name.is_empty())
}

/// Opens the ledger a stage appends to: the ledger itself, or this process's segment of it.
fn open_for_append(main: Ledger) -> anyhow::Result<Ledger> {
    let Some(name) = segment_name() else {
        return Ok(main);
    };
    let mut slot = SEGMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(segment) = slot.as_ref() {
        return Ok(segment.clone());
    }
    let segment = main
        .open_segment_with(&name, true)
        .with_context(|| format!("opening ledger segment {name} ({SEGMENT_ENV})"))?;
    *slot = Some(segment.clone());
    Ok(segment)
}

/// Seals this process's segment, if it recorded into one (called when the command
/// succeeded). Returns the segment directory.
pub(crate) fn seal_segment() -> anyhow::Result<Option<PathBuf>> {
    let slot = SEGMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match slot.as_ref() {
        Some(segment) => {
            segment
                .seal()
                .with_context(|| format!("sealing ledger segment {}", segment.dir().display()))?;
            Ok(Some(segment.dir().to_path_buf()))
        }
        None => Ok(None),
    }
}

/// The name of this machine, for the record's `host`.
fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|name| name.trim().to_owned())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|name| !name.is_empty())
}

/// One stage run being recorded.
pub(crate) struct Recorder {
    ledger: Option<Ledger>,
    started: SystemTime,
    inputs: Vec<PathBuf>,
    parameters: Map<String, Value>,
}

impl Recorder {
    /// Opens the ledger (if any) and checks every existing input against what the ledger
    /// recorded for it.
    pub(crate) fn begin(ledger: Option<&Path>, inputs: Vec<PathBuf>) -> anyhow::Result<Self> {
        let started = SystemTime::now();
        let ledger = ledger
            .map(|dir| -> anyhow::Result<Ledger> {
                let ledger = Ledger::open(dir)
                    .with_context(|| format!("opening ledger {}", dir.display()))?;
                Ok(match signer_from_env()? {
                    Some(signer) => ledger.with_signer(signer),
                    None => ledger,
                })
            })
            .transpose()?;
        if let Some(ledger) = &ledger {
            for input in inputs.iter().filter(|p| p.exists()) {
                ledger.check_input(input)?;
            }
        }
        let ledger = ledger.map(open_for_append).transpose()?;
        if let Some(segment) = ledger.as_ref().filter(|_| segment_name().is_some()) {
            // Within the job, a later stage also checks what an earlier one recorded.
            for input in inputs.iter().filter(|p| p.exists()) {
                segment.check_input(input)?;
            }
        }
        Ok(Self {
            ledger,
            started,
            inputs,
            parameters: Map::new(),
        })
    }

    /// Records a parameter.
    pub(crate) fn parameter(&mut self, key: &str, value: impl Into<Value>) {
        self.parameters.insert(key.to_owned(), value.into());
    }

    /// Appends the record for this run (after its outputs were renamed into place).
    pub(crate) fn finish(
        self,
        stage: &str,
        outputs: Vec<PathBuf>,
        threads: usize,
    ) -> anyhow::Result<()> {
        let Some(ledger) = self.ledger else {
            return Ok(());
        };
        let record = NewRecord {
            stage: stage.to_owned(),
            // The version and the git commit of the build (`provar --version`).
            tool_version: crate::cli::VERSION.to_owned(),
            parameters: self.parameters,
            inputs: self.inputs,
            outputs,
            runtime: Runtime {
                started_at: self.started,
                finished_at: SystemTime::now(),
                threads,
            },
            host: host_name(),
        };
        ledger
            .append(record)
            .with_context(|| format!("recording {stage} in ledger {}", ledger.dir().display()))?;
        Ok(())
    }
}

/// The environment variable naming a signer key file: when set, every checkpoint a stage
/// writes is signed with it, so stage commands need no signing flag.
pub(crate) const SIGN_KEY_ENV: &str = "PROVAR_SIGN_KEY";

/// Reads a signer key file (`PRIVATE+KEY+NAME+KEYID+KEY`, as written by `ledger keygen`).
pub(crate) fn read_signer(path: &Path) -> anyhow::Result<Signer> {
    let text = fs_err::read_to_string(path).context("reading the signing key")?;
    text.parse::<Signer>()
        .with_context(|| format!("reading signing key {}", path.display()))
}

/// The signer named by `PROVAR_SIGN_KEY`, if set and non-empty.
pub(crate) fn signer_from_env() -> anyhow::Result<Option<Signer>> {
    match std::env::var_os(SIGN_KEY_ENV) {
        Some(path) if !path.is_empty() => read_signer(Path::new(&path))
            .with_context(|| format!("{SIGN_KEY_ENV} is set"))
            .map(Some),
        _ => Ok(None),
    }
}

/// A likely fix for common errors.
pub(crate) fn hint(error: &anyhow::Error) -> Option<&'static str> {
    error
        .chain()
        .find_map(|e| match e.downcast_ref::<provar_ledger::Error>() {
            Some(provar_ledger::Error::InputChanged { .. }) => Some(
                "the file changed after the ledger recorded it; re-run the stage that produced it",
            ),
            Some(provar_ledger::Error::TornTail { .. }) => Some(
                "a writer died mid-append; `provar ledger repair --ledger DIR` drops the torn record",
            ),
            Some(provar_ledger::Error::HeadMismatch { .. }) => Some(
                "run `provar ledger verify --ledger DIR` to see what changed; `provar ledger repair` fixes a crash",
            ),
            _ => match e.downcast_ref::<provar_io::vcf::Error>() {
                Some(provar_io::vcf::Error::UnsupportedCompression { .. }) => {
                    Some("recompress with `bgzip` (htslib) instead of gzip")
                }
                _ => None,
            },
        })
}
