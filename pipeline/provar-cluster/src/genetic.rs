//! Population structure and relatedness from genotypes: PCA on standardised dosages of
//! common variants, sample clustering in PC space (k-means by silhouette, Gaussian
//! mixture by BIC, DBSCAN), and KING-robust kinship for every pair of samples.
//!
//! PCA: dosages (alternate allele count, 0/1/2) of autosomal variants with minor allele
//! frequency ≥ `maf` and call rate ≥ `min_call_rate`, thinned to at most `max_variants`
//! evenly spaced ones, are standardised as Patterson et al. do ((g − 2p) / √(2p(1 − p)),
//! missing = 0), and the samples' genetic relationship matrix X·Xᵀ/m is decomposed by
//! subspace iteration (seeded, deterministic). The scores are the eigenvectors times the
//! square roots of their eigenvalues, each signed so that its largest entry is positive.
//! (linfa's own PCA needs a LAPACK system library; this keeps the default build free of
//! one.)
//!
//! KING-robust (between-family estimator, as `plink2 --make-king-table`): over autosomal
//! variants called in both samples, φ = (N_Aa,Aa − 2·N_AA,aa) / (2·N_Aa(i)) + ½ −
//! (N_Aa(i) + N_Aa(j)) / (4·N_Aa(i)), where i is the sample with fewer heterozygous calls.

#![allow(clippy::needless_range_loop)] // index loops read more clearly in the numeric code

use ndarray::{Array1, Array2, Axis};
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use provar_io::sites::{self, Gt};

/// Genotype codes of one variant row per sample: 0, 1, 2 alternate alleles, 3 missing.
const MISSING: u8 = 3;

/// Autosomal genotype codes read from the tables.
#[derive(Clone, Debug)]
pub struct Genotypes {
    /// Sample ids in table order.
    pub ids: Vec<String>,
    /// One code vector per autosomal variant row (samples in order).
    pub codes: Vec<Vec<u8>>,
}

fn autosomal(contig: &str) -> bool {
    let name = contig.strip_prefix("chr").unwrap_or(contig);
    !matches!(
        name,
        "X" | "Y" | "M" | "MT" | "x" | "y" | "23" | "24" | "25" | "26"
    )
}

/// Reads the genotype codes of every autosomal variant row of `dir`.
pub fn read_genotypes(dir: &std::path::Path) -> Result<Genotypes, sites::Error> {
    let ids = sites::sample_ids(dir)?;
    let all: Vec<usize> = (0..ids.len()).collect();
    let mut codes = Vec::new();
    sites::for_each_site_unannotated(dir, &all, |site| {
        if site.alternate.is_none() || !autosomal(&site.contig) {
            return Ok(());
        }
        codes.push(
            site.calls
                .iter()
                .map(|c| match c.gt {
                    Gt::HomRef => 0,
                    Gt::Het => 1,
                    Gt::HomAlt => 2,
                    Gt::Missing => MISSING,
                })
                .collect(),
        );
        Ok(())
    })?;
    Ok(Genotypes { ids, codes })
}

/// PCA settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PcaConfig {
    /// Minimum minor allele frequency of a variant used.
    pub maf: f64,
    /// Minimum call rate of a variant used.
    pub min_call_rate: f64,
    /// At most this many variants (evenly spaced among those passing).
    pub max_variants: usize,
    /// Principal components computed.
    pub components: usize,
    /// Seed of the subspace iteration's start.
    pub seed: u64,
}

impl Default for PcaConfig {
    /// MAF ≥ 0.05, call rate ≥ 0.9, at most 50,000 variants, 10 components, seed 42.
    fn default() -> Self {
        PcaConfig {
            maf: 0.05,
            min_call_rate: 0.9,
            max_variants: 50_000,
            components: 10,
            seed: 42,
        }
    }
}

