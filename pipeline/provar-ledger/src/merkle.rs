//! The Merkle log over `records.jsonl`: RFC 6962 / RFC 9162 tree hashing with SHA-256,
//! inclusion and consistency proofs, and their verification.
//!
//! - leaf hash: `SHA-256(0x00 || line)`, where `line` is one record line without its newline;
//! - node hash: `SHA-256(0x01 || left || right)`;
//! - the root of an empty tree is `SHA-256("")`;
//! - a tree of `n > 1` leaves splits at `k`, the largest power of two below `n`.
//!
//! This is the construction of Certificate Transparency, Go's `transparency-dev/merkle`,
//! Sigstore's Rekor and every C2SP `tlog-checkpoint` log, so roots and proofs written by
//! provar can be checked with their verifiers.
//!
//! ```
//! use provar_ledger::merkle;
//!
//! let leaves: Vec<_> = [b"a".as_slice(), b"b", b"c"].iter().map(|l| merkle::leaf_hash(l)).collect();
//! let root = merkle::root(&leaves);
//! let proof = merkle::inclusion_proof(&leaves, 1)?;
//! merkle::verify_inclusion(1, 3, &leaves[1], &proof, &root)?;
//! let consistency = merkle::consistency_proof(&leaves, 2)?;
//! merkle::verify_consistency(2, 3, &consistency, &merkle::root(&leaves[..2]), &root)?;
//! # Ok::<(), merkle::ProofError>(())
//! ```

use sha2::{Digest as _, Sha256};

/// A SHA-256 tree hash (leaf, node or root).
pub type Hash = [u8; 32];

/// Why a proof could not be made or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// 0-based leaf index.
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// A consistency proof was asked for or checked from a larger to a smaller tree.
    #[error("tree size {old} is larger than tree size {new}")]
    SizeOrder {
        /// The first (older) tree size.
        old: u64,
        /// The second (newer) tree size.
        new: u64,
    },
    /// The proof has the wrong number of hashes for the sizes it claims.
    #[error("proof has {found} hashes, expected {expected}")]
    WrongLength {
        /// Hashes in the proof.
        found: usize,
        /// Hashes a valid proof has.
        expected: usize,
    },
    /// The proof does not lead to the expected root.
    #[error("proof does not lead to the expected root: computed {computed}, expected {expected}")]
    RootMismatch {
        /// The root computed from the proof (hex).
        computed: String,
        /// The root it should have matched (hex).
        expected: String,
    },
}

/// Leaf hash of one record line (without its newline): `SHA-256(0x00 || line)`.
pub fn leaf_hash(line: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(line);
    hasher.finalize().into()
}

/// Interior node hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// Root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

/// Lowercase hex of a hash, for messages.
pub fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Largest power of two strictly below `n` (`n >= 2`).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The Merkle tree hash of a list of leaf hashes (RFC 9162 section 2.1.1).
///
/// Runs in one pass with a stack of at most log2(n) subtree roots.
pub fn root(leaves: &[Hash]) -> Hash {
    let mut builder = RootBuilder::default();
    for leaf in leaves {
        builder.push(*leaf);
    }
    builder.root()
}

/// Incremental root computation: push leaf hashes one by one, read the root at any time.
///
/// Holds the roots of the perfect subtrees that make up the tree so far (a "compact
/// range"), at most one per bit of the size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootBuilder {
    /// Perfect subtree roots, largest (leftmost) first, with their sizes.
    stack: Vec<(u64, Hash)>,
    size: u64,
}

impl RootBuilder {
    /// Appends one leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (1_u64, leaf);
        while let Some(&(size, hash)) = self.stack.last() {
            if size != node.0 {
                break;
            }
            self.stack.pop();
            node = (size * 2, node_hash(&hash, &node.1));
        }
        self.stack.push(node);
        self.size += 1;
    }

    /// Number of leaves pushed.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the tree of all leaves pushed so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(&(_, mut acc)) = iter.next() else {
            return empty_root();
        };
        for (_, hash) in iter {
            acc = node_hash(hash, &acc);
        }
        acc
    }
}

