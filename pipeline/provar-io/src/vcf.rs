//! VCF reading: plain or BGZF-compressed text, header through noodles, records through a
//! strict line parser that reports the line number of every problem.

mod reader;
pub mod record;

pub use reader::{Header, Reader};
pub use record::{Layout, Record};

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
    #[error("invalid record at {}:{line}", path.display())]
    InvalidRecord {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What was wrong.
        #[source]
        source: record::ParseError,
    },
}
