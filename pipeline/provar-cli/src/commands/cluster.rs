//! `provar cluster`.

use std::path::Path;

use provar_cluster::{ClusterConfig, KMeansConfig, FEATURES};
use provar_io::table::Table;

use crate::{
    cli::{ClusterArgs, KMeansArgs},
    recorder::Recorder,
    ExitStatus,
};

use super::{in_out_dir, Context};

/// Clusters the samples of `tables/sample_qc.parquet` into `out`.
pub(crate) fn execute(
    context: &Context,
    kmeans: &KMeansArgs,
    tables: &Path,
    out: &Path,
    ledger: Option<&Path>,
) -> anyhow::Result<provar_cluster::Clustered> {
    in_out_dir(out, || {
        let config = ClusterConfig {
            tables_dir: tables.to_owned(),
            out_dir: out.to_owned(),
            kmeans: KMeansConfig {
                k: kmeans.k,
                seed: kmeans.seed,
                ..KMeansConfig::default()
            },
        };
        let mut recorder = Recorder::begin(ledger, vec![tables.join(Table::SampleQc.file_name())])?;
        let k = &config.kmeans;
        recorder.parameter("k", k.k);
        recorder.parameter("seed", k.seed);
        recorder.parameter("max_iterations", k.max_iterations);
        recorder.parameter("tolerance", k.tolerance);
        recorder.parameter("n_runs", k.n_runs);
        recorder.parameter("init", "k-means++");
        recorder.parameter("standardise", "z-score; missing -> column mean");
        recorder.parameter("features", FEATURES.to_vec());
        let mut clustered = provar_cluster::run(&config)?;
        let outputs = provar_io::table::commit_all(std::mem::take(&mut clustered.tables))?;
        recorder.finish("cluster", outputs, context.threads)?;
        let mut sizes = vec![0usize; k.k];
        for c in &clustered.assignment.cluster {
            if let Some(n) = sizes.get_mut(*c as usize) {
                *n += 1;
            }
        }
        context.say(format_args!(
            "cluster: k={} seed={} -> cluster sizes {:?}, inertia {:.3}",
            k.k, k.seed, sizes, clustered.assignment.inertia
        ));
        Ok(clustered)
    })
}

pub(crate) fn run(context: &Context, args: &ClusterArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    execute(
        context,
        &args.kmeans,
        args.tables.as_deref().unwrap_or(out),
        out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}
