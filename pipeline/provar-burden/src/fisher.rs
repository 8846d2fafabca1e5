//! Fisher's exact test on a 2×2 table, with R's `fisher.test` estimates: the one-sided
//! ("greater") p-value, the conditional maximum-likelihood odds ratio and its exact
//! confidence interval.
//!
//! The table is
//!
//! ```text
//!             carrier   not
//!   case         d       b
//!   control      c       a
//! ```
//!
//! and, given the margins, `d` follows Fisher's noncentral hypergeometric distribution
//! with odds ratio ψ: P(d = x) ∝ C(cases, x) · C(controls, carriers − x) · ψ^x.

/// The statistics of one table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fisher {
    /// P(X ≥ d) under ψ = 1: the one-sided test that cases carry more.
    pub p_greater: f64,
    /// The conditional maximum-likelihood estimate of ψ (R's `estimate`); 0 or ∞ at the
    /// edges of the support.
    pub odds_ratio: f64,
    /// Exact 95% confidence interval of ψ, two-sided (R's `conf.int` with
    /// `alternative = "two.sided"`).
    pub ci_low: f64,
    /// Upper end (∞ when d is the largest value the margins allow).
    pub ci_high: f64,
    /// Lower end of the one-sided 95% interval (R's `conf.int[1]` with `alternative =
    /// "greater"`; its upper end is ∞).
    pub ci_low_one_sided: f64,
}

/// `ln(i!)` for `i` up to a bound.
struct LnFactorials(Vec<f64>);

impl LnFactorials {
    fn new(n: usize) -> Self {
        let mut table = Vec::with_capacity(n + 1);
        table.push(0.0);
        for i in 1..=n {
            table.push(table[i - 1] + (i as f64).ln());
        }
        LnFactorials(table)
    }

    fn choose(&self, n: usize, k: usize) -> f64 {
        self.0[n] - self.0[k] - self.0[n - k]
    }
}

/// The noncentral hypergeometric distribution of `d`.
struct Distribution {
    lo: usize,
    hi: usize,
    /// ln of the central weights C(m, x) C(n, k − x), x = lo..=hi.
    ln_weights: Vec<f64>,
}

impl Distribution {
    fn new(d_plus_b: usize, c_plus_a: usize, carriers: usize) -> Self {
        let (m, n, k) = (d_plus_b, c_plus_a, carriers);
        let f = LnFactorials::new(m + n + 1);
        let lo = k.saturating_sub(n);
        let hi = k.min(m);
        let ln_weights = (lo..=hi)
            .map(|x| f.choose(m, x) + f.choose(n, k - x))
            .collect();
        Distribution { lo, hi, ln_weights }
    }

    /// Probabilities of x = lo..=hi under odds ratio exp(`ln_psi`).
    fn pmf(&self, ln_psi: f64) -> Vec<f64> {
        let terms: Vec<f64> = self
            .ln_weights
            .iter()
            .enumerate()
            .map(|(i, w)| w + ln_psi * (self.lo + i) as f64)
            .collect();
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = terms.iter().map(|t| (t - max).exp()).collect();
        let total: f64 = exp.iter().sum();
        exp.into_iter().map(|e| e / total).collect()
    }

    fn upper_tail(&self, x: usize, ln_psi: f64) -> f64 {
        self.pmf(ln_psi)[x - self.lo..].iter().sum::<f64>().min(1.0)
    }

    fn lower_tail(&self, x: usize, ln_psi: f64) -> f64 {
        self.pmf(ln_psi)[..=x - self.lo]
            .iter()
            .sum::<f64>()
            .min(1.0)
    }

    fn mean(&self, ln_psi: f64) -> f64 {
        self.pmf(ln_psi)
            .iter()
            .enumerate()
            .map(|(i, p)| p * (self.lo + i) as f64)
            .sum()
    }
}

