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
    /// Genotype-based clustering failed.
    #[error("cannot cluster the samples of {} by genotype: {reason}", path.display())]
    Genetic {
        /// The calls table.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// Too few samples, or too few common well-called variants, for a PCA.
    #[error(
        "cannot cluster the samples of {} by genotype: too few samples or common variants for PCA (MAF >= {maf}, call rate >= {min_call_rate})",
        path.display()
    )]
    TooFewForPca {
        /// The calls table.
        path: PathBuf,
        /// The minor-allele-frequency floor of the PCA's variants.
        maf: f64,
        /// The call-rate floor of the PCA's variants.
        min_call_rate: f64,
    },
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

/// What to cluster from genotypes, and where.
#[derive(Clone, Debug)]
pub struct GeneticConfig {
    /// Directory holding the ingest tables.
    pub tables_dir: PathBuf,
    /// Directory receiving `clusters`, `pca` and `relatedness`.
    pub out_dir: PathBuf,
    /// PCA settings.
    pub pca: crate::genetic::PcaConfig,
    /// Clustering method.
    pub method: crate::genetic::Method,
    /// PCs the clustering uses (the first ones).
    pub pcs: usize,
    /// Largest number of clusters tried.
    pub max_k: usize,
    /// Refine the groups with the genotypes' likelihood under each group's allele
    /// frequencies ([`crate::genetic::refine`]).
    pub refine: bool,
    /// A pedigree, for the expected kinship of each pair (its members only).
    pub pedigree: Option<provar_core::pedigree::Pedigree>,
}

/// The result of [`run_genetic`].
#[derive(Debug)]
pub struct GeneticClusters {
    /// `clusters`, `pca`, `relatedness`, under temporary names.
    pub tables: Vec<Finished>,
    /// The clustering.
    pub grouping: crate::genetic::Grouping,
    /// Variants the PCA used.
    pub variants: usize,
    /// Eigenvalues of the components written.
    pub eigenvalues: Vec<f64>,
}

/// Reads the genotypes, runs PCA, clusters the samples in PC space and estimates KING
/// kinship for every pair; writes `clusters`, `pca` and `relatedness`.
pub fn run_genetic(config: &GeneticConfig) -> Result<GeneticClusters, ClusterError> {
    use crate::genetic;
    use provar_io::arrow_schema::{DataType, Field, Schema};
    let calls = config.tables_dir.join(Table::Calls.file_name());
    let genotypes =
        genetic::read_genotypes(&config.tables_dir).map_err(|e| ClusterError::Genetic {
            path: calls.clone(),
            reason: e.to_string(),
        })?;
    let pca = genetic::pca(&genotypes, &config.pca).ok_or_else(|| ClusterError::TooFewForPca {
        path: calls.clone(),
        maf: config.pca.maf,
        min_call_rate: config.pca.min_call_rate,
    })?;
    let dims = config.pcs.min(pca.scores.ncols()).max(1);
    let x = pca.scores.slice(ndarray::s![.., ..dims]).to_owned();
    let mut grouping =
        genetic::cluster(&x, config.method, config.max_k, config.pca.seed).map_err(|reason| {
            ClusterError::Genetic {
                path: calls.clone(),
                reason,
            }
        })?;
    if config.refine {
        genetic::refine(
            &genotypes,
            &mut grouping.labels,
            grouping.k,
            config.pca.seed,
            20,
        );
    }
    let ids = &genotypes.ids;
    let mut tables = write_groups(
        &config.out_dir,
        ["clusters", "pca"],
        ids,
        &pca,
        &x,
        &grouping,
    )?;

    // relatedness: one row per pair.
    let pairs = genetic::king(&genotypes);
    let def = table::TableDef {
        name: "relatedness",
        version: 1,
        schema: Arc::new(Schema::new(vec![
            Field::new("sample_1", DataType::Utf8, false),
            Field::new("sample_2", DataType::Utf8, false),
            Field::new("nsnp", DataType::UInt64, false),
            Field::new("hethet", DataType::UInt64, false),
            Field::new("ibs0", DataType::UInt64, false),
            Field::new("kinship", DataType::Float64, true),
            Field::new("expected_kinship", DataType::Float64, true),
        ])),
    };
    let expected: Vec<Option<f64>> = pairs
        .iter()
        .map(|(i, j, _)| {
            config
                .pedigree
                .as_ref()
                .and_then(|p| p.kinship(&ids[*i], &ids[*j]))
        })
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            pairs.iter().map(|(i, _, _)| ids[*i].as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            pairs.iter().map(|(_, j, _)| ids[*j].as_str()),
        )),
        Arc::new(provar_io::arrow_array::UInt64Array::from_iter_values(
            pairs.iter().map(|p| p.2.nsnp),
        )),
        Arc::new(provar_io::arrow_array::UInt64Array::from_iter_values(
            pairs.iter().map(|p| p.2.hethet),
        )),
        Arc::new(provar_io::arrow_array::UInt64Array::from_iter_values(
            pairs.iter().map(|p| p.2.ibs0),
        )),
        Arc::new(Float64Array::from_iter(
            pairs
                .iter()
                .map(|p| (!p.2.kinship.is_nan()).then_some(p.2.kinship)),
        )),
        Arc::new(Float64Array::from_iter(expected)),
    ];
    let batch = RecordBatch::try_new(def.schema.clone(), columns).expect("relatedness columns");
    let mut writer = TableWriter::create(&config.out_dir, def)?;
    writer.write(&batch)?;
    tables.push(writer.finish()?);
    Ok(GeneticClusters {
        tables,
        grouping,
        variants: pca.variants,
        eigenvalues: pca.eigenvalues,
    })
}

