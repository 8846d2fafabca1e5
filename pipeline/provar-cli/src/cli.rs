//! Command-line arguments. Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `provar --version`: the package version and the git commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("PROVAR_COMMIT"),
    ")"
);

/// provar: genomic variant analysis with a tamper-evident provenance ledger.
///
/// Exit codes: 0 success; 1 a check ran and failed (e.g. `ledger verify` found tampering,
/// or an input differs from what the ledger recorded); 2 usage, input or I/O error.
/// Standard output carries data only; messages go to standard error.
#[derive(Debug, Parser)]
#[command(name = "provar", version = VERSION, about, long_about)]
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
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More detail on standard error: -v adds timings and the stage's structured events,
    /// -vv everything (`PROVAR_LOG=debug` and similar filters work too). Colour only on a
    /// terminal, never with NO_COLOR set.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Also print a machine-readable summary of the command on standard output as one JSON
    /// object (command, status, exit code, seconds, threads, messages and every output with
    /// its size and BLAKE3), for workflow engines.
    #[arg(long, global = true)]
    pub json: bool,
}

/// provar's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a VCF (plain or bgzipped) into variants.parquet, calls.parquet and samples.parquet.
    ///
    /// Example: provar ingest cohort.vcf.gz --shard 2/8 --out shards/2 --ledger out/ledger
    Ingest(IngestArgs),
    /// Join the ingest tables of shards into the tables one run over the whole file writes.
    ///
    /// Example: provar merge shards/1 shards/2 --out out --ledger out/ledger
    Merge(MergeArgs),
    /// Compute variant_qc.parquet and sample_qc.parquet (Hail's variant_qc / sample_qc).
    ///
    /// Example: provar qc --out out --min-gq 20 --ledger out/ledger
    Qc(QcArgs),
    /// Cluster samples by k-means over standardised sample_qc features into clusters.parquet.
    ///
    /// Example: provar cluster --out out --k 3 --seed 42 --ledger out/ledger
    Cluster(ClusterArgs),
    /// Assign variants to genes and transcripts (CDS, UTR, splice site or region, intron)
    /// from a GFF3 or GTF gene model into annotations.parquet; and split consequence
    /// annotations the VCF carried (VEP CSQ, SnpEff ANN, bcftools BCSQ) into
    /// consequences.parquet, the worst per allele marked, as `bcftools +split-vep` does.
    ///
    /// Example: provar annotate --genes Homo_sapiens.GRCh38.chr21.gff3.gz --out out
    Annotate(AnnotateArgs),
    /// Write report.html: QC plots, PCA and clusters, burden, candidates per family, Mendel
    /// errors and the ledger digest of every table shown (one self-contained file).
    ///
    /// Example: provar report --out out --ledger out/ledger
    Report(ReportArgs),
    /// Find Mendel errors (Hail's codes) and inheritance-mode candidates (de novo, X-linked
    /// de novo, recessive, X-linked recessive, dominant, compound het) for the families of a
    /// PED file into mendel_errors.parquet and candidates.parquet.
    ///
    /// Example: provar rare --ped family.ped --out out --ledger out/ledger
    Rare(RareArgs),
    /// Test each gene for more carriers of qualifying rare variants among cases than among
    /// controls (one-sided Fisher exact test, odds ratio with 95% CI, Benjamini-Hochberg
    /// FDR, geneBurdenRD's minimum counts) into burden.parquet.
    ///
    /// Example: provar burden --ped cohort.ped --out out --qualifying lof
    Burden(BurdenArgs),
    /// Test whether each gene's de novo mutations cluster in its coding sequence
    /// (denovonear's statistic and mutation-rate-weighted null) into
    /// denovo_clusters.parquet.
    ///
    /// Example: provar denovo --de-novos dnms.tsv --genes genes.gtf --fasta genome.fa --rates rates.txt --out out
    Denovo(DenovoArgs),
    /// Count reads per allele and strand at variant sites in BAM/CRAM files (bcftools
    /// mpileup's filters and rules: AD, ADF, ADR, DP) into site_evidence.parquet, with
    /// allele balance, mean mapping and base quality and a strand-bias test.
    ///
    /// Example: provar sites --bam a.bam b.cram --variants calls.vcf.gz --reference ref.fa --out out
    Sites(SitesArgs),
    /// Per-sample depth over fixed windows and target regions with a summary (mean, median,
    /// fraction at >= 1/10/20/30x; mosdepth's semantics) from BAM/CRAM files.
    ///
    /// Example: provar coverage --bam a.bam b.bam --targets exome.bed --window 1000 --out out
    Coverage(CoverageArgs),
    /// Inspect and verify a provenance ledger.
    ///
    /// Example: provar ledger verify --ledger out/ledger
    Ledger(LedgerArgs),
    /// Print a shell completion script to standard output.
    ///
    /// Example: `provar completions bash > ~/.local/share/bash-completion/completions/provar`
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output.
    ///
    /// Example: `provar man > provar.1 && man ./provar.1`
    Man,
    /// Run ingest, qc and cluster on one cohort (and sites and coverage with --bam, the
    /// rare-disease stages with --ped), report, and verify the ledger (default: bundled data).
    ///
    /// Example: provar run --vcf cohort.vcf.gz --out provar-out
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

