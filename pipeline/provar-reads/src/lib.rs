//! provar's read-level stages, on BAM and CRAM read with noodles:
//!
//! - [`sites`]: per sample and variant site, reads per allele and strand, depth, mean
//!   mapping and base quality, allele balance and a strand-bias test — counted with
//!   `bcftools mpileup`'s filters and rules (checked against bcftools' own expected outputs);
//! - [`coverage`]: per-sample depth over windows and targets and a summary with mosdepth's
//!   semantics (checked against `samtools depth -a -s` and mosdepth).
//!
//! Files are read by region through their index, in parallel; a CRAM file needs its
//! reference FASTA (with `.fai`).

pub mod alignment;
pub mod baq;
pub mod coverage;
#[cfg(feature = "htslib")]
mod hts;
pub mod pileup;
pub mod sites;

use std::path::{Path, PathBuf};

use provar_io::table::Finished;

pub use alignment::{AlignmentFile, Format};
pub use coverage::CoverageOptions;
pub use pileup::{Baq, Filters};
pub use sites::Site;

/// An error of the read-level stages. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Not BAM or CRAM.
    #[error("{} is not a BAM or CRAM file (no BGZF or CRAM magic bytes)", path.display())]
    NotAlignment {
        /// The file.
        path: PathBuf,
    },
    /// No index next to the file.
    #[error("{} has no index (looked for {})", path.display(), match format { Format::Bam => "FILE.bai, FILE.csi and FILE without .bam + .bai", Format::Cram => "FILE.crai" })]
    MissingIndex {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: Format,
    },
    /// A CRAM file but no `--reference`.
    #[error("{} is CRAM, and decoding it needs the reference FASTA it was written against", path.display())]
    CramWithoutReference {
        /// The file.
        path: PathBuf,
    },
    /// The reference FASTA has no `.fai`.
    #[error("the reference {} has no .fai index", path.display())]
    MissingFastaIndex {
        /// The FASTA.
        path: PathBuf,
    },
    /// The file is damaged or truncated.
    #[error("invalid or truncated alignment data in {}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What noodles reported.
        #[source]
        source: std::io::Error,
    },
    /// A BAM file without the BGZF end-of-file block.
    #[error("{} is truncated: it lacks the BGZF end-of-file block", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
    },
    /// Read groups name several samples.
    #[error("{} holds reads of several samples ({}); provar takes one sample per file", path.display(), samples.join(", "))]
    SeveralSamples {
        /// The file.
        path: PathBuf,
        /// Their `SM` values.
        samples: Vec<String>,
    },
    /// Two files hold the same sample.
    #[error("{} and {} both hold sample {sample}", first.display(), second.display())]
    DuplicateSample {
        /// First file.
        first: PathBuf,
        /// Second file.
        second: PathBuf,
        /// The sample.
        sample: String,
    },
    /// A contig of the variants is not in an alignment file's header.
    #[error("contig {contig} of the variants is not in {} (its contigs: {})", path.display(), known.join(", "))]
    UnknownContig {
        /// The alignment file.
        path: PathBuf,
        /// The missing contig.
        contig: String,
        /// A few contigs the file has.
        known: Vec<String>,
    },
    /// A contig has different lengths in the variants' header and an alignment file.
    #[error("contig {contig} is {variants_length} bases long in {} but {alignments_length} in {}: the variants and the reads are on different genome builds", variants.display(), alignments.display())]
    BuildMismatch {
        /// The variants file.
        variants: PathBuf,
        /// The alignment file.
        alignments: PathBuf,
        /// The contig.
        contig: String,
        /// Its length in the variants' `##contig` header line.
        variants_length: u64,
        /// Its length in the alignment file's `@SQ` line.
        alignments_length: u64,
    },
    /// A site lies past the end of its contig in an alignment file.
    #[error("variant {contig}:{position} lies past the end of contig {contig} ({length} bases) in {}: the variants and the reads are on different genome builds", path.display())]
    PastContigEnd {
        /// The alignment file.
        path: PathBuf,
        /// The contig.
        contig: String,
        /// The 1-based position.
        position: u64,
        /// The contig's length there.
        length: u64,
    },
    /// A variants line is invalid.
    #[error("invalid variant at {}:{line}: {message}", path.display())]
    Variants {
        /// The variants file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What was wrong.
        message: String,
    },
    /// A BED line is invalid.
    #[error("invalid target at {}:{line}: {message}", path.display())]
    Targets {
        /// The BED file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What was wrong.
        message: String,
    },
    /// Reading the variants VCF failed.
    #[error(transparent)]
    Vcf(#[from] provar_io::vcf::Error),
    /// Reading or writing a table failed.
    #[error(transparent)]
    Table(#[from] provar_io::table::Error),
    /// A bug.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// The 28-byte empty BGZF block every complete BAM file ends with.
const BGZF_EOF: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
    0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// Opens every alignment file, checking indexes, the reference for CRAM, that BAM files are
/// complete, and that samples are distinct.
pub fn open_all(paths: &[PathBuf], reference: Option<&Path>) -> Result<Vec<AlignmentFile>, Error> {
    let mut files: Vec<AlignmentFile> = Vec::with_capacity(paths.len());
    for path in paths {
        let file = AlignmentFile::open(path, reference)?;
        if file.format() == Format::Bam {
            check_bgzf_eof(path)?;
        }
        if let Some(other) = files.iter().find(|f| f.sample() == file.sample()) {
            return Err(Error::DuplicateSample {
                first: other.path().to_owned(),
                second: path.clone(),
                sample: file.sample().to_owned(),
            });
        }
        files.push(file);
    }
    Ok(files)
}

fn check_bgzf_eof(path: &Path) -> Result<(), Error> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    if len < 28 {
        return Err(Error::Truncated {
            path: path.to_owned(),
        });
    }
    f.seek(SeekFrom::End(-28)).map_err(io)?;
    let mut tail = [0u8; 28];
    f.read_exact(&mut tail).map_err(io)?;
    if tail != BGZF_EOF {
        return Err(Error::Truncated {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Reads the sites of a VCF (plain or BGZF; `ALT` `.` rows skipped) or of a provar tables
/// directory (its `variants.parquet`). Sites must be grouped by contig and sorted by
/// position within each.
pub fn read_sites(path: &Path) -> Result<Vec<Site>, Error> {
    let sites = if path.is_dir() {
        sites_from_tables(path)?
    } else {
        sites_from_vcf(path)?
    };
    Ok(sites)
}

fn sites_from_vcf(path: &Path) -> Result<Vec<Site>, Error> {
    let mut reader = provar_io::vcf::Reader::open(path, 1)?;
    reader.read_header()?;
    let mut sites: Vec<Site> = Vec::new();
    let mut done_contigs: Vec<String> = Vec::new();
    let mut line = String::new();
    while let Some(n) = reader.read_line(&mut line)? {
        let bad = |message: String| Error::Variants {
            path: path.to_owned(),
            line: n,
            message,
        };
        let fields: Vec<&str> = line.splitn(6, '\t').collect();
        if fields.len() < 5 {
            return Err(bad(format!(
                "expected at least 5 tab-separated columns, found {}",
                fields.len()
            )));
        }
        let position: provar_core::Position = fields[1]
            .parse()
            .map_err(|e| bad(format!("POS {:?}: {e}", fields[1])))?;
        let reference = fields[3].to_owned();
        if reference.is_empty() || reference == "." {
            return Err(bad("REF is empty".to_owned()));
        }
        if fields[4] == "." {
            continue;
        }
        let alternates: Vec<String> = fields[4].split(',').map(str::to_owned).collect();
        let site = Site {
            contig: fields[0].to_owned(),
            position,
            reference,
            alternates,
        };
        check_order(&sites, &site, &mut done_contigs).map_err(bad)?;
        sites.push(site);
    }
    Ok(sites)
}

fn check_order(sites: &[Site], site: &Site, done: &mut Vec<String>) -> Result<(), String> {
    if let Some(prev) = sites.last() {
        if prev.contig == site.contig {
            if site.position < prev.position {
                return Err(format!(
                    "not sorted: {}:{} comes after {}:{}",
                    site.contig, site.position, prev.contig, prev.position
                ));
            }
        } else {
            done.push(prev.contig.clone());
            if done.contains(&site.contig) {
                return Err(format!(
                    "not sorted: contig {} appears again after other contigs",
                    site.contig
                ));
            }
        }
    }
    Ok(())
}

fn sites_from_tables(dir: &Path) -> Result<Vec<Site>, Error> {
    use arrow_array::{Array, StringArray, UInt64Array};
    use provar_io::table::Table;
    let path = dir.join(Table::Variants.file_name());
    let mut sites: Vec<Site> = Vec::new();
    let mut done = Vec::new();
    let mut row_number = 0u64;
    for batch in provar_io::table::read(dir, Table::Variants, 65_536)? {
        let batch = batch?;
        let col = |name: &str| {
            batch.column_by_name(name).ok_or(Error::Variants {
                path: path.clone(),
                line: 0,
                message: format!("no column {name}"),
            })
        };
        let contig = col("contig")?;
        let position = col("position")?;
        let reference = col("reference_bases")?;
        let alternate = col("alternate_bases")?;
        let (Some(contig), Some(position), Some(reference), Some(alternate)) = (
            contig.as_any().downcast_ref::<StringArray>(),
            position.as_any().downcast_ref::<UInt64Array>(),
            reference.as_any().downcast_ref::<StringArray>(),
            alternate.as_any().downcast_ref::<StringArray>(),
        ) else {
            return Err(Error::Variants {
                path: path.clone(),
                line: 0,
                message: "unexpected column types".to_owned(),
            });
        };
        for row in 0..batch.num_rows() {
            row_number += 1;
            if alternate.is_null(row) {
                continue;
            }
            let bad = |message: String| Error::Variants {
                path: path.clone(),
                line: row_number,
                message,
            };
            let position = provar_core::Position::new(position.value(row))
                .ok_or_else(|| bad("position 0".to_owned()))?;
            let alt = alternate.value(row).to_owned();
            // Rows split from one multi-allelic record become one site again.
            if let Some(last) = sites.last_mut() {
                if last.contig == contig.value(row)
                    && last.position == position
                    && last.reference == reference.value(row)
                {
                    last.alternates.push(alt);
                    continue;
                }
            }
            let site = Site {
                contig: contig.value(row).to_owned(),
                position,
                reference: reference.value(row).to_owned(),
                alternates: vec![alt],
            };
            check_order(&sites, &site, &mut done).map_err(bad)?;
            sites.push(site);
        }
    }
    Ok(sites)
}

/// Contig lengths from a VCF's `##contig` lines (contigs without a length left out).
pub fn vcf_contig_lengths(path: &Path) -> Result<Vec<(String, u64)>, Error> {
    let mut reader = provar_io::vcf::Reader::open(path, 1)?;
    let header = reader.read_header()?;
    Ok(header
        .inner
        .contigs()
        .iter()
        .filter_map(|(name, contig)| contig.length().map(|l| (name.to_string(), l as u64)))
        .collect())
}

/// Checks that the variants and the alignments are on the same genome build: a contig the
/// VCF header gives a length for has that length in every alignment file, and no site lies
/// past its contig's end.
pub fn check_build(
    files: &[AlignmentFile],
    sites: &[Site],
    variants: &Path,
    vcf_lengths: &[(String, u64)],
) -> Result<(), Error> {
    for f in files {
        let lengths = f.contigs();
        let length_of = |c: &str| lengths.iter().find(|(k, _)| k == c).map(|(_, l)| *l);
        let mut checked: Vec<&str> = Vec::new();
        for s in sites {
            if checked.last() != Some(&s.contig.as_str()) {
                checked.push(&s.contig);
                if let (Some(v), Some(a)) = (
                    vcf_lengths
                        .iter()
                        .find(|(k, _)| *k == s.contig)
                        .map(|(_, l)| *l),
                    length_of(&s.contig),
                ) {
                    if v != a {
                        return Err(Error::BuildMismatch {
                            variants: variants.to_owned(),
                            alignments: f.path().to_owned(),
                            contig: s.contig.clone(),
                            variants_length: v,
                            alignments_length: a,
                        });
                    }
                }
            }
            if let Some(length) = length_of(&s.contig) {
                if s.position.get() > length {
                    return Err(Error::PastContigEnd {
                        path: f.path().to_owned(),
                        contig: s.contig.clone(),
                        position: s.position.get(),
                        length,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Checks that every contig of the sites is in every file.
pub fn check_contigs(files: &[AlignmentFile], sites: &[Site]) -> Result<(), Error> {
    let mut contigs: Vec<&str> = Vec::new();
    for s in sites {
        if contigs.last() != Some(&s.contig.as_str()) {
            contigs.push(&s.contig);
        }
    }
    for f in files {
        let known = f.contigs();
        for c in &contigs {
            if !known.iter().any(|(k, _)| k == c) {
                return Err(Error::UnknownContig {
                    path: f.path().to_owned(),
                    contig: (*c).to_owned(),
                    known: known.iter().take(5).map(|(k, _)| k.clone()).collect(),
                });
            }
        }
    }
    Ok(())
}

/// What `provar sites` needs.
#[derive(Clone, Debug)]
pub struct SitesConfig {
    /// BAM or CRAM files, one sample each.
    pub alignments: Vec<PathBuf>,
    /// A VCF or a provar tables directory.
    pub variants: PathBuf,
    /// Reference FASTA (with `.fai`): needed for CRAM, and for BAQ as in bcftools.
    pub reference: Option<PathBuf>,
    /// Output directory.
    pub out_dir: PathBuf,
    /// Filters and counting rules.
    pub filters: Filters,
}

/// What `provar sites` wrote and found.
pub struct SitesOutput {
    /// `site_evidence.parquet`, not yet committed.
    pub tables: Vec<Finished>,
    /// Counts for the report.
    pub summary: sites::Summary,
}

/// Runs the sites stage.
pub fn run_sites(config: &SitesConfig) -> Result<SitesOutput, Error> {
    let files = open_all(&config.alignments, config.reference.as_deref())?;
    let sites = read_sites(&config.variants)?;
    check_contigs(&files, &sites)?;
    let vcf_lengths = if config.variants.is_dir() {
        Vec::new()
    } else {
        vcf_contig_lengths(&config.variants)?
    };
    check_build(&files, &sites, &config.variants, &vcf_lengths)?;
    let (table, baq_untagged) =
        sites::collect(&files, &sites, &config.filters, config.reference.as_deref())?;
    let (finished, rows) = sites::write_table(&config.out_dir, &files, &sites, &table)?;
    Ok(SitesOutput {
        tables: vec![finished],
        summary: sites::Summary {
            samples: files.len(),
            sites: sites.len(),
            rows,
            baq_untagged,
        },
    })
}

/// What `provar coverage` needs.
#[derive(Clone, Debug)]
pub struct CoverageConfig {
    /// BAM or CRAM files, one sample each.
    pub alignments: Vec<PathBuf>,
    /// Reference FASTA for CRAM.
    pub reference: Option<PathBuf>,
    /// Target regions (BED), if any.
    pub targets: Option<PathBuf>,
    /// Output directory.
    pub out_dir: PathBuf,
    /// Counting rules and window size.
    pub options: CoverageOptions,
}

/// What `provar coverage` wrote and found.
pub struct CoverageOutput {
    /// The tables, not yet committed.
    pub tables: Vec<Finished>,
    /// Per sample: name, mean depth over the genome, over targets (if any).
    pub means: Vec<(String, f64, Option<f64>)>,
}

/// Runs the coverage stage.
pub fn run_coverage(config: &CoverageConfig) -> Result<CoverageOutput, Error> {
    let files = open_all(&config.alignments, config.reference.as_deref())?;
    let targets = match &config.targets {
        Some(p) => coverage::read_targets(p)?,
        None => Vec::new(),
    };
    for t in &targets {
        for f in &files {
            if !f.contigs().iter().any(|(c, _)| *c == t.contig) {
                return Err(Error::UnknownContig {
                    path: f.path().to_owned(),
                    contig: t.contig.clone(),
                    known: f.contigs().into_iter().take(5).map(|(c, _)| c).collect(),
                });
            }
        }
    }
    let cov = coverage::compute(&files, &config.options, &targets)?;
    let tables = coverage::write_tables(
        &config.out_dir,
        &files,
        &cov,
        &targets,
        config.options.window,
    )?;
    let mean = |h: &coverage::Histogram| {
        let l = h.length();
        if l == 0 {
            0.0
        } else {
            h.bases() as f64 / l as f64
        }
    };
    Ok(CoverageOutput {
        tables,
        means: files
            .iter()
            .zip(&cov)
            .map(|(f, c)| {
                (
                    f.sample().to_owned(),
                    mean(&c.genome),
                    (!targets.is_empty()).then(|| mean(&c.targets)),
                )
            })
            .collect(),
    })
}
