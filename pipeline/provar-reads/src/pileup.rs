//! A pileup over a group of nearby sites, with `bcftools mpileup`'s read filters, its
//! overlapping-mate quality rule, its partial BAQ and its per-base counting rules.
//!
//! The engine streams reads from every file in start order, keeps only the reads covering
//! the current site, and visits the sites' columns in order, so memory follows depth, not the
//! length of the region.

use std::collections::HashMap;

use crate::{
    alignment::{flags, op, Read, Reads},
    Error,
};

/// BAQ (per-base alignment quality) as `bcftools mpileup` applies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baq {
    /// No BAQ (`bcftools mpileup -B`).
    Off,
    /// BAQ only for reads at columns with indels, by bcftools' heuristics (its default).
    Partial,
    /// BAQ for every read (`bcftools mpileup -D`).
    Full,
}

/// Read filters and base-quality rules; the defaults are `bcftools mpileup`'s.
#[derive(Clone, Debug)]
pub struct Filters {
    /// Skip reads with mapping quality below this (`-q`, 0).
    pub min_mapq: u8,
    /// Skip bases with quality below this (`-Q`: 1, what bcftools has used since 1.13; its
    /// manual still says 13).
    pub min_baseq: u8,
    /// Cap base qualities at this for the means (`--max-BQ`, 60).
    pub max_baseq: u8,
    /// A base's quality is at most its neighbours' plus this (`--delta-BQ`, 30).
    pub delta_baseq: u8,
    /// Skip reads with any of these flags (`--skip-any-set`: unmapped, secondary, QC-fail,
    /// duplicate).
    pub skip_flags: u16,
    /// Count paired reads that are not properly paired (`-A`; off).
    pub count_orphans: bool,
    /// BAQ mode (partial).
    pub baq: Baq,
    /// Lower one mate's qualities where mates overlap, so a fragment counts once (on;
    /// `-x` turns it off).
    pub overlaps: bool,
    /// Longest read given BAQ (`-M`, 500).
    pub max_read_len: usize,
}

impl Default for Filters {
    fn default() -> Self {
        Self {
            min_mapq: 0,
            min_baseq: 1,
            max_baseq: 60,
            delta_baseq: 30,
            skip_flags: flags::UNMAPPED | flags::SECONDARY | flags::QC_FAIL | flags::DUPLICATE,
            count_orphans: false,
            baq: Baq::Partial,
            overlaps: true,
            max_read_len: 500,
        }
    }
}

/// Whether `read` passes the read filters (bcftools' `mplp_func`).
pub fn keep(read: &Read, f: &Filters) -> bool {
    if read.start < 0 || read.flags & flags::UNMAPPED != 0 || read.flags & f.skip_flags != 0 {
        return false;
    }
    if read.mapq < f.min_mapq {
        return false;
    }
    if !f.count_orphans && read.has(flags::PAIRED) && !read.has(flags::PROPER_PAIR) {
        return false;
    }
    read.end > read.start
}

/// A read in the pileup.
pub(crate) struct Active {
    pub(crate) read: Read,
    pub(crate) file: usize,
    id: u64,
    realigned: bool,
    has_indel: bool,
    has_clip: bool,
}

/// Where a column falls in one read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    /// Index into the active reads.
    pub(crate) slot: usize,
    /// 0-based read offset of the base (for a deletion: of the next base).
    pub(crate) qpos: usize,
    /// The column is inside a deletion of this read.
    pub(crate) is_del: bool,
    /// The column is inside a skipped region (`N`).
    pub(crate) is_refskip: bool,
    /// Length of an insertion (> 0) or deletion (< 0) right after this base.
    pub(crate) indel: i64,
}

