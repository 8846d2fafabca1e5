//! `provar denovo`: positional clustering of de novo mutations within genes.

use anyhow::Context as _;

use crate::{cli::DenovoArgs, recorder::Recorder, ExitStatus};

use super::{in_out_dir, Context};

pub(crate) fn run(context: &Context, args: &DenovoArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    in_out_dir(out, || {
        let inputs = vec![
            args.de_novos.clone(),
            args.genes.clone(),
            args.fasta.clone(),
            args.rates.clone(),
        ];
        let mut recorder = Recorder::begin(args.output.ledger.as_deref(), inputs)?;
        recorder.parameter("method", "denovonear: geometric mean of pairwise CDS distances, trinucleotide-weighted simulation");
        recorder.parameter("iterations", args.iterations);
        recorder.parameter("seed", args.seed);
        recorder.parameter("genes", args.gene.clone());
        let config = provar_denovo::DenovoConfig {
            de_novos: args.de_novos.clone(),
            genes: args.genes.clone(),
            fasta: args.fasta.clone(),
            rates: args.rates.clone(),
            only_genes: args.gene.clone(),
            simulation: provar_denovo::Simulation {
                iterations: args.iterations,
                seed: args.seed,
                ..provar_denovo::Simulation::default()
            },
            out_dir: out.clone(),
        };
        let result = provar_denovo::run(&config)
            .with_context(|| format!("clustering de novos of {}", args.de_novos.display()))?;
        let outputs = provar_io::table::commit_all(result.tables)?;
        context.wrote(&outputs);
        recorder.finish("denovo", outputs, context.threads)?;
        if !result.missing_genes.is_empty() {
            context.say(format_args!(
                "denovo: {} gene(s) with no coding transcript in the gene model or FASTA, skipped: {}",
                result.missing_genes.len(),
                result.missing_genes.join(", ")
            ));
        }
        let tested = result.rows.iter().filter(|r| !r.p_value.is_nan()).count();
        context.say(format_args!(
            "denovo: {} gene x class rows, {} with a p-value -> denovo_clusters.parquet",
            result.rows.len(),
            tested
        ));
        Ok(ExitStatus::Success)
    })
}
