use std::{
    fs::File,
    io::{self, BufRead, BufReader, Read},
    num::NonZeroUsize,
    path::{Path, PathBuf},
};

use super::{record::Layout, Error};

/// A VCF header validated by noodles' header parser, with the record [`Layout`] it implies.
#[derive(Clone, Debug)]
pub struct Header {
    /// The full header as parsed by noodles (INFO/FORMAT definitions, contigs, ...).
    pub inner: noodles_vcf::Header,
    /// Sample names and field types that data lines are checked against.
    pub layout: Layout,
}

impl Header {
    /// Sample names in column order.
    pub fn sample_names(&self) -> &[String] {
        &self.layout.sample_names
    }
}

/// A streaming VCF reader over plain or BGZF text that counts lines.
///
/// ```no_run
/// use provar_io::vcf::Reader;
/// let mut reader = Reader::open("testdata/cohort/sample.vcf.gz".as_ref(), 2)?;
/// let header = reader.read_header()?;
/// let mut line = String::new();
/// while let Some(number) = reader.read_line(&mut line)? {
///     let record = provar_io::vcf::Record::parse(&line, &header.layout)
///         .map_err(|source| reader.invalid_record(number, source))?;
///     println!("{}:{}", record.contig, record.position);
/// }
/// # Ok::<_, provar_io::vcf::Error>(())
/// ```
pub struct Reader {
    inner: Box<dyn BufRead + Send>,
    path: PathBuf,
    line: u64,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

impl Reader {
    /// Opens `path`, detecting BGZF compression from the first bytes. BGZF blocks are
    /// decompressed by `threads` workers (noodles' multithreaded reader).
    pub fn open(path: &Path, threads: usize) -> Result<Self, Error> {
        let io_error = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = File::open(path).map_err(io_error)?;
        let mut magic = [0u8; 18];
        let n = read_up_to(&mut file, &mut magic).map_err(io_error)?;
        let file = File::open(path).map_err(io_error)?;
        let inner: Box<dyn BufRead + Send> = if n >= 2 && magic[..2] == GZIP_MAGIC {
            // BGZF: FLG.FEXTRA set and a "BC" subfield.
            let is_bgzf = n >= 18 && magic[3] & 0x04 != 0 && magic[12..14] == *b"BC";
            if !is_bgzf {
                return Err(Error::UnsupportedCompression {
                    path: path.to_owned(),
                });
            }
            let workers = NonZeroUsize::new(threads.max(1)).unwrap_or(NonZeroUsize::MIN);
            Box::new(BufReader::with_capacity(
                1 << 16,
                noodles_bgzf::io::MultithreadedReader::with_worker_count(workers, file),
            ))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, file))
        };
        Ok(Self {
            inner,
            path: path.to_owned(),
            line: 0,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn next_raw_line(&mut self, buf: &mut String) -> Result<bool, Error> {
        buf.clear();
        let n = self.inner.read_line(buf).map_err(|source| Error::Io {
            path: self.path.clone(),
            source: with_line(source, self.line + 1),
        })?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        while buf.ends_with(['\n', '\r']) {
            buf.pop();
        }
        Ok(true)
    }

    /// Reads and validates the header (every `##` line and the `#CHROM` line).
    ///
    /// A few lines noodles refuses are read anyway, because valid files carry them and
    /// provar does not need what is wrong with them (see `tolerated_header_line` below and
    /// `testdata/vcf-edge-cases/TOLERATED.md`).
    pub fn read_header(&mut self) -> Result<Header, Error> {
        let mut parser = noodles_vcf::header::Parser::default();
        let mut redefined: Vec<Redefinition> = Vec::new();
        let mut line = String::new();
        loop {
            if !self.next_raw_line(&mut line)? {
                return Err(if self.line == 0 {
                    Error::Empty {
                        path: self.path.clone(),
                    }
                } else {
                    // Named as `FILE:LINE` like every other header error.
                    Error::InvalidHeader {
                        path: self.path.clone(),
                        line: self.line,
                        message: "the file ends before the #CHROM line".to_owned(),
                    }
                });
            }
            if self.line == 1 && !line.starts_with("##fileformat=") {
                return Err(Error::InvalidHeader {
                    path: self.path.clone(),
                    line: 1,
                    message: "missing ##fileformat line: a VCF starts with one (e.g. ##fileformat=VCFv4.3)"
                        .to_owned(),
                });
            }
            if self.line > 1 && !line.starts_with('#') {
                return Err(Error::InvalidHeader {
                    path: self.path.clone(),
                    line: self.line,
                    message: "a data line comes before the #CHROM line (missing #CHROM line?)"
                        .to_owned(),
                });
            }
            let invalid = |message: String| Error::InvalidHeader {
                path: self.path.clone(),
                line: self.line,
                message,
            };
            if let Err(e) = parser.parse_partial(line.as_bytes()) {
                let message = describe(&e);
                match tolerated_header_line(&line, &message) {
                    Some(Tolerated::Redefinition(r)) => redefined.push(r),
                    Some(Tolerated::Ignored) => {}
                    None => return Err(invalid(message)),
                }
            }
            if line.starts_with("#CHROM") {
                if line.split('\t').count() == 9 {
                    return Err(invalid(
                        "the #CHROM line has a FORMAT column but no sample columns".to_owned(),
                    ));
                }
                if line.split('\t').skip(9).any(str::is_empty) {
                    return Err(invalid(
                        "empty sample name (a trailing tab on the #CHROM line?)".to_owned(),
                    ));
                }
                break;
            }
        }
        let mut inner = parser.finish().map_err(|e| Error::InvalidHeader {
            path: self.path.clone(),
            line: self.line,
            message: describe(&e),
        })?;
        for r in redefined {
            match r {
                Redefinition::Info(id, map) => {
                    inner.infos_mut().insert(id, map);
                }
                Redefinition::Format(id, map) => {
                    inner.formats_mut().insert(id, map);
                }
            }
        }
        let layout = Layout::from_header(&inner);
        Ok(Header { inner, layout })
    }

    /// Reads the next data line into `buf` (without its line terminator) and returns its
    /// 1-based line number, or `None` at end of file. Empty lines are skipped.
    pub fn read_line(&mut self, buf: &mut String) -> Result<Option<u64>, Error> {
        loop {
            if !self.next_raw_line(buf)? {
                return Ok(None);
            }
            if !buf.is_empty() {
                return Ok(Some(self.line));
            }
        }
    }

    /// Wraps a record parse error with this file and `line`.
    pub fn invalid_record(&self, line: u64, source: super::record::ParseError) -> Error {
        Error::InvalidRecord {
            path: self.path.clone(),
            location: super::Location::Line(line),
            source: Box::new(source),
        }
    }
}

fn describe(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

fn with_line(e: io::Error, line: u64) -> io::Error {
    io::Error::new(e.kind(), format!("at line {line}: {e}"))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A header line noodles refuses that provar reads anyway.
enum Tolerated {
    /// A reserved INFO/FORMAT key the file declares with a more specific Number than the
    /// standard's `.`: the file's own definition is kept.
    Redefinition(Redefinition),
    /// A line provar does not use: dropped.
    Ignored,
}

enum Redefinition {
    Info(
        String,
        noodles_vcf::header::record::value::Map<noodles_vcf::header::record::value::map::Info>,
    ),
    Format(
        String,
        noodles_vcf::header::record::value::Map<noodles_vcf::header::record::value::map::Format>,
    ),
}

/// Decides whether a header line that noodles refused with `message` can be read anyway:
///
/// - a reserved INFO/FORMAT key declared with the standard's type but a fixed Number where the
///   standard says `.` (vcf-validator's valid `SVLEN`, `CIEND`): the file's definition is kept;
/// - a repeated `##contig` ID (the first definition is kept), `##ALT` lines and `##FILTER`
///   lines without a Description (optional in VCF 4.4), which provar does not use: dropped;
/// - structured lines other than fileformat, INFO, FORMAT, FILTER, ALT and contig (for
///   example `##pedigreeDB=<url>`, `##PEDIGREE`, `##SAMPLE`, `##META`): dropped.
///
/// Anything else stays an error. The reasons are in `testdata/vcf-edge-cases/TOLERATED.md`.
fn tolerated_header_line(line: &str, message: &str) -> Option<Tolerated> {
    let key = line.strip_prefix("##")?.split_once('=')?.0;
    match key {
        "INFO" | "FORMAT" => redefinition(line, message).map(Tolerated::Redefinition),
        "contig" if message.starts_with("duplicate contig ID") => Some(Tolerated::Ignored),
        // VCF 4.4 makes Description optional; provar does not use FILTER definitions.
        "FILTER" if message.ends_with("missing description") => Some(Tolerated::Ignored),
        "ALT" => Some(Tolerated::Ignored),
        "fileformat" | "FILTER" | "contig" => None,
        _ if line[2 + key.len() + 1..].starts_with('<') => Some(Tolerated::Ignored),
        _ => None,
    }
}

/// The file's own INFO/FORMAT definition when noodles refused it only because the standard
/// says `Number=.` for that key and the file gives a count, with the same Type.
fn redefinition(line: &str, message: &str) -> Option<Redefinition> {
    let (_, mismatch) = message.split_once("definition mismatch: ")?;
    let (expected, got) = mismatch.split_once(", got ")?;
    let ty = |s: &str| s.split_once("Type=").map(|(_, t)| t.trim().to_owned());
    if !expected.contains("expected Number=Unknown,") || ty(expected)? != ty(got)? {
        return None;
    }
    use noodles_vcf::header::{
        parser::{Entry, FileFormatOption},
        FileFormat, Parser,
    };
    // VCF 4.2 has no table of reserved definitions, so noodles takes the line as written.
    let mut parser = Parser::builder()
        .set_file_format_option(FileFormatOption::FileFormat(FileFormat::new(4, 2)))
        .build();
    parser.parse_partial(b"##fileformat=VCFv4.2").ok()?;
    match parser.parse_partial(line.as_bytes()).ok()? {
        Entry::Info(id, map) => Some(Redefinition::Info(id.to_owned(), map.clone())),
        Entry::Format(id, map) => Some(Redefinition::Format(id.to_owned(), map.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `read_header` decides for `line` in a VCF 4.3 header.
    fn decide(line: &str) -> Option<&'static str> {
        let mut parser = noodles_vcf::header::Parser::default();
        parser
            .parse_partial(b"##fileformat=VCFv4.3")
            .expect("fileformat parses");
        parser
            .parse_partial(b"##contig=<ID=1>")
            .expect("contig parses");
        let error = parser.parse_partial(line.as_bytes()).err()?;
        Some(match tolerated_header_line(line, &describe(&error)) {
            Some(Tolerated::Redefinition(_)) => "redefined",
            Some(Tolerated::Ignored) => "ignored",
            None => "error",
        })
    }

    #[test]
    fn header_lines_noodles_refuses_degrade_only_where_provar_does_not_need_them() {
        // The standard says SVLEN is Number=.; a file's Number=1 Integer is kept.
        assert_eq!(
            decide(r#"##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="x">"#),
            Some("redefined")
        );
        // Another Type for a reserved key stays an error.
        assert_eq!(
            decide(r#"##INFO=<ID=DP,Number=1,Type=Float,Description="x">"#),
            Some("error")
        );
        assert_eq!(decide("##contig=<ID=1,length=10>"), Some("ignored"));
        assert_eq!(
            decide("##pedigreeDB=<ftp://www.ebi.ac.uk:8080/valid/host/to/file.db>"),
            Some("ignored")
        );
        assert_eq!(decide("##contig=<length=10>"), Some("error"));
    }
}
