//! Reading bases from a FASTA file by region: with its `.fai` index when present, else
//! after one scan of the file to build the same index (sequences are not held in memory).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::Error;

/// One sequence's place in the file (the `.fai` columns).
#[derive(Clone, Copy, Debug)]
struct Entry {
    length: u64,
    offset: u64,
    line_bases: u64,
    line_bytes: u64,
}

/// A FASTA file with an index.
#[derive(Debug)]
pub struct Fasta {
    path: PathBuf,
    index: HashMap<String, Entry>,
}

impl Fasta {
    /// Opens `path`, reading `path.fai` if it exists, else scanning the file.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let fai = PathBuf::from(format!("{}.fai", path.display()));
        let index = if fai.is_file() {
            read_fai(&fai)?
        } else {
            scan(path)?
        };
        Ok(Fasta {
            path: path.to_owned(),
            index,
        })
    }

    /// Whether the file has sequence `contig`.
    pub fn has(&self, contig: &str) -> bool {
        self.index.contains_key(contig)
    }

    /// Bases `start..=end` (1-based, inclusive) of `contig`, upper-cased; positions past the
    /// sequence's end are `N`.
    pub fn fetch(&self, contig: &str, start: u64, end: u64) -> Result<Vec<u8>, Error> {
        let entry = *self.index.get(contig).ok_or_else(|| Error::Fasta {
            path: self.path.clone(),
            reason: format!("no sequence named {contig}"),
        })?;
        let io = |e: std::io::Error| Error::Io {
            path: self.path.clone(),
            source: e,
        };
        let mut out = Vec::with_capacity((end + 1).saturating_sub(start) as usize);
        if start == 0 || end < start {
            return Ok(out);
        }
        let last = end.min(entry.length);
        let mut file = File::open(&self.path).map_err(io)?;
        if start <= last {
            let first0 = start - 1;
            let byte = |pos0: u64| {
                entry.offset
                    + (pos0 / entry.line_bases) * entry.line_bytes
                    + pos0 % entry.line_bases
            };
            let from = byte(first0);
            let to = byte(last - 1) + 1;
            file.seek(SeekFrom::Start(from)).map_err(io)?;
            let mut raw = vec![0u8; (to - from) as usize];
            file.read_exact(&mut raw).map_err(io)?;
            out.extend(
                raw.into_iter()
                    .filter(|b| !b.is_ascii_whitespace())
                    .map(|b| b.to_ascii_uppercase()),
            );
        }
        out.resize((end - start + 1) as usize, b'N');
        Ok(out)
    }
}

fn read_fai(path: &Path) -> Result<HashMap<String, Entry>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_owned(),
        source: e,
    })?;
    let mut index = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        let bad = || Error::Fasta {
            path: path.to_owned(),
            reason: format!(
                "line {}: expected 5 tab-separated numbers after the name",
                n + 1
            ),
        };
        if f.len() < 5 {
            return Err(bad());
        }
        let num = |s: &str| s.parse::<u64>().map_err(|_| bad());
        let entry = Entry {
            length: num(f[1])?,
            offset: num(f[2])?,
            line_bases: num(f[3])?,
            line_bytes: num(f[4])?,
        };
        if entry.line_bases == 0 {
            return Err(bad());
        }
        index.insert(f[0].to_owned(), entry);
    }
    Ok(index)
}

/// Builds the `.fai` entries by reading the file once.
fn scan(path: &Path) -> Result<HashMap<String, Entry>, Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.to_owned(),
        source: e,
    };
    let mut reader = BufReader::new(File::open(path).map_err(io)?);
    let mut index = HashMap::new();
    let mut line = Vec::new();
    let mut offset = 0u64;
    let mut current: Option<(String, Entry)> = None;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io)? as u64;
        if n == 0 {
            break;
        }
        if line.first() == Some(&b'>') {
            if let Some((name, entry)) = current.take() {
                index.insert(name, entry);
            }
            let header = String::from_utf8_lossy(&line[1..]).into_owned();
            let name = header.split_whitespace().next().unwrap_or("").to_owned();
            current = Some((
                name,
                Entry {
                    length: 0,
                    offset: offset + n,
                    line_bases: 0,
                    line_bytes: 0,
                },
            ));
        } else if let Some((_, entry)) = current.as_mut() {
            let bases = line.iter().filter(|b| !b.is_ascii_whitespace()).count() as u64;
            if entry.line_bases == 0 {
                entry.line_bases = bases;
                entry.line_bytes = n;
            }
            entry.length += bases;
        } else {
            return Err(Error::Fasta {
                path: path.to_owned(),
                reason: "sequence before the first '>' header".to_owned(),
            });
        }
        offset += n;
    }
    if let Some((name, entry)) = current {
        index.insert(name, entry);
    }
    if index.is_empty() {
        return Err(Error::Fasta {
            path: path.to_owned(),
            reason: "no '>' header: not a FASTA file".to_owned(),
        });
    }
    Ok(index)
}