/// Locates reference position `pos` (0-based) in `read`.
pub(crate) fn locate(read: &Read, pos: i64) -> Option<Entry> {
    if pos < read.start || pos >= read.end {
        return None;
    }
    let mut r = read.start;
    let mut q = 0usize;
    for (i, &(code, len)) in read.cigar.iter().enumerate() {
        let len_i = i64::from(len);
        if op::consumes_reference(code) {
            if pos < r + len_i {
                let offset = (pos - r) as usize;
                let mut entry = Entry {
                    slot: 0,
                    qpos: q,
                    is_del: false,
                    is_refskip: false,
                    indel: 0,
                };
                if op::is_match(code) {
                    entry.qpos = q + offset;
                    if offset + 1 == len as usize {
                        // An indel right after this base (skipping padding).
                        let next = read.cigar[i + 1..].iter().find(|(c, _)| *c != op::PAD);
                        entry.indel = match next {
                            Some(&(op::INS, l)) => i64::from(l),
                            Some(&(op::DEL, l)) => -i64::from(l),
                            _ => 0,
                        };
                    }
                } else if code == op::DEL {
                    entry.is_del = true;
                } else {
                    entry.is_refskip = true;
                }
                return Some(entry);
            }
            r += len_i;
        }
        if op::consumes_read(code) {
            q += len as usize;
        }
    }
    None
}

/// htslib's choice of which mate keeps its quality: khash's X31 string hash, mixed by
/// Wang's integer hash; odd keeps the first mate.
fn first_mate_keeps(name: &[u8]) -> bool {
    let mut h: u32 = 0;
    if let Some((&first, rest)) = name.split_first() {
        h = u32::from(first);
        for &c in rest {
            h = (h << 5).wrapping_sub(h).wrapping_add(u32::from(c));
        }
    }
    let mut key = h;
    key = key.wrapping_add(!(key << 15));
    key ^= key >> 10;
    key = key.wrapping_add(key << 3);
    key ^= key >> 6;
    key = key.wrapping_add(!(key << 11));
    key ^= key >> 16;
    key & 1 == 1
}

/// What each reference position of `read` holds: a read offset, or a deletion.
fn aligned(read: &Read, pos: i64) -> Option<Option<usize>> {
    locate(read, pos).and_then(|e| {
        if e.is_refskip {
            None
        } else if e.is_del {
            Some(None)
        } else {
            Some(Some(e.qpos))
        }
    })
}

/// Overlapping mates: where both hold the same base, one keeps the sum of the two qualities
/// (at most 200) and the other gets 0; where they differ, the better keeps 80% and the other
/// gets 0; a base facing the other mate's deletion keeps 80% or gets 0. Which mate keeps is
/// htslib's name-hash choice, so results equal `bcftools mpileup`'s.
fn tweak_overlap(a: &mut Read, b: &mut Read) {
    if a.qual.is_empty() || b.qual.is_empty() {
        return;
    }
    let a_keeps = first_mate_keeps(&a.name);
    let (amul, bmul) = if a_keeps { (1u32, 0u32) } else { (0, 1) };
    let scaled = |q: u8, mul: u32| -> u8 {
        if mul == 1 {
            (f64::from(q) * 0.8) as u8
        } else {
            0
        }
    };
    let end = a.end.min(b.end);
    let mut pos = b.start.max(a.start);
    while pos < end {
        match (aligned(a, pos), aligned(b, pos)) {
            (Some(Some(qa)), Some(Some(qb))) => {
                let (x, y) = (a.qual[qa], b.qual[qb]);
                if a.seq[qa] == b.seq[qb] {
                    let sum = (u32::from(x) + u32::from(y)).min(200) as u8;
                    a.qual[qa] = if amul == 1 { sum } else { 0 };
                    b.qual[qb] = if bmul == 1 { sum } else { 0 };
                } else if x > y {
                    a.qual[qa] = (f64::from(x) * 0.8) as u8;
                    b.qual[qb] = 0;
                } else if x < y {
                    b.qual[qb] = (f64::from(y) * 0.8) as u8;
                    a.qual[qa] = 0;
                } else {
                    a.qual[qa] = scaled(x, amul);
                    b.qual[qb] = scaled(y, bmul);
                }
            }
            (Some(Some(qa)), Some(None)) => a.qual[qa] = scaled(a.qual[qa], amul),
            (Some(None), Some(Some(qb))) => b.qual[qb] = scaled(b.qual[qb], bmul),
            _ => {}
        }
        pos += 1;
    }
}

