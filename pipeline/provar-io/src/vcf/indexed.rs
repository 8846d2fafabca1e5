//! Region and shard reading of BGZF-compressed VCF through its tabix (`.tbi`) or CSI
//! (`.csi`) index, and of BCF through its CSI index.

use std::path::{Path, PathBuf};

use noodles_bgzf::VirtualPosition;
use noodles_csi::{binning_index::index::reference_sequence::bin::Chunk, BinningIndex};
use provar_core::{Position, Region};

use super::Error;

/// Which records of a region a query keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Records whose REF span overlaps the region (`bcftools view -r`).
    Overlapping,
    /// Records whose POS lies in the region: every record falls in exactly one shard.
    StartingWithin,
}

/// One contig interval to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Index of the contig in the index's contig list.
    pub contig_id: usize,
    /// The interval.
    pub region: Region,
    /// Which records to keep.
    pub selection: Selection,
}

enum AnyIndex {
    Tabix(noodles_tabix::Index),
    Csi(noodles_csi::Index),
}

/// The index of a BGZF VCF file, with its contig names.
pub struct Index {
    path: PathBuf,
    inner: AnyIndex,
    contigs: Vec<String>,
}

impl Index {
    /// Opens `VCF.tbi`, else `VCF.csi`.
    pub fn open_for(vcf: &Path) -> Result<Self, Error> {
        let with_suffix = |suffix: &str| {
            let mut p = vcf.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        };
        let (tbi, csi) = (with_suffix(".tbi"), with_suffix(".csi"));
        let io_error = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let (path, inner) = if tbi.is_file() {
            let index = noodles_tabix::fs::read(&tbi).map_err(io_error(&tbi))?;
            (tbi, AnyIndex::Tabix(index))
        } else if csi.is_file() {
            let index = noodles_csi::fs::read(&csi).map_err(io_error(&csi))?;
            (csi, AnyIndex::Csi(index))
        } else {
            return Err(Error::MissingIndex {
                path: vcf.to_owned(),
            });
        };
        let header = match &inner {
            AnyIndex::Tabix(i) => i.header(),
            AnyIndex::Csi(i) => i.header(),
        };
        let Some(header) = header else {
            return Err(Error::InvalidIndex {
                path,
                message: "the index has no contig names (a CSI index of a non-VCF file?)"
                    .to_owned(),
            });
        };
        let contigs = header
            .reference_sequence_names()
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        Ok(Self {
            path,
            inner,
            contigs,
        })
    }