/// The principal components of the samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// Scores, samples × components.
    pub scores: Array2<f64>,
    /// Eigenvalues of the relationship matrix, largest first.
    pub eigenvalues: Vec<f64>,
    /// Variants used.
    pub variants: usize,
}

/// Runs PCA on `genotypes`. `None` when fewer than two variants or samples qualify.
pub fn pca(genotypes: &Genotypes, config: &PcaConfig) -> Option<Pca> {
    let n = genotypes.ids.len();
    let mut kept: Vec<(&Vec<u8>, f64)> = Vec::new();
    for row in &genotypes.codes {
        let called: Vec<u8> = row.iter().copied().filter(|c| *c != MISSING).collect();
        if called.is_empty() || (called.len() as f64) < config.min_call_rate * n as f64 {
            continue;
        }
        let p = called.iter().map(|c| f64::from(*c)).sum::<f64>() / (2.0 * called.len() as f64);
        if p.min(1.0 - p) >= config.maf {
            kept.push((row, p));
        }
    }
    if kept.len() > config.max_variants {
        let stride = kept.len() as f64 / config.max_variants as f64;
        kept = (0..config.max_variants)
            .map(|i| kept[(i as f64 * stride) as usize])
            .collect();
    }
    let m = kept.len();
    if m < 2 || n < 2 {
        return None;
    }
    // Relationship matrix in blocks of variants.
    let mut grm = Array2::<f64>::zeros((n, n));
    for block in kept.chunks(512) {
        let mut x = Array2::<f64>::zeros((n, block.len()));
        for (j, (row, p)) in block.iter().enumerate() {
            let scale = (2.0 * p * (1.0 - p)).sqrt();
            for (i, code) in row.iter().enumerate() {
                if *code != MISSING {
                    x[[i, j]] = (f64::from(*code) - 2.0 * p) / scale;
                }
            }
        }
        grm = grm + x.dot(&x.t());
    }
    Some(components_of(grm, m, config))
}

/// PCA of a samples × features matrix (`rows[sample][feature]`), each feature z-scored
/// (mean 0, population standard deviation 1; features with no variation left out), the
/// relationship matrix `X Xᵀ / m` decomposed as for genotypes. For rare-variant burden
/// profiles: one feature per gene, the sample's qualifying alternate alleles there.
/// `None` with fewer than two samples or two varying features.
pub fn pca_of_matrix(rows: &[Vec<f64>], config: &PcaConfig) -> Option<Pca> {
    let n = rows.len();
    let features = rows.first().map_or(0, Vec::len);
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for j in 0..features {
        let values: Vec<f64> = rows.iter().map(|r| r[j]).collect();
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
        if var > 0.0 {
            let sd = var.sqrt();
            columns.push(values.iter().map(|v| (v - mean) / sd).collect());
        }
    }
    let m = columns.len();
    if m < 2 || n < 2 {
        return None;
    }
    let mut grm = Array2::<f64>::zeros((n, n));
    for block in columns.chunks(512) {
        let x = Array2::from_shape_fn((n, block.len()), |(i, j)| block[j][i]);
        grm = grm + x.dot(&x.t());
    }
    Some(components_of(grm, m, config))
}

/// The leading components of the relationship matrix `grm` (a sum over `m` standardised
/// features, divided by `m` here): scores are eigenvector × √eigenvalue, each signed so
/// its largest entry is positive.
fn components_of(mut grm: Array2<f64>, m: usize, config: &PcaConfig) -> Pca {
    let n = grm.nrows();
    grm.mapv_inplace(|v| v / m as f64);
    // The matrix has rank at most min(n - 1, m): no more components than that.
    let k = config.components.min(n - 1).min(m).max(1);
    let (values, vectors) = top_eigen(&grm, k, config.seed);
    let mut scores = Array2::<f64>::zeros((n, k));
    for c in 0..k {
        let mut column = vectors.column(c).to_owned();
        let largest = column
            .iter()
            .copied()
            .fold(0.0_f64, |a, b| if b.abs() > a.abs() { b } else { a });
        if largest < 0.0 {
            column.mapv_inplace(|v| -v);
        }
        let scale = values[c].max(0.0).sqrt();
        scores.column_mut(c).assign(&(column * scale));
    }
    Pca {
        scores,
        eigenvalues: values,
        variants: m,
    }
}

