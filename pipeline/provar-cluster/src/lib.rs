//! stage crate: clustering of samples; k-means over standardised per-sample features (linfa)

mod kmeans;
pub use kmeans::*;
