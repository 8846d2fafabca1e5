//! Conversion of parsed VCF records into split, per-allele rows and Arrow batches.

use std::sync::Arc;

use provar_io::{
    arrow_array::{
        builder::{
            BooleanBuilder, Float32Builder, Int32Builder, Int8Builder, ListBuilder, StringBuilder,
        },
        ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
    },
    arrow_schema::{DataType, Field, Schema},
    table::{Table, TableDef},
    vcf::{self, record::ParseError, InfoField, InfoShape, InfoType},
};

/// One VCF record, owned and split: one [`Allele`] per alternate allele (or a single row
/// with no alternate when ALT is `.`).
pub(crate) struct Site {
    contig: String,
    /// POS as written: 1-based, 0 for a telomere.
    position: u64,
    id: Option<String>,
    reference_bases: String,
    quality: Option<f64>,
    filters: Option<String>,
    /// The raw value of each header INFO key (aligned with `Layout::info_fields`): `None`
    /// when absent, `Some("")` for a present Flag.
    info: Vec<Option<String>>,
    /// The raw value of each FORMAT key of `Layout::format_fields`, per sample: `None` when
    /// the record's FORMAT lacks the key or the sample's column stops before it.
    format: Vec<Vec<Option<String>>>,
    /// Alleles of the record (REF and every ALT; 1 when ALT is `.`).
    n_alleles: usize,
    pub(crate) alleles: Vec<Allele>,
}

/// The per-sample values of one split row.
pub(crate) struct Allele {
    alternate_bases: Option<String>,
    /// POS, REF and ALT of this row after normalisation against a reference, when they
    /// differ from the record's.
    normalized: Option<Normalized>,
    allele_index: u32,
    allele_1: Vec<Option<i8>>,
    allele_2: Vec<Option<i8>>,
    /// Third and further alleles of polyploid calls, sparse: (sample, alleles), in sample
    /// order. Most cohorts have none, so nothing is stored per diploid call.
    extra: Vec<(usize, Vec<i8>)>,
    phased: Vec<bool>,
    dp: Vec<Option<i32>>,
    gq: Vec<Option<i32>>,
    ad_ref: Vec<Option<i32>>,
    ad_alt: Vec<Option<i32>>,
    /// PL of the genotypes 0/0, 0/1 and 1/1 of this split row (haploid: 0 and 1 in
    /// `pl_00`/`pl_11`).
    pl: [Vec<Option<i32>>; 3],
}

/// A split row's position and alleles after normalisation against a reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Normalized {
    /// The new POS (1-based).
    pub(crate) position: u64,
    /// The new REF.
    pub(crate) reference_bases: String,
    /// The new ALT (`None`: ALT `.`).
    pub(crate) alternate_bases: Option<String>,
    /// The new INFO/END (1-based, last base of the new REF) when an alternate allele moved
    /// or REF changed length: bcftools norm rewrites END then, if the record has one.
    pub(crate) end: Option<u64>,
}

/// One output row: a split allele of a record.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a> {
    pub(crate) site: &'a Site,
    pub(crate) allele: &'a Allele,
}

impl Row<'_> {
    /// POS (1-based; 0 for a telomere), after normalisation.
    pub(crate) fn position(&self) -> u64 {
        self.allele
            .normalized
            .as_ref()
            .map_or(self.site.position, |n| n.position)
    }

    /// REF, after normalisation.
    pub(crate) fn reference_bases(&self) -> &str {
        self.allele
            .normalized
            .as_ref()
            .map_or(&self.site.reference_bases, |n| &n.reference_bases)
    }

    /// ALT (`None` for `.`), after normalisation.
    pub(crate) fn alternate_bases(&self) -> Option<&str> {
        match &self.allele.normalized {
            Some(n) => n.alternate_bases.as_deref(),
            None => self.allele.alternate_bases.as_deref(),
        }
    }
}

/// The rows of `sites`, in file order.
pub(crate) fn rows(sites: &[Site]) -> Vec<Row<'_>> {
    sites
        .iter()
        .flat_map(|site| site.alleles.iter().map(move |allele| Row { site, allele }))
        .collect()
}

