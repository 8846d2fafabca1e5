//! One VCF data line, parsed strictly.

use std::collections::HashMap;

use noodles_vcf::header::record::value::map::{format, info};
use provar_core::{genotype, position::ParsePositionError, Genotype, Position};

/// The declared type of an INFO or FORMAT value, for checking data lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueType {
    Integer,
    Float,
    Other,
}

/// What data lines must look like: the samples, and the types declared for INFO and FORMAT
/// keys in the header.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Sample names in column order.
    pub sample_names: Vec<String>,
    /// Whether AD is declared `Number=R` (or undeclared): its value count must then equal the
    /// allele count. Otherwise an AD of another length is kept as missing.
    pub ad_per_allele: bool,
    info_types: HashMap<String, ValueType>,
    format_types: HashMap<String, ValueType>,
}

impl Layout {
    /// A layout with only sample names: AD is per allele, no declared types.
    pub fn new(sample_names: Vec<String>) -> Self {
        Self {
            sample_names,
            ad_per_allele: true,
            ..Self::default()
        }
    }

    /// The layout a noodles header declares.
    pub fn from_header(header: &noodles_vcf::Header) -> Self {
        let format_type = |t: format::Type| match t {
            format::Type::Integer => ValueType::Integer,
            format::Type::Float => ValueType::Float,
            _ => ValueType::Other,
        };
        let info_type = |t: info::Type| match t {
            info::Type::Integer => ValueType::Integer,
            info::Type::Float => ValueType::Float,
            _ => ValueType::Other,
        };
        Self {
            sample_names: header.sample_names().iter().cloned().collect(),
            ad_per_allele: header
                .formats()
                .get("AD")
                .is_none_or(|f| f.number() == format::Number::ReferenceAlternateBases),
            info_types: header
                .infos()
                .iter()
                .map(|(k, v)| (k.clone(), info_type(v.ty())))
                .collect(),
            format_types: header
                .formats()
                .iter()
                .map(|(k, v)| (k.clone(), format_type(v.ty())))
                .collect(),
        }
    }
}

/// Checks that every comma-separated value of a typed field parses.
fn check_typed(ty: Option<&ValueType>, value: &str) -> bool {
    match ty {
        Some(ValueType::Integer) => value
            .split(',')
            .all(|v| v == "." || v.parse::<i64>().is_ok()),
        Some(ValueType::Float) => value
            .split(',')
            .all(|v| v == "." || v.parse::<f64>().is_ok()),
        _ => true,
    }
}

/// A parsed VCF data line, borrowing its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Record<'a> {
    /// CHROM.
    pub contig: &'a str,
    /// POS (1-based).
    pub position: Position,
    /// ID, `None` for `.`.
    pub id: Option<&'a str>,
    /// REF.
    pub reference_bases: &'a str,
    /// ALT alleles; empty when ALT is `.`.
    pub alternate_bases: Vec<&'a str>,
    /// QUAL, `None` for `.`.
    pub quality: Option<f64>,
    /// FILTER, `None` for `.`.
    pub filters: Option<&'a str>,
    /// INFO, unparsed (`.` when empty).
    pub info: &'a str,
    /// Per-sample calls in header order (empty when the file has no samples).
    pub calls: Vec<Call>,
    /// AD values, `number_of_alleles()` per sample in sample order; empty when FORMAT has no AD.
    pub allele_depths: Vec<Option<i32>>,
}

/// The FORMAT values provar keeps for one sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Call {
    /// GT, `None` when FORMAT has no GT or the value is absent.
    pub genotype: Option<Genotype>,
    /// DP.
    pub read_depth: Option<i32>,
    /// GQ.
    pub genotype_quality: Option<i32>,
}

