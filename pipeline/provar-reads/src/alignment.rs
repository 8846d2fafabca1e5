//! Opening BAM and CRAM files with their indexes, and reading the alignments of a region as
//! [`Read`]s: the few fields the sites and coverage stages use, decoded once.

use std::{
    fs::File,
    io,
    path::{Path, PathBuf},
};

use noodles_bam as bam;
use noodles_core::{Position as NoodlesPosition, Region as NoodlesRegion};
use noodles_cram as cram;
use noodles_fasta as fasta;
use noodles_sam as sam;

use crate::Error;

/// BAM flag bits used here.
pub mod flags {
    /// Template has several segments.
    pub const PAIRED: u16 = 0x1;
    /// Each segment properly aligned.
    pub const PROPER_PAIR: u16 = 0x2;
    /// Segment unmapped.
    pub const UNMAPPED: u16 = 0x4;
    /// Next segment unmapped.
    pub const MATE_UNMAPPED: u16 = 0x8;
    /// Sequence reverse complemented.
    pub const REVERSE: u16 = 0x10;
    /// Secondary alignment.
    pub const SECONDARY: u16 = 0x100;
    /// Not passing quality controls.
    pub const QC_FAIL: u16 = 0x200;
    /// PCR or optical duplicate.
    pub const DUPLICATE: u16 = 0x400;
    /// Supplementary alignment.
    pub const SUPPLEMENTARY: u16 = 0x800;
}

/// CIGAR operation codes, numbered as in BAM.
pub mod op {
    /// Alignment match (`M`).
    pub const MATCH: u8 = 0;
    /// Insertion (`I`).
    pub const INS: u8 = 1;
    /// Deletion (`D`).
    pub const DEL: u8 = 2;
    /// Skipped region (`N`).
    pub const SKIP: u8 = 3;
    /// Soft clip (`S`).
    pub const SOFT_CLIP: u8 = 4;
    /// Hard clip (`H`).
    pub const HARD_CLIP: u8 = 5;
    /// Padding (`P`).
    pub const PAD: u8 = 6;
    /// Sequence match (`=`).
    pub const EQUAL: u8 = 7;
    /// Sequence mismatch (`X`).
    pub const DIFF: u8 = 8;

    /// Whether `op` consumes the reference.
    pub fn consumes_reference(op: u8) -> bool {
        matches!(op, MATCH | DEL | SKIP | EQUAL | DIFF)
    }
    /// Whether `op` consumes the read.
    pub fn consumes_read(op: u8) -> bool {
        matches!(op, MATCH | INS | SOFT_CLIP | EQUAL | DIFF)
    }
    /// Whether `op` aligns a read base to a reference base.
    pub fn is_match(op: u8) -> bool {
        matches!(op, MATCH | EQUAL | DIFF)
    }
}

/// One alignment, decoded.
#[derive(Clone, Debug)]
pub struct Read {
    /// Read name.
    pub name: Vec<u8>,
    /// SAM flags.
    pub flags: u16,
    /// 0-based leftmost reference position of the alignment.
    pub start: i64,
    /// 0-based exclusive end (`start` + reference span).
    pub end: i64,
    /// Mapping quality (255 = unavailable).
    pub mapq: u8,
    /// CIGAR as (operation code, length) pairs.
    pub cigar: Vec<(u8, u32)>,
    /// Bases, upper-case ASCII (`=` kept as written).
    pub seq: Vec<u8>,
    /// Phred base qualities (empty when the record has none).
    pub qual: Vec<u8>,
    /// Whether the mate maps to the same contig (false when unknown).
    pub mate_same_contig: bool,
    /// 0-based mate position, −1 when none.
    pub mate_start: i64,
    /// Observed template length.
    pub template_length: i32,
    /// The `BQ` tag (BAQ offsets, +64), when present.
    pub bq: Option<Vec<u8>>,
    /// Whether a `ZQ` tag says BAQ is already applied to the qualities.
    pub zq: bool,
}

impl Read {
    /// Whether all bits of `mask` are set.
    pub fn has(&self, mask: u16) -> bool {
        self.flags & mask == mask
    }

    /// Whether the read is on the reverse strand.
    pub fn is_reverse(&self) -> bool {
        self.flags & flags::REVERSE != 0
    }
}

/// The kind of an alignment file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// BAM with a `.bai` or `.csi` index.
    Bam,
    /// CRAM with a `.crai` index; needs the reference.
    Cram,
}

