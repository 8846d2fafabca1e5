//! `provar ledger`: verify, keygen, sign, prove, check-proof, repair.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use provar_ledger::note::{parse_verifiers, Signer, Verifier};
use provar_ledger::proof::{self, CheckInputs, Proof};
use provar_ledger::{EarlierCheckpoint, Ledger, SignedCheckpoint, VerifyOptions, VerifyReport};

use crate::{
    cli::{
        LedgerArgs, LedgerCheckProofArgs, LedgerCommand, LedgerExportArgs, LedgerExportFormat,
        LedgerKeygenArgs, LedgerLineageArgs, LedgerProveArgs, LedgerVerifyArgs,
    },
    recorder::{read_signer, signer_from_env, VerifyFailed},
    ExitStatus,
};

use super::Context;

/// Verifies the ledger in `dir`; prints every problem to stderr. Returns the report.
pub(crate) fn verify(context: &Context, dir: &Path) -> anyhow::Result<VerifyReport> {
    verify_with(context, dir, &VerifyOptions::default())
}

fn verify_with(
    context: &Context,
    dir: &Path,
    options: &VerifyOptions,
) -> anyhow::Result<VerifyReport> {
    let ledger =
        Ledger::open_existing(dir).with_context(|| format!("opening ledger {}", dir.display()))?;
    let report = ledger
        .verify_with(options)
        .with_context(|| format!("verifying ledger {}", dir.display()))?;
    for problem in &report.problems {
        eprintln!("provar: ledger {}: {problem}", dir.display());
    }
    if report.is_ok() {
        let signed = if report.signed_by.is_empty() {
            String::new()
        } else {
            format!("; checkpoint signed by {}", report.signed_by.join(", "))
        };
        let since = if options.since.is_empty() {
            String::new()
        } else {
            format!("; extends {} earlier checkpoint(s)", options.since.len())
        };
        context.say(format_args!(
            "ledger: {} records, {} artifacts verified{signed}{since}: ok",
            report.records, report.artifacts
        ));
    }
    Ok(report)
}

/// Reads a trusted-keys file (one vkey per line).
fn read_trusted_keys(path: &Path) -> anyhow::Result<Vec<Verifier>> {
    let text = fs_err::read_to_string(path).context("reading trusted keys")?;
    parse_verifiers(&text).map_err(|(line, e)| {
        anyhow::Error::new(e).context(format!("invalid trusted key at {}:{line}", path.display()))
    })
}

/// Reads a checkpoint file.
fn read_checkpoint(path: &Path) -> anyhow::Result<SignedCheckpoint> {
    let text = fs_err::read_to_string(path).context("reading checkpoint")?;
    text.parse::<SignedCheckpoint>()
        .with_context(|| format!("invalid checkpoint {}", path.display()))
}

/// Writes data to stdout; a closed pipe is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}

pub(crate) fn run(context: &Context, args: &LedgerArgs) -> anyhow::Result<ExitStatus> {
    match &args.command {
        LedgerCommand::Verify(args) => run_verify(context, args),
        LedgerCommand::Keygen(args) => keygen(context, args),
        LedgerCommand::Sign(args) => {
            let signer = read_signer(&args.sign_key)?;
            let ledger = Ledger::open_existing(&args.ledger)
                .with_context(|| format!("opening ledger {}", args.ledger.display()))?;
            let signed = ledger
                .sign(&signer)
                .with_context(|| format!("signing ledger {}", args.ledger.display()))?;
            context.say(format_args!(
                "ledger: checkpoint at {} records signed by {}",
                signed.checkpoint.size,
                signer.verifier().label()
            ));
            Ok(ExitStatus::Success)
        }
        LedgerCommand::Prove(args) => prove(args),
        LedgerCommand::Lineage(args) => lineage(args),
        LedgerCommand::Export(args) => export(context, args),
        LedgerCommand::CheckProof(args) => check_proof(context, args),
        LedgerCommand::Repair(args) => {
            let mut ledger = Ledger::open_existing(&args.ledger)
                .with_context(|| format!("opening ledger {}", args.ledger.display()))?;
            if let Some(signer) = signer_from_env()? {
                ledger = ledger.with_signer(signer);
            }
            let repair = ledger
                .repair(crate::cli::VERSION)
                .with_context(|| format!("repairing ledger {}", args.ledger.display()))?;
            match repair {
                None => context.say(format_args!(
                    "ledger: no torn record in {}: nothing to repair",
                    args.ledger.display()
                )),
                Some(r) => context.say(format_args!(
                    "ledger: dropped {} bytes ({}) after record {} and recorded a repair record",
                    r.dropped_bytes, r.reason, r.kept_records
                )),
            }
            Ok(ExitStatus::Success)
        }
        LedgerCommand::Merge(args) => merge(context, &args.ledger),
        LedgerCommand::Diff(args) => diff(context, &args.a, &args.b),
        LedgerCommand::Affected(args) => affected(context, args),
    }
}