/// The PL values of the genotypes ref/ref, ref/alt and alt/alt for alternate allele
/// `index`, picked from a record's PL the way `bcftools norm -m-` splits Number=G fields:
/// diploid PL is ordered by `k(k+1)/2 + j` for genotype `j/k`; a haploid PL has one value
/// per allele. Anything else (missing, polyploid) gives nothing.
fn split_likelihoods(pl: &[Option<i32>], n_alleles: usize, index: usize) -> [Option<i32>; 3] {
    if pl.len() == n_alleles * (n_alleles + 1) / 2 && n_alleles > 1
        || (n_alleles == 1 && pl.len() == 1)
    {
        let het = index * (index + 1) / 2;
        if n_alleles == 1 || index == 0 {
            return [pl[0], None, None];
        }
        return [pl[0], pl[het], pl[het + index]];
    }
    if pl.len() == n_alleles && index > 0 {
        return [pl[0], None, pl[index]];
    }
    [None, None, None]
}

/// Missing allele code in `gt_allele_1` / `gt_allele_2`.
const MISSING_ALLELE: i8 = -1;

impl Site {
    pub(crate) fn from_line(line: &str, layout: &vcf::Layout) -> Result<Self, ParseError> {
        let record = vcf::Record::parse(line, layout)?;
        let n_alleles = record.number_of_alleles();
        let n_samples = record.calls.len();
        let alternates: Vec<(Option<&str>, u16)> = if record.alternate_bases.is_empty() {
            vec![(None, 0)]
        } else {
            record
                .alternate_bases
                .iter()
                .enumerate()
                .map(|(i, a)| (Some(*a), u16::try_from(i + 1).unwrap_or(u16::MAX)))
                .collect()
        };
        let alleles = alternates
            .into_iter()
            .map(|(alternate, index)| {
                let mut row = Allele {
                    alternate_bases: alternate.map(str::to_owned),
                    normalized: None,
                    allele_index: u32::from(index),
                    allele_1: Vec::with_capacity(n_samples),
                    allele_2: Vec::with_capacity(n_samples),
                    extra: Vec::new(),
                    phased: Vec::with_capacity(n_samples),
                    dp: Vec::with_capacity(n_samples),
                    gq: Vec::with_capacity(n_samples),
                    ad_ref: Vec::with_capacity(n_samples),
                    ad_alt: Vec::with_capacity(n_samples),
                    pl: std::array::from_fn(|_| Vec::with_capacity(n_samples)),
                };
                for (s, call) in record.calls.iter().enumerate() {
                    // Downcoding as `Genotype::downcode` does (this allele 1, others 0, missing
                    // -1), without building a new genotype per row. ALT `.`: a non-zero GT
                    // allele stands for an alternate the file does not name, and stays 1 (see
                    // Record::parse).
                    let kept = index.max(1);
                    let code = |a: Option<u16>| a.map_or(MISSING_ALLELE, |a| i8::from(a == kept));
                    match &call.genotype {
                        None => {
                            row.allele_1.push(Some(MISSING_ALLELE));
                            row.allele_2.push(Some(MISSING_ALLELE));
                            row.phased.push(false);
                        }
                        Some(g) => {
                            let a = g.alleles();
                            row.allele_1.push(Some(code(a[0])));
                            row.allele_2.push(a.get(1).map(|a| code(*a)));
                            if a.len() > 2 {
                                row.extra
                                    .push((s, a[2..].iter().map(|a| code(*a)).collect()));
                            }
                            row.phased.push(g.is_phased());
                        }
                    }
                    row.dp.push(call.read_depth);
                    row.gq.push(call.genotype_quality);
                    if record.allele_depths.is_empty() {
                        row.ad_ref.push(None);
                        row.ad_alt.push(None);
                    } else {
                        let ad = &record.allele_depths[s * n_alleles..(s + 1) * n_alleles];
                        row.ad_ref.push(ad[0]);
                        row.ad_alt.push(if index == 0 {
                            None
                        } else {
                            ad[usize::from(index)]
                        });
                    }
                    let picked = match record.likelihood_offsets.get(s..s + 2) {
                        Some(&[start, end]) => split_likelihoods(
                            &record.likelihoods[start as usize..end as usize],
                            n_alleles,
                            usize::from(index),
                        ),
                        _ => [None, None, None],
                    };
                    for (column, value) in row.pl.iter_mut().zip(picked) {
                        column.push(value);
                    }
                }
                row
            })
            .collect();
        let mut info = vec![None; layout.info_fields().len()];
        if record.info != "." {
            for entry in record.info.split(';') {
                let (key, value) = entry.split_once('=').unwrap_or((entry, ""));
                if let Some(i) = layout.info_position(key) {
                    info[i] = Some(value.to_owned());
                }
            }
        }
        let fields = layout.format_fields();
        let mut format: Vec<Vec<Option<String>>> = Vec::new();
        if !fields.is_empty() {
            let mut columns = line.split('\t').skip(8);
            if let Some(keys) = columns.next() {
                let keys: Vec<&str> = keys.split(':').collect();
                let samples: Vec<Vec<&str>> = columns.map(|c| c.split(':').collect()).collect();
                for field in fields {
                    let at = keys.iter().position(|k| *k == field.key);
                    format.push(
                        samples
                            .iter()
                            .map(|values| at.and_then(|i| values.get(i)).map(|v| (*v).to_owned()))
                            .collect(),
                    );
                }
            }
        }
        Ok(Site {
            info,
            format,
            n_alleles,
            contig: record.contig.to_owned(),
            position: record.position.get(),
            id: record.id.map(str::to_owned),
            reference_bases: record.reference_bases.to_owned(),
            quality: record.quality,
            filters: record.filters.map(str::to_owned),
            alleles,
        })
    }
}