/// An alignment file: its header, sample and index, ready to open readers from (one per
/// thread).
#[derive(Clone)]
pub struct AlignmentFile {
    path: PathBuf,
    format: Format,
    header: sam::Header,
    sample: String,
    reference: Option<PathBuf>,
}

impl std::fmt::Debug for AlignmentFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlignmentFile")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("sample", &self.sample)
            .finish()
    }
}

fn magic(path: &Path) -> Result<[u8; 4], Error> {
    use std::io::Read as _;
    let mut file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut buf = [0u8; 4];
    let mut n = 0;
    while n < 4 {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_owned(),
                    source,
                })
            }
        }
    }
    Ok(buf)
}

fn index_candidates(path: &Path, format: Format) -> Vec<PathBuf> {
    let with = |ext: &str| {
        let mut s = path.as_os_str().to_owned();
        s.push(ext);
        PathBuf::from(s)
    };
    match format {
        Format::Bam => {
            let mut v = vec![with(".bai"), with(".csi")];
            v.push(path.with_extension("bai"));
            v
        }
        Format::Cram => vec![with(".crai"), path.with_extension("crai")],
    }
}

impl AlignmentFile {
    /// Opens `path` (BAM or CRAM, told apart by their magic bytes), reads its header and
    /// checks that an index exists; a CRAM file needs `reference`, the FASTA it was written
    /// against (with its `.fai`).
    pub fn open(path: &Path, reference: Option<&Path>) -> Result<Self, Error> {
        let bytes = magic(path)?;
        let format = if bytes == *b"CRAM" {
            Format::Cram
        } else if bytes[..2] == [0x1f, 0x8b] {
            Format::Bam
        } else {
            return Err(Error::NotAlignment {
                path: path.to_owned(),
            });
        };
        if !index_candidates(path, format).iter().any(|p| p.is_file()) {
            return Err(Error::MissingIndex {
                path: path.to_owned(),
                format,
            });
        }
        let invalid = |source: io::Error| Error::Invalid {
            path: path.to_owned(),
            source,
        };
        let header = match format {
            Format::Bam => {
                let mut reader = bam::io::Reader::new(File::open(path).map_err(invalid)?);
                reader.read_header().map_err(invalid)?
            }
            Format::Cram => {
                let Some(reference) = reference else {
                    return Err(Error::CramWithoutReference {
                        path: path.to_owned(),
                    });
                };
                fasta_index(reference)?;
                let mut reader = cram::io::Reader::new(File::open(path).map_err(invalid)?);
                reader.read_header().map_err(invalid)?
            }
        };
        let sample = sample_name(&header, path)?;
        Ok(Self {
            path: path.to_owned(),
            format,
            header,
            sample,
            reference: reference.map(Path::to_owned),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// BAM or CRAM.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The sample: the one `SM` of its read groups, else the file name without extension.
    pub fn sample(&self) -> &str {
        &self.sample
    }

    /// Contig names and lengths, in header order.
    pub fn contigs(&self) -> Vec<(String, u64)> {
        self.header
            .reference_sequences()
            .iter()
            .map(|(name, rs)| (name.to_string(), rs.length().get() as u64))
            .collect()
    }

    /// Opens a reader for region queries.
    pub fn reader(&self) -> Result<RegionReader<'_>, Error> {
        let invalid = |source: io::Error| Error::Invalid {
            path: self.path.clone(),
            source,
        };
        let inner = match self.format {
            Format::Bam => {
                let index = read_bam_index(&self.path)?;
                let mut reader = bam::io::Reader::new(File::open(&self.path).map_err(invalid)?);
                reader.read_header().map_err(invalid)?;
                Inner::Bam {
                    reader: Box::new(reader),
                    index,
                }
            }
            #[cfg(feature = "htslib")]
            Format::Cram => {
                let reference =
                    self.reference
                        .as_deref()
                        .ok_or_else(|| Error::CramWithoutReference {
                            path: self.path.clone(),
                        })?;
                Inner::Hts(Box::new(crate::hts::HtsReader::open(
                    &self.path, reference,
                )?))
            }
            #[cfg(not(feature = "htslib"))]
            Format::Cram => {
                let reference =
                    self.reference
                        .as_deref()
                        .ok_or_else(|| Error::CramWithoutReference {
                            path: self.path.clone(),
                        })?;
                let fai = fasta_index(reference)?;
                let fasta_reader = fasta::io::IndexedReader::new(
                    File::open(reference)
                        .map(io::BufReader::new)
                        .map_err(|source| Error::Io {
                            path: reference.to_owned(),
                            source,
                        })?,
                    fai,
                );
                let repository = fasta::Repository::new(
                    fasta::repository::adapters::IndexedReader::new(fasta_reader),
                );
                let mut reader = cram::io::reader::Builder::default()
                    .set_reference_sequence_repository(repository)
                    .build_from_path(&self.path)
                    .map_err(invalid)?;
                reader.read_header().map_err(invalid)?;
                let index = index_candidates(&self.path, Format::Cram)
                    .into_iter()
                    .find(|p| p.is_file())
                    .ok_or_else(|| Error::MissingIndex {
                        path: self.path.clone(),
                        format: Format::Cram,
                    })
                    .and_then(|p| {
                        cram::crai::fs::read(&p)
                            .map_err(|source| Error::Invalid { path: p, source })
                    })?;
                Inner::Cram {
                    reader: Box::new(reader),
                    index,
                }
            }
        };
        Ok(RegionReader { file: self, inner })
    }
}

fn read_bam_index(path: &Path) -> Result<Box<dyn noodles_csi::BinningIndex>, Error> {
    for candidate in index_candidates(path, Format::Bam) {
        if !candidate.is_file() {
            continue;
        }
        let is_csi = candidate.extension().is_some_and(|e| e == "csi");
        let index: Box<dyn noodles_csi::BinningIndex> = if is_csi {
            Box::new(
                noodles_csi::fs::read(&candidate).map_err(|source| Error::Invalid {
                    path: candidate.clone(),
                    source,
                })?,
            )
        } else {
            Box::new(
                bam::bai::fs::read(&candidate).map_err(|source| Error::Invalid {
                    path: candidate.clone(),
                    source,
                })?,
            )
        };
        return Ok(index);
    }
    Err(Error::MissingIndex {
        path: path.to_owned(),
        format: Format::Bam,
    })
}

/// Reads the `.fai` next to a FASTA file.
pub(crate) fn fasta_index(reference: &Path) -> Result<fasta::fai::Index, Error> {
    let mut fai = reference.as_os_str().to_owned();
    fai.push(".fai");
    let fai = PathBuf::from(fai);
    if !reference.is_file() {
        return Err(Error::Io {
            path: reference.to_owned(),
            source: io::Error::new(io::ErrorKind::NotFound, "no such file"),
        });
    }
    if !fai.is_file() {
        return Err(Error::MissingFastaIndex {
            path: reference.to_owned(),
        });
    }
    fasta::fai::fs::read(&fai).map_err(|source| Error::Invalid { path: fai, source })
}

fn sample_name(header: &sam::Header, path: &Path) -> Result<String, Error> {
    let mut names: Vec<String> = Vec::new();
    for (_, map) in header.read_groups() {
        if let Some(sm) = map
            .other_fields()
            .get(&sam::header::record::value::map::read_group::tag::SAMPLE)
        {
            let sm = sm.to_string();
            if !names.contains(&sm) {
                names.push(sm);
            }
        }
    }
    match names.len() {
        0 => Ok(path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
            .split('.')
            .next()
            .unwrap_or_default()
            .to_owned()),
        1 => Ok(names.remove(0)),
        _ => Err(Error::SeveralSamples {
            path: path.to_owned(),
            samples: names,
        }),
    }
}

enum Inner {
    Bam {
        reader: Box<bam::io::Reader<noodles_bgzf::io::Reader<File>>>,
        index: Box<dyn noodles_csi::BinningIndex>,
    },
    #[cfg_attr(feature = "htslib", allow(dead_code))]
    Cram {
        reader: Box<cram::io::Reader<File>>,
        index: cram::crai::Index,
    },
    /// CRAM through htslib (feature `htslib`).
    #[cfg(feature = "htslib")]
    Hts(Box<crate::hts::HtsReader>),
}

/// A reader of one alignment file for region queries.
pub struct RegionReader<'f> {
    file: &'f AlignmentFile,
    inner: Inner,
}

/// Reads of a region, in file order (sorted by start).
pub type Reads<'r> = Box<dyn Iterator<Item = Result<Read, Error>> + 'r>;

/// Which reads a query decodes in full.
pub type Keep<'r> = Box<dyn Fn(i64, i64) -> bool + 'r>;

impl RegionReader<'_> {
    /// The reads overlapping `contig:start-end` (1-based, inclusive). A contig the file does
    /// not have gives [`Error::UnknownContig`].
    pub fn query(&mut self, contig: &str, start: u64, end: u64) -> Result<Reads<'_>, Error> {
        self.query_with(contig, start, end, false, Box::new(|_, _| true))
    }

    /// Like [`RegionReader::query`], but reads whose 0-based `[start, end)` span `keep`
    /// rejects are skipped before their bases are decoded, and with `light` no read gets
    /// its bases, qualities or tags (enough for depth).
    pub fn query_with<'r>(
        &'r mut self,
        contig: &str,
        start: u64,
        end: u64,
        light: bool,
        keep: Keep<'r>,
    ) -> Result<Reads<'r>, Error> {
        let file = self.file;
        if file
            .header
            .reference_sequences()
            .get(contig.as_bytes())
            .is_none()
        {
            return Err(Error::UnknownContig {
                path: file.path.clone(),
                contig: contig.to_owned(),
                known: file
                    .header
                    .reference_sequences()
                    .keys()
                    .take(5)
                    .map(|k| k.to_string())
                    .collect(),
            });
        }
        let position = |p: u64| {
            usize::try_from(p)
                .ok()
                .and_then(NoodlesPosition::new)
                .unwrap_or(NoodlesPosition::MIN)
        };
        let region = NoodlesRegion::new(contig, position(start)..=position(end));
        let path = file.path.clone();
        let invalid = move |source: io::Error| Error::Invalid {
            path: path.clone(),
            source,
        };
        let header = &file.header;
        match &mut self.inner {
            Inner::Bam { reader, index } => {
                let query = reader
                    .query(header, index, &region)
                    .map_err(invalid.clone())?;
                Ok(Box::new(query.records().filter_map(move |r| {
                    match r.and_then(|r| decode_bam(&r, light, &keep)) {
                        Ok(Some(read)) => Some(Ok(read)),
                        Ok(None) => None,
                        Err(e) => Some(Err(invalid(e))),
                    }
                })))
            }
            #[cfg(feature = "htslib")]
            Inner::Hts(reader) => {
                let tid = header
                    .reference_sequences()
                    .get_index_of(contig.as_bytes())
                    .ok_or(Error::Internal("contig vanished"))?;
                reader.query_with(tid, start, end, light, keep)
            }
            Inner::Cram { reader, index } => {
                let query = reader
                    .query(header, index, &region)
                    .map_err(invalid.clone())?;
                Ok(Box::new(query.records().filter_map(move |r| {
                    match r.and_then(|r| decode_buf(&r, light, &keep)) {
                        Ok(Some(read)) => Some(Ok(read)),
                        Ok(None) => None,
                        Err(e) => Some(Err(invalid(e))),
                    }
                })))
            }
        }
    }
}