/// `provar completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `provar report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Directory holding the tables to report on (default: --out).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// A pedigree: the PCA plot is also coloured by family.
    #[arg(long, value_name = "FILE")]
    pub ped: Option<PathBuf>,
    /// Where report.html goes, and the ledger that recorded the tables.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `provar ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The VCF file (plain text or BGZF-compressed).
    #[arg(value_name = "VCF")]
    pub vcf: PathBuf,
    /// Only records overlapping REGION (CONTIG, CONTIG:START-END, 1-based inclusive, or
    /// comma-separated list; repeatable), like `bcftools view -r`. Needs a .tbi or .csi index.
    #[arg(
        long,
        value_name = "REGION",
        value_delimiter = ',',
        conflicts_with = "shard"
    )]
    pub region: Vec<provar_core::Region>,
    /// Only records overlapping the intervals of a BED file (0-based, half-open). Needs an index.
    #[arg(long, value_name = "BED", conflicts_with = "shard")]
    pub regions_file: Option<PathBuf>,
    /// Only shard I of N (1-based): the genome cut at index-bin boundaries into N parts of
    /// about equal data; each record belongs to the shard holding its POS. Join the shards
    /// with `provar merge`. Needs an index.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Keep only these samples (comma-separated, in this order); prefix the list with ^ to
    /// drop them instead, like `bcftools view -s`.
    #[arg(
        long,
        value_name = "LIST",
        conflicts_with = "samples_file",
        allow_hyphen_values = true
    )]
    pub samples: Option<String>,
    /// Keep the samples named in FILE (one per line); ^FILE drops them, like `bcftools view -S`.
    #[arg(long, value_name = "FILE")]
    pub samples_file: Option<String>,
    /// Reference FASTA (with or without .fai): check every REF against it and left-align
    /// and trim each split row like `bcftools norm -f FASTA -m-`; rows that move are
    /// re-sorted so the tables stay in genomic order. A REF that does not match is an error
    /// (exit 2).
    #[arg(long, value_name = "FASTA")]
    pub fasta: Option<PathBuf>,
    /// Consent and pseudonyms.
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Consent and pseudonymisation (ingest, and `run`, which ingests).
#[derive(Debug, Args, Default, Clone)]
pub struct PrivacyArgs {
    /// Consent manifest (TSV: sample, status granted|revoked, scope, date YYYY-MM-DD; the
    /// latest line of a sample wins). Only granted samples are ingested: revoked and
    /// unlisted ones are dropped. The manifest's digest is recorded in the ledger.
    #[arg(long, value_name = "FILE")]
    pub consent: Option<PathBuf>,
    /// Replace sample ids in every table with keyed-BLAKE3 pseudonyms (`psn-` + 20 hex
    /// digits); KEYFILE holds 64 hex digits (32 bytes), e.g. from `openssl rand -hex 32`.
    #[arg(long, value_name = "KEYFILE")]
    pub pseudonymise: Option<PathBuf>,
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let invalid = || format!("invalid shard {s:?}: expected I/N with 1 <= I <= N");
    let (i, n) = s.split_once('/').ok_or_else(invalid)?;
    let (i, n): (usize, usize) = (
        i.parse().map_err(|_| invalid())?,
        n.parse().map_err(|_| invalid())?,
    );
    if i == 0 || i > n {
        return Err(invalid());
    }
    Ok((i, n))
}

/// `provar merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard output directories of `provar ingest --shard`, in shard order.
    #[arg(value_name = "DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Genotype filters for `qc` (Hail's `filter_entries`): a failing call counts in
/// `n_filtered` and nowhere else; a call missing the field fails.
#[derive(Debug, Args, Default, Clone, Copy)]
pub struct FilterArgs {
    /// Filter calls with GQ below this.
    #[arg(long, value_name = "GQ")]
    pub min_gq: Option<i32>,
    /// Filter calls with DP below this.
    #[arg(long, value_name = "DP")]
    pub min_dp: Option<i32>,
}

