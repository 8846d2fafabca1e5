//! provar stage `denovo`: are a gene's de novo mutations closer together in its coding
//! sequence than chance predicts?
//!
//! The method is denovonear's (McRae et al.): for each gene, the de novo SNVs of a class
//! (missense, or loss of function) are placed on a coding transcript's CDS; the statistic
//! is the geometric mean of their pairwise CDS distances (adding 1 to every distance, then
//! subtracting 1 from the mean, when two fall on the same base). The null distribution
//! comes from simulation: as many SNVs drawn at random from the sites where a single-base
//! change has that class, each weighted by its trinucleotide-context mutation rate. The
//! p-value is (1 + simulations at or below the observed mean) / (1 + simulations); while
//! no simulation is that small, another million are run, up to 100 million, and a gene
//! whose p-value is clearly above 0.1 stops early.
//!
//! Transcripts: the coding transcript holding the most de novos (then the longest CDS,
//! then the smallest id); de novos it does not hold go to the next such transcript, and
//! the p-values of several transcripts are combined by Fisher's method, as denovonear
//! does. Simulations use a seeded xoshiro256++ generator: the same seed gives the same
//! p-values.

pub mod cds;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use provar_io::arrow_array::{
    ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use provar_io::arrow_schema::{DataType, Field, Schema};
use provar_io::gene_model::GeneModel;
use provar_io::table::{self, Finished, TableDef, TableWriter};
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

pub use cds::{Class, Rates};

/// A failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The FASTA file is unusable.
    #[error(transparent)]
    Fasta(#[from] provar_io::fasta::Error),
    /// The rates table is unusable.
    #[error("mutation rates {name}, line {line}: {reason}")]
    Rates {
        /// The file.
        name: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A line of the de novo table is unusable.
    #[error("de novo table {}, line {line}: {reason}", path.display())]
    Table {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The gene model could not be read.
    #[error(transparent)]
    GeneModel(#[from] provar_io::gene_model::Error),
    /// The output could not be written.
    #[error(transparent)]
    Output(#[from] table::Error),
}

/// One de novo mutation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeNovo {
    /// Gene symbol.
    pub gene: String,
    /// Contig as written.
    pub contig: String,
    /// 1-based position.
    pub position: u64,
    /// Class from the consequence (`None`: neither missense nor LoF, or an indel).
    pub class: Option<Class>,
}

/// VEP consequences counted as missense, as in denovonear.
const MISSENSE: [&str; 6] = [
    "missense_variant",
    "stop_lost",
    "inframe_deletion",
    "inframe_insertion",
    "coding_sequence_variant",
    "protein_altering_variant",
];
/// ... and as loss of function.
const LOF: [&str; 7] = [
    "stop_gained",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "frameshift_variant",
    "initiator_codon_variant",
    "start_lost",
    "conserved_exon_terminus_variant",
];

fn classify(consequence: &str) -> Option<Class> {
    if MISSENSE.contains(&consequence) {
        Some(Class::Missense)
    } else if LOF.contains(&consequence) {
        Some(Class::Lof)
    } else {
        None
    }
}

/// Reads a de novo table: denovonear's five columns (`gene_name chr pos consequence
/// snp_or_indel`), or any tab-separated table with a header naming `symbol`/`gene_name`/
/// `hgnc`, `chrom`/`chr`, `pos` and `consequence` columns (as the Kaplanis et al. 2020
/// table), plain or gzip. Indels (a `snp_or_indel` or `var_type` saying indel, or REF/ALT
/// columns of other lengths) are left out, as denovonear leaves them out.
pub fn read_de_novos(path: &Path) -> Result<Vec<DeNovo>, Error> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(io)?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut out)
            .map_err(io)?;
        out
    } else {
        String::from_utf8(bytes).map_err(|e| Error::Table {
            path: path.to_owned(),
            line: 1,
            reason: format!("not UTF-8 text: {e}"),
        })?
    };
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let names: Vec<&str> = header.split('\t').collect();
    let find = |candidates: &[&str]| names.iter().position(|n| candidates.contains(&n.trim()));
    let bad = |line: usize, reason: String| Error::Table {
        path: path.to_owned(),
        line,
        reason,
    };
    let gene = find(&["symbol", "gene_name", "hgnc", "gene"])
        .ok_or_else(|| bad(1, "no gene column (symbol, gene_name or hgnc)".to_owned()))?;
    let chrom = find(&["chrom", "chr", "chromosome"])
        .ok_or_else(|| bad(1, "no chromosome column (chrom or chr)".to_owned()))?;
    let pos = find(&["pos", "position"]).ok_or_else(|| bad(1, "no pos column".to_owned()))?;
    let consequence =
        find(&["consequence"]).ok_or_else(|| bad(1, "no consequence column".to_owned()))?;
    let kind = find(&["snp_or_indel", "var_type"]);
    let (reference, alternate) = (find(&["ref"]), find(&["alt"]));
    let mut out = Vec::new();
    for (index, line) in lines {
        let n = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| f.get(i).copied().unwrap_or("").trim();
        let symbol = field(gene);
        if symbol.is_empty() || symbol == "." {
            continue;
        }
        let is_indel = kind.is_some_and(|k| field(k).to_ascii_lowercase().contains("indel"))
            || matches!((reference, alternate), (Some(r), Some(a)) if field(r).len() != 1 || field(a).len() != 1);
        let position: u64 = field(pos)
            .parse()
            .map_err(|_| bad(n, format!("position {:?} is not a number", field(pos))))?;
        out.push(DeNovo {
            gene: symbol.to_owned(),
            contig: field(chrom).to_owned(),
            position,
            class: if is_indel {
                None
            } else {
                classify(field(consequence))
            },
        });
    }
    Ok(out)
}

/// The geometric mean of the pairwise distances between `sites`, as denovonear computes
/// it.
pub fn geometric_mean_distance(sites: &[u32]) -> f64 {
    let mut distances = Vec::with_capacity(sites.len() * sites.len().saturating_sub(1) / 2);
    for i in 0..sites.len() {
        for j in i + 1..sites.len() {
            distances.push(f64::from(sites[i].abs_diff(sites[j])));
        }
    }
    if distances.is_empty() {
        return f64::NAN;
    }
    let zero = distances.contains(&0.0);
    let shift = if zero { 1.0 } else { 0.0 };
    let mean =
        (distances.iter().map(|d| (d + shift).ln()).sum::<f64>() / distances.len() as f64).exp();
    mean - shift
}

/// Fisher's method: the chi-square (2k degrees of freedom) survival of −2 Σ ln p.
pub fn fishers_method(p: &[f64]) -> f64 {
    let p: Vec<f64> = p.iter().copied().filter(|x| !x.is_nan()).collect();
    if p.is_empty() {
        return f64::NAN;
    }
    let x = -2.0 * p.iter().map(|v| v.ln()).sum::<f64>();
    // Survival of chi-square with 2k df: exp(-x/2) Σ_{i<k} (x/2)^i / i!.
    let half = x / 2.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..p.len() {
        term *= half / i as f64;
        sum += term;
    }
    ((-half).exp() * sum).min(1.0)
}

/// Simulation settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Simulation {
    /// Simulations in the first round (denovonear: 1,000,000).
    pub iterations: u64,
    /// Upper bound when extending (denovonear: 100,000,000).
    pub max_iterations: u64,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for Simulation {
    fn default() -> Self {
        Simulation {
            iterations: 1_000_000,
            max_iterations: 100_000_000,
            seed: 42,
        }
    }
}

/// The p-value of `observed` for `n` sites drawn from `sampler`, and the simulations run.
pub fn simulate(
    sampler: &cds::Sampler,
    n: usize,
    observed: f64,
    settings: Simulation,
    rng: &mut Xoshiro256PlusPlus,
) -> (f64, u64) {
    let total = sampler.total();
    let mut done = 0u64;
    let mut smaller = 0u64;
    let mut target = settings.iterations;
    let mut sites = vec![0u32; n];
    loop {
        while done < target {
            for site in sites.iter_mut() {
                // 53 random bits to a float in [0, 1).
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                *site = sampler.pick(u * total);
            }
            if geometric_mean_distance(&sites) <= observed {
                smaller += 1;
            }
            done += 1;
        }
        let p = (1.0 + smaller as f64) / (1.0 + done as f64);
        // Stop when the p-value is clearly above 0.1 (denovonear's rule: z = 10), or some
        // simulation reached the observed value, or at the cap.
        let lower = p - 10.0 * (p * (1.0 - p)).sqrt() / done as f64;
        if smaller > 0 || lower > 0.1 || target >= settings.max_iterations {
            return (p, done);
        }
        target = (target + 1_000_000).min(settings.max_iterations);
    }
}

/// One output row.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Gene symbol.
    pub gene: String,
    /// Class.
    pub class: Class,
    /// Transcripts used, comma-separated.
    pub transcripts: String,
    /// De novos placed on them.
    pub events: u32,
    /// Observed statistic per transcript, comma-separated, one decimal (as denovonear).
    pub distance: String,
    /// Combined p-value (NaN with fewer than two events).
    pub p_value: f64,
    /// Simulations run, summed over transcripts.
    pub simulations: u64,
}