impl Site {
    /// CHROM.
    pub(crate) fn contig(&self) -> &str {
        &self.contig
    }

    /// POS as written: 1-based, 0 for a telomere.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// Sets each row's normalised form from `realign(REF, ALT)` (`None`: unchanged);
    /// returns how many rows changed.
    pub(crate) fn normalize_with<E>(
        &mut self,
        mut realign: impl FnMut(&str, Option<&str>) -> Result<Option<Normalized>, E>,
    ) -> Result<u64, E> {
        let mut changed = 0;
        for allele in &mut self.alleles {
            allele.normalized = realign(&self.reference_bases, allele.alternate_bases.as_deref())?;
            changed += u64::from(allele.normalized.is_some());
        }
        Ok(changed)
    }
}

pub(crate) fn samples_batch(names: &[String]) -> RecordBatch {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(0..names.len() as u32)),
        Arc::new(StringArray::from_iter_values(names)),
    ];
    RecordBatch::try_new(Table::Samples.schema(), columns)
        .expect("columns match the samples schema")
}

/// Builds the `variants` and `calls` batches of `rows`, numbering them from `first_index`.
pub(crate) fn batches(
    rows: &[Row<'_>],
    first_index: u64,
    n_samples: usize,
) -> (RecordBatch, RecordBatch) {
    let n = rows.len() as u64;
    let index = Arc::new(UInt64Array::from_iter_values(first_index..first_index + n)) as ArrayRef;
    let variants: Vec<ArrayRef> = vec![
        index.clone(),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| &r.site.contig),
        )),
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(Row::position),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.site.id.as_deref()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(Row::reference_bases),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(Row::alternate_bases),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|r| r.allele.allele_index),
        )),
        Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.site.quality))),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.site.filters.as_deref()),
        )),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| {
            format!(
                "{}:{}:{}:{}",
                r.site.contig,
                r.position(),
                r.reference_bases(),
                r.alternate_bases().unwrap_or(".")
            )
        }))),
    ];

    let capacity = rows.len();
    let values = capacity * n_samples;
    let mut allele_1 = ListBuilder::with_capacity(Int8Builder::with_capacity(values), capacity);
    let mut allele_2 = ListBuilder::with_capacity(Int8Builder::with_capacity(values), capacity);
    let mut extra = ListBuilder::with_capacity(ListBuilder::new(Int8Builder::new()), capacity);
    let mut phased = ListBuilder::with_capacity(BooleanBuilder::with_capacity(values), capacity)
        .with_field(Arc::new(provar_io::arrow_schema::Field::new(
            "item",
            provar_io::arrow_schema::DataType::Boolean,
            false,
        )));
    let int_list = || ListBuilder::with_capacity(Int32Builder::with_capacity(values), capacity);
    let (mut dp, mut gq, mut ad_ref, mut ad_alt) = (int_list(), int_list(), int_list(), int_list());
    let mut pl = [int_list(), int_list(), int_list()];
    for Row { allele: a, .. } in rows {
        allele_1.append_value(a.allele_1.iter().copied());
        allele_2.append_value(a.allele_2.iter().copied());
        let mut sparse = a.extra.iter().peekable();
        for s in 0..a.allele_1.len() {
            match sparse.next_if(|(sample, _)| *sample == s) {
                Some((_, alleles)) => extra
                    .values()
                    .append_value(alleles.iter().map(|a| Some(*a))),
                None => extra.values().append_null(),
            }
        }
        extra.append(true);
        phased.append_value(a.phased.iter().map(|p| Some(*p)));
        dp.append_value(a.dp.iter().copied());
        gq.append_value(a.gq.iter().copied());
        ad_ref.append_value(a.ad_ref.iter().copied());
        ad_alt.append_value(a.ad_alt.iter().copied());
        for (builder, values) in pl.iter_mut().zip(&a.pl) {
            builder.append_value(values.iter().copied());
        }
    }
    let calls: Vec<ArrayRef> = vec![
        index,
        Arc::new(allele_1.finish()),
        Arc::new(allele_2.finish()),
        Arc::new(extra.finish()),
        Arc::new(phased.finish()),
        Arc::new(dp.finish()),
        Arc::new(gq.finish()),
        Arc::new(ad_ref.finish()),
        Arc::new(ad_alt.finish()),
    ];
    let mut calls = calls;
    calls.extend(pl.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    (
        RecordBatch::try_new(Table::Variants.schema(), variants)
            .expect("columns match the variants schema"),
        RecordBatch::try_new(Table::Calls.schema(), calls).expect("columns match the calls schema"),
    )
}

