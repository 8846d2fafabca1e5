//! `provar sites`: per sample and variant site, the reads for each allele.
//!
//! SNVs (and MNPs, and sites whose alternates are symbolic such as `<*>`) count bases the
//! way `bcftools mpileup` fills FORMAT/AD, ADF, ADR and DP: a base counts when its quality,
//! capped by its neighbours' plus `--delta-BQ`, reaches `--min-BQ`, after BAQ and the
//! overlapping-mate rule. Indels count reads by their CIGAR: a read supports an insertion
//! or deletion when it carries exactly that event right after the anchor base, and the
//! reference when it aligns through the site without one (bcftools instead realigns reads
//! to candidate haplotypes, so its indel AD can differ).

use std::{path::Path, sync::Arc};

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use provar_io::table::{self, Finished, TableDef, TableWriter};
use rayon::prelude::*;

use crate::{
    alignment::AlignmentFile,
    pileup::{Entry, Filters, Pileup},
    Error,
};

/// A variant site to collect evidence for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Contig name.
    pub contig: String,
    /// 1-based position (VCF POS).
    pub position: provar_core::Position,
    /// Reference allele.
    pub reference: String,
    /// Alternate alleles (symbolic ones such as `<*>` allowed).
    pub alternates: Vec<String>,
}

/// Reads on one strand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stranded {
    /// Forward-strand reads.
    pub forward: u32,
    /// Reverse-strand reads.
    pub reverse: u32,
}

impl Stranded {
    /// Both strands.
    pub fn total(&self) -> u32 {
        self.forward + self.reverse
    }
    fn add(&mut self, reverse: bool) {
        if reverse {
            self.reverse += 1;
        } else {
            self.forward += 1;
        }
    }
}

/// The evidence of one sample at one site.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Reads whose base (or indel anchor) passed the quality filters (bcftools' FORMAT/DP).
    pub depth: u32,
    /// Reads covering the site before the base-quality filter, deletions excluded for SNVs
    /// (bcftools' raw depth).
    pub raw_depth: u32,
    /// Per allele (reference first, then each alternate; a symbolic alternate such as `<*>`
    /// collects the bases matching no listed allele).
    pub alleles: Vec<Stranded>,
    /// High-quality reads matching no listed allele.
    pub other: Stranded,
    /// Sum of the mapping qualities of the counted reads (255 = unavailable skipped).
    pub mapq_sum: u64,
    /// Counted reads with a known mapping quality.
    pub mapq_n: u32,
    /// Sum of the counted bases' qualities (capped at `--max-BQ`).
    pub baseq_sum: u64,
}

/// What the stage reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Samples (one per alignment file).
    pub samples: usize,
    /// Sites read.
    pub sites: usize,
    /// Rows written (site × alternate × sample).
    pub rows: usize,
    /// Reads BAQ would have realigned that had no `BQ`/`ZQ` tag, so kept their qualities.
    pub baq_untagged: u64,
}

/// What [`collect`] gives: per site, per file.
pub type Table = Vec<Vec<Evidence>>;

fn is_symbolic(allele: &str) -> bool {
    allele.starts_with('<') || allele == "*" || allele.contains('[') || allele.contains(']')
}

fn is_indel(site: &Site) -> bool {
    site.alternates
        .iter()
        .any(|a| !is_symbolic(a) && a.len() != site.reference.len())
}

/// Groups of sites read in one pass: same contig, and a new group after a gap of 100 kb,
/// or of 1 kb once a group spans 1 Mb (so long site lists still run in parallel).
fn groups(sites: &[Site]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut begin = 0;
    for i in 1..=sites.len() {
        let split = i == sites.len() || {
            let (prev, next) = (&sites[i - 1], &sites[i]);
            let gap = next.position.get().saturating_sub(prev.position.get());
            let span = next
                .position
                .get()
                .saturating_sub(sites[begin].position.get());
            next.contig != prev.contig || gap >= 100_000 || (span >= 1_000_000 && gap >= 1_000)
        };
        if split {
            out.push(begin..i);
            begin = i;
        }
    }
    out
}

