//! `provar-simulate`: writes a simulated cohort as bgzipped VCF 4.2 plus its tabix index.

use std::{path::PathBuf, process::ExitCode, time::Instant};

use clap::Parser;
use provar_benches::simulate;

/// Simulate a cohort: bgzipped VCF 4.2 with GT:AD:DP:GQ:PL, a neutral allele-frequency
/// spectrum, missing calls, indels and tri-allelic sites, and a .tbi index. The same
/// arguments give the same bytes at any thread count.
#[derive(Debug, Parser)]
// The output format number changes whenever the same arguments would give other bytes;
// `benches/compare` regenerates its cached cohorts when it changes.
#[command(name = "provar-simulate", version = concat!(env!("CARGO_PKG_VERSION"), " (output format 1)"))]
struct Args {
    /// Number of samples.
    #[arg(long)]
    samples: usize,
    /// Number of VCF records.
    #[arg(long)]
    variants: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Mean fraction of missing calls per sample.
    #[arg(long, default_value_t = 0.01)]
    missing_rate: f64,
    /// Fraction of records with two alternate alleles.
    #[arg(long, default_value_t = 0.05)]
    multiallelic_rate: f64,
    /// Fraction of indel records.
    #[arg(long, default_value_t = 0.10)]
    indel_rate: f64,
    /// Number of autosomes (1-22) to spread the records over.
    #[arg(long, default_value_t = 22)]
    contigs: usize,
    /// BGZF compression level (0-9).
    #[arg(long, default_value_t = 6)]
    level: i32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Do not write OUT.tbi.
    #[arg(long)]
    no_index: bool,
    /// Output file (.vcf.gz).
    #[arg(long, short)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(threads) = args.threads {
        if let Err(error) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
        {
            eprintln!("provar-simulate: error: {error}");
            return ExitCode::from(2);
        }
    }
    let mut config = simulate::Config::new(args.samples, args.variants, args.seed);
    config.missing_rate = args.missing_rate;
    config.multiallelic_rate = args.multiallelic_rate;
    config.indel_rate = args.indel_rate;
    config.contigs = args.contigs;
    config.level = args.level;
    let start = Instant::now();
    match simulate::write(&config, &args.out, !args.no_index) {
        Ok(summary) => {
            eprintln!(
                "provar-simulate: {} samples x {} records ({} tri-allelic, {} indels, {} missing calls) -> {} ({} bytes, {} uncompressed) in {:.1} s",
                config.samples,
                summary.records,
                summary.multiallelic,
                summary.indels,
                summary.missing_calls,
                args.out.display(),
                summary.compressed_bytes,
                summary.uncompressed_bytes,
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "provar-simulate: error: writing {}: {error}",
                args.out.display()
            );
            ExitCode::from(2)
        }
    }
}