/// What is wrong with a data line.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// Fewer or more tab-separated columns than the header says.
    #[error("invalid number of columns: found {found}, expected {expected}")]
    InvalidColumnCount {
        /// Columns on the line.
        found: usize,
        /// Columns required by the header.
        expected: usize,
    },
    /// CHROM is empty or contains whitespace.
    #[error("invalid contig name {0:?}")]
    InvalidContig(String),
    /// POS is not a positive integer.
    #[error(transparent)]
    InvalidPosition(#[from] ParsePositionError),
    /// ID is empty or contains whitespace.
    #[error("invalid ID {0:?}")]
    InvalidId(String),
    /// REF is not made of A, C, G, T, N.
    #[error("invalid reference bases {0:?}")]
    InvalidReferenceBases(String),
    /// An ALT allele is empty or malformed.
    #[error("invalid alternate bases {0:?}")]
    InvalidAlternateBases(String),
    /// QUAL is not a number or `.`.
    #[error("invalid quality {0:?}")]
    InvalidQuality(String),
    /// FILTER is empty.
    #[error("invalid filters {0:?}")]
    InvalidFilters(String),
    /// INFO is empty or has an empty key.
    #[error("invalid info {0:?}")]
    InvalidInfo(String),
    /// FORMAT is empty, has an empty key, or GT is not first.
    #[error("invalid format {0:?}")]
    InvalidFormat(String),
    /// A sample has more values than FORMAT has keys.
    #[error("sample {sample}: {found} values for {expected} FORMAT keys")]
    TooManySampleValues {
        /// Sample name.
        sample: String,
        /// Values found.
        found: usize,
        /// FORMAT keys.
        expected: usize,
    },
    /// GT does not parse.
    #[error("sample {sample}: invalid genotype {value:?}")]
    InvalidGenotype {
        /// Sample name.
        sample: String,
        /// The GT text.
        value: String,
        /// What was wrong.
        #[source]
        source: genotype::ParseError,
    },
    /// GT names an allele the record does not have.
    #[error("sample {sample}: genotype {value:?} refers to allele {allele}, but the record has {alleles} alleles")]
    AlleleOutOfRange {
        /// Sample name.
        sample: String,
        /// The GT text.
        value: String,
        /// The allele index.
        allele: u16,
        /// REF plus ALT alleles.
        alleles: usize,
    },
    /// An Integer FORMAT value does not parse.
    #[error("sample {sample}: invalid {key} value {value:?}: expected an integer or '.'")]
    InvalidInteger {
        /// Sample name.
        sample: String,
        /// FORMAT key.
        key: &'static str,
        /// The text.
        value: String,
    },
    /// An INFO value does not match its declared type.
    #[error("invalid INFO {key} value {value:?}: expected {expected}")]
    InvalidInfoValue {
        /// INFO key.
        key: String,
        /// The text.
        value: String,
        /// Declared type.
        expected: &'static str,
    },
    /// A FORMAT value does not match its declared type.
    #[error("sample {sample}: invalid {key} value {value:?}: expected {expected}")]
    InvalidFormatValue {
        /// Sample name.
        sample: String,
        /// FORMAT key.
        key: String,
        /// The text.
        value: String,
        /// Declared type.
        expected: &'static str,
    },
    /// AD has the wrong number of values (Number=R).
    #[error("sample {sample}: AD has {found} values, expected {expected} (one per allele)")]
    InvalidAlleleDepthCount {
        /// Sample name.
        sample: String,
        /// Values found.
        found: usize,
        /// Alleles in the record.
        expected: usize,
    },
}

const FIXED_COLUMNS: usize = 8;

impl<'a> Record<'a> {
    /// Number of alleles: REF plus each ALT.
    pub fn number_of_alleles(&self) -> usize {
        1 + self.alternate_bases.len()
    }