/// Applies BAQ to `read`'s qualities from its `BQ` tag (what `samtools calmd -r` or an
/// aligner stored); a `ZQ` tag means it is applied already. Returns false when the read has
/// neither (then [`crate::baq::apply`] computes it, as bcftools does).
fn apply_baq(read: &mut Read) -> bool {
    if read.zq {
        return true;
    }
    let Some(bq) = read.bq.take() else {
        return false;
    };
    for (q, &b) in read.qual.iter_mut().zip(&bq) {
        let v = i32::from(*q) - (i32::from(b) - 64);
        *q = v.clamp(0, 255) as u8;
    }
    read.zq = true;
    true
}

/// Streams reads from several files and keeps those covering the current column.
pub(crate) struct Pileup<'r> {
    sources: Vec<std::iter::Peekable<Reads<'r>>>,
    filters: Filters,
    pub(crate) active: Vec<Active>,
    /// Per file: read name → id of the mate waiting for its partner.
    waiting: Vec<HashMap<Vec<u8>, u64>>,
    next_id: u64,
    reference: Option<crate::baq::RefWindow>,
    /// Reads BAQ would have realigned that carried no `BQ`/`ZQ` tag and could not be
    /// realigned here either (outside the reference window).
    pub(crate) baq_untagged: u64,
}

impl<'r> Pileup<'r> {
    pub(crate) fn new(
        sources: Vec<Reads<'r>>,
        filters: Filters,
        reference: Option<crate::baq::RefWindow>,
    ) -> Self {
        let n = sources.len();
        Self {
            sources: sources.into_iter().map(Iterator::peekable).collect(),
            filters,
            active: Vec::new(),
            waiting: vec![HashMap::new(); n],
            next_id: 0,
            reference,
            baq_untagged: 0,
        }
    }

    /// Moves the pileup to 0-based column `pos` (columns only move forward) and returns
    /// the entries of the reads covering it, after BAQ where it applies.
    pub(crate) fn column(&mut self, pos: i64) -> Result<Vec<Entry>, Error> {
        for file in 0..self.sources.len() {
            loop {
                let start = match self.sources[file].peek() {
                    None => break,
                    Some(Err(_)) => {
                        return Err(self.sources[file]
                            .next()
                            .and_then(Result::err)
                            .unwrap_or(Error::Internal("read error vanished")))
                    }
                    Some(Ok(read)) => read.start,
                };
                if start > pos {
                    break;
                }
                let Some(Ok(read)) = self.sources[file].next() else {
                    break;
                };
                self.push(read, file, pos);
            }
        }
        // Drop reads that ended before this column.
        let waiting = &mut self.waiting;
        self.active.retain(|a| {
            let keep = a.read.end > pos;
            if !keep {
                if let Some(id) = waiting[a.file].get(&a.read.name) {
                    if *id == a.id {
                        waiting[a.file].remove(&a.read.name);
                    }
                }
            }
            keep
        });
        let mut entries: Vec<Entry> = Vec::with_capacity(self.active.len());
        for (slot, a) in self.active.iter().enumerate() {
            if let Some(mut e) = locate(&a.read, pos) {
                e.slot = slot;
                entries.push(e);
            }
        }
        if self.reference.is_some() && self.filters.baq != Baq::Off {
            self.realign(&entries);
        }
        Ok(entries)
    }