/// Whether the file at `path` (a VCF/BCF or a Parquet table with a `sample_id` column)
/// names any of `ids`; `None` when it is neither or cannot be read.
fn lists_sample(path: &Path, ids: &[String]) -> Option<bool> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".vcf") || name.ends_with(".vcf.gz") || name.ends_with(".bcf") {
        let mut reader = provar_io::vcf::Reader::open(path, 1).ok()?;
        let header = reader.read_header().ok()?;
        return Some(header.sample_names().iter().any(|s| ids.contains(s)));
    }
    let stem = name.strip_suffix(".parquet")?;
    let (_, batches) = provar_io::table::read_any(path.parent()?, stem).ok()??;
    let mut has_column = false;
    for batch in &batches {
        let Some(column) = batch.column_by_name("sample_id") else {
            continue;
        };
        has_column = true;
        let strings = column
            .as_any()
            .downcast_ref::<provar_io::arrow_array::StringArray>()?;
        if strings
            .iter()
            .flatten()
            .any(|s| ids.iter().any(|id| id == s))
        {
            return Some(true);
        }
    }
    has_column.then_some(false)
}

/// `provar ledger affected --sample ID`: the current artifacts holding the sample's data.
fn affected(
    context: &Context,
    args: &crate::cli::LedgerAffectedArgs,
) -> anyhow::Result<ExitStatus> {
    let ledger = Ledger::open_existing(&args.ledger)
        .with_context(|| format!("opening ledger {}", args.ledger.display()))?;
    let mut ids = vec![args.sample.clone()];
    if let Some(keyfile) = &args.pseudonymise {
        let key = super::ingest::read_pseudonym_key(keyfile)?;
        ids.push(provar_ingest::pseudonym(&key, &args.sample));
    }
    let records = ledger.records()?;
    // The bytes each path has now, to know which recorded versions can still be read.
    let mut current: std::collections::BTreeMap<String, Option<provar_ledger::Digest>> =
        std::collections::BTreeMap::new();
    let mut on_disk = |path: &str| -> Option<provar_ledger::Digest> {
        *current.entry(path.to_owned()).or_insert_with(|| {
            provar_ledger::hash_file(&ledger.resolve(path))
                .ok()
                .map(|(_, d)| d)
        })
    };
    // (path, digest) -> why it is affected.
    let mut hit: std::collections::BTreeMap<(String, provar_ledger::Digest), String> =
        std::collections::BTreeMap::new();
    for record in &records {
        for input in record.inputs.iter().filter(|i| i.produced_by.is_none()) {
            let key = (input.path.clone(), input.blake3);
            if hit.contains_key(&key) || on_disk(&input.path) != Some(input.blake3) {
                continue;
            }
            if lists_sample(&ledger.resolve(&input.path), &ids) == Some(true) {
                hit.insert(key, "raw input listing the sample".to_owned());
            }
        }
        let from: Option<&str> = record
            .inputs
            .iter()
            .find(|i| hit.contains_key(&(i.path.clone(), i.blake3)))
            .map(|i| i.path.as_str());
        // A stage whose outputs list samples (ingest's samples table, sample_qc) says itself
        // whether it kept the sample (consent, --samples); other outputs follow the inputs.
        let mut listed = None;
        for output in &record.outputs {
            if on_disk(&output.path) == Some(output.blake3) {
                if let Some(found) = lists_sample(&ledger.resolve(&output.path), &ids) {
                    listed = Some(listed.unwrap_or(false) || found);
                }
            }
        }
        let reason = match (listed, from) {
            (Some(true), _) => Some(format!(
                "record {} {}: its tables list the sample",
                record.seq, record.stage
            )),
            (Some(false), _) => None,
            (None, Some(input)) => Some(format!(
                "record {} {}: derived from {input}",
                record.seq, record.stage
            )),
            (None, None) => None,
        };
        if let Some(reason) = reason {
            for output in &record.outputs {
                hit.insert((output.path.clone(), output.blake3), reason.clone());
            }
        }
    }
    let mut text = String::new();
    let mut count = 0;
    for ((path, digest), reason) in &hit {
        if on_disk(path) == Some(*digest) {
            text.push_str(&format!("{path}\t{reason}\n"));
            count += 1;
        }
    }
    write_stdout(&text)?;
    context.say(format_args!(
        "ledger affected: {count} current artifact(s) hold data of sample {} (rebuild them after a revocation)",
        args.sample
    ));
    Ok(ExitStatus::Success)
}

