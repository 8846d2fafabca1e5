//! Inclusion and consistency proofs as small text files, and their offline check.
//!
//! An inclusion proof shows that one record line is record `N` of the log at tree size
//! `S`; a consistency proof shows that the log at size `S1` is a prefix of the log at size
//! `S2`. Both are checked against a checkpoint (ideally signed, see
//! [`checkpoint`](crate::checkpoint)). Hashes are base64 (as in checkpoints), one per
//! line, in RFC 9162 order (nearest the leaf first):
//!
//! ```text
//! provar inclusion proof v1
//! origin provar-ledger/3f2a9c0d1e4b5a67
//! tree-size 5
//! record 3
//! leaf <base64 SHA-256(0x00 || record line)>
//! root <base64 root at tree-size>
//! path <base64>
//! path <base64>
//! ```
//!
//! ```text
//! provar consistency proof v1
//! origin provar-ledger/3f2a9c0d1e4b5a67
//! old-size 3
//! old-root <base64>
//! new-size 5
//! new-root <base64>
//! path <base64>
//! ```
//!
//! `record` is the record's `seq` (1-based); its leaf index is `record - 1`. The proofs
//! carry their roots only for convenience: [`check`] requires them to equal the
//! checkpoint's.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::checkpoint::SignedCheckpoint;
use crate::ledger::origin_for;
use crate::merkle::{self, hex, Hash};
use crate::note::{SignatureCheck, Verifier};
use crate::{Error, Ledger};

/// An inclusion proof for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// The log's origin.
    pub origin: String,
    /// The tree size the proof is for.
    pub tree_size: u64,
    /// The record's seq (1-based).
    pub record: u64,
    /// The record line's leaf hash.
    pub leaf: Hash,
    /// The root at `tree_size`.
    pub root: Hash,
    /// The audit path.
    pub path: Vec<Hash>,
}

/// A consistency proof between two tree sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    /// The log's origin.
    pub origin: String,
    /// The older tree size.
    pub old_size: u64,
    /// The root at `old_size`.
    pub old_root: Hash,
    /// The newer tree size.
    pub new_size: u64,
    /// The root at `new_size`.
    pub new_root: Hash,
    /// The consistency path.
    pub path: Vec<Hash>,
}

/// Either kind of proof, as read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// `provar inclusion proof v1`.
    Inclusion(InclusionProof),
    /// `provar consistency proof v1`.
    Consistency(ConsistencyProof),
}

const INCLUSION_MAGIC: &str = "provar inclusion proof v1";
const CONSISTENCY_MAGIC: &str = "provar consistency proof v1";

impl fmt::Display for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proof::Inclusion(p) => {
                writeln!(f, "{INCLUSION_MAGIC}")?;
                writeln!(f, "origin {}", p.origin)?;
                writeln!(f, "tree-size {}", p.tree_size)?;
                writeln!(f, "record {}", p.record)?;
                writeln!(f, "leaf {}", BASE64.encode(p.leaf))?;
                writeln!(f, "root {}", BASE64.encode(p.root))?;
                for h in &p.path {
                    writeln!(f, "path {}", BASE64.encode(h))?;
                }
            }
            Proof::Consistency(p) => {
                writeln!(f, "{CONSISTENCY_MAGIC}")?;
                writeln!(f, "origin {}", p.origin)?;
                writeln!(f, "old-size {}", p.old_size)?;
                writeln!(f, "old-root {}", BASE64.encode(p.old_root))?;
                writeln!(f, "new-size {}", p.new_size)?;
                writeln!(f, "new-root {}", BASE64.encode(p.new_root))?;
                for h in &p.path {
                    writeln!(f, "path {}", BASE64.encode(h))?;
                }
            }
        }
        Ok(())
    }
}

/// A proof file that does not follow the format; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid proof at line {line}: {reason}")]
pub struct ParseProofError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

struct Fields<'a> {
    lines: std::iter::Peekable<std::iter::Enumerate<std::str::Lines<'a>>>,
    /// Number of lines in the input, for "missing line" errors.
    total: usize,
}

impl<'a> Fields<'a> {
    fn field(&mut self, key: &str) -> Result<&'a str, ParseProofError> {
        let (i, line) = self.lines.next().ok_or_else(|| ParseProofError {
            line: self.total + 1,
            reason: format!("missing `{key}` line"),
        })?;
        line.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or_else(|| ParseProofError {
                line: i + 1,
                reason: format!("expected `{key} ...`"),
            })
            .map(|v| v.trim_end_matches('\r'))
    }

    fn number(&mut self, key: &str) -> Result<u64, ParseProofError> {
        let line = self.lines.peek().map_or(0, |(i, _)| i + 1);
        let value = self.field(key)?;
        value.parse().map_err(|_| ParseProofError {
            line,
            reason: format!("`{key}` is not a number: {value:?}"),
        })
    }

    fn hash(&mut self, key: &str) -> Result<Hash, ParseProofError> {
        let line = self.lines.peek().map_or(0, |(i, _)| i + 1);
        let value = self.field(key)?;
        decode_hash(value).ok_or_else(|| ParseProofError {
            line,
            reason: format!("`{key}` is not 32 bytes of base64: {value:?}"),
        })
    }

    fn path(&mut self) -> Result<Vec<Hash>, ParseProofError> {
        let mut path = Vec::new();
        while self.lines.peek().is_some() {
            path.push(self.hash("path")?);
        }
        Ok(path)
    }
}