/// Inclusion proof (audit path) for leaf `index` (0-based) in the tree of all `leaves`
/// (RFC 9162 section 2.1.3.1), nearest sibling first.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    let size = leaves.len() as u64;
    let m = usize::try_from(index)
        .ok()
        .filter(|&m| m < leaves.len())
        .ok_or(ProofError::IndexOutOfRange { index, size })?;
    let mut proof = Vec::new();
    path(m, leaves, &mut proof);
    Ok(proof)
}

fn path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &leaves[..k], out);
        out.push(root(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], out);
        out.push(root(&leaves[..k]));
    }
}

/// Consistency proof between the tree of the first `old_size` leaves and the tree of
/// all `leaves` (RFC 9162 section 2.1.4.1). Empty when `old_size` is 0 or equals the size.
pub fn consistency_proof(leaves: &[Hash], old_size: u64) -> Result<Vec<Hash>, ProofError> {
    let new = leaves.len() as u64;
    let m = usize::try_from(old_size)
        .ok()
        .filter(|&m| m <= leaves.len())
        .ok_or(ProofError::SizeOrder { old: old_size, new })?;
    let mut proof = Vec::new();
    if m > 0 {
        subproof(m, leaves, true, &mut proof);
    }
    Ok(proof)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root(&leaves[..k]));
    }
}

/// Checks an inclusion proof: that `leaf` is leaf `index` (0-based) of the tree of
/// `size` leaves whose root is `root` (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            found: proof.len(),
            expected,
        });
    }
    let mut fnode = index;
    let mut snode = size - 1;
    let mut acc = *leaf;
    for sibling in proof {
        if fnode & 1 == 1 || fnode == snode {
            acc = node_hash(sibling, &acc);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            acc = node_hash(&acc, sibling);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength {
            found: proof.len(),
            expected,
        });
    }
    check_root(&acc, root)
}

