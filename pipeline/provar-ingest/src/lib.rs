//! Stage `ingest`: reads a VCF (plain or BGZF) and writes the `variants`, `calls` and
//! `samples` tables. Multi-allelic records are split per alternate allele the way
//! `bcftools norm -m-` does: GT is downcoded (the chosen allele becomes 1, other alternate
//! alleles 0) and AD keeps the reference and the chosen allele.
//!
//! It owns record-to-row conversion only; VCF parsing and Parquet writing live in `provar-io`.
//! Records are parsed in parallel, chunk by chunk, on the current rayon pool; rows come out
//! in file order, so the output does not depend on the thread count.
//!
//! ```no_run
//! let config = provar_ingest::IngestConfig::new("testdata/cohort/sample.vcf.gz", "out");
//! let ingested = provar_ingest::run(&config)?;
//! eprintln!("{} variants", ingested.summary.variants);
//! provar_io::table::commit_all(ingested.tables)?;
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod rows;

use std::path::PathBuf;

use provar_io::{
    table::{self, Finished, Table, TableWriter},
    vcf,
};
use rayon::prelude::*;

/// What to ingest and where.
#[derive(Clone, Debug)]
pub struct IngestConfig {
    /// The VCF file.
    pub vcf: PathBuf,
    /// Directory receiving the tables.
    pub out_dir: PathBuf,
    /// Worker threads for BGZF decompression (parsing uses the current rayon pool).
    pub threads: usize,
    /// Records parsed per parallel chunk. Output bytes do not depend on it.
    pub chunk_size: usize,
}

impl IngestConfig {
    /// A configuration with default threads (1) and chunk size (4,096 records).
    pub fn new(vcf: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            vcf: vcf.into(),
            out_dir: out_dir.into(),
            threads: 1,
            chunk_size: 4096,
        }
    }
}

/// Counts describing one ingest run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// VCF data lines read.
    pub records: u64,
    /// Rows written to `variants` (one per alternate allele).
    pub variants: u64,
    /// Records with more than one alternate allele.
    pub multiallelic_records: u64,
    /// Samples in the header.
    pub samples: usize,
}

/// The result of [`run`]: tables written under temporary names, ready to commit.
#[derive(Debug)]
pub struct Ingested {
    /// `variants`, `calls`, `samples`, in that order.
    pub tables: Vec<Finished>,
    /// Counts.
    pub summary: Summary,
}

/// An ingest failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The VCF is unreadable or invalid.
    #[error(transparent)]
    Vcf(#[from] vcf::Error),
    /// A table could not be written.
    #[error(transparent)]
    Table(#[from] table::Error),
}

/// Reads `config.vcf` and writes the three tables into `config.out_dir` under temporary names.
pub fn run(config: &IngestConfig) -> Result<Ingested, Error> {
    let mut reader = vcf::Reader::open(&config.vcf, config.threads)?;
    let header = reader.read_header()?;
    let sample_names = header.sample_names();

    let mut samples = TableWriter::create(&config.out_dir, Table::Samples)?;
    samples.write(&rows::samples_batch(sample_names))?;
    let mut variants = TableWriter::create(&config.out_dir, Table::Variants)?;
    let mut calls = TableWriter::create(&config.out_dir, Table::Calls)?;

    let mut summary = Summary {
        samples: sample_names.len(),
        ..Summary::default()
    };
    let chunk_size = config.chunk_size.max(1);
    let mut chunk: Vec<(u64, String)> = Vec::with_capacity(chunk_size);
    let mut line = String::new();
    loop {
        let number = reader.read_line(&mut line)?;
        if let Some(number) = number {
            chunk.push((number, std::mem::take(&mut line)));
        }
        if chunk.len() == chunk_size || (number.is_none() && !chunk.is_empty()) {
            let parsed: Vec<Result<rows::Site, vcf::record::ParseError>> = chunk
                .par_iter()
                .map(|(_, text)| rows::Site::from_line(text, &header.layout))
                .collect();
            let mut sites = Vec::with_capacity(parsed.len());
            for ((number, _), site) in chunk.iter().zip(parsed) {
                sites.push(site.map_err(|source| reader.invalid_record(*number, source))?);
            }
            summary.records += sites.len() as u64;
            summary.multiallelic_records +=
                sites.iter().filter(|s| s.alleles.len() > 1).count() as u64;
            let first_index = summary.variants;
            let (variant_batch, call_batch) =
                rows::batches(&sites, first_index, sample_names.len());
            summary.variants += variant_batch.num_rows() as u64;
            variants.write(&variant_batch)?;
            calls.write(&call_batch)?;
            chunk.clear();
        }
        if number.is_none() {
            break;
        }
    }

    Ok(Ingested {
        tables: vec![variants.finish()?, calls.finish()?, samples.finish()?],
        summary,
    })
}