    /// Parses one data line of a file with this `layout`.
    ///
    /// ```
    /// use provar_io::vcf::Record;
    /// use provar_io::vcf::record::Layout;
    /// let layout = Layout::new(vec!["a".to_string(), "b".to_string()]);
    /// let record = Record::parse("1\t100\t.\tA\tG,T\t50\tPASS\t.\tGT:AD\t1/2:0,3,4\t0/0:9,0,0", &layout)?;
    /// assert_eq!(record.alternate_bases, ["G", "T"]);
    /// assert_eq!(record.calls[0].genotype.map(|g| g.to_string()), Some("1/2".into()));
    /// assert_eq!(record.allele_depths[..3], [Some(0), Some(3), Some(4)]);
    /// # Ok::<_, provar_io::vcf::record::ParseError>(())
    /// ```
    pub fn parse(line: &'a str, layout: &Layout) -> Result<Self, ParseError> {
        let sample_names = &layout.sample_names;
        let expected = if sample_names.is_empty() {
            FIXED_COLUMNS
        } else {
            FIXED_COLUMNS + 1 + sample_names.len()
        };
        let mut columns = line.split('\t');
        let mut next = || columns.next();
        let fields: [Option<&str>; FIXED_COLUMNS] = std::array::from_fn(|_| next());
        let column_count = |line: &str| line.split('\t').count();
        let [Some(chrom), Some(pos), Some(id), Some(reference), Some(alt), Some(qual), Some(filter), Some(info)] =
            fields
        else {
            return Err(ParseError::InvalidColumnCount {
                found: column_count(line),
                expected,
            });
        };

        if chrom.is_empty() || chrom.contains(char::is_whitespace) {
            return Err(ParseError::InvalidContig(chrom.to_owned()));
        }
        let position: Position = pos.parse()?;
        let id = match id {
            "." => None,
            s if s.is_empty() || s.contains(char::is_whitespace) => {
                return Err(ParseError::InvalidId(s.to_owned()))
            }
            s => Some(s),
        };
        if reference.is_empty() || !reference.bytes().all(is_base) {
            return Err(ParseError::InvalidReferenceBases(reference.to_owned()));
        }
        let alternate_bases = if alt == "." {
            Vec::new()
        } else {
            let alleles: Vec<&str> = alt.split(',').collect();
            if let Some(bad) = alleles.iter().find(|a| !is_valid_alternate(a)) {
                return Err(ParseError::InvalidAlternateBases((*bad).to_owned()));
            }
            alleles
        };
        let quality = match qual {
            "." => None,
            // Rust's float syntax, which includes the `Inf` and `NaN` that VCF files carry.
            s => Some(
                s.parse::<f64>()
                    .map_err(|_| ParseError::InvalidQuality(s.to_owned()))?,
            ),
        };
        let filters = match filter {
            "." => None,
            s if s.is_empty()
                || s.contains(char::is_whitespace)
                || s.split(';').any(str::is_empty) =>
            {
                return Err(ParseError::InvalidFilters(s.to_owned()))
            }
            s => Some(s),
        };
        if info.is_empty() {
            return Err(ParseError::InvalidInfo(info.to_owned()));
        }
        if info != "." {
            for field in info.split(';') {
                let (key, value) = field.split_once('=').unwrap_or((field, ""));
                if key.is_empty() || key.contains(char::is_whitespace) {
                    return Err(ParseError::InvalidInfo(info.to_owned()));
                }
                let ty = layout.info_types.get(key);
                if !check_typed(ty, value) {
                    return Err(ParseError::InvalidInfoValue {
                        key: key.to_owned(),
                        value: value.to_owned(),
                        expected: if ty == Some(&ValueType::Integer) {
                            "integers"
                        } else {
                            "floats"
                        },
                    });
                }
            }
        }

        let mut record = Record {
            contig: chrom,
            position,
            id,
            reference_bases: reference,
            alternate_bases,
            quality,
            filters,
            info,
            calls: Vec::new(),
            allele_depths: Vec::new(),
        };

        let format = columns.next();
        let samples: Vec<&str> = columns.collect();
        match format {
            None if sample_names.is_empty() => {}
            None => {
                return Err(ParseError::InvalidColumnCount {
                    found: FIXED_COLUMNS,
                    expected,
                })
            }
            Some(format) => {
                if samples.len() != sample_names.len() {
                    return Err(ParseError::InvalidColumnCount {
                        found: FIXED_COLUMNS + 1 + samples.len(),
                        expected,
                    });
                }
                record.parse_samples(format, &samples, layout)?;
            }
        }
        Ok(record)
    }

