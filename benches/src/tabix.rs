//! A tabix (`.tbi`) index builder for sorted VCF records, in the layout htslib writes:
//! UCSC bins (min shift 14, depth 5), per-bin chunks of virtual offsets, a 16 kb linear index,
//! and htslib's metadata pseudo-bin 37450.

use crate::bgzf::BlockTable;

/// One indexed record: contig id, 0-based half-open span, and its stream offsets.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// Index of the contig in the name list.
    pub contig: usize,
    /// 0-based start.
    pub start0: u64,
    /// 0-based exclusive end.
    pub end0: u64,
    /// Uncompressed stream offset of the line's first byte.
    pub stream_start: u64,
    /// Uncompressed stream offset after the line's newline.
    pub stream_end: u64,
}

const MIN_SHIFT: u32 = 14;
const PSEUDO_BIN: u32 = 37450;

/// UCSC/htslib `reg2bin` for a 0-based half-open interval.
pub fn reg2bin(beg: u64, end: u64) -> u32 {
    let end = end - 1;
    let mut shift = MIN_SHIFT;
    // First bin of each level, finest first: 4681, 585, 73, 9, 1.
    for first_bin in [4681u64, 585, 73, 9, 1] {
        if beg >> shift == end >> shift {
            return (first_bin + (beg >> shift)) as u32;
        }
        shift += 3;
    }
    0
}

/// Builds the uncompressed bytes of a `.tbi` for `entries` (sorted by contig, then start).
pub fn build(names: &[String], entries: &[Entry], blocks: &BlockTable) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"TBI\x01");
    push_i32(&mut out, names.len() as i32);
    push_i32(&mut out, 2); // format: VCF
    push_i32(&mut out, 1); // sequence column
    push_i32(&mut out, 2); // begin column
    push_i32(&mut out, 0); // end column
    push_i32(&mut out, b'#' as i32); // meta character
    push_i32(&mut out, 0); // lines to skip
    let mut name_bytes = Vec::new();
    for name in names {
        name_bytes.extend_from_slice(name.as_bytes());
        name_bytes.push(0);
    }
    push_i32(&mut out, name_bytes.len() as i32);
    out.extend_from_slice(&name_bytes);

    let mut start = 0;
    for contig in 0..names.len() {
        let mut end = start;
        while end < entries.len() && entries[end].contig == contig {
            end += 1;
        }
        write_reference(&mut out, &entries[start..end], blocks);
        start = end;
    }
    out.extend_from_slice(&0u64.to_le_bytes()); // records with no coordinate
    out
}

fn write_reference(out: &mut Vec<u8>, entries: &[Entry], blocks: &BlockTable) {
    if entries.is_empty() {
        push_i32(out, 0);
        push_i32(out, 0);
        return;
    }
    // bin -> chunks, in first-seen order (htslib sorts bins; readers accept any order).
    let mut bins: std::collections::BTreeMap<u32, Vec<(u64, u64)>> = Default::default();
    let mut linear: Vec<Option<u64>> = Vec::new();
    for entry in entries {
        let vbeg = blocks.virtual_offset(entry.stream_start);
        let vend = blocks.virtual_offset(entry.stream_end);
        let bin = reg2bin(entry.start0, entry.end0.max(entry.start0 + 1));
        let chunks = bins.entry(bin).or_default();
        match chunks.last_mut() {
            Some(last) if last.1 == vbeg => last.1 = vend,
            _ => chunks.push((vbeg, vend)),
        }
        let first = (entry.start0 >> MIN_SHIFT) as usize;
        let last = ((entry.end0.max(entry.start0 + 1) - 1) >> MIN_SHIFT) as usize;
        if linear.len() <= last {
            linear.resize(last + 1, None);
        }
        for slot in &mut linear[first..=last] {
            if slot.is_none() {
                *slot = Some(vbeg);
            }
        }
    }
    let first_v = blocks.virtual_offset(entries[0].stream_start);
    let last_v = blocks.virtual_offset(entries[entries.len() - 1].stream_end);
    push_i32(out, bins.len() as i32 + 1);
    for (bin, chunks) in &bins {
        out.extend_from_slice(&bin.to_le_bytes());
        push_i32(out, chunks.len() as i32);
        for (b, e) in chunks {
            out.extend_from_slice(&b.to_le_bytes());
            out.extend_from_slice(&e.to_le_bytes());
        }
    }
    out.extend_from_slice(&PSEUDO_BIN.to_le_bytes());
    push_i32(out, 2);
    out.extend_from_slice(&first_v.to_le_bytes());
    out.extend_from_slice(&last_v.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    push_i32(out, linear.len() as i32);
    let mut previous = 0u64;
    for slot in linear {
        let value = slot.unwrap_or(previous);
        previous = value;
        out.extend_from_slice(&value.to_le_bytes());
    }
}

fn push_i32(out: &mut Vec<u8>, value: i32) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reg2bin_matches_htslib() {
        // Values from htslib's hts_reg2bin(beg, end, 14, 5).
        assert_eq!(reg2bin(0, 1), 4681);
        assert_eq!(reg2bin(16384, 16385), 4682);
        assert_eq!(reg2bin(16383, 16385), 585);
        assert_eq!(reg2bin(0, 1 << 17), 585);
        assert_eq!(reg2bin(0, (1 << 17) + 1), 73);
        assert_eq!(reg2bin(0, 1 << 29), 0);
    }
}
