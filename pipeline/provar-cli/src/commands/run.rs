//! `provar run`: ingest, qc, cluster and report on one cohort, then verify the ledger.

use std::path::{Path, PathBuf};

use crate::{cli::RunArgs, recorder::VerifyFailed, ExitStatus};

use super::{cluster, ingest, ledger, qc, report, Context};

/// The bundled cohort, relative to the repository root.
const BUNDLED_VCF: &str = "testdata/cohort/sample.vcf.gz";

/// The bundled cohort: relative to the working directory when run from the repository (so the
/// ledger records a short path), else where the sources were built.
fn bundled_vcf() -> anyhow::Result<PathBuf> {
    let relative = PathBuf::from(BUNDLED_VCF);
    if relative.is_file() {
        return Ok(relative);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(BUNDLED_VCF);
    if built.is_file() {
        return Ok(built);
    }
    anyhow::bail!("the bundled cohort {BUNDLED_VCF} is not here; pass --vcf FILE")
}

pub(crate) fn run(context: &Context, args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let vcf = match &args.vcf {
        Some(v) => v.clone(),
        None => bundled_vcf()?,
    };
    let out = &args.out;
    let ledger_dir = out.join("ledger");
    context.say(format_args!(
        "run: {} -> {} ({} threads)",
        vcf.display(),
        out.display(),
        context.threads
    ));
    let ingested = ingest::execute(
        context,
        &vcf,
        provar_ingest::RecordSelection::All,
        None,
        &args.privacy,
        out,
        Some(&ledger_dir),
    )?;
    let qc = qc::execute(context, args.filters, out, out, Some(&ledger_dir))?;
    cluster::execute(context, &args.kmeans, out, out, Some(&ledger_dir))?;
    report::execute(context, out, out, Some(&ledger_dir), Default::default())?;
    let report = ledger::verify(context, &ledger_dir)?;
    if !report.is_ok() {
        return Err(VerifyFailed {
            dir: ledger_dir,
            problems: report.problems.len(),
        }
        .into());
    }

    let n = qc.samples.len().max(1) as f64;
    let mean_call_rate = qc.samples.iter().filter_map(|s| s.call_rate()).sum::<f64>() / n;
    let mut ti_tv: Vec<f64> = qc
        .samples
        .iter()
        .filter(|s| s.n_transversion > 0)
        .map(|s| s.n_transition as f64 / s.n_transversion as f64)
        .collect();
    ti_tv.sort_by(f64::total_cmp);
    let median_ti_tv = ti_tv.get(ti_tv.len() / 2).copied().unwrap_or(f64::NAN);
    context.say(format_args!(
        "done: {} variants x {} samples; mean sample call rate {:.4}; median Ti/Tv {:.3}; tables and ledger in {}",
        ingested.variants,
        ingested.samples,
        mean_call_rate,
        median_ti_tv,
        out.display()
    ));
    Ok(ExitStatus::Success)
}