/// The `info` table's definition for a header's INFO keys: `variant_index`, then one
/// column per key in header order, named by the key (see [`InfoShape`] for what a split row
/// keeps).
pub(crate) fn info_table(fields: &[InfoField]) -> TableDef {
    let element = |ty: InfoType| match ty {
        InfoType::Integer => DataType::Int32,
        InfoType::Float => DataType::Float32,
        InfoType::Flag => DataType::Boolean,
        InfoType::Character | InfoType::String => DataType::Utf8,
    };
    let mut columns = vec![Field::new("variant_index", DataType::UInt64, false)];
    for field in fields {
        let ty = element(field.ty);
        let column = match (field.ty, field.shape) {
            (InfoType::Flag, _) => Field::new(&field.key, DataType::Boolean, false),
            (_, InfoShape::Scalar | InfoShape::PerAlternate) => Field::new(&field.key, ty, true),
            (_, InfoShape::PerAllele | InfoShape::List | InfoShape::PerGenotype) => Field::new(
                &field.key,
                DataType::List(Arc::new(Field::new("item", ty, true))),
                true,
            ),
        };
        // The header's Description travels with the column: consequence annotations (CSQ,
        // ANN, BCSQ) name their sub-fields there.
        columns.push(if field.description.is_empty() {
            column
        } else {
            column.with_metadata(std::collections::HashMap::from([(
                provar_io::table::INFO_DESCRIPTION_KEY.to_owned(),
                field.description.clone(),
            )]))
        });
    }
    TableDef {
        name: INFO_TABLE,
        version: 1,
        schema: Arc::new(Schema::new(columns)),
    }
}

/// The `format` table: `variant_index`, then one column per FORMAT key of the header other
/// than GT, AD, DP, GQ and PL, each a list over samples (in `samples` order) of the value
/// (Number=1, A) or of the values (R, G, other) this split row keeps.
pub(crate) fn format_table(fields: &[InfoField]) -> TableDef {
    let element = |ty: InfoType| match ty {
        InfoType::Integer => DataType::Int32,
        InfoType::Float => DataType::Float32,
        InfoType::Flag | InfoType::Character | InfoType::String => DataType::Utf8,
    };
    let list = |inner: DataType| DataType::List(Arc::new(Field::new("item", inner, true)));
    let mut columns = vec![Field::new("variant_index", DataType::UInt64, false)];
    for field in fields {
        let ty = element(field.ty);
        columns.push(match field.shape {
            InfoShape::Scalar | InfoShape::PerAlternate => Field::new(&field.key, list(ty), false),
            _ => Field::new(&field.key, list(list(ty)), false),
        });
    }
    TableDef {
        name: FORMAT_TABLE,
        version: 1,
        schema: Arc::new(Schema::new(columns)),
    }
}