/// The `k` largest eigenpairs of the symmetric `a` by subspace iteration with a
/// Rayleigh–Ritz step (Jacobi on the small projected matrix).
fn top_eigen(a: &Array2<f64>, k: usize, seed: u64) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    let p = (k + 8).min(n);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut q = Array2::<f64>::from_shape_fn((n, p), |_| {
        (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    });
    orthonormalise(&mut q);
    let mut previous = vec![0.0; p];
    for _ in 0..500 {
        let mut z = a.dot(&q);
        orthonormalise(&mut z);
        q = z;
        let t = q.t().dot(&a.dot(&q));
        let (values, _) = jacobi(&t);
        let converged = values
            .iter()
            .zip(&previous)
            .take(k)
            .all(|(v, w)| (v - w).abs() <= 1e-12 * v.abs().max(1e-300));
        previous = values;
        if converged {
            break;
        }
    }
    let t = q.t().dot(&a.dot(&q));
    let (values, vectors) = jacobi(&t);
    let full = q.dot(&vectors);
    let mut out = Array2::<f64>::zeros((n, k));
    for c in 0..k {
        out.column_mut(c).assign(&full.column(c));
    }
    (values[..k].to_vec(), out)
}

/// Modified Gram–Schmidt on the columns. A column that projection leaves numerically
/// empty (below 1e-9 of its length before: the matrix has lower rank than the subspace)
/// becomes zero rather than normalised rounding noise, which would not be orthogonal.
fn orthonormalise(q: &mut Array2<f64>) {
    for j in 0..q.ncols() {
        let before = q.column(j).dot(&q.column(j)).sqrt();
        for i in 0..j {
            let dot = q.column(i).dot(&q.column(j));
            let qi = q.column(i).to_owned();
            q.column_mut(j).scaled_add(-dot, &qi);
        }
        let norm = q.column(j).dot(&q.column(j)).sqrt();
        if norm > 1e-9 * before {
            q.column_mut(j).mapv_inplace(|v| v / norm);
        } else {
            q.column_mut(j).fill(0.0);
        }
    }
}

/// Eigenvalues (descending) and eigenvectors (columns) of a small symmetric matrix, by
/// cyclic Jacobi rotations.
fn jacobi(m: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = m.nrows();
    let mut a = m.clone();
    let mut v = Array2::<f64>::eye(n);
    for _ in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]] * a[[i, j]])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[[p, q]].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * a[[p, q]]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..n {
                    let (arp, arq) = (a[[r, p]], a[[r, q]]);
                    a[[r, p]] = c * arp - s * arq;
                    a[[r, q]] = s * arp + c * arq;
                }
                for r in 0..n {
                    let (apr, aqr) = (a[[p, r]], a[[q, r]]);
                    a[[p, r]] = c * apr - s * aqr;
                    a[[q, r]] = s * apr + c * aqr;
                }
                for r in 0..n {
                    let (vrp, vrq) = (v[[r, p]], v[[r, q]]);
                    v[[r, p]] = c * vrp - s * vrq;
                    v[[r, q]] = s * vrp + c * vrq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[[j, j]].total_cmp(&a[[i, i]]));
    let values = order.iter().map(|&i| a[[i, i]]).collect();
    let mut vectors = Array2::<f64>::zeros((n, n));
    for (c, &i) in order.iter().enumerate() {
        vectors.column_mut(c).assign(&v.column(i));
    }
    (values, vectors)
}

