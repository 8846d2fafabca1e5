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

use std::{collections::VecDeque, path::PathBuf, sync::Arc};

use provar_core::AlleleType;
use provar_io::{
    arrow_array::{
        Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
        UInt32Array, UInt64Array,
    },
    table::{self, column, Finished, Table, TableWriter, SAMPLE_QC_COUNTS},
};
use rayon::prelude::*;

pub use accumulate::{Filters, SampleCounts, Stats, VariantCounts};

/// What to compute and where.
#[derive(Clone, Debug)]
pub struct QcConfig {
    /// Directory holding `variants`, `calls` and `samples` tables.
    pub tables_dir: PathBuf,
    /// Directory receiving `variant_qc` and `sample_qc`.
    pub out_dir: PathBuf,
    /// Rows read per batch. Output bytes do not depend on it.
    pub batch_size: usize,
    /// Genotype filters (none by default).
    pub filters: Filters,
}

impl QcConfig {
    /// A configuration with the default batch size (8,192 rows).
    pub fn new(tables_dir: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            tables_dir: tables_dir.into(),
            out_dir: out_dir.into(),
            batch_size: 8192,
            filters: Filters::default(),
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
}

/// Computes `variant_qc` and `sample_qc`.
pub fn run(config: &QcConfig) -> Result<Qc, Error> {
    let dir = &config.tables_dir;
    let batch_size = config.batch_size.max(1);
    let mismatch = |message: String| Error::Mismatch {
        dir: dir.clone(),
        message,
    };

    let samples_path = dir.join(Table::Samples.file_name());
    let mut sample_ids: Vec<String> = Vec::new();
    for batch in table::read(dir, Table::Samples, batch_size)? {
        let batch = batch?;
        let ids = column::<StringArray>(&batch, "sample_id", &samples_path)?;
        sample_ids.extend(ids.iter().map(|s| s.unwrap_or_default().to_owned()));
    }
    let n_samples = sample_ids.len();

    let variants_path = dir.join(Table::Variants.file_name());
    let calls_path = dir.join(Table::Calls.file_name());
    let mut variant_batches = table::read(dir, Table::Variants, batch_size)?;
    let mut pending: VecDeque<VariantInfo> = VecDeque::new();

    let mut variant_qc = TableWriter::create(&config.out_dir, Table::VariantQc)?;
    let mut totals = vec![SampleCounts::default(); n_samples];
    let mut n_variants = 0u64;

    for batch in table::read(dir, Table::Calls, batch_size)? {
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
            for i in 0..v.num_rows() {
                pending.push_back(VariantInfo {
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
                let per_variant = chunk
                    .iter()
                    .map(|&i| {
                        calls.accumulate(i, infos[i].allele_type, config.filters, &mut per_sample)
                    })
                    .collect();
                (per_variant, per_sample)
            })
            .collect();
        let mut rows_out = Vec::with_capacity(rows);
        for (per_variant, per_sample) in chunks {
            rows_out.extend(per_variant);
            for (t, s) in totals.iter_mut().zip(&per_sample) {
                t.add(s);
            }
        }
        variant_qc.write(&variant_qc_batch(&infos, &rows_out))?;
        n_variants += rows as u64;
    }
    if !pending.is_empty() || variant_batches.next().is_some() {
        return Err(mismatch("variants has more rows than calls".to_owned()));
    }

    let mut sample_qc = TableWriter::create(&config.out_dir, Table::SampleQc)?;
    sample_qc.write(&sample_qc_batch(&sample_ids, &totals))?;
    Ok(Qc {
        tables: vec![variant_qc.finish()?, sample_qc.finish()?],
        samples: totals,
        variants: n_variants,
    })
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

fn sample_qc_batch(ids: &[String], totals: &[SampleCounts]) -> RecordBatch {
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
    RecordBatch::try_new(Table::SampleQc.schema(), columns)
        .expect("columns match the sample_qc schema")
}
