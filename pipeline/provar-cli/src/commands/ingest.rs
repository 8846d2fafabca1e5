//! `provar ingest`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use provar_core::Region;
use provar_ingest::{RecordSelection, SampleSelection};

use crate::{
    cli::{IngestArgs, PrivacyArgs},
    recorder::Recorder,
    ExitStatus,
};

use super::{in_out_dir, Context};

/// The index beside `vcf`, if any (reading by region reads it too: it is an input).
fn index_of(vcf: &Path) -> Option<PathBuf> {
    [".tbi", ".csi"].into_iter().find_map(|suffix| {
        let mut p = vcf.as_os_str().to_owned();
        p.push(suffix);
        Some(PathBuf::from(p)).filter(|p| p.is_file())
    })
}

/// Reads a consent manifest, naming the file and line of a bad line.
fn read_consent(path: &Path) -> anyhow::Result<provar_core::consent::Consent> {
    let text = fs_err::read_to_string(path)?;
    provar_core::consent::Consent::parse(&text)
        .with_context(|| format!("reading consent manifest {}", path.display()))
}

/// Reads a pseudonym key file: 64 hex digits (surrounding whitespace allowed).
pub(crate) fn read_pseudonym_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = fs_err::read_to_string(path)?;
    let hex = text.trim();
    let bad = || {
        anyhow::anyhow!(
            "pseudonym key {}: expected 64 hex digits (32 bytes), e.g. from `openssl rand -hex 32`",
            path.display()
        )
    };
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16)
            .map_err(|_| bad())?;
    }
    Ok(key)
}

/// What [`execute`] ingests.
pub(crate) struct Input<'a> {
    /// The VCF or BCF.
    pub(crate) vcf: &'a Path,
    /// Which of its records.
    pub(crate) selection: RecordSelection,
    /// Which samples, and the file that listed them (an input too).
    pub(crate) samples: Option<(SampleSelection, Option<PathBuf>)>,
    /// The reference FASTA to normalise the rows against.
    pub(crate) fasta: Option<&'a Path>,
}

