//! Genotype calls (VCF's GT field), haploid or diploid.

use std::{fmt, str::FromStr};

/// A haploid or diploid genotype call: allele indices (0 = reference, `None` = missing) and
/// whether a diploid call is phased.
///
/// ```
/// use provar_core::Genotype;
/// let gt: Genotype = "./1".parse()?;
/// assert!(!gt.is_called()); // half-calls are not called, as in Hail
/// assert_eq!(gt.ploidy(), 2);
/// # Ok::<_, provar_core::genotype::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Genotype {
    alleles: [Option<u16>; 2],
    ploidy: u8,
    phased: bool,
}

/// Why a GT value failed to parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The value is empty.
    #[error("empty genotype")]
    Empty,
    /// An allele is neither `.` nor a non-negative integer.
    #[error("invalid allele {0:?}")]
    InvalidAllele(String),
    /// More than two alleles.
    #[error("unsupported ploidy {0} (provar reads haploid and diploid calls)")]
    UnsupportedPloidy(usize),
}

impl Genotype {
    /// A diploid call.
    pub fn diploid(first: Option<u16>, second: Option<u16>, phased: bool) -> Self {
        Self {
            alleles: [first, second],
            ploidy: 2,
            phased,
        }
    }

    /// A haploid call.
    pub fn haploid(allele: Option<u16>) -> Self {
        Self {
            alleles: [allele, None],
            ploidy: 1,
            phased: false,
        }
    }

    /// Number of alleles in the call (1 or 2).
    pub fn ploidy(&self) -> u8 {
        self.ploidy
    }

    /// Whether a diploid call is phased (`|`).
    pub fn is_phased(&self) -> bool {
        self.phased
    }

    /// The allele indices, `None` where missing.
    pub fn alleles(&self) -> &[Option<u16>] {
        &self.alleles[..usize::from(self.ploidy)]
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
    /// allele 0, missing alleles stay missing.
    pub fn downcode(&self, allele_index: u16) -> Self {
        let map = |a: Option<u16>| a.map(|a| u16::from(a == allele_index && a != 0));
        Self {
            alleles: [map(self.alleles[0]), map(self.alleles[1])],
            ..*self
        }
    }
}

impl FromStr for Genotype {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(ParseError::Empty);
        }
        let parse_allele = |a: &str| -> Result<Option<u16>, ParseError> {
            if a == "." {
                Ok(None)
            } else {
                a.parse::<u16>()
                    .map(Some)
                    .map_err(|_| ParseError::InvalidAllele(a.to_owned()))
            }
        };
        let mut parts = s.split(['/', '|']);
        let first = parts.next().unwrap_or_default();
        match (parts.next(), parts.next()) {
            (None, _) => Ok(Self::haploid(parse_allele(first)?)),
            (Some(second), None) => Ok(Self::diploid(
                parse_allele(first)?,
                parse_allele(second)?,
                s.as_bytes().get(first.len()) == Some(&b'|'),
            )),
            (Some(_), Some(_)) => Err(ParseError::UnsupportedPloidy(s.split(['/', '|']).count())),
        }
    }
}

impl fmt::Display for Genotype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let write_allele = |f: &mut fmt::Formatter<'_>, a: Option<u16>| match a {
            Some(a) => write!(f, "{a}"),
            None => f.write_str("."),
        };
        write_allele(f, self.alleles[0])?;
        if self.ploidy == 2 {
            f.write_str(if self.phased { "|" } else { "/" })?;
            write_allele(f, self.alleles[1])?;
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
            "0/1/1".parse::<Genotype>(),
            Err(ParseError::UnsupportedPloidy(3))
        );
        assert_eq!(
            "0//1".parse::<Genotype>(),
            Err(ParseError::UnsupportedPloidy(3))
        );
    }

    #[test]
    fn downcoding_keeps_only_the_chosen_allele() -> Result<(), ParseError> {
        let gt: Genotype = "1/2".parse()?;
        assert_eq!(gt.downcode(1).to_string(), "1/0");
        assert_eq!(gt.downcode(2).to_string(), "0/1");
        assert_eq!("./2".parse::<Genotype>()?.downcode(2).to_string(), "./1");
        Ok(())
    }

    #[test]
    fn half_calls_are_not_called() -> Result<(), ParseError> {
        assert!(!"./1".parse::<Genotype>()?.is_called());
        assert!("0/1".parse::<Genotype>()?.is_called());
        assert!(!".".parse::<Genotype>()?.is_called());
        Ok(())
    }
}
