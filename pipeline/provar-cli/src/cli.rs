//! Command-line arguments. Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// provar: genomic variant analysis with a tamper-evident provenance ledger.
///
/// Exit codes: 0 success; 1 a check ran and failed (e.g. `ledger verify` found tampering,
/// or an input differs from what the ledger recorded); 2 usage, input or I/O error.
/// Standard output carries data only; messages go to standard error.
#[derive(Debug, Parser)]
#[command(name = "provar", version, about, long_about)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Worker threads (default: all cores). Outputs are identical at any thread count.
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// provar's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a VCF (plain or bgzipped) into variants.parquet, calls.parquet and samples.parquet.
    Ingest(IngestArgs),
    /// Compute variant_qc.parquet and sample_qc.parquet (Hail's variant_qc / sample_qc).
    Qc(QcArgs),
    /// Cluster samples by k-means over standardised sample_qc features into clusters.parquet.
    Cluster(ClusterArgs),
    /// Inspect and verify a provenance ledger.
    Ledger(LedgerArgs),
    /// Run ingest, qc and cluster on one cohort and verify the ledger (default: bundled data).
    Run(RunArgs),
}

/// Where a stage writes and records.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Ledger directory to record this run in (e.g. DIR/ledger).
    #[arg(long, value_name = "DIR")]
    pub ledger: Option<PathBuf>,
}

/// `provar ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The VCF file (plain text or BGZF-compressed).
    #[arg(value_name = "VCF")]
    pub vcf: PathBuf,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `provar qc`.
#[derive(Debug, Args)]
pub struct QcArgs {
    /// Directory with the ingest tables (default: the output directory).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// k-means parameters.
#[derive(Debug, Args)]
pub struct KMeansArgs {
    /// Number of clusters.
    #[arg(long, default_value_t = 3)]
    pub k: usize,
    /// Seed of the k-means++ initialisation.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// `provar cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Directory with sample_qc.parquet (default: the output directory).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// k-means parameters.
    #[command(flatten)]
    pub kmeans: KMeansArgs,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `provar ledger`.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    /// What to do with the ledger.
    #[command(subcommand)]
    pub command: LedgerCommand,
}

/// `provar ledger ...`.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Re-hash every recorded artifact and re-check the record chain. Exit 1 on any problem.
    Verify {
        /// The ledger directory (e.g. provar-out/ledger).
        #[arg(long, value_name = "DIR")]
        ledger: PathBuf,
    },
}

/// `provar run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The cohort VCF (default: the bundled 1000 Genomes chr20 100-sample cohort).
    #[arg(long, value_name = "FILE")]
    pub vcf: Option<PathBuf>,
    /// Output directory; the ledger goes to DIR/ledger.
    #[arg(long, value_name = "DIR", default_value = "provar-out")]
    pub out: PathBuf,
    /// k-means parameters.
    #[command(flatten)]
    pub kmeans: KMeansArgs,
}
