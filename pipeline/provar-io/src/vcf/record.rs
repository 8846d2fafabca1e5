//! One VCF data line, parsed strictly.

use std::{collections::HashMap, fmt};

use noodles_vcf::header::record::value::map::{format, info};
use provar_core::{genotype, position::ParsePositionError, Genotype, Position};

/// The declared (or, for undeclared reserved keys, the standard) type of an INFO or FORMAT
/// value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueType {
    Integer,
    Float,
    Flag,
    Character,
    String,
}

impl ValueType {
    /// What a value of this type must look like, for messages.
    fn expected(self) -> &'static str {
        match self {
            ValueType::Integer => "integers",
            ValueType::Float => "floats",
            ValueType::Flag => "no value (a Flag)",
            ValueType::Character => "single characters",
            ValueType::String => "strings",
        }
    }
}

/// How many values a field holds, from its `Number=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Number {
    /// A fixed count.
    Count(usize),
    /// One per ALT allele (`A`).
    AlternateBases,
    /// One per allele, REF included (`R`).
    ReferenceAlternateBases,
    /// One per possible genotype (`G`).
    Genotypes,
    /// One per allele of the call (`P`, VCF 4.4).
    Ploidy,
    /// Not checked (`.` and anything else).
    Unknown,
}

impl Number {
    fn symbol(self) -> String {
        match self {
            Number::Count(n) => n.to_string(),
            Number::AlternateBases => "A".to_owned(),
            Number::ReferenceAlternateBases => "R".to_owned(),
            Number::Genotypes => "G".to_owned(),
            Number::Ploidy => "P".to_owned(),
            Number::Unknown => ".".to_owned(),
        }
    }
}

/// The type and count of an INFO or FORMAT key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Definition {
    number: Number,
    ty: ValueType,
}

const fn def(number: Number, ty: ValueType) -> Option<Definition> {
    Some(Definition { number, ty })
}

/// The INFO keys VCF 4.3 (section 1.6.1) reserves, used when a file does not declare them.
fn reserved_info(key: &str) -> Option<Definition> {
    use Number::*;
    use ValueType::*;
    match key {
        "AA" => def(Count(1), String),
        "AC" => def(AlternateBases, Integer),
        "AD" | "ADF" | "ADR" => def(ReferenceAlternateBases, Integer),
        "AF" => def(AlternateBases, Float),
        "AN" | "DP" | "END" | "MQ0" | "NS" => def(Count(1), Integer),
        "BQ" | "MQ" => def(Count(1), Float),
        "CIGAR" => def(AlternateBases, String),
        "DB" | "H2" | "H3" | "SOMATIC" | "VALIDATED" | "1000G" => def(Count(0), Flag),
        _ => None,
    }
}

/// The FORMAT keys VCF 4.3 (section 1.6.2) reserves, used when a file does not declare them.
fn reserved_format(key: &str) -> Option<Definition> {
    use Number::*;
    use ValueType::*;
    match key {
        "AD" | "ADF" | "ADR" => def(ReferenceAlternateBases, Integer),
        "DP" | "GQ" | "MQ" | "PQ" | "PS" => def(Count(1), Integer),
        "EC" => def(AlternateBases, Integer),
        "FT" | "GT" => def(Count(1), String),
        "GL" | "GP" => def(Genotypes, Float),
        "PL" => def(Genotypes, Integer),
        "HQ" => def(Count(2), Integer),
        _ => None,
    }
}

/// What an Integer FORMAT key must hold, for messages.
fn integer_kind(key: &str) -> &'static str {
    if must_be_non_negative(key) {
        "a non-negative integer"
    } else {
        "an integer"
    }
}

/// Reserved numeric keys whose values are counts, depths, frequencies or coordinates: a
/// negative value is an error, not data.
fn must_be_non_negative(key: &str) -> bool {
    matches!(
        key,
        "AC" | "AN" | "AF" | "AD" | "ADF" | "ADR" | "BQ" | "DP" | "END" | "MQ" | "MQ0" | "NS"
    )
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
    infos: HashMap<String, Definition>,
    formats: HashMap<String, Definition>,
    /// The header's INFO keys in header order, as the `info` table stores them.
    info_fields: Vec<InfoField>,
    /// Key -> position in `info_fields`.
    info_positions: HashMap<String, usize>,
    /// The header's FORMAT keys other than GT, AD, DP, GQ and PL (which the `calls` table
    /// holds), in header order, as the `format` table stores them.
    format_fields: Vec<InfoField>,
}