/// A run given as its ledger directory or as the directory holding `ledger/`.
fn open_run(path: &Path) -> anyhow::Result<Ledger> {
    let dir = if path.join(provar_ledger::RECORDS_FILE).exists() || !path.join("ledger").is_dir() {
        path.to_path_buf()
    } else {
        path.join("ledger")
    };
    if !dir.join(provar_ledger::RECORDS_FILE).exists() {
        anyhow::bail!(
            "{}: not a ledger (no {} there or in {}/ledger)",
            path.display(),
            provar_ledger::RECORDS_FILE,
            path.display()
        );
    }
    Ledger::open_existing(&dir).with_context(|| format!("opening ledger {}", dir.display()))
}

/// `provar ledger diff`: one line per difference on standard output; exit 1 if any.
fn diff(context: &Context, a: &Path, b: &Path) -> anyhow::Result<ExitStatus> {
    let (la, lb) = (open_run(a)?, open_run(b)?);
    let differences = provar_ledger::diff(&la, &lb).context("comparing the runs")?;
    let mut text = String::new();
    for difference in &differences {
        text.push_str(&difference.to_string());
        text.push('\n');
    }
    write_stdout(&text)?;
    if differences.is_empty() {
        context.say(format_args!(
            "ledger diff: the runs have the same stages, versions, parameters and files"
        ));
        Ok(ExitStatus::Success)
    } else {
        context.say(format_args!(
            "ledger diff: {} difference(s)",
            differences.len()
        ));
        Ok(ExitStatus::Failure)
    }
}

/// `provar ledger merge`: folds sealed segments into the log.
fn merge(context: &Context, dir: &Path) -> anyhow::Result<ExitStatus> {
    let mut ledger =
        Ledger::open_existing(dir).with_context(|| format!("opening ledger {}", dir.display()))?;
    if let Some(signer) = signer_from_env()? {
        ledger = ledger.with_signer(signer);
    }
    let report = ledger
        .merge_segments()
        .with_context(|| format!("merging the segments of ledger {}", dir.display()))?;
    let records: usize = report.merged.iter().map(|(_, n)| n).sum();
    context.say(format_args!(
        "ledger: merged {} segment(s) ({records} records); {} already merged",
        report.merged.len(),
        report.already_merged.len()
    ));
    for name in &report.unsealed {
        eprintln!(
            "provar: warning: ledger {}: segment {name} is not sealed (its job is running or died); left unmerged",
            dir.display()
        );
    }
    Ok(ExitStatus::Success)
}