    fn parse_samples(
        &mut self,
        format: &str,
        samples: &[&str],
        layout: &Layout,
    ) -> Result<(), ParseError> {
        let sample_names = &layout.sample_names;
        let keys: Vec<&str> = format.split(':').collect();
        if format.is_empty() || keys.iter().any(|k| k.is_empty()) {
            return Err(ParseError::InvalidFormat(format.to_owned()));
        }
        let index_of = |key: &str| keys.iter().position(|k| *k == key);
        let gt = index_of("GT");
        if gt.is_some_and(|i| i != 0) {
            return Err(ParseError::InvalidFormat(format.to_owned()));
        }
        let (dp, gq, ad) = (index_of("DP"), index_of("GQ"), index_of("AD"));
        // Other typed keys, checked but not kept.
        let typed: Vec<(usize, &str, ValueType)> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| !matches!(**k, "GT" | "DP" | "GQ" | "AD"))
            .filter_map(|(i, k)| match layout.format_types.get(*k) {
                Some(t @ (ValueType::Integer | ValueType::Float)) => Some((i, *k, *t)),
                _ => None,
            })
            .collect();
        let n_alleles = self.number_of_alleles();
        self.calls.reserve(samples.len());
        if ad.is_some() {
            self.allele_depths.reserve(samples.len() * n_alleles);
        }
        let mut values: Vec<&str> = Vec::with_capacity(keys.len());
        for (text, name) in samples.iter().zip(sample_names) {
            values.clear();
            values.extend(text.split(':'));
            if values.len() > keys.len() {
                return Err(ParseError::TooManySampleValues {
                    sample: name.clone(),
                    found: values.len(),
                    expected: keys.len(),
                });
            }
            let value = |i: Option<usize>| i.and_then(|i| values.get(i).copied());
            for (i, key, ty) in &typed {
                if let Some(v) = values.get(*i).filter(|v| !check_typed(Some(ty), v)) {
                    return Err(ParseError::InvalidFormatValue {
                        sample: name.clone(),
                        key: (*key).to_owned(),
                        value: (*v).to_owned(),
                        expected: if *ty == ValueType::Integer {
                            "integers"
                        } else {
                            "floats"
                        },
                    });
                }
            }
            let genotype = match value(gt) {
                None => None,
                Some(s) => {
                    let g: Genotype = s.parse().map_err(|source| ParseError::InvalidGenotype {
                        sample: name.clone(),
                        value: s.to_owned(),
                        source,
                    })?;
                    if let Some(allele) = g.max_allele().filter(|a| usize::from(*a) >= n_alleles) {
                        return Err(ParseError::AlleleOutOfRange {
                            sample: name.clone(),
                            value: s.to_owned(),
                            allele,
                            alleles: n_alleles,
                        });
                    }
                    Some(g)
                }
            };
            let integer =
                |key: &'static str, i: Option<usize>| -> Result<Option<i32>, ParseError> {
                    match value(i) {
                        None | Some(".") => Ok(None),
                        Some(s) => s.parse().map(Some).map_err(|_| ParseError::InvalidInteger {
                            sample: name.clone(),
                            key,
                            value: s.to_owned(),
                        }),
                    }
                };
            self.calls.push(Call {
                genotype,
                read_depth: integer("DP", dp)?,
                genotype_quality: integer("GQ", gq)?,
            });
            if ad.is_some() {
                match value(ad) {
                    None | Some(".") => self
                        .allele_depths
                        .extend(std::iter::repeat_n(None, n_alleles)),
                    Some(s) => {
                        let start = self.allele_depths.len();
                        for v in s.split(',') {
                            let depth = if v == "." {
                                None
                            } else {
                                Some(v.parse().map_err(|_| ParseError::InvalidInteger {
                                    sample: name.clone(),
                                    key: "AD",
                                    value: s.to_owned(),
                                })?)
                            };
                            self.allele_depths.push(depth);
                        }
                        let found = self.allele_depths.len() - start;
                        if found != n_alleles && !layout.ad_per_allele {
                            // AD not declared per allele: keep it as missing.
                            self.allele_depths.truncate(start);
                            self.allele_depths
                                .extend(std::iter::repeat_n(None, n_alleles));
                        } else if found != n_alleles {
                            return Err(ParseError::InvalidAlleleDepthCount {
                                sample: name.clone(),
                                found,
                                expected: n_alleles,
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn is_base(b: u8) -> bool {
    matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T' | b'N')
}

fn is_valid_alternate(allele: &str) -> bool {
    let b = allele.as_bytes();
    match b {
        [] => false,
        b"*" => true,
        [b'<', .., b'>'] => b.len() > 2,
        _ if b.contains(&b'[') || b.contains(&b']') => true,
        [b'.', rest @ ..] if !rest.is_empty() => rest.iter().copied().all(is_base),
        [rest @ .., b'.'] if !rest.is_empty() => rest.iter().copied().all(is_base),
        _ => b.iter().copied().all(is_base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Layout {
        Layout::new((0..n).map(|i| format!("s{i}")).collect())
    }

    #[test]
    fn parses_sites_only_and_missing_values() -> Result<(), ParseError> {
        let r = Record::parse("20\t14370\trs6054257\tG\tA\t29\tPASS\tNS=3", &names(0))?;
        assert_eq!(r.position.get(), 14370);
        assert_eq!(r.id, Some("rs6054257"));
        assert_eq!(r.quality, Some(29.0));
        let r = Record::parse("20\t1\t.\tG\t.\t.\t.\t.", &names(0))?;
        assert!(r.alternate_bases.is_empty() && r.quality.is_none() && r.filters.is_none());
        Ok(())
    }

    #[test]
    fn truncated_sample_fields_are_missing() -> Result<(), ParseError> {
        let r = Record::parse("1\t5\t.\tA\tC\t.\t.\t.\tGT:DP:GQ\t0/1\t./.:7", &names(2))?;
        assert_eq!(r.calls[0].read_depth, None);
        assert_eq!(r.calls[1].read_depth, Some(7));
        assert_eq!(r.calls[1].genotype_quality, None);
        Ok(())
    }

    #[test]
    fn reports_what_is_wrong() {
        let s = names(1);
        let err = |line: &str| Record::parse(line, &s).err().map(|e| e.to_string());
        assert_eq!(
            err("1\tx\t.\tA\tC\t.\t.\t.\tGT\t0/1").as_deref(),
            Some("invalid position: \"x\" is not a positive integer")
        );
        assert_eq!(
            err("1\t5\t.\tA\tC\t.\t.").as_deref(),
            Some("invalid number of columns: found 7, expected 10")
        );
        assert_eq!(
            err("1\t5\t.\tA\tC\t.\t.\t.\tGT\t0/2").as_deref(),
            Some("sample s0: genotype \"0/2\" refers to allele 2, but the record has 2 alleles")
        );
        assert_eq!(
            err("1\t5\t.\tA\tC\tq\t.\t.\tGT\t0/1").as_deref(),
            Some("invalid quality \"q\"")
        );
        assert_eq!(
            err("1\t5\t.\tA\tC\t.\t.\t.\tDP:GT\t3:0/1").as_deref(),
            Some("invalid format \"DP:GT\"")
        );
        assert_eq!(
            err("1\t5\t.\tA\tC\t.\t.\t.\tGT:AD\t0/1:3").as_deref(),
            Some("sample s0: AD has 1 values, expected 2 (one per allele)")
        );
        assert_eq!(
            err("1\t5\t.\tA\tC,\t.\t.\t.\tGT\t0/1").as_deref(),
            Some("invalid alternate bases \"\"")
        );
    }

    #[test]
    fn accepts_inf_and_nan_quality() -> Result<(), ParseError> {
        let q = |s: &str| Record::parse(&format!("1\t5\t.\tA\tC\t{s}\t.\t."), &names(0)).map(|r| r.quality);
        assert_eq!(q("Inf")?, Some(f64::INFINITY));
        assert!(q("NaN")?.is_some_and(f64::is_nan));
        assert_eq!(q("1e3")?, Some(1000.0));
        Ok(())
    }

    #[test]
    fn accepts_symbolic_star_and_breakend_alleles() -> Result<(), ParseError> {
        let r = Record::parse("1\t5\t.\tA\t<DEL>,*,A[2:10[,.A\t.\t.\t.", &names(0))?;
        assert_eq!(r.alternate_bases.len(), 4);
        Ok(())
    }
}