/// The `ln ψ` where the increasing function `f` crosses `target`, by bisection on
/// [-60, 60] (ψ from 1e-26 to 1e26, beyond any table's resolution).
fn solve(mut f: impl FnMut(f64) -> f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (-60.0_f64, 60.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Fisher's exact test of the table above.
pub fn fisher(d: usize, b: usize, c: usize, a: usize) -> Fisher {
    let dist = Distribution::new(d + b, c + a, d + c);
    let (lo, hi) = (dist.lo, dist.hi);
    let p_greater = dist.upper_tail(d, 0.0);
    let odds_ratio = if lo == hi {
        f64::NAN
    } else if d == lo {
        0.0
    } else if d == hi {
        f64::INFINITY
    } else {
        solve(|l| dist.mean(l), d as f64).exp()
    };
    // Lower end: P(X >= d; psi) = alpha; upper end: P(X <= d; psi) = alpha (decreasing in
    // psi, so solve its negation).
    let lower = |alpha: f64| {
        if d == lo {
            0.0
        } else {
            solve(|l| dist.upper_tail(d, l), alpha).exp()
        }
    };
    let upper = |alpha: f64| {
        if d == hi {
            f64::INFINITY
        } else {
            solve(|l| -dist.lower_tail(d, l), -alpha).exp()
        }
    };
    Fisher {
        p_greater,
        odds_ratio,
        ci_low: lower(0.025),
        ci_high: upper(0.025),
        ci_low_one_sided: lower(0.05),
    }
}

/// Benjamini–Hochberg adjusted p-values (R's `p.adjust(p, "BH")`), in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]).then(i.cmp(&j)));
    let mut adjusted = vec![0.0; m];
    let mut running = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        adjusted[i] = running.min(1.0);
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    /// R's `fisher.test` documentation example (Agresti's tea tasting):
    /// `fisher.test(TeaTasting, alternative = "greater")` gives p = 0.2429, odds ratio
    /// 6.408309, one-sided CI 0.3135693–Inf; the two-sided CI is 0.2117329–621.9337.
    ///
    /// R finds the estimate and the interval ends with `uniroot` at its default tolerance
    /// (about 1.2e-4 on ψ, or on 1/ψ for the upper end), so its printed values are that
    /// close to the exact roots this crate computes by bisection to machine precision:
    /// the p-value is exact in both, the others agree within R's tolerance.
    #[test]
    fn tea_tasting_equals_r() {
        let f = fisher(3, 1, 1, 3);
        assert!(close(f.p_greater, 0.242_857_1, 1e-6), "{f:?}");
        assert!(close(f.odds_ratio, 6.408_309, 1e-5), "{f:?}");
        assert!(close(f.ci_low_one_sided, 0.313_569_3, 1e-4), "{f:?}");
        assert!(close(f.ci_low, 0.211_732_9, 1e-4), "{f:?}");
        // 1/621.9337 and 1/626.24 differ by 1.1e-5, below R's tolerance on 1/ψ.
        assert!((1.0 / f.ci_high - 1.0 / 621.933_7).abs() < 1.2e-4, "{f:?}");
    }

    #[test]
    fn edges_of_the_support() {
        // Every carrier a case: OR infinite, p = the chance of that.
        let f = fisher(4, 6, 0, 90);
        assert_eq!(f.odds_ratio, f64::INFINITY);
        assert_eq!(f.ci_high, f64::INFINITY);
        assert!(f.ci_low > 1.0);
        // No case carrier: p = 1, OR 0.
        let f = fisher(0, 10, 5, 85);
        assert!(close(f.p_greater, 1.0, 1e-12));
        assert_eq!(f.odds_ratio, 0.0);
    }

    /// R: `p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH")` = 0.02 0.04 0.04 0.02.
    #[test]
    fn bh_equals_r() {
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.02, 0.04, 0.04, 0.02];
        for (a, b) in q.iter().zip(expected) {
            assert!(close(*a, b, 1e-12), "{q:?}");
        }
    }
}