/// Sex inference from non-PAR X homozygosity (PLINK's `--check-sex` F) in `qc`.
#[derive(Debug, Args, Clone, Copy)]
pub struct SexArgs {
    /// Reference build, for the pseudo-autosomal regions left out of sex inference.
    #[arg(long, value_enum, default_value = "GRCh37")]
    pub build: BuildArg,
    /// F below this infers female (PLINK's and Hail's default).
    #[arg(long, value_name = "F", default_value_t = 0.2)]
    pub female_max_f: f64,
    /// F above this infers male (PLINK's and Hail's default).
    #[arg(long, value_name = "F", default_value_t = 0.8)]
    pub male_min_f: f64,
}

impl Default for SexArgs {
    fn default() -> Self {
        Self {
            build: BuildArg::Grch37,
            female_max_f: 0.2,
            male_min_f: 0.8,
        }
    }
}

/// `provar qc`.
#[derive(Debug, Args)]
pub struct QcArgs {
    /// Genotype filters.
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Sex inference.
    #[command(flatten)]
    pub sex: SexArgs,
    /// A pedigree (PED/FAM) whose sex column is checked against the inferred sex
    /// (`pedigree_sex` and `sex_check` in sample_qc.parquet).
    #[arg(long, value_name = "FILE")]
    pub ped: Option<PathBuf>,
    /// Directory with the ingest tables (default: the output directory).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Reference builds (for the pseudo-autosomal regions of X and Y).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BuildArg {
    /// GRCh37 / hg19.
    #[value(name = "GRCh37", alias = "grch37", alias = "hg19")]
    Grch37,
    /// GRCh38 / hg38.
    #[value(name = "GRCh38", alias = "grch38", alias = "hg38")]
    Grch38,
}

impl From<BuildArg> for provar_rare::Build {
    fn from(build: BuildArg) -> Self {
        match build {
            BuildArg::Grch37 => provar_rare::Build::GRCh37,
            BuildArg::Grch38 => provar_rare::Build::GRCh38,
        }
    }
}

/// Genotype gates of the inheritance modes. Defaults: GQ >= 20, DP >= 10, parents' alternate
/// reads <= 5 (de novo), heterozygous allele balance 0.2-0.8, PASS sites only.
#[derive(Debug, Args, Default, Clone)]
pub struct GateArgs {
    /// Start from no gates at all (genotypes alone), then apply the flags given.
    #[arg(long)]
    pub no_gates: bool,
    /// Minimum GQ of the family members a mode looks at.
    #[arg(long, value_name = "GQ")]
    pub min_gq: Option<i32>,
    /// Minimum FORMAT DP of those members.
    #[arg(long, value_name = "DP")]
    pub min_dp: Option<i32>,
    /// De novo: at most this many alternate reads in both parents together (-1: no limit).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub max_parent_alt_reads: Option<i32>,
    /// Allele balance range of heterozygous calls of probands, e.g. 0.2,0.8.
    #[arg(long, value_name = "LO,HI", value_parser = parse_range)]
    pub het_ab: Option<(f64, f64)>,
    /// Consider sites whatever their FILTER (default: PASS only).
    #[arg(long, conflicts_with = "pass_only")]
    pub any_filter: bool,
    /// Only PASS sites (the default unless --no-gates).
    #[arg(long)]
    pub pass_only: bool,
    /// Minimum INFO/DP of the site.
    #[arg(long, value_name = "DP")]
    pub min_info_dp: Option<i32>,
}

/// `LO,HI` with 0 <= LO <= HI <= 1.
fn parse_range(text: &str) -> Result<(f64, f64), String> {
    let (lo, hi) = text
        .split_once(',')
        .ok_or_else(|| format!("expected LO,HI (e.g. 0.2,0.8), found {text:?}"))?;
    let parse = |s: &str| s.trim().parse::<f64>().map_err(|e| format!("{s:?}: {e}"));
    let (lo, hi) = (parse(lo)?, parse(hi)?);
    if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo > hi {
        return Err(format!("expected 0 <= LO <= HI <= 1, found {lo},{hi}"));
    }
    Ok((lo, hi))
}

/// Rarity and impact limits of the inheritance modes (Mendel errors count every variant).
#[derive(Debug, Args, Clone, Copy)]
pub struct RarityArgs {
    /// Largest population AF (population.parquet of `provar annotate --population`; an
    /// allele absent from it passes); a negative value turns the limit off.
    #[arg(
        long,
        value_name = "AF",
        default_value_t = 0.01,
        allow_hyphen_values = true
    )]
    pub max_pop_af: f64,
    /// Largest cohort AF (variant_qc.parquet AF; needs `provar qc` first).
    #[arg(long, value_name = "AF")]
    pub max_cohort_af: Option<f64>,
    /// Consequences that count (consequences.parquet of `provar annotate`, else INFO/BCSQ).
    #[arg(long, value_enum, default_value = "any")]
    pub impact: QualifyingArg,
}