/// Labels numbered by first appearance (noise, `None`, stays `None`).
fn canonical(labels: &[Option<usize>]) -> Vec<Option<u32>> {
    let mut map: Vec<(usize, u32)> = Vec::new();
    labels
        .iter()
        .map(|l| {
            l.map(|l| match map.iter().find(|(k, _)| *k == l) {
                Some((_, v)) => *v,
                None => {
                    let v = map.len() as u32;
                    map.push((l, v));
                    v
                }
            })
        })
        .collect()
}

fn distance(a: ndarray::ArrayView1<f64>, b: ndarray::ArrayView1<f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Mean silhouette width of a labelling (noise left out; 0 with fewer than 2 clusters).
pub fn silhouette(x: &Array2<f64>, labels: &[Option<u32>]) -> f64 {
    let k = labels.iter().flatten().max().map_or(0, |m| *m as usize + 1);
    if k < 2 {
        return 0.0;
    }
    let n = x.nrows();
    let mut total = 0.0;
    let mut count = 0usize;
    for i in 0..n {
        let Some(li) = labels[i] else { continue };
        let mut sums = vec![0.0; k];
        let mut sizes = vec![0usize; k];
        for j in 0..n {
            if i == j {
                continue;
            }
            if let Some(lj) = labels[j] {
                sums[lj as usize] += distance(x.row(i), x.row(j));
                sizes[lj as usize] += 1;
            }
        }
        if sizes[li as usize] == 0 {
            continue;
        }
        let a = sums[li as usize] / sizes[li as usize] as f64;
        let b = (0..k)
            .filter(|&c| c != li as usize && sizes[c] > 0)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        total += if a.max(b) > 0.0 {
            (b - a) / a.max(b)
        } else {
            0.0
        };
        count += 1;
    }
    if count == 0 {
        0.0
    } else {
        total / count as f64
    }
}

/// Clustering methods over PC scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// k-means (k-means++, seeded), k chosen by the largest mean silhouette.
    KMeans,
    /// Gaussian mixture (full covariances, seeded), k chosen by the smallest BIC.
    Gmm,
    /// DBSCAN; min_points = 5, eps = 1.5 × the median distance to the 5th nearest
    /// neighbour; points in no cluster are noise.
    Dbscan,
}

/// A clustering of the samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Grouping {
    /// Label per sample (`None`: DBSCAN noise), numbered by first appearance.
    pub labels: Vec<Option<u32>>,
    /// Number of clusters.
    pub k: usize,
    /// The criterion per candidate k (silhouette or BIC), for the ledger; DBSCAN: eps.
    pub criterion: Vec<(usize, f64)>,
}

