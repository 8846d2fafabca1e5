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
    pub fn read_header(&mut self) -> Result<Header, Error> {
        let mut parser = noodles_vcf::header::Parser::default();
        let mut line = String::new();
        loop {
            if !self.next_raw_line(&mut line)? {
                return Err(if self.line == 0 {
                    Error::Empty {
                        path: self.path.clone(),
                    }
                } else {
                    Error::MissingHeaderLine {
                        path: self.path.clone(),
                        line: self.line + 1,
                    }
                });
            }
            if self.line > 1 && !line.starts_with('#') {
                return Err(Error::MissingHeaderLine {
                    path: self.path.clone(),
                    line: self.line,
                });
            }
            let invalid = |message: String| Error::InvalidHeader {
                path: self.path.clone(),
                line: self.line,
                message,
            };
            parser
                .parse_partial(line.as_bytes())
                .map_err(|e| invalid(describe(&e)))?;
            if line.starts_with("#CHROM") {
                if line.split('\t').skip(9).any(str::is_empty) {
                    return Err(invalid(
                        "empty sample name (a trailing tab on the #CHROM line?)".to_owned(),
                    ));
                }
                break;
            }
        }
        let inner = parser.finish().map_err(|e| Error::InvalidHeader {
            path: self.path.clone(),
            line: self.line,
            message: describe(&e),
        })?;
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
            line,
            source,
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