fn run_verify(context: &Context, args: &LedgerVerifyArgs) -> anyhow::Result<ExitStatus> {
    let trusted_keys = args
        .trusted_keys
        .as_deref()
        .map(read_trusted_keys)
        .transpose()?;
    let since = args
        .since
        .iter()
        .map(|path| {
            Ok(EarlierCheckpoint {
                name: path.display().to_string(),
                checkpoint: read_checkpoint(path)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = VerifyOptions {
        trusted_keys,
        since,
    };
    let report = verify_with(context, &args.ledger, &options)?;
    if report.is_ok() {
        Ok(ExitStatus::Success)
    } else {
        Err(VerifyFailed {
            dir: args.ledger.clone(),
            problems: report.problems.len(),
        }
        .into())
    }
}

fn keygen(context: &Context, args: &LedgerKeygenArgs) -> anyhow::Result<ExitStatus> {
    let signer = Signer::generate(&args.name).context("generating a key")?;
    let mut key_path = args.out.clone().into_os_string();
    key_path.push(".key");
    let mut pub_path = args.out.clone().into_os_string();
    pub_path.push(".pub");
    let (key_path, pub_path) = (Path::new(&key_path), Path::new(&pub_path));
    for path in [key_path, pub_path] {
        if path.exists() {
            anyhow::bail!("{} already exists; not overwriting a key", path.display());
        }
    }
    let mut options = fs_err::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(key_path).context("writing the private key")?;
    writeln!(file, "{}", signer.to_private_string()).context("writing the private key")?;
    file.sync_all().context("writing the private key")?;
    let mut file = fs_err::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(pub_path)
        .context("writing the verifier key")?;
    writeln!(file, "{}", signer.verifier()).context("writing the verifier key")?;
    context.say(format_args!(
        "ledger: wrote signing key {} (keep it secret) and verifier key {} ({})",
        key_path.display(),
        pub_path.display(),
        signer.verifier().label()
    ));
    Ok(ExitStatus::Success)
}

fn prove(args: &LedgerProveArgs) -> anyhow::Result<ExitStatus> {
    let ledger = Ledger::open_existing(&args.ledger)
        .with_context(|| format!("opening ledger {}", args.ledger.display()))?;
    let proof = match (args.record, args.from_size) {
        (Some(record), _) => Proof::Inclusion(ledger.inclusion_proof(record, args.size)?),
        (None, Some(from)) => Proof::Consistency(ledger.consistency_proof(from, args.to_size)?),
        (None, None) => anyhow::bail!("give --record N or --from-size S1"),
    };
    write_stdout(&proof.to_string())?;
    Ok(ExitStatus::Success)
}

fn check_proof(context: &Context, args: &LedgerCheckProofArgs) -> anyhow::Result<ExitStatus> {
    let text = fs_err::read_to_string(&args.proof).context("reading the proof")?;
    let proof: Proof = text
        .parse()
        .with_context(|| format!("invalid proof {}", args.proof.display()))?;
    let checkpoint = read_checkpoint(&args.checkpoint)?;
    let trusted = args
        .trusted_keys
        .as_deref()
        .map(read_trusted_keys)
        .transpose()?;
    let record_line = args
        .record_file
        .as_deref()
        .map(|p| fs_err::read(p).context("reading the record file"))
        .transpose()?;
    let old_checkpoint = args
        .old_checkpoint
        .as_deref()
        .map(read_checkpoint)
        .transpose()?;
    let inputs = CheckInputs {
        trusted_keys: trusted.as_deref(),
        record_line: record_line.as_deref(),
        old_checkpoint: old_checkpoint.as_ref(),
    };
    match proof::check(&proof, &checkpoint, &inputs) {
        Ok(summary) => {
            context.say(format_args!(
                "proof {}: ok: {summary}",
                args.proof.display()
            ));
            Ok(ExitStatus::Success)
        }
        Err(findings) => {
            for finding in &findings {
                eprintln!("provar: proof {}: {finding}", args.proof.display());
            }
            eprintln!(
                "provar: proof {} does not hold: {} problem(s)",
                args.proof.display(),
                findings.len()
            );
            Ok(ExitStatus::Failure)
        }
    }
}

fn lineage(args: &LedgerLineageArgs) -> anyhow::Result<ExitStatus> {
    let ledger = Ledger::open_existing(&args.ledger)
        .with_context(|| format!("opening ledger {}", args.ledger.display()))?;
    let lineage = ledger.lineage(&args.file).with_context(|| {
        format!(
            "tracing {} in ledger {}",
            args.file.display(),
            args.ledger.display()
        )
    })?;
    let text = if args.json {
        let mut value = lineage.root.to_json();
        if let Some(now) = lineage.changed_to {
            value["changed_to"] = serde_json::Value::from(now.to_string());
        }
        let mut text = serde_json::to_string_pretty(&value).context("writing JSON")?;
        text.push('\n');
        text
    } else {
        lineage.to_string()
    };
    write_stdout(&text)?;
    Ok(ExitStatus::Success)
}

fn export(context: &Context, args: &LedgerExportArgs) -> anyhow::Result<ExitStatus> {
    let ledger = Ledger::open_existing(&args.ledger)
        .with_context(|| format!("opening ledger {}", args.ledger.display()))?;
    let text = match args.format {
        LedgerExportFormat::B3sum => ledger.export_b3sum(),
        LedgerExportFormat::RoCrate => ledger.export_ro_crate(),
        LedgerExportFormat::ProvJson => ledger.export_prov_json(),
        LedgerExportFormat::InToto => ledger.export_in_toto(),
    }
    .with_context(|| format!("exporting ledger {}", args.ledger.display()))?;
    if args.out.as_os_str() == "-" {
        return write_stdout(&text).map(|()| ExitStatus::Success);
    }
    let dir = match args.out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut tmp = tempfile_in(&dir)?;
    tmp.1
        .write_all(text.as_bytes())
        .context("writing the export")?;
    tmp.1.sync_all().context("writing the export")?;
    fs_err::rename(&tmp.0, &args.out).context("writing the export")?;
    if args.format == LedgerExportFormat::B3sum {
        context.say(format_args!(
            "ledger: wrote {} ({} files; check with `b3sum --check` in {})",
            args.out.display(),
            text.lines().count(),
            ledger.root().display()
        ));
    } else {
        context.say(format_args!("ledger: wrote {}", args.out.display()));
    }
    context.wrote(std::slice::from_ref(&args.out));
    Ok(ExitStatus::Success)
}

/// A new temp file in `dir` (so the final rename stays on one file system).
fn tempfile_in(dir: &Path) -> anyhow::Result<(std::path::PathBuf, fs_err::File)> {
    let path = dir.join(format!(".provar-export.{}.tmp", std::process::id()));
    let file = fs_err::File::create(&path).context("writing the export")?;
    Ok((path, file))
}
