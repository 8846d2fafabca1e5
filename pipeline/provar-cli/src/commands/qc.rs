//! `provar qc`.

use std::path::Path;

use provar_io::table::Table;

use crate::{
    cli::{FilterArgs, QcArgs, SexArgs},
    recorder::Recorder,
    ExitStatus,
};

use super::{in_out_dir, Context};

/// Runs QC on the tables in `tables` into `out`.
pub(crate) fn execute(
    context: &Context,
    filters: FilterArgs,
    sex: SexArgs,
    ped: Option<&Path>,
    tables: &Path,
    out: &Path,
    ledger: Option<&Path>,
) -> anyhow::Result<provar_qc::Qc> {
    in_out_dir(out, || {
        let mut inputs = [Table::Variants, Table::Calls, Table::Samples]
            .map(|t| tables.join(t.file_name()))
            .to_vec();
        inputs.extend(ped.map(Path::to_path_buf));
        let pedigree_sex = ped
            .map(|ped| {
                let pedigree = super::rare::read_pedigree(ped)?;
                anyhow::Ok(
                    pedigree
                        .individuals()
                        .iter()
                        .map(|i| (i.id.clone(), i.sex))
                        .collect(),
                )
            })
            .transpose()?;
        let mut recorder = Recorder::begin(ledger, inputs)?;
        recorder.parameter("definitions", "hail variant_qc/sample_qc");
        recorder.parameter("min_gq", filters.min_gq);
        recorder.parameter("min_dp", filters.min_dp);
        recorder.parameter("build", format!("{:?}", provar_qc::Build::from(sex.build)));
        recorder.parameter("sex_female_max_f", sex.female_max_f);
        recorder.parameter("sex_male_min_f", sex.male_min_f);
        let config = provar_qc::QcConfig {
            filters: provar_qc::Filters {
                min_gq: filters.min_gq,
                min_dp: filters.min_dp,
            },
            build: sex.build.into(),
            sex_thresholds: provar_qc::SexThresholds {
                female_max: sex.female_max_f,
                male_min: sex.male_min_f,
            },
            pedigree_sex,
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
        say_sex(context, &qc, ped.is_some());
        Ok(qc)
    })
}

pub(crate) fn run(context: &Context, args: &QcArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    execute(
        context,
        args.filters,
        args.sex,
        args.ped.as_deref(),
        args.tables.as_deref().unwrap_or(out),
        out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}

/// One line on sex inference, and one per sample whose pedigree sex does not check.
fn say_sex(context: &Context, qc: &provar_qc::Qc, checked: bool) {
    if qc.x_sites == 0 {
        context.say(format_args!(
            "qc: sex not inferred: no polymorphic non-PAR X sites"
        ));
        return;
    }
    let count = |sex| qc.inferred_sex.iter().filter(|s| **s == sex).count();
    let (female, male) = (
        count(Some(provar_core::pedigree::Sex::Female)),
        count(Some(provar_core::pedigree::Sex::Male)),
    );
    context.say(format_args!(
        "qc: sex from {} non-PAR X sites: {female} female, {male} male, {} undetermined{}",
        qc.x_sites,
        qc.inferred_sex.len() - female - male,
        if checked {
            format!("; {} pedigree sex problem(s)", qc.sex_problems.len())
        } else {
            String::new()
        }
    ));
    for (id, pedigree, inferred) in &qc.sex_problems {
        context.say(format_args!(
            "qc: sex check: {id}: pedigree {pedigree}, inferred {}",
            inferred.map_or("undetermined".to_owned(), |s| s.to_string())
        ));
    }
}