    /// Opens `BCF.csi` (`bcftools index`), with the contig names of the BCF header in
    /// dictionary order: a BCF index does not name its contigs.
    pub fn open_for_bcf(bcf: &Path, contigs: Vec<String>) -> Result<Self, Error> {
        let mut csi = bcf.as_os_str().to_owned();
        csi.push(".csi");
        let csi = PathBuf::from(csi);
        if !csi.is_file() {
            return Err(Error::MissingIndex {
                path: bcf.to_owned(),
            });
        }
        let inner = noodles_csi::fs::read(&csi).map_err(|source| Error::Io {
            path: csi.clone(),
            source,
        })?;
        if inner.reference_sequences().len() > contigs.len() {
            return Err(Error::InvalidIndex {
                path: csi,
                message: format!(
                    "the index has {} reference sequences but the BCF header names {} contigs",
                    inner.reference_sequences().len(),
                    contigs.len()
                ),
            });
        }
        Ok(Self {
            path: csi,
            inner: AnyIndex::Csi(inner),
            contigs,
        })
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Contig names in index order (file order).
    pub fn contigs(&self) -> &[String] {
        &self.contigs
    }

    fn binning(&self) -> &dyn BinningIndex {
        match &self.inner {
            AnyIndex::Tabix(i) => i,
            AnyIndex::Csi(i) => i,
        }
    }

    /// Bins with their chunks per reference sequence.
    fn bins(&self) -> Vec<Vec<(usize, Vec<Chunk>)>> {
        fn collect<I: noodles_csi::binning_index::index::reference_sequence::Index>(
            index: &noodles_csi::binning_index::Index<I>,
        ) -> Vec<Vec<(usize, Vec<Chunk>)>> {
            index
                .reference_sequences()
                .iter()
                .map(|r| {
                    r.bins()
                        .iter()
                        .map(|(id, bin)| (*id, bin.chunks().to_vec()))
                        .collect()
                })
                .collect()
        }
        match &self.inner {
            AnyIndex::Tabix(i) => collect(i),
            AnyIndex::Csi(i) => collect(i),
        }
    }

    /// Queries for `regions`, sorted in file order, overlapping regions merged.
    pub fn queries_for_regions(&self, vcf: &Path, regions: &[Region]) -> Result<Vec<Query>, Error> {
        let mut queries = Vec::with_capacity(regions.len());
        for region in regions {
            let Some(contig_id) = self.contigs.iter().position(|c| *c == region.contig) else {
                return Err(Error::UnknownContig {
                    path: vcf.to_owned(),
                    contig: region.contig.clone(),
                    known: self.contigs.clone(),
                });
            };
            queries.push(Query {
                contig_id,
                region: region.clone(),
                selection: Selection::Overlapping,
            });
        }
        queries.sort_by_key(|q| (q.contig_id, q.region.start));
        let mut merged: Vec<Query> = Vec::with_capacity(queries.len());
        for q in queries {
            match merged.last_mut() {
                Some(last)
                    if last.contig_id == q.contig_id
                        && last
                            .region
                            .end
                            .is_none_or(|e| e.get().saturating_add(1) >= q.region.start.get()) =>
                {
                    last.region.end = match (last.region.end, q.region.end) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                _ => merged.push(q),
            }
        }
        Ok(merged)
    }

    /// The queries of shard `index` (0-based) of `count`: the genome is cut at index-bin
    /// boundaries into `count` consecutive parts of about equal indexed (compressed) data, and
    /// each record belongs to the part holding its POS.
    pub fn shard(&self, index: usize, count: usize) -> Vec<Query> {
        let min_shift = u32::from(self.binning().min_shift());
        let depth = u32::from(self.binning().depth());
        // (contig_id, 0-based window start, weight)
        let mut windows: Vec<(usize, u64, u64)> = Vec::new();
        for (contig_id, bins) in self.bins().into_iter().enumerate() {
            for (bin_id, chunks) in bins {
                let Some((level, offset)) = bin_level(bin_id, depth) else {
                    continue; // pseudo-bin holding metadata
                };
                let size = 1u64 << (min_shift + 3 * (depth - level));
                let start = (bin_id - offset) as u64 * size;
                let weight: u64 = chunks
                    .iter()
                    .map(|c| {
                        u64::from(c.end())
                            .saturating_sub(u64::from(c.start()))
                            .max(1)
                    })
                    .sum();
                windows.push((contig_id, start, weight));
            }
        }
        windows.sort_unstable();
        let total: u64 = windows.iter().map(|w| w.2).sum();
        let count = count.max(1) as u64;
        // Cut k (1..count): start of the first window whose cumulative weight reaches k/count.
        let mut cuts: Vec<(usize, u64)> = Vec::with_capacity(count as usize + 1);
        cuts.push((0, 0));
        let mut cumulative = 0u64;
        let mut k = 1u64;
        for &(contig_id, start, weight) in &windows {
            while k < count && cumulative >= total.saturating_mul(k) / count && cumulative > 0 {
                cuts.push((contig_id, start));
                k += 1;
            }
            cumulative += weight;
        }
        while cuts.len() <= count as usize {
            cuts.push((self.contigs.len(), 0));
        }
        let shard = index.min(count as usize - 1);
        let (from, to) = (cuts[shard], cuts[shard + 1]);
        let mut queries = Vec::new();
        for contig_id in from.0..self.contigs.len().min(to.0 + 1) {
            let start0 = if contig_id == from.0 { from.1 } else { 0 };
            let end0 = if contig_id == to.0 { Some(to.1) } else { None };
            if end0.is_some_and(|e| e <= start0) {
                continue;
            }
            queries.push(Query {
                contig_id,
                region: Region {
                    contig: self.contigs[contig_id].clone(),
                    start: Position::new(start0 + 1).unwrap_or(Position::MIN),
                    end: end0.and_then(Position::new),
                },
                selection: Selection::StartingWithin,
            });
        }
        queries
    }

    fn chunks(&self, query: &Query) -> std::io::Result<Vec<Chunk>> {
        let start = noodles_core::Position::try_from(query.region.start.get() as usize)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let interval = match query.region.end {
            Some(end) => {
                let end = noodles_core::Position::try_from(end.get() as usize)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
                noodles_core::region::Interval::from(start..=end)
            }
            None => noodles_core::region::Interval::from(start..),
        };
        // Overlapping records may start before the region; the index handles that through
        // the bins of the region's start.
        self.binning().query(query.contig_id, interval)
    }
}

/// `(level, first bin id of that level)` for a bin id, or `None` past the last level.
fn bin_level(bin_id: usize, depth: u32) -> Option<(u32, usize)> {
    let mut offset = 0usize;
    for level in 0..=depth {
        let next = offset + (1usize << (3 * level));
        if bin_id < next {
            return Some((level, offset));
        }
        offset = next;
    }
    None
}

/// Where a record was read: a line number, or a BGZF virtual position when reading by
/// region (line numbers are unknown after a seek).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// 1-based line number.
    Line(u64),
    /// 1-based record number (BCF, which has no lines).
    Record(u64),
    /// BGZF virtual position (compressed offset << 16 | offset in block).
    VirtualPosition(u64),
}

/// Reads the lines of a BGZF VCF (or the records of a BCF, as VCF lines) that the queries
/// select, in file order, each record once.
pub struct RegionReader {
    path: PathBuf,
    reader: crate::bcf::LineSource,
    plan: Vec<(Query, Vec<Chunk>)>,
    query: usize,
    chunk: usize,
    in_chunk: bool,
    last: Option<VirtualPosition>,
}

impl RegionReader {
    /// Opens `vcf` for reading the records `queries` select.
    pub fn open(vcf: &Path, index: &Index, queries: Vec<Query>) -> Result<Self, Error> {
        let mut plan = Vec::with_capacity(queries.len());
        for q in queries {
            let chunks = index.chunks(&q).map_err(|source| Error::Io {
                path: index.path().to_owned(),
                source,
            })?;
            plan.push((q, chunks));
        }
        Ok(Self {
            path: vcf.to_owned(),
            reader: crate::bcf::LineSource::open(vcf)?,
            plan,
            query: 0,
            chunk: 0,
            in_chunk: false,
            last: None,
        })
    }

