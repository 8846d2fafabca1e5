//! `provar burden`: per-gene case-control burden of qualifying rare variants.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use provar_io::table::Table;

use crate::{
    cli::{BurdenArgs, QualifyingArg},
    recorder::Recorder,
    ExitStatus,
};

use super::{in_out_dir, rare::read_pedigree, Context};

impl From<QualifyingArg> for provar_burden::Qualifying {
    fn from(q: QualifyingArg) -> Self {
        match q {
            QualifyingArg::Lof => provar_burden::Qualifying::Lof,
            QualifyingArg::Protein => provar_burden::Qualifying::Protein,
            QualifyingArg::Any => provar_burden::Qualifying::Any,
        }
    }
}

/// Runs the stage on the tables in `tables`, writing `burden.parquet` into `out`.
pub(crate) fn execute(
    context: &Context,
    args: &BurdenArgs,
    tables: &Path,
    ped: &Path,
    out: &Path,
    ledger: Option<&Path>,
) -> anyhow::Result<provar_burden::Summary> {
    let pedigree = read_pedigree(ped)?;
    in_out_dir(out, || {
        let mut inputs: Vec<PathBuf> = [Table::Variants, Table::Calls, Table::Samples]
            .map(|t| tables.join(t.file_name()))
            .to_vec();
        for optional in [
            "info.parquet",
            "variant_qc.parquet",
            "consequences.parquet",
            "population.parquet",
        ] {
            let path = tables.join(optional);
            if path.is_file() {
                inputs.push(path);
            }
        }
        inputs.push(ped.to_path_buf());
        let mut recorder = Recorder::begin(ledger, inputs)?;
        let rules = &args.rules;
        let (max_af, max_population_af) = rules.limits();
        let grouping = match rules.window {
            Some(size) => provar_burden::Grouping::Window(size),
            None => provar_burden::Grouping::Gene,
        };
        recorder.parameter(
            "qualifying",
            format!("{:?}", rules.qualifying).to_lowercase(),
        );
        recorder.parameter("grouping", format!("{grouping:?}"));
        recorder.parameter("max_af", max_af);
        recorder.parameter("max_population_af", max_population_af);
        recorder.parameter("min_case_carriers", args.min_case_carriers);
        recorder.parameter("min_cases", args.min_cases);
        recorder.parameter("min_carriers", args.min_carriers);
        recorder.parameter("test", "one-sided Fisher exact (cases carry more), BH FDR");
        let config = provar_burden::BurdenConfig {
            tables: tables.to_path_buf(),
            out_dir: out.to_path_buf(),
            pedigree: pedigree.clone(),
            qualifying: rules.qualifying.into(),
            grouping,
            max_af,
            max_population_af,
            minimums: provar_burden::Minimums {
                case_carriers: args.min_case_carriers,
                cases: args.min_cases,
                carriers: args.min_carriers,
            },
        };
        let burden = provar_burden::run(&config).with_context(|| {
            format!(
                "testing burden with cases and controls of {}",
                ped.display()
            )
        })?;
        let outputs = provar_io::table::commit_all(burden.tables)?;
        context.wrote(&outputs);
        recorder.finish("burden", outputs, context.threads)?;
        let s = &burden.summary;
        context.say(format_args!(
            "burden: {} cases, {} controls; {} qualifying variants in {} {}; {} tested -> burden.parquet",
            s.cases,
            s.controls,
            s.qualifying_variants,
            s.groups,
            if rules.window.is_some() { "windows" } else { "genes" },
            s.tested
        ));
        Ok(burden.summary)
    })
}

pub(crate) fn run(context: &Context, args: &BurdenArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    execute(
        context,
        args,
        args.tables.as_deref().unwrap_or(out),
        &args.ped,
        out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}
