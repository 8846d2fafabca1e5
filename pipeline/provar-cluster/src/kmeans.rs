//! Standardisation of per-sample feature rows and seeded, deterministic k-means
//! clustering on top of `linfa-clustering`.
//!
//! Determinism: `linfa-clustering` runs its assignment steps through ndarray's
//! rayon-backed `par_for_each`. With k-means++ initialisation every parallel
//! task writes only its own output element (no parallel reductions, no
//! per-thread RNGs), so results would not depend on the thread count anyway;
//! nevertheless the whole fit + predict runs inside a dedicated one-thread rayon
//! pool so that the output is byte-identical whatever the size of rayon's
//! global pool, and independent of any future change inside linfa.

use linfa::traits::{Fit, Predict};
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::{Array1, Array2};
use rand_xoshiro::rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

/// Errors raised by [`standardise`] and [`kmeans`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// `k` is zero, larger than the number of samples, or does not fit a `u32` label.
    #[error("invalid k: {k} clusters requested for {n_samples} samples")]
    InvalidK {
        /// Number of clusters requested.
        k: usize,
        /// Number of samples (matrix rows) available.
        n_samples: usize,
    },
    /// The matrix handed to [`kmeans`] contains a NaN or infinite value.
    #[error("non-finite value at row {row}, column {column}")]
    NonFinite {
        /// Row (sample) index of the offending value.
        row: usize,
        /// Column (feature) index of the offending value.
        column: usize,
    },
    /// The rows handed to [`standardise`] do not all have the same length.
    #[error("ragged rows: row {row} has {found} columns, expected {expected} (as row 0)")]
    RaggedRows {
        /// Index of the first row whose length differs from row 0.
        row: usize,
        /// Length of row 0.
        expected: usize,
        /// Length of the offending row.
        found: usize,
    },
    /// No rows were given.
    #[error("no samples to cluster")]
    Empty,
    /// linfa (or the rayon pool it runs in) failed; the message is linfa's.
    #[error("k-means fit failed: {0}")]
    Fit(String),
}

/// Parameters of one k-means run.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansConfig {
    /// Number of clusters; must be in `1..=n_samples`.
    pub k: usize,
    /// Seed of the Xoshiro256Plus RNG used for k-means++ initialisation.
    pub seed: u64,
    /// Maximum number of Lloyd iterations per run (must be > 0).
    pub max_iterations: u64,
    /// Convergence threshold on the centroid shift between iterations (must be > 0).
    pub tolerance: f64,
    /// Number of independently initialised runs; the one of lowest inertia is kept (must be > 0).
    pub n_runs: usize,
}

impl Default for KMeansConfig {
    /// `k = 3, seed = 42, max_iterations = 300, tolerance = 1e-4, n_runs = 10`.
    fn default() -> Self {
        Self {
            k: 3,
            seed: 42,
            max_iterations: 300,
            tolerance: 1e-4,
            n_runs: 10,
        }
    }
}

/// The result: one cluster label and distance-to-centroid per row, centroids
/// (in standardised space), inertia.
///
/// Labels are canonical: label 0 is the cluster of row 0, label 1 the cluster of
/// the first row not in cluster 0, and so on. Centroids are reordered to match
/// (row `c` of `centroids` is the centroid of label `c`); a centroid to which no
/// row is assigned (possible, though rare) comes after all used ones, in linfa's
/// order.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Cluster label of each row, canonically numbered.
    pub cluster: Vec<u32>,
    /// Euclidean distance of each row to the centroid of its cluster.
    pub distance: Vec<f64>,
    /// Centroids, shape `(k, n_features)`, row `c` belonging to label `c`.
    pub centroids: Array2<f64>,
    /// Sum of squared distances, `Σ distance[i] * distance[i]` summed in row order.
    pub inertia: f64,
}