    /// Reads the next selected data line into `buf` (without terminator) and returns where it
    /// starts, or `None` when every query is done.
    pub fn read_line(&mut self, buf: &mut String) -> Result<Option<Location>, Error> {
        loop {
            let Some((query, chunks)) = self.plan.get(self.query) else {
                return Ok(None);
            };
            let Some(chunk) = chunks.get(self.chunk) else {
                self.query += 1;
                self.chunk = 0;
                self.in_chunk = false;
                continue;
            };
            let io_error = |source| Error::Io {
                path: self.path.clone(),
                source,
            };
            if !self.in_chunk {
                self.reader.seek(chunk.start()).map_err(io_error)?;
                self.in_chunk = true;
            }
            let start = self.reader.virtual_position();
            if start >= chunk.end() {
                self.chunk += 1;
                self.in_chunk = false;
                continue;
            }
            if self.reader.read_line(buf).map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })? == 0
            {
                self.chunk += 1;
                self.in_chunk = false;
                continue;
            }
            while buf.ends_with(['\n', '\r']) {
                buf.pop();
            }
            if buf.is_empty() || buf.starts_with('#') || self.last.is_some_and(|l| start <= l) {
                continue;
            }
            match selects(query, buf) {
                Selected::Yes => {
                    self.last = Some(start);
                    return Ok(Some(Location::VirtualPosition(u64::from(start))));
                }
                Selected::No => continue,
                // Unparsable: hand it to the record parser, which says what is wrong.
                Selected::Malformed => {
                    self.last = Some(start);
                    return Ok(Some(Location::VirtualPosition(u64::from(start))));
                }
            }
        }
    }
}

enum Selected {
    Yes,
    No,
    Malformed,
}

fn selects(query: &Query, line: &str) -> Selected {
    let mut fields = line.splitn(5, '\t');
    let (Some(contig), Some(pos), Some(_id), Some(reference)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Selected::Malformed;
    };
    if contig != query.region.contig {
        return Selected::No;
    }
    let Ok(position) = pos.parse::<Position>() else {
        return Selected::Malformed;
    };
    let keep = match query.selection {
        Selection::StartingWithin => query.region.contains(position),
        Selection::Overlapping => {
            let span = reference.len().max(1) as u64 - 1;
            let end = Position::new(position.get() + span).unwrap_or(position);
            query.region.overlaps(position, end)
        }
    };
    if keep {
        Selected::Yes
    } else {
        Selected::No
    }
}
