//! Classification of a REF/ALT pair, following Hail's `allele_type`.

/// The kind of an alternate allele relative to its reference allele, with Hail's rules
/// (`hl.allele_type`): a SNP has equal lengths and exactly one differing base; an insertion
/// keeps the reference as a prefix-anchored subsequence (`ref[0] == alt[0]` and `alt` ends with
/// `ref[1..]`), a deletion the reverse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlleleType {
    /// One differing base; `transition` is true for A<->G and C<->T.
    Snp {
        /// Whether the substitution is a transition (purine-purine or pyrimidine-pyrimidine).
        transition: bool,
    },
    /// Equal lengths, more than one differing base.
    Mnp,
    /// Bases inserted after the shared anchor base.
    Insertion,
    /// Bases deleted after the shared anchor base.
    Deletion,
    /// The spanning-deletion allele `*`.
    Star,
    /// A symbolic allele (`<DEL>`, `<*>`) or a breakend.
    Symbolic,
    /// Anything else.
    Complex,
}

impl AlleleType {
    /// Classifies `alternate` against `reference` (case-insensitive).
    ///
    /// ```
    /// use provar_core::AlleleType;
    /// assert_eq!(AlleleType::classify("A", "G"), AlleleType::Snp { transition: true });
    /// assert_eq!(AlleleType::classify("A", "C"), AlleleType::Snp { transition: false });
    /// assert_eq!(AlleleType::classify("A", "AT"), AlleleType::Insertion);
    /// assert_eq!(AlleleType::classify("AT", "A"), AlleleType::Deletion);
    /// ```
    pub fn classify(reference: &str, alternate: &str) -> Self {
        let r = reference.as_bytes();
        let a = alternate.as_bytes();
        if a == b"*" {
            return Self::Star;
        }
        if a.first() == Some(&b'<')
            || a.contains(&b'[')
            || a.contains(&b']')
            || a.first() == Some(&b'.')
            || a.last() == Some(&b'.')
        {
            return Self::Symbolic;
        }
        if r.len() == a.len() {
            let mut mismatches = r.iter().zip(a).filter(|(x, y)| !x.eq_ignore_ascii_case(y));
            return match (mismatches.next(), mismatches.next()) {
                (Some((x, y)), None) => Self::Snp {
                    transition: is_transition(*x, *y),
                },
                (Some(_), Some(_)) => Self::Mnp,
                // Identical alleles: not a variant; Hail calls this Unknown, we call it complex.
                (None, _) => Self::Complex,
            };
        }
        if r.len() < a.len() && anchored_within(r, a) {
            return Self::Insertion;
        }
        if r.len() > a.len() && anchored_within(a, r) {
            return Self::Deletion;
        }
        Self::Complex
    }
}

/// `short[0] == long[0]` and `long` ends with `short[1..]`.
fn anchored_within(short: &[u8], long: &[u8]) -> bool {
    match (short.first(), long.first()) {
        (Some(s), Some(l)) if s.eq_ignore_ascii_case(l) => {
            let tail = &short[1..];
            long.len() >= tail.len()
                && long[long.len() - tail.len()..]
                    .iter()
                    .zip(tail)
                    .all(|(x, y)| x.eq_ignore_ascii_case(y))
        }
        _ => false,
    }
}

fn is_transition(x: u8, y: u8) -> bool {
    let purine = |b: u8| matches!(b.to_ascii_uppercase(), b'A' | b'G');
    let pyrimidine = |b: u8| matches!(b.to_ascii_uppercase(), b'C' | b'T');
    (purine(x) && purine(y)) || (pyrimidine(x) && pyrimidine(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_like_hail() {
        assert_eq!(
            AlleleType::classify("C", "T"),
            AlleleType::Snp { transition: true }
        );
        assert_eq!(
            AlleleType::classify("G", "T"),
            AlleleType::Snp { transition: false }
        );
        // Same-length alleles with one mismatch are SNPs in Hail.
        assert_eq!(
            AlleleType::classify("AT", "AC"),
            AlleleType::Snp { transition: true }
        );
        assert_eq!(AlleleType::classify("AT", "GC"), AlleleType::Mnp);
        assert_eq!(AlleleType::classify("A", "ACT"), AlleleType::Insertion);
        assert_eq!(AlleleType::classify("ACT", "A"), AlleleType::Deletion);
        assert_eq!(AlleleType::classify("ACT", "GT"), AlleleType::Complex);
        assert_eq!(AlleleType::classify("A", "*"), AlleleType::Star);
        assert_eq!(AlleleType::classify("A", "<DEL>"), AlleleType::Symbolic);
        assert_eq!(AlleleType::classify("A", "A[2:100["), AlleleType::Symbolic);
    }
}
