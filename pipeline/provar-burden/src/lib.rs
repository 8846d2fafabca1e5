//! provar stage `burden`: per gene, do cases carry qualifying rare variants more often
//! than controls?
//!
//! Cases and controls come from the pedigree's phenotype column (affected = case,
//! unaffected = control; missing phenotypes and samples the pedigree does not name are
//! left out). A sample *carries* a gene when it is heterozygous or homozygous for at least
//! one qualifying variant in it. A variant qualifies when it passes FILTER, its cohort
//! allele frequency (`variant_qc.parquet` AF, when present) is at most `max_af`, its
//! population allele frequency (`population.parquet`, when present and the allele is in
//! it) at most `max_population_af`, and its
//! consequence (`consequences.parquet` of `provar annotate` when present, else the first
//! field of INFO/BCSQ) is in the chosen class.
//!
//! For each gene the 2×2 table carriers × case/control gets the one-sided Fisher exact
//! test (cases carry more), R's conditional maximum-likelihood odds ratio with its exact
//! 95% interval, and Benjamini–Hochberg FDR over the genes tested. As in geneBurdenRD, a
//! gene is tested only with at least one case carrier (d ≥ 1), at least five cases and at
//! least four carriers in all; the others are written with `tested = false` and no p-value.
//!
//! Genes come from the same place. Without any (no consequence annotation in the VCF), variants
//! can be grouped in fixed genomic windows instead (`Grouping::Window`), named
//! `contig:start-end`.

pub mod fisher;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use provar_core::pedigree::{Pedigree, Phenotype};
use provar_io::arrow_array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use provar_io::arrow_schema::{DataType, Field, Schema};
use provar_io::sites::{self, Site};
use provar_io::table::{self, Finished, TableDef, TableWriter};

/// Which consequences qualify (see [`provar_core::consequence_class`]).
pub use provar_core::consequence_class::ConsequenceClass as Qualifying;

/// How variants are grouped into tested units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// By the genes of INFO/BCSQ.
    Gene,
    /// By fixed windows of this many bases (for VCFs without consequence annotation).
    Window(u64),
}

/// geneBurdenRD's minimum counts for a gene to be tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Minimums {
    /// Case carriers (d).
    pub case_carriers: usize,
    /// Cases in the analysis.
    pub cases: usize,
    /// Carriers, cases and controls together.
    pub carriers: usize,
}

impl Default for Minimums {
    /// d ≥ 1, cases ≥ 5, carriers ≥ 4.
    fn default() -> Self {
        Minimums {
            case_carriers: 1,
            cases: 5,
            carriers: 4,
        }
    }
}

/// What to test.
#[derive(Clone, Debug)]
pub struct BurdenConfig {
    /// Directory holding the ingest (and qc) tables.
    pub tables: PathBuf,
    /// Directory receiving `burden.parquet`.
    pub out_dir: PathBuf,
    /// The pedigree with phenotypes.
    pub pedigree: Pedigree,
    /// Qualifying consequence class.
    pub qualifying: Qualifying,
    /// Grouping.
    pub grouping: Grouping,
    /// Maximum cohort allele frequency of a qualifying variant (needs variant_qc.parquet).
    pub max_af: Option<f64>,
    /// Maximum population allele frequency (`population.parquet`); an allele the
    /// population file lacks qualifies.
    pub max_population_af: Option<f64>,
    /// Minimum counts.
    pub minimums: Minimums,
}

/// Counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases.
    pub cases: usize,
    /// Controls.
    pub controls: usize,
    /// Genes (or windows) with a qualifying variant.
    pub groups: usize,
    /// Of which tested.
    pub tested: usize,
    /// Qualifying variant rows.
    pub qualifying_variants: u64,
}

/// The output under a temporary name and the counts.
#[derive(Debug)]
pub struct Burden {
    /// `burden`.
    pub tables: Vec<Finished>,
    /// Counts.
    pub summary: Summary,
}