/// Counts read evidence for every site in every file. Sites must be sorted by position
/// within each contig (each contig's sites together).
pub fn collect(
    files: &[AlignmentFile],
    sites: &[Site],
    filters: &Filters,
    reference: Option<&Path>,
) -> Result<(Table, u64), Error> {
    let parts: Vec<Result<(Table, u64), Error>> = groups(sites)
        .into_par_iter()
        .map(|range| collect_group(files, &sites[range], filters, reference))
        .collect();
    let mut table = Vec::with_capacity(sites.len());
    let mut untagged = 0;
    for part in parts {
        let (t, u) = part?;
        table.extend(t);
        untagged += u;
    }
    Ok((table, untagged))
}

fn collect_group(
    files: &[AlignmentFile],
    sites: &[Site],
    filters: &Filters,
    reference: Option<&Path>,
) -> Result<(Table, u64), Error> {
    let Some(first) = sites.first() else {
        return Ok((Vec::new(), 0));
    };
    let contig = first.contig.as_str();
    let start = first.position.get();
    let end = sites
        .iter()
        .map(|s| s.position.get() + s.reference.len() as u64)
        .max()
        .unwrap_or(start);
    let mut readers = files
        .iter()
        .map(AlignmentFile::reader)
        .collect::<Result<Vec<_>, _>>()?;
    // Only reads covering a site's anchor are decoded in full.
    let anchors: std::sync::Arc<Vec<i64>> =
        std::sync::Arc::new(sites.iter().map(|s| s.position.get() as i64 - 1).collect());
    let mut sources = Vec::with_capacity(readers.len());
    for reader in readers.iter_mut() {
        let anchors = anchors.clone();
        let keep = Box::new(move |s: i64, e: i64| {
            let i = anchors.partition_point(|&p| p < s);
            i < anchors.len() && anchors[i] < e
        });
        sources.push(reader.query_with(contig, start, end, false, keep)?);
    }
    let window = match reference {
        Some(fasta) if filters.baq != crate::Baq::Off => Some(reference_window(
            fasta,
            contig,
            start.saturating_sub(10_000).max(1),
            end + 10_000,
        )?),
        _ => None,
    };
    let mut pileup = Pileup::new(sources, filters.clone(), window);
    let mut out = Vec::with_capacity(sites.len());
    let mut i = 0;
    while i < sites.len() {
        let pos = sites[i].position.get() as i64 - 1;
        let entries = pileup.column(pos)?;
        // Every site at this position uses the same column (as mpileup's SNV and indel calls do).
        while i < sites.len() && sites[i].position.get() as i64 - 1 == pos {
            out.push(
                (0..files.len())
                    .map(|f| count(&pileup, &entries, f, &sites[i], pos, filters))
                    .collect(),
            );
            i += 1;
        }
    }
    Ok((out, pileup.baq_untagged))
}

/// Reads `contig:start-end` (1-based, clipped to the contig) of a FASTA with `.fai`.
fn reference_window(
    fasta: &Path,
    contig: &str,
    start: u64,
    end: u64,
) -> Result<crate::baq::RefWindow, Error> {
    use noodles_fasta as fasta_io;
    let index = crate::alignment::fasta_index(fasta)?;
    let Some(record) = index
        .as_ref()
        .iter()
        .find(|r| r.name() == contig.as_bytes())
    else {
        return Err(Error::UnknownContig {
            path: fasta.to_owned(),
            contig: contig.to_owned(),
            known: index
                .as_ref()
                .iter()
                .take(5)
                .map(|r| String::from_utf8_lossy(r.name()).into_owned())
                .collect(),
        });
    };
    let length = record.length();
    let end = end.min(length);
    let io = |source| Error::Io {
        path: fasta.to_owned(),
        source,
    };
    let file = std::fs::File::open(fasta).map_err(io)?;
    let mut reader = fasta_io::io::IndexedReader::new(std::io::BufReader::new(file), index);
    let position = |p: u64| {
        usize::try_from(p)
            .ok()
            .and_then(noodles_core::Position::new)
            .unwrap_or(noodles_core::Position::MIN)
    };
    let region = noodles_core::Region::new(contig, position(start)..=position(end.max(start)));
    let record = reader.query(&region).map_err(io)?;
    Ok(crate::baq::RefWindow {
        start: start as i64 - 1,
        bases: record.sequence().as_ref().to_vec(),
        contig_len: length as i64,
    })
}

