//! `provar ingest`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use provar_core::Region;
use provar_ingest::{RecordSelection, SampleSelection};

use crate::{cli::IngestArgs, recorder::Recorder, ExitStatus};

use super::{in_out_dir, Context};

/// The index beside `vcf`, if any (reading by region reads it too: it is an input).
fn index_of(vcf: &Path) -> Option<PathBuf> {
    [".tbi", ".csi"].into_iter().find_map(|suffix| {
        let mut p = vcf.as_os_str().to_owned();
        p.push(suffix);
        Some(PathBuf::from(p)).filter(|p| p.is_file())
    })
}

/// Ingests the selected records of `vcf` into `out`, recording in `ledger`.
pub(crate) fn execute(
    context: &Context,
    vcf: &Path,
    selection: RecordSelection,
    samples: Option<(SampleSelection, Option<PathBuf>)>,
    out: &Path,
    ledger: Option<&Path>,
) -> anyhow::Result<provar_ingest::Summary> {
    in_out_dir(out, || {
        let mut inputs = vec![vcf.to_owned()];
        if selection != RecordSelection::All {
            inputs.extend(index_of(vcf));
        }
        let (samples, samples_file) = match samples {
            Some((s, file)) => (Some(s), file),
            None => (None, None),
        };
        inputs.extend(samples_file);
        let mut recorder = Recorder::begin(ledger, inputs)?;
        recorder.parameter(
            "split_multiallelic",
            "per alternate allele, as bcftools norm -m-",
        );
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
        let config = provar_ingest::IngestConfig {
            threads: context.threads,
            selection,
            samples,
            ..provar_ingest::IngestConfig::new(vcf, out)
        };
        let ingested = provar_ingest::run(&config)?;
        let outputs = provar_io::table::commit_all(ingested.tables)?;
        recorder.finish("ingest", outputs, context.threads)?;
        let s = &ingested.summary;
        context.say(format_args!(
            "ingest: {} records ({} multi-allelic) -> {} variants x {} samples",
            s.records, s.multiallelic_records, s.variants, s.samples
        ));
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
        &args.vcf,
        selection,
        samples,
        &args.output.out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}
