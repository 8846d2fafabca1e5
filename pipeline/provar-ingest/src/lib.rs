//! Stage `ingest`: reads a VCF (plain or BGZF) and writes the `variants`, `calls` and
//! `samples` tables. Multi-allelic records are split per alternate allele the way
//! `bcftools norm -m-` does: GT is downcoded (the chosen allele becomes 1, other alternate
//! alleles 0) and AD keeps the reference and the chosen allele.
//!
//! With a reference FASTA ([`IngestConfig::fasta`]), each split row is then checked against
//! it and left-aligned and trimmed the way `bcftools norm -f REF -m-` does (see
//! [`NormalizeError`] for what stops it), and rows that moved are re-sorted within
//! bcftools' 1,000-base window, so the tables stay in genomic order.
//!
//! It owns record-to-row conversion only; VCF and FASTA reading and Parquet writing live in
//! `provar-io`. Records are parsed in parallel, chunk by chunk, on the current rayon pool;
//! rows come out in file order (or, normalised, in the order above, decided record by
//! record), so the output does not depend on the thread count.
//!
//! ```no_run
//! let config = provar_ingest::IngestConfig::new("testdata/cohort/sample.vcf.gz", "out");
//! let ingested = provar_ingest::run(&config)?;
//! eprintln!("{} variants", ingested.summary.variants);
//! provar_io::table::commit_all(ingested.tables)?;
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod merge;
mod normalizer;
mod rows;
mod sort_window;

pub use merge::{merge, MergeConfig, MergeError, Merged};
pub use normalizer::NormalizeError;
pub use rows::INFO_TABLE;

use std::path::PathBuf;

use provar_core::Region;
use provar_io::{
    table::{self, Finished, Table, TableWriter},
    vcf::{self, Location},
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
    /// Which records to read.
    pub selection: RecordSelection,
    /// Which samples to keep (`None`: all).
    pub samples: Option<SampleSelection>,
    /// A consent manifest: only samples whose consent is granted are kept (after
    /// `samples`); revoked and unlisted samples are dropped.
    pub consent: Option<provar_core::consent::Consent>,
    /// A 32-byte key: sample ids in the tables become keyed-BLAKE3 pseudonyms
    /// ([`pseudonym`]), so the tables can be shared without the ids.
    pub pseudonym_key: Option<[u8; 32]>,
    /// Incremented by the number of records parsed, as they are (for a progress display).
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// A reference FASTA (with or without `.fai`): every split row is checked against it and
    /// left-aligned and trimmed like `bcftools norm -f FASTA -m-`; a REF that does not match
    /// is an error.
    pub fasta: Option<PathBuf>,
}

/// The pseudonym of `sample` under `key`: `psn-` and the first 20 hex digits (80 bits)
/// of BLAKE3 keyed with `key` over the sample id's UTF-8 bytes. Whoever holds the key can
/// recompute it from an id; nobody else can invert it.
pub fn pseudonym(key: &[u8; 32], sample: &str) -> String {
    let hash = blake3::keyed_hash(key, sample.as_bytes());
    format!("psn-{}", &hash.to_hex()[..20])
}

/// Which samples to keep, like `bcftools view -s/-S`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleSelection {
    /// Sample names.
    pub names: Vec<String>,
    /// Keep every sample except `names` (in file order); otherwise keep `names`, in the order
    /// given.
    pub exclude: bool,
}

impl SampleSelection {
    /// Column indices (0-based, among the samples) to keep, in output order.
    fn resolve(&self, path: &std::path::Path, all: &[String]) -> Result<Vec<usize>, Error> {
        let position = |name: &String| {
            all.iter()
                .position(|s| s == name)
                .ok_or_else(|| Error::UnknownSample {
                    path: path.to_owned(),
                    sample: name.clone(),
                })
        };
        let listed = self
            .names
            .iter()
            .map(position)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(dup) = self
            .names
            .iter()
            .enumerate()
            .find(|(i, n)| self.names[..*i].contains(n))
        {
            return Err(Error::DuplicateSample {
                sample: dup.1.clone(),
            });
        }
        Ok(if self.exclude {
            (0..all.len()).filter(|i| !listed.contains(i)).collect()
        } else {
            listed
        })
    }
}