/// Clusters the rows of `x` (samples × PCs) with `method`, trying k in 2..=max_k (GMM:
/// 1..=max_k).
pub fn cluster(
    x: &Array2<f64>,
    method: Method,
    max_k: usize,
    seed: u64,
) -> Result<Grouping, String> {
    use linfa::traits::{Fit, Predict, Transformer};
    let n = x.nrows();
    let max_k = max_k.min(n.saturating_sub(1)).max(1);
    match method {
        Method::KMeans => {
            let mut best: Option<(f64, Grouping)> = None;
            let mut criterion = Vec::new();
            for k in 2..=max_k.max(2).min(n) {
                let config = crate::KMeansConfig {
                    k,
                    seed,
                    ..crate::KMeansConfig::default()
                };
                let assignment = crate::kmeans(x, &config).map_err(|e| e.to_string())?;
                let labels: Vec<Option<u32>> =
                    assignment.cluster.iter().map(|c| Some(*c)).collect();
                let s = silhouette(x, &labels);
                criterion.push((k, s));
                if best.as_ref().is_none_or(|(b, _)| s > *b) {
                    best = Some((
                        s,
                        Grouping {
                            labels,
                            k,
                            criterion: Vec::new(),
                        },
                    ));
                }
            }
            let (_, mut g) = best.ok_or("too few samples for k-means")?;
            g.criterion = criterion;
            Ok(g)
        }
        Method::Gmm => {
            let dataset = linfa::DatasetBase::from(x.clone());
            let mut best: Option<(f64, Grouping)> = None;
            let mut criterion = Vec::new();
            let d = x.ncols() as f64;
            for k in 1..=max_k {
                let rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(seed);
                let model = linfa_clustering::GaussianMixtureModel::params(k)
                    .n_runs(5)
                    .tolerance(1e-6)
                    .max_n_iterations(500)
                    .with_rng(rng)
                    .fit(&dataset)
                    .map_err(|e| format!("Gaussian mixture with k = {k}: {e}"))?;
                let ll = log_likelihood(x, model.weights(), model.means(), model.covariances());
                let params = k as f64 * (d + d * (d + 1.0) / 2.0) + (k as f64 - 1.0);
                let bic = -2.0 * ll + params * (n as f64).ln();
                criterion.push((k, bic));
                if best.as_ref().is_none_or(|(b, _)| bic < *b) {
                    let predicted: Array1<usize> = model.predict(x);
                    let labels = canonical(&predicted.iter().map(|l| Some(*l)).collect::<Vec<_>>());
                    let used = labels.iter().flatten().max().map_or(0, |m| *m as usize + 1);
                    best = Some((
                        bic,
                        Grouping {
                            labels,
                            k: used,
                            criterion: Vec::new(),
                        },
                    ));
                }
            }
            let (_, mut g) = best.ok_or("too few samples for a Gaussian mixture")?;
            g.criterion = criterion;
            Ok(g)
        }
        Method::Dbscan => {
            let min_points = 5.min(n.saturating_sub(1)).max(2);
            let mut kth: Vec<f64> = (0..n)
                .map(|i| {
                    let mut d: Vec<f64> = (0..n)
                        .filter(|&j| j != i)
                        .map(|j| distance(x.row(i), x.row(j)))
                        .collect();
                    d.sort_by(f64::total_cmp);
                    d[(min_points - 1).min(d.len() - 1)]
                })
                .collect();
            kth.sort_by(f64::total_cmp);
            let eps = 1.5 * kth[kth.len() / 2];
            let found = linfa_clustering::Dbscan::params(min_points)
                .tolerance(eps)
                .transform(x)
                .map_err(|e| format!("DBSCAN: {e}"))?;
            let labels = canonical(&found.to_vec());
            let k = labels.iter().flatten().max().map_or(0, |m| *m as usize + 1);
            Ok(Grouping {
                labels,
                k,
                criterion: vec![(min_points, eps)],
            })
        }
    }
}

/// ln p and ln (1 − p) of each group's allele frequency at each variant (half a
/// pseudo-count each way).
fn group_frequencies(
    genotypes: &Genotypes,
    labels: &[Option<u32>],
    k: usize,
) -> Vec<Vec<(f64, f64)>> {
    genotypes
        .codes
        .iter()
        .map(|row| {
            let mut alt = vec![0.0; k];
            let mut total = vec![0.0; k];
            for (s, code) in row.iter().enumerate() {
                if let (Some(l), true) = (labels[s], *code != MISSING) {
                    alt[l as usize] += f64::from(*code);
                    total[l as usize] += 2.0;
                }
            }
            (0..k)
                .map(|c| {
                    let p = (alt[c] + 0.5) / (total[c] + 1.0);
                    (p.ln(), (1.0 - p).ln())
                })
                .collect()
        })
        .collect()
}

/// Log-likelihood of sample `s`'s genotypes under group `c`'s frequencies.
fn sample_log_likelihood(
    genotypes: &Genotypes,
    log_p: &[Vec<(f64, f64)>],
    s: usize,
    c: usize,
) -> f64 {
    genotypes
        .codes
        .iter()
        .zip(log_p)
        .filter(|(row, _)| row[s] != MISSING)
        .map(|(row, lp)| {
            let g = f64::from(row[s]);
            g * lp[c].0 + (2.0 - g) * lp[c].1
        })
        .sum()
}