/// Hashes in a valid inclusion proof for leaf `index` of a tree of `size` leaves.
fn inclusion_proof_len(index: u64, size: u64) -> usize {
    // Levels where the path has a sibling: the bits where index and size-1 differ
    // (below their common prefix) plus the levels where index's subtree has a right
    // neighbour on the right border.
    let last = size - 1;
    let inner = (u64::BITS - (index ^ last).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    inner + border
}

/// Checks a consistency proof: that the tree of `old_size` leaves with root `old_root`
/// is a prefix of the tree of `new_size` leaves with root `new_root`
/// (RFC 9162 section 2.1.4.2).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::SizeOrder {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength {
                found: proof.len(),
                expected: 0,
            });
        }
        return check_root(old_root, new_root);
    }
    if old_size == 0 {
        // The empty tree is a prefix of every tree.
        if !proof.is_empty() {
            return Err(ProofError::WrongLength {
                found: proof.len(),
                expected: 0,
            });
        }
        return Ok(());
    }
    let expected = consistency_proof_len(old_size, new_size);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            found: proof.len(),
            expected,
        });
    }
    // If the old tree is a complete subtree, its root is the first node of the path.
    let mut nodes = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        nodes.push(*old_root);
    }
    nodes.extend_from_slice(proof);
    let mut fnode = old_size - 1;
    let mut snode = new_size - 1;
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let Some((first, rest)) = nodes.split_first() else {
        return Err(ProofError::WrongLength { found: 0, expected });
    };
    let mut old_acc = *first;
    let mut new_acc = *first;
    for node in rest {
        if snode == 0 {
            return Err(ProofError::WrongLength {
                found: proof.len(),
                expected,
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            old_acc = node_hash(node, &old_acc);
            new_acc = node_hash(node, &new_acc);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            new_acc = node_hash(&new_acc, node);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength {
            found: proof.len(),
            expected,
        });
    }
    check_root(&old_acc, old_root)?;
    check_root(&new_acc, new_root)
}

/// Hashes in a valid consistency proof from `old_size` to `new_size` (0 < old < new).
fn consistency_proof_len(old_size: u64, new_size: u64) -> usize {
    // Skip the levels where the old tree's last leaf is a right child of a complete
    // subtree; then it is an inclusion proof of that subtree's root, plus the root itself
    // unless the old tree is a complete subtree.
    let shift = (old_size - 1).trailing_ones();
    let index = (old_size - 1) >> shift;
    let last = (new_size - 1) >> shift;
    let inner = (u64::BITS - (index ^ last).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    let extra = usize::from(!old_size.is_power_of_two());
    inner + border + extra
}

fn check_root(computed: &Hash, expected: &Hash) -> Result<(), ProofError> {
    if computed == expected {
        Ok(())
    } else {
        Err(ProofError::RootMismatch {
            computed: hex(computed),
            expected: hex(expected),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("test vector is hex"))
            .collect()
    }

    fn h(s: &str) -> Hash {
        unhex(s).try_into().expect("test vector is 32 bytes")
    }

    // Test vectors from Go's github.com/transparency-dev/merkle, proof/verify_test.go
    // (commit 02194e9afb6c1d95b5381350007963aa70fff472, Apache-2.0), which carries the
    // RFC 6962 reference vectors of google/certificate-transparency: eight leaf inputs,
    // the roots of the trees of their first 1..=8 leaves, and known-good proofs.
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    /// (1-based leaf, tree size, path)
    const INCLUSION: [(u64, u64, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            3,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            2,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    /// (old size, new size, path)
    const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];

    fn leaf_hashes() -> Vec<Hash> {
        LEAVES.iter().map(|l| leaf_hash(&unhex(l))).collect()
    }

    fn hashes(list: &[&str]) -> Vec<Hash> {
        list.iter().map(|s| h(s)).collect()
    }

    #[test]
    fn empty_tree_root_is_sha256_of_nothing() {
        assert_eq!(
            hex(&root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn roots_match_rfc6962_vectors() {
        let leaves = leaf_hashes();
        for (n, expected) in ROOTS.iter().enumerate() {
            assert_eq!(hex(&root(&leaves[..=n])), *expected, "size {}", n + 1);
        }
        let mut builder = RootBuilder::default();
        for (n, leaf) in leaves.iter().enumerate() {
            builder.push(*leaf);
            assert_eq!(hex(&builder.root()), ROOTS[n]);
            assert_eq!(builder.size(), n as u64 + 1);
        }
    }

    #[test]
    fn inclusion_proofs_match_and_verify_vectors() {
        let leaves = leaf_hashes();
        for (leaf, size, path) in INCLUSION {
            let tree = &leaves[..size as usize];
            let expected = hashes(path);
            assert_eq!(
                inclusion_proof(tree, leaf - 1),
                Ok(expected.clone()),
                "{leaf}/{size}"
            );
            let root = h(ROOTS[size as usize - 1]);
            let lh = leaves[leaf as usize - 1];
            assert_eq!(
                verify_inclusion(leaf - 1, size, &lh, &expected, &root),
                Ok(())
            );
            // Corruptions, as in the Go test: wrong index, size, leaf, root, extra/missing hashes.
            let bad = |index: u64, size: u64, lh: &Hash, proof: &[Hash], root: &Hash| {
                verify_inclusion(index, size, lh, proof, root).is_err()
            };
            assert!(bad(leaf, size, &lh, &expected, &root) || leaf == size);
            assert!(bad((leaf - 1) ^ 2, size, &lh, &expected, &root));
            assert!(bad(leaf - 1, size * 2, &lh, &expected, &root));
            assert!(bad(leaf - 1, size / 2, &lh, &expected, &root));
            assert!(bad(
                leaf - 1,
                size,
                &leaf_hash(b"WrongLeaf"),
                &expected,
                &root
            ));
            assert!(bad(leaf - 1, size, &lh, &expected, &empty_root()));
            let mut longer = expected.clone();
            longer.push(root);
            assert!(bad(leaf - 1, size, &lh, &longer, &root));
            let mut front = vec![root];
            front.extend_from_slice(&expected);
            assert!(bad(leaf - 1, size, &lh, &front, &root));
            for i in 0..expected.len() {
                let mut flipped = expected.clone();
                flipped[i][0] ^= 8;
                assert!(bad(leaf - 1, size, &lh, &flipped, &root));
                let mut shorter = expected.clone();
                shorter.remove(i);
                assert!(bad(leaf - 1, size, &lh, &shorter, &root));
            }
        }
    }

    #[test]
    fn consistency_proofs_match_and_verify_vectors() {
        let leaves = leaf_hashes();
        for (old, new, path) in CONSISTENCY {
            let expected = hashes(path);
            let tree = &leaves[..new as usize];
            assert_eq!(
                consistency_proof(tree, old),
                Ok(expected.clone()),
                "{old}->{new}"
            );
            let (r1, r2) = (h(ROOTS[old as usize - 1]), h(ROOTS[new as usize - 1]));
            assert_eq!(verify_consistency(old, new, &expected, &r1, &r2), Ok(()));
            if expected.is_empty() {
                continue;
            }
            let bad = |o: u64, n: u64, p: &[Hash], a: &Hash, b: &Hash| {
                verify_consistency(o, n, p, a, b).is_err()
            };
            assert!(bad(old - 1, new, &expected, &r1, &r2));
            assert!(bad(old + 1, new, &expected, &r1, &r2));
            assert!(bad(old ^ 2, new, &expected, &r1, &r2));
            assert!(bad(old, new * 2, &expected, &r1, &r2));
            assert!(bad(old, new / 2, &expected, &r1, &r2));
            assert!(bad(old, new, &expected, &empty_root(), &r2));
            assert!(bad(old, new, &expected, &r1, &empty_root()));
            assert!(bad(old, new, &expected, &r2, &r1));
            assert!(bad(old, new, &[], &r1, &r2));
            for extra in [r1, r2, expected[0]] {
                let mut longer = expected.clone();
                longer.push(extra);
                assert!(bad(old, new, &longer, &r1, &r2));
                let mut front = vec![extra];
                front.extend_from_slice(&expected);
                assert!(bad(old, new, &front, &r1, &r2));
            }
            assert!(bad(old, new, &expected[..expected.len() - 1], &r1, &r2));
            for i in 0..expected.len() {
                let mut flipped = expected.clone();
                flipped[i][0] ^= 16;
                assert!(bad(old, new, &flipped, &r1, &r2));
            }
        }
    }

    #[test]
    fn trivial_consistency_cases() {
        let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
        assert!(verify_consistency(0, 0, &[], &a, &a).is_ok());
        assert!(verify_consistency(0, 1, &[], &a, &b).is_ok());
        assert!(verify_consistency(1, 1, &[], &b, &b).is_ok());
        assert!(verify_consistency(1, 1, &[], &a, &b).is_err());
        assert!(verify_consistency(1, 0, &[], &a, &b).is_err());
        assert!(verify_consistency(2, 1, &[], &a, &b).is_err());
        assert!(verify_consistency(1, 2, &[], &a, &b).is_err());
        assert!(verify_consistency(1, 1, &[empty_root()], &a, &a).is_err());
        assert!(verify_consistency(0, 1, &[empty_root()], &a, &a).is_err());
        assert!(verify_inclusion(0, 0, &a, &[], &a).is_err());
        assert!(verify_inclusion(0, 1, &a, &[], &a).is_ok());
        assert!(verify_inclusion(1, 1, &a, &[], &a).is_err());
    }

    #[test]
    fn every_proof_in_small_trees_round_trips() {
        let leaves: Vec<Hash> = (0..33u8).map(|i| leaf_hash(&[i])).collect();
        for n in 1..=leaves.len() {
            let tree = &leaves[..n];
            let r = root(tree);
            for i in 0..n as u64 {
                let proof = inclusion_proof(tree, i).expect("index in range");
                assert_eq!(proof.len(), inclusion_proof_len(i, n as u64));
                verify_inclusion(i, n as u64, &tree[i as usize], &proof, &r)
                    .unwrap_or_else(|e| panic!("inclusion {i}/{n}: {e}"));
            }
            for m in 0..=n {
                let proof = consistency_proof(tree, m as u64).expect("size in range");
                if m > 0 && m < n {
                    assert_eq!(proof.len(), consistency_proof_len(m as u64, n as u64));
                }
                verify_consistency(m as u64, n as u64, &proof, &root(&tree[..m]), &r)
                    .unwrap_or_else(|e| panic!("consistency {m}->{n}: {e}"));
            }
        }
        assert!(inclusion_proof(&leaves, 33).is_err());
        assert!(consistency_proof(&leaves[..3], 4).is_err());
    }
}
