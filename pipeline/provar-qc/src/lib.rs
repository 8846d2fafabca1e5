//! Stage `qc`: per-variant and per-sample quality-control features from the `variants`,
//! `calls` and `samples` tables, with Hail's field names and meanings (`hl.variant_qc`,
//! `hl.sample_qc`) so users can cross-check.
//!
//! Definitions (as Hail, on split biallelic rows):
//! - a call is *called* when every allele is known; half-calls (`./1`) are not called;
//! - `AN` is the number of called alleles, `AC` the number of alternate alleles among them,
//!   `AF = AC / AN` (null when `AN` is 0); `homozygote_count` counts homozygous-alternate
//!   calls (Hail's `homozygote_count[1]`);
//! - `n_filtered` counts calls removed by the genotype [`Filters`] (`--min-gq`, `--min-dp`),
//!   which are left out of every other counter, as after Hail's `filter_entries`;
//! - the Hardy-Weinberg columns come from [`hwe`]; `HWE`/`ExcHet` follow bcftools' fill-tags;
//! - `call_rate = n_called / (n_called + n_not_called + n_filtered)`;
//! - sample `n_snp`, `n_transition`, ... count alternate alleles in called genotypes, so a
//!   homozygous-alternate SNP counts 2; `n_singleton` counts alternate alleles whose `AC`
//!   over the whole table is 1; ratios are null when the denominator is 0.
//!
//! Sex inference (PLINK's `--check-sex`, Hail's `impute_sex` with their defaults): over
//! the non-pseudo-autosomal part of X (the [`Build`]'s PAR left out), at rows whose
//! alternate allele frequency `p = AC/AN` (as above, each call's alleles as written) is
//! not within 1e-8 of 0 or 1, each sample's inbreeding coefficient is
//! `F = (O - E) / (N - E)`: `N` its called genotypes there, `O` the homozygous ones (a
//! haploid call counts as homozygous), `E = sum 1 - 2p(1-p)` over the same sites. `F` below
//! [`SexThresholds::female_max`] (0.2) infers female, above
//! [`SexThresholds::male_min`] (0.8) male, between them nothing. With a pedigree, its sex is
//! compared: `ok` when it is known and equals the inferred sex, `problem` otherwise (PLINK's
//! STATUS).
//!
//! Accumulation is plain Rust over Arrow arrays, in parallel over row chunks on the current
//! rayon pool; every sum is an integer, so results do not depend on the thread count.
//!
//! ```no_run
//! let qc = provar_qc::run(&provar_qc::QcConfig::new("out", "out"))?;
//! provar_io::table::commit_all(qc.tables)?;
//! # Ok::<_, provar_qc::Error>(())
//! ```

mod accumulate;
pub mod hwe;

use std::{
    collections::{BTreeMap, VecDeque},
    path::PathBuf,
    sync::Arc,
};

use provar_core::{
    pedigree::Sex,
    sex_chromosomes::{contig_kind, in_par, ContigKind},
    AlleleType,
};
use provar_io::{
    arrow_array::{
        Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
        UInt32Array, UInt64Array,
    },
    table::{self, column, Finished, Table, TableWriter, SAMPLE_QC_COUNTS},
};
use rayon::prelude::*;

pub use accumulate::{Filters, SampleCounts, Stats, VariantCounts, XCounts};
pub use provar_core::sex_chromosomes::Build;

/// The F thresholds of sex inference (PLINK's and Hail's defaults: 0.2 and 0.8).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SexThresholds {
    /// F below this infers female.
    pub female_max: f64,
    /// F above this infers male.
    pub male_min: f64,
}

impl Default for SexThresholds {
    fn default() -> Self {
        Self {
            female_max: 0.2,
            male_min: 0.8,
        }
    }
}

impl SexThresholds {
    /// The sex F infers, `None` between the thresholds or without F.
    pub fn infer(&self, f: Option<f64>) -> Option<Sex> {
        let f = f?;
        if f < self.female_max {
            Some(Sex::Female)
        } else if f > self.male_min {
            Some(Sex::Male)
        } else {
            None
        }
    }
}