/// The name of the FORMAT table (`format.parquet`).
pub const FORMAT_TABLE: &str = "format";

/// The values of one INFO or FORMAT key that split row `alt` keeps, as `bcftools norm -m-`
/// does (`n_alleles` matters only for Number=G, which INFO keeps whole).
fn split_values<'v>(
    all: &[&'v str],
    shape: InfoShape,
    n_alleles: usize,
    alt: usize,
) -> Vec<&'v str> {
    match shape {
        InfoShape::Scalar | InfoShape::List => all.to_vec(),
        InfoShape::PerAlternate => alt
            .checked_sub(1)
            .and_then(|i| all.get(i))
            .copied()
            .into_iter()
            .collect(),
        InfoShape::PerAllele => {
            let mut kept = vec![all.first().copied().unwrap_or(".")];
            if alt > 0 {
                kept.push(all.get(alt).copied().unwrap_or("."));
            }
            kept
        }
        InfoShape::PerGenotype => {
            if n_alleles > 1 && all.len() == n_alleles * (n_alleles + 1) / 2 {
                let k = alt * (alt + 1) / 2;
                if alt == 0 {
                    vec![all[0]]
                } else {
                    vec![all[0], all[k], all[k + alt]]
                }
            } else if all.len() == n_alleles && alt > 0 {
                vec![all[0], all[alt]]
            } else {
                all.to_vec()
            }
        }
    }
}

/// One column of the `format` table being built.
enum FormatColumn {
    Int(ListBuilder<Int32Builder>),
    Float(ListBuilder<Float32Builder>),
    Text(ListBuilder<StringBuilder>),
    IntList(ListBuilder<ListBuilder<Int32Builder>>),
    FloatList(ListBuilder<ListBuilder<Float32Builder>>),
    TextList(ListBuilder<ListBuilder<StringBuilder>>),
}

impl FormatColumn {
    fn new(field: &InfoField) -> Self {
        let list = !matches!(field.shape, InfoShape::Scalar | InfoShape::PerAlternate);
        match (field.ty, list) {
            (InfoType::Integer, false) => FormatColumn::Int(ListBuilder::new(Int32Builder::new())),
            (InfoType::Float, false) => {
                FormatColumn::Float(ListBuilder::new(Float32Builder::new()))
            }
            (_, false) => FormatColumn::Text(ListBuilder::new(StringBuilder::new())),
            (InfoType::Integer, true) => {
                FormatColumn::IntList(ListBuilder::new(ListBuilder::new(Int32Builder::new())))
            }
            (InfoType::Float, true) => {
                FormatColumn::FloatList(ListBuilder::new(ListBuilder::new(Float32Builder::new())))
            }
            (_, true) => {
                FormatColumn::TextList(ListBuilder::new(ListBuilder::new(StringBuilder::new())))
            }
        }
    }