/// Writes the clustering (`names[0]`: sample_index, sample_id, cluster, distance to the
/// cluster's centroid in the clustered PCs `x`; DBSCAN noise gets the last label and the
/// distance to the nearest centroid) and the PCA scores (`names[1]`: sample_index,
/// sample_id, PC1..PCk).
fn write_groups(
    out_dir: &std::path::Path,
    names: [&'static str; 2],
    ids: &[String],
    pca: &crate::genetic::Pca,
    x: &ndarray::Array2<f64>,
    grouping: &crate::genetic::Grouping,
) -> Result<Vec<Finished>, ClusterError> {
    use provar_io::arrow_schema::{DataType, Field, Schema};
    let n = ids.len();
    let dims = x.ncols();
    // Distance to the centroid of the own cluster in the clustered PCs (noise: to the
    // nearest centroid).
    let k = grouping.k;
    let mut centroids = vec![vec![0.0; dims]; k];
    let mut sizes = vec![0usize; k];
    for (i, l) in grouping.labels.iter().enumerate() {
        if let Some(l) = l {
            sizes[*l as usize] += 1;
            for d in 0..dims {
                centroids[*l as usize][d] += x[[i, d]];
            }
        }
    }
    for (c, size) in centroids.iter_mut().zip(&sizes) {
        for v in c.iter_mut() {
            *v /= (*size).max(1) as f64;
        }
    }
    let dist = |i: usize, c: usize| -> f64 {
        (0..dims)
            .map(|d| (x[[i, d]] - centroids[c][d]).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let noise = k as u32;
    let cluster: Vec<u32> = grouping.labels.iter().map(|l| l.unwrap_or(noise)).collect();
    let distance: Vec<f64> = grouping
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| match l {
            Some(l) => dist(i, *l as usize),
            None => (0..k).map(|c| dist(i, c)).fold(f64::INFINITY, f64::min),
        })
        .collect();
    let mut tables = Vec::new();
    let batch = RecordBatch::try_new(
        Table::Clusters.schema(),
        vec![
            Arc::new(UInt32Array::from_iter_values(0..n as u32)) as ArrayRef,
            Arc::new(StringArray::from_iter_values(ids)),
            Arc::new(UInt32Array::from_iter_values(cluster.iter().copied())),
            Arc::new(Float64Array::from_iter_values(distance.iter().copied())),
        ],
    )
    .expect("columns match the clusters schema");
    let def = table::TableDef {
        name: names[0],
        version: Table::Clusters.version(),
        schema: Table::Clusters.schema(),
    };
    let mut writer = TableWriter::create(out_dir, def)?;
    writer.write(&batch)?;
    tables.push(writer.finish()?);

    // pca: sample_index, sample_id, PC1..PCk.
    let components = pca.scores.ncols();
    let mut fields = vec![
        Field::new("sample_index", DataType::UInt32, false),
        Field::new("sample_id", DataType::Utf8, false),
    ];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(0..n as u32)),
        Arc::new(StringArray::from_iter_values(ids)),
    ];
    for c in 0..components {
        fields.push(Field::new(format!("PC{}", c + 1), DataType::Float64, false));
        columns.push(Arc::new(Float64Array::from_iter_values(
            pca.scores.column(c).iter().copied(),
        )));
    }
    let def = table::TableDef {
        name: names[1],
        version: 1,
        schema: Arc::new(Schema::new(fields)),
    };
    let batch = RecordBatch::try_new(def.schema.clone(), columns).expect("pca columns");
    let mut writer = TableWriter::create(out_dir, def)?;
    writer.write(&batch)?;
    tables.push(writer.finish()?);

    Ok(tables)
}

