//! `provar coverage`: per-sample depth over fixed windows and target regions, and a summary,
//! with mosdepth's default semantics.
//!
//! Depth at a base is the number of reads with an aligned base there (`M`, `=`, `X`; not
//! deletions or skips, unless `count_deletions`), skipping reads with any of the skip flags
//! (default 1796: unmapped, secondary, QC-fail, duplicate) or below the minimum mapping
//! quality. Where the two mates of a pair overlap, the overlap counts once. That is what
//! `mosdepth` does by default, and what `samtools depth -a -s` prints per base.
//!
//! Each file is cut into chunks of about 1 Mb (a whole number of windows), and chunks are
//! counted in parallel, each with a difference array of its own length: memory depends on the
//! chunk size and the depth, never on the contig length.

use std::{collections::HashMap, path::Path, sync::Arc};

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use provar_io::table::{self, Finished, TableDef, TableWriter};
use rayon::prelude::*;

use crate::{
    alignment::{flags, op, AlignmentFile, Read, RegionReader},
    Error,
};

/// Read filters and counting rules; the defaults are mosdepth's.
#[derive(Clone, Debug)]
pub struct CoverageOptions {
    /// Window size in bases (0: no windows).
    pub window: u64,
    /// Skip reads with any of these flags (mosdepth `-F`, 1796).
    pub skip_flags: u16,
    /// Skip reads with mapping quality below this (mosdepth `-Q`, 0).
    pub min_mapq: u8,
    /// Count deletions as covered (samtools depth `-J`; off, as in mosdepth).
    pub count_deletions: bool,
    /// Count overlapping mates once (on, as in mosdepth and `samtools depth -s`).
    pub mate_overlap_once: bool,
}

impl Default for CoverageOptions {
    fn default() -> Self {
        Self {
            window: 1000,
            skip_flags: flags::UNMAPPED | flags::SECONDARY | flags::QC_FAIL | flags::DUPLICATE,
            min_mapq: 0,
            count_deletions: false,
            mate_overlap_once: true,
        }
    }
}

/// A target region (0-based half-open, as in BED).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Contig.
    pub contig: String,
    /// 0-based start.
    pub start: u64,
    /// Exclusive end.
    pub end: u64,
    /// The BED name column, if any.
    pub name: Option<String>,
}

/// Depth histogram and extremes over a set of bases.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    /// `counts[d]` = bases at depth `d`.
    pub counts: Vec<u64>,
}

impl Histogram {
    fn add(&mut self, depth: u32, n: u64) {
        let d = depth as usize;
        if self.counts.len() <= d {
            self.counts.resize(d + 1, 0);
        }
        self.counts[d] += n;
    }
    fn merge(&mut self, other: &Histogram) {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }
    /// Bases counted.
    pub fn length(&self) -> u64 {
        self.counts.iter().sum()
    }
    /// Sum of depths.
    pub fn bases(&self) -> u64 {
        self.counts
            .iter()
            .enumerate()
            .map(|(d, n)| d as u64 * n)
            .sum()
    }
    /// Lowest depth seen (0 for an empty histogram).
    pub fn min(&self) -> u32 {
        self.counts.iter().position(|&n| n > 0).unwrap_or(0) as u32
    }
    /// Highest depth seen.
    pub fn max(&self) -> u32 {
        self.counts.iter().rposition(|&n| n > 0).unwrap_or(0) as u32
    }
    /// The median depth: the lower median, the smallest depth with at least half the bases
    /// at or below it.
    pub fn median(&self) -> u32 {
        let total = self.length();
        if total == 0 {
            return 0;
        }
        let half = total.div_ceil(2);
        let mut seen = 0;
        for (d, n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= half {
                return d as u32;
            }
        }
        0
    }
    /// Fraction of bases at depth ≥ `threshold`.
    pub fn fraction_at_least(&self, threshold: u32) -> f64 {
        let total = self.length();
        if total == 0 {
            return 0.0;
        }
        let at_least: u64 = self.counts.iter().skip(threshold as usize).sum();
        at_least as f64 / total as f64
    }
}

/// One chunk of one contig of one file.
#[derive(Clone, Debug)]
struct Chunk {
    file: usize,
    contig: String,
    start: u64,
    end: u64,
}

#[derive(Debug, Default)]
struct ChunkResult {
    windows: Vec<u64>,
    genome: Histogram,
    targets: Histogram,
    /// (target index, sum of depth over its bases in this chunk)
    target_sums: Vec<(usize, u64)>,
}

