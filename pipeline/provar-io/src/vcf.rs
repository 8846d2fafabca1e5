//! VCF reading: plain or BGZF-compressed text, header through noodles, records through a
//! strict line parser that reports the line number of every problem.

pub mod indexed;
mod reader;
pub mod record;

pub use indexed::{Index, Location, Query, RegionReader, Selection};
pub use reader::{Header, Reader};
pub use record::{InfoField, InfoShape, InfoType, Layout, Record};

/// Where a record is, for messages: `FILE:LINE`, `FILE: record N` (BCF) or the BGZF
/// position when reading by region.
pub fn describe_location(path: &std::path::Path, location: &Location) -> String {
    match location {
        Location::Line(line) => format!("{}:{line}", path.display()),
        Location::Record(n) => format!("{}: record {n}", path.display()),
        Location::VirtualPosition(v) => {
            format!(
                "{} (BGZF virtual position {}:{})",
                path.display(),
                v >> 16,
                v & 0xffff
            )
        }
    }
}

use std::path::PathBuf;

/// An error while reading a VCF file. Every variant names the file; record and header errors
/// name the 1-based line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("invalid VCF {}: the file is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is gzip-compressed but not BGZF.
    #[error("unsupported compression in {}: gzip but not BGZF", path.display())]
    UnsupportedCompression {
        /// The file.
        path: PathBuf,
    },
    /// A header line is invalid.
    #[error("invalid header at {}:{line}: {message}", path.display())]
    InvalidHeader {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What was wrong, from noodles' header parser.
        message: String,
    },
    /// The header ended without a `#CHROM` line.
    #[error("invalid header in {}: missing #CHROM line before line {line}", path.display())]
    MissingHeaderLine {
        /// The file.
        path: PathBuf,
        /// 1-based line where a data record or the end of file was met.
        line: u64,
    },
    /// A data line is invalid.
    #[error("invalid record at {}", describe_location(.path, .location))]
    InvalidRecord {
        /// The file.
        path: PathBuf,
        /// The line number, or the BGZF position when reading by region.
        location: Location,
        /// What was wrong (boxed: it carries sample names and values).
        #[source]
        source: Box<record::ParseError>,
    },
    /// Region or shard reading needs an index beside the file.
    #[error("{} has no index (.tbi or .csi beside it): reading by region or shard needs one", path.display())]
    MissingIndex {
        /// The VCF file.
        path: PathBuf,
    },
    /// The index cannot be used.
    #[error("invalid index {}: {message}", path.display())]
    InvalidIndex {
        /// The index file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A region names a contig the file does not have.
    #[error("contig {contig:?} is not in {} (its contigs: {})", path.display(), known.join(", "))]
    UnknownContig {
        /// The VCF file.
        path: PathBuf,
        /// The requested contig.
        contig: String,
        /// The contigs the index names.
        known: Vec<String>,
    },
}