    /// Appends one row: per sample, the kept values (`None`: the sample has no value).
    fn push(&mut self, samples: &[Option<Vec<&str>>]) {
        fn missing(v: &str) -> bool {
            v == "." || v.is_empty()
        }
        let first = |v: &Option<Vec<&str>>| -> Option<String> {
            v.as_ref()
                .and_then(|v| v.first().copied())
                .filter(|x| !missing(x))
                .map(str::to_owned)
        };
        match self {
            FormatColumn::Int(b) => b.append_value(
                samples
                    .iter()
                    .map(|v| first(v).and_then(|x| x.parse().ok())),
            ),
            FormatColumn::Float(b) => b.append_value(
                samples
                    .iter()
                    .map(|v| first(v).and_then(|x| x.parse().ok())),
            ),
            FormatColumn::Text(b) => b.append_value(samples.iter().map(first)),
            FormatColumn::IntList(b) => {
                for v in samples {
                    match v {
                        Some(v) if !(v.len() == 1 && missing(v[0])) => {
                            b.values().append_value(v.iter().map(|x| {
                                Some(*x)
                                    .filter(|x| !missing(x))
                                    .and_then(|x| x.parse().ok())
                            }))
                        }
                        _ => b.values().append_null(),
                    }
                }
                b.append(true);
            }
            FormatColumn::FloatList(b) => {
                for v in samples {
                    match v {
                        Some(v) if !(v.len() == 1 && missing(v[0])) => {
                            b.values().append_value(v.iter().map(|x| {
                                Some(*x)
                                    .filter(|x| !missing(x))
                                    .and_then(|x| x.parse().ok())
                            }))
                        }
                        _ => b.values().append_null(),
                    }
                }
                b.append(true);
            }
            FormatColumn::TextList(b) => {
                for v in samples {
                    match v {
                        Some(v) if !(v.len() == 1 && missing(v[0])) => b
                            .values()
                            .append_value(v.iter().map(|x| Some(*x).filter(|x| !missing(x)))),
                        _ => b.values().append_null(),
                    }
                }
                b.append(true);
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            FormatColumn::Int(b) => Arc::new(b.finish()),
            FormatColumn::Float(b) => Arc::new(b.finish()),
            FormatColumn::Text(b) => Arc::new(b.finish()),
            FormatColumn::IntList(b) => Arc::new(b.finish()),
            FormatColumn::FloatList(b) => Arc::new(b.finish()),
            FormatColumn::TextList(b) => Arc::new(b.finish()),
        }
    }
}

/// Builds the `format` batch of `rows` (numbered from `first_index`, as in `variants`).
pub(crate) fn format_batch(
    rows: &[Row<'_>],
    first_index: u64,
    fields: &[InfoField],
    n_samples: usize,
    table: &TableDef,
) -> RecordBatch {
    let mut columns: Vec<FormatColumn> = fields.iter().map(FormatColumn::new).collect();
    let mut kept: Vec<Option<Vec<&str>>> = Vec::with_capacity(n_samples);
    for Row { site, allele } in rows {
        let alt = allele.allele_index as usize;
        for (f, (column, field)) in columns.iter_mut().zip(fields).enumerate() {
            kept.clear();
            for s in 0..n_samples {
                let raw = site
                    .format
                    .get(f)
                    .and_then(|v| v.get(s))
                    .and_then(|v| v.as_deref());
                kept.push(raw.map(|v| {
                    let all: Vec<&str> = v.split(',').collect();
                    split_values(&all, field.shape, site.n_alleles, alt)
                }));
            }
            column.push(&kept);
        }
    }
    let n = rows.len() as u64;
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(UInt64Array::from_iter_values(
        first_index..first_index + n,
    ))];
    arrays.extend(columns.iter_mut().map(FormatColumn::finish));
    RecordBatch::try_new(table.schema.clone(), arrays).expect("columns match the format schema")
}

/// The name of the INFO table (`info.parquet`).
pub const INFO_TABLE: &str = "info";

/// One column of the `info` table being built.
enum InfoColumn {
    Flag(BooleanBuilder),
    Int(Int32Builder),
    Float(Float32Builder),
    Text(StringBuilder),
    IntList(ListBuilder<Int32Builder>),
    FloatList(ListBuilder<Float32Builder>),
    TextList(ListBuilder<StringBuilder>),
}

impl InfoColumn {
    fn new(field: &InfoField) -> Self {
        let list = matches!(
            field.shape,
            InfoShape::PerAllele | InfoShape::List | InfoShape::PerGenotype
        );
        match (field.ty, list) {
            (InfoType::Flag, _) => InfoColumn::Flag(BooleanBuilder::new()),
            (InfoType::Integer, false) => InfoColumn::Int(Int32Builder::new()),
            (InfoType::Float, false) => InfoColumn::Float(Float32Builder::new()),
            (_, false) => InfoColumn::Text(StringBuilder::new()),
            (InfoType::Integer, true) => InfoColumn::IntList(ListBuilder::new(Int32Builder::new())),
            (InfoType::Float, true) => {
                InfoColumn::FloatList(ListBuilder::new(Float32Builder::new()))
            }
            (_, true) => InfoColumn::TextList(ListBuilder::new(StringBuilder::new())),
        }
    }