/// Per-sample coverage: summaries and sums.
#[derive(Debug, Default)]
pub struct SampleCoverage {
    /// Per contig (header order): name, length, histogram.
    pub contigs: Vec<(String, u64, Histogram)>,
    /// All bases.
    pub genome: Histogram,
    /// Target bases (each base once, however many targets cover it).
    pub targets: Histogram,
    /// Per window: contig, 0-based start, end, sum of depth.
    pub windows: Vec<(String, u64, u64, u64)>,
    /// Per target (input order): sum of depth.
    pub target_sums: Vec<u64>,
}

/// Aligned blocks of a read that count, as 0-based half-open reference intervals.
fn blocks(read: &Read, count_deletions: bool) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    let mut r = read.start;
    for &(code, len) in &read.cigar {
        let len = i64::from(len);
        if op::is_match(code) || (count_deletions && code == op::DEL) {
            match out.last_mut() {
                Some(last) if last.1 == r => last.1 = r + len,
                _ => out.push((r, r + len)),
            }
        }
        if op::consumes_reference(code) {
            r += len;
        }
    }
    out
}

fn intersect(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if lo < hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

fn count_chunk(
    reader: &mut RegionReader<'_>,
    chunk: &Chunk,
    options: &CoverageOptions,
    targets: &[Target],
) -> Result<ChunkResult, Error> {
    let len = (chunk.end - chunk.start) as usize;
    let mut diff = vec![0i32; len + 1];
    let (cs, ce) = (chunk.start as i64, chunk.end as i64);
    let mut add = |iv: &[(i64, i64)], delta: i32| {
        for &(s, e) in iv {
            let (s, e) = (s.max(cs), e.min(ce));
            if s < e {
                diff[(s - cs) as usize] += delta;
                diff[(e - cs) as usize] -= delta;
            }
        }
    };
    let mut waiting: HashMap<Vec<u8>, Vec<(i64, i64)>> = HashMap::new();
    for read in reader.query_with(
        &chunk.contig,
        chunk.start + 1,
        chunk.end,
        true,
        Box::new(|_, _| true),
    )? {
        let read = read?;
        if read.start < 0
            || read.flags & flags::UNMAPPED != 0
            || read.flags & options.skip_flags != 0
            || read.mapq < options.min_mapq
        {
            continue;
        }
        let b = blocks(&read, options.count_deletions);
        add(&b, 1);
        if options.mate_overlap_once && read.has(flags::PAIRED) && read.mate_same_contig {
            if let Some(first) = waiting.remove(&read.name) {
                add(&intersect(&first, &b), -1);
            } else if read.mate_start >= read.start && read.mate_start < read.end {
                waiting.insert(read.name.clone(), b);
            }
        }
    }
    let mut result = ChunkResult::default();
    let window = options.window;
    if window > 0 {
        result.windows = vec![0; len.div_ceil(window as usize)];
    }
    // Target mask and per-target sums within the chunk.
    let local: Vec<(usize, u64, u64)> = targets
        .iter()
        .enumerate()
        .filter(|(_, t)| t.contig == chunk.contig && t.start < chunk.end && t.end > chunk.start)
        .map(|(i, t)| {
            (
                i,
                t.start.max(chunk.start) - chunk.start,
                t.end.min(chunk.end) - chunk.start,
            )
        })
        .collect();
    let mut in_target = vec![false; if local.is_empty() { 0 } else { len }];
    for &(_, s, e) in &local {
        for m in &mut in_target[s as usize..e as usize] {
            *m = true;
        }
    }
    let mut prefix = vec![0u64; if local.is_empty() { 0 } else { len + 1 }];
    let mut depth: i64 = 0;
    let mut run_depth: u32 = 0;
    let mut run_len: u64 = 0;
    for (i, d) in diff.iter().take(len).enumerate() {
        depth += i64::from(*d);
        let dep = depth.max(0) as u32;
        if dep == run_depth {
            run_len += 1;
        } else {
            if run_len > 0 {
                result.genome.add(run_depth, run_len);
            }
            run_depth = dep;
            run_len = 1;
        }
        if window > 0 {
            result.windows[i / window as usize] += u64::from(dep);
        }
        if !in_target.is_empty() {
            if in_target[i] {
                result.targets.add(dep, 1);
            }
            prefix[i + 1] = prefix[i] + u64::from(dep);
        }
    }
    if run_len > 0 {
        result.genome.add(run_depth, run_len);
    }
    for (i, s, e) in local {
        result
            .target_sums
            .push((i, prefix[e as usize] - prefix[s as usize]));
    }
    Ok(result)
}

/// Computes coverage for each file, in parallel over files and chunks.
pub fn compute(
    files: &[AlignmentFile],
    options: &CoverageOptions,
    targets: &[Target],
) -> Result<Vec<SampleCoverage>, Error> {
    let chunk_len = match options.window {
        0 => 1_000_000,
        w => w * (1_000_000 / w).max(1),
    };
    let mut chunks = Vec::new();
    for (file, f) in files.iter().enumerate() {
        for (contig, length) in f.contigs() {
            let mut start = 0;
            while start < length {
                let end = (start + chunk_len).min(length);
                chunks.push(Chunk {
                    file,
                    contig: contig.clone(),
                    start,
                    end,
                });
                start = end;
            }
        }
    }
    let results: Vec<Result<ChunkResult, Error>> = chunks
        .par_iter()
        .map_init(
            || -> Vec<Option<RegionReader<'_>>> { (0..files.len()).map(|_| None).collect() },
            |readers, chunk| {
                let slot = &mut readers[chunk.file];
                if slot.is_none() {
                    *slot = Some(files[chunk.file].reader()?);
                }
                match slot.as_mut() {
                    Some(reader) => count_chunk(reader, chunk, options, targets),
                    None => Err(Error::Internal("reader slot empty")),
                }
            },
        )
        .collect();
    let mut out: Vec<SampleCoverage> = files
        .iter()
        .map(|f| SampleCoverage {
            contigs: f
                .contigs()
                .into_iter()
                .map(|(c, l)| (c, l, Histogram::default()))
                .collect(),
            target_sums: vec![0; targets.len()],
            ..SampleCoverage::default()
        })
        .collect();
    for (chunk, result) in chunks.iter().zip(results) {
        let r = result?;
        let s = &mut out[chunk.file];
        s.genome.merge(&r.genome);
        s.targets.merge(&r.targets);
        if let Some(c) = s.contigs.iter_mut().find(|(c, _, _)| *c == chunk.contig) {
            c.2.merge(&r.genome);
        }
        for (k, sum) in r.windows.iter().enumerate() {
            let ws = chunk.start + k as u64 * options.window;
            let we = (ws + options.window).min(chunk.end);
            s.windows.push((chunk.contig.clone(), ws, we, *sum));
        }
        for (i, sum) in r.target_sums {
            s.target_sums[i] += sum;
        }
    }
    Ok(out)
}

/// Reads a BED file of targets (`contig start end [name]`; `#`, `track` and `browser`
/// lines skipped).
pub fn read_targets(path: &Path) -> Result<Vec<Target>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty()
            || line.starts_with('#')
            || line.starts_with("track")
            || line.starts_with("browser")
        {
            continue;
        }
        let bad = |message: &str| Error::Targets {
            path: path.to_owned(),
            line: i as u64 + 1,
            message: message.to_owned(),
        };
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 {
            return Err(bad("expected CONTIG<TAB>START<TAB>END"));
        }
        let start: u64 = fields[1]
            .trim()
            .parse()
            .map_err(|_| bad("START is not a number"))?;
        let end: u64 = fields[2]
            .trim()
            .parse()
            .map_err(|_| bad("END is not a number"))?;
        if end <= start {
            return Err(bad(
                "END must be greater than START (BED is 0-based, half-open)",
            ));
        }
        out.push(Target {
            contig: fields[0].to_owned(),
            start,
            end,
            name: fields.get(3).map(|s| (*s).to_owned()),
        });
    }
    Ok(out)
}