/// The line with only the `keep` sample columns (FORMAT stays), or `None` when the line does
/// not have `9 + n_samples` columns (the full parser then reports that).
fn subset_columns(line: &str, keep: &[usize], n_samples: usize) -> Option<String> {
    let columns: Vec<&str> = line.split('\t').collect();
    if columns.len() != 9 + n_samples {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    out.push_str(&columns[..9].join("\t"));
    for &k in keep {
        out.push('\t');
        out.push_str(columns[9 + k]);
    }
    Some(out)
}

/// Which records of the file to ingest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RecordSelection {
    /// Every record, streaming from the start (no index needed).
    #[default]
    All,
    /// Records overlapping any of these regions, each once, in file order (needs an index),
    /// like `bcftools view -r`.
    Regions(Vec<Region>),
    /// Shard `index` (0-based) of `count`: records whose POS falls in that part of the
    /// genome, cut at index-bin boundaries into parts of about equal data (needs an index).
    /// The shards of one file partition its records.
    Shard {
        /// 0-based shard number.
        index: usize,
        /// Number of shards.
        count: usize,
    },
}

impl IngestConfig {
    /// A configuration with default threads (1) and chunk size (4,096 records).
    pub fn new(vcf: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            vcf: vcf.into(),
            out_dir: out_dir.into(),
            threads: 1,
            chunk_size: 4096,
            selection: RecordSelection::All,
            samples: None,
            consent: None,
            pseudonym_key: None,
            progress: None,
            fasta: None,
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
    /// Samples written (after `--samples` and consent).
    pub samples: usize,
    /// Samples dropped because the consent manifest revokes or does not list them.
    pub consent_excluded: usize,
    /// Rows whose POS, REF or ALT normalisation against the FASTA changed.
    pub normalized: u64,
}

/// The result of [`run`]: tables written under temporary names, ready to commit.
#[derive(Debug)]
pub struct Ingested {
    /// `variants`, `calls`, `samples`, `info` and (when the header declares FORMAT keys
    /// beyond GT, AD, DP, GQ and PL) `format`, in that order.
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
    /// A selected sample is not in the file.
    #[error("sample {sample:?} is not in {}", path.display())]
    UnknownSample {
        /// The input.
        path: PathBuf,
        /// The sample.
        sample: String,
    },
    /// A sample is selected twice.
    #[error("sample {sample:?} is selected twice")]
    DuplicateSample {
        /// The sample.
        sample: String,
    },
    /// The FASTA cannot be opened or indexed.
    #[error(transparent)]
    Fasta(#[from] provar_io::fasta::Error),
    /// A row cannot be normalised against the FASTA.
    #[error("cannot normalise the record at {} ({contig}:{position}) against {}", vcf::describe_location(.path, .location), fasta.display())]
    Normalize {
        /// The VCF.
        path: PathBuf,
        /// Where the record is in it.
        location: Location,
        /// CHROM.
        contig: String,
        /// POS as written.
        position: u64,
        /// The FASTA.
        fasta: PathBuf,
        /// What is wrong (boxed: it carries alleles and paths).
        #[source]
        source: Box<NormalizeError>,
    },
    /// The input needs something provar does not do yet.
    #[error("unsupported: {what} ({})", path.display())]
    Unsupported {
        /// The input.
        path: PathBuf,
        /// What is not supported.
        what: &'static str,
    },
}

/// Text per parallel parsing chunk: parsed calls take a few times their text, so this caps
/// the memory of a chunk at a few hundred MiB however many samples a record has.
const CHUNK_BYTES: usize = 32 << 20;

/// Where data lines come from: the whole file, or the records an index selects.
enum Source {
    Whole(vcf::Reader),
    Indexed(vcf::RegionReader),
    Bcf(Box<provar_io::bcf::Reader>),
}

impl Source {
    fn read_line(&mut self, buf: &mut String) -> Result<Option<Location>, vcf::Error> {
        match self {
            Source::Whole(r) => Ok(r.read_line(buf)?.map(Location::Line)),
            Source::Indexed(r) => r.read_line(buf),
            Source::Bcf(r) => r.read_line(buf),
        }
    }
}

/// Reads `config.vcf` and writes the three tables into `config.out_dir` under temporary names.
pub fn run(config: &IngestConfig) -> Result<Ingested, Error> {
    let bcf = provar_io::bcf::is_bcf(&config.vcf);
    if bcf && config.selection == RecordSelection::All {
        let (reader, header) = provar_io::bcf::Reader::open(&config.vcf, config.threads)?;
        return ingest(config, &header, Source::Bcf(Box::new(reader)));
    }
    let queries = |index: &vcf::Index| -> Result<Vec<vcf::Query>, Error> {
        Ok(match &config.selection {
            RecordSelection::Regions(regions) => index.queries_for_regions(&config.vcf, regions)?,
            RecordSelection::Shard { index: i, count } => index.shard(*i, *count),
            RecordSelection::All => Vec::new(),
        })
    };
    let (header, source) = if bcf {
        // A BCF read by region or shard: its CSI index, with the header's contig names.
        let indexed = provar_io::bcf::Indexed::open(&config.vcf)?;
        let index = vcf::Index::open_for_bcf(&config.vcf, indexed.contigs)?;
        let reader = vcf::RegionReader::open(&config.vcf, &index, queries(&index)?)?;
        (indexed.header, Source::Indexed(reader))
    } else {
        let mut reader = vcf::Reader::open(&config.vcf, config.threads)?;
        let header = reader.read_header()?;
        let source = match &config.selection {
            RecordSelection::All => Source::Whole(reader),
            _ => {
                let index = vcf::Index::open_for(&config.vcf)?;
                Source::Indexed(vcf::RegionReader::open(
                    &config.vcf,
                    &index,
                    queries(&index)?,
                )?)
            }
        };
        (header, source)
    };
    ingest(config, &header, source)
}

/// The writers of the tables with one row per split allele.
struct Writers<'a> {
    variants: TableWriter,
    calls: TableWriter,
    info: TableWriter,
    info_fields: &'a [vcf::InfoField],
    info_def: provar_io::table::TableDef,
    /// `format.parquet`, only when the header has FORMAT keys beyond GT, AD, DP, GQ and PL.
    format: Option<TableWriter>,
    format_fields: &'a [vcf::InfoField],
    format_def: provar_io::table::TableDef,
    n_samples: usize,
}

impl<'a> Writers<'a> {
    /// `layout`: the output's (samples kept); `header`: the file's (INFO keys).
    fn create(
        config: &IngestConfig,
        layout: &'a vcf::Layout,
        header: &'a vcf::Layout,
    ) -> Result<Self, Error> {
        let info_fields = header.info_fields();
        let info_def = rows::info_table(info_fields);
        let format_fields = layout.format_fields();
        let format_def = rows::format_table(format_fields);
        Ok(Self {
            variants: TableWriter::create(&config.out_dir, Table::Variants)?,
            calls: TableWriter::create(&config.out_dir, Table::Calls)?,
            info: TableWriter::create(&config.out_dir, info_def.clone())?,
            info_fields,
            info_def,
            format: if format_fields.is_empty() {
                None
            } else {
                Some(TableWriter::create(&config.out_dir, format_def.clone())?)
            },
            format_fields,
            format_def,
            n_samples: layout.sample_names.len(),
        })
    }