    /// Appends one row: the values this split row keeps (`None` for the whole value when
    /// absent).
    fn push(&mut self, values: Option<Vec<&str>>, present: bool) {
        let missing = |v: &&str| *v == "." || v.is_empty();
        match self {
            InfoColumn::Flag(b) => b.append_value(present),
            InfoColumn::Int(b) => b.append_option(
                values
                    .and_then(|v| v.first().copied())
                    .filter(|v| !missing(v))
                    .and_then(|v| v.parse().ok()),
            ),
            InfoColumn::Float(b) => b.append_option(
                values
                    .and_then(|v| v.first().copied())
                    .filter(|v| !missing(v))
                    .and_then(|v| v.parse().ok()),
            ),
            InfoColumn::Text(b) => b.append_option(
                values
                    .and_then(|v| v.first().copied())
                    .filter(|v| !missing(v)),
            ),
            InfoColumn::IntList(b) => match values {
                Some(v) => b.append_value(v.iter().map(|x| {
                    Some(*x)
                        .filter(|x| !missing(x))
                        .and_then(|x| x.parse().ok())
                })),
                None => b.append_null(),
            },
            InfoColumn::FloatList(b) => match values {
                Some(v) => b.append_value(v.iter().map(|x| {
                    Some(*x)
                        .filter(|x| !missing(x))
                        .and_then(|x| x.parse().ok())
                })),
                None => b.append_null(),
            },
            InfoColumn::TextList(b) => match values {
                Some(v) => b.append_value(v.iter().map(|x| Some(*x).filter(|x| !missing(x)))),
                None => b.append_null(),
            },
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            InfoColumn::Flag(b) => Arc::new(b.finish()),
            InfoColumn::Int(b) => Arc::new(b.finish()),
            InfoColumn::Float(b) => Arc::new(b.finish()),
            InfoColumn::Text(b) => Arc::new(b.finish()),
            InfoColumn::IntList(b) => Arc::new(b.finish()),
            InfoColumn::FloatList(b) => Arc::new(b.finish()),
            InfoColumn::TextList(b) => Arc::new(b.finish()),
        }
    }
}

/// Builds the `info` batch of `rows` (numbered from `first_index`, as in `variants`).
/// An Integer INFO/END of a row whose alternate allele normalisation moved follows it, as
/// bcftools norm rewrites it.
pub(crate) fn info_batch(
    rows: &[Row<'_>],
    first_index: u64,
    fields: &[InfoField],
    table: &TableDef,
) -> RecordBatch {
    let mut columns: Vec<InfoColumn> = fields.iter().map(InfoColumn::new).collect();
    for Row { site, allele } in rows {
        let moved_end = allele
            .normalized
            .as_ref()
            .and_then(|n| n.end)
            .map(|e| e.to_string());
        for ((column, field), raw) in columns.iter_mut().zip(fields).zip(&site.info) {
            let raw = match &moved_end {
                Some(end)
                    if field.key == "END"
                        && field.ty == InfoType::Integer
                        && field.shape == InfoShape::Scalar
                        && raw.is_some() =>
                {
                    Some(end.as_str())
                }
                _ => raw.as_deref(),
            };
            let values: Option<Vec<&str>> = raw.map(|v| {
                let all: Vec<&str> = v.split(',').collect();
                match field.shape {
                    // bcftools norm -m- keeps an INFO Number=G field whole.
                    InfoShape::PerGenotype => all,
                    shape => split_values(&all, shape, 0, allele.allele_index as usize),
                }
            });
            column.push(values, raw.is_some());
        }
    }
    let n = rows.len() as u64;
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(UInt64Array::from_iter_values(
        first_index..first_index + n,
    ))];
    arrays.extend(columns.iter_mut().map(InfoColumn::finish));
    RecordBatch::try_new(table.schema.clone(), arrays).expect("columns match the info schema")
}

#[cfg(test)]
mod tests {
    use super::split_likelihoods;

    #[test]
    fn likelihoods_split_like_bcftools_norm() {
        // A/B/C diploid PL order: AA AB BB AC BC CC.
        let pl: Vec<Option<i32>> = [0, 10, 20, 30, 40, 50].into_iter().map(Some).collect();
        assert_eq!(split_likelihoods(&pl, 3, 1), [Some(0), Some(10), Some(20)]);
        assert_eq!(split_likelihoods(&pl, 3, 2), [Some(0), Some(30), Some(50)]);
        // Haploid: one value per allele.
        let haploid = [Some(0), Some(7), Some(9)];
        assert_eq!(split_likelihoods(&haploid, 3, 2), [Some(0), None, Some(9)]);
        assert_eq!(split_likelihoods(&[], 3, 1), [None, None, None]);
    }
}