/// The most calls (rows x samples) one batch of `calls` holds: memory scales with it, not
/// with the cohort's width (2,048 rows at 2,000 samples).
pub const CELLS_PER_BATCH: usize = 1 << 22;

/// The `calls` columns QC reads (AD and PL are left undecoded).
const CALL_COLUMNS: [&str; 6] = [
    "variant_index",
    "gt_allele_1",
    "gt_allele_2",
    "gt_alleles_extra",
    "dp",
    "gq",
];

/// What to compute and where.
#[derive(Clone, Debug)]
pub struct QcConfig {
    /// Directory holding `variants`, `calls` and `samples` tables.
    pub tables_dir: PathBuf,
    /// Directory receiving `variant_qc` and `sample_qc`.
    pub out_dir: PathBuf,
    /// Most rows read per batch; fewer with many samples, so that a batch holds at most
    /// [`CELLS_PER_BATCH`] calls. Output bytes do not depend on the thread count.
    pub batch_size: usize,
    /// Genotype filters (none by default).
    pub filters: Filters,
    /// Reference build, for the pseudo-autosomal regions left out of sex inference.
    pub build: Build,
    /// F thresholds of sex inference.
    pub sex_thresholds: SexThresholds,
    /// Sex by sample id from a pedigree, to check against the inferred sex.
    pub pedigree_sex: Option<BTreeMap<String, Sex>>,
}

impl QcConfig {
    /// A configuration with the default batch size (8,192 rows).
    pub fn new(tables_dir: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            tables_dir: tables_dir.into(),
            out_dir: out_dir.into(),
            batch_size: 8192,
            filters: Filters::default(),
            build: Build::GRCh37,
            sex_thresholds: SexThresholds::default(),
            pedigree_sex: None,
        }
    }
}

/// The result of [`run`]: `variant_qc` and `sample_qc` under temporary names, and the totals.
#[derive(Debug)]
pub struct Qc {
    /// `variant_qc`, `sample_qc`.
    pub tables: Vec<Finished>,
    /// Per-sample totals, in sample order.
    pub samples: Vec<SampleCounts>,
    /// Variant rows processed.
    pub variants: u64,
    /// Polymorphic non-PAR X rows (the sites of sex inference).
    pub x_sites: u64,
    /// Inferred sex per sample, in sample order.
    pub inferred_sex: Vec<Option<Sex>>,
    /// Samples whose pedigree sex is unknown or differs from the inferred one (with a
    /// pedigree and at least one X site): id, pedigree sex, inferred sex.
    pub sex_problems: Vec<(String, Sex, Option<Sex>)>,
}

/// A QC failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A table could not be read or written.
    #[error(transparent)]
    Table(#[from] table::Error),
    /// The `calls` and `variants` tables do not line up.
    #[error("tables in {} disagree: {message}", dir.display())]
    Mismatch {
        /// The tables directory.
        dir: PathBuf,
        /// What differs.
        message: String,
    },
}

struct VariantInfo {
    index: u64,
    key: String,
    allele_type: Option<AlleleType>,
    x_non_par: bool,
}

