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

/// Clusters samples by genotype (PCA, then a method in PC space) and estimates kinship.
fn execute_genetic(
    context: &Context,
    args: &ClusterArgs,
    tables: &Path,
    out: &Path,
) -> anyhow::Result<()> {
    let pedigree = args
        .ped
        .as_deref()
        .map(super::rare::read_pedigree)
        .transpose()?;
    in_out_dir(out, || {
        let mut inputs: Vec<std::path::PathBuf> = [Table::Variants, Table::Calls, Table::Samples]
            .map(|t| tables.join(t.file_name()))
            .to_vec();
        inputs.extend(args.ped.clone());
        let mut recorder = Recorder::begin(args.output.ledger.as_deref(), inputs)?;
        let method = provar_cluster::genetic::Method::from(args.method);
        let config = provar_cluster::GeneticConfig {
            tables_dir: tables.to_owned(),
            out_dir: out.to_owned(),
            pca: provar_cluster::genetic::PcaConfig {
                maf: args.maf,
                seed: args.kmeans.seed,
                ..provar_cluster::genetic::PcaConfig::default()
            },
            method,
            pcs: args.pcs,
            max_k: args.max_k,
            refine: !args.no_refine,
            pedigree,
        };
        recorder.parameter("on", "genotypes");
        recorder.parameter("method", format!("{method:?}").to_lowercase());
        recorder.parameter("pcs", args.pcs);
        recorder.parameter("max_k", args.max_k);
        recorder.parameter("refine", !args.no_refine);
        recorder.parameter("maf", config.pca.maf);
        recorder.parameter("min_call_rate", config.pca.min_call_rate);
        recorder.parameter("max_variants", config.pca.max_variants);
        recorder.parameter("seed", args.kmeans.seed);
        recorder.parameter(
            "kinship",
            "KING-robust between-family, as plink2 --make-king-table",
        );
        let result = provar_cluster::run_genetic(&config)?;
        recorder.parameter("k", result.grouping.k);
        recorder.parameter(
            "criterion",
            result
                .grouping
                .criterion
                .iter()
                .map(|(k, v)| serde_json::json!([k, v]))
                .collect::<Vec<_>>(),
        );
        recorder.parameter("pca_variants", result.variants);
        let outputs = provar_io::table::commit_all(result.tables)?;
        context.wrote(&outputs);
        recorder.finish("cluster", outputs, context.threads)?;
        let noise = result
            .grouping
            .labels
            .iter()
            .filter(|l| l.is_none())
            .count();
        context.say(format_args!(
            "cluster: PCA on {} variants; {:?} chose {} group(s){} -> clusters.parquet, pca.parquet, relatedness.parquet",
            result.variants,
            method,
            result.grouping.k,
            if noise > 0 { format!(", {noise} noise sample(s)") } else { String::new() }
        ));
        Ok(())
    })
}

impl From<crate::cli::MethodArg> for provar_cluster::genetic::Method {
    fn from(method: crate::cli::MethodArg) -> Self {
        use crate::cli::MethodArg;
        match method {
            MethodArg::Kmeans => Self::KMeans,
            MethodArg::Gmm => Self::Gmm,
            MethodArg::Dbscan => Self::Dbscan,
        }
    }
}

/// Whether the tables carry genes for burden: consequences.parquet, or INFO/BCSQ.
pub(crate) fn has_genes(tables: &Path) -> anyhow::Result<bool> {
    Ok(tables.join("consequences.parquet").is_file()
        || provar_io::table::schema_of(tables, "info")?
            .is_some_and(|s| s.field_with_name("BCSQ").is_ok()))
}

/// Clusters samples on their rare-variant burden profiles.
fn execute_profiles(
    context: &Context,
    args: &ClusterArgs,
    tables: &Path,
    out: &Path,
) -> anyhow::Result<()> {
    in_out_dir(out, || {
        let mut inputs: Vec<std::path::PathBuf> = [Table::Variants, Table::Calls, Table::Samples]
            .map(|t| tables.join(t.file_name()))
            .to_vec();
        for optional in ["info", "variant_qc", "consequences", "population"] {
            let path = tables.join(format!("{optional}.parquet"));
            if path.is_file() {
                inputs.push(path);
            }
        }
        let mut recorder = Recorder::begin(args.output.ledger.as_deref(), inputs)?;
        let p = &args.profile;
        let (max_af, max_population_af) = p.limits();
        let grouping = match (p.window, has_genes(tables)?) {
            (Some(size), _) => provar_burden::Grouping::Window(size),
            (None, true) => provar_burden::Grouping::Gene,
            (None, false) => provar_burden::Grouping::Window(1_000_000),
        };
        let burden = provar_burden::BurdenConfig {
            tables: tables.to_owned(),
            out_dir: out.to_owned(),
            pedigree: provar_core::pedigree::Pedigree::default(),
            qualifying: p.qualifying.into(),
            grouping,
            max_af,
            max_population_af,
            minimums: provar_burden::Minimums::default(),
        };
        let profiles = provar_burden::profiles(&burden)?;
        let method = provar_cluster::genetic::Method::from(args.method);
        let config = provar_cluster::ProfileConfig {
            out_dir: out.to_owned(),
            pca: provar_cluster::genetic::PcaConfig {
                seed: args.kmeans.seed,
                ..provar_cluster::genetic::PcaConfig::default()
            },
            method,
            pcs: args.pcs,
            max_k: args.max_k,
        };
        recorder.parameter("on", "burden");
        recorder.parameter("qualifying", format!("{:?}", p.qualifying).to_lowercase());
        recorder.parameter("grouping", format!("{grouping:?}"));
        recorder.parameter("max_af", burden.max_af);
        recorder.parameter("max_population_af", burden.max_population_af);
        recorder.parameter(
            "standardise",
            "z-score per gene/window; constant ones left out",
        );
        recorder.parameter("method", format!("{method:?}").to_lowercase());
        recorder.parameter("pcs", args.pcs);
        recorder.parameter("max_k", args.max_k);
        recorder.parameter("seed", args.kmeans.seed);
        let result = provar_cluster::run_profiles(
            &config,
            &profiles.samples,
            &profiles.groups,
            &profiles.counts,
        )?;
        recorder.parameter("k", result.grouping.k);
        recorder.parameter("pca_features", result.features);
        let outputs = provar_io::table::commit_all(result.tables)?;
        context.wrote(&outputs);
        recorder.finish("cluster", outputs, context.threads)?;
        context.say(format_args!(
            "cluster: burden profiles of {} qualifying variants in {} {} ({} varying); {:?} chose {} group(s) -> burden_profiles.parquet, burden_pca.parquet, burden_clusters.parquet",
            profiles.variants,
            profiles.groups.len(),
            match grouping {
                provar_burden::Grouping::Gene => "genes",
                provar_burden::Grouping::Window(_) => "windows",
            },
            result.features,
            method,
            result.grouping.k
        ));
        Ok(())
    })
}

pub(crate) fn run(context: &Context, args: &ClusterArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    if args.on == crate::cli::ClusterOn::Burden {
        execute_profiles(context, args, args.tables.as_deref().unwrap_or(out), out)?;
        return Ok(ExitStatus::Success);
    }
    if args.on == crate::cli::ClusterOn::Genotypes {
        execute_genetic(context, args, args.tables.as_deref().unwrap_or(out), out)?;
        return Ok(ExitStatus::Success);
    }
    execute(
        context,
        &args.kmeans,
        args.tables.as_deref().unwrap_or(out),
        out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}