/// What to cluster from rare-variant burden profiles, and where.
#[derive(Clone, Debug)]
pub struct ProfileConfig {
    /// Directory receiving `burden_profiles`, `burden_pca` and `burden_clusters`.
    pub out_dir: PathBuf,
    /// PCA settings (`components` and `seed` are used; the profiles are not genotypes).
    pub pca: crate::genetic::PcaConfig,
    /// Clustering method.
    pub method: crate::genetic::Method,
    /// PCs the clustering uses (the first ones).
    pub pcs: usize,
    /// Largest number of clusters tried.
    pub max_k: usize,
}

/// The result of [`run_profiles`].
#[derive(Debug)]
pub struct ProfileClusters {
    /// `burden_profiles`, `burden_pca`, `burden_clusters`.
    pub tables: Vec<Finished>,
    /// The clustering.
    pub grouping: crate::genetic::Grouping,
    /// Groups (genes or windows) whose counts vary between samples, which the PCA used.
    pub features: usize,
    /// Eigenvalues of the components written.
    pub eigenvalues: Vec<f64>,
}

/// PCA and clustering of samples on their rare-variant burden profiles: `counts[sample]
/// [group]` qualifying alternate alleles per gene or window ([`crate::genetic::pca_of_matrix`]
/// z-scores each group). Writes `burden_profiles` (one row per sample and group with a
/// count above 0), `burden_pca` and `burden_clusters` (the columns of `pca` and
/// `clusters`).
pub fn run_profiles(
    config: &ProfileConfig,
    samples: &[String],
    groups: &[String],
    counts: &[Vec<u32>],
) -> Result<ProfileClusters, ClusterError> {
    use provar_io::arrow_schema::{DataType, Field, Schema};
    let rows: Vec<Vec<f64>> = counts
        .iter()
        .map(|r| r.iter().map(|&c| f64::from(c)).collect())
        .collect();
    let source = config.out_dir.join("burden_profiles.parquet");
    let pca = crate::genetic::pca_of_matrix(&rows, &config.pca).ok_or_else(|| {
        ClusterError::Genetic {
            path: source.clone(),
            reason: format!(
                "too few samples ({}) or genes/windows with qualifying variants that vary between samples for a PCA",
                samples.len()
            ),
        }
    })?;
    let dims = config.pcs.min(pca.scores.ncols()).max(1);
    let x = pca.scores.slice(ndarray::s![.., ..dims]).to_owned();
    let grouping = crate::genetic::cluster(&x, config.method, config.max_k, config.pca.seed)
        .map_err(|reason| ClusterError::Genetic {
            path: source.clone(),
            reason,
        })?;
    let def = table::TableDef {
        name: "burden_profiles",
        version: 1,
        schema: Arc::new(Schema::new(vec![
            Field::new("sample_id", DataType::Utf8, false),
            Field::new("group", DataType::Utf8, false),
            Field::new("alleles", DataType::UInt32, false),
        ])),
    };
    let cells: Vec<(usize, usize, u32)> = counts
        .iter()
        .enumerate()
        .flat_map(|(s, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(move |(g, c)| (s, g, *c))
        })
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            cells.iter().map(|c| samples[c.0].as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            cells.iter().map(|c| groups[c.1].as_str()),
        )),
        Arc::new(UInt32Array::from_iter_values(cells.iter().map(|c| c.2))),
    ];
    let batch = RecordBatch::try_new(def.schema.clone(), columns).expect("burden_profiles columns");
    let mut writer = TableWriter::create(&config.out_dir, def)?;
    writer.write(&batch)?;
    let mut tables = vec![writer.finish()?];
    tables.extend(write_groups(
        &config.out_dir,
        ["burden_clusters", "burden_pca"],
        samples,
        &pca,
        &x,
        &grouping,
    )?);
    Ok(ProfileClusters {
        tables,
        grouping,
        features: pca.variants,
        eigenvalues: pca.eigenvalues,
    })
}