/// The quality of the base at `qpos`, capped by its neighbours' plus `delta` (bcftools).
fn capped_quality(qual: &[u8], qpos: usize, delta: u8) -> u8 {
    let Some(&q) = qual.get(qpos) else {
        return 0;
    };
    let mut q = u32::from(q);
    let d = u32::from(delta);
    if qpos > 0 {
        q = q.min(u32::from(qual[qpos - 1]) + d);
    }
    if let Some(&next) = qual.get(qpos + 1) {
        q = q.min(u32::from(next) + d);
    }
    q.min(255) as u8
}

fn count(
    pileup: &Pileup<'_>,
    entries: &[Entry],
    file: usize,
    site: &Site,
    pos: i64,
    filters: &Filters,
) -> Evidence {
    let mut ev = Evidence {
        alleles: vec![Stranded::default(); 1 + site.alternates.len()],
        ..Evidence::default()
    };
    let indel = is_indel(site);
    let ref_bytes = site.reference.as_bytes();
    let other_slot = site
        .alternates
        .iter()
        .position(|a| a == "<*>" || a == "<NON_REF>" || a == "<X>");
    for e in entries {
        let a = &pileup.active[e.slot];
        if a.file != file || e.is_refskip {
            continue;
        }
        let read = &a.read;
        if e.is_del && !indel {
            continue;
        }
        ev.raw_depth += 1;
        if e.is_del {
            continue;
        }
        if read.qual.is_empty() {
            continue;
        }
        let allele: Option<Option<usize>>; // None: no call; Some(None): other; Some(Some(i)): allele i
        let q;
        if indel {
            // No base-quality filter at indel sites: bcftools filters them on its indel
            // quality (from realignment), not on the anchor base's quality (which the
            // overlapping-mate rule may have set to 0).
            q = capped_quality(&read.qual, e.qpos, filters.delta_baseq);
            allele = indel_allele(read, e, site, pos);
            if allele.is_none() {
                continue;
            }
        } else {
            // Bases under the reference allele's length, all aligned.
            let mut bases = Vec::with_capacity(ref_bytes.len());
            let mut qmin = u8::MAX;
            let mut ok = true;
            for (k, &rb) in ref_bytes.iter().enumerate() {
                let entry = if k == 0 {
                    Some(*e)
                } else {
                    crate::pileup::locate(read, pos + k as i64)
                };
                match entry {
                    Some(x) if !x.is_del && !x.is_refskip => {
                        let b = read.seq.get(x.qpos).copied().unwrap_or(b'N');
                        bases.push(if b == b'=' {
                            rb.to_ascii_uppercase()
                        } else {
                            b
                        });
                        qmin = qmin.min(capped_quality(&read.qual, x.qpos, filters.delta_baseq));
                    }
                    _ => ok = false,
                }
            }
            if !ok || qmin < filters.min_baseq {
                continue;
            }
            q = qmin;
            allele = if bases
                .iter()
                .any(|b| !matches!(b, b'A' | b'C' | b'G' | b'T'))
            {
                // N (or another ambiguity code): high quality, but no allele.
                None
            } else if bases.eq_ignore_ascii_case(ref_bytes) {
                Some(Some(0))
            } else {
                Some(
                    site.alternates
                        .iter()
                        .position(|alt| alt.as_bytes().eq_ignore_ascii_case(&bases))
                        .map(|i| i + 1),
                )
            };
        }
        ev.depth += 1;
        ev.baseq_sum += u64::from(q.min(filters.max_baseq));
        if read.mapq != 255 {
            ev.mapq_sum += u64::from(read.mapq);
            ev.mapq_n += 1;
        }
        match allele {
            Some(Some(i)) => ev.alleles[i].add(read.is_reverse()),
            Some(None) => {
                ev.other.add(read.is_reverse());
                if let Some(slot) = other_slot {
                    ev.alleles[slot + 1].add(read.is_reverse());
                }
            }
            None => {}
        }
    }
    ev
}