/// Computes `variant_qc` and `sample_qc`.
pub fn run(config: &QcConfig) -> Result<Qc, Error> {
    let dir = &config.tables_dir;
    let mismatch = |message: String| Error::Mismatch {
        dir: dir.clone(),
        message,
    };

    let samples_path = dir.join(Table::Samples.file_name());
    let mut sample_ids: Vec<String> = Vec::new();
    for batch in table::read(dir, Table::Samples, 8192)? {
        let batch = batch?;
        let ids = column::<StringArray>(&batch, "sample_id", &samples_path)?;
        sample_ids.extend(ids.iter().map(|s| s.unwrap_or_default().to_owned()));
    }
    let n_samples = sample_ids.len();
    let batch_size = config
        .batch_size
        .min(CELLS_PER_BATCH / n_samples.max(1))
        .max(1);

    let variants_path = dir.join(Table::Variants.file_name());
    let calls_path = dir.join(Table::Calls.file_name());
    let mut variant_batches = table::read(dir, Table::Variants, batch_size)?;
    let mut pending: VecDeque<VariantInfo> = VecDeque::new();

    let mut variant_qc = TableWriter::create(&config.out_dir, Table::VariantQc)?;
    let mut totals = vec![SampleCounts::default(); n_samples];
    let mut n_variants = 0u64;
    let mut x_sites = 0u64;

    // The next batch of calls is decoded on its own thread while this one is counted.
    let calls_batches = table::read_columns(dir, Table::Calls, batch_size, Some(&CALL_COLUMNS))?;
    std::thread::scope(|scope| -> Result<(), Error> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            for batch in calls_batches {
                if sender.send(batch).is_err() {
                    break;
                }
            }
        });
        for batch in receiver {
            let batch = batch?;
            let rows = batch.num_rows();
            while pending.len() < rows {
                let Some(v) = variant_batches.next() else {
                    return Err(mismatch(format!(
                        "calls has more rows than variants ({} rows read)",
                        n_variants as usize + pending.len()
                    )));
                };
                let v = v?;
                let index = column::<UInt64Array>(&v, "variant_index", &variants_path)?;
                let key = column::<StringArray>(&v, "variant_key", &variants_path)?;
                let reference = column::<StringArray>(&v, "reference_bases", &variants_path)?;
                let alternate = column::<StringArray>(&v, "alternate_bases", &variants_path)?;
                let contig = column::<StringArray>(&v, "contig", &variants_path)?;
                let position = column::<UInt64Array>(&v, "position", &variants_path)?;
                for i in 0..v.num_rows() {
                    let kind = contig_kind(contig.value(i));
                    pending.push_back(VariantInfo {
                        x_non_par: kind == ContigKind::X
                            && !in_par(kind, position.value(i), config.build),
                        index: index.value(i),
                        key: key.value(i).to_owned(),
                        allele_type: (!alternate.is_null(i))
                            .then(|| AlleleType::classify(reference.value(i), alternate.value(i))),
                    });
                }
            }
            let infos: Vec<VariantInfo> = pending.drain(..rows).collect();
            let calls = accumulate::CallColumns::from_batch(&batch, &calls_path)?;
            for (i, info) in infos.iter().enumerate() {
                if calls.variant_index.value(i) != info.index {
                    return Err(mismatch(format!(
                        "row {} has variant_index {} in calls but {} in variants",
                        n_variants as usize + i,
                        calls.variant_index.value(i),
                        info.index
                    )));
                }
            }
            if let Some(bad) = (0..rows).find(|&i| calls.width(i) != n_samples) {
                return Err(mismatch(format!(
                    "variant_index {} has {} calls for {} samples",
                    calls.variant_index.value(bad),
                    calls.width(bad),
                    n_samples
                )));
            }

            // Parallel over chunks of rows; per-sample sums are integers, so the reduction
            // order does not matter.
            const CHUNK: usize = 256;
            let chunks: Vec<(Vec<VariantCounts>, Vec<SampleCounts>)> = (0..rows)
                .collect::<Vec<_>>()
                .par_chunks(CHUNK)
                .map(|chunk| {
                    let mut per_sample = vec![SampleCounts::default(); n_samples];
                    let mut scratch = Vec::with_capacity(n_samples);
                    let per_variant = chunk
                        .iter()
                        .map(|&i| {
                            calls.accumulate(
                                i,
                                infos[i].allele_type,
                                infos[i].x_non_par,
                                config.filters,
                                &mut per_sample,
                                &mut scratch,
                            )
                        })
                        .collect();
                    (per_variant, per_sample)
                })
                .collect();
            let mut rows_out = Vec::with_capacity(rows);
            for (per_variant, per_sample) in chunks {
                x_sites += per_variant
                    .iter()
                    .zip(&infos[rows_out.len()..])
                    .filter(|(v, info)| {
                        info.x_non_par
                            && accumulate::expected_hom_fixed(v.allele_count, v.allele_number)
                                .is_some()
                    })
                    .count() as u64;
                rows_out.extend(per_variant);
                for (t, s) in totals.iter_mut().zip(&per_sample) {
                    t.add(s);
                }
            }
            variant_qc.write(&variant_qc_batch(&infos, &rows_out))?;
            n_variants += rows as u64;
        }
        Ok(())
    })?;
    if !pending.is_empty() || variant_batches.next().is_some() {
        return Err(mismatch("variants has more rows than calls".to_owned()));
    }

    let sex = SexCheck::new(config, &sample_ids, &totals, x_sites);
    let mut sample_qc = TableWriter::create(&config.out_dir, Table::SampleQc)?;
    sample_qc.write(&sample_qc_batch(&sample_ids, &totals, &sex))?;
    let sex_problems = sample_ids
        .iter()
        .zip(&sex.inferred)
        .zip(&sex.pedigree)
        .zip(&sex.status)
        .filter(|(_, status)| **status == Some("problem"))
        .filter_map(|(((id, inferred), pedigree), _)| Some((id.clone(), (*pedigree)?, *inferred)))
        .collect();
    Ok(Qc {
        tables: vec![variant_qc.finish()?, sample_qc.finish()?],
        samples: totals,
        variants: n_variants,
        x_sites,
        inferred_sex: sex.inferred,
        sex_problems,
    })
}