/// A failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A table could not be read or written.
    #[error(transparent)]
    Table(#[from] table::Error),
    /// The tables could not be read together.
    #[error(transparent)]
    Sites(#[from] sites::Error),
    /// No case or no control among the samples.
    #[error("the pedigree gives {cases} case(s) and {controls} control(s) among the samples of {}: burden needs both (phenotype 2 = case, 1 = control)", tables.display())]
    NoContrast {
        /// Cases found.
        cases: usize,
        /// Controls found.
        controls: usize,
        /// The tables directory.
        tables: PathBuf,
    },
}

/// One tested unit being counted.
#[derive(Default)]
struct Group {
    variants: u64,
    /// Per analysed sample: carries a qualifying variant.
    carriers: Vec<bool>,
}

/// The groups a site counts in: its window, or the genes whose BCSQ consequence
/// qualifies.
fn groups_of(site: &Site, grouping: Grouping, qualifying: Qualifying) -> Vec<String> {
    match grouping {
        Grouping::Window(size) => {
            let start = (site.position.saturating_sub(1) / size) * size + 1;
            vec![format!("{}:{}-{}", site.contig, start, start + size - 1)]
        }
        Grouping::Gene => site
            .consequences
            .iter()
            .filter(|(_, consequence)| qualifying.accepts(consequence))
            .map(|(gene, _)| gene.clone())
            .collect(),
    }
}

/// The groups (genes or windows) in which `site` is a qualifying variant: PASS, an
/// alternate allele, cohort AF (when `has_cohort_af`: the tables have variant_qc; a site
/// without AF does not qualify) and population AF within the limits, and a consequence in
/// the class. Empty when it does not qualify.
fn qualifying_groups(site: &Site, config: &BurdenConfig, has_cohort_af: bool) -> Vec<String> {
    if !site.pass || site.alternate.is_none() {
        return Vec::new();
    }
    if let (Some(max), true) = (config.max_af, has_cohort_af) {
        if site.cohort_af.is_none_or(|af| af > max) {
            return Vec::new();
        }
    }
    if let (Some(max), Some(af)) = (config.max_population_af, site.population_af) {
        if af > max {
            return Vec::new();
        }
    }
    groups_of(site, config.grouping, config.qualifying)
}

/// Rare-variant burden profiles: for every sample of the tables (cases, controls and the
/// rest alike), its qualifying alternate alleles (het 1, hom-alt or haploid alt 2) in
/// each group (gene or window) with at least one. The pedigree of `config` is not used.
#[derive(Clone, Debug, PartialEq)]
pub struct Profiles {
    /// Sample ids, in table order.
    pub samples: Vec<String>,
    /// Group names (genes or windows), sorted.
    pub groups: Vec<String>,
    /// `counts[sample][group]`.
    pub counts: Vec<Vec<u32>>,
    /// Qualifying variant rows.
    pub variants: u64,
}

/// Computes [`Profiles`] with `config`'s qualification rules.
pub fn profiles(config: &BurdenConfig) -> Result<Profiles, Error> {
    let samples = sites::sample_ids(&config.tables)?;
    let all: Vec<usize> = (0..samples.len()).collect();
    let has_cohort_af = config.tables.join("variant_qc.parquet").is_file();
    let mut groups: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut variants = 0u64;
    sites::for_each_site(&config.tables, &all, |site| {
        let names = qualifying_groups(site, config, has_cohort_af);
        if names.is_empty() {
            return Ok(());
        }
        variants += 1;
        for name in names {
            let counts = groups.entry(name).or_insert_with(|| vec![0; samples.len()]);
            for (count, call) in counts.iter_mut().zip(&site.calls) {
                *count += call.gt.alts().max(0) as u32;
            }
        }
        Ok(())
    })?;
    let names: Vec<String> = groups.keys().cloned().collect();
    let counts = (0..samples.len())
        .map(|s| groups.values().map(|c| c[s]).collect())
        .collect();
    Ok(Profiles {
        samples,
        groups: names,
        counts,
        variants,
    })
}

/// Runs the stage.
pub fn run(config: &BurdenConfig) -> Result<Burden, Error> {
    let samples = sites::sample_ids(&config.tables)?;
    // Analysed samples: those the pedigree calls case or control.
    let mut slots = Vec::new();
    let mut is_case = Vec::new();
    for (column, id) in samples.iter().enumerate() {
        match config.pedigree.get(id).map(|i| i.phenotype) {
            Some(Phenotype::Affected) => {
                slots.push(column);
                is_case.push(true);
            }
            Some(Phenotype::Unaffected) => {
                slots.push(column);
                is_case.push(false);
            }
            _ => {}
        }
    }
    let cases = is_case.iter().filter(|c| **c).count();
    let controls = is_case.len() - cases;
    if cases == 0 || controls == 0 {
        return Err(Error::NoContrast {
            cases,
            controls,
            tables: config.tables.clone(),
        });
    }
    let has_cohort_af = config.tables.join("variant_qc.parquet").is_file();
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut qualifying_variants = 0u64;
    sites::for_each_site(&config.tables, &slots, |site| {
        let names = qualifying_groups(site, config, has_cohort_af);
        if names.is_empty() {
            return Ok(());
        }
        qualifying_variants += 1;
        for name in names {
            let group = groups.entry(name).or_insert_with(|| Group {
                variants: 0,
                carriers: vec![false; slots.len()],
            });
            group.variants += 1;
            for (i, call) in site.calls.iter().enumerate() {
                if call.gt.has_alt() {
                    group.carriers[i] = true;
                }
            }
        }
        Ok(())
    })?;

    struct Row {
        name: String,
        variants: u64,
        d: usize,
        c: usize,
        stats: Option<fisher::Fisher>,
    }
    let mut rows: Vec<Row> = groups
        .into_iter()
        .map(|(name, group)| {
            let d = group
                .carriers
                .iter()
                .zip(&is_case)
                .filter(|(carrier, case)| **carrier && **case)
                .count();
            let c = group.carriers.iter().filter(|c| **c).count() - d;
            let m = config.minimums;
            let tested = d >= m.case_carriers && cases >= m.cases && d + c >= m.carriers;
            Row {
                name,
                variants: group.variants,
                d,
                c,
                stats: tested.then(|| fisher::fisher(d, cases - d, c, controls - c)),
            }
        })
        .collect();
    let tested: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].stats.is_some())
        .collect();
    let p: Vec<f64> = tested
        .iter()
        .filter_map(|&i| rows[i].stats.map(|s| s.p_greater))
        .collect();
    let q = fisher::benjamini_hochberg(&p);
    let mut fdr = vec![None; rows.len()];
    for (k, &i) in tested.iter().enumerate() {
        fdr[i] = Some(q[k]);
    }
    // Most significant first; untested last; ties by name.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&i, &j| {
        let key = |r: &Row| r.stats.map_or(f64::INFINITY, |s| s.p_greater);
        key(&rows[i])
            .total_cmp(&key(&rows[j]))
            .then_with(|| rows[i].name.cmp(&rows[j].name))
    });
    let summary = Summary {
        cases,
        controls,
        groups: rows.len(),
        tested: tested.len(),
        qualifying_variants,
    };
    let fdr: Vec<Option<f64>> = order.iter().map(|&i| fdr[i]).collect();
    let ordered: Vec<Row> = {
        let mut slots: Vec<Option<Row>> = rows.drain(..).map(Some).collect();
        order.iter().filter_map(|&i| slots[i].take()).collect()
    };
    let def = TableDef {
        name: "burden",
        version: 1,
        schema: Arc::new(Schema::new(vec![
            Field::new("gene", DataType::Utf8, false),
            Field::new("qualifying_variants", DataType::UInt64, false),
            Field::new("case_carriers", DataType::UInt32, false),
            Field::new("cases", DataType::UInt32, false),
            Field::new("control_carriers", DataType::UInt32, false),
            Field::new("controls", DataType::UInt32, false),
            Field::new("tested", DataType::Boolean, false),
            Field::new("p_value", DataType::Float64, true),
            Field::new("fdr", DataType::Float64, true),
            Field::new("odds_ratio", DataType::Float64, true),
            Field::new("ci_low", DataType::Float64, true),
            Field::new("ci_high", DataType::Float64, true),
        ])),
    };
    let u32s = |f: &dyn Fn(&Row) -> usize| -> ArrayRef {
        Arc::new(UInt32Array::from_iter_values(
            ordered
                .iter()
                .map(|r| u32::try_from(f(r)).unwrap_or(u32::MAX)),
        ))
    };
    let floats = |f: &dyn Fn(&fisher::Fisher) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter(
            ordered.iter().map(|r| r.stats.map(|s| f(&s))),
        ))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            ordered.iter().map(|r| r.name.as_str()),
        )),
        Arc::new(UInt64Array::from_iter_values(
            ordered.iter().map(|r| r.variants),
        )),
        u32s(&|r| r.d),
        u32s(&|_| cases),
        u32s(&|r| r.c),
        u32s(&|_| controls),
        Arc::new(BooleanArray::from_iter(
            ordered.iter().map(|r| Some(r.stats.is_some())),
        )),
        floats(&|s| s.p_greater),
        Arc::new(Float64Array::from_iter(fdr)),
        floats(&|s| s.odds_ratio),
        floats(&|s| s.ci_low),
        floats(&|s| s.ci_high),
    ];
    let batch =
        RecordBatch::try_new(def.schema.clone(), columns).map_err(|e| table::Error::Parquet {
            path: config.out_dir.join("burden.parquet"),
            source: e.into(),
        })?;
    let mut writer = TableWriter::create(&config.out_dir, def)?;
    writer.write(&batch)?;
    Ok(Burden {
        tables: vec![writer.finish()?],
        summary,
    })
}
