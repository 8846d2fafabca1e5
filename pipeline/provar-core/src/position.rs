//! 1-based positions.

use std::{fmt, num::NonZeroU64, str::FromStr};

/// A 1-based, non-zero coordinate on a contig, as written in VCF's POS column.
///
/// ```
/// use provar_core::Position;
/// assert!(Position::new(0).is_none());
/// assert_eq!("42".parse::<Position>().map(|p| p.get()), Ok(42));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position(NonZeroU64);

impl Position {
    /// Position 1.
    pub const MIN: Position = Position(NonZeroU64::MIN);

    /// Creates a position from a 1-based value; `None` for 0.
    pub const fn new(value: u64) -> Option<Self> {
        match NonZeroU64::new(value) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The 1-based value.
    pub const fn get(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a position failed to parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParsePositionError {
    /// The text is not an unsigned integer.
    #[error("invalid position: {0:?} is not a positive integer")]
    Invalid(String),
    /// The value is 0, which VCF reserves for telomeres and provar does not support.
    #[error("invalid position: 0 (telomere positions are not supported)")]
    Zero,
}

impl FromStr for Position {
    type Err = ParsePositionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: u64 = s
            .parse()
            .map_err(|_| ParsePositionError::Invalid(s.to_owned()))?;
        Position::new(n).ok_or(ParsePositionError::Zero)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_garbage_are_rejected() {
        assert_eq!("0".parse::<Position>(), Err(ParsePositionError::Zero));
        assert!(matches!(
            "-1".parse::<Position>(),
            Err(ParsePositionError::Invalid(_))
        ));
        assert!(matches!(
            "1e5".parse::<Position>(),
            Err(ParsePositionError::Invalid(_))
        ));
    }
}