/// Ingests `input` into `out`, recording in `ledger`.
pub(crate) fn execute(
    context: &Context,
    input: Input<'_>,
    privacy: &PrivacyArgs,
    out: &Path,
    ledger: Option<&Path>,
) -> anyhow::Result<provar_ingest::Summary> {
    let Input {
        vcf,
        selection,
        samples,
        fasta,
    } = input;
    let consent = privacy.consent.as_deref().map(read_consent).transpose()?;
    let pseudonym_key = privacy
        .pseudonymise
        .as_deref()
        .map(read_pseudonym_key)
        .transpose()?;
    in_out_dir(out, || {
        let mut inputs = vec![vcf.to_owned()];
        // The manifest is an input: its digest is in the ledger. The key is not (it is a
        // secret); a key id is recorded instead.
        inputs.extend(privacy.consent.clone());
        if selection != RecordSelection::All {
            inputs.extend(index_of(vcf));
        }
        let (samples, samples_file) = match samples {
            Some((s, file)) => (Some(s), file),
            None => (None, None),
        };
        inputs.extend(samples_file);
        // The FASTA is an input: the rows depend on its bases.
        inputs.extend(fasta.map(Path::to_owned));
        let mut recorder = Recorder::begin(ledger, inputs)?;
        recorder.parameter(
            "split_multiallelic",
            "per alternate allele, as bcftools norm -m-",
        );
        if fasta.is_some() {
            recorder.parameter(
                "normalize",
                "REF checked, rows left-aligned and trimmed against the FASTA, as bcftools norm -f FASTA -m- (1.16, --check-ref e)",
            );
        }
        match &selection {
            RecordSelection::All => {}
            RecordSelection::Regions(regions) => {
                let list: Vec<String> = regions.iter().map(ToString::to_string).collect();
                recorder.parameter("regions", list);
            }
            RecordSelection::Shard { index, count } => {
                recorder.parameter("shard", format!("{}/{count}", index + 1));
            }
        }
        if let Some(s) = &samples {
            // Sample names stay out of the ledger: record how many were selected.
            recorder.parameter(
                "samples",
                format!(
                    "{} {}",
                    if s.exclude { "excluding" } else { "keeping" },
                    s.names.len()
                ),
            );
        }
        if let Some(key) = &pseudonym_key {
            let id = provar_ledger::hash_bytes(key).to_string();
            recorder.parameter("pseudonym_key_id", &id[..16]);
        }
        let progress = crate::progress::Progress::start(context.quiet, "ingest", "records");
        let config = provar_ingest::IngestConfig {
            progress: Some(progress.counter()),
            threads: context.threads,
            selection,
            samples,
            consent: consent.clone(),
            pseudonym_key,
            fasta: fasta.map(Path::to_owned),
            ..provar_ingest::IngestConfig::new(vcf, out)
        };
        let ingested = provar_ingest::run(&config);
        drop(progress);
        let ingested = ingested?;
        if consent.is_some() {
            // Counts only: no sample id goes into the ledger.
            recorder.parameter(
                "consent",
                serde_json::json!({
                    "kept": ingested.summary.samples,
                    "excluded": ingested.summary.consent_excluded,
                }),
            );
        }
        let outputs = provar_io::table::commit_all(ingested.tables)?;
        context.wrote(&outputs);
        recorder.finish("ingest", outputs, context.threads)?;
        let s = &ingested.summary;
        context.say(format_args!(
            "ingest: {} records ({} multi-allelic) -> {} variants x {} samples",
            s.records, s.multiallelic_records, s.variants, s.samples
        ));
        if let Some(fasta) = fasta {
            context.say(format_args!(
                "ingest: {} variants normalised against {} (left-aligned or trimmed)",
                s.normalized,
                fasta.display()
            ));
        }
        if consent.is_some() {
            context.say(format_args!(
                "ingest: consent manifest: {} samples dropped (revoked or not listed)",
                s.consent_excluded
            ));
        }
        Ok(ingested.summary)
    })
}

/// Reads a BED file into regions, naming the file and line of a bad line.
fn read_bed(path: &Path) -> anyhow::Result<Vec<Region>> {
    let text = fs_err::read_to_string(path)?;
    let mut regions = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let skip = ["#", "track", "browser"]
            .iter()
            .any(|p| line.starts_with(p));
        if line.trim().is_empty() || skip {
            continue;
        }
        regions.push(
            Region::from_bed_line(line)
                .with_context(|| format!("reading regions file {}:{}", path.display(), n + 1))?,
        );
    }
    Ok(regions)
}

pub(crate) fn run(context: &Context, args: &IngestArgs) -> anyhow::Result<ExitStatus> {
    let selection = if let Some((i, n)) = args.shard {
        RecordSelection::Shard {
            index: i - 1,
            count: n,
        }
    } else if !args.region.is_empty() || args.regions_file.is_some() {
        let mut regions = args.region.clone();
        if let Some(bed) = &args.regions_file {
            regions.extend(read_bed(bed)?);
        }
        RecordSelection::Regions(regions)
    } else {
        RecordSelection::All
    };
    let samples = match (&args.samples, &args.samples_file) {
        (Some(list), _) => {
            let (exclude, list) = match list.strip_prefix('^') {
                Some(rest) => (true, rest),
                None => (false, list.as_str()),
            };
            let names = list
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            Some((SampleSelection { names, exclude }, None))
        }
        (None, Some(file)) => {
            let (exclude, file) = match file.strip_prefix('^') {
                Some(rest) => (true, rest),
                None => (false, file.as_str()),
            };
            let path = PathBuf::from(file);
            let text = fs_err::read_to_string(&path)?;
            let names = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            Some((SampleSelection { names, exclude }, Some(path)))
        }
        (None, None) => None,
    };
    execute(
        context,
        Input {
            vcf: &args.vcf,
            selection,
            samples,
            fasta: args.fasta.as_deref(),
        },
        &args.privacy,
        &args.output.out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}
