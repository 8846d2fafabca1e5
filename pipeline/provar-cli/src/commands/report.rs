//! `provar report`: one self-contained HTML page over a run's tables, with the ledger digest
//! of every table it shows.

use std::path::Path;

use anyhow::Context as _;
use provar_ledger::Ledger;
use provar_report::{Artifact, ReportConfig, REPORT_FILE};

use crate::{cli::ReportArgs, recorder::Recorder, ExitStatus};

use super::{in_out_dir, Context};

/// The tables the report may show, in page order.
pub(crate) const REPORT_TABLES: [&str; 12] = [
    "variants",
    "samples",
    "variant_qc",
    "sample_qc",
    "pca",
    "clusters",
    "relatedness",
    "annotations",
    "burden",
    "candidates",
    "site_evidence",
    "mendel_errors",
];

/// What the ledger recorded for each table present in `tables`.
fn provenance(ledger: &Path, tables: &Path) -> anyhow::Result<Vec<Artifact>> {
    let ledger = Ledger::open_existing(ledger)
        .with_context(|| format!("opening ledger {}", ledger.display()))?;
    // With scattered jobs, the tables may still be recorded in sealed segments.
    let records = ledger.records_with_pending()?;
    let mut artifacts = Vec::new();
    for name in REPORT_TABLES {
        let file = format!("{name}.parquet");
        let path = tables.join(&file);
        if !path.is_file() {
            continue;
        }
        let recorded = ledger.artifact_path(&path)?;
        let found = records
            .iter()
            .rev()
            .find_map(|r| r.outputs.iter().find(|o| o.path == recorded));
        if let Some(output) = found {
            artifacts.push(Artifact {
                file,
                blake3: output.blake3.to_string(),
                size: output.size,
            });
        }
    }
    Ok(artifacts)
}

/// Writes `report.html` for the tables in `tables` into `out`; returns the number of plots.
pub(crate) fn execute(
    context: &Context,
    tables: &Path,
    out: &Path,
    ledger: Option<&Path>,
    families: std::collections::BTreeMap<String, String>,
) -> anyhow::Result<usize> {
    in_out_dir(out, || {
        let inputs = REPORT_TABLES
            .iter()
            .map(|t| tables.join(format!("{t}.parquet")))
            .filter(|p| p.is_file())
            .collect();
        let recorder = Recorder::begin(ledger, inputs)?;
        let artifacts = match ledger {
            Some(dir) => provenance(dir, tables)?,
            None => Vec::new(),
        };
        let config = ReportConfig {
            tables_dir: tables.to_owned(),
            out_dir: out.to_owned(),
            title: "provar report".to_owned(),
            artifacts,
            families,
        };
        let report = provar_report::run(&config)?;
        let sections = report.sections_with_data.join(", ");
        let plots = report.plots;
        let path = report.commit()?;
        context.wrote(std::slice::from_ref(&path));
        recorder.finish("report", vec![path], context.threads)?;
        context.say(format_args!(
            "report: {plots} plots ({sections}) -> {}",
            out.join(REPORT_FILE).display()
        ));
        Ok(plots)
    })
}

/// Sample id → family id of a pedigree, for the report's PCA colours.
pub(crate) fn families_of(
    ped: Option<&Path>,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    Ok(match ped {
        Some(path) => super::rare::read_pedigree(path)?
            .individuals()
            .iter()
            .map(|i| (i.id.clone(), i.family.clone()))
            .collect(),
        None => Default::default(),
    })
}

pub(crate) fn run(context: &Context, args: &ReportArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    execute(
        context,
        args.tables.as_deref().unwrap_or(out),
        out,
        args.output.ledger.as_deref(),
        families_of(args.ped.as_deref())?,
    )?;
    Ok(ExitStatus::Success)
}
