//! `provar qc`.

use std::path::Path;

use provar_io::table::Table;

use crate::{
    cli::{FilterArgs, QcArgs},
    recorder::Recorder,
    ExitStatus,
};

use super::{in_out_dir, Context};

/// Runs QC on the tables in `tables` into `out`.
pub(crate) fn execute(
    context: &Context,
    filters: FilterArgs,
    tables: &Path,
    out: &Path,
    ledger: Option<&Path>,
) -> anyhow::Result<provar_qc::Qc> {
    in_out_dir(out, || {
        let inputs = [Table::Variants, Table::Calls, Table::Samples]
            .map(|t| tables.join(t.file_name()))
            .to_vec();
        let mut recorder = Recorder::begin(ledger, inputs)?;
        recorder.parameter("definitions", "hail variant_qc/sample_qc");
        recorder.parameter("min_gq", filters.min_gq);
        recorder.parameter("min_dp", filters.min_dp);
        let config = provar_qc::QcConfig {
            filters: provar_qc::Filters {
                min_gq: filters.min_gq,
                min_dp: filters.min_dp,
            },
            ..provar_qc::QcConfig::new(tables, out)
        };
        let mut qc = provar_qc::run(&config)?;
        let outputs = provar_io::table::commit_all(std::mem::take(&mut qc.tables))?;
        context.wrote(&outputs);
        recorder.finish("qc", outputs, context.threads)?;
        context.say(format_args!(
            "qc: {} variants, {} samples -> variant_qc.parquet, sample_qc.parquet",
            qc.variants,
            qc.samples.len()
        ));
        Ok(qc)
    })
}

pub(crate) fn run(context: &Context, args: &QcArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    execute(
        context,
        args.filters,
        args.tables.as_deref().unwrap_or(out),
        out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}
