//! Population allele frequencies joined by exact allele match, like `bcftools annotate -a
//! SITES -c INFO/pop_AF:=INFO/AF`: the population sites VCF is ingested like any VCF (split
//! per alternate allele as `bcftools norm -m-`), and each cohort variant takes the values of
//! the population row with the same `variant_key` (contig, position, REF, ALT); no match
//! gives nulls.

use std::{collections::HashMap, path::Path, sync::Arc};

use provar_io::{
    arrow_array::{
        Array, ArrayRef, Float32Array, Int32Array, RecordBatch, StringArray, UInt64Array,
    },
    arrow_schema::{DataType, Field, Schema},
    table::{self, column, Finished, Table, TableDef, TableWriter},
};

use crate::AnnotateError;

/// The name of the table written (`population.parquet`).
pub const POPULATION_TABLE: &str = "population";

/// The INFO keys joined when none are named: gnomAD's, those the file has.
pub const DEFAULT_FIELDS: [&str; 5] = ["AF", "AC", "AN", "nhomalt", "AC_Hom"];

/// Counts describing one join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PopulationSummary {
    /// The INFO keys joined, in output order.
    pub fields: Vec<String>,
    /// Cohort variants read.
    pub variants: u64,
    /// Cohort variants with a population row.
    pub matched: u64,
    /// Population rows (split) read.
    pub population_rows: u64,
}

/// The value at each hit `(batch, row)` of `batches` (arrays of type `A`), null where there
/// is no hit or the value is null.
fn gather<A: Array + 'static, T>(
    batches: &[ArrayRef],
    hits: &[Option<(usize, usize)>],
    value: impl Fn(&A, usize) -> T,
) -> Vec<Option<T>> {
    hits.iter()
        .map(|hit| {
            let (b, r) = (*hit)?;
            let array = batches[b].as_any().downcast_ref::<A>()?;
            array.is_valid(r).then(|| value(array, r))
        })
        .collect()
}