impl Default for RarityArgs {
    fn default() -> Self {
        Self {
            max_pop_af: 0.01,
            max_cohort_af: None,
            impact: QualifyingArg::Any,
        }
    }
}

impl RarityArgs {
    /// The limits these flags ask for.
    pub fn rarity(&self) -> provar_rare::Rarity {
        provar_rare::Rarity {
            max_population_af: (self.max_pop_af >= 0.0).then_some(self.max_pop_af),
            max_cohort_af: self.max_cohort_af,
            impact: self.impact.into(),
        }
    }
}

/// `provar rare`.
#[derive(Debug, Args)]
pub struct RareArgs {
    /// The pedigree (PED/FAM: family, individual, father, mother, sex, phenotype).
    #[arg(long, value_name = "FILE")]
    pub ped: PathBuf,
    /// Directory with the ingest tables (default: the output directory).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// Reference build, for the pseudo-autosomal regions.
    #[arg(long, value_enum, default_value = "GRCh37")]
    pub build: BuildArg,
    /// Genotype gates.
    #[command(flatten)]
    pub gates: GateArgs,
    /// Rarity and impact.
    #[command(flatten)]
    pub rarity: RarityArgs,
    /// Take AD and DP from the reads (site_evidence.parquet of `provar sites`, in the tables
    /// directory) instead of the VCF's FORMAT fields, for the allele-balance, depth and
    /// parental-alt-read gates and the evidence column.
    #[arg(long)]
    pub read_evidence: bool,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Consequence classes for `provar burden`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QualifyingArg {
    /// Stop gained, frameshift, splice acceptor/donor, start or stop lost.
    Lof,
    /// Loss of function, missense and in-frame indels.
    Protein,
    /// Every variant with a consequence in the gene.
    Any,
}

/// `provar denovo`.
#[derive(Debug, Args)]
pub struct DenovoArgs {
    /// De novo table: denovonear's (gene_name chr pos consequence snp_or_indel) or one with
    /// symbol/chrom/pos/consequence columns (Kaplanis et al. 2020); plain or gzip.
    #[arg(long, value_name = "FILE")]
    pub de_novos: PathBuf,
    /// GTF or GFF3 gene model (genes matched by gene_name / Name).
    #[arg(long, value_name = "FILE")]
    pub genes: PathBuf,
    /// Genome FASTA (a .fai beside it is used when present).
    #[arg(long, value_name = "FILE")]
    pub fasta: PathBuf,
    /// Trinucleotide mutation rates, `from to mu_snp` (denovonear's rates.txt).
    #[arg(long, value_name = "FILE")]
    pub rates: PathBuf,
    /// Only this gene (repeatable; default every gene of the table).
    #[arg(long, value_name = "SYMBOL")]
    pub gene: Vec<String>,
    /// Simulations per gene and class before extending (denovonear: 1,000,000).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub iterations: u64,
    /// Seed of the simulations (recorded in the ledger).
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `provar burden`.
#[derive(Debug, Args)]
pub struct BurdenArgs {
    /// The pedigree: phenotype 2 = case, 1 = control (others left out).
    #[arg(long, value_name = "FILE")]
    pub ped: PathBuf,
    /// Directory with the ingest tables (default: the output directory).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// Which variants qualify, and how they group.
    #[command(flatten)]
    pub rules: QualifyingArgs,
    /// Test a gene only with at least this many case carriers (geneBurdenRD: 1).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_case_carriers: usize,
    /// ... and at least this many cases (geneBurdenRD: 5).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub min_cases: usize,
    /// ... and at least this many carriers in all (geneBurdenRD: 4).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub min_carriers: usize,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `provar sites`.
#[derive(Debug, Args)]
pub struct SitesArgs {
    /// BAM or CRAM files, one sample each (the read groups' SM, else the file name).
    #[arg(long = "bam", value_name = "FILE", num_args = 1.., required = true)]
    pub bams: Vec<PathBuf>,
    /// The sites: a VCF/VCF.gz, or a directory of provar tables (its variants.parquet).
    #[arg(long, value_name = "VCF_OR_DIR")]
    pub variants: PathBuf,
    /// Reference FASTA with .fai: needed for CRAM, and for BAQ (as in bcftools, BAQ is
    /// applied only when the reference is given).
    #[arg(long, value_name = "FASTA")]
    pub reference: Option<PathBuf>,
    /// Skip reads with mapping quality below this (bcftools -q).
    #[arg(long, value_name = "Q", default_value_t = 0)]
    pub min_mapq: u8,
    /// Skip bases with quality below this (bcftools -Q; its code's default is 1, though its
    /// manual says 13).
    #[arg(long, value_name = "Q", default_value_t = 1)]
    pub min_baseq: u8,
    /// Skip reads with any of these flag bits (bcftools --ff; default UNMAP,SECONDARY,QCFAIL,DUP).
    #[arg(long, value_name = "INT", default_value_t = 0x704, value_parser = parse_flags)]
    pub skip_flags: u16,
    /// Count paired reads that are not properly paired (bcftools -A).
    #[arg(long)]
    pub count_orphans: bool,
    /// BAQ: partial (bcftools' default), full (bcftools -D) or off (bcftools -B).
    #[arg(long, value_enum, default_value = "partial")]
    pub baq: BaqArg,
    /// Count both mates where they overlap (bcftools -x).
    #[arg(long)]
    pub ignore_overlaps: bool,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// BAQ modes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum BaqArg {
    /// Only at columns with indels, by bcftools' heuristics.
    Partial,
    /// Every read.
    Full,
    /// None.
    Off,
}

fn parse_flags(text: &str) -> Result<u16, String> {
    let t = text.trim();
    let parsed = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u16::from_str_radix(hex, 16)
    } else {
        t.parse()
    };
    parsed.map_err(|_| {
        format!("{text:?} is not a flag value (decimal or 0x hexadecimal, at most 0xffff)")
    })
}

/// `provar coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// BAM or CRAM files, one sample each.
    #[arg(long = "bam", value_name = "FILE", num_args = 1.., required = true)]
    pub bams: Vec<PathBuf>,
    /// Reference FASTA with .fai (for CRAM).
    #[arg(long, value_name = "FASTA")]
    pub reference: Option<PathBuf>,
    /// Target regions (BED): per-region depth and a targets summary.
    #[arg(long, value_name = "BED")]
    pub targets: Option<PathBuf>,
    /// Window size in bases for coverage_windows.parquet (0: none).
    #[arg(long, value_name = "BASES", default_value_t = 1000)]
    pub window: u64,
    /// Skip reads with mapping quality below this (mosdepth -Q).
    #[arg(long, value_name = "Q", default_value_t = 0)]
    pub min_mapq: u8,
    /// Skip reads with any of these flag bits (mosdepth -F; default 1796).
    #[arg(long, value_name = "INT", default_value_t = 1796, value_parser = parse_flags)]
    pub skip_flags: u16,
    /// Count deletions as covered (samtools depth -J).
    #[arg(long)]
    pub count_deletions: bool,
    /// Count both mates where they overlap (mosdepth --fast-mode does; samtools depth
    /// without -s does).
    #[arg(long)]
    pub count_mate_overlaps: bool,
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

/// What `provar cluster` clusters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClusterOn {
    /// Standardised sample_qc features, k-means with a fixed --k.
    Qc,
    /// Genotype dosages of common variants: PCA, then --method in PC space, the number of
    /// groups chosen by silhouette (k-means) or BIC (GMM); also KING kinship per pair.
    Genotypes,
    /// Rare-variant burden profiles (per sample, qualifying alternate alleles per gene, or
    /// per --window without gene annotation; the qualifying rules of `provar burden`):
    /// PCA, then --method in PC space, into burden_profiles, burden_pca, burden_clusters.
    Burden,
}

/// Clustering methods in PC space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// k-means, k by the largest mean silhouette.
    Kmeans,
    /// Gaussian mixture, k by the smallest BIC.
    Gmm,
    /// DBSCAN (min 5 points, eps from the 5th-neighbour distances); noise gets its own label.
    Dbscan,
}