/// FORMAT keys the `calls` table holds; every other FORMAT key goes to the `format` table.
pub const CALLS_FORMAT_KEYS: [&str; 5] = ["GT", "AD", "DP", "GQ", "PL"];

/// The type of an INFO value as the `info` table stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfoType {
    /// Int32.
    Integer,
    /// Float32 (VCF floats are 32-bit).
    Float,
    /// Boolean: present or not.
    Flag,
    /// One-character string.
    Character,
    /// String.
    String,
}

/// How many values of an INFO key one split (per-alternate-allele) row keeps, following
/// `bcftools norm -m-`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfoShape {
    /// `Number=1`, or `Number=0` for a Flag: one value.
    Scalar,
    /// `Number=A`: the value of this row's alternate allele.
    PerAlternate,
    /// `Number=R`: the reference's value and this alternate's (a list of two).
    PerAllele,
    /// Any other Number (`.`, a count above 1; `G` in INFO): every value, as a list.
    List,
    /// `Number=G` of a FORMAT key: the values of this row's genotypes (diploid: 0/0, 0/1,
    /// 1/1; haploid: 0, 1), picked as `bcftools norm -m-` picks them; otherwise every value.
    PerGenotype,
}

/// One INFO key of the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfoField {
    /// The key (`ID=`).
    pub key: String,
    /// Its value type.
    pub ty: InfoType,
    /// Its shape per split row.
    pub shape: InfoShape,
    /// Its header `Description=` (empty when the header gives none).
    pub description: String,
}

impl From<ValueType> for InfoType {
    fn from(ty: ValueType) -> Self {
        match ty {
            ValueType::Integer => InfoType::Integer,
            ValueType::Float => InfoType::Float,
            ValueType::Flag => InfoType::Flag,
            ValueType::Character => InfoType::Character,
            ValueType::String => InfoType::String,
        }
    }
}

impl Layout {
    /// The header's INFO keys, in header order.
    pub fn info_fields(&self) -> &[InfoField] {
        &self.info_fields
    }

    /// The header's FORMAT keys other than [`CALLS_FORMAT_KEYS`], in header order.
    pub fn format_fields(&self) -> &[InfoField] {
        &self.format_fields
    }

    /// Where `key` is in [`info_fields`](Self::info_fields).
    pub fn info_position(&self, key: &str) -> Option<usize> {
        self.info_positions.get(key).copied()
    }

    /// A layout with only sample names: AD is per allele, and only the keys VCF reserves
    /// have types.
    pub fn new(sample_names: Vec<String>) -> Self {
        Self {
            sample_names,
            ad_per_allele: true,
            ..Self::default()
        }
    }