fn decode_hash(s: &str) -> Option<Hash> {
    BASE64.decode(s).ok()?.try_into().ok()
}

impl FromStr for Proof {
    type Err = ParseProofError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut fields = Fields {
            lines: s.lines().enumerate().peekable(),
            total: s.lines().count(),
        };
        let magic = fields.lines.next().map(|(_, l)| l.trim_end_matches('\r'));
        match magic {
            Some(INCLUSION_MAGIC) => Ok(Proof::Inclusion(InclusionProof {
                origin: fields.field("origin")?.to_owned(),
                tree_size: fields.number("tree-size")?,
                record: fields.number("record")?,
                leaf: fields.hash("leaf")?,
                root: fields.hash("root")?,
                path: fields.path()?,
            })),
            Some(CONSISTENCY_MAGIC) => Ok(Proof::Consistency(ConsistencyProof {
                origin: fields.field("origin")?.to_owned(),
                old_size: fields.number("old-size")?,
                old_root: fields.hash("old-root")?,
                new_size: fields.number("new-size")?,
                new_root: fields.hash("new-root")?,
                path: fields.path()?,
            })),
            _ => Err(ParseProofError {
                line: 1,
                reason: format!("expected `{INCLUSION_MAGIC}` or `{CONSISTENCY_MAGIC}`"),
            }),
        }
    }
}

impl Ledger {
    fn proof_request_error(&self, reason: String) -> Error {
        Error::InvalidProofRequest {
            path: self.records_path(),
            reason,
        }
    }

    /// Inclusion proof for record `record` (1-based seq) in the tree of the first
    /// `tree_size` records (default: all complete lines).
    pub fn inclusion_proof(
        &self,
        record: u64,
        tree_size: Option<u64>,
    ) -> Result<InclusionProof, Error> {
        let leaves = self.leaves()?;
        let all = leaves.len() as u64;
        let size = tree_size.unwrap_or(all);
        if size > all {
            return Err(self.proof_request_error(format!(
                "tree size {size} is larger than the log ({all} records)"
            )));
        }
        if record == 0 || record > size {
            return Err(self.proof_request_error(format!(
                "record {record} is not in a tree of {size} records"
            )));
        }
        let tree = &leaves[..size as usize];
        let path = merkle::inclusion_proof(tree, record - 1)
            .map_err(|e| self.proof_request_error(e.to_string()))?;
        Ok(InclusionProof {
            origin: self.origin()?,
            tree_size: size,
            record,
            leaf: tree[record as usize - 1],
            root: merkle::root(tree),
            path,
        })
    }

    /// Consistency proof from the tree of the first `old_size` records to the tree of the
    /// first `new_size` records (default: all complete lines).
    pub fn consistency_proof(
        &self,
        old_size: u64,
        new_size: Option<u64>,
    ) -> Result<ConsistencyProof, Error> {
        let leaves = self.leaves()?;
        let all = leaves.len() as u64;
        let new = new_size.unwrap_or(all);
        if new > all {
            return Err(self.proof_request_error(format!(
                "tree size {new} is larger than the log ({all} records)"
            )));
        }
        if old_size > new {
            return Err(self.proof_request_error(format!(
                "old size {old_size} is larger than new size {new}"
            )));
        }
        let tree = &leaves[..new as usize];
        let path = merkle::consistency_proof(tree, old_size)
            .map_err(|e| self.proof_request_error(e.to_string()))?;
        Ok(ConsistencyProof {
            origin: self.origin()?,
            old_size,
            old_root: merkle::root(&tree[..old_size as usize]),
            new_size: new,
            new_root: merkle::root(tree),
            path,
        })
    }

    /// The ledger's checkpoint origin (from its first record).
    pub fn origin(&self) -> Result<String, Error> {
        let lines = self.read_lines()?;
        let list = lines.lines();
        let first = list.first().ok_or_else(|| Error::Empty {
            path: self.records_path(),
        })?;
        Ok(origin_for(first))
    }
}

/// What [`check`] is given besides the proof.
#[derive(Debug, Clone, Default)]
pub struct CheckInputs<'a> {
    /// Keys trusted to sign the checkpoints; `None` skips signature checks.
    pub trusted_keys: Option<&'a [Verifier]>,
    /// For an inclusion proof: the record line itself (a trailing newline is ignored).
    pub record_line: Option<&'a [u8]>,
    /// For a consistency proof: the older checkpoint, whose size and root must match.
    pub old_checkpoint: Option<&'a SignedCheckpoint>,
}