/// `provar cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Directory with the input tables (default: the output directory).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// What to cluster on.
    #[arg(long, value_enum, default_value = "qc")]
    pub on: ClusterOn,
    /// Genotypes: clustering method.
    #[arg(long, value_enum, default_value = "gmm")]
    pub method: MethodArg,
    /// Genotypes: principal components the clustering uses.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub pcs: usize,
    /// Genotypes: largest number of groups tried.
    #[arg(long, value_name = "K", default_value_t = 8)]
    pub max_k: usize,
    /// Genotypes: minimum minor allele frequency of the variants the PCA uses.
    #[arg(long, value_name = "MAF", default_value_t = 0.05)]
    pub maf: f64,
    /// Genotypes: keep the method's groups as they are, without the likelihood refinement
    /// (samples moved to the group whose allele frequencies make their genotypes most
    /// likely, STRUCTURE's no-admixture model).
    #[arg(long)]
    pub no_refine: bool,
    /// With --on burden: the qualifying variants (as `provar burden`).
    #[command(flatten)]
    pub profile: QualifyingArgs,
    /// Genotypes: a pedigree, for the expected kinship of each pair in relatedness.parquet.
    #[arg(long, value_name = "FILE")]
    pub ped: Option<PathBuf>,
    /// k-means parameters (--k for qc; --seed for every method).
    #[command(flatten)]
    pub kmeans: KMeansArgs,
    /// Output and ledger.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Which variants qualify for `burden` and the burden profiles of `cluster --on burden`:
/// PASS, within the AF limits, consequence in the class; grouped by gene or window.
#[derive(Debug, Args, Clone, Copy)]
pub struct QualifyingArgs {
    /// Consequence class of a qualifying variant (consequences.parquet, else INFO/BCSQ).
    #[arg(long, value_enum, default_value = "protein")]
    pub qualifying: QualifyingArg,
    /// Group variants in fixed windows of this many bases instead of genes (for VCFs
    /// without consequence annotation; `cluster --on burden` uses 1,000,000 then).
    #[arg(long, value_name = "BASES", value_parser = clap::value_parser!(u64).range(1..))]
    pub window: Option<u64>,
    /// Maximum cohort allele frequency (variant_qc.parquet AF) of a qualifying variant;
    /// a negative value turns the limit off.
    #[arg(
        long,
        value_name = "AF",
        default_value_t = 0.01,
        allow_hyphen_values = true
    )]
    pub max_af: f64,
    /// Maximum population allele frequency (population.parquet of `provar annotate
    /// --population`; an allele absent from it qualifies); a negative value turns it off.
    #[arg(
        long,
        value_name = "AF",
        default_value_t = 0.01,
        allow_hyphen_values = true
    )]
    pub max_pop_af: f64,
}

impl QualifyingArgs {
    /// The cohort and population AF limits (`None`: off).
    pub fn limits(&self) -> (Option<f64>, Option<f64>) {
        (
            (self.max_af >= 0.0).then_some(self.max_af),
            (self.max_pop_af >= 0.0).then_some(self.max_pop_af),
        )
    }
}

impl Default for QualifyingArgs {
    fn default() -> Self {
        Self {
            qualifying: QualifyingArg::Protein,
            window: None,
            max_af: 0.01,
            max_pop_af: 0.01,
        }
    }
}

/// `provar annotate`.
#[derive(Debug, Args)]
pub struct AnnotateArgs {
    /// Directory with variants.parquet (default: the output directory).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// The gene model: GFF3 or GTF (Ensembl, GENCODE, RefSeq), plain, gzip or BGZF; the
    /// format is told from the content. Contigs match exactly, else with the `chr` prefix
    /// removed or added (and MT <-> chrM).
    /// Without it, only consequences.parquet is written (from INFO/CSQ, ANN or BCSQ).
    #[arg(long, value_name = "GFF3_OR_GTF")]
    pub genes: Option<PathBuf>,
    /// Also report variants up to this many bases beyond a transcript's 5' or 3' end as
    /// upstream or downstream (Ensembl VEP uses 5000); 0 reports none.
    #[arg(long, value_name = "BASES", default_value_t = 0)]
    pub flank: u64,
    /// A population sites VCF (gnomAD-style AF/AC/AN/nhomalt INFO): its values are joined
    /// onto the variants by exact allele match (after splitting multi-allelic records) into
    /// population.parquet, as `bcftools annotate -a SITES -c INFO/pop_AF:=INFO/AF` does.
    #[arg(long, value_name = "VCF")]
    pub population: Option<PathBuf>,
    /// INFO keys of --population to join (default: those of AF, AC, AN, nhomalt, AC_Hom it
    /// has); each must be Number=1 or A.
    #[arg(long, value_name = "KEY,...", value_delimiter = ',')]
    pub population_fields: Vec<String>,
    /// Prefix of the joined columns.
    #[arg(long, value_name = "PREFIX", default_value = "pop_")]
    pub population_prefix: String,
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
    /// Re-hash every artifact, re-check the record chain and the checkpoint. Exit 1 on any
    /// problem.
    ///
    /// Checks the Merkle root against `checkpoint`; with --trusted-keys, its signature; with
    /// --since, that the log still extends an earlier checkpoint (not rolled back or forked).
    ///
    /// Example: provar ledger verify --ledger out/ledger --trusted-keys lab.pub --since old.checkpoint
    Verify(LedgerVerifyArgs),
    /// Generate an Ed25519 signing key: PREFIX.key (secret) and PREFIX.pub (verifier key).
    ///
    /// Stages sign the checkpoint they write when PROVAR_SIGN_KEY=PREFIX.key is set.
    ///
    /// Example: provar ledger keygen --name lab.example.org/provar --out lab
    Keygen(LedgerKeygenArgs),
    /// Add a signature to the ledger's current checkpoint (after checking it matches the
    /// records).
    ///
    /// Example: provar ledger sign --ledger out/ledger --sign-key lab.key
    Sign(LedgerSignArgs),
    /// Print an inclusion proof (--record) or a consistency proof (--from-size) to standard
    /// output.
    ///
    /// Example: provar ledger prove --ledger out/ledger --record 2 > record2.proof
    Prove(LedgerProveArgs),
    /// Check a proof offline against a checkpoint. Exit 1 if it does not hold.
    ///
    /// Example: provar ledger check-proof record2.proof --checkpoint out/ledger/checkpoint
    CheckProof(LedgerCheckProofArgs),
    /// Drop a torn last record left by a writer killed mid-append, and record that it did.
    ///
    /// Example: provar ledger repair --ledger out/ledger
    Repair(LedgerDirArgs),
    /// Show how a file was made, back to raw inputs (text tree or --json on standard
    /// output).
    ///
    /// Example: provar ledger lineage out/variant_qc.parquet --ledger out/ledger
    Lineage(LedgerLineageArgs),
    /// Export the ledger's artifact digests for other tools.
    ///
    /// Example: provar ledger export --ledger out/ledger --format ro-crate --out out/ro-crate-metadata.json
    Export(LedgerExportArgs),
    /// Fold the sealed segments of scattered jobs (PROVAR_LEDGER_SEGMENT) into the log, in
    /// dependency order, idempotently.
    ///
    /// Example: provar ledger merge --ledger provar-out/ledger
    Merge(LedgerDirArgs),
    /// Show what differs between two runs: stages, provar versions, parameters, input and
    /// output files. Exit 1 when they differ.
    ///
    /// Example: provar ledger diff run-a/ledger run-b/ledger
    Diff(LedgerDiffArgs),
    /// List every recorded artifact that holds a sample's data: raw inputs and tables that
    /// list it, and everything derived from them (what to rebuild after a consent
    /// revocation). The ledger itself holds no sample ids: the files are read.
    ///
    /// Example: provar ledger affected --ledger provar-out/ledger --sample HG002
    Affected(LedgerAffectedArgs),
}