    /// Writes `rows`, numbered from `first_index`; returns how many.
    fn write(&mut self, rows: &[rows::Row<'_>], first_index: u64) -> Result<u64, Error> {
        if rows.is_empty() {
            return Ok(0);
        }
        let (variant_batch, call_batch) = rows::batches(rows, first_index, self.n_samples);
        self.variants.write(&variant_batch)?;
        self.calls.write(&call_batch)?;
        self.info.write(&rows::info_batch(
            rows,
            first_index,
            self.info_fields,
            &self.info_def,
        ))?;
        if let Some(format) = self.format.as_mut() {
            format.write(&rows::format_batch(
                rows,
                first_index,
                self.format_fields,
                self.n_samples,
                &self.format_def,
            ))?;
        }
        Ok(rows.len() as u64)
    }
}

fn ingest(
    config: &IngestConfig,
    header: &vcf::Header,
    mut source: Source,
) -> Result<Ingested, Error> {
    let all = header.sample_names();
    let mut selected: Vec<usize> = match &config.samples {
        Some(s) => s.resolve(&config.vcf, all)?,
        None => (0..all.len()).collect(),
    };
    let mut consent_excluded = 0;
    if let Some(consent) = &config.consent {
        selected.retain(|&i| {
            let allowed = consent.allows(&all[i]);
            consent_excluded += usize::from(!allowed);
            allowed
        });
    }
    let keep: Option<Vec<usize>> = Some(selected)
        .filter(|k| k.len() != all.len() || k.iter().enumerate().any(|(i, k)| i != *k));
    let mut layout = header.layout.clone();
    if let Some(keep) = &keep {
        layout.sample_names = keep.iter().map(|&i| all[i].clone()).collect();
    }
    if let Some(key) = &config.pseudonym_key {
        let names: Vec<String> = layout
            .sample_names
            .iter()
            .map(|s| pseudonym(key, s))
            .collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::DuplicateSample {
                sample: pair[0].clone(),
            });
        }
        layout.sample_names = names;
    }
    let layout = &layout;
    let sample_names = &layout.sample_names;

    let mut samples = TableWriter::create(&config.out_dir, Table::Samples)?;
    samples.write(&rows::samples_batch(sample_names))?;
    let mut writers = Writers::create(config, layout, &header.layout)?;
    let mut normalizer = config
        .fasta
        .as_deref()
        .map(normalizer::Normalizer::open)
        .transpose()?;
    let mut window = sort_window::SortWindow::default();

