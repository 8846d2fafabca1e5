//! BLAKE3 digests of byte strings and files.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::Error;

/// Files strictly larger than this many bytes are hashed through a memory map
/// with rayon parallelism; smaller files are hashed with a streaming read.
pub const MMAP_THRESHOLD: u64 = 1024 * 1024;

/// A 32-byte BLAKE3 digest.
///
/// `Display` writes 64 lowercase hex characters; `FromStr` parses exactly that
/// form (uppercase hex is rejected so that a digest has one spelling). Serde
/// (de)serialises it as the same hex string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The all-zero digest, used as `prev` of the first record.
    pub const ZERO: Digest = Digest([0; 32]);
}

impl From<blake3::Hash> for Digest {
    fn from(hash: blake3::Hash) -> Self {
        Digest(*hash.as_bytes())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// The error returned when a string is not 64 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid blake3 digest {input:?}: expected 64 lowercase hex characters")]
pub struct ParseDigestError {
    /// The rejected input.
    pub input: String,
}

impl FromStr for Digest {
    type Err = ParseDigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDigestError {
            input: s.to_owned(),
        };
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return Err(err());
        }
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut out = [0u8; 32];
        for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let hi = nibble(pair[0]).ok_or_else(err)?;
            let lo = nibble(pair[1]).ok_or_else(err)?;
            *slot = (hi << 4) | lo;
        }
        Ok(Digest(out))
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// BLAKE3 digest of a byte string.
pub fn hash_bytes(bytes: &[u8]) -> Digest {
    blake3::hash(bytes).into()
}

/// Size in bytes and BLAKE3 digest of a file's contents.
///
/// Files larger than [`MMAP_THRESHOLD`] are memory-mapped and hashed with
/// rayon (`Hasher::update_mmap_rayon`); smaller ones are read in a stream.
/// Both paths give the same digest as [`hash_bytes`] of the whole contents.
/// The returned size is the number of bytes actually hashed.
///
/// A directory is hashed by its manifest ([`dir_manifest`]): the returned size is the sum
/// of its files' sizes and the digest is BLAKE3 of the manifest text.
pub fn hash_file(path: &Path) -> Result<(u64, Digest), Error> {
    if std::fs::metadata(path).map_err(Error::io(path))?.is_dir() {
        let (manifest, size) = dir_manifest(path)?;
        return Ok((size, hash_bytes(manifest.as_bytes())));
    }
    let io = Error::io(path);
    let file = std::fs::File::open(path).map_err(&io)?;
    let len = file.metadata().map_err(&io)?.len();
    let mut hasher = blake3::Hasher::new();
    if len > MMAP_THRESHOLD {
        drop(file);
        hasher.update_mmap_rayon(path).map_err(&io)?;
    } else {
        hasher.update_reader(file).map_err(&io)?;
    }
    Ok((hasher.count(), hasher.finalize().into()))
}

/// The manifest of a directory, and the total size of its files: the line
/// `provar-dir-manifest v1`, then one line `BLAKE3  SIZE  PATH` per regular file below it
/// (recursively; PATH relative with `/` separators; sorted by the bytes of PATH). A
/// symbolic link is listed with the BLAKE3 of its target path text and size 0 (it is not
/// followed); other file types are refused. Renaming, adding, removing or changing any
/// file changes the manifest.
pub fn dir_manifest(dir: &Path) -> Result<(String, u64), Error> {
    let mut entries: Vec<(String, Digest, u64)> = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&path).map_err(Error::io(&path))? {
            let entry = entry.map_err(Error::io(&path))?;
            let name = entry.file_name();
            let name = name.to_str().ok_or_else(|| Error::InvalidPath {
                path: entry.path(),
                reason: "path is not valid UTF-8".to_owned(),
            })?;
            let relative = if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry.file_type().map_err(Error::io(&entry.path()))?;
            if kind.is_dir() {
                stack.push((entry.path(), relative));
            } else if kind.is_symlink() {
                let target = std::fs::read_link(entry.path()).map_err(Error::io(&entry.path()))?;
                let text = target.to_string_lossy().into_owned();
                entries.push((relative, hash_bytes(text.as_bytes()), 0));
            } else if kind.is_file() {
                let (size, digest) = hash_file(&entry.path())?;
                entries.push((relative, digest, size));
            } else {
                return Err(Error::InvalidPath {
                    path: entry.path(),
                    reason: "neither a file, a directory nor a symbolic link".to_owned(),
                });
            }
        }
    }
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut manifest = String::from("provar-dir-manifest v1\n");
    let mut total = 0u64;
    for (path, digest, size) in &entries {
        manifest.push_str(&format!("{digest}  {size}  {path}\n"));
        total += size;
    }
    Ok((manifest, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_hashes_as_its_manifest() -> Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("shards");
        std::fs::create_dir_all(dir.join("2"))?;
        std::fs::write(dir.join("1.txt"), b"one")?;
        std::fs::write(dir.join("2/b.txt"), b"bee")?;
        let (size, digest) = hash_file(&dir)?;
        let expected = format!(
            "provar-dir-manifest v1\n{}  3  1.txt\n{}  3  2/b.txt\n",
            hash_bytes(b"one"),
            hash_bytes(b"bee")
        );
        assert_eq!((size, digest), (6, hash_bytes(expected.as_bytes())));
        // Renaming a file changes the digest though no byte changed.
        std::fs::rename(dir.join("1.txt"), dir.join("0.txt"))?;
        assert_ne!(hash_file(&dir)?.1, digest);
        Ok(())
    }

    #[test]
    fn hex_round_trip() {
        let d = hash_bytes(b"provar");
        let hex = d.to_string();
        assert_eq!(hex.len(), 64);
        assert!(hex
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_eq!(hex, blake3::hash(b"provar").to_hex().as_str());
        assert_eq!(hex.parse::<Digest>(), Ok(d));
    }

    #[test]
    fn zero_digest_is_64_zeros() {
        assert_eq!(Digest::ZERO.to_string(), "0".repeat(64));
    }

    #[test]
    fn rejects_bad_hex() {
        assert!("abc".parse::<Digest>().is_err());
        assert!("g".repeat(64).parse::<Digest>().is_err());
        assert!("A".repeat(64).parse::<Digest>().is_err());
        assert!(format!("{}é", "0".repeat(62)).parse::<Digest>().is_err());
    }

    #[test]
    fn serde_uses_hex_string() -> Result<(), serde_json::Error> {
        let d = hash_bytes(b"x");
        let json = serde_json::to_string(&d)?;
        assert_eq!(json, format!("\"{d}\""));
        assert_eq!(serde_json::from_str::<Digest>(&json)?, d);
        assert!(serde_json::from_str::<Digest>("\"nothex\"").is_err());
        Ok(())
    }
}
