//! Stage `cluster`: groups samples by k-means (linfa) over standardised per-sample features
//! read from the `sample_qc` table, and writes the `clusters` table.
//!
//! It owns feature selection, standardisation and the k-means call; it does not compute the
//! features (that is `provar-qc`). Labels are canonical (cluster 0 holds the first sample,
//! cluster 1 the first sample not in cluster 0, ...) and the fit runs on one thread with a
//! seeded RNG, so the output is identical whatever the thread count.
//!
//! ```
//! use provar_cluster::{kmeans, standardise, KMeansConfig};
//! let rows = vec![vec![Some(0.0)], vec![Some(0.1)], vec![Some(10.0)], vec![Some(10.2)]];
//! let matrix = standardise(&rows)?;
//! let config = KMeansConfig { k: 2, ..KMeansConfig::default() };
//! assert_eq!(kmeans(&matrix, &config)?.cluster, [0, 0, 1, 1]);
//! # Ok::<_, provar_cluster::Error>(())
//! ```

pub mod genetic;
mod kmeans;
mod stage;

pub use kmeans::*;
pub use stage::{
    run, run_genetic, run_profiles, ClusterConfig, ClusterError, Clustered, GeneticClusters,
    GeneticConfig, ProfileClusters, ProfileConfig, FEATURES,
};