    /// The layout a noodles header declares.
    pub fn from_header(header: &noodles_vcf::Header) -> Self {
        let format_def = |f: &noodles_vcf::header::record::value::Map<
            noodles_vcf::header::record::value::map::Format,
        >| Definition {
            number: match f.number() {
                format::Number::Count(n) => Number::Count(n),
                format::Number::AlternateBases => Number::AlternateBases,
                format::Number::ReferenceAlternateBases => Number::ReferenceAlternateBases,
                format::Number::Samples => Number::Genotypes,
                format::Number::Ploidy => Number::Ploidy,
                _ => Number::Unknown,
            },
            ty: match f.ty() {
                format::Type::Integer => ValueType::Integer,
                format::Type::Float => ValueType::Float,
                format::Type::Character => ValueType::Character,
                format::Type::String => ValueType::String,
            },
        };
        let info_def = |i: &noodles_vcf::header::record::value::Map<
            noodles_vcf::header::record::value::map::Info,
        >| Definition {
            number: match i.number() {
                info::Number::Count(n) => Number::Count(n),
                info::Number::AlternateBases => Number::AlternateBases,
                info::Number::ReferenceAlternateBases => Number::ReferenceAlternateBases,
                // Number=G in INFO needs a ploidy, which INFO does not have: not checked.
                _ => Number::Unknown,
            },
            ty: match i.ty() {
                info::Type::Integer => ValueType::Integer,
                info::Type::Float => ValueType::Float,
                info::Type::Flag => ValueType::Flag,
                info::Type::Character => ValueType::Character,
                info::Type::String => ValueType::String,
            },
        };
        let info_fields: Vec<InfoField> = header
            .infos()
            .iter()
            .map(|(key, value)| {
                let d = info_def(value);
                InfoField {
                    key: key.clone(),
                    description: value.description().to_owned(),
                    ty: d.ty.into(),
                    shape: match (d.ty, d.number) {
                        (ValueType::Flag, _) | (_, Number::Count(0 | 1)) => InfoShape::Scalar,
                        (_, Number::AlternateBases) => InfoShape::PerAlternate,
                        (_, Number::ReferenceAlternateBases) => InfoShape::PerAllele,
                        _ => InfoShape::List,
                    },
                }
            })
            .collect();
        let info_positions = info_fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.key.clone(), i))
            .collect();
        let format_fields: Vec<InfoField> = header
            .formats()
            .iter()
            .filter(|(key, _)| !CALLS_FORMAT_KEYS.contains(&key.as_str()))
            .map(|(key, value)| {
                let d = format_def(value);
                InfoField {
                    key: key.clone(),
                    description: value.description().to_owned(),
                    ty: d.ty.into(),
                    shape: match d.number {
                        Number::Count(0 | 1) => InfoShape::Scalar,
                        Number::AlternateBases => InfoShape::PerAlternate,
                        Number::ReferenceAlternateBases => InfoShape::PerAllele,
                        Number::Genotypes => InfoShape::PerGenotype,
                        _ => InfoShape::List,
                    },
                }
            })
            .collect();
        Self {
            format_fields,
            info_fields,
            info_positions,
            sample_names: header.sample_names().iter().cloned().collect(),
            ad_per_allele: header
                .formats()
                .get("AD")
                .is_none_or(|f| f.number() == format::Number::ReferenceAlternateBases),
            infos: header
                .infos()
                .iter()
                .map(|(k, v)| (k.clone(), info_def(v)))
                .collect(),
            formats: header
                .formats()
                .iter()
                .map(|(k, v)| (k.clone(), format_def(v)))
                .collect(),
        }
    }

    fn info(&self, key: &str) -> Option<Definition> {
        self.infos.get(key).copied().or_else(|| reserved_info(key))
    }

    /// A declared FORMAT key's definition; for an undeclared reserved key only its Number
    /// is checked (vcf-validator labels files valid whose undeclared GL holds text).
    fn format(&self, key: &str) -> Option<Definition> {
        self.formats.get(key).copied().or_else(|| {
            reserved_format(key).map(|d| Definition {
                ty: ValueType::String,
                ..d
            })
        })
    }
}

/// What is wrong with one INFO or FORMAT value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ValueProblem {
    /// An item does not parse as the declared type.
    Type(ValueType),
    /// A Flag carries a value.
    FlagWithValue,
    /// A non-Flag key has no `=value`.
    MissingValue(ValueType),
    /// The wrong number of comma-separated values.
    Count {
        found: usize,
        expected: usize,
        number: Number,
    },
    /// A negative count, depth or frequency.
    Negative,
    /// CIGAR is not a CIGAR string.
    Cigar,
}

/// The allele counts a record's values are checked against.
#[derive(Clone, Copy)]
struct Counts {
    /// ALT alleles, `None` when ALT is `.` (A, R and G counts are then unknowable).
    alternates: Option<usize>,
    /// The call's ploidy, for FORMAT values of a sample with GT.
    ploidy: Option<usize>,
}

impl Counts {
    fn expected(self, number: Number) -> Option<usize> {
        match number {
            Number::Count(n) => Some(n),
            Number::AlternateBases => self.alternates,
            Number::ReferenceAlternateBases => self.alternates.map(|a| a + 1),
            Number::Genotypes => {
                let (alleles, ploidy) = (self.alternates? + 1, self.ploidy?);
                match ploidy {
                    1 => Some(alleles),
                    2 => Some(alleles * (alleles + 1) / 2),
                    _ => {
                        // Multisets of size `ploidy` from `alleles`:
                        // C(alleles + ploidy - 1, ploidy), exact at every step.
                        let mut c: usize = 1;
                        for i in 0..ploidy {
                            c = c.checked_mul(alleles + i)? / (i + 1);
                        }
                        Some(c)
                    }
                }
            }
            Number::Ploidy => self.ploidy,
            Number::Unknown => None,
        }
    }
}