/// Joins INFO `fields` (all of [`DEFAULT_FIELDS`] the population has when empty) of the
/// ingested population tables in `population_dir` onto the variants of `tables_dir`, and
/// writes `population` (`variant_index`, `variant_key`, then `PREFIX<field>` per field)
/// into `out_dir`. `source` names the population file in errors.
pub fn run(
    tables_dir: &Path,
    population_dir: &Path,
    source: &Path,
    fields: &[String],
    prefix: &str,
    out_dir: &Path,
) -> Result<(Finished, PopulationSummary), AnnotateError> {
    let info_path = population_dir.join("info.parquet");
    let info = table::read_any(population_dir, "info")?
        .map(|(_, b)| b)
        .unwrap_or_default();
    let schema = info.first().map(RecordBatch::schema);
    let available: Vec<String> = schema
        .as_ref()
        .map(|s| {
            s.fields()
                .iter()
                .skip(1)
                .map(|f| f.name().clone())
                .collect()
        })
        .unwrap_or_default();
    let fields: Vec<String> = if fields.is_empty() {
        DEFAULT_FIELDS
            .iter()
            .filter(|f| available.iter().any(|a| a == *f))
            .map(|f| (*f).to_owned())
            .collect()
    } else {
        fields.to_vec()
    };
    if fields.is_empty() {
        return Err(AnnotateError::PopulationField {
            path: source.to_owned(),
            problem: format!(
                "has none of the INFO keys {} (it has: {})",
                DEFAULT_FIELDS.join(", "),
                available.join(", ")
            ),
        });
    }
    // Every field must be a scalar (Number=1 or A) Integer, Float or String column.
    let mut out_fields = vec![
        Field::new("variant_index", DataType::UInt64, false),
        Field::new("variant_key", DataType::Utf8, false),
    ];
    for f in &fields {
        let ty = schema
            .as_ref()
            .and_then(|s| s.field_with_name(f).ok())
            .map(|x| x.data_type().clone());
        match ty {
            Some(t @ (DataType::Int32 | DataType::Float32 | DataType::Utf8)) => {
                out_fields.push(Field::new(format!("{prefix}{f}"), t, true));
            }
            Some(other) => {
                return Err(AnnotateError::PopulationField {
                    path: source.to_owned(),
                    problem: format!(
                        "INFO/{f} is {other}, not one value per allele (Number=1 or A)"
                    ),
                })
            }
            None => {
                return Err(AnnotateError::PopulationField {
                    path: source.to_owned(),
                    problem: format!("has no INFO/{f} (it has: {})", available.join(", ")),
                })
            }
        }
    }

    // Population rows by variant key; the first row of a key wins (like bcftools annotate).
    let pop_variants = population_dir.join(Table::Variants.file_name());
    let mut keys: HashMap<String, usize> = HashMap::new();
    let mut population_rows = 0u64;
    for batch in table::read(population_dir, Table::Variants, 8192)? {
        let batch = batch?;
        let key = column::<StringArray>(&batch, "variant_key", &pop_variants)?;
        for r in 0..batch.num_rows() {
            keys.entry(key.value(r).to_owned())
                .or_insert(population_rows as usize);
            population_rows += 1;
        }
    }
    // Info rows are numbered as variants rows: map the global row to (info batch, row).
    let mut starts = Vec::with_capacity(info.len());
    let mut n = 0usize;
    for b in &info {
        starts.push(n);
        n += b.num_rows();
    }
    let locate = |global: usize| {
        let b = starts.partition_point(|&s| s <= global) - 1;
        (b, global - starts[b])
    };
    // columns[field][info batch]: the population's values of each joined key.
    let mut columns: Vec<Vec<ArrayRef>> = vec![Vec::with_capacity(info.len()); fields.len()];
    for b in &info {
        for (f, field) in fields.iter().enumerate() {
            let c = b
                .column_by_name(field)
                .ok_or_else(|| table::Error::InvalidColumn {
                    path: info_path.clone(),
                    column: field.clone(),
                    expected: "a column".to_owned(),
                })?;
            columns[f].push(c.clone());
        }
    }

    let schema = Arc::new(Schema::new(out_fields));
    let def = TableDef {
        name: POPULATION_TABLE,
        version: 1,
        schema: schema.clone(),
    };
    let mut writer = TableWriter::create(out_dir, def)?;
    let variants_path = tables_dir.join(Table::Variants.file_name());
    let (mut variants, mut matched) = (0u64, 0u64);
    for batch in table::read(tables_dir, Table::Variants, 8192)? {
        let batch = batch?;
        let index = column::<UInt64Array>(&batch, "variant_index", &variants_path)?;
        let key = column::<StringArray>(&batch, "variant_key", &variants_path)?;
        let mut out: Vec<ArrayRef> = vec![Arc::new(index.clone()), Arc::new(key.clone())];
        let hits: Vec<Option<(usize, usize)>> = (0..batch.num_rows())
            .map(|r| keys.get(key.value(r)).map(|&g| locate(g)))
            .collect();
        variants += batch.num_rows() as u64;
        matched += hits.iter().filter(|h| h.is_some()).count() as u64;
        for (f, batches) in columns.iter().enumerate() {
            let array: ArrayRef = match schema.field(2 + f).data_type() {
                DataType::Int32 => Arc::new(Int32Array::from(gather(
                    batches,
                    &hits,
                    |a: &Int32Array, r| a.value(r),
                ))),
                DataType::Float32 => Arc::new(Float32Array::from(gather(
                    batches,
                    &hits,
                    |a: &Float32Array, r| a.value(r),
                ))),
                _ => Arc::new(StringArray::from(gather(
                    batches,
                    &hits,
                    |a: &StringArray, r| a.value(r).to_owned(),
                ))),
            };
            out.push(array);
        }
        writer.write(&RecordBatch::try_new(schema.clone(), out)?)?;
    }
    Ok((
        writer.finish()?,
        PopulationSummary {
            fields,
            variants,
            matched,
            population_rows,
        },
    ))
}
