//! `merge`: joins the ingest tables of shards, in the order given, into the tables a single
//! run over the whole file writes.

use std::{path::PathBuf, sync::Arc};

use provar_io::{
    arrow_array::{ArrayRef, RecordBatch, StringArray, UInt64Array},
    table::{self, column, Finished, Table, TableWriter},
};

/// What to merge and where.
#[derive(Clone, Debug)]
pub struct MergeConfig {
    /// Shard output directories, in genomic order (shard 1, 2, ...).
    pub inputs: Vec<PathBuf>,
    /// Directory receiving the merged tables.
    pub out_dir: PathBuf,
}

/// The merged tables under temporary names, and the row count.
#[derive(Debug)]
pub struct Merged {
    /// `variants`, `calls`, `samples`.
    pub tables: Vec<Finished>,
    /// Variant rows written.
    pub variants: u64,
}

/// A merge failure.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A table could not be read or written.
    #[error(transparent)]
    Table(#[from] table::Error),
    /// Nothing to merge.
    #[error("nothing to merge: give at least one shard directory")]
    NoInputs,
    /// Shards disagree on the samples.
    #[error("cannot merge {}: its samples differ from those of {}", other.display(), first.display())]
    SamplesDiffer {
        /// The first shard.
        first: PathBuf,
        /// The shard that differs.
        other: PathBuf,
    },
    /// Shards have different INFO columns (they come from different files).
    #[error("cannot merge {}: its {table} table has other columns than that of {} (or one of them has none)", other.display(), first.display())]
    InfoDiffers {
        /// The first shard.
        first: PathBuf,
        /// The shard that differs.
        other: PathBuf,
        /// Which table (`info` or `format`).
        table: &'static str,
    },
    /// A shard's `variant_index` column is not 0, 1, 2, ...
    #[error("cannot merge {}: {table} rows are not numbered 0, 1, 2, ... (row {row} has variant_index {found})", dir.display())]
    NotNumbered {
        /// The shard.
        dir: PathBuf,
        /// The table.
        table: &'static str,
        /// The row.
        row: u64,
        /// Its `variant_index`.
        found: u64,
    },
}

fn sample_ids(dir: &std::path::Path) -> Result<Vec<String>, MergeError> {
    let path = dir.join(Table::Samples.file_name());
    let mut ids = Vec::new();
    for batch in table::read(dir, Table::Samples, 1 << 16)? {
        let batch = batch?;
        let c = column::<StringArray>(&batch, "sample_id", &path)?;
        ids.extend(c.iter().map(|s| s.unwrap_or_default().to_owned()));
    }
    Ok(ids)
}

/// Concatenates the shards' `name` table (`info` or `format`; when the first shard has
/// one), renumbering `variant_index`; every shard must have the same columns.
fn merge_extra(config: &MergeConfig, name: &'static str) -> Result<Option<Finished>, MergeError> {
    let mut shards = Vec::with_capacity(config.inputs.len());
    for dir in &config.inputs {
        match table::read_any(dir, name)? {
            Some((_, batches)) => shards.push((dir, batches)),
            None if shards.is_empty() => return Ok(None),
            None => {
                return Err(MergeError::InfoDiffers {
                    first: config.inputs[0].clone(),
                    other: dir.clone(),
                    table: name,
                })
            }
        }
    }
    let schema = match shards.first().and_then(|(_, b)| b.first()) {
        Some(batch) => batch.schema(),
        None => return Ok(None),
    };
    let mut writer = TableWriter::create(
        &config.out_dir,
        table::TableDef {
            name,
            version: 1,
            schema: schema.clone(),
        },
    )?;
    let mut offset = 0u64;
    for (dir, batches) in &shards {
        let path = dir.join(format!("{name}.parquet"));
        for batch in batches {
            if batch.schema().fields() != schema.fields() {
                return Err(MergeError::InfoDiffers {
                    first: config.inputs[0].clone(),
                    other: (*dir).clone(),
                    table: name,
                });
            }
            let n = batch.num_rows() as u64;
            let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
            columns[0] = Arc::new(UInt64Array::from_iter_values(offset..offset + n));
            let renumbered = RecordBatch::try_new(schema.clone(), columns).map_err(|e| {
                table::Error::Parquet {
                    path: path.clone(),
                    source: e.into(),
                }
            })?;
            writer.write(&renumbered)?;
            offset += n;
        }
    }
    Ok(Some(writer.finish()?))
}

/// Concatenates `variants` and `calls` of the shards (renumbering `variant_index`) and writes
/// their common `samples`.
pub fn merge(config: &MergeConfig) -> Result<Merged, MergeError> {
    let first = config.inputs.first().ok_or(MergeError::NoInputs)?;
    let samples = sample_ids(first)?;
    for other in &config.inputs[1..] {
        if sample_ids(other)? != samples {
            return Err(MergeError::SamplesDiffer {
                first: first.clone(),
                other: other.clone(),
            });
        }
    }
    let mut tables = Vec::new();
    let mut total = 0;
    for t in [Table::Variants, Table::Calls] {
        let mut writer = TableWriter::create(&config.out_dir, t)?;
        let mut offset = 0u64;
        for dir in &config.inputs {
            let path = dir.join(t.file_name());
            let mut local = 0u64;
            for batch in table::read(dir, t, 1 << 16)? {
                let batch = batch?;
                let index = column::<UInt64Array>(&batch, "variant_index", &path)?;
                for (i, v) in index.values().iter().enumerate() {
                    if *v != local + i as u64 {
                        return Err(MergeError::NotNumbered {
                            dir: dir.clone(),
                            table: t.name(),
                            row: local + i as u64,
                            found: *v,
                        });
                    }
                }
                let n = batch.num_rows() as u64;
                let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
                columns[0] = Arc::new(UInt64Array::from_iter_values(
                    offset + local..offset + local + n,
                ));
                let renumbered = RecordBatch::try_new(t.schema(), columns).map_err(|e| {
                    table::Error::Parquet {
                        path: path.clone(),
                        source: e.into(),
                    }
                })?;
                writer.write(&renumbered)?;
                local += n;
            }
            offset += local;
        }
        total = offset;
        tables.push(writer.finish()?);
    }
    let mut writer = TableWriter::create(&config.out_dir, Table::Samples)?;
    writer.write(&crate::rows::samples_batch(&samples))?;
    tables.push(writer.finish()?);
    for name in [crate::rows::INFO_TABLE, crate::rows::FORMAT_TABLE] {
        if let Some(extra) = merge_extra(config, name)? {
            tables.push(extra);
        }
    }
    Ok(Merged {
        tables,
        variants: total,
    })
}