/// Hard EM from `labels`: returns the converged labels and their log-likelihood.
fn hard_em(
    genotypes: &Genotypes,
    mut labels: Vec<Option<u32>>,
    k: usize,
) -> (Vec<Option<u32>>, f64) {
    let n = genotypes.ids.len();
    let mut total = f64::NEG_INFINITY;
    for _ in 0..50 {
        let log_p = group_frequencies(genotypes, &labels, k);
        let mut moved = 0;
        total = 0.0;
        for s in 0..n {
            if labels[s].is_none() {
                continue;
            }
            let mut best = (f64::NEG_INFINITY, 0usize);
            for c in 0..k {
                let ll = sample_log_likelihood(genotypes, &log_p, s, c);
                if ll > best.0 {
                    best = (ll, c);
                }
            }
            total += best.0;
            if labels[s] != Some(best.1 as u32) {
                labels[s] = Some(best.1 as u32);
                moved += 1;
            }
        }
        if moved == 0 {
            break;
        }
    }
    (labels, total)
}

/// Refines a labelling with the genotypes themselves (STRUCTURE's no-admixture model by
/// hard EM): each group's allele frequencies are estimated (half a pseudo-count each way),
/// every sample moves to the group under whose frequencies its genotypes are most likely
/// (Hardy–Weinberg), until no sample moves (at most 50 rounds). The EM starts from the
/// method's labels and from `restarts` seeded random labellings; the converged labelling
/// of highest likelihood is kept. Noise (`None`) stays noise and does not count; the
/// number of groups does not change. Returns the log-likelihood kept.
pub fn refine(
    genotypes: &Genotypes,
    labels: &mut [Option<u32>],
    k: usize,
    seed: u64,
    restarts: usize,
) -> f64 {
    if k < 2 {
        return f64::NAN;
    }
    let mut best = hard_em(genotypes, labels.to_vec(), k);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    for _ in 0..restarts {
        let start: Vec<Option<u32>> = labels
            .iter()
            .map(|l| l.map(|_| (rng.next_u64() % k as u64) as u32))
            .collect();
        let candidate = hard_em(genotypes, start, k);
        let used = candidate
            .0
            .iter()
            .flatten()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if used == k && candidate.1 > best.1 {
            best = candidate;
        }
    }
    let relabelled = canonical(
        &best
            .0
            .iter()
            .map(|l| l.map(|l| l as usize))
            .collect::<Vec<_>>(),
    );
    labels.copy_from_slice(&relabelled);
    best.1
}

/// Total log-likelihood of the rows under a Gaussian mixture.
fn log_likelihood(
    x: &Array2<f64>,
    weights: &Array1<f64>,
    means: &Array2<f64>,
    covariances: &ndarray::Array3<f64>,
) -> f64 {
    let d = x.ncols();
    let components: Vec<(f64, Array2<f64>, f64)> = (0..weights.len())
        .map(|c| {
            let cov = covariances.index_axis(Axis(0), c).to_owned();
            let l = cholesky(&cov);
            let log_det = 2.0 * (0..d).map(|i| l[[i, i]].ln()).sum::<f64>();
            (weights[c].ln(), l, log_det)
        })
        .collect();
    let mut total = 0.0;
    for row in x.rows() {
        let terms: Vec<f64> = components
            .iter()
            .enumerate()
            .map(|(c, (log_w, l, log_det))| {
                let diff: Vec<f64> = (0..d).map(|i| row[i] - means[[c, i]]).collect();
                // Solve L y = diff; the Mahalanobis distance is |y|².
                let mut y = vec![0.0; d];
                for i in 0..d {
                    let s: f64 = (0..i).map(|j| l[[i, j]] * y[j]).sum();
                    y[i] = (diff[i] - s) / l[[i, i]];
                }
                let maha: f64 = y.iter().map(|v| v * v).sum();
                log_w - 0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + log_det + maha)
            })
            .collect();
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        total += max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln();
    }
    total
}

