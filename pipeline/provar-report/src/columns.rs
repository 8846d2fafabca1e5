//! Reading columns by name from tables of any schema version, and rendering rows as HTML.

use std::{collections::BTreeMap, path::PathBuf};

use provar_io::{
    arrow_array::{
        Array, ArrayRef, BooleanArray, Float32Array, Float64Array, Int16Array, Int32Array,
        Int64Array, Int8Array, LargeStringArray, ListArray, RecordBatch, StringArray, UInt16Array,
        UInt32Array, UInt64Array, UInt8Array,
    },
    arrow_schema::DataType,
};

use crate::{html, Error};

/// A table read whole.
pub(crate) struct Loaded {
    /// The file.
    pub(crate) path: PathBuf,
    /// Its `provar.schema` value (`NAME/VERSION`).
    #[allow(dead_code)]
    pub(crate) schema: String,
    /// Its rows.
    pub(crate) batches: Vec<RecordBatch>,
}

impl Loaded {
    pub(crate) fn rows(&self) -> usize {
        crate::rows(&self.batches)
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.batches
            .first()
            .is_some_and(|b| b.schema().column_with_name(name).is_some())
    }

    fn missing(&self, column: &str, expected: &'static str) -> Error {
        Error::Column {
            path: self.path.clone(),
            column: column.to_owned(),
            expected,
        }
    }
}

/// The value at `i` of a numeric array as `f64` (NaN when null); `None` for other types.
fn number(array: &ArrayRef, i: usize) -> Option<f64> {
    if array.is_null(i) {
        return Some(f64::NAN);
    }
    let any = array.as_any();
    macro_rules! try_as {
        ($($t:ty),*) => {$(
            if let Some(a) = any.downcast_ref::<$t>() {
                return Some(a.value(i) as f64);
            }
        )*};
    }
    try_as!(
        Float64Array,
        Float32Array,
        Int64Array,
        Int32Array,
        Int16Array,
        Int8Array,
        UInt64Array,
        UInt32Array,
        UInt16Array,
        UInt8Array
    );
    None
}

/// A numeric column as `f64`s (NaN for nulls). An empty table gives an empty vector.
pub(crate) fn numbers(t: &Loaded, name: &str) -> Result<Vec<f64>, Error> {
    let mut out = Vec::with_capacity(t.rows());
    for batch in &t.batches {
        let column = batch
            .column_by_name(name)
            .ok_or_else(|| t.missing(name, "a number"))?;
        for i in 0..column.len() {
            out.push(number(column, i).ok_or_else(|| t.missing(name, "a number"))?);
        }
    }
    Ok(out)
}

/// A column as text (numbers printed; nulls as empty strings).
pub(crate) fn strings(t: &Loaded, name: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::with_capacity(t.rows());
    for batch in &t.batches {
        let column = batch
            .column_by_name(name)
            .ok_or_else(|| t.missing(name, "text"))?;
        for i in 0..column.len() {
            out.push(cell(column, i));
        }
    }
    Ok(out)
}

/// The first of `names` the table has, as text.
pub(crate) fn first_strings(t: &Loaded, names: &[&str]) -> Result<Vec<String>, Error> {
    match names.iter().find(|n| t.has(n)) {
        Some(n) => strings(t, n),
        None if t.rows() == 0 => Ok(Vec::new()),
        None => Err(t.missing(names[0], "text")),
    }
}

/// The first of `names` the table has, as numbers.
pub(crate) fn first_numbers(t: &Loaded, names: &[&str]) -> Result<Vec<f64>, Error> {
    match names.iter().find(|n| t.has(n)) {
        Some(n) => numbers(t, n),
        None if t.rows() == 0 => Ok(Vec::new()),
        None => Err(t.missing(names[0], "a number")),
    }
}

/// Renders one value for display: numbers with up to 4 significant decimals, lists as
/// `[a, b, …]` (first 6 items), other types as their type name.
fn cell(array: &ArrayRef, i: usize) -> String {
    if array.is_null(i) {
        return String::new();
    }
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        return a.value(i).to_owned();
    }
    if let Some(a) = any.downcast_ref::<LargeStringArray>() {
        return a.value(i).to_owned();
    }
    if let Some(a) = any.downcast_ref::<BooleanArray>() {
        return a.value(i).to_string();
    }
    if let Some(a) = any.downcast_ref::<ListArray>() {
        let values = a.value(i);
        let mut parts: Vec<String> = (0..values.len().min(6)).map(|j| cell(&values, j)).collect();
        if values.len() > 6 {
            parts.push("…".into());
        }
        return format!("[{}]", parts.join(", "));
    }
    match array.data_type() {
        DataType::Float32 | DataType::Float64 => match number(array, i) {
            Some(v) if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e6) => format!("{v:.3e}"),
            Some(v) => {
                let s = format!("{v:.4}");
                s.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
            None => String::new(),
        },
        _ => match number(array, i) {
            Some(v) => format!("{v}"),
            None => format!("({})", array.data_type()),
        },
    }
}

fn header(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

fn row(batch: &RecordBatch, i: usize) -> Vec<String> {
    batch.columns().iter().map(|c| cell(c, i)).collect()
}

/// The first `limit` rows as an HTML table, with a note when rows were left out.
pub(crate) fn preview(t: &Loaded, limit: usize) -> String {
    let Some(first) = t.batches.first() else {
        return "<p class=\"none\">The table is empty.</p>".into();
    };
    let mut rows = Vec::new();
    'outer: for batch in &t.batches {
        for i in 0..batch.num_rows() {
            if rows.len() == limit {
                break 'outer;
            }
            rows.push(row(batch, i));
        }
    }
    let mut s = html::table("rows", &header(first), &rows);
    if t.rows() > limit {
        s.push_str(&format!(
            "<p class=\"none\">First {limit} of {} rows.</p>",
            t.rows()
        ));
    }
    s
}

/// Rows grouped by `groups` (one value per row), at most `limit` rows per group.
pub(crate) fn grouped_preview(t: &Loaded, groups: &[String], limit: usize) -> String {
    let Some(first) = t.batches.first() else {
        return "<p class=\"none\">No candidates.</p>".into();
    };
    let mut by_group: BTreeMap<&str, Vec<Vec<String>>> = BTreeMap::new();
    let mut index = 0;
    for batch in &t.batches {
        for i in 0..batch.num_rows() {
            let rows = by_group.entry(groups[index].as_str()).or_default();
            if rows.len() < limit {
                rows.push(row(batch, i));
            }
            index += 1;
        }
    }
    let mut s = String::new();
    for (group, rows) in by_group {
        s.push_str(&format!("<h3>Family {}</h3>", html::escape(group)));
        s.push_str(&html::table("candidates", &header(first), &rows));
    }
    s
}