/// What to analyse.
#[derive(Clone, Debug)]
pub struct DenovoConfig {
    /// The de novo table.
    pub de_novos: PathBuf,
    /// GTF/GFF3 gene model.
    pub genes: PathBuf,
    /// Genome FASTA (with or without `.fai`).
    pub fasta: PathBuf,
    /// Trinucleotide mutation rates (`from to mu_snp`).
    pub rates: PathBuf,
    /// Only these genes (empty: every gene of the table).
    pub only_genes: Vec<String>,
    /// Simulation settings.
    pub simulation: Simulation,
    /// Output directory.
    pub out_dir: PathBuf,
}

/// Counts and the written table.
#[derive(Debug)]
pub struct Denovo {
    /// `denovo_clusters`.
    pub tables: Vec<Finished>,
    /// Rows written.
    pub rows: Vec<Cluster>,
    /// Genes of the table not found in the gene model (or without a coding transcript
    /// holding their de novos).
    pub missing_genes: Vec<String>,
}

/// Runs the stage.
pub fn run(config: &DenovoConfig) -> Result<Denovo, Error> {
    let de_novos = read_de_novos(&config.de_novos)?;
    let rates_text = std::fs::read_to_string(&config.rates).map_err(|e| Error::Io {
        path: config.rates.clone(),
        source: e,
    })?;
    let rates = Rates::parse(&rates_text, &config.rates.display().to_string())?;
    let model = GeneModel::read(&config.genes)?;
    let mut fasta = provar_io::fasta::Reader::open(&config.fasta)?;
    let mut by_gene: BTreeMap<&str, Vec<&DeNovo>> = BTreeMap::new();
    for d in &de_novos {
        if config.only_genes.is_empty() || config.only_genes.contains(&d.gene) {
            by_gene.entry(&d.gene).or_default().push(d);
        }
    }
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.simulation.seed);
    for (gene, events) in by_gene {
        let transcripts: Vec<_> = model
            .transcripts
            .iter()
            .filter(|t| model.genes[t.gene].name.as_deref() == Some(gene) && t.is_coding())
            .collect();
        let mut cds: Vec<cds::Cds> = Vec::new();
        for t in transcripts {
            if let Some(c) = cds::Cds::new(t, &mut fasta, &rates)? {
                cds.push(c);
            }
        }
        if cds.is_empty() {
            missing.push(gene.to_owned());
            continue;
        }
        for class in [Class::Missense, Class::Lof] {
            let mut left: Vec<u64> = events
                .iter()
                .filter(|d| d.class == Some(class))
                .map(|d| d.position)
                .collect();
            let mut used = Vec::new();
            let mut distances = Vec::new();
            let mut p_values = Vec::new();
            let mut placed = 0u32;
            let mut simulations = 0u64;
            // denovonear's minimal transcript set: most de novos, then longest, then id.
            while !left.is_empty() {
                let best = cds
                    .iter()
                    .filter(|c| !used.contains(&c.id))
                    .map(|c| {
                        (
                            left.iter().filter(|p| c.coordinate(**p).is_some()).count(),
                            c,
                        )
                    })
                    .filter(|(n, _)| *n > 0)
                    .max_by(|(n1, c1), (n2, c2)| {
                        n1.cmp(n2)
                            .then(c1.len().cmp(&c2.len()))
                            .then(c2.id.cmp(&c1.id))
                    });
                let Some((_, transcript)) = best else { break };
                used.push(transcript.id.clone());
                let sites: Vec<u32> = left
                    .iter()
                    .filter_map(|p| transcript.coordinate(*p))
                    .collect();
                left.retain(|p| transcript.coordinate(*p).is_none());
                placed += sites.len() as u32;
                let observed = geometric_mean_distance(&sites);
                distances.push(if observed.is_nan() {
                    "nan".to_owned()
                } else {
                    format!("{observed:.1}")
                });
                let p = match transcript.sampler(class) {
                    Some(sampler) if sites.len() >= 2 => {
                        let (p, n) =
                            simulate(sampler, sites.len(), observed, config.simulation, &mut rng);
                        simulations += n;
                        p
                    }
                    _ => f64::NAN,
                };
                p_values.push(p);
            }
            if used.is_empty() {
                continue;
            }
            rows.push(Cluster {
                gene: gene.to_owned(),
                class,
                transcripts: used.join(","),
                events: placed,
                distance: distances.join(","),
                p_value: fishers_method(&p_values),
                simulations,
            });
        }
    }
    let def = TableDef {
        name: "denovo_clusters",
        version: 1,
        schema: Arc::new(Schema::new(vec![
            Field::new("gene", DataType::Utf8, false),
            Field::new("class", DataType::Utf8, false),
            Field::new("transcripts", DataType::Utf8, false),
            Field::new("events", DataType::UInt32, false),
            Field::new("distance", DataType::Utf8, false),
            Field::new("p_value", DataType::Float64, true),
            Field::new("simulations", DataType::UInt64, false),
        ])),
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.gene.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.class.name()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.transcripts.as_str()),
        )),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.events))),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.distance.as_str()),
        )),
        Arc::new(Float64Array::from_iter(
            rows.iter()
                .map(|r| (!r.p_value.is_nan()).then_some(r.p_value)),
        )),
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|r| r.simulations),
        )),
    ];
    let batch =
        RecordBatch::try_new(def.schema.clone(), columns).map_err(|e| table::Error::Parquet {
            path: config.out_dir.join("denovo_clusters.parquet"),
            source: e.into(),
        })?;
    let mut writer = TableWriter::create(&config.out_dir, def)?;
    writer.write(&batch)?;
    Ok(Denovo {
        tables: vec![writer.finish()?],
        rows,
        missing_genes: missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// denovonear's test_fishers_method.
    #[test]
    fn fishers_method_equals_denovonears() {
        assert!((fishers_method(&[0.01, 0.001]) - 0.000_125_129_254_6).abs() < 1e-12);
        assert!((fishers_method(&[0.01]) - 0.01).abs() < 1e-12);
        assert!((fishers_method(&[0.01, f64::NAN]) - 0.01).abs() < 1e-12);
        assert!(fishers_method(&[f64::NAN, f64::NAN]).is_nan());
    }

    /// denovonear's test_geometric_mean cases: no zero, with a zero.
    #[test]
    fn geometric_mean_of_distances() {
        // Sites 0, 2, 10: distances 2, 10, 8 -> (160)^(1/3).
        assert!((geometric_mean_distance(&[0, 2, 10]) - 160f64.cbrt()).abs() < 1e-12);
        // Two on one base: distances 0, 5, 5 -> (1*6*6)^(1/3) - 1.
        assert!((geometric_mean_distance(&[3, 3, 8]) - (36f64.cbrt() - 1.0)).abs() < 1e-12);
    }
}
