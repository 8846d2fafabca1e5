//! A transcript's coding sequence, and the mutation-rate-weighted sites where a single
//! base change has a given consequence class.

use std::collections::HashMap;

use provar_io::fasta::Reader as Fasta;
use provar_io::gene_model::{Strand, Transcript};

use crate::Error;

/// Consequence classes of a single-base change, as denovonear groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The amino acid changes (stop lost included), not to a stop.
    Missense,
    /// To a stop codon, or the two intronic bases next to a CDS exon boundary.
    Lof,
}

impl Class {
    /// The name written in the output.
    pub fn name(self) -> &'static str {
        match self {
            Class::Missense => "missense",
            Class::Lof => "lof",
        }
    }
}

/// Per-trinucleotide mutation rates: (context, mutated context) → rate, both in the
/// transcript's orientation.
#[derive(Clone, Debug, Default)]
pub struct Rates(HashMap<([u8; 3], [u8; 3]), f64>);

impl Rates {
    /// Parses `from to mu_snp` lines (a header line starting with `from` is skipped).
    pub fn parse(text: &str, name: &str) -> Result<Rates, Error> {
        let mut rates = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with("from") {
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            let bad = || Error::Rates {
                name: name.to_owned(),
                line: n + 1,
                reason: format!("expected `FROM TO RATE` with 3-base contexts, found {line:?}"),
            };
            if f.len() < 3 || f[0].len() != 3 || f[1].len() != 3 {
                return Err(bad());
            }
            let rate: f64 = f[2].parse().map_err(|_| bad())?;
            let key = |s: &str| -> [u8; 3] {
                let b = s.as_bytes();
                [
                    b[0].to_ascii_uppercase(),
                    b[1].to_ascii_uppercase(),
                    b[2].to_ascii_uppercase(),
                ]
            };
            rates.insert((key(f[0]), key(f[1])), rate);
        }
        if rates.is_empty() {
            return Err(Error::Rates {
                name: name.to_owned(),
                line: 1,
                reason: "no rates".to_owned(),
            });
        }
        Ok(Rates(rates))
    }

    fn get(&self, from: [u8; 3], to: [u8; 3]) -> f64 {
        self.0.get(&(from, to)).copied().unwrap_or(0.0)
    }
}

/// The standard genetic code; `*` for stops.
fn translate(codon: [u8; 3]) -> u8 {
    const BASES: [u8; 4] = *b"TCAG";
    const AA: &[u8; 64] = b"FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";
    let index = |b: u8| BASES.iter().position(|x| *x == b);
    match (index(codon[0]), index(codon[1]), index(codon[2])) {
        (Some(a), Some(b), Some(c)) => AA[a * 16 + b * 4 + c],
        _ => b'X',
    }
}

fn complement(b: u8) -> u8 {
    match b {
        b'A' => b'T',
        b'T' => b'A',
        b'C' => b'G',
        b'G' => b'C',
        other => other,
    }
}

/// A transcript's CDS laid out in transcript order.
#[derive(Clone, Debug)]
pub struct Cds {
    /// Genomic position (1-based) of each CDS base, in transcript order.
    positions: Vec<u64>,
    /// CDS index of each genomic position.
    by_position: HashMap<u64, usize>,
    /// Transcript id.
    pub id: String,
    /// Weighted sites per class: (CDS index, rate), with cumulative sums.
    sites: HashMap<Class, Sampler>,
}

/// Weighted sampling of CDS positions.
#[derive(Clone, Debug, Default)]
pub struct Sampler {
    positions: Vec<u32>,
    cumulative: Vec<f64>,
}

impl Sampler {
    fn add(&mut self, position: u32, rate: f64) {
        if rate <= 0.0 {
            return;
        }
        let total = self.cumulative.last().copied().unwrap_or(0.0) + rate;
        self.positions.push(position);
        self.cumulative.push(total);
    }

    /// Total rate.
    pub fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// The position whose cumulative interval holds `u` (in `0..total`).
    pub fn pick(&self, u: f64) -> u32 {
        let i = self.cumulative.partition_point(|c| *c < u);
        self.positions[i.min(self.positions.len() - 1)]
    }