fn cholesky(a: &Array2<f64>) -> Array2<f64> {
    let n = a.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[[i, k]] * l[[j, k]]).sum();
            if i == j {
                l[[i, j]] = (a[[i, i]] - s).max(1e-300).sqrt();
            } else {
                l[[i, j]] = (a[[i, j]] - s) / l[[j, j]];
            }
        }
    }
    l
}

/// KING-robust statistics of one pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct King {
    /// Variants called in both.
    pub nsnp: u64,
    /// Both heterozygous.
    pub hethet: u64,
    /// Opposite homozygotes.
    pub ibs0: u64,
    /// The between-family kinship estimate.
    pub kinship: f64,
}

/// KING-robust kinship of every pair (i < j), in (i, j) order.
pub fn king(genotypes: &Genotypes) -> Vec<(usize, usize, King)> {
    let n = genotypes.ids.len();
    let m = genotypes.codes.len();
    let words = m.div_ceil(64);
    // Per sample bitsets: het, hom-ref, hom-alt.
    let mut het = vec![vec![0u64; words]; n];
    let mut hom_ref = vec![vec![0u64; words]; n];
    let mut hom_alt = vec![vec![0u64; words]; n];
    for (v, row) in genotypes.codes.iter().enumerate() {
        let (w, bit) = (v / 64, 1u64 << (v % 64));
        for (s, code) in row.iter().enumerate() {
            match code {
                0 => hom_ref[s][w] |= bit,
                1 => het[s][w] |= bit,
                2 => hom_alt[s][w] |= bit,
                _ => {}
            }
        }
    }
    let mut out = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            let (mut nsnp, mut hh, mut ibs0, mut het_i, mut het_j) = (0u64, 0, 0, 0, 0);
            for w in 0..words {
                let called_i = het[i][w] | hom_ref[i][w] | hom_alt[i][w];
                let called_j = het[j][w] | hom_ref[j][w] | hom_alt[j][w];
                let both = called_i & called_j;
                nsnp += u64::from(both.count_ones());
                hh += u64::from((het[i][w] & het[j][w]).count_ones());
                ibs0 += u64::from(
                    ((hom_ref[i][w] & hom_alt[j][w]) | (hom_alt[i][w] & hom_ref[j][w]))
                        .count_ones(),
                );
                het_i += u64::from((het[i][w] & both).count_ones());
                het_j += u64::from((het[j][w] & both).count_ones());
            }
            let (low, high) = (het_i.min(het_j) as f64, het_i.max(het_j) as f64);
            let kinship = if low > 0.0 {
                (hh as f64 - 2.0 * ibs0 as f64) / (2.0 * low) + 0.5 - (low + high) / (4.0 * low)
            } else {
                f64::NAN
            };
            out.push((
                i,
                j,
                King {
                    nsnp,
                    hethet: hh,
                    ibs0,
                    kinship,
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_finds_the_eigenvalues_of_a_known_matrix() {
        let m = ndarray::array![[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 5.0]];
        let (values, vectors) = jacobi(&m);
        assert!(
            (values[0] - 5.0).abs() < 1e-12
                && (values[1] - 3.0).abs() < 1e-12
                && (values[2] - 1.0).abs() < 1e-12
        );
        let check = m.dot(&vectors.column(1)) - vectors.column(1).mapv(|v| v * 3.0);
        assert!(check.iter().all(|v| v.abs() < 1e-10));
    }

    #[test]
    fn silhouette_of_two_clear_groups_is_near_one() {
        let x = ndarray::array![[0.0], [0.1], [10.0], [10.1]];
        let s = silhouette(&x, &[Some(0), Some(0), Some(1), Some(1)]);
        assert!(s > 0.98, "{s}");
    }
}
