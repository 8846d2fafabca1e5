//! Reading a gene-model file line by line: decompression, comments, `##FASTA`, the nine
//! columns, and format detection. The attribute column is left to [`super::gff`] and
//! [`super::gtf`].

use std::{
    fs::File,
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
};

use super::{builder, GeneModel, Segment, Strand};

/// The two gene-model formats provar reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// GFF3 (`tag=value;…` attributes, `ID`/`Parent` hierarchy).
    Gff3,
    /// GTF / GFF2.5 (`key "value";…` attributes, `gene_id`/`transcript_id`).
    Gtf,
}

impl Format {
    /// `GFF3` or `GTF`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Gff3 => "GFF3",
            Format::Gtf => "GTF",
        }
    }
}

/// An error reading a gene model. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read (including a corrupt gzip stream).
    #[error("cannot read gene model {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line is malformed.
    #[error("invalid record at {}:{line}", path.display())]
    InvalidRecord {
        /// The file.
        path: PathBuf,
        /// 1-based line number (of the decompressed text).
        line: u64,
        /// What is wrong with it.
        #[source]
        source: ParseError,
    },
}

/// What is wrong with one line of a gene model.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    /// The line is not valid UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// Not nine tab-separated columns.
    #[error("expected 9 tab-separated columns, found {0}")]
    InvalidColumnCount(usize),
    /// An empty seqid or type column.
    #[error("missing {0}")]
    MissingColumn(&'static str),
    /// Start is not a positive integer.
    #[error("invalid start {0:?}: expected a 1-based position")]
    InvalidStart(String),
    /// End is not a positive integer.
    #[error("invalid end {0:?}: expected a 1-based position")]
    InvalidEnd(String),
    /// Start is after end.
    #[error("invalid interval: start {start} is after end {end}")]
    InvalidInterval {
        /// Column 4.
        start: u64,
        /// Column 5.
        end: u64,
    },
    /// Strand is not `+`, `-`, `.` or `?`.
    #[error("invalid strand {0:?}: expected +, -, . or ?")]
    InvalidStrand(String),
    /// The attribute column does not parse.
    #[error("invalid attribute {0:?}")]
    InvalidAttribute(String),
    /// A required attribute is absent.
    #[error("missing attribute {0}")]
    MissingAttribute(&'static str),
    /// A `Parent` names an `ID` that no line of the file defines.
    #[error("parent {0:?} is not defined in the file")]
    MissingParent(String),
    /// Following `Parent` links does not end.
    #[error("the Parent links from {0:?} form a cycle")]
    ParentCycle(String),
    /// A GTF transcript is given two genes.
    #[error("transcript {transcript:?} has gene_id {found:?} here but {expected:?} earlier")]
    ConflictingGene {
        /// The transcript.
        transcript: String,
        /// The gene seen first.
        expected: String,
        /// The gene on this line.
        found: String,
    },
}

/// The nine columns of one data line, attributes left raw.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    pub(crate) seqid: String,
    pub(crate) kind: String,
    pub(crate) span: Segment,
    pub(crate) strand: Strand,
    pub(crate) attributes: &'a str,
}

/// GFF3 percent-decoding (`%3B` -> `;`); a `%` not followed by two hex digits stays as is.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_line(text: &str, format: Format) -> Result<Line<'_>, ParseError> {
    let columns: Vec<&str> = text.split('\t').collect();
    if columns.len() != 9 {
        return Err(ParseError::InvalidColumnCount(columns.len()));
    }
    let decode = |s: &str| match format {
        Format::Gff3 => unescape(s),
        Format::Gtf => s.to_owned(),
    };
    let seqid = decode(columns[0]);
    if seqid.is_empty() {
        return Err(ParseError::MissingColumn("seqid"));
    }
    let kind = decode(columns[2]);
    if kind.is_empty() {
        return Err(ParseError::MissingColumn("type"));
    }
    let position = |s: &str| s.trim().parse::<u64>().ok().filter(|&v| v > 0);
    let start = position(columns[3]).ok_or_else(|| ParseError::InvalidStart(columns[3].into()))?;
    let end = position(columns[4]).ok_or_else(|| ParseError::InvalidEnd(columns[4].into()))?;
    if start > end {
        return Err(ParseError::InvalidInterval { start, end });
    }
    let strand = match columns[6].trim() {
        "+" => Strand::Forward,
        "-" => Strand::Reverse,
        "." | "?" => Strand::Unknown,
        other => return Err(ParseError::InvalidStrand(other.into())),
    };
    Ok(Line {
        seqid,
        kind,
        span: Segment { start, end },
        strand,
        attributes: columns[8],
    })
}

