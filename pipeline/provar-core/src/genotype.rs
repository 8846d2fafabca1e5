//! Genotype calls (VCF's GT field) of any ploidy, with VCF 4.4 per-allele phasing.

use std::{fmt, str::FromStr};

/// The most alleles one call may carry. Higher ploidies are refused rather than stored.
pub const MAX_PLOIDY: usize = 64;

/// A genotype call: allele indices (0 = reference, `None` = missing) and how each allele is
/// phased.
///
/// Haploid and diploid calls, by far the most common, are stored inline without allocation;
/// polyploid calls (`0/0/1/1`) keep their alleles on the heap.
///
/// Phasing follows VCF 4.4: every allele after the first is preceded by `/` (unphased) or `|`
/// (phased), and the first allele may carry an explicit indicator (`|0|1`). Without one, the
/// first allele's phase is implied by the others. A call [`is_phased`](Self::is_phased) when
/// every allele is phased, so `0/0|1` is not.
///
/// ```
/// use provar_core::Genotype;
/// let gt: Genotype = "./1".parse()?;
/// assert!(!gt.is_called()); // half-calls are not called, as in Hail
/// assert_eq!(gt.ploidy(), 2);
///
/// let tetraploid: Genotype = "0/0/1/2".parse()?;
/// assert_eq!(tetraploid.ploidy(), 4);
/// assert_eq!(tetraploid.downcode(2).to_string(), "0/0/0/1");
/// # Ok::<_, provar_core::genotype::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Genotype {
    alleles: Alleles,
    /// Bit `i - 1` is set when allele `i` (for `i >= 1`) follows a `|`.
    separators: u64,
    /// The first allele's explicit phasing indicator (VCF 4.4): `Some(true)` for a leading
    /// `|`, `Some(false)` for a leading `/`, `None` when absent.
    prefix: Option<bool>,
}

/// Allele storage: inline up to two alleles, on the heap beyond. Always in canonical form
/// (inline whenever it fits) so that derived equality compares values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Alleles {
    Inline { values: [Option<u16>; 2], len: u8 },
    Heap(Box<[Option<u16>]>),
}

impl Alleles {
    fn from_slice(alleles: &[Option<u16>]) -> Self {
        match *alleles {
            [a] => Alleles::Inline {
                values: [a, None],
                len: 1,
            },
            [a, b] => Alleles::Inline {
                values: [a, b],
                len: 2,
            },
            _ => Alleles::Heap(alleles.into()),
        }
    }

    fn as_slice(&self) -> &[Option<u16>] {
        match self {
            Alleles::Inline { values, len } => &values[..usize::from(*len)],
            Alleles::Heap(values) => values,
        }
    }

    fn map(&self, f: impl Fn(Option<u16>) -> Option<u16>) -> Self {
        match self {
            Alleles::Inline { values, len } => Alleles::Inline {
                values: [f(values[0]), f(values[1])],
                len: *len,
            },
            Alleles::Heap(values) => Alleles::Heap(values.iter().map(|a| f(*a)).collect()),
        }
    }
}

/// Why a GT value failed to parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The value is empty.
    #[error("empty genotype")]
    Empty,
    /// An allele is neither `.` nor a non-negative integer (an empty allele between two
    /// separators, as in `0/|1`, is invalid too).
    #[error("invalid allele {0:?}")]
    InvalidAllele(String),
    /// More alleles than [`MAX_PLOIDY`].
    #[error("unsupported ploidy {0} (provar reads at most 64 alleles per call)")]
    UnsupportedPloidy(usize),
}

impl Genotype {
    /// A diploid call.
    pub fn diploid(first: Option<u16>, second: Option<u16>, phased: bool) -> Self {
        Self {
            alleles: Alleles::Inline {
                values: [first, second],
                len: 2,
            },
            separators: u64::from(phased),
            prefix: None,
        }
    }

    /// A haploid call.
    pub fn haploid(allele: Option<u16>) -> Self {
        Self {
            alleles: Alleles::Inline {
                values: [allele, None],
                len: 1,
            },
            separators: 0,
            prefix: None,
        }
    }

    /// A call of any ploidy with every separator `|` when `phased`, `/` otherwise; `None`
    /// when `alleles` is empty or longer than [`MAX_PLOIDY`].
    ///
    /// ```
    /// use provar_core::Genotype;
    /// let gt = Genotype::new(&[Some(0), Some(1), None], true).expect("ploidy 3");
    /// assert_eq!(gt.to_string(), "0|1|.");
    /// ```
    pub fn new(alleles: &[Option<u16>], phased: bool) -> Option<Self> {
        if alleles.is_empty() || alleles.len() > MAX_PLOIDY {
            return None;
        }
        let n = alleles.len();
        let separators = if phased && n > 1 {
            u64::MAX >> (64 - (n - 1))
        } else {
            0
        };
        Some(Self {
            alleles: Alleles::from_slice(alleles),
            separators,
            prefix: None,
        })
    }