/// Per sample: the inferred sex, the pedigree's and the check's status.
struct SexCheck {
    inferred: Vec<Option<Sex>>,
    pedigree: Vec<Option<Sex>>,
    status: Vec<Option<&'static str>>,
}

impl SexCheck {
    fn new(config: &QcConfig, ids: &[String], totals: &[SampleCounts], x_sites: u64) -> Self {
        let inferred: Vec<Option<Sex>> = totals
            .iter()
            .map(|t| config.sex_thresholds.infer(t.x.f()))
            .collect();
        let pedigree: Vec<Option<Sex>> = ids
            .iter()
            .map(|id| config.pedigree_sex.as_ref()?.get(id).copied())
            .collect();
        // Not checked without X sites at all (nothing to infer from) or for samples the
        // pedigree does not list.
        let status = inferred
            .iter()
            .zip(&pedigree)
            .map(|(inferred, pedigree)| {
                let pedigree = (*pedigree).filter(|_| x_sites > 0)?;
                Some(if pedigree != Sex::Unknown && Some(pedigree) == *inferred {
                    "ok"
                } else {
                    "problem"
                })
            })
            .collect();
        Self {
            inferred,
            pedigree,
            status,
        }
    }
}

fn sex_name(sex: Option<Sex>) -> Option<String> {
    sex.map(|s| s.to_string())
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// mean, stdev, min, max columns.
fn stats_columns(stats: impl Iterator<Item = Stats> + Clone) -> [ArrayRef; 4] {
    [
        Arc::new(Float64Array::from_iter(stats.clone().map(|s| s.mean()))),
        Arc::new(Float64Array::from_iter(stats.clone().map(|s| s.stdev()))),
        Arc::new(Int32Array::from_iter(stats.clone().map(|s| s.min()))),
        Arc::new(Int32Array::from_iter(stats.map(|s| s.max()))),
    ]
}

fn variant_qc_batch(infos: &[VariantInfo], rows: &[VariantCounts]) -> RecordBatch {
    let int = |f: fn(&VariantCounts) -> u64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| f(r) as i64),
        ))
    };
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(infos.iter().map(|i| i.index))),
        Arc::new(StringArray::from_iter_values(infos.iter().map(|i| &i.key))),
        int(|r| r.allele_count),
        Arc::new(Float64Array::from_iter(
            rows.iter().map(|r| ratio(r.allele_count, r.allele_number)),
        )),
        int(|r| r.allele_number),
        int(|r| r.n_hom_var),
        Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.call_rate()))),
        int(|r| r.n_called),
        int(|r| r.n_not_called),
        int(|r| r.n_filtered),
        int(|r| r.n_het),
        int(|r| r.n_hom_var),
        int(|r| r.n_het + r.n_hom_var),
    ];
    let hwe: Vec<Option<hwe::Hwe>> = rows
        .iter()
        .map(|r| hwe::test(r.diploid[0], r.diploid[1], r.diploid[2]))
        .collect();
    let float = |f: &dyn Fn(&hwe::Hwe) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter(
            hwe.iter().map(|h| h.as_ref().map(f)),
        ))
    };
    columns.push(float(&|h| h.het_freq_hwe));
    columns.push(float(&|h| h.p_value_hwe));
    columns.push(float(&|h| h.p_value_excess_het));
    for stats in [|r: &VariantCounts| r.dp, |r: &VariantCounts| r.gq] {
        columns.extend(stats_columns(rows.iter().map(stats)));
    }
    columns.push(int(|r| r.ac_het));
    columns.push(int(|r| r.ac_hom));
    columns.push(int(|r| r.ac_hemi));
    columns.push(Arc::new(Float64Array::from_iter(rows.iter().map(|r| {
        let total = r.n_called + r.n_not_called;
        (total > 0).then(|| r.n_not_called as f64 / total as f64)
    }))));
    columns.push(Arc::new(Float64Array::from_iter(rows.iter().map(|r| {
        ratio(r.allele_count, r.allele_number).map(|af| af.min(1.0 - af))
    }))));
    columns.push(float(&|h| h.bcftools_hwe));
    columns.push(float(&|h| h.bcftools_exc_het));
    RecordBatch::try_new(Table::VariantQc.schema(), columns)
        .expect("columns match the variant_qc schema")
}

