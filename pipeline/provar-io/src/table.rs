//! The tables stages exchange: their Arrow schemas, schema versions, and deterministic Parquet
//! writing and reading.
//!
//! Every Parquet file carries the key `provar.schema` = `NAME/VERSION` in its metadata. A
//! reader refuses a file whose table or version differs from what it expects, so an older
//! table gives a clear error instead of wrong numbers.

use std::{
    fs::File,
    path::{Path, PathBuf},
    sync::Arc,
};

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::{
    arrow::{arrow_reader::ParquetRecordBatchReaderBuilder, ArrowWriter},
    basic::{Compression, ZstdLevel},
    file::metadata::KeyValue,
    file::properties::WriterProperties,
};

use crate::atomic::AtomicFile;

/// The metadata key holding `NAME/VERSION`.
pub const SCHEMA_KEY: &str = "provar.schema";

/// Rows per Parquet row group; fixed so that output bytes do not depend on how a stage
/// chunked its work.
pub const ROW_GROUP_SIZE: usize = 65_536;

/// Estimated encoded bytes after which a row group is closed: the writer buffers a whole row
/// group, so this bounds its memory on wide `calls` tables. It is checked after each
/// [`WRITE_CHUNK`], so row groups still depend only on the rows.
pub const ROW_GROUP_BYTES: usize = 64 << 20;

/// Rows handed to the Parquet writer per call. The writer's page boundaries depend on how rows
/// arrive, so [`TableWriter`] re-chunks whatever it is given into batches of exactly this many
/// rows (the last may be shorter): the bytes then depend on the rows alone, which is what
/// makes a merge of shards byte-identical to a single run.
pub const WRITE_CHUNK: usize = 1024;

/// What [`TableWriter`] and [`read`] need to know about a table: its name (the file is
/// `NAME.parquet`), its schema version and its Arrow schema. [`Table`] lists the tables of
/// the core stages; a stage crate with its own tables describes them with a [`TableDef`].
pub trait TableSpec {
    /// The table's name, as used in file names and the schema key.
    fn table_name(&self) -> &str;
    /// The schema version this provar writes and reads.
    fn table_version(&self) -> u32;
    /// The Arrow schema.
    fn arrow_schema(&self) -> SchemaRef;
    /// `NAME.parquet`.
    fn parquet_file_name(&self) -> String {
        format!("{}.parquet", self.table_name())
    }
    /// `NAME/VERSION`, the value of [`SCHEMA_KEY`].
    fn table_schema_id(&self) -> String {
        format!("{}/{}", self.table_name(), self.table_version())
    }
}

/// The Arrow field-metadata key under which an `info.parquet` column keeps its header
/// `Description=` (consequence annotations such as CSQ, ANN and BCSQ name their sub-fields
/// there).
pub const INFO_DESCRIPTION_KEY: &str = "description";

/// A table defined outside this crate (by the stage that writes it).
#[derive(Clone, Debug)]
pub struct TableDef {
    /// The table's name (`NAME.parquet`).
    pub name: &'static str,
    /// Schema version; bump it whenever the columns change.
    pub version: u32,
    /// The Arrow schema.
    pub schema: SchemaRef,
}

impl TableSpec for TableDef {
    fn table_name(&self) -> &str {
        self.name
    }
    fn table_version(&self) -> u32 {
        self.version
    }
    fn arrow_schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

impl<T: TableSpec + ?Sized> TableSpec for &T {
    fn table_name(&self) -> &str {
        (**self).table_name()
    }
    fn table_version(&self) -> u32 {
        (**self).table_version()
    }
    fn arrow_schema(&self) -> SchemaRef {
        (**self).arrow_schema()
    }
}

impl TableSpec for Table {
    fn table_name(&self) -> &str {
        self.name()
    }
    fn table_version(&self) -> u32 {
        self.version()
    }
    fn arrow_schema(&self) -> SchemaRef {
        self.schema()
    }
}

/// One of the tables provar's core stages write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// One row per alternate allele after splitting multi-allelic records.
    Variants,
    /// Genotype data: one row per variant with one list entry per sample.
    Calls,
    /// One row per sample.
    Samples,
    /// Per-variant QC (Hail's `variant_qc`).
    VariantQc,
    /// Per-sample QC (Hail's `sample_qc`).
    SampleQc,
    /// Sample clusters.
    Clusters,
    /// Gene and transcript assignment: one row per (variant, overlapping transcript), or one
    /// `intergenic` row for a variant that overlaps none.
    Annotations,
}

