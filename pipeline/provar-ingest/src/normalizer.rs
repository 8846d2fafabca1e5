//! Left-alignment and trimming of split rows against a reference FASTA, with the rules of
//! `bcftools norm -f REF -m-` (bcftools 1.16, `--check-ref e`):
//!
//! - REF must equal the reference bases at POS (case aside; IUPAC codes in the FASTA count
//!   as `N`); otherwise, or when REF has bases other than A, C, G, T and N, it is an error.
//! - A row without an alternate allele (ALT `.`) keeps only the first base of REF.
//! - Symbolic (`<DEL>`), spanning-deletion (`*`) and breakend alleles stay as they are; any
//!   other ALT must be made of A, C, G, T and N, and must differ from REF.
//! - Otherwise the bases the alleles share at their right end are dropped; when an allele
//!   runs out, up to 100 reference bases before it are put in front of both and dropping
//!   goes on, so an indel moves left through a repeat. Then the bases they share at their
//!   left end are dropped while both keep at least one: the row ends up at its leftmost
//!   position with one padding base.
//!
//! Bases taken from the FASTA keep its case (soft-masked repeats give lower-case padding
//! bases, as bcftools writes them).

use std::path::Path;

use provar_core::Position;
use provar_io::fasta;

use crate::rows::{Normalized, Site};

/// How many reference bases are put in front of the alleles at a time (bcftools' `aln_win`).
const PAD: u64 = 100;

/// Why a row cannot be normalised.
#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    /// REF differs from the reference.
    #[error("REF {reference_bases} does not match the reference bases {fasta_bases}")]
    ReferenceMismatch {
        /// REF as written.
        reference_bases: String,
        /// The FASTA's bases at POS (upper-cased, IUPAC codes as `N`).
        fasta_bases: String,
    },
    /// REF runs past the end of the contig.
    #[error(
        "REF {reference_bases} runs past the end of the contig (length {length} in the FASTA)"
    )]
    PastContigEnd {
        /// REF as written.
        reference_bases: String,
        /// The contig's length in the FASTA.
        length: u64,
    },
    /// REF has a base other than A, C, G, T or N.
    #[error("REF {0} has bases other than A, C, G, T and N")]
    InvalidReferenceBases(String),
    /// ALT has a base other than A, C, G, T or N (and is not symbolic, `*` or a breakend).
    #[error("ALT {0} has bases other than A, C, G, T and N")]
    InvalidAlternateBases(String),
    /// ALT is REF again.
    #[error("ALT {0} is the same as REF")]
    DuplicateAllele(String),
    /// POS is 0.
    #[error("POS 0 (a telomere) cannot be checked against the reference")]
    Telomere,
    /// The FASTA could not be read, or lacks the contig.
    #[error(transparent)]
    Fasta(#[from] fasta::Error),
}

/// Upper-cases a fetched REF stretch and writes IUPAC codes as `N`, as bcftools compares it.
fn comparable(bases: &[u8]) -> Vec<u8> {
    bases
        .iter()
        .map(|b| match b.to_ascii_uppercase() {
            c @ (b'A' | b'C' | b'G' | b'T' | b'N') => c,
            _ => b'N',
        })
        .collect()
}

/// Writes IUPAC codes as `N` and keeps the case of A, C, G, T and N (bcftools' padding).
fn padding(bases: &mut [u8]) {
    for b in bases {
        if !matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T' | b'N') {
            *b = b'N';
        }
    }
}