    /// Whether there is any site.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

impl Cds {
    /// Builds the CDS of `transcript` (coding), reading its bases (and one flanking base on
    /// each side of every CDS segment, for the trinucleotide contexts) from `fasta`, and
    /// weighs every single-base change by `rates`.
    pub fn new(
        transcript: &Transcript,
        fasta: &mut Fasta,
        rates: &Rates,
    ) -> Result<Option<Cds>, Error> {
        if transcript.cds.is_empty() {
            return Ok(None);
        }
        let mut segments = transcript.cds.clone();
        segments.sort_by_key(|s| s.start);
        let minus = transcript.strand == Strand::Reverse;
        let mut positions: Vec<u64> = segments.iter().flat_map(|s| s.start..=s.end).collect();
        if minus {
            positions.reverse();
        }
        let low = segments
            .first()
            .map_or(1, |s| s.start)
            .saturating_sub(3)
            .max(1);
        let high = segments.last().map_or(1, |s| s.end) + 3;
        if !fasta.contains(&transcript.contig) {
            return Ok(None);
        }
        let position = |p: u64| provar_core::Position::new(p).unwrap_or(provar_core::Position::MIN);
        let mut genome = fasta.fetch(&transcript.contig, position(low), position(high))?;
        genome.make_ascii_uppercase();
        let base_at = |pos: u64| -> u8 {
            pos.checked_sub(low)
                .and_then(|i| genome.get(i as usize).copied())
                .unwrap_or(b'N')
        };
        // Transcript-oriented base at genomic position.
        let oriented = |pos: u64| -> u8 {
            let b = base_at(pos);
            if minus {
                complement(b)
            } else {
                b
            }
        };
        let cds_seq: Vec<u8> = positions.iter().map(|&p| oriented(p)).collect();
        let by_position: HashMap<u64, usize> =
            positions.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        let mut sites: HashMap<Class, Sampler> = HashMap::new();
        let n_codons = cds_seq.len() / 3;
        for (i, &pos) in positions.iter().enumerate() {
            let codon_index = i / 3;
            if codon_index >= n_codons {
                break;
            }
            let intra = i % 3;
            let codon = [
                cds_seq[codon_index * 3],
                cds_seq[codon_index * 3 + 1],
                cds_seq[codon_index * 3 + 2],
            ];
            let initial = translate(codon);
            // Genomic neighbours, oriented: upstream base first in transcript order.
            let context = if minus {
                [oriented(pos + 1), oriented(pos), oriented(pos - 1)]
            } else {
                [oriented(pos - 1), oriented(pos), oriented(pos + 1)]
            };
            let reference = context[1];
            for alt in [b'A', b'C', b'G', b'T'] {
                if alt == reference {
                    continue;
                }
                let mut mutated = codon;
                mutated[intra] = alt;
                let changed = translate(mutated);
                let class = if initial != b'*' && changed == b'*' {
                    Some(Class::Lof)
                } else if changed != initial {
                    Some(Class::Missense)
                } else {
                    None
                };
                if let Some(class) = class {
                    let mut to = context;
                    to[1] = alt;
                    sites
                        .entry(class)
                        .or_default()
                        .add(i as u32, rates.get(context, to));
                }
            }
        }
        // Splice LoF: the two intronic bases next to each internal CDS boundary.
        for pair in segments.windows(2) {
            let (left, right) = (pair[0], pair[1]);
            for pos in [left.end + 1, left.end + 2, right.start - 2, right.start - 1] {
                if pos <= left.end || pos >= right.start {
                    continue;
                }
                // Its CDS coordinate: that of the nearest coding base.
                let near = if pos <= left.end + 2 {
                    left.end
                } else {
                    right.start
                };
                let cds_index = by_position[&near] as u32;
                let context = if minus {
                    [oriented(pos + 1), oriented(pos), oriented(pos - 1)]
                } else {
                    [oriented(pos - 1), oriented(pos), oriented(pos + 1)]
                };
                for alt in [b'A', b'C', b'G', b'T'] {
                    if alt == context[1] {
                        continue;
                    }
                    let mut to = context;
                    to[1] = alt;
                    sites
                        .entry(Class::Lof)
                        .or_default()
                        .add(cds_index, rates.get(context, to));
                }
            }
        }
        Ok(Some(Cds {
            positions,
            by_position,
            id: transcript.id.clone(),
            sites,
        }))
    }

    /// The CDS coordinate (0-based, transcript order) of genomic `position`, if coding.
    pub fn coordinate(&self, position: u64) -> Option<u32> {
        self.by_position.get(&position).map(|&i| i as u32)
    }

    /// CDS length in bases.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether the CDS is empty.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The weighted sites of `class`.
    pub fn sampler(&self, class: Class) -> Option<&Sampler> {
        self.sites.get(&class).filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn genetic_code() {
        assert_eq!(translate(*b"ATG"), b'M');
        assert_eq!(translate(*b"TAA"), b'*');
        assert_eq!(translate(*b"TGG"), b'W');
        assert_eq!(translate(*b"GGC"), b'G');
        assert_eq!(translate(*b"NNN"), b'X');
    }
}