/// Writes `coverage_summary.parquet`, `coverage_windows.parquet` and (with targets)
/// `coverage_targets.parquet` into `dir`.
pub fn write_tables(
    dir: &Path,
    files: &[AlignmentFile],
    coverage: &[SampleCoverage],
    targets: &[Target],
    window: u64,
) -> Result<Vec<Finished>, Error> {
    let mut out = Vec::new();
    // Summary.
    let summary = TableDef {
        name: "coverage_summary",
        version: 1,
        schema: Arc::new(Schema::new(vec![
            Field::new("sample", DataType::Utf8, false),
            Field::new("scope", DataType::Utf8, false),
            Field::new("contig", DataType::Utf8, true),
            Field::new("length", DataType::UInt64, false),
            Field::new("bases", DataType::UInt64, false),
            Field::new("mean", DataType::Float64, false),
            Field::new("median", DataType::UInt32, false),
            Field::new("min", DataType::UInt32, false),
            Field::new("max", DataType::UInt32, false),
            Field::new("fraction_1x", DataType::Float64, false),
            Field::new("fraction_10x", DataType::Float64, false),
            Field::new("fraction_20x", DataType::Float64, false),
            Field::new("fraction_30x", DataType::Float64, false),
        ])),
    };
    let mut rows: Vec<(String, &str, Option<String>, &Histogram)> = Vec::new();
    for (f, c) in files.iter().zip(coverage) {
        for (name, _, h) in &c.contigs {
            rows.push((f.sample().to_owned(), "contig", Some(name.clone()), h));
        }
        rows.push((f.sample().to_owned(), "genome", None, &c.genome));
        if !targets.is_empty() {
            rows.push((f.sample().to_owned(), "targets", None, &c.targets));
        }
    }
    let mean = |h: &Histogram| {
        let l = h.length();
        if l == 0 {
            0.0
        } else {
            h.bases() as f64 / l as f64
        }
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.0.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.2.as_deref()))),
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|r| r.3.length()),
        )),
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|r| r.3.bases()),
        )),
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| mean(r.3)),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|r| r.3.median()),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|r| r.3.min()),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|r| r.3.max()),
        )),
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| r.3.fraction_at_least(1)),
        )),
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| r.3.fraction_at_least(10)),
        )),
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| r.3.fraction_at_least(20)),
        )),
        Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| r.3.fraction_at_least(30)),
        )),
    ];
    out.push(write_one(dir, summary, columns)?);
    // Windows, then targets: one row per sample and interval (1-based start).
    if window > 0 {
        let rows = files.iter().zip(coverage).flat_map(|(f, cov)| {
            cov.windows
                .iter()
                .map(move |(contig, start, end, total)| IntervalRow {
                    sample: f.sample(),
                    contig,
                    start: *start,
                    end: *end,
                    name: None,
                    total: *total,
                })
        });
        out.push(interval_table(dir, "coverage_windows", false, rows)?);
    }
    if !targets.is_empty() {
        let rows = files.iter().zip(coverage).flat_map(|(f, cov)| {
            targets
                .iter()
                .zip(&cov.target_sums)
                .map(move |(t, total)| IntervalRow {
                    sample: f.sample(),
                    contig: &t.contig,
                    start: t.start,
                    end: t.end,
                    name: t.name.as_deref(),
                    total: *total,
                })
        });
        out.push(interval_table(dir, "coverage_targets", true, rows)?);
    }
    Ok(out)
}