/// The allele a read supports at an indel site: `Some(Some(i))` for allele `i`, `Some(None)`
/// for another event, `None` when the read does not reach past the site.
fn indel_allele(
    read: &crate::alignment::Read,
    e: &Entry,
    site: &Site,
    pos: i64,
) -> Option<Option<usize>> {
    let rlen = site.reference.len() as i64;
    if e.indel == 0 {
        // Reference when the read aligns through the whole reference allele and one base on.
        if read.end > pos + rlen {
            for k in 1..=rlen {
                match crate::pileup::locate(read, pos + k) {
                    Some(x) if !x.is_del && !x.is_refskip => {}
                    _ => return Some(None),
                }
                if k < rlen {
                    if let Some(x) = crate::pileup::locate(read, pos + k) {
                        if x.indel != 0 {
                            return Some(None);
                        }
                    }
                }
            }
            return Some(Some(0));
        }
        return None;
    }
    for (i, alt) in site.alternates.iter().enumerate() {
        if is_symbolic(alt) {
            continue;
        }
        let delta = alt.len() as i64 - rlen;
        if delta != e.indel {
            continue;
        }
        if delta > 0 {
            let start = e.qpos + 1;
            let inserted = read.seq.get(start..start + delta as usize);
            let expected = alt.as_bytes().get(alt.len() - delta as usize..);
            if let (Some(a), Some(b)) = (inserted, expected) {
                if a.eq_ignore_ascii_case(b) {
                    return Some(Some(i + 1));
                }
            }
        } else {
            return Some(Some(i + 1));
        }
    }
    Some(None)
}

/// Phred-scaled two-sided Fisher exact test of strand against allele (like GATK's FS).
pub fn strand_bias_phred(ref_fwd: u32, ref_rev: u32, alt_fwd: u32, alt_rev: u32) -> Option<f64> {
    let (a, b, c, d) = (
        ref_fwd as u64,
        ref_rev as u64,
        alt_fwd as u64,
        alt_rev as u64,
    );
    let n = a + b + c + d;
    if a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0 {
        return Some(0.0);
    }
    let row1 = a + b;
    let col1 = a + c;
    let ln_fact = |k: u64| -> f64 { (1..=k).map(|i| (i as f64).ln()).sum() };
    let ln_choose = |n: u64, k: u64| ln_fact(n) - ln_fact(k) - ln_fact(n - k);
    let denom = ln_choose(n, col1);
    let p = |x: u64| (ln_choose(row1, x) + ln_choose(n - row1, col1 - x) - denom).exp();
    let lo = col1.saturating_sub(n - row1);
    let hi = row1.min(col1);
    let observed = p(a);
    let mut total = 0.0;
    for x in lo..=hi {
        let px = p(x);
        if px <= observed * (1.0 + 1e-7) {
            total += px;
        }
    }
    let total = total.min(1.0);
    Some(if total >= 1.0 {
        0.0
    } else {
        -10.0 * total.log10()
    })
}

/// The `site_evidence` table: one row per site, alternate allele and sample.
pub fn table_def() -> TableDef {
    let u32f = |name: &str| Field::new(name, DataType::UInt32, false);
    let f64f = |name: &str| Field::new(name, DataType::Float64, true);
    TableDef {
        name: "site_evidence",
        version: 1,
        schema: Arc::new(Schema::new(vec![
            Field::new("contig", DataType::Utf8, false),
            Field::new("position", DataType::UInt64, false),
            Field::new("reference_bases", DataType::Utf8, false),
            Field::new("alternate_bases", DataType::Utf8, false),
            Field::new("sample", DataType::Utf8, false),
            u32f("depth"),
            u32f("raw_depth"),
            u32f("ref_count"),
            u32f("alt_count"),
            u32f("other_count"),
            u32f("ref_forward"),
            u32f("ref_reverse"),
            u32f("alt_forward"),
            u32f("alt_reverse"),
            f64f("allele_balance"),
            f64f("mean_mapping_quality"),
            f64f("mean_base_quality"),
            f64f("strand_bias_phred"),
        ])),
    }
}