const NT16: &[u8; 16] = b"=ACMGRSVTWYHKDBN";

fn cigar_span(cigar: &[(u8, u32)]) -> i64 {
    cigar
        .iter()
        .filter(|(c, _)| op::consumes_reference(*c))
        .map(|(_, l)| i64::from(*l))
        .sum()
}

fn invalid_data(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

/// Decodes a BAM record from its raw fields (no per-base iterator objects).
fn decode_bam(record: &bam::Record, light: bool, keep: &Keep<'_>) -> io::Result<Option<Read>> {
    let flags = u16::from(record.flags());
    let start = match record.alignment_start() {
        Some(p) => p?.get() as i64 - 1,
        None => -1,
    };
    let raw = record.cigar();
    let raw = raw.as_bytes();
    if raw.len() % 4 != 0 {
        return Err(invalid_data("CIGAR length is not a multiple of 4"));
    }
    let mut cigar = Vec::with_capacity(raw.len() / 4);
    for chunk in raw.chunks_exact(4) {
        let v = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let code = (v & 0xf) as u8;
        if code > op::DIFF {
            return Err(invalid_data("invalid CIGAR operation"));
        }
        cigar.push((code, v >> 4));
    }
    let end = start + cigar_span(&cigar);
    if !keep(start, end) {
        return Ok(None);
    }
    let mapq = record.mapping_quality().map(u8::from).unwrap_or(255);
    let same_contig = match (
        record.reference_sequence_id(),
        record.mate_reference_sequence_id(),
    ) {
        (Some(a), Some(b)) => a? == b?,
        _ => false,
    };
    let mate_start = match record.mate_alignment_start() {
        Some(p) => p?.get() as i64 - 1,
        None => -1,
    };
    let mut read = Read {
        name: record.name().map(|n| n.to_vec()).unwrap_or_default(),
        flags,
        start,
        end,
        mapq,
        cigar,
        seq: Vec::new(),
        qual: Vec::new(),
        mate_same_contig: same_contig,
        mate_start,
        template_length: record.template_length(),
        bq: None,
        zq: false,
    };
    if light {
        return Ok(Some(read));
    }
    let sequence = record.sequence();
    let n = sequence.len();
    let packed = sequence.as_bytes();
    read.seq.reserve(n);
    for i in 0..n {
        let byte = packed.get(i / 2).copied().unwrap_or(0);
        let code = if i % 2 == 0 { byte >> 4 } else { byte & 0xf };
        read.seq.push(NT16[code as usize]);
    }
    let qual = record.quality_scores();
    let qual = qual.as_bytes();
    if qual.len() == n && qual.first() != Some(&255) {
        read.qual = qual.to_vec();
    }
    let data = record.data();
    let string_tag = |tag: [u8; 2]| -> io::Result<Option<Vec<u8>>> {
        use sam::alignment::record::data::field::{Tag, Value};
        match data.get(&Tag::from(tag)) {
            Some(v) => match v? {
                Value::String(s) => Ok(Some(s.to_vec())),
                _ => Ok(None),
            },
            None => Ok(None),
        }
    };
    read.bq = string_tag(*b"BQ")?.filter(|b| b.len() == n);
    read.zq = string_tag(*b"ZQ")?.is_some_and(|z| z.len() == n);
    Ok(Some(read))
}

/// Decodes a CRAM record (noodles gives them as `RecordBuf`s).
fn decode_buf(
    record: &sam::alignment::RecordBuf,
    light: bool,
    keep: &Keep<'_>,
) -> io::Result<Option<Read>> {
    use sam::alignment::record::cigar::op::Kind;
    let flags = u16::from(record.flags());
    let start = record.alignment_start().map_or(-1, |p| p.get() as i64 - 1);
    let cigar: Vec<(u8, u32)> = record
        .cigar()
        .as_ref()
        .iter()
        .map(|o| {
            let code = match o.kind() {
                Kind::Match => op::MATCH,
                Kind::Insertion => op::INS,
                Kind::Deletion => op::DEL,
                Kind::Skip => op::SKIP,
                Kind::SoftClip => op::SOFT_CLIP,
                Kind::HardClip => op::HARD_CLIP,
                Kind::Pad => op::PAD,
                Kind::SequenceMatch => op::EQUAL,
                Kind::SequenceMismatch => op::DIFF,
            };
            (code, o.len() as u32)
        })
        .collect();
    let end = start + cigar_span(&cigar);
    if !keep(start, end) {
        return Ok(None);
    }
    let same_contig = match (
        record.reference_sequence_id(),
        record.mate_reference_sequence_id(),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    let mut read = Read {
        name: record.name().map(|n| n.to_vec()).unwrap_or_default(),
        flags,
        start,
        end,
        mapq: record.mapping_quality().map(u8::from).unwrap_or(255),
        cigar,
        seq: Vec::new(),
        qual: Vec::new(),
        mate_same_contig: same_contig,
        mate_start: record
            .mate_alignment_start()
            .map_or(-1, |p| p.get() as i64 - 1),
        template_length: record.template_length(),
        bq: None,
        zq: false,
    };
    if light {
        return Ok(Some(read));
    }
    read.seq = record
        .sequence()
        .as_ref()
        .iter()
        .map(u8::to_ascii_uppercase)
        .collect();
    let qual = record.quality_scores().as_ref();
    if qual.len() == read.seq.len() && qual.first() != Some(&255) {
        read.qual = qual.to_vec();
    }
    let n = read.seq.len();
    let tag = |t: [u8; 2]| {
        use sam::alignment::record_buf::data::field::Value;
        match record
            .data()
            .get(&sam::alignment::record::data::field::Tag::from(t))
        {
            Some(Value::String(s)) => Some(s.to_vec()),
            _ => None,
        }
    };
    read.bq = tag(*b"BQ").filter(|b| b.len() == n);
    read.zq = tag(*b"ZQ").is_some_and(|z| z.len() == n);
    Ok(Some(read))
}
