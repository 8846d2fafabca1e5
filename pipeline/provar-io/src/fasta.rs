//! Reference sequences from a FASTA file, read by region through noodles-fasta: with the
//! `.fai` index beside the file when there is one, else with the same index built by one
//! pass over the file. Sequences are never held in memory whole; each [`Reader::fetch`]
//! reads only the bases it returns.
//!
//! ```no_run
//! use provar_core::Position;
//! let mut fasta = provar_io::fasta::Reader::open("testdata/reads/mpileup.ref.fa".as_ref())?;
//! assert_eq!(fasta.length("17")?, 4200);
//! let start = Position::new(1).expect("non-zero");
//! let end = Position::new(4).expect("non-zero");
//! assert_eq!(fasta.fetch("17", start, end)?, b"AAGC");
//! # Ok::<_, provar_io::fasta::Error>(())
//! ```

use std::{
    collections::HashMap,
    fs::File,
    io::BufReader,
    path::{Path, PathBuf},
};

use noodles_fasta as fasta;
use provar_core::Position;

/// An error while reading a FASTA file. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("cannot read FASTA {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The `.fai` index beside the file is invalid.
    #[error("invalid FASTA index {}", path.display())]
    InvalidIndex {
        /// The `.fai` file.
        path: PathBuf,
        /// The cause, from noodles' `.fai` reader.
        #[source]
        source: std::io::Error,
    },
    /// The file has no `.fai` and could not be indexed: it is not a FASTA file, or its
    /// lines are uneven.
    #[error("invalid FASTA {}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The cause, from noodles' indexer.
        #[source]
        source: std::io::Error,
    },
    /// A contig the input names is not in the file.
    #[error("contig {contig:?} is not in FASTA {} (its contigs: {})", path.display(), known.join(", "))]
    MissingContig {
        /// The FASTA file.
        path: PathBuf,
        /// The contig asked for.
        contig: String,
        /// The first few contigs of the file.
        known: Vec<String>,
    },
}

/// An open FASTA file with its index.
pub struct Reader {
    path: PathBuf,
    lengths: HashMap<String, u64>,
    names: Vec<String>,
    inner: fasta::io::IndexedReader<BufReader<File>>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.path)
            .field("contigs", &self.names.len())
            .finish()
    }
}

impl Reader {
    /// Opens `path`, reading `path.fai` when it exists, else indexing the file in one pass.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let mut fai = path.as_os_str().to_owned();
        fai.push(".fai");
        let fai = PathBuf::from(fai);
        let index = if fai.is_file() {
            fasta::fai::fs::read(&fai)
                .map_err(|source| Error::InvalidIndex { path: fai, source })?
        } else {
            fasta::fs::index(path).map_err(|source| Error::Invalid {
                path: path.to_owned(),
                source,
            })?
        };
        let names: Vec<String> = index
            .as_ref()
            .iter()
            .map(|r| String::from_utf8_lossy(r.name()).into_owned())
            .collect();
        let lengths = names
            .iter()
            .zip(index.as_ref())
            .map(|(name, record)| (name.clone(), record.length()))
            .collect();
        Ok(Self {
            path: path.to_owned(),
            lengths,
            names,
            inner: fasta::io::IndexedReader::new(BufReader::new(file), index),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file has sequence `contig`.
    pub fn contains(&self, contig: &str) -> bool {
        self.lengths.contains_key(contig)
    }

    /// The length of `contig`; an error naming the file when it does not have it.
    pub fn length(&self, contig: &str) -> Result<u64, Error> {
        self.lengths
            .get(contig)
            .copied()
            .ok_or_else(|| Error::MissingContig {
                path: self.path.clone(),
                contig: contig.to_owned(),
                known: self.names.iter().take(5).cloned().collect(),
            })
    }

    /// Bases `start..=end` (1-based, inclusive) of `contig` as the file stores them (case
    /// kept), cut at the end of the contig: empty when `start` is past its end or `end` is
    /// before `start`.
    pub fn fetch(
        &mut self,
        contig: &str,
        start: Position,
        end: Position,
    ) -> Result<Vec<u8>, Error> {
        let length = self.length(contig)?;
        let end = end.get().min(length);
        if start.get() > end {
            return Ok(Vec::new());
        }
        let position = |p: u64| {
            usize::try_from(p)
                .ok()
                .and_then(noodles_core::Position::new)
                .ok_or_else(|| Error::Io {
                    path: self.path.clone(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("position {p} does not fit this platform"),
                    ),
                })
        };
        let region = noodles_core::Region::new(contig, position(start.get())?..=position(end)?);
        let record = self.inner.query(&region).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(record.sequence().as_ref().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(p: u64) -> Position {
        Position::new(p).expect("non-zero")
    }

    fn write_fasta(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("ref.fa");
        std::fs::write(&path, text).expect("write fasta");
        path
    }

    #[test]
    fn fetches_across_lines_without_fai() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write_fasta(dir.path(), ">a desc\nACGTa\ncgtAC\nGT\n>b\nTTTT\n");
        let mut fasta = Reader::open(&path).expect("indexes");
        assert_eq!(fasta.length("a").expect("has a"), 12);
        assert_eq!(fasta.length("b").expect("has b"), 4);
        assert!(!fasta.contains("c"));
        assert_eq!(fasta.fetch("a", pos(4), pos(7)).expect("fetch"), b"Tacg");
        assert_eq!(fasta.fetch("a", pos(11), pos(20)).expect("fetch"), b"GT");
        assert!(fasta
            .fetch("a", pos(13), pos(20))
            .expect("fetch")
            .is_empty());
        assert_eq!(fasta.fetch("b", pos(1), pos(2)).expect("fetch"), b"TT");
    }

    #[test]
    fn missing_contig_names_the_file_and_its_contigs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write_fasta(dir.path(), ">17\nACGT\n");
        let mut fasta = Reader::open(&path).expect("indexes");
        let error = fasta.fetch("chr17", pos(1), pos(2)).expect_err("no chr17");
        let text = error.to_string();
        assert!(text.contains("\"chr17\""), "{text}");
        assert!(text.contains("ref.fa"), "{text}");
        assert!(text.ends_with("(its contigs: 17)"), "{text}");
    }

    #[test]
    fn not_a_fasta_is_invalid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write_fasta(dir.path(), "##fileformat=VCFv4.2\n");
        assert!(matches!(Reader::open(&path), Err(Error::Invalid { .. })));
    }
}