fn sample_qc_batch(ids: &[String], totals: &[SampleCounts], sex: &SexCheck) -> RecordBatch {
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(0..ids.len() as u32)),
        Arc::new(StringArray::from_iter_values(ids)),
        Arc::new(Float64Array::from_iter(
            totals.iter().map(SampleCounts::call_rate),
        )),
    ];
    for name in SAMPLE_QC_COUNTS {
        columns.push(Arc::new(Int64Array::from_iter_values(
            totals.iter().map(|t| t.get(name) as i64),
        )));
    }
    columns.push(Arc::new(Float64Array::from_iter(
        totals
            .iter()
            .map(|t| ratio(t.n_transition, t.n_transversion)),
    )));
    columns.push(Arc::new(Float64Array::from_iter(
        totals.iter().map(|t| ratio(t.n_het, t.n_hom_var)),
    )));
    columns.push(Arc::new(Float64Array::from_iter(
        totals.iter().map(|t| ratio(t.n_insertion, t.n_deletion)),
    )));
    columns.extend(stats_columns(totals.iter().map(|t| t.dp)));
    columns.extend(stats_columns(totals.iter().map(|t| t.gq)));
    columns.push(Arc::new(Int64Array::from_iter_values(
        totals.iter().map(|t| t.x.sites as i64),
    )));
    columns.push(Arc::new(Int64Array::from_iter_values(
        totals.iter().map(|t| t.x.het as i64),
    )));
    columns.push(Arc::new(Float64Array::from_iter_values(
        totals.iter().map(|t| t.x.expected_hom()),
    )));
    columns.push(Arc::new(Float64Array::from_iter(
        totals.iter().map(|t| t.x.f()),
    )));
    for values in [&sex.inferred, &sex.pedigree] {
        columns.push(Arc::new(StringArray::from_iter(
            values.iter().map(|s| sex_name(*s)),
        )));
    }
    columns.push(Arc::new(StringArray::from_iter(sex.status.iter().copied())));
    RecordBatch::try_new(Table::SampleQc.schema(), columns)
        .expect("columns match the sample_qc schema")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_follow_plink() {
        let t = SexThresholds::default();
        assert_eq!(t.infer(Some(0.19)), Some(Sex::Female));
        assert_eq!(t.infer(Some(0.2)), None);
        assert_eq!(t.infer(Some(0.8)), None);
        assert_eq!(t.infer(Some(0.81)), Some(Sex::Male));
        assert_eq!(t.infer(None), None);
    }
}