    /// Number of alleles in the call.
    pub fn ploidy(&self) -> u8 {
        // At most MAX_PLOIDY (64), so this never saturates.
        u8::try_from(self.alleles().len()).unwrap_or(u8::MAX)
    }

    /// Whether every allele is phased: every separator is `|`, and the first allele's explicit
    /// indicator, when present, is `|` too. A haploid call without an indicator is unphased.
    pub fn is_phased(&self) -> bool {
        let n = self.alleles().len();
        let all_separators = if n < 2 {
            self.prefix.is_some()
        } else {
            self.separators.count_ones() as usize == n - 1
        };
        all_separators && self.prefix != Some(false)
    }

    /// The allele indices, `None` where missing.
    pub fn alleles(&self) -> &[Option<u16>] {
        self.alleles.as_slice()
    }

    /// True when every allele is known (Hail's definition of a called genotype).
    pub fn is_called(&self) -> bool {
        self.alleles().iter().all(Option::is_some)
    }

    /// The largest allele index in the call, if any allele is known.
    pub fn max_allele(&self) -> Option<u16> {
        self.alleles().iter().flatten().copied().max()
    }

    /// The call as seen by the biallelic record for alternate allele `allele_index`
    /// (1-based), as `bcftools norm -m-` writes it: that allele becomes 1, every other
    /// allele 0, missing alleles stay missing. Ploidy and phasing are kept.
    pub fn downcode(&self, allele_index: u16) -> Self {
        let map = |a: Option<u16>| a.map(|a| u16::from(a == allele_index && a != 0));
        Self {
            alleles: self.alleles.map(map),
            separators: self.separators,
            prefix: self.prefix,
        }
    }
}

impl FromStr for Genotype {
    type Err = ParseError;

    /// Parses GT text. A final separator with nothing after it (`0/0|`, accepted by
    /// vcf-validator) is read as one more, missing, allele; an empty allele anywhere else
    /// is invalid.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (prefix, body) = match s.as_bytes().first() {
            None => return Err(ParseError::Empty),
            Some(b'|') => (Some(true), &s[1..]),
            Some(b'/') => (Some(false), &s[1..]),
            Some(_) => (None, s),
        };
        let parse_allele = |a: &str| -> Result<Option<u16>, ParseError> {
            match a {
                "." => Ok(None),
                _ if !a.bytes().all(|b| b.is_ascii_digit()) || a.is_empty() => {
                    Err(ParseError::InvalidAllele(a.to_owned()))
                }
                _ => a
                    .parse::<u16>()
                    .map(Some)
                    .map_err(|_| ParseError::InvalidAllele(a.to_owned())),
            }
        };
        let mut values: [Option<u16>; 2] = [None, None];
        let mut heap: Vec<Option<u16>> = Vec::new();
        let mut separators = 0u64;
        let mut count = 0usize;
        let mut rest = body;
        loop {
            let end = rest.find(['/', '|']).unwrap_or(rest.len());
            let text = &rest[..end];
            let is_last = end == rest.len();
            let allele = if text.is_empty() && is_last && count > 0 {
                // A dangling final separator: one more allele, missing.
                None
            } else {
                parse_allele(text)?
            };
            if count >= MAX_PLOIDY {
                return Err(ParseError::UnsupportedPloidy(
                    count + 1 + rest.matches(['/', '|']).count(),
                ));
            }
            if count < 2 {
                values[count] = allele;
            } else {
                if heap.is_empty() {
                    heap.extend_from_slice(&values);
                }
                heap.push(allele);
            }
            count += 1;
            if is_last {
                break;
            }
            if rest.as_bytes()[end] == b'|' {
                separators |= 1 << (count - 1);
            }
            rest = &rest[end + 1..];
        }
        let alleles = if heap.is_empty() {
            Alleles::Inline {
                values,
                len: u8::try_from(count).unwrap_or(2),
            }
        } else {
            Alleles::Heap(heap.into_boxed_slice())
        };
        Ok(Self {
            alleles,
            separators,
            prefix,
        })
    }
}