/// Z-score each column: (x - mean) / population-stdev. Missing (None) or
/// non-finite values are replaced by the column mean of the present values
/// before scaling (so they become 0). A column whose stdev is 0 (or with no
/// present values) becomes all zeros.
///
/// The standard deviation is the population one over the imputed column (all
/// rows), so every non-degenerate output column has mean 0 and stdev 1.
/// Columns are internally rescaled by an exact power of two, so very large or
/// very small magnitudes neither overflow nor underflow.
///
/// # Errors
/// [`Error::Empty`] if there are no rows, [`Error::RaggedRows`] if the rows do
/// not all have the length of row 0.
pub fn standardise(rows: &[Vec<Option<f64>>]) -> Result<Array2<f64>, Error> {
    let first = rows.first().ok_or(Error::Empty)?;
    let n_cols = first.len();
    if let Some((row, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != n_cols) {
        return Err(Error::RaggedRows {
            row,
            expected: n_cols,
            found: r.len(),
        });
    }
    let n_rows = rows.len();
    let mut out = Array2::<f64>::zeros((n_rows, n_cols));
    let mut present: Vec<Option<f64>> = Vec::with_capacity(n_rows);
    for column in 0..n_cols {
        present.clear();
        present.extend(rows.iter().map(|r| r[column].filter(|x| x.is_finite())));
        if let Some(z) = standardise_column(&present) {
            out.column_mut(column)
                .iter_mut()
                .zip(z)
                .for_each(|(o, v)| *o = v);
        }
    }
    Ok(out)
}

/// Z-scores one column of finite-or-missing values; `None` means "all zeros"
/// (no present value, or zero variance).
fn standardise_column(values: &[Option<f64>]) -> Option<Vec<f64>> {
    let mut count = 0usize;
    let mut max_abs = 0.0f64;
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    for x in values.iter().flatten() {
        count += 1;
        max_abs = max_abs.max(x.abs());
        min = min.min(*x);
        max = max.max(*x);
    }
    // No present value, or all present values identical: zero variance.
    if count == 0 || min == max {
        return None;
    }
    // Exact power-of-two rescaling: (x*s - m*s) / (sd*s) == (x - m) / sd bitwise
    // whenever the unscaled computation neither overflows nor underflows, and it
    // keeps sums of squares finite for huge magnitudes.
    let scale = pow2_scale(max_abs);
    let scaled: Vec<Option<f64>> = values.iter().map(|v| v.map(|x| x * scale)).collect();
    let present_sum: f64 = scaled.iter().flatten().sum();
    let mean = present_sum / count as f64;
    // Imputed entries equal the mean exactly, so they add nothing to the sum of
    // squared deviations but do count in the (population) denominator.
    let ss: f64 = scaled
        .iter()
        .flatten()
        .map(|x| (x - mean) * (x - mean))
        .sum();
    let sd = (ss / values.len() as f64).sqrt();
    if !(sd > 0.0 && sd.is_finite()) {
        return None;
    }
    Some(
        scaled
            .iter()
            .map(|v| match v {
                Some(x) => (x - mean) / sd,
                None => 0.0,
            })
            .collect(),
    )
}

/// `2^-e`, where `2^e <= max_abs < 2^(e+1)`, clamped so the factor is a normal
/// `f64` (exactly representable, exact multiplication for normal inputs).
fn pow2_scale(max_abs: f64) -> f64 {
    let biased = ((max_abs.to_bits() >> 52) & 0x7ff) as i64;
    let e = (biased - 1023).clamp(-1022, 1022);
    f64::from_bits(((1023 - e) as u64) << 52)
}

/// k-means (k-means++ init, seeded Xoshiro256Plus RNG) on a standardised matrix.
///
/// Rows are samples, columns features. The fit (linfa's m_k-means variant,
/// `config.n_runs` restarts, best inertia kept) and the final assignment run in
/// a private one-thread rayon pool, so the result is bit-for-bit reproducible
/// for the same matrix and config regardless of rayon's global pool.
///
/// # Errors
/// [`Error::Empty`] for a matrix without rows, [`Error::InvalidK`] if
/// `k == 0` or `k > n_rows`, [`Error::NonFinite`] for a NaN/infinite cell,
/// [`Error::Fit`] if linfa rejects the parameters (e.g. `n_runs == 0`,
/// `max_iterations == 0`, `tolerance <= 0`) or fails.
pub fn kmeans(matrix: &Array2<f64>, config: &KMeansConfig) -> Result<Assignment, Error> {
    let n_samples = matrix.nrows();
    if n_samples == 0 {
        return Err(Error::Empty);
    }
    if config.k == 0 || config.k > n_samples || u32::try_from(config.k).is_err() {
        return Err(Error::InvalidK {
            k: config.k,
            n_samples,
        });
    }
    if let Some(((row, column), _)) = matrix.indexed_iter().find(|(_, x)| !x.is_finite()) {
        return Err(Error::NonFinite { row, column });
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::Fit(format!("cannot build rayon pool: {e}")))?;
    let (raw_centroids, raw_labels) = pool.install(|| -> Result<_, Error> {
        let rng = Xoshiro256Plus::seed_from_u64(config.seed);
        let dataset = DatasetBase::new(matrix.view(), ());
        let model = KMeans::params_with_rng(config.k, rng)
            .init_method(KMeansInit::KMeansPlusPlus)
            .max_n_iterations(config.max_iterations)
            .tolerance(config.tolerance)
            .n_runs(config.n_runs)
            .fit(&dataset)
            .map_err(|e| Error::Fit(e.to_string()))?;
        let labels: Array1<usize> = model.predict(matrix);
        Ok((model.centroids().clone(), labels))
    })?;

    let (cluster, centroids) = canonical_relabel(&raw_labels, &raw_centroids);
    let distance: Vec<f64> = matrix
        .rows()
        .into_iter()
        .zip(&cluster)
        .map(|(row, &c)| {
            row.iter()
                .zip(centroids.row(c as usize))
                .map(|(x, m)| (x - m) * (x - m))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    let inertia = distance.iter().map(|d| d * d).sum();
    Ok(Assignment {
        cluster,
        distance,
        centroids,
        inertia,
    })
}

/// Renumbers labels by order of first appearance and reorders the centroid rows
/// to match; centroids with no member keep their relative order after the used
/// ones.
fn canonical_relabel(labels: &Array1<usize>, centroids: &Array2<f64>) -> (Vec<u32>, Array2<f64>) {
    let k = centroids.nrows();
    let mut new_of_old: Vec<Option<u32>> = vec![None; k];
    let mut order: Vec<usize> = Vec::with_capacity(k);
    let mut cluster = Vec::with_capacity(labels.len());
    for &old in labels {
        let new = match new_of_old[old] {
            Some(n) => n,
            None => {
                // k fits a u32 (checked by the caller), so does order.len() < k.
                let n = order.len() as u32;
                new_of_old[old] = Some(n);
                order.push(old);
                n
            }
        };
        cluster.push(new);
    }
    order.extend((0..k).filter(|&old| new_of_old[old].is_none()));
    let reordered = centroids.select(ndarray::Axis(0), &order);
    (cluster, reordered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_xoshiro::rand_core::RngCore;

    /// Uniform in [-0.5, 0.5) from a seeded Xoshiro256Plus.
    fn unit(rng: &mut Xoshiro256Plus) -> f64 {
        ((rng.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) - 0.5
    }

    /// Three well-separated 2-D blobs; returns (rows, blob index of each row).
    fn blobs(n: usize) -> (Vec<Vec<Option<f64>>>, Vec<usize>) {
        let centres = [(0.0, 0.0), (20.0, 20.0), (-20.0, 20.0)];
        let mut rng = Xoshiro256Plus::seed_from_u64(7);
        // Row 0 and 1 come from blob 2, then blob 0, then blob 1, then a mix.
        let blob_of: Vec<usize> = (0..n)
            .map(|i| match i {
                0 | 1 => 2,
                2 => 0,
                3 => 1,
                _ => (i * 7 + i / 5) % 3,
            })
            .collect();
        let rows = blob_of
            .iter()
            .map(|&b| {
                let (cx, cy) = centres[b];
                vec![
                    Some(cx + 2.0 * unit(&mut rng)),
                    Some(cy + 2.0 * unit(&mut rng)),
                ]
            })
            .collect();
        (rows, blob_of)
    }

    fn big_matrix() -> Array2<f64> {
        let mut rng = Xoshiro256Plus::seed_from_u64(99);
        let rows: Vec<Vec<Option<f64>>> = (0..900)
            .map(|i| {
                let shift = (i % 4) as f64 * 1.5;
                (0..6).map(|_| Some(shift + 3.0 * unit(&mut rng))).collect()
            })
            .collect();
        standardise(&rows).expect("standardise")
    }

    #[test]
    fn recovers_three_blobs_with_canonical_labels() {
        let (rows, blob_of) = blobs(150);
        let m = standardise(&rows).expect("standardise");
        let a = kmeans(&m, &KMeansConfig::default()).expect("kmeans");
        assert_eq!(a.cluster.len(), 150);
        assert_eq!(a.distance.len(), 150);
        assert_eq!(a.centroids.dim(), (3, 2));
        // Blob 2 holds row 0 -> label 0; blob 0 first appears at row 2 -> label 1; blob 1 -> 2.
        let expected_label = [1u32, 2, 0];
        for (i, &b) in blob_of.iter().enumerate() {
            assert_eq!(a.cluster[i], expected_label[b], "row {i} (blob {b})");
        }
        assert_eq!(&a.cluster[..4], &[0, 0, 1, 2]);
        // Each centroid is near the standardised mean of its blob.
        for (b, &label) in expected_label.iter().enumerate() {
            let members: Vec<usize> = (0..150).filter(|&i| blob_of[i] == b).collect();
            for col in 0..2 {
                let mean = members.iter().map(|&i| m[[i, col]]).sum::<f64>() / members.len() as f64;
                assert!((a.centroids[[label as usize, col]] - mean).abs() < 0.05);
            }
        }
        // Distances are small compared with the blob separation.
        assert!(a
            .distance
            .iter()
            .all(|&d| d.is_finite() && (0.0..0.5).contains(&d)));
    }

    #[test]
    fn distances_and_inertia_are_consistent() {
        let m = big_matrix();
        let a = kmeans(
            &m,
            &KMeansConfig {
                k: 4,
                ..KMeansConfig::default()
            },
        )
        .expect("kmeans");
        let mut direct = 0.0;
        for (i, row) in m.rows().into_iter().enumerate() {
            let c = a.centroids.row(a.cluster[i] as usize);
            let sq: f64 = row.iter().zip(c).map(|(x, y)| (x - y) * (x - y)).sum();
            assert!((a.distance[i] - sq.sqrt()).abs() <= 1e-12 * (1.0 + sq.sqrt()));
            // The assigned centroid is the nearest one.
            for other in a.centroids.rows() {
                let d2: f64 = row.iter().zip(other).map(|(x, y)| (x - y) * (x - y)).sum();
                assert!(sq <= d2 + 1e-12);
            }
            direct += sq;
        }
        let exact: f64 = a.distance.iter().map(|d| d * d).sum();
        assert_eq!(a.inertia.to_bits(), exact.to_bits());
        assert!((a.inertia - direct).abs() <= 1e-9 * direct);
        // Canonical labels: first appearances are 0, 1, 2, ... in order.
        let mut next = 0;
        for &c in &a.cluster {
            assert!(c <= next);
            if c == next {
                next += 1;
            }
        }
        assert_eq!(a.cluster[0], 0);
    }

    fn bits(a: &Assignment) -> (Vec<u32>, Vec<u64>, Vec<u64>, u64) {
        (
            a.cluster.clone(),
            a.distance.iter().map(|d| d.to_bits()).collect(),
            a.centroids.iter().map(|d| d.to_bits()).collect(),
            a.inertia.to_bits(),
        )
    }

    #[test]
    fn deterministic_across_runs_and_pool_sizes() {
        let m = big_matrix();
        let cfg = KMeansConfig {
            k: 5,
            seed: 1234,
            ..KMeansConfig::default()
        };
        let run_in = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| kmeans(&m, &cfg))
                .expect("kmeans")
        };
        let one = bits(&run_in(1));
        let four = bits(&run_in(4));
        let again = bits(&kmeans(&m, &cfg).expect("kmeans"));
        assert_eq!(one, four);
        assert_eq!(one, again);
        // A different seed is still a valid clustering (sanity: config is used).
        let other = kmeans(
            &m,
            &KMeansConfig {
                seed: 5,
                ..cfg.clone()
            },
        )
        .expect("kmeans");
        assert_eq!(other.cluster.len(), 900);
    }

    #[test]
    fn standardise_zscores_columns() {
        let rows = vec![
            vec![Some(1.0), Some(5.0), None, Some(0.1)],
            vec![Some(2.0), Some(5.0), Some(10.0), Some(0.1)],
            vec![Some(3.0), Some(5.0), Some(f64::NAN), Some(0.1)],
            vec![Some(6.0), Some(5.0), Some(30.0), Some(0.1)],
            vec![None, Some(5.0), Some(f64::INFINITY), Some(0.1)],
        ];
        let m = standardise(&rows).expect("standardise");
        assert_eq!(m.dim(), (5, 4));
        for col in [0, 2] {
            let c = m.column(col);
            let mean = c.sum() / 5.0;
            let var = c.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 5.0;
            assert!(mean.abs() < 1e-12, "column {col} mean {mean}");
            assert!(
                (var.sqrt() - 1.0).abs() < 1e-12,
                "column {col} sd {}",
                var.sqrt()
            );
        }
        // Missing / non-finite entries become exactly 0.
        assert_eq!(m[[4, 0]], 0.0);
        assert_eq!(m[[0, 2]], 0.0);
        assert_eq!(m[[2, 2]], 0.0);
        assert_eq!(m[[4, 2]], 0.0);
        // Zero-variance columns (including one whose mean is inexact) are all zeros.
        assert!(m.column(1).iter().all(|&x| x == 0.0));
        assert!(m.column(3).iter().all(|&x| x == 0.0));
        // Column 0: present mean 3, imputed row 4 -> values 1,2,3,6,3; sd = sqrt(14/5).
        let sd = (14.0f64 / 5.0).sqrt();
        assert!((m[[0, 0]] - (-2.0 / sd)).abs() < 1e-12);
        assert!((m[[3, 0]] - (3.0 / sd)).abs() < 1e-12);
    }

    #[test]
    fn standardise_degenerate_inputs() {
        assert_eq!(standardise(&[]), Err(Error::Empty));
        let ragged = vec![vec![Some(1.0), Some(2.0)], vec![Some(1.0)]];
        assert_eq!(
            standardise(&ragged),
            Err(Error::RaggedRows {
                row: 1,
                expected: 2,
                found: 1
            })
        );
        // All-missing column -> zeros.
        let m = standardise(&[vec![None, Some(1.0)], vec![Some(f64::NAN), Some(2.0)]])
            .expect("standardise");
        assert!(m.column(0).iter().all(|&x| x == 0.0));
        assert_eq!(m.column(1).to_vec(), vec![-1.0, 1.0]);
        // Huge and tiny magnitudes neither overflow nor underflow.
        let m = standardise(&[
            vec![Some(1e300), Some(1e-300)],
            vec![Some(-1e300), Some(3e-300)],
        ])
        .expect("standardise");
        assert_eq!(m.column(0).to_vec(), vec![1.0, -1.0]);
        assert!((m[[0, 1]] + 1.0).abs() < 1e-12 && (m[[1, 1]] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn invalid_inputs_are_rejected() {
        let m =
            standardise(&[vec![Some(1.0)], vec![Some(2.0)], vec![Some(4.0)]]).expect("standardise");
        let k = |k| KMeansConfig {
            k,
            ..KMeansConfig::default()
        };
        assert_eq!(
            kmeans(&m, &k(4)),
            Err(Error::InvalidK { k: 4, n_samples: 3 })
        );
        assert_eq!(
            kmeans(&m, &k(0)),
            Err(Error::InvalidK { k: 0, n_samples: 3 })
        );
        assert_eq!(
            Error::InvalidK { k: 4, n_samples: 3 }.to_string(),
            "invalid k: 4 clusters requested for 3 samples"
        );
        // k == n is fine: every row its own cluster, zero inertia.
        let a = kmeans(&m, &k(3)).expect("kmeans");
        assert_eq!(a.cluster, vec![0, 1, 2]);
        assert_eq!(a.inertia, 0.0);
        let mut bad = m.clone();
        bad[[1, 0]] = f64::NAN;
        assert_eq!(
            kmeans(&bad, &k(2)),
            Err(Error::NonFinite { row: 1, column: 0 })
        );
        assert_eq!(kmeans(&Array2::zeros((0, 2)), &k(1)), Err(Error::Empty));
        let no_runs = KMeansConfig {
            n_runs: 0,
            ..KMeansConfig::default()
        };
        assert!(matches!(kmeans(&m, &no_runs), Err(Error::Fit(_))));
    }

    #[test]
    fn relabel_orders_by_first_appearance() {
        let labels = Array1::from(vec![2usize, 2, 0, 3, 0]);
        let centroids = ndarray::array![[0.0], [1.0], [2.0], [3.0]];
        let (cluster, c) = canonical_relabel(&labels, &centroids);
        assert_eq!(cluster, vec![0, 0, 1, 2, 1]);
        // Used centroids 2, 0, 3 first, then the unused centroid 1.
        assert_eq!(c.column(0).to_vec(), vec![2.0, 0.0, 3.0, 1.0]);
    }
}