/// Writes `site_evidence.parquet` into `dir` (under a temporary name until committed).
pub fn write_table(
    dir: &Path,
    files: &[AlignmentFile],
    sites: &[Site],
    table: &Table,
) -> Result<(Finished, usize), Error> {
    let def = table_def();
    let mut contig = Vec::new();
    let mut position = Vec::new();
    let mut reference = Vec::new();
    let mut alternate = Vec::new();
    let mut sample = Vec::new();
    let mut u = vec![Vec::new(); 9];
    let mut ab = Vec::new();
    let mut mq = Vec::new();
    let mut bq = Vec::new();
    let mut sb = Vec::new();
    for (site, per_file) in sites.iter().zip(table) {
        for (k, alt) in site.alternates.iter().enumerate() {
            for (file, ev) in files.iter().zip(per_file) {
                contig.push(site.contig.clone());
                position.push(site.position.get());
                reference.push(site.reference.clone());
                alternate.push(alt.clone());
                sample.push(file.sample().to_owned());
                let r = ev.alleles[0];
                let a = ev.alleles[k + 1];
                for (col, v) in u.iter_mut().zip([
                    ev.depth,
                    ev.raw_depth,
                    r.total(),
                    a.total(),
                    ev.other.total(),
                    r.forward,
                    r.reverse,
                    a.forward,
                    a.reverse,
                ]) {
                    col.push(v);
                }
                let informative = r.total() + a.total();
                ab.push((informative > 0).then(|| f64::from(a.total()) / f64::from(informative)));
                mq.push((ev.mapq_n > 0).then(|| ev.mapq_sum as f64 / f64::from(ev.mapq_n)));
                bq.push((ev.depth > 0).then(|| ev.baseq_sum as f64 / f64::from(ev.depth)));
                sb.push(if informative > 0 {
                    strand_bias_phred(r.forward, r.reverse, a.forward, a.reverse)
                } else {
                    None
                });
            }
        }
    }
    let rows = contig.len();
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(contig)),
        Arc::new(UInt64Array::from(position)),
        Arc::new(StringArray::from(reference)),
        Arc::new(StringArray::from(alternate)),
        Arc::new(StringArray::from(sample)),
    ];
    for col in u {
        columns.push(Arc::new(UInt32Array::from(col)));
    }
    for col in [ab, mq, bq, sb] {
        columns.push(Arc::new(Float64Array::from(col)));
    }
    let path = dir.join("site_evidence.parquet");
    let batch = RecordBatch::try_new(def.schema.clone(), columns).map_err(|e| {
        Error::Table(table::Error::Parquet {
            path: path.clone(),
            source: e.into(),
        })
    })?;
    let mut writer = TableWriter::create(dir, def)?;
    writer.write(&batch)?;
    Ok((writer.finish()?, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strand_bias_matches_r_fisher_test() {
        // SciPy 1.16.3: fisher_exact([[10, 1], [2, 8]]).pvalue = 0.001905215527506549
        let phred = strand_bias_phred(10, 1, 2, 8).expect("defined");
        let p = 10f64.powf(-phred / 10.0);
        assert!((p - 0.001905215527506549).abs() < 1e-12, "{p}");
        assert_eq!(strand_bias_phred(5, 5, 0, 0), Some(0.0));
    }

    #[test]
    fn groups_split_on_contig_and_gaps() {
        let site = |c: &str, p: u64| Site {
            contig: c.into(),
            position: provar_core::Position::new(p).expect("non-zero"),
            reference: "A".into(),
            alternates: vec!["C".into()],
        };
        let sites = vec![
            site("1", 10),
            site("1", 20),
            site("1", 200_000),
            site("2", 5),
        ];
        assert_eq!(groups(&sites), vec![0..2, 2..3, 3..4]);
    }
}