/// An error reading or writing a table. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O failure.
    #[error("cannot access {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A Parquet or Arrow failure.
    #[error("invalid table {}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The file is not the expected table or version.
    #[error("unsupported table {}: expected schema {expected}, found {found}", path.display())]
    UnsupportedSchema {
        /// The file.
        path: PathBuf,
        /// `NAME/VERSION` this provar reads.
        expected: String,
        /// What the file says (or `none`).
        found: String,
    },
    /// A column is missing or has the wrong type.
    #[error("invalid table {}: column {column:?} is missing or not {expected}", path.display())]
    InvalidColumn {
        /// The file.
        path: PathBuf,
        /// Column name.
        column: String,
        /// Expected Arrow type.
        expected: String,
    },
}

fn list_of(item: DataType, nullable_items: bool) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, nullable_items)))
}

fn u64_col(name: &str) -> Field {
    Field::new(name, DataType::UInt64, false)
}

fn i64_col(name: &str) -> Field {
    Field::new(name, DataType::Int64, false)
}

fn f64_col(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Float64, nullable)
}

fn utf8_col(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

impl Table {
    /// Every table, in pipeline order.
    pub const ALL: [Table; 7] = [
        Table::Variants,
        Table::Calls,
        Table::Samples,
        Table::VariantQc,
        Table::SampleQc,
        Table::Clusters,
        Table::Annotations,
    ];

    /// The table's name, as used in file names and the schema key.
    pub fn name(self) -> &'static str {
        match self {
            Table::Variants => "variants",
            Table::Calls => "calls",
            Table::Samples => "samples",
            Table::VariantQc => "variant_qc",
            Table::SampleQc => "sample_qc",
            Table::Clusters => "clusters",
            Table::Annotations => "annotations",
        }
    }

    /// The schema version this provar writes and reads.
    pub fn version(self) -> u32 {
        match self {
            // 2: `calls` gained `gt_alleles_extra` (polyploid calls); the QC tables gained
            // Hail's HWE and DP/GQ statistics and bcftools' fill-tags fields.
            Table::Calls | Table::VariantQc => 2,
            // 3: sex inference (x_n_sites, x_n_het, x_expected_hom, x_f, inferred_sex,
            // pedigree_sex, sex_check).
            Table::SampleQc => 3,
            _ => 1,
        }
    }

    /// `NAME.parquet`.
    pub fn file_name(self) -> String {
        format!("{}.parquet", self.name())
    }

    /// `NAME/VERSION`, the value of [`SCHEMA_KEY`].
    pub fn schema_id(self) -> String {
        format!("{}/{}", self.name(), self.version())
    }

    /// The Arrow schema (documented column by column in the README).
    pub fn schema(self) -> SchemaRef {
        let fields = match self {
            Table::Variants => vec![
                u64_col("variant_index"),
                utf8_col("contig", false),
                u64_col("position"),
                utf8_col("id", true),
                utf8_col("reference_bases", false),
                utf8_col("alternate_bases", true),
                Field::new("allele_index", DataType::UInt32, false),
                f64_col("quality", true),
                utf8_col("filters", true),
                utf8_col("variant_key", false),
            ],
            Table::Calls => vec![
                u64_col("variant_index"),
                Field::new("gt_allele_1", list_of(DataType::Int8, true), false),
                Field::new("gt_allele_2", list_of(DataType::Int8, true), false),
                // Third and further alleles of polyploid calls; null for ploidy <= 2.
                Field::new(
                    "gt_alleles_extra",
                    list_of(list_of(DataType::Int8, true), true),
                    false,
                ),
                Field::new("gt_phased", list_of(DataType::Boolean, false), false),
                Field::new("dp", list_of(DataType::Int32, true), false),
                Field::new("gq", list_of(DataType::Int32, true), false),
                Field::new("ad_ref", list_of(DataType::Int32, true), false),
                Field::new("ad_alt", list_of(DataType::Int32, true), false),
                Field::new("pl_00", list_of(DataType::Int32, true), false),
                Field::new("pl_01", list_of(DataType::Int32, true), false),
                Field::new("pl_11", list_of(DataType::Int32, true), false),
            ],
            Table::Samples => vec![
                Field::new("sample_index", DataType::UInt32, false),
                utf8_col("sample_id", false),
            ],
            Table::VariantQc => vec![
                u64_col("variant_index"),
                utf8_col("variant_key", false),
                i64_col("AC"),
                f64_col("AF", true),
                i64_col("AN"),
                i64_col("homozygote_count"),
                f64_col("call_rate", true),
                i64_col("n_called"),
                i64_col("n_not_called"),
                i64_col("n_filtered"),
                i64_col("n_het"),
                i64_col("n_hom_var"),
                i64_col("n_non_ref"),
                f64_col("het_freq_hwe", true),
                f64_col("p_value_hwe", true),
                f64_col("p_value_excess_het", true),
                f64_col("dp_stats_mean", true),
                f64_col("dp_stats_stdev", true),
                Field::new("dp_stats_min", DataType::Int32, true),
                Field::new("dp_stats_max", DataType::Int32, true),
                f64_col("gq_stats_mean", true),
                f64_col("gq_stats_stdev", true),
                Field::new("gq_stats_min", DataType::Int32, true),
                Field::new("gq_stats_max", DataType::Int32, true),
                i64_col("AC_Het"),
                i64_col("AC_Hom"),
                i64_col("AC_Hemi"),
                f64_col("F_MISSING", true),
                f64_col("MAF", true),
                f64_col("HWE", true),
                f64_col("ExcHet", true),
            ],
            Table::SampleQc => {
                let mut f = vec![
                    Field::new("sample_index", DataType::UInt32, false),
                    utf8_col("sample_id", false),
                    f64_col("call_rate", true),
                ];
                f.extend(SAMPLE_QC_COUNTS.iter().map(|n| i64_col(n)));
                f.extend(SAMPLE_QC_RATIOS.iter().map(|n| f64_col(n, true)));
                for field in ["dp", "gq"] {
                    f.push(f64_col(&format!("{field}_stats_mean"), true));
                    f.push(f64_col(&format!("{field}_stats_stdev"), true));
                    f.push(Field::new(
                        format!("{field}_stats_min"),
                        DataType::Int32,
                        true,
                    ));
                    f.push(Field::new(
                        format!("{field}_stats_max"),
                        DataType::Int32,
                        true,
                    ));
                }
                // Sex inference over polymorphic non-PAR X sites (see provar-qc).
                f.push(i64_col("x_n_sites"));
                f.push(i64_col("x_n_het"));
                f.push(f64_col("x_expected_hom", false));
                f.push(f64_col("x_f", true));
                f.push(utf8_col("inferred_sex", true));
                f.push(utf8_col("pedigree_sex", true));
                f.push(utf8_col("sex_check", true));
                f
            }
            Table::Clusters => vec![
                Field::new("sample_index", DataType::UInt32, false),
                utf8_col("sample_id", false),
                Field::new("cluster", DataType::UInt32, false),
                f64_col("distance", false),
            ],
            Table::Annotations => vec![
                u64_col("variant_index"),
                utf8_col("variant_key", false),
                utf8_col("gene_id", true),
                utf8_col("gene_name", true),
                utf8_col("gene_biotype", true),
                utf8_col("transcript_id", true),
                utf8_col("transcript_biotype", true),
                utf8_col("strand", true),
                utf8_col("region_class", false),
                utf8_col("worst_region_class", false),
            ],
        };
        Arc::new(Schema::new(fields))
    }
}