fn is_cigar(s: &str) -> bool {
    let b = s.as_bytes();
    let mut digits = 0;
    for &c in b {
        if c.is_ascii_digit() {
            digits += 1;
        } else if b"MIDNSHP=X".contains(&c) && digits > 0 {
            digits = 0;
        } else {
            return false;
        }
    }
    !b.is_empty() && digits == 0
}

/// Checks one value (`None` when the key has no `=`) against its definition.
fn check_value(
    key: &str,
    definition: Definition,
    value: Option<&str>,
    counts: Counts,
) -> Result<(), ValueProblem> {
    check_items(
        key,
        definition,
        value,
        must_be_non_negative(key),
        counts.expected(definition.number),
    )
}

/// [`check_value`] with the key's sign rule and the expected count already worked out (the
/// per-sample loop computes them once per record).
fn check_items(
    key: &str,
    definition: Definition,
    value: Option<&str>,
    non_negative: bool,
    expected: Option<usize>,
) -> Result<(), ValueProblem> {
    let Some(value) = value else {
        return if definition.ty == ValueType::Flag {
            Ok(())
        } else {
            Err(ValueProblem::MissingValue(definition.ty))
        };
    };
    if definition.ty == ValueType::Flag {
        // vcf-validator accepts `DB=1` and `DB=0` (and labels `DB=2` invalid).
        return if value == "0" || value == "1" {
            Ok(())
        } else {
            Err(ValueProblem::FlagWithValue)
        };
    }
    if value == "." {
        return Ok(());
    }
    if definition.ty == ValueType::String
        && value.len() > 1
        && value.starts_with('"')
        && value.ends_with('"')
    {
        // One quoted string, commas included (vcf-validator reads it so).
        return Ok(());
    }
    let mut found = 0;
    for item in value.split(',') {
        found += 1;
        if item == "." {
            continue;
        }
        match definition.ty {
            ValueType::Integer => {
                let n = item
                    .parse::<i32>()
                    .map_err(|_| ValueProblem::Type(ValueType::Integer))?;
                if non_negative && n < 0 {
                    return Err(ValueProblem::Negative);
                }
            }
            ValueType::Float => {
                let x = item
                    .parse::<f64>()
                    .map_err(|_| ValueProblem::Type(ValueType::Float))?;
                if non_negative && x < 0.0 {
                    return Err(ValueProblem::Negative);
                }
            }
            ValueType::Character => {
                if item.chars().count() != 1 {
                    return Err(ValueProblem::Type(ValueType::Character));
                }
            }
            ValueType::String | ValueType::Flag => {
                if key == "CIGAR" && !is_cigar(item) {
                    return Err(ValueProblem::Cigar);
                }
            }
        }
    }
    match expected {
        Some(expected) if expected != found => Err(ValueProblem::Count {
            found,
            expected,
            number: definition.number,
        }),
        _ => Ok(()),
    }
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueProblem::Type(ty) => write!(f, "expected {}", ty.expected()),
            ValueProblem::FlagWithValue => f.write_str("a Flag takes no value"),
            ValueProblem::MissingValue(ty) => {
                write!(f, "missing value (expected {})", ty.expected())
            }
            ValueProblem::Count {
                found,
                expected,
                number,
            } => write!(
                f,
                "{found} value{}, expected {expected} (Number={})",
                if *found == 1 { "" } else { "s" },
                number.symbol()
            ),
            ValueProblem::Negative => f.write_str("a count, depth or frequency cannot be negative"),
            ValueProblem::Cigar => f.write_str("expected a CIGAR string such as 1M2I"),
        }
    }
}

/// A record's POS: a 1-based [`Position`], or 0, which VCF reserves for a telomere (the
/// record then describes the start of the contig; noodles' `variant_start` is `None` there).
///
/// ```
/// use provar_io::vcf::record::RecordPosition;
/// let pos: RecordPosition = "0".parse()?;
/// assert!(pos.is_telomere() && pos.get() == 0 && pos.position().is_none());
/// assert_eq!("42".parse::<RecordPosition>()?.to_string(), "42");
/// # Ok::<_, provar_core::position::ParsePositionError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordPosition(Option<Position>);

impl RecordPosition {
    /// POS as written: 1-based, 0 for the telomere.
    pub fn get(self) -> u64 {
        self.0.map_or(0, Position::get)
    }

    /// The 1-based position; `None` for POS 0.
    pub fn position(self) -> Option<Position> {
        self.0
    }

