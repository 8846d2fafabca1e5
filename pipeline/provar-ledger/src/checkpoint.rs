//! Checkpoints in the C2SP `tlog-checkpoint` format (<https://c2sp.org/tlog-checkpoint>).
//!
//! The note text is three lines: the origin, the tree size in decimal, and the base64
//! root hash; a signed checkpoint adds a blank line and signature lines (see
//! [`note`](crate::note)).
//!
//! ```text
//! provar-ledger/3f2a9c0d1e4b5a67
//! 3
//! 0yo5BGQp...=
//!
//! — lab.example/provar AbCdEf...=
//! ```

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::merkle::Hash;
use crate::note::{NoteError, SignedNote};

/// Prefix of the origin line of every provar ledger checkpoint.
pub const ORIGIN_PREFIX: &str = "provar-ledger/";

/// A tree head: origin, size and root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity (`provar-ledger/<ledger id>` for provar ledgers).
    pub origin: String,
    /// Number of records (leaves).
    pub size: u64,
    /// The RFC 6962 root over the first `size` records.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text: `origin\nsize\nbase64(root)\n`.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root)
        )
    }

    /// Parses a note text (extension lines after the root are allowed and ignored).
    pub fn from_text(text: &str) -> Result<Checkpoint, NoteError> {
        let invalid = |r: String| NoteError::InvalidNote(format!("not a checkpoint: {r}"));
        let mut lines = text.lines();
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| invalid("the origin line is empty".to_owned()))?;
        let size_line = lines
            .next()
            .ok_or_else(|| invalid("the tree size line is missing".to_owned()))?;
        let size_ok = !size_line.is_empty()
            && size_line.bytes().all(|b| b.is_ascii_digit())
            && (size_line == "0" || !size_line.starts_with('0'));
        let size = size_line
            .parse::<u64>()
            .ok()
            .filter(|_| size_ok)
            .ok_or_else(|| invalid(format!("tree size {size_line:?} is not a decimal number")))?;
        let root_line = lines
            .next()
            .ok_or_else(|| invalid("the root hash line is missing".to_owned()))?;
        let root: Hash = BASE64
            .decode(root_line)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| invalid(format!("root hash {root_line:?} is not 32 bytes of base64")))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// A checkpoint with the signed note that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The parsed tree head.
    pub checkpoint: Checkpoint,
    /// The note (text and signatures) as read or to be written.
    pub note: SignedNote,
}

impl SignedCheckpoint {
    /// An unsigned checkpoint.
    pub fn unsigned(checkpoint: Checkpoint) -> SignedCheckpoint {
        let note = SignedNote {
            text: checkpoint.text(),
            signatures: Vec::new(),
        };
        SignedCheckpoint { checkpoint, note }
    }
}

impl FromStr for SignedCheckpoint {
    type Err = NoteError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let note = SignedNote::parse(s)?;
        let checkpoint = Checkpoint::from_text(&note.text)?;
        Ok(SignedCheckpoint { checkpoint, note })
    }
}

impl fmt::Display for SignedCheckpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.note.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c2sp_example_checkpoint_parses() -> Result<(), NoteError> {
        // The example of the C2SP tlog-checkpoint spec (C2SP/C2SP tlog-checkpoint.md at
        // commit 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9).
        let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
        let cp: SignedCheckpoint = text.parse()?;
        assert_eq!(cp.checkpoint.origin, "example.com/behind-the-sofa");
        assert_eq!(cp.checkpoint.size, 20_852_163);
        assert_eq!(
            BASE64.encode(cp.checkpoint.root),
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
        );
        assert_eq!(cp.note.signatures.len(), 1);
        assert_eq!(cp.to_string(), text);
        Ok(())
    }

    #[test]
    fn bad_checkpoints_are_rejected() {
        for bad in [
            "origin\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx=\n",
            "origin\n1\n",
            "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        ] {
            assert!(bad.parse::<SignedCheckpoint>().is_err(), "{bad:?}");
        }
        let ok = "origin\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next\n";
        assert!(ok.parse::<SignedCheckpoint>().is_ok());
    }
}