/// The integer columns of `sample_qc`, in order.
pub const SAMPLE_QC_COUNTS: [&str; 14] = [
    "n_called",
    "n_not_called",
    "n_filtered",
    "n_hom_ref",
    "n_het",
    "n_hom_var",
    "n_non_ref",
    "n_singleton",
    "n_snp",
    "n_insertion",
    "n_deletion",
    "n_transition",
    "n_transversion",
    "n_star",
];

/// The ratio columns of `sample_qc`, in order (null where Hail gives missing: a zero
/// denominator).
pub const SAMPLE_QC_RATIOS: [&str; 3] = ["r_ti_tv", "r_het_hom_var", "r_insertion_deletion"];

/// Writes one table as Parquet to a temporary file beside `DIR/NAME.parquet`, with fixed
/// writer settings so equal rows give equal bytes.
pub struct TableWriter {
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    output: AtomicFile,
    pending: Vec<RecordBatch>,
    pending_rows: usize,
}

impl TableWriter {
    /// Starts writing `table` into `dir`.
    pub fn create(dir: &Path, table: impl TableSpec) -> Result<Self, Error> {
        let path = dir.join(table.parquet_file_name());
        let io_error = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let output = AtomicFile::create(&path).map_err(io_error)?;
        let file = output.try_clone_file().map_err(io_error)?;
        let mut properties = WriterProperties::builder();
        // Genotype allele columns hold -1, 0 and 1: a dictionary buys nothing there over
        // zstd and costs a hash lookup per call.
        for name in ["gt_allele_1", "gt_allele_2"] {
            properties = properties.set_column_dictionary_enabled(
                parquet::schema::types::ColumnPath::new(vec![
                    name.to_owned(),
                    "list".to_owned(),
                    "item".to_owned(),
                ]),
                false,
            );
        }
        let properties = properties
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(3).expect("3 is a valid zstd level"),
            ))
            .set_max_row_group_row_count(Some(ROW_GROUP_SIZE))
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .set_created_by(format!("provar {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(vec![KeyValue::new(
                SCHEMA_KEY.to_owned(),
                table.table_schema_id(),
            )]))
            .build();
        let schema = table.arrow_schema();
        let writer =
            ArrowWriter::try_new(file, schema.clone(), Some(properties)).map_err(|source| {
                Error::Parquet {
                    path: path.clone(),
                    source,
                }
            })?;
        Ok(Self {
            schema,
            writer,
            output,
            pending: Vec::new(),
            pending_rows: 0,
        })
    }

    /// Appends rows.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let take = (WRITE_CHUNK - self.pending_rows).min(batch.num_rows() - offset);
            self.pending.push(batch.slice(offset, take));
            self.pending_rows += take;
            offset += take;
            if self.pending_rows == WRITE_CHUNK {
                self.flush()?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.pending_rows == 0 {
            return Ok(());
        }
        let path = self.output.path().to_owned();
        let batch =
            arrow_select::concat::concat_batches(&self.schema, &self.pending).map_err(|e| {
                Error::Parquet {
                    path: path.clone(),
                    source: e.into(),
                }
            })?;
        self.pending.clear();
        self.pending_rows = 0;
        self.writer
            .write(&batch)
            .map_err(|source| Error::Parquet { path, source })
    }

    /// Finishes the Parquet file; it stays under its temporary name until
    /// [`Finished::commit`].
    pub fn finish(mut self) -> Result<Finished, Error> {
        self.flush()?;
        let path = self.output.path().to_owned();
        self.writer
            .close()
            .map_err(|source| Error::Parquet { path, source })?;
        Ok(Finished {
            output: self.output,
        })
    }
}

