//! BCF reading. Each BCF record is decoded by noodles and written back as a VCF data line,
//! which then goes through the same strict line parser as text VCF: one code path checks
//! and splits both formats, so they give identical tables.

use std::{
    fs::File,
    io::Read,
    num::NonZeroUsize,
    path::{Path, PathBuf},
};

use noodles_vcf::variant::io::Write as _;

use crate::vcf::{Error, Header, Layout, Location};

/// The decompressed bytes a BCF file starts with.
const BCF_MAGIC: &[u8] = b"BCF";

/// Whether `path` is a BGZF-compressed BCF file (by its content, not its name).
pub fn is_bcf(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut reader = noodles_bgzf::io::Reader::new(file);
    let mut magic = [0u8; 3];
    reader.read_exact(&mut magic).is_ok() && magic == BCF_MAGIC
}

type Inner = noodles_bcf::io::Reader<noodles_bgzf::io::MultithreadedReader<File>>;

/// Reads a BCF file record by record, as VCF data lines.
pub struct Reader {
    path: PathBuf,
    inner: Inner,
    header: noodles_vcf::Header,
    record: noodles_bcf::Record,
    line: Vec<u8>,
    count: u64,
}

impl Reader {
    /// Opens `path` and reads its header; BGZF blocks are decompressed by `threads` workers.
    pub fn open(path: &Path, threads: usize) -> Result<(Self, Header), Error> {
        let io_error = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let workers = NonZeroUsize::new(threads.max(1)).unwrap_or(NonZeroUsize::MIN);
        let mut inner: Inner = noodles_bcf::io::Reader::from(
            noodles_bgzf::io::MultithreadedReader::with_worker_count(workers, file),
        );
        let header = inner.read_header().map_err(|e| Error::InvalidHeader {
            path: path.to_owned(),
            line: 1,
            message: format!("invalid BCF header: {e}"),
        })?;
        let layout = Layout::from_header(&header);
        Ok((
            Self {
                path: path.to_owned(),
                inner,
                header: header.clone(),
                record: noodles_bcf::Record::default(),
                line: Vec::new(),
                count: 0,
            },
            Header {
                inner: header,
                layout,
            },
        ))
    }

    /// Reads the next record as a VCF data line into `buf` and returns its 1-based record
    /// number, or `None` at the end.
    pub fn read_line(&mut self, buf: &mut String) -> Result<Option<Location>, Error> {
        let number = self.count + 1;
        let undecodable = |e: std::io::Error| Error::Io {
            path: self.path.clone(),
            source: std::io::Error::new(e.kind(), format!("record {number}: {e}")),
        };
        if self
            .inner
            .read_record(&mut self.record)
            .map_err(undecodable)?
            == 0
        {
            return Ok(None);
        }
        self.count = number;
        self.line.clear();
        let mut writer = noodles_vcf::io::Writer::new(&mut self.line);
        writer
            .write_variant_record(&self.header, &self.record)
            .map_err(undecodable)?;
        while self.line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            self.line.pop();
        }
        buf.clear();
        buf.push_str(&String::from_utf8_lossy(&self.line));
        Ok(Some(Location::Record(number)))
    }
}