fn is_acgtn(allele: &str) -> bool {
    allele
        .bytes()
        .all(|b| matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T' | b'N'))
}

/// A breakend ALT, as htslib classifies one: it starts with `[` or `]`, or has one right
/// after a copy of REF (`G]17:198982]`).
fn is_breakend(reference: &str, alternate: &str) -> bool {
    let alt = alternate.as_bytes();
    if matches!(alt.first(), Some(b'[' | b']')) {
        return true;
    }
    let shared = reference
        .bytes()
        .zip(alternate.bytes())
        .take_while(|(r, a)| r.eq_ignore_ascii_case(a))
        .count();
    shared == reference.len() && matches!(alt.get(shared), Some(b'[' | b']'))
}

/// Normalises one split row at `position` (the record's POS). `fetch(start0, end0)` gives
/// the reference bases `start0..end0` (0-based, half-open) of the row's contig, as stored,
/// cut at the contig's end. `None`: the row stays as written.
pub(crate) fn realign(
    position: Position,
    reference_bases: &str,
    alternate_bases: Option<&str>,
    fetch: &mut dyn FnMut(u64, u64) -> Result<Vec<u8>, NormalizeError>,
) -> Result<Option<Normalized>, NormalizeError> {
    let pos0 = position.get() - 1;
    let length = reference_bases.len() as u64;
    if reference_bases.is_empty() || !is_acgtn(reference_bases) {
        return Err(NormalizeError::InvalidReferenceBases(
            reference_bases.to_owned(),
        ));
    }
    let fasta = comparable(&fetch(pos0, pos0 + length)?);
    if !fasta.eq_ignore_ascii_case(reference_bases.as_bytes()) {
        let fasta_bases = String::from_utf8_lossy(&fasta).into_owned();
        return Err(if (fasta.len() as u64) < length {
            NormalizeError::PastContigEnd {
                reference_bases: reference_bases.to_owned(),
                length: pos0 + fasta.len() as u64,
            }
        } else {
            NormalizeError::ReferenceMismatch {
                reference_bases: reference_bases.to_owned(),
                fasta_bases,
            }
        });
    }
    let Some(alternate) = alternate_bases else {
        // No alternate allele: REF is cut to its first base.
        return Ok((length > 1).then(|| Normalized {
            position: position.get(),
            reference_bases: reference_bases[..1].to_owned(),
            alternate_bases: None,
            end: None,
        }));
    };
    if is_breakend(reference_bases, alternate) || alternate.starts_with(['<', '*']) {
        return Ok(None);
    }
    if !is_acgtn(alternate) {
        return Err(NormalizeError::InvalidAlternateBases(alternate.to_owned()));
    }
    if alternate.eq_ignore_ascii_case(reference_bases) {
        return Err(NormalizeError::DuplicateAllele(alternate.to_owned()));
    }
    let mut alleles = [
        reference_bases.to_ascii_uppercase().into_bytes(),
        alternate.to_ascii_uppercase().into_bytes(),
    ];
    let mut start0 = pos0;
    // Drop the shared last base; pad from the reference when an allele runs out.
    loop {
        let [reference, alternate] = &alleles;
        let (Some(r), Some(a)) = (reference.last(), alternate.last()) else {
            break;
        };
        if !r.eq_ignore_ascii_case(a) {
            break;
        }
        if reference.len().min(alternate.len()) <= 1 && start0 == 0 {
            break;
        }
        for allele in &mut alleles {
            allele.pop();
        }
        if alleles.iter().any(Vec::is_empty) {
            let n = start0.min(PAD);
            let mut pad = fetch(start0 - n, start0)?;
            padding(&mut pad);
            for allele in &mut alleles {
                allele.splice(0..0, pad.iter().copied());
            }
            start0 -= pad.len() as u64;
        }
    }
    if alleles.iter().any(Vec::is_empty) {
        return Ok(None);
    }
    // Drop shared first bases while both alleles keep at least one.
    let [reference, alternate] = &alleles;
    let shared = reference
        .iter()
        .zip(alternate)
        .take(reference.len().min(alternate.len()) - 1)
        .take_while(|(r, a)| r == a)
        .count();
    start0 += shared as u64;
    let text = |allele: &[u8]| String::from_utf8_lossy(&allele[shared..]).into_owned();
    let (reference, alternate) = (text(reference), text(alternate));
    if start0 == pos0 && reference.eq_ignore_ascii_case(reference_bases) {
        return Ok(None);
    }
    let end = (start0 != pos0 || reference.len() as u64 != length)
        .then_some(start0 + reference.len() as u64);
    Ok(Some(Normalized {
        position: start0 + 1,
        reference_bases: reference,
        alternate_bases: Some(alternate),
        end,
    }))
}

/// Bases of the reference around the rows being normalised: one stretch of one contig,
/// read again when a row falls outside it.
struct Window {
    contig: String,
    start0: u64,
    bases: Vec<u8>,
}

/// Bases read at a time beyond what a row asks for (rows of a sorted VCF then mostly fall
/// in the stretch already read).
const AHEAD: u64 = 64 << 10;
/// Bases read before what a row asks for (room for left shifts).
const BEHIND: u64 = 1 << 10;

/// Normalises the rows of records against one FASTA.
pub(crate) struct Normalizer {
    reader: fasta::Reader,
    window: Window,
}

impl Normalizer {
    /// Opens the FASTA (with its `.fai`, or indexing it).
    pub(crate) fn open(path: &Path) -> Result<Self, fasta::Error> {
        Ok(Self {
            reader: fasta::Reader::open(path)?,
            window: Window {
                contig: String::new(),
                start0: 0,
                bases: Vec::new(),
            },
        })
    }

    /// The FASTA.
    pub(crate) fn path(&self) -> &Path {
        self.reader.path()
    }

    /// Bases `start0..end0` of `contig` (0-based, half-open), cut at the contig's end.
    fn bases(&mut self, contig: &str, start0: u64, end0: u64) -> Result<Vec<u8>, NormalizeError> {
        let length = self.reader.length(contig)?;
        let end0 = end0.min(length);
        if start0 >= end0 {
            return Ok(Vec::new());
        }
        let w = &self.window;
        let held =
            w.contig == contig && start0 >= w.start0 && end0 <= w.start0 + w.bases.len() as u64;
        if !held {
            let from = start0.saturating_sub(BEHIND);
            let to = end0.max(start0 + AHEAD).min(length);
            let first = Position::new(from + 1).expect("from + 1 > 0");
            let last = Position::new(to).expect("to >= end0 > start0 >= 0");
            self.window = Window {
                bases: self.reader.fetch(contig, first, last)?,
                contig: contig.to_owned(),
                start0: from,
            };
        }
        let offset = self.window.start0;
        let stretch = (start0 - offset) as usize..(end0 - offset) as usize;
        Ok(self.window.bases.get(stretch).unwrap_or_default().to_vec())
    }

    /// Normalises every row of `site` in place; returns how many changed.
    pub(crate) fn normalize(&mut self, site: &mut Site) -> Result<u64, NormalizeError> {
        let position = Position::new(site.position()).ok_or(NormalizeError::Telomere)?;
        let contig = site.contig().to_owned();
        site.normalize_with(|reference, alternate| {
            realign(position, reference, alternate, &mut |start0, end0| {
                self.bases(&contig, start0, end0)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `realign` on `reference_sequence` (contig from position 1).
    fn norm(sequence: &str, pos: u64, r: &str, a: Option<&str>) -> Option<(u64, String, String)> {
        let bases = sequence.as_bytes();
        let mut fetch = |s: u64, e: u64| {
            let e = (e as usize).min(bases.len());
            Ok(bases.get(s as usize..e).unwrap_or_default().to_vec())
        };
        realign(Position::new(pos).expect("pos > 0"), r, a, &mut fetch)
            .expect("normalises")
            .map(|n| {
                (
                    n.position,
                    n.reference_bases,
                    n.alternate_bases.unwrap_or_else(|| ".".to_owned()),
                )
            })
    }

    fn error(sequence: &str, pos: u64, r: &str, a: Option<&str>) -> NormalizeError {
        let bases = sequence.as_bytes();
        let mut fetch = |s: u64, e: u64| {
            let e = (e as usize).min(bases.len());
            Ok(bases.get(s as usize..e).unwrap_or_default().to_vec())
        };
        realign(Position::new(pos).expect("pos > 0"), r, a, &mut fetch).expect_err("fails")
    }

    //                   1234567890123
    const SEQ: &str = "GCATTTTTGCACA";

    #[test]
    fn deletion_moves_to_the_start_of_a_homopolymer() {
        // TT -> T at 7 (right end of the T run) is a deletion of one T: leftmost at 3.
        assert_eq!(
            norm(SEQ, 7, "TT", Some("T")),
            Some((3, "AT".into(), "A".into()))
        );
    }

    #[test]
    fn insertion_moves_left_through_a_tandem_repeat() {
        // CA inserted after the last A of GCACA (9-13): leftmost after the G at 9.
        assert_eq!(
            norm(SEQ, 13, "A", Some("ACA")),
            Some((9, "G".into(), "GCA".into()))
        );
    }

    #[test]
    fn left_aligned_row_is_unchanged() {
        assert_eq!(norm(SEQ, 3, "AT", Some("A")), None);
        assert_eq!(norm(SEQ, 5, "T", Some("C")), None);
    }

    #[test]
    fn shared_bases_are_trimmed() {
        // An SNV written with context on both sides.
        assert_eq!(
            norm(SEQ, 8, "TGC", Some("TAC")),
            Some((9, "G".into(), "A".into()))
        );
    }

    #[test]
    fn no_alternate_keeps_the_first_reference_base() {
        assert_eq!(norm(SEQ, 1, "GCA", None), Some((1, "G".into(), ".".into())));
        assert_eq!(norm(SEQ, 1, "G", None), None);
    }

    #[test]
    fn contig_start_stops_the_shift() {
        // AA -> A at 2 of AAAC...: the shift stops at the contig's first base.
        assert_eq!(
            norm("AAAC", 2, "AA", Some("A")),
            Some((1, "AA".into(), "A".into()))
        );
        assert_eq!(norm("AAAC", 1, "AA", Some("A")), None);
    }

    #[test]
    fn symbolic_star_and_breakend_stay() {
        assert_eq!(norm(SEQ, 4, "T", Some("<DEL>")), None);
        assert_eq!(norm(SEQ, 4, "TT", Some("<*>")), None);
        assert_eq!(norm(SEQ, 4, "T", Some("*")), None);
        assert_eq!(norm(SEQ, 4, "T", Some("T]17:100]")), None);
        assert_eq!(norm(SEQ, 4, "T", Some("[17:100[T")), None);
    }

    #[test]
    fn soft_masked_padding_keeps_its_case() {
        assert_eq!(
            norm("gcatttttGCA", 7, "TT", Some("T")),
            Some((3, "at".into(), "a".into()))
        );
    }

    #[test]
    fn reference_mismatch_names_both() {
        let e = error(SEQ, 4, "TG", Some("T"));
        assert_eq!(
            e.to_string(),
            "REF TG does not match the reference bases TT"
        );
        let e = error(SEQ, 12, "CAG", Some("C"));
        assert!(
            matches!(e, NormalizeError::PastContigEnd { length: 13, .. }),
            "{e}"
        );
        assert!(matches!(
            error(SEQ, 4, "R", Some("T")),
            NormalizeError::InvalidReferenceBases(_)
        ));
        assert!(matches!(
            error(SEQ, 4, "T", Some("X")),
            NormalizeError::InvalidAlternateBases(_)
        ));
        assert!(matches!(
            error(SEQ, 4, "T", Some("t")),
            NormalizeError::DuplicateAllele(_)
        ));
    }

    #[test]
    fn iupac_in_the_fasta_matches_n() {
        assert_eq!(norm("ACRT", 3, "N", Some("A")), None);
        assert!(matches!(
            error("ACRT", 3, "G", Some("A")),
            NormalizeError::ReferenceMismatch { .. }
        ));
    }
}