/// A completely written table waiting to be renamed into place.
#[derive(Debug)]
pub struct Finished {
    output: AtomicFile,
}

impl Finished {
    /// Renames the file into place and returns its final path.
    pub fn commit(self) -> Result<PathBuf, Error> {
        let path = self.output.path().to_owned();
        self.output
            .commit()
            .map_err(|source| Error::Io { path, source })
    }
}

/// Commits several finished tables; stops at the first failure.
pub fn commit_all(finished: Vec<Finished>) -> Result<Vec<PathBuf>, Error> {
    finished.into_iter().map(Finished::commit).collect()
}

/// Reads `DIR/NAME.parquet` in batches of `batch_size` rows, checking its schema version.
pub fn read(
    dir: &Path,
    table: impl TableSpec,
    batch_size: usize,
) -> Result<impl Iterator<Item = Result<RecordBatch, Error>>, Error> {
    read_columns(dir, table, batch_size, None)
}

/// As [`read`], decoding only the named top-level columns (in the file's order; names the
/// file lacks are skipped, so optional columns can be asked for). Memory and time then
/// scale with the columns a stage uses, not with the table's width.
pub fn read_columns(
    dir: &Path,
    table: impl TableSpec,
    batch_size: usize,
    columns: Option<&[&str]>,
) -> Result<impl Iterator<Item = Result<RecordBatch, Error>>, Error> {
    let path = dir.join(table.parquet_file_name());
    let parquet_error = |source| Error::Parquet {
        path: path.clone(),
        source,
    };
    let builder = open_parquet(&path)?;
    let found = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kvs| kvs.iter().find(|kv| kv.key == SCHEMA_KEY))
        .and_then(|kv| kv.value.clone())
        .unwrap_or_else(|| "none".to_owned());
    if found != table.table_schema_id() {
        return Err(Error::UnsupportedSchema {
            path,
            expected: table.table_schema_id(),
            found,
        });
    }
    let builder = match columns {
        Some(names) => {
            let roots: Vec<usize> = builder
                .schema()
                .fields()
                .iter()
                .enumerate()
                .filter(|(_, f)| names.contains(&f.name().as_str()))
                .map(|(i, _)| i)
                .collect();
            let mask = parquet::arrow::ProjectionMask::roots(builder.parquet_schema(), roots);
            builder.with_projection(mask)
        }
        None => builder,
    };
    let reader = builder
        .with_batch_size(batch_size)
        .build()
        .map_err(parquet_error)?;
    Ok(reader.map(move |r| {
        r.map_err(|e| Error::Parquet {
            path: path.clone(),
            source: e.into(),
        })
    }))
}

