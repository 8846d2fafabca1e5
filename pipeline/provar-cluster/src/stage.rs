//! The `cluster` stage: `sample_qc` table in, `clusters` table out.

use std::{path::PathBuf, sync::Arc};

use provar_io::{
    arrow_array::{
        Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array,
    },
    table::{self, column, Finished, Table, TableWriter},
};

use crate::{kmeans, standardise, Assignment, KMeansConfig};

/// The `sample_qc` columns used as features, in order.
pub const FEATURES: [&str; 8] = [
    "call_rate",
    "n_het",
    "n_hom_var",
    "n_non_ref",
    "n_singleton",
    "r_ti_tv",
    "r_het_hom_var",
    "r_insertion_deletion",
];

/// What to cluster and where.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Directory holding `sample_qc`.
    pub tables_dir: PathBuf,
    /// Directory receiving `clusters`.
    pub out_dir: PathBuf,
    /// k-means parameters (k, seed, ...).
    pub kmeans: KMeansConfig,
}

/// The result of [`run`].
#[derive(Debug)]
pub struct Clustered {
    /// `clusters`, under its temporary name.
    pub tables: Vec<Finished>,
    /// The assignment, in sample order.
    pub assignment: Assignment,
}

/// A clustering failure.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A table could not be read or written.
    #[error(transparent)]
    Table(#[from] table::Error),
    /// k-means failed (e.g. more clusters than samples).
    #[error("cannot cluster the samples of {}", path.display())]
    KMeans {
        /// The `sample_qc` table.
        path: PathBuf,
        /// The cause.
        #[source]
        source: crate::Error,
    },
}

/// Reads `sample_qc`, standardises [`FEATURES`], runs k-means and writes `clusters`.
pub fn run(config: &ClusterConfig) -> Result<Clustered, ClusterError> {
    let path = config.tables_dir.join(Table::SampleQc.file_name());
    let mut ids: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<Option<f64>>> = Vec::new();
    for batch in table::read(&config.tables_dir, Table::SampleQc, 8192)? {
        let batch = batch?;
        let id = column::<StringArray>(&batch, "sample_id", &path)?;
        let mut features: Vec<Vec<Option<f64>>> =
            vec![Vec::with_capacity(FEATURES.len()); batch.num_rows()];
        for name in FEATURES {
            let values: Vec<Option<f64>> = match column::<Float64Array>(&batch, name, &path) {
                Ok(c) => c.iter().collect(),
                Err(_) => column::<Int64Array>(&batch, name, &path)?
                    .iter()
                    .map(|v| v.map(|v| v as f64))
                    .collect(),
            };
            for (row, v) in features.iter_mut().zip(values) {
                row.push(v);
            }
        }
        ids.extend((0..id.len()).map(|i| id.value(i).to_owned()));
        rows.extend(features);
    }
    let kmeans_error = |source| ClusterError::KMeans {
        path: path.clone(),
        source,
    };
    let matrix = standardise(&rows).map_err(kmeans_error)?;
    let assignment = kmeans(&matrix, &config.kmeans).map_err(kmeans_error)?;

    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(0..ids.len() as u32)),
        Arc::new(StringArray::from_iter_values(&ids)),
        Arc::new(UInt32Array::from_iter_values(
            assignment.cluster.iter().copied(),
        )),
        Arc::new(Float64Array::from_iter_values(
            assignment.distance.iter().copied(),
        )),
    ];
    let batch = RecordBatch::try_new(Table::Clusters.schema(), columns)
        .expect("columns match the clusters schema");
    let mut writer = TableWriter::create(&config.out_dir, Table::Clusters)?;
    writer.write(&batch)?;
    Ok(Clustered {
        tables: vec![writer.finish()?],
        assignment,
    })
}
