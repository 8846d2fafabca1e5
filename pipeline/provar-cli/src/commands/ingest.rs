//! `provar ingest`.

use std::path::Path;

use crate::{cli::IngestArgs, recorder::Recorder, ExitStatus};

use super::{in_out_dir, Context};

/// Ingests `vcf` into `out`, recording in `ledger`.
pub(crate) fn execute(
    context: &Context,
    vcf: &Path,
    out: &Path,
    ledger: Option<&Path>,
) -> anyhow::Result<provar_ingest::Summary> {
    in_out_dir(out, || {
        let mut recorder = Recorder::begin(ledger, vec![vcf.to_owned()])?;
        recorder.parameter(
            "split_multiallelic",
            "per alternate allele, as bcftools norm -m-",
        );
        let config = provar_ingest::IngestConfig {
            threads: context.threads,
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

pub(crate) fn run(context: &Context, args: &IngestArgs) -> anyhow::Result<ExitStatus> {
    execute(
        context,
        &args.vcf,
        &args.output.out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}
