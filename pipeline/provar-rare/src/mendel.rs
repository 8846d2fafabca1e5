//! Mendel errors with Hail's `mendel_errors` codes (PLINK's classification extended to
//! the sex chromosomes).
//!
//! For each complete trio (child, father and mother all in the pedigree and in the
//! tables) and each variant row with the child called (a parent's missing genotype counts
//! only where the table says "any" or "not"):
//!
//! | code | father | mother | child | copy state | implicated |
//! |---|---|---|---|---|---|
//! | 1 | HomAlt | HomAlt | Het | auto | father, mother, child |
//! | 2 | HomRef | HomRef | Het | auto | father, mother, child |
//! | 3 | HomRef | Het/HomAlt | HomAlt | auto | father, child |
//! | 4 | Het/HomAlt | HomRef | HomAlt | auto | mother, child |
//! | 5 | HomRef | HomRef | HomAlt | auto | child |
//! | 6 | HomAlt | HomRef/Het | HomRef | auto | father, child |
//! | 7 | HomRef/Het | HomAlt | HomRef | auto | mother, child |
//! | 8 | HomAlt | HomAlt | HomRef | auto | child |
//! | 9 | any | HomAlt | HomRef | hemi X | mother, child |
//! | 10 | any | HomRef | HomAlt | hemi X | mother, child |
//! | 11 | HomAlt | any | HomRef | hemi Y | father, child |
//! | 12 | HomRef | any | HomAlt | hemi Y | father, child |
//!
//! Copy state: `auto` on autosomes, in the pseudo-autosomal regions, and for a female
//! child (non-PAR Y included, as in Hail); `hemi_x`/`hemi_y` for a male child on non-PAR
//! X/Y; a child of unknown sex on non-PAR X or Y is not checked (as in Hail).
//! Mitochondrial contigs are skipped.

use provar_core::pedigree::Sex;

use provar_io::sites::Gt;

pub use provar_core::sex_chromosomes::{contig_kind, in_par, Build, ContigKind};

/// How many copies of a locus a child carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyState {
    /// Two.
    Auto,
    /// Male, non-PAR X.
    HemiX,
    /// Male, non-PAR Y.
    HemiY,
}

/// The child's copy state at a locus, `None` when not checked (unknown sex on non-PAR X/Y,
/// mitochondria). A female child counts as diploid on non-PAR Y too, as in Hail.
pub fn copy_state(kind: ContigKind, par: bool, sex: Sex) -> Option<CopyState> {
    match (kind, par, sex) {
        (ContigKind::Mito, _, _) => None,
        (ContigKind::Autosome, _, _) | (_, true, _) => Some(CopyState::Auto),
        // Hail: a female child is diploid everywhere, non-PAR Y included.
        (ContigKind::X | ContigKind::Y, false, Sex::Female) => Some(CopyState::Auto),
        (ContigKind::X, false, Sex::Male) => Some(CopyState::HemiX),
        (ContigKind::Y, false, Sex::Male) => Some(CopyState::HemiY),
        _ => None,
    }
}

/// Who a Mendel error implicates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Implicated {
    /// The father.
    pub father: bool,
    /// The mother.
    pub mother: bool,
    /// The child (always).
    pub child: bool,
}

/// The Mendel error code (1–12) of a trio's genotypes, or `None` when consistent.
///
/// The child must be called. A parent's missing genotype satisfies the negated conditions
/// ("not HomRef", "not HomAlt", "any") and nothing else, as in Hail: a HomAlt child of a
/// HomRef father and an uncalled mother is error 3.
pub fn mendel_code(father: Gt, mother: Gt, child: Gt, state: CopyState) -> Option<u8> {
    use Gt::{Het, HomAlt, HomRef, Missing};
    if child == Missing {
        return None;
    }
    match state {
        CopyState::Auto => match (father, mother, child) {
            (HomAlt, HomAlt, Het) => Some(1),
            (HomRef, HomRef, Het) => Some(2),
            (HomRef, HomRef, HomAlt) => Some(5),
            (HomRef, _, HomAlt) => Some(3),
            (_, HomRef, HomAlt) => Some(4),
            (HomAlt, HomAlt, HomRef) => Some(8),
            (HomAlt, _, HomRef) => Some(6),
            (_, HomAlt, HomRef) => Some(7),
            _ => None,
        },
        CopyState::HemiX => match (mother, child) {
            (HomAlt, HomRef) => Some(9),
            (HomRef, HomAlt) => Some(10),
            _ => None,
        },
        CopyState::HemiY => match (father, child) {
            (HomAlt, HomRef) => Some(11),
            (HomRef, HomAlt) => Some(12),
            _ => None,
        },
    }
}

/// Who code `code` implicates (Hail's table).
pub fn implicated(code: u8) -> Implicated {
    let (father, mother) = match code {
        1 | 2 => (true, true),
        3 | 6 | 11 | 12 => (true, false),
        4 | 7 | 9 | 10 => (false, true),
        _ => (false, false),
    };
    Implicated {
        father,
        mother,
        child: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Gt::*;

    #[test]
    fn codes_follow_hails_table() {
        let auto = CopyState::Auto;
        assert_eq!(mendel_code(HomAlt, HomAlt, Het, auto), Some(1));
        assert_eq!(mendel_code(HomRef, HomRef, Het, auto), Some(2));
        assert_eq!(mendel_code(HomRef, Het, HomAlt, auto), Some(3));
        assert_eq!(mendel_code(HomAlt, HomRef, HomAlt, auto), Some(4));
        assert_eq!(mendel_code(HomRef, HomRef, HomAlt, auto), Some(5));
        assert_eq!(mendel_code(HomAlt, Het, HomRef, auto), Some(6));
        assert_eq!(mendel_code(HomRef, HomAlt, HomRef, auto), Some(7));
        assert_eq!(mendel_code(HomAlt, HomAlt, HomRef, auto), Some(8));
        assert_eq!(mendel_code(Het, Het, HomAlt, auto), None);
        assert_eq!(mendel_code(Missing, HomRef, HomAlt, auto), Some(4));
        assert_eq!(mendel_code(Missing, Missing, HomAlt, auto), None);
        assert_eq!(mendel_code(HomRef, HomRef, Missing, auto), None);
        assert_eq!(mendel_code(Het, HomAlt, HomRef, CopyState::HemiX), Some(9));
        assert_eq!(mendel_code(Het, HomRef, HomAlt, CopyState::HemiX), Some(10));
        assert_eq!(mendel_code(HomAlt, Het, HomRef, CopyState::HemiY), Some(11));
        assert_eq!(mendel_code(HomRef, Het, HomAlt, CopyState::HemiY), Some(12));
        assert_eq!(
            implicated(5),
            Implicated {
                father: false,
                mother: false,
                child: true
            }
        );
    }

    #[test]
    fn pseudo_autosomal_regions() {
        assert!(in_par(ContigKind::X, 60_001, Build::GRCh37));
        assert!(!in_par(ContigKind::X, 60_000, Build::GRCh37));
        assert!(in_par(ContigKind::Y, 10_001, Build::GRCh37));
        assert!(!in_par(ContigKind::Y, 3, Build::GRCh37));
        assert_eq!(contig_kind("chrX"), ContigKind::X);
        assert_eq!(contig_kind("20"), ContigKind::Autosome);
        assert_eq!(
            copy_state(ContigKind::Y, false, Sex::Female),
            Some(CopyState::Auto)
        );
        assert_eq!(copy_state(ContigKind::X, false, Sex::Unknown), None);
    }
}
