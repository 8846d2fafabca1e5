//! Genomic regions: a contig and an inclusive 1-based interval.

use std::{fmt, str::FromStr};

use crate::Position;

/// A contig and an inclusive, 1-based interval `start..=end` (`end` = `None`: to the end of
/// the contig), as written `chr20:10001-20000` on the command line.
///
/// ```
/// use provar_core::Region;
/// let region: Region = "20:10,019,093-10,100,000".parse()?;
/// assert_eq!((region.contig.as_str(), region.start.get()), ("20", 10_019_093));
/// assert_eq!(region.end.map(|e| e.get()), Some(10_100_000));
/// assert_eq!("chrX".parse::<Region>()?.to_string(), "chrX:1-");
/// # Ok::<_, provar_core::region::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Region {
    /// Contig name.
    pub contig: String,
    /// First position (1-based, inclusive).
    pub start: Position,
    /// Last position (inclusive); `None` for the end of the contig.
    pub end: Option<Position>,
}

/// Why a region failed to parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text is empty or has an empty contig.
    #[error("invalid region {0:?}: empty contig name")]
    MissingContig(String),
    /// The interval is not `START`, `START-` or `START-END` with 1 <= START <= END.
    #[error("invalid region {0:?}: expected CONTIG, CONTIG:START, CONTIG:START- or CONTIG:START-END with 1 <= START <= END")]
    InvalidInterval(String),
    /// A BED line is malformed.
    #[error("invalid BED line {0:?}: expected CONTIG<TAB>START<TAB>END with 0 <= START < END")]
    InvalidBed(String),
}

impl Region {
    /// A whole contig.
    pub fn contig(name: impl Into<String>) -> Self {
        Self {
            contig: name.into(),
            start: Position::MIN,
            end: None,
        }
    }

    /// Whether `start..=end` overlaps this region (same contig assumed).
    pub fn overlaps(&self, start: Position, end: Position) -> bool {
        end >= self.start && self.end.is_none_or(|e| start <= e)
    }

    /// Whether `position` lies in this region (same contig assumed).
    pub fn contains(&self, position: Position) -> bool {
        self.overlaps(position, position)
    }

    /// Parses one BED line (`CONTIG START0 END`, 0-based half-open) into a region.
    ///
    /// ```
    /// let region = provar_core::Region::from_bed_line("20\t0\t100")?;
    /// assert_eq!(region.to_string(), "20:1-100");
    /// # Ok::<_, provar_core::region::ParseError>(())
    /// ```
    pub fn from_bed_line(line: &str) -> Result<Self, ParseError> {
        let invalid = || ParseError::InvalidBed(line.to_owned());
        let mut fields = line.split('\t');
        let (Some(contig), Some(start0), Some(end)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(invalid());
        };
        let start0: u64 = start0.trim().parse().map_err(|_| invalid())?;
        let end: u64 = end.trim().parse().map_err(|_| invalid())?;
        if contig.is_empty() || start0 >= end {
            return Err(invalid());
        }
        Ok(Self {
            contig: contig.to_owned(),
            start: Position::new(start0 + 1).ok_or_else(invalid)?,
            end: Position::new(end),
        })
    }
}

impl FromStr for Region {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || ParseError::InvalidInterval(s.to_owned());
        let parse = |t: &str| -> Option<Position> { t.replace(',', "").parse().ok() };
        let Some((contig, interval)) = s.rsplit_once(':') else {
            return if s.is_empty() {
                Err(ParseError::MissingContig(s.to_owned()))
            } else {
                Ok(Self::contig(s))
            };
        };
        if contig.is_empty() {
            return Err(ParseError::MissingContig(s.to_owned()));
        }
        let (start, end) = match interval.split_once('-') {
            None => {
                let p = parse(interval).ok_or_else(invalid)?;
                (p, Some(p))
            }
            Some((start, "")) => (parse(start).ok_or_else(invalid)?, None),
            Some((start, end)) => (
                parse(start).ok_or_else(invalid)?,
                Some(parse(end).ok_or_else(invalid)?),
            ),
        };
        if end.is_some_and(|e| e < start) {
            return Err(invalid());
        }
        Ok(Self {
            contig: contig.to_owned(),
            start,
            end,
        })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}-", self.contig, self.start)?;
        if let Some(end) = self.end {
            write!(f, "{end}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_bcftools_forms() -> Result<(), ParseError> {
        assert_eq!("1:100-200".parse::<Region>()?.to_string(), "1:100-200");
        assert_eq!("1:100".parse::<Region>()?.to_string(), "1:100-100");
        assert_eq!("1:100-".parse::<Region>()?.to_string(), "1:100-");
        // A contig name with a colon keeps everything before the last colon.
        assert_eq!("HLA-A*01:01:1-5".parse::<Region>()?.contig, "HLA-A*01:01");
        Ok(())
    }

    #[test]
    fn rejects_bad_intervals() {
        for s in ["1:0-5", "1:5-4", "1:a-b", ":1-2", ""] {
            assert!(s.parse::<Region>().is_err(), "{s}");
        }
        assert!(Region::from_bed_line("1\t5\t5").is_err());
        assert!(Region::from_bed_line("1\t5").is_err());
    }

    #[test]
    fn overlap_is_inclusive() -> Result<(), ParseError> {
        let r: Region = "1:100-200".parse()?;
        let p = |n| Position::new(n).expect("non-zero");
        assert!(r.overlaps(p(90), p(100)));
        assert!(r.overlaps(p(200), p(300)));
        assert!(!r.overlaps(p(201), p(300)));
        assert!(!r.overlaps(p(10), p(99)));
        Ok(())
    }
}