/// Guesses the format from one data line's attribute column: GFF3 when a `=` comes before
/// any `"` or space in the first attribute, GTF otherwise.
fn sniff(text: &str) -> Format {
    let attributes = text.split('\t').nth(8).unwrap_or_default().trim_start();
    let first = attributes.split(';').next().unwrap_or_default();
    match (first.find('='), first.find(['"', ' '])) {
        (Some(eq), Some(other)) if eq < other => Format::Gff3,
        (Some(_), None) => Format::Gff3,
        _ => Format::Gtf,
    }
}

/// Opens `path` (plain, gzip or BGZF) and reads it.
pub(crate) fn read(path: &Path) -> Result<(GeneModel, Format), Error> {
    let io_error = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let gzipped = reader
        .fill_buf()
        .map_err(io_error)?
        .starts_with(&[0x1f, 0x8b]);
    if gzipped {
        let decoder = flate2::bufread::MultiGzDecoder::new(reader);
        read_from(BufReader::with_capacity(1 << 16, decoder), path)
    } else {
        read_from(reader, path)
    }
}

/// Reads GFF3 or GTF text from `reader`; `path` names it in errors.
pub(crate) fn read_from<R: BufRead>(
    mut reader: R,
    path: &Path,
) -> Result<(GeneModel, Format), Error> {
    let mut format: Option<Format> = None;
    let mut gff = builder::Gff3Builder::default();
    let mut gtf = builder::GtfBuilder::default();
    let mut buffer = Vec::new();
    let mut line_number = 0u64;
    let invalid = |line, source| Error::InvalidRecord {
        path: path.to_owned(),
        line,
        source,
    };
    loop {
        buffer.clear();
        let n = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|source| Error::Io {
                path: path.to_owned(),
                source,
            })?;
        if n == 0 {
            break;
        }
        line_number += 1;
        let text = std::str::from_utf8(&buffer)
            .map_err(|_| invalid(line_number, ParseError::InvalidUtf8))?
            .trim_end_matches(['\n', '\r']);
        if text.starts_with("##FASTA") || text.starts_with('>') {
            break;
        }
        if let Some(directive) = text.strip_prefix("##gff-version") {
            if format.is_none() && directive.trim().starts_with('3') {
                format = Some(Format::Gff3);
            }
            continue;
        }
        if text.starts_with('#') || text.trim().is_empty() {
            continue;
        }
        let format = *format.get_or_insert_with(|| sniff(text));
        let line = parse_line(text, format).map_err(|e| invalid(line_number, e))?;
        match format {
            Format::Gff3 => gff.push(line, line_number),
            Format::Gtf => gtf.push(line, line_number),
        }
        .map_err(|e| invalid(line_number, e))?;
    }
    let format = format.unwrap_or(Format::Gff3);
    let model = match format {
        Format::Gff3 => gff.finish(),
        Format::Gtf => gtf.finish(),
    }
    .map_err(|(line, e)| invalid(line, e))?;
    Ok((model, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_decodes_percent_escapes_and_keeps_stray_percent() {
        assert_eq!(unescape("a%3Bb%2Cc%3D"), "a;b,c=");
        assert_eq!(unescape("100%"), "100%");
        assert_eq!(unescape("50%zz"), "50%zz");
        assert_eq!(unescape("%2"), "%2");
    }

    #[test]
    fn sniffs_gff3_and_gtf() {
        assert_eq!(
            sniff("1\t.\tgene\t1\t2\t.\t+\t.\tID=g;Name=x"),
            Format::Gff3
        );
        assert_eq!(
            sniff("1\t.\tgene\t1\t2\t.\t+\t.\tgene_id \"a=b\"; gene_name \"x\";"),
            Format::Gtf
        );
        assert_eq!(sniff("1\t.\tgene\t1\t2\t.\t+\t.\tthis key=v"), Format::Gtf);
    }

    #[test]
    fn rejects_bad_columns() {
        let err = |s: &str| parse_line(s, Format::Gff3).err();
        assert_eq!(
            err("1 . gene 1 2 . + . ID=x"),
            Some(ParseError::InvalidColumnCount(1))
        );
        assert_eq!(
            err("1\t.\tgene\t0\t2\t.\t+\t.\tID=x"),
            Some(ParseError::InvalidStart("0".into()))
        );
        assert_eq!(
            err("1\t.\tgene\t5\t2\t.\t+\t.\tID=x"),
            Some(ParseError::InvalidInterval { start: 5, end: 2 })
        );
        assert_eq!(
            err("1\t.\tgene\t1\t2\t.\tx\t.\tID=x"),
            Some(ParseError::InvalidStrand("x".into()))
        );
    }
}