    fn push(&mut self, read: Read, file: usize, pos: i64) {
        if !keep(&read, &self.filters) || read.end <= pos {
            return;
        }
        let id = self.next_id;
        self.next_id += 1;
        let has_indel = read
            .cigar
            .iter()
            .any(|(c, _)| matches!(*c, op::INS | op::DEL | op::SKIP));
        let has_clip = read.cigar.iter().any(|(c, _)| *c == op::SOFT_CLIP);
        let mut active = Active {
            read,
            file,
            id,
            realigned: false,
            has_indel,
            has_clip,
        };
        if self.filters.overlaps {
            self.overlap_push(&mut active);
        }
        self.active.push(active);
    }

    /// htslib's `overlap_push`: remember a properly paired read whose mate is still to come;
    /// when the mate arrives, adjust both reads' qualities over their overlap.
    fn overlap_push(&mut self, b: &mut Active) {
        let r = &b.read;
        if r.flags & flags::MATE_UNMAPPED != 0 || r.flags & flags::PROPER_PAIR == 0 {
            return;
        }
        if !r.mate_same_contig
            || (i64::from(r.template_length).abs() >= 2 * r.seq.len() as i64
                && r.mate_start >= r.end)
        {
            return;
        }
        let waiting = &mut self.waiting[b.file];
        match waiting.get(&r.name).copied() {
            None => {
                if r.mate_start >= r.start || (r.has(flags::PAIRED) && r.mate_start == -1) {
                    waiting.insert(r.name.clone(), b.id);
                }
            }
            Some(id) => {
                waiting.remove(&r.name);
                if let Some(a) = self.active.iter_mut().find(|a| a.id == id) {
                    tweak_overlap(&mut a.read, &mut b.read);
                }
            }
        }
    }