/// One interval of one sample: 0-based half-open `start..end`, its depth sum.
struct IntervalRow<'a> {
    sample: &'a str,
    contig: &'a str,
    start: u64,
    end: u64,
    name: Option<&'a str>,
    total: u64,
}

/// Writes `coverage_windows` or `coverage_targets` (`sample`, `contig`, 1-based `start`,
/// `end`, [`name`,] `depth_sum`, `mean_depth`).
fn interval_table<'a>(
    dir: &Path,
    name: &'static str,
    with_name: bool,
    rows: impl Iterator<Item = IntervalRow<'a>>,
) -> Result<Finished, Error> {
    let mut fields = vec![
        Field::new("sample", DataType::Utf8, false),
        Field::new("contig", DataType::Utf8, false),
        Field::new("start", DataType::UInt64, false),
        Field::new("end", DataType::UInt64, false),
    ];
    if with_name {
        fields.push(Field::new("name", DataType::Utf8, true));
    }
    fields.push(Field::new("depth_sum", DataType::UInt64, false));
    fields.push(Field::new("mean_depth", DataType::Float64, false));
    let (mut sample, mut contig, mut start, mut end) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut names, mut sum, mut mean) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        sample.push(row.sample);
        contig.push(row.contig);
        start.push(row.start + 1);
        end.push(row.end);
        names.push(row.name);
        sum.push(row.total);
        mean.push(row.total as f64 / (row.end - row.start) as f64);
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(sample)),
        Arc::new(StringArray::from(contig)),
        Arc::new(UInt64Array::from(start)),
        Arc::new(UInt64Array::from(end)),
    ];
    if with_name {
        columns.push(Arc::new(StringArray::from(names)));
    }
    columns.push(Arc::new(UInt64Array::from(sum)));
    columns.push(Arc::new(Float64Array::from(mean)));
    let def = TableDef {
        name,
        version: 1,
        schema: Arc::new(Schema::new(fields)),
    };
    write_one(dir, def, columns)
}

fn write_one(dir: &Path, def: TableDef, columns: Vec<ArrayRef>) -> Result<Finished, Error> {
    let path = dir.join(format!("{}.parquet", def.name));
    let batch = RecordBatch::try_new(def.schema.clone(), columns).map_err(|e| {
        Error::Table(table::Error::Parquet {
            path,
            source: e.into(),
        })
    })?;
    let mut writer = TableWriter::create(dir, def)?;
    writer.write(&batch)?;
    Ok(writer.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_statistics() {
        let mut h = Histogram::default();
        h.add(0, 2);
        h.add(10, 5);
        h.add(31, 3);
        assert_eq!((h.length(), h.bases(), h.min(), h.max()), (10, 143, 0, 31));
        assert_eq!(h.median(), 10);
        assert!((h.fraction_at_least(10) - 0.8).abs() < 1e-12);
        assert!((h.fraction_at_least(30) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn mate_overlap_blocks_intersect() {
        let a = [(0, 10), (12, 20)];
        let b = [(5, 15)];
        assert_eq!(intersect(&a, &b), vec![(5, 10), (12, 15)]);
    }
}