/// `provar ledger affected`.
#[derive(Debug, Args)]
pub struct LedgerAffectedArgs {
    /// The ledger directory (e.g. provar-out/ledger).
    #[arg(long, value_name = "DIR")]
    pub ledger: PathBuf,
    /// The sample id (as in the VCF header).
    #[arg(long, value_name = "ID")]
    pub sample: String,
    /// The key the tables were pseudonymised with, to find the sample's pseudonym too.
    #[arg(long, value_name = "KEYFILE")]
    pub pseudonymise: Option<PathBuf>,
}

/// `provar ledger diff`.
#[derive(Debug, Args)]
pub struct LedgerDiffArgs {
    /// The first run: its ledger directory, or the output directory holding `ledger/`.
    #[arg(value_name = "RUN_A")]
    pub a: PathBuf,
    /// The second run.
    #[arg(value_name = "RUN_B")]
    pub b: PathBuf,
}

/// `provar ledger repair`.
#[derive(Debug, Args)]
pub struct LedgerDirArgs {
    /// The ledger directory (e.g. provar-out/ledger).
    #[arg(long, value_name = "DIR")]
    pub ledger: PathBuf,
}

/// `provar ledger lineage`.
#[derive(Debug, Args)]
pub struct LedgerLineageArgs {
    /// The file to trace (an output recorded in the ledger).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The ledger directory (e.g. provar-out/ledger).
    #[arg(long, value_name = "DIR")]
    pub ledger: PathBuf,
    /// Print JSON instead of a text tree.
    #[arg(long)]
    pub json: bool,
}

/// Export formats of `provar ledger export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LedgerExportFormat {
    /// `b3sum --check` input: `HEX  PATH` per file, paths relative to the ledger's parent
    /// directory (run `b3sum --check FILE` there).
    B3sum,
    /// RO-Crate 1.2 metadata (Provenance Run Crate profile): write it as
    /// `ro-crate-metadata.json` in the ledger's parent directory.
    RoCrate,
    /// W3C PROV-JSON: files as entities, records as activities.
    ProvJson,
    /// in-toto Statement v1 with a SLSA provenance v1 predicate (sha256 and blake3 digests).
    InToto,
}