/// Reads every batch of `DIR/NAME.parquet` whatever its schema version, for consumers such as
/// the report that look columns up by name and say which one is missing. Returns `None` when
/// the file does not exist; an existing file that is not a provar table `NAME/...` is an error.
pub fn read_any(dir: &Path, name: &str) -> Result<Option<(String, Vec<RecordBatch>)>, Error> {
    let path = dir.join(format!("{name}.parquet"));
    if !path.is_file() {
        return Ok(None);
    }
    let parquet_error = |source| Error::Parquet {
        path: path.clone(),
        source,
    };
    let builder = open_parquet(&path)?;
    let found = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kvs| kvs.iter().find(|kv| kv.key == SCHEMA_KEY))
        .and_then(|kv| kv.value.clone())
        .unwrap_or_else(|| "none".to_owned());
    if found.split('/').next() != Some(name) {
        return Err(Error::UnsupportedSchema {
            path,
            expected: format!("{name}/*"),
            found,
        });
    }
    let reader = builder
        .with_batch_size(1 << 16)
        .build()
        .map_err(parquet_error)?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Parquet {
            path: path.clone(),
            source: e.into(),
        })?;
    Ok(Some((found, batches)))
}

/// The Arrow schema of `DIR/NAME.parquet` (field metadata included) without reading its
/// rows; `None` when the file does not exist.
pub fn schema_of(dir: &Path, name: &str) -> Result<Option<SchemaRef>, Error> {
    let path = dir.join(format!("{name}.parquet"));
    if !path.is_file() {
        return Ok(None);
    }
    Ok(Some(open_parquet(&path)?.schema().clone()))
}

/// A Parquet reader builder over `path`, errors naming the file.
fn open_parquet(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>, Error> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|source| Error::Parquet {
        path: path.to_owned(),
        source,
    })
}

/// Fetches a column by name and downcasts it, with an error naming the file and column.
pub fn column<'a, T: 'static>(
    batch: &'a RecordBatch,
    name: &str,
    path: &Path,
) -> Result<&'a T, Error> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| Error::InvalidColumn {
            path: path.to_owned(),
            column: name.to_owned(),
            expected: std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or_default()
                .to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{StringArray, UInt32Array};

    fn samples(names: &[&str]) -> RecordBatch {
        let n = names.len() as u32;
        RecordBatch::try_new(
            Table::Samples.schema(),
            vec![
                Arc::new(UInt32Array::from_iter_values(0..n)),
                Arc::new(StringArray::from_iter_values(names)),
            ],
        )
        .expect("schema matches")
    }

    #[test]
    fn round_trips_and_checks_the_schema_id() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut w = TableWriter::create(dir.path(), Table::Samples)?;
        w.write(&samples(&["a", "b"]))?;
        let finished = w.finish()?;
        assert!(
            !dir.path().join("samples.parquet").exists(),
            "not renamed before commit"
        );
        finished.commit()?;
        let batches: Vec<_> = read(dir.path(), Table::Samples, 1024)?.collect::<Result<_, _>>()?;
        assert_eq!(batches, vec![samples(&["a", "b"])]);

        // The same file read as another table is refused, naming both schema ids.
        std::fs::copy(
            dir.path().join("samples.parquet"),
            dir.path().join("clusters.parquet"),
        )?;
        let err = read(dir.path(), Table::Clusters, 1024)
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("expected schema clusters/1, found samples/1")));
        Ok(())
    }

    #[test]
    fn equal_rows_give_equal_bytes() -> Result<(), Box<dyn std::error::Error>> {
        let write = |batches: &[RecordBatch]| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
            let dir = tempfile::tempdir()?;
            let mut w = TableWriter::create(dir.path(), Table::Samples)?;
            for b in batches {
                w.write(b)?;
            }
            let path = w.finish()?.commit()?;
            Ok(std::fs::read(path)?)
        };
        let one = write(&[samples(&["a", "b", "c"])])?;
        assert_eq!(one, write(&[samples(&["a", "b", "c"])])?);
        // The same rows in other batches give the same bytes.
        let names: Vec<String> = (0..10_000).map(|i| format!("s{i}")).collect();
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        let whole = write(&[samples(&all)])?;
        let parts: Vec<RecordBatch> = [0..1, 1..4097, 4097..9000, 9000..10_000]
            .into_iter()
            .map(|r| {
                let b = samples(&all);
                b.slice(r.start, r.end - r.start)
            })
            .collect();
        assert_eq!(whole, write(&parts)?);
        Ok(())
    }

    #[test]
    fn dropped_writer_leaves_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut w = TableWriter::create(dir.path(), Table::Samples)?;
        w.write(&samples(&["a"]))?;
        drop(w.finish()?);
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
        Ok(())
    }
}