/// Checks `proof` against `checkpoint` offline. `Ok` carries a one-line summary; `Err`
/// lists every finding.
pub fn check(
    proof: &Proof,
    checkpoint: &SignedCheckpoint,
    inputs: &CheckInputs<'_>,
) -> Result<String, Vec<String>> {
    let mut findings = Vec::new();
    let head = &checkpoint.checkpoint;
    let mut signed = String::new();
    if let Some(trusted) = inputs.trusted_keys {
        match checkpoint.note.check(trusted) {
            SignatureCheck::Verified(keys) => {
                signed = format!(", checkpoint signed by {}", keys.join(", "))
            }
            SignatureCheck::Bad(key) => findings.push(format!(
                "checkpoint signature by trusted key {key} does not verify"
            )),
            SignatureCheck::NoTrustedSignature(found) if found.is_empty() => {
                findings
                    .push("checkpoint is not signed by a trusted key: it is unsigned".to_owned());
            }
            SignatureCheck::NoTrustedSignature(found) => findings.push(format!(
                "checkpoint is not signed by a trusted key: signed only by unknown key(s) {}",
                found.join(", ")
            )),
        }
    }
    let summary = match proof {
        Proof::Inclusion(p) => {
            check_head(
                &mut findings,
                "checkpoint",
                head,
                &p.origin,
                p.tree_size,
                &p.root,
            );
            if let Some(line) = inputs.record_line {
                let line = line.strip_suffix(b"\n").unwrap_or(line);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let leaf = merkle::leaf_hash(line);
                if leaf != p.leaf {
                    findings.push(format!(
                        "the record file's leaf hash {} is not the proof's leaf {} (the record was altered)",
                        hex(&leaf),
                        hex(&p.leaf)
                    ));
                }
            }
            if p.record == 0 {
                findings.push("record 0 does not exist (records count from 1)".to_owned());
            } else if let Err(e) =
                merkle::verify_inclusion(p.record - 1, p.tree_size, &p.leaf, &p.path, &head.root)
            {
                findings.push(format!("inclusion proof of record {} fails: {e}", p.record));
            }
            format!(
                "record {} is included in log {} at size {}{signed}",
                p.record, head.origin, head.size
            )
        }
        Proof::Consistency(p) => {
            check_head(
                &mut findings,
                "checkpoint",
                head,
                &p.origin,
                p.new_size,
                &p.new_root,
            );
            if let Some(old) = inputs.old_checkpoint {
                check_head(
                    &mut findings,
                    "old checkpoint",
                    &old.checkpoint,
                    &p.origin,
                    p.old_size,
                    &p.old_root,
                );
                if let Some(trusted) = inputs.trusted_keys {
                    if !old.note.check(trusted).is_ok() {
                        findings.push(
                            "old checkpoint is not validly signed by a trusted key".to_owned(),
                        );
                    }
                }
            }
            if let Err(e) =
                merkle::verify_consistency(p.old_size, p.new_size, &p.path, &p.old_root, &head.root)
            {
                findings.push(format!(
                    "consistency proof from size {} to {} fails: {e}",
                    p.old_size, p.new_size
                ));
            }
            format!(
                "log {} at size {} extends its tree of size {} (root {}){signed}",
                head.origin,
                head.size,
                p.old_size,
                BASE64.encode(p.old_root)
            )
        }
    };
    if findings.is_empty() {
        Ok(summary)
    } else {
        Err(findings)
    }
}

fn check_head(
    findings: &mut Vec<String>,
    what: &str,
    head: &crate::Checkpoint,
    origin: &str,
    size: u64,
    root: &Hash,
) {
    if head.origin != origin {
        findings.push(format!(
            "{what} is for log {}, the proof for log {origin}",
            head.origin
        ));
    }
    if head.size != size {
        findings.push(format!(
            "{what} has tree size {}, the proof is for size {size}",
            head.size
        ));
    }
    if head.root != *root {
        findings.push(format!(
            "{what} root {} differs from the proof's root {}",
            BASE64.encode(head.root),
            BASE64.encode(root)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proofs_round_trip_through_text() -> Result<(), ParseProofError> {
        let h = |b: u8| [b; 32];
        let inclusion = Proof::Inclusion(InclusionProof {
            origin: "provar-ledger/0123456789abcdef".into(),
            tree_size: 5,
            record: 3,
            leaf: h(1),
            root: h(2),
            path: vec![h(3), h(4)],
        });
        assert_eq!(inclusion.to_string().parse::<Proof>()?, inclusion);
        let consistency = Proof::Consistency(ConsistencyProof {
            origin: "o".into(),
            old_size: 2,
            old_root: h(5),
            new_size: 4,
            new_root: h(6),
            path: vec![],
        });
        assert_eq!(consistency.to_string().parse::<Proof>()?, consistency);
        let err = inclusion
            .to_string()
            .replace("record 3", "record x")
            .parse::<Proof>()
            .expect_err("bad number");
        assert_eq!(err.line, 4);
        assert!("nonsense\n".parse::<Proof>().is_err());
        Ok(())
    }
}
