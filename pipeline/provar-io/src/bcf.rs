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
        record_to_line(&self.header, &self.record, &mut self.line, buf).map_err(undecodable)?;
        Ok(Some(Location::Record(number)))
    }
}

/// Writes `record` as a VCF data line (without terminator) into `buf`, through `scratch`.
pub(crate) fn record_to_line(
    header: &noodles_vcf::Header,
    record: &noodles_bcf::Record,
    scratch: &mut Vec<u8>,
    buf: &mut String,
) -> std::io::Result<()> {
    scratch.clear();
    let mut writer = noodles_vcf::io::Writer::new(&mut *scratch);
    writer.write_variant_record(header, record)?;
    while scratch.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        scratch.pop();
    }
    buf.clear();
    buf.push_str(&String::from_utf8_lossy(scratch));
    Ok(())
}

/// A BCF file opened for reading by region or shard through its CSI index: its header,
/// and the contig names in dictionary order (what the index's reference ids count).
pub struct Indexed {
    /// The header, as [`Reader::open`] returns it.
    pub header: Header,
    /// Contig names, in the header's dictionary order.
    pub contigs: Vec<String>,
}

impl Indexed {
    /// Reads the header of `path`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let (_, header) = Reader::open(path, 1)?;
        let contigs = header.inner.contigs().keys().cloned().collect();
        Ok(Self { header, contigs })
    }
}

/// The bytes a BGZF region reader turns into VCF data lines: text lines of a VCF, or BCF
/// records written as such lines.
pub(crate) enum LineSource {
    /// A BGZF VCF.
    Vcf(noodles_bgzf::io::Reader<File>),
    /// A BCF, with its header and buffers.
    Bcf {
        /// The reader.
        reader: Box<noodles_bcf::io::Reader<noodles_bgzf::io::Reader<File>>>,
        /// The header, for writing records as text.
        header: Box<noodles_vcf::Header>,
        /// The current record.
        record: Box<noodles_bcf::Record>,
        /// Text scratch space.
        scratch: Vec<u8>,
    },
}

impl LineSource {
    /// A source over `path`: BCF when its content says so.
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        let io_error = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        if is_bcf(path) {
            let (_, header) = Reader::open(path, 1)?;
            let file = File::open(path).map_err(io_error)?;
            Ok(LineSource::Bcf {
                reader: Box::new(noodles_bcf::io::Reader::new(file)),
                header: Box::new(header.inner),
                record: Box::default(),
                scratch: Vec::new(),
            })
        } else {
            let file = File::open(path).map_err(io_error)?;
            Ok(LineSource::Vcf(noodles_bgzf::io::Reader::new(file)))
        }
    }

    fn bgzf(&mut self) -> &mut noodles_bgzf::io::Reader<File> {
        match self {
            LineSource::Vcf(r) => r,
            LineSource::Bcf { reader, .. } => reader.get_mut(),
        }
    }

    /// Moves to a virtual position (a record or line start the index gave).
    pub(crate) fn seek(
        &mut self,
        position: noodles_bgzf::VirtualPosition,
    ) -> std::io::Result<noodles_bgzf::VirtualPosition> {
        self.bgzf().seek(position)
    }

    /// Where the next line or record starts.
    pub(crate) fn virtual_position(&mut self) -> noodles_bgzf::VirtualPosition {
        self.bgzf().virtual_position()
    }

    /// Reads the next line (with its terminator, for VCF) into `buf`; 0 at the end.
    pub(crate) fn read_line(&mut self, buf: &mut String) -> std::io::Result<usize> {
        use std::io::BufRead as _;
        match self {
            LineSource::Vcf(r) => {
                buf.clear();
                r.read_line(buf)
            }
            LineSource::Bcf {
                reader,
                header,
                record,
                scratch,
            } => {
                if reader.read_record(record)? == 0 {
                    return Ok(0);
                }
                record_to_line(header, record, scratch, buf)?;
                Ok(buf.len().max(1))
            }
        }
    }
}