impl fmt::Display for Genotype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix {
            Some(true) => f.write_str("|")?,
            Some(false) => f.write_str("/")?,
            None => {}
        }
        for (i, a) in self.alleles().iter().enumerate() {
            if i > 0 {
                let phased = self.separators & (1 << (i - 1)) != 0;
                f.write_str(if phased { "|" } else { "/" })?;
            }
            match a {
                Some(a) => write!(f, "{a}")?,
                None => f.write_str(".")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_haploid_diploid_phased_and_missing() -> Result<(), ParseError> {
        for s in ["0/1", "1|0", "./.", ".|1", "1", ".", "12/3"] {
            assert_eq!(s.parse::<Genotype>()?.to_string(), s);
        }
        assert!("0|1".parse::<Genotype>()?.is_phased());
        assert!(!"0/1".parse::<Genotype>()?.is_phased());
        assert_eq!("1".parse::<Genotype>()?.ploidy(), 1);
        assert!(!"1".parse::<Genotype>()?.is_phased());
        assert_eq!(
            "0|1".parse::<Genotype>()?,
            Genotype::diploid(Some(0), Some(1), true)
        );
        assert_eq!("1".parse::<Genotype>()?, Genotype::haploid(Some(1)));
        Ok(())
    }

    #[test]
    fn parses_any_ploidy_and_vcf_4_4_phasing() -> Result<(), ParseError> {
        for s in [
            "0|0|1",
            "0/1/2",
            "0/0|1",
            "|0|0",
            "/0|0|1",
            "|1",
            "0/0/0/0/1/1/.",
            "1/./.",
        ] {
            assert_eq!(s.parse::<Genotype>()?.to_string(), s, "round trip of {s}");
        }
        let gt: Genotype = "0|1|2".parse()?;
        assert_eq!(gt.ploidy(), 3);
        assert_eq!(gt.alleles(), [Some(0), Some(1), Some(2)]);
        assert!(gt.is_phased());
        assert!(!"0/0|1".parse::<Genotype>()?.is_phased());
        assert!("|0|0".parse::<Genotype>()?.is_phased());
        assert!(!"/0|0|1".parse::<Genotype>()?.is_phased());
        assert!("|1".parse::<Genotype>()?.is_phased());
        assert_eq!(
            Genotype::new(&[Some(0), Some(1), Some(1)], true).map(|g| g.to_string()),
            Some("0|1|1".to_owned())
        );
        assert_eq!(
            Genotype::new(&[Some(0), Some(1)], false),
            Some(Genotype::diploid(Some(0), Some(1), false))
        );
        assert_eq!(
            Genotype::new(&[Some(2)], true),
            Some(Genotype::haploid(Some(2)))
        );
        Ok(())
    }

    #[test]
    fn a_dangling_final_separator_is_a_missing_allele() -> Result<(), ParseError> {
        let gt: Genotype = "0/0|".parse()?;
        assert_eq!(gt.alleles(), [Some(0), Some(0), None]);
        assert!(!gt.is_called());
        assert_eq!(gt.to_string(), "0/0|.");
        Ok(())
    }

    #[test]
    fn rejects_bad_values() {
        assert_eq!("".parse::<Genotype>(), Err(ParseError::Empty));
        assert_eq!(
            "0/a".parse::<Genotype>(),
            Err(ParseError::InvalidAllele("a".into()))
        );
        assert_eq!(
            "0//1".parse::<Genotype>(),
            Err(ParseError::InvalidAllele(String::new()))
        );
        assert_eq!(
            "0/|1".parse::<Genotype>(),
            Err(ParseError::InvalidAllele(String::new()))
        );
        assert_eq!(
            "/".parse::<Genotype>(),
            Err(ParseError::InvalidAllele(String::new()))
        );
        assert_eq!(
            "+1".parse::<Genotype>(),
            Err(ParseError::InvalidAllele("+1".into()))
        );
        assert_eq!(
            "70000".parse::<Genotype>(),
            Err(ParseError::InvalidAllele("70000".into()))
        );
        let many = vec!["0"; 65].join("/");
        assert_eq!(
            many.parse::<Genotype>(),
            Err(ParseError::UnsupportedPloidy(65))
        );
        assert!(vec!["0"; 64].join("/").parse::<Genotype>().is_ok());
    }

    #[test]
    fn downcoding_keeps_only_the_chosen_allele() -> Result<(), ParseError> {
        let gt: Genotype = "1/2".parse()?;
        assert_eq!(gt.downcode(1).to_string(), "1/0");
        assert_eq!(gt.downcode(2).to_string(), "0/1");
        assert_eq!("./2".parse::<Genotype>()?.downcode(2).to_string(), "./1");
        assert_eq!(
            "/0|2|1".parse::<Genotype>()?.downcode(2).to_string(),
            "/0|1|0"
        );
        Ok(())
    }

    #[test]
    fn half_calls_are_not_called() -> Result<(), ParseError> {
        assert!(!"./1".parse::<Genotype>()?.is_called());
        assert!("0/1".parse::<Genotype>()?.is_called());
        assert!(!".".parse::<Genotype>()?.is_called());
        assert!(!"0/1/.".parse::<Genotype>()?.is_called());
        Ok(())
    }
}