    let mut summary = Summary {
        samples: sample_names.len(),
        consent_excluded,
        ..Summary::default()
    };
    let chunk_size = config.chunk_size.max(1);
    // Reads and parses chunks (in parallel within a chunk), normalises them when asked, and
    // hands each chunk's sites, in file order, to `emit`.
    let mut read_chunks = |summary: &mut Summary,
                           emit: &mut dyn FnMut(Vec<rows::Site>) -> Result<(), Error>|
     -> Result<(), Error> {
        let mut chunk: Vec<(Location, String)> = Vec::with_capacity(chunk_size);
        let mut chunk_bytes = 0usize;
        let mut line = String::new();
        loop {
            let number = source.read_line(&mut line)?;
            if let Some(number) = number {
                chunk_bytes += line.len();
                chunk.push((number, std::mem::take(&mut line)));
            }
            // A chunk ends at `chunk_size` records or CHUNK_BYTES of text, whichever comes
            // first, so memory stays bounded with many samples. Output bytes do not depend
            // on it.
            let full = chunk.len() == chunk_size || chunk_bytes >= CHUNK_BYTES;
            if full || (number.is_none() && !chunk.is_empty()) {
                chunk_bytes = 0;
                let parsed: Vec<Result<rows::Site, vcf::record::ParseError>> = chunk
                    .par_iter()
                    .map(|(_, text)| match &keep {
                        None => rows::Site::from_line(text, layout),
                        Some(keep) => match subset_columns(text, keep, all.len()) {
                            Some(line) => rows::Site::from_line(&line, layout),
                            None => rows::Site::from_line(text, &header.layout),
                        },
                    })
                    .collect();
                let mut sites = Vec::with_capacity(parsed.len());
                for ((location, _), site) in chunk.iter().zip(parsed) {
                    let mut site = site.map_err(|source| vcf::Error::InvalidRecord {
                        path: config.vcf.clone(),
                        location: *location,
                        source: Box::new(source),
                    })?;
                    if let Some(normalizer) = normalizer.as_mut() {
                        summary.normalized +=
                            normalizer
                                .normalize(&mut site)
                                .map_err(|source| Error::Normalize {
                                    path: config.vcf.clone(),
                                    location: *location,
                                    contig: site.contig().to_owned(),
                                    position: site.position(),
                                    fasta: normalizer.path().to_owned(),
                                    source: Box::new(source),
                                })?;
                    }
                    sites.push(site);
                }
                summary.records += sites.len() as u64;
                if let Some(progress) = &config.progress {
                    progress.fetch_add(sites.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
                summary.multiallelic_records +=
                    sites.iter().filter(|s| s.alleles.len() > 1).count() as u64;
                chunk.clear();
                emit(sites)?;
            }
            if number.is_none() {
                return Ok(());
            }
        }
    };
    if config.fasta.is_some() {
        // Normalised rows can move: they pass through bcftools' sort window, in line.
        let mut summary_variants = 0u64;
        let mut emit = |sites: Vec<rows::Site>| -> Result<(), Error> {
            for site in sites {
                window.push(site);
            }
            summary_variants += writers.write(&window.ready(), summary_variants)?;
            window.release();
            Ok(())
        };
        read_chunks(&mut summary, &mut emit)?;
        window.finish();
        summary_variants += writers.write(&window.ready(), summary_variants)?;
        window.release();
        summary.variants = summary_variants;
    } else {
        // Rows stay in file order: a writer thread builds, encodes and compresses each
        // chunk's batches while the next chunk is read and parsed (one chunk waits at most).
        let (read, written) = std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<rows::Site>>(1);
            let writers = &mut writers;
            let writer = scope.spawn(move || -> Result<u64, Error> {
                let mut n = 0u64;
                for sites in receiver {
                    n += writers.write(&rows::rows(&sites), n)?;
                }
                Ok(n)
            });
            let mut emit = |sites: Vec<rows::Site>| -> Result<(), Error> {
                // A closed channel means the writer stopped on an error, which it returns.
                let _ = sender.send(sites);
                Ok(())
            };
            let read = read_chunks(&mut summary, &mut emit);
            drop(sender);
            let written = writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (read, written)
        });
        read?;
        summary.variants = written?;
    }

    let mut tables = vec![
        writers.variants.finish()?,
        writers.calls.finish()?,
        samples.finish()?,
        writers.info.finish()?,
    ];
    if let Some(format) = writers.format {
        tables.push(format.finish()?);
    }
    Ok(Ingested { tables, summary })
}