    /// bcftools' `mplp_realn`: decide from the column whether BAQ is worth it, then apply it
    /// once to each read not yet realigned.
    fn realign(&mut self, entries: &[Entry]) {
        let nt = entries.len();
        if nt == 0 {
            return;
        }
        let partial = self.filters.baq == Baq::Partial;
        let mut has_indel = 0usize;
        let mut has_clip = 0usize;
        let (mut min_indel, mut max_indel) = (i64::MAX, i64::MIN);
        for e in entries {
            let a = &self.active[e.slot];
            if a.has_indel || e.indel != 0 {
                has_indel += 1;
            }
            if a.has_clip {
                has_clip += 1;
            }
            min_indel = min_indel.min(e.indel);
            max_indel = max_indel.max(e.indel);
        }
        let ntf = nt as f64;
        if partial
            && (has_indel == 0
                || ((has_clip as f64) < 0.2 * ntf
                    && max_indel == min_indel
                    && ((has_indel as f64) < 0.1 * ntf || has_indel == 1)))
        {
            return;
        }
        let dist = 40 + 10 * usize::from(nt < 40) + 10 * usize::from(nt < 20);
        for e in entries {
            let a = &mut self.active[e.slot];
            if a.realigned {
                continue;
            }
            a.realigned = true;
            if a.read.seq.len() > self.filters.max_read_len {
                continue;
            }
            let cig = &a.read.cigar;
            if partial && nt > 15 && cig.len() > 1 {
                let long = a.read.seq.len() > 500;
                let is_clip = |c: u8| c == op::HARD_CLIP || c == op::SOFT_CLIP;
                let (mut lm, mut nm) = (0usize, 0usize);
                for &(c, l) in cig.iter() {
                    if long && is_clip(c) {
                        continue;
                    }
                    if op::is_match(c) {
                        lm += l as usize;
                        nm += 1;
                    } else {
                        break;
                    }
                }
                if nm != cig.len() {
                    let mut rm = 0usize;
                    for &(c, l) in cig.iter().rev() {
                        if long && is_clip(c) {
                            continue;
                        }
                        if op::is_match(c) {
                            rm += l as usize;
                        } else {
                            break;
                        }
                    }
                    if lm >= dist * 4 && rm >= dist * 4 {
                        continue;
                    }
                    if lm >= dist
                        && rm >= dist
                        && (has_clip as f64) < (0.15 + 0.05 * f64::from(u8::from(nt > 20))) * ntf
                    {
                        continue;
                    }
                }
            }
            if a.read.qual.is_empty() || a.read.cigar.iter().any(|(c, _)| *c == op::SKIP) {
                continue;
            }
            if !apply_baq(&mut a.read) {
                let done = match &self.reference {
                    Some(window) => crate::baq::apply(&mut a.read, window),
                    None => false,
                };
                if !done {
                    self.baq_untagged += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(start: i64, cigar: &[(u8, u32)]) -> Read {
        let len: u32 = cigar
            .iter()
            .filter(|(c, _)| op::consumes_read(*c))
            .map(|(_, l)| *l)
            .sum();
        let span: u32 = cigar
            .iter()
            .filter(|(c, _)| op::consumes_reference(*c))
            .map(|(_, l)| *l)
            .sum();
        Read {
            name: b"r".to_vec(),
            flags: 0,
            start,
            end: start + i64::from(span),
            mapq: 60,
            cigar: cigar.to_vec(),
            seq: vec![b'A'; len as usize],
            qual: vec![30; len as usize],
            mate_same_contig: false,
            mate_start: -1,
            template_length: 0,
            bq: None,
            zq: false,
        }
    }

    #[test]
    fn locate_walks_the_cigar() {
        // 2S 3M 2I 2M 1D 3M, starting at 100.
        let r = read(
            100,
            &[
                (op::SOFT_CLIP, 2),
                (op::MATCH, 3),
                (op::INS, 2),
                (op::MATCH, 2),
                (op::DEL, 1),
                (op::MATCH, 3),
            ],
        );
        assert_eq!(r.end, 109);
        let e = locate(&r, 100).expect("covered");
        assert_eq!((e.qpos, e.is_del, e.indel), (2, false, 0));
        let e = locate(&r, 102).expect("covered");
        assert_eq!((e.qpos, e.indel), (4, 2));
        let e = locate(&r, 104).expect("covered");
        assert_eq!((e.qpos, e.indel), (8, -1));
        let e = locate(&r, 105).expect("covered");
        assert!(e.is_del);
        let e = locate(&r, 106).expect("covered");
        assert_eq!(e.qpos, 9);
        assert!(locate(&r, 109).is_none() && locate(&r, 99).is_none());
    }

    #[test]
    fn mates_agreeing_keep_one_summed_quality() {
        let mut a = read(100, &[(op::MATCH, 10)]);
        let mut b = read(105, &[(op::MATCH, 10)]);
        a.name = b"pair".to_vec();
        b.name = b"pair".to_vec();
        tweak_overlap(&mut a, &mut b);
        let keeps_a = first_mate_keeps(b"pair");
        let (keeper, loser) = if keeps_a { (&a, &b) } else { (&b, &a) };
        let (k0, l0) = if keeps_a { (5, 0) } else { (0, 5) };
        assert_eq!(keeper.qual[k0..k0 + 5], [60; 5]);
        assert_eq!(loser.qual[l0..l0 + 5], [0; 5]);
        // Outside the overlap nothing changes.
        assert_eq!(a.qual[..5], [30; 5]);
        assert_eq!(b.qual[5..], [30; 5]);
    }

    #[test]
    fn bq_tag_lowers_qualities() {
        let mut r = read(0, &[(op::MATCH, 3)]);
        r.bq = Some(vec![64, 64 + 10, 64 + 40]);
        assert!(apply_baq(&mut r));
        assert_eq!(r.qual, [30, 20, 0]);
        assert!(apply_baq(&mut r), "applied once; the ZQ state remains");
        assert_eq!(r.qual, [30, 20, 0]);
        let mut untagged = read(0, &[(op::MATCH, 3)]);
        assert!(!apply_baq(&mut untagged));
    }
}