    /// Whether POS is 0.
    pub fn is_telomere(self) -> bool {
        self.0.is_none()
    }
}

impl From<Position> for RecordPosition {
    fn from(position: Position) -> Self {
        Self(Some(position))
    }
}

impl std::str::FromStr for RecordPosition {
    type Err = ParsePositionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<Position>() {
            Ok(p) => Ok(Self(Some(p))),
            Err(ParsePositionError::Zero) => Ok(Self(None)),
            Err(e) => Err(e),
        }
    }
}

impl fmt::Display for RecordPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.get())
    }
}

/// A parsed VCF data line, borrowing its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Record<'a> {
    /// CHROM.
    pub contig: &'a str,
    /// POS (1-based; 0 for a telomere).
    pub position: RecordPosition,
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
    /// PL values of every sample, concatenated; sample `s` holds
    /// `likelihoods[likelihood_offsets[s]..likelihood_offsets[s + 1]]` (empty for `.`). Both
    /// are empty when FORMAT has no PL.
    pub likelihoods: Vec<Option<i32>>,
    /// Offsets into `likelihoods`, one per sample plus one.
    pub likelihood_offsets: Vec<u32>,
}

/// The FORMAT values provar keeps for one sample.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// CHROM is empty or not a VCF 4.3 contig name (no whitespace, commas, angle brackets,
    /// quotes, parentheses, braces or square brackets; no leading `*` or `=`).
    #[error("invalid contig name {0:?}")]
    InvalidContig(String),
    /// POS is not a non-negative integer.
    #[error(transparent)]
    InvalidPosition(#[from] ParsePositionError),
    /// ID is empty, contains whitespace, or has empty or repeated `;`-separated values.
    #[error("invalid ID {0:?}")]
    InvalidId(String),
    /// REF is not made of A, C, G, T, N.
    #[error("invalid reference bases {0:?}")]
    InvalidReferenceBases(String),
    /// An ALT allele is empty or malformed.
    #[error("invalid alternate bases {0:?}")]
    InvalidAlternateBases(String),
    /// QUAL is not a non-negative number or `.`.
    #[error("invalid quality {0:?}")]
    InvalidQuality(String),
    /// FILTER is empty, has empty, repeated or reserved (`0`, `.` among others) values.
    #[error("invalid filters {0:?}")]
    InvalidFilters(String),
    /// INFO is empty, has an empty key or a key twice.
    #[error("invalid info {0:?}")]
    InvalidInfo(String),
    /// FORMAT is empty, has an invalid or repeated key, or GT is not first.
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
    #[error("sample {sample}: invalid {key} value {value:?}: expected {} or '.'", integer_kind(.key))]
    InvalidInteger {
        /// Sample name.
        sample: String,
        /// FORMAT key.
        key: &'static str,
        /// The text.
        value: String,
    },
    /// An INFO value does not match its declared (or reserved) type or number.
    #[error("invalid INFO {key} value {value:?}: {expected}")]
    InvalidInfoValue {
        /// INFO key.
        key: String,
        /// The text (empty when the key has no `=`).
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A FORMAT value does not match its declared (or reserved) type or number.
    #[error("sample {sample}: invalid {key} value {value:?}: {expected}")]
    InvalidFormatValue {
        /// Sample name.
        sample: String,
        /// FORMAT key.
        key: String,
        /// The text.
        value: String,
        /// What was expected.
        expected: String,
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

/// A FORMAT key: a letter or `_`, then letters, digits, `_`, `.` or percent-encoded
/// characters (`G%3AS`, which vcf-validator accepts).
fn is_valid_format_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'%'))
}

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
    /// assert_eq!(record.calls[0].genotype.as_ref().map(|g| g.to_string()), Some("1/2".into()));
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

        if !is_valid_contig(chrom) {
            return Err(ParseError::InvalidContig(chrom.to_owned()));
        }
        let position: RecordPosition = pos.parse()?;
        let id = match id {
            "." => None,
            s if s.is_empty()
                || s.contains(char::is_whitespace)
                || has_empty_or_repeated(s, ';') =>
            {
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
                    .ok()
                    .filter(|q| q.is_nan() || *q >= 0.0)
                    .ok_or_else(|| ParseError::InvalidQuality(s.to_owned()))?,
            ),
        };
        let filters = match filter {
            "." => None,
            s if s.is_empty()
                || s.contains(char::is_whitespace)
                || has_empty_or_repeated(s, ';')
                || s.split(';').any(|f| f == "0" || f == ".") =>
            {
                return Err(ParseError::InvalidFilters(s.to_owned()))
            }
            s => Some(s),
        };
        let counts = Counts {
            alternates: (alt != ".").then_some(alternate_bases.len()),
            ploidy: None,
        };
        if info.is_empty() {
            return Err(ParseError::InvalidInfo(info.to_owned()));
        }
        if info != "." {
            let mut seen: Vec<(&str, Option<&str>)> = Vec::new();
            for field in info.split(';') {
                let (key, value) = match field.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (field, None),
                };
                if key.is_empty() || key.contains(char::is_whitespace) {
                    return Err(ParseError::InvalidInfo(info.to_owned()));
                }
                // A key repeated with the same value is harmless (slivar's comphet.vcf has
                // one; bcftools reads it): the first is kept. A different value is an error.
                match seen.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) if *v == value => continue,
                    Some(_) => return Err(ParseError::InvalidInfo(info.to_owned())),
                    None => {}
                }
                seen.push((key, value));
                if let Some(definition) = layout.info(key) {
                    check_value(key, definition, value, counts).map_err(|problem| {
                        ParseError::InvalidInfoValue {
                            key: key.to_owned(),
                            value: value.unwrap_or_default().to_owned(),
                            expected: problem.to_string(),
                        }
                    })?;
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
            likelihoods: Vec::new(),
            likelihood_offsets: Vec::new(),
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
                record.parse_samples(format, &samples, layout, counts)?;
            }
        }
        Ok(record)
    }

    fn parse_samples(
        &mut self,
        format: &str,
        samples: &[&str],
        layout: &Layout,
        counts: Counts,
    ) -> Result<(), ParseError> {
        let sample_names = &layout.sample_names;
        let keys: Vec<&str> = format.split(':').collect();
        if format.is_empty()
            || !keys.iter().all(|k| is_valid_format_key(k))
            || has_empty_or_repeated(format, ':')
        {
            return Err(ParseError::InvalidFormat(format.to_owned()));
        }
        let index_of = |key: &str| keys.iter().position(|k| *k == key);
        let gt = index_of("GT");
        if gt.is_some_and(|i| i != 0) {
            return Err(ParseError::InvalidFormat(format.to_owned()));
        }
        let (dp, gq, ad) = (index_of("DP"), index_of("GQ"), index_of("AD"));
        let pl = index_of("PL");
        if pl.is_some() {
            self.likelihood_offsets.reserve(samples.len() + 1);
            self.likelihood_offsets.push(0);
        }
        // Keys checked against their definitions (GT, AD, DP and GQ have their own parsers),
        // with what does not depend on the sample worked out once: the sign rule, and the
        // count unless it depends on the call's ploidy (Number=G, P).
        let checked: Vec<FormatCheck> = keys
            .iter()
            .enumerate()
            // DP and GQ are parsed as integers below, which checks them.
            .filter(|(_, k)| !matches!(**k, "GT" | "AD" | "DP" | "GQ"))
            .filter_map(|(index, k)| {
                let definition = layout.format(k)?;
                let per_ploidy = matches!(definition.number, Number::Genotypes | Number::Ploidy);
                Some(FormatCheck {
                    index,
                    key: k,
                    definition,
                    non_negative: must_be_non_negative(k),
                    expected: (!per_ploidy).then(|| counts.expected(definition.number)),
                })
            })
            .collect();
        let n_alleles = self.number_of_alleles();
        // ALT `.` names no alternate allele, but a GT may still carry one (vcf-validator
        // accepts `0|1` there): allele 1 then stands for an alternate the file does not name.
        let gt_alleles = if counts.alternates.is_none() {
            2
        } else {
            n_alleles
        };
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
            let genotype = match value(gt) {
                None => None,
                Some(s) => {
                    let g: Genotype = s.parse().map_err(|source| ParseError::InvalidGenotype {
                        sample: name.clone(),
                        value: s.to_owned(),
                        source,
                    })?;
                    if let Some(allele) = g.max_allele().filter(|a| usize::from(*a) >= gt_alleles) {
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
            let sample_counts = Counts {
                // A lone `.` does not say the ploidy (it often stands for `./.`).
                ploidy: genotype
                    .as_ref()
                    .filter(|g| g.ploidy() > 1 || g.is_called())
                    .map(|g| usize::from(g.ploidy())),
                ..counts
            };
            for c in &checked {
                if let Some(v) = values.get(c.index) {
                    let expected = c
                        .expected
                        .unwrap_or_else(|| sample_counts.expected(c.definition.number));
                    check_items(c.key, c.definition, Some(v), c.non_negative, expected).map_err(
                        |problem| ParseError::InvalidFormatValue {
                            sample: name.clone(),
                            key: c.key.to_owned(),
                            value: (*v).to_owned(),
                            expected: problem.to_string(),
                        },
                    )?;
                }
            }
            let integer =
                |key: &'static str, i: Option<usize>| -> Result<Option<i32>, ParseError> {
                    match value(i) {
                        None | Some(".") => Ok(None),
                        Some(s) => s
                            .parse::<i32>()
                            .ok()
                            .filter(|n| *n >= 0 || !must_be_non_negative(key))
                            .map(Some)
                            .ok_or_else(|| ParseError::InvalidInteger {
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
                                Some(v.parse::<i32>().ok().filter(|d| *d >= 0).ok_or_else(
                                    || ParseError::InvalidInteger {
                                        sample: name.clone(),
                                        key: "AD",
                                        value: s.to_owned(),
                                    },
                                )?)
                            };
                            self.allele_depths.push(depth);
                        }
                        let found = self.allele_depths.len() - start;
                        if found != n_alleles && (!layout.ad_per_allele || alt_is_missing(counts)) {
                            // AD not declared per allele (or ALT `.`): keep it as missing.
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
            if pl.is_some() {
                if let Some(s) = value(pl).filter(|s| *s != ".") {
                    for v in s.split(',') {
                        let likelihood = if v == "." {
                            None
                        } else {
                            Some(v.parse::<i32>().map_err(|_| ParseError::InvalidInteger {
                                sample: name.clone(),
                                key: "PL",
                                value: s.to_owned(),
                            })?)
                        };
                        self.likelihoods.push(likelihood);
                    }
                }
                self.likelihood_offsets
                    .push(u32::try_from(self.likelihoods.len()).unwrap_or(u32::MAX));
            }
        }
        Ok(())
    }
}

/// One FORMAT key to check in every sample of a record.
struct FormatCheck<'k> {
    index: usize,
    key: &'k str,
    definition: Definition,
    non_negative: bool,
    /// The value count, when it does not depend on the call's ploidy.
    expected: Option<Option<usize>>,
}

fn alt_is_missing(counts: Counts) -> bool {
    counts.alternates.is_none()
}

/// VCF 4.3's contig name, `[0-9A-Za-z!#$%&+./:;?@^_|~-][0-9A-Za-z!#$%&*+./:;=?@^_|~-]*`,
/// optionally in angle brackets.
/// `*` stays allowed after the first character, as GRCh38's HLA contigs (`HLA-A*01:01:01:01`)
/// need it.
fn is_valid_contig(name: &str) -> bool {
    // A contig named by an assembly in angle brackets (`<ctg1>`), as breakends refer to it.
    let name = name
        .strip_prefix('<')
        .and_then(|n| n.strip_suffix('>'))
        .unwrap_or(name);
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&+./:;?@^_|~-".contains(&b);
    let mut bytes = name.bytes();
    bytes.next().is_some_and(allowed) && bytes.all(|b| allowed(b) || b == b'*' || b == b'=')
}

/// Whether a `sep`-separated list has an empty item or the same item twice.
fn has_empty_or_repeated(s: &str, sep: char) -> bool {
    let items: Vec<&str> = s.split(sep).collect();
    items
        .iter()
        .enumerate()
        .any(|(i, a)| a.is_empty() || items[..i].contains(a))
}

fn is_base(b: u8) -> bool {
    matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T' | b'N')
}

fn is_valid_alternate(allele: &str) -> bool {
    let b = allele.as_bytes();
    let bases = |s: &[u8]| !s.is_empty() && s.iter().copied().all(is_base);
    match b {
        [] => false,
        b"*" => true,
        // Symbolic: `<ID>`, the ID without angle brackets or whitespace.
        [b'<', id @ .., b'>'] => {
            !id.is_empty()
                && !id
                    .iter()
                    .any(|c| matches!(c, b'<' | b'>' | b',') || c.is_ascii_whitespace())
        }
        // Breakends: bases then `[mate[` / `]mate]`, or the bracketed mate then bases.
        _ if b.contains(&b'[') || b.contains(&b']') => {
            let is_bracket = |c: u8| c == b'[' || c == b']';
            match (
                b.iter().position(|c| is_bracket(*c)),
                b.iter().rposition(|c| is_bracket(*c)),
            ) {
                (Some(first), Some(last)) if last > first + 1 && b[first] == b[last] => {
                    let (before, after) = (&b[..first], &b[last + 1..]);
                    (bases(before) && after.is_empty()) || (before.is_empty() && bases(after))
                }
                _ => false,
            }
        }
        // Single breakends.
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
        let q = |s: &str| {
            Record::parse(&format!("1\t5\t.\tA\tC\t{s}\t.\t."), &names(0)).map(|r| r.quality)
        };
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

    #[test]
    fn rejects_values_that_would_corrupt_data() {
        let s = names(1);
        let err = |line: &str| Record::parse(line, &s).err().map(|e| e.to_string());
        for (line, message) in [
            (
                "<1\t5\t.\tA\tC\t.\t.\t.\tGT\t0/1",
                "invalid contig name \"<1\"",
            ),
            ("1\t5\t.\tA\tC\t-1\t.\t.\tGT\t0/1", "invalid quality \"-1\""),
            (
                "1\t5\t.\tA\tC\t.\tq10;.\t.\tGT\t0/1",
                "invalid filters \"q10;.\"",
            ),
            ("1\t5\ta;a\tA\tC\t.\t.\t.\tGT\t0/1", "invalid ID \"a;a\""),
            (
                "1\t5\t.\tA\t<INS>X>\t.\t.\t.\tGT\t0/1",
                "invalid alternate bases \"<INS>X>\"",
            ),
            (
                "1\t5\t.\tA\t[1:100[\t.\t.\t.\tGT\t0/1",
                "invalid alternate bases \"[1:100[\"",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\tDP=1.5\tGT\t0/1",
                "invalid INFO DP value \"1.5\": expected integers",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\tAC=-1\tGT\t0/1",
                "invalid INFO AC value \"-1\": a count, depth or frequency cannot be negative",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\tAC=1,1\tGT\t0/1",
                "invalid INFO AC value \"1,1\": 2 values, expected 1 (Number=A)",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\tDB=2\tGT\t0/1",
                "invalid INFO DB value \"2\": a Flag takes no value",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\tDP\tGT\t0/1",
                "invalid INFO DP value \"\": missing value (expected integers)",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\tCIGAR=12\tGT\t0/1",
                "invalid INFO CIGAR value \"12\": expected a CIGAR string such as 1M2I",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\tNS=1;NS=2\tGT\t0/1",
                "invalid info \"NS=1;NS=2\"",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\t.\tGT:GT\t0/1:0/1",
                "invalid format \"GT:GT\"",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\t.\tGT:1X\t0/1:3",
                "invalid format \"GT:1X\"",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\t.\tGT:PL\t0/1:0,1",
                "sample s0: invalid PL value \"0,1\": 2 values, expected 3 (Number=G)",
            ),
            (
                "1\t5\t.\tA\tC\t.\t.\t.\tGT:PL\t0/0/1:0,1,2",
                "sample s0: invalid PL value \"0,1,2\": 3 values, expected 4 (Number=G)",
            ),
        ] {
            assert_eq!(err(line).as_deref(), Some(message), "{line}");
        }
    }

    #[test]
    fn accepts_what_valid_files_carry() -> Result<(), ParseError> {
        let s = names(1);
        // POS 0 (telomere), ALT `.` with a GT allele 1, a polyploid call with PL for its
        // ploidy, a quoted String with a comma, Flag written as `DB=1`, HLA contig names.
        let r = Record::parse(
            "1\t0\t.\tA\t.\t.\t.\tDB=1;AA=\"x,y\"\tGT:GL\t0|1:-1,-2,-3",
            &s,
        )?;
        assert!(r.position.is_telomere());
        assert_eq!(r.position.get(), 0);
        let r = Record::parse(
            "HLA-A*01:01:01:01\t5\t.\tA\tC\t.\t.\t.\tGT:PL\t0/0/1:0,1,2,3",
            &s,
        )?;
        assert_eq!(r.calls[0].genotype.as_ref().map(|g| g.ploidy()), Some(3));
        Ok(())
    }
}