/// `provar ledger export`.
#[derive(Debug, Args)]
pub struct LedgerExportArgs {
    /// The ledger directory (e.g. provar-out/ledger).
    #[arg(long, value_name = "DIR")]
    pub ledger: PathBuf,
    /// The export format.
    #[arg(long, value_enum)]
    pub format: LedgerExportFormat,
    /// The file to write (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `provar ledger verify`.
#[derive(Debug, Args)]
pub struct LedgerVerifyArgs {
    /// The ledger directory (e.g. provar-out/ledger).
    #[arg(long, value_name = "DIR")]
    pub ledger: PathBuf,
    /// Verifier keys (one `NAME+KEYID+KEY` per line, `#` comments): the checkpoint must be
    /// signed by one of them, and every signature by them must verify.
    #[arg(long, value_name = "FILE")]
    pub trusted_keys: Option<PathBuf>,
    /// An earlier checkpoint file: the log must still contain the tree it describes
    /// (detects a rolled-back or forked log). May be repeated.
    #[arg(long, value_name = "CHECKPOINT")]
    pub since: Vec<PathBuf>,
}

/// `provar ledger keygen`.
#[derive(Debug, Args)]
pub struct LedgerKeygenArgs {
    /// Key name, without spaces or '+' (e.g. lab.example.org/provar).
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Output prefix: writes PREFIX.key and PREFIX.pub (never overwrites).
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
}

/// `provar ledger sign`.
#[derive(Debug, Args)]
pub struct LedgerSignArgs {
    /// The ledger directory (e.g. provar-out/ledger).
    #[arg(long, value_name = "DIR")]
    pub ledger: PathBuf,
    /// The signing key file written by `provar ledger keygen` (PREFIX.key).
    #[arg(long, value_name = "FILE")]
    pub sign_key: PathBuf,
}

/// `provar ledger prove`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["record", "from_size"])))]
pub struct LedgerProveArgs {
    /// The ledger directory (e.g. provar-out/ledger).
    #[arg(long, value_name = "DIR")]
    pub ledger: PathBuf,
    /// Prove that this record (its seq, from 1) is in the log.
    #[arg(long, value_name = "N")]
    pub record: Option<u64>,
    /// Tree size of the inclusion proof (default: the whole log).
    #[arg(long, value_name = "S", requires = "record")]
    pub size: Option<u64>,
    /// Prove that the log at --to-size extends the log at this size.
    #[arg(long, value_name = "S1", conflicts_with = "record")]
    pub from_size: Option<u64>,
    /// Newer tree size of the consistency proof (default: the whole log).
    #[arg(long, value_name = "S2", requires = "from_size")]
    pub to_size: Option<u64>,
}

/// `provar ledger check-proof`.
#[derive(Debug, Args)]
pub struct LedgerCheckProofArgs {
    /// The proof file written by `provar ledger prove`.
    #[arg(value_name = "PROOF")]
    pub proof: PathBuf,
    /// The checkpoint of the tree the proof is for (for a consistency proof: the newer one).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: PathBuf,
    /// Verifier keys: the checkpoint(s) must be signed by one of them.
    #[arg(long, value_name = "FILE")]
    pub trusted_keys: Option<PathBuf>,
    /// Inclusion proofs: a file holding the record line; it must be the proven record.
    #[arg(long, value_name = "LINEFILE")]
    pub record_file: Option<PathBuf>,
    /// Consistency proofs: the older checkpoint; its size and root must be the proof's.
    #[arg(long, value_name = "FILE")]
    pub old_checkpoint: Option<PathBuf>,
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
    /// Genotype filters for qc.
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Seed of the PCA start and the clustering (recorded in the ledger).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Clustering method over the principal components of the genotypes.
    #[arg(long, value_enum, default_value = "gmm")]
    pub method: MethodArg,
    /// Consent and pseudonyms, applied at ingest.
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    /// Pedigree (PED/FAM): runs the rare-disease stages (Mendel errors, inheritance
    /// candidates with the default gates of `provar rare`) and, when it has cases and
    /// controls, gene burden. Default with the bundled cohort: its case/control file
    /// testdata/cohort/sample.fam.
    #[arg(long, value_name = "FILE")]
    pub ped: Option<PathBuf>,
    /// BAM or CRAM files of the cohort's samples: runs `provar sites` at the cohort's
    /// variants and `provar coverage` (1 kb windows) before the report.
    #[arg(long = "bam", value_name = "FILE", num_args = 1..)]
    pub bams: Vec<PathBuf>,
    /// Reference FASTA with .fai, for CRAM and BAQ (with --bam).
    #[arg(long, value_name = "FASTA", requires = "bams")]
    pub reference: Option<PathBuf>,
    /// Gene model (GFF3 or GTF): runs `provar annotate --genes` (annotations.parquet).
    /// `annotate` also runs without it when the VCF carries VEP CSQ, SnpEff ANN or
    /// bcftools BCSQ (consequences.parquet, which `rare` and `burden` then read).
    #[arg(long, value_name = "GFF3_OR_GTF")]
    pub genes: Option<PathBuf>,
    /// Population sites VCF (AF/AC/AN/nhomalt): runs `provar annotate --population`
    /// (population.parquet; `rare` then keeps alleles with population AF <= 0.01).
    #[arg(long, value_name = "VCF")]
    pub population: Option<PathBuf>,
    /// Reference FASTA to left-align and normalise the VCF's rows against at ingest, as
    /// `provar ingest --fasta` does.
    #[arg(long, value_name = "FASTA")]
    pub fasta: Option<PathBuf>,
}
