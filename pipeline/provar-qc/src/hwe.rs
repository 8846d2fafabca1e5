//! Exact tests of Hardy-Weinberg equilibrium over the Levene-Haldane distribution of the
//! heterozygote count given the allele counts (Wigginton, Cutler & Abecasis 2005), in the
//! two flavours users cross-check against: Hail's mid-p values and bcftools' plain sums.

/// Probabilities of every heterozygote count `0..=n_rare` with the parity of `n_rare`, for
/// `n` individuals carrying `n_rare` copies of the rarer allele; other counts have
/// probability 0. Built by the Wigginton recurrence from the mode and normalised.
fn distribution(n: u64, n_rare: u64) -> Vec<f64> {
    let mut probs = vec![0.0f64; n_rare as usize + 1];
    if n == 0 {
        return probs;
    }
    let n_common = 2 * n - n_rare;
    // Mode of the distribution, with the parity of n_rare.
    let mut mid = n_rare * n_common / (2 * n);
    if mid % 2 != n_rare % 2 {
        mid += 1;
    }
    let mid = mid.min(n_rare);
    probs[mid as usize] = 1.0;
    // Down from the mode: P(h - 2) = P(h) h (h - 1) / (4 (hom_rare + 1)(hom_common + 1)).
    let (mut het, mut hom_rare, mut hom_common) =
        (mid, (n_rare - mid) / 2, n - mid - (n_rare - mid) / 2);
    while het >= 2 {
        let p = probs[het as usize] * het as f64 * (het - 1) as f64
            / (4.0 * (hom_rare + 1) as f64 * (hom_common + 1) as f64);
        probs[het as usize - 2] = p;
        het -= 2;
        hom_rare += 1;
        hom_common += 1;
    }
    // Up from the mode: P(h + 2) = P(h) 4 hom_rare hom_common / ((h + 2)(h + 1)).
    let (mut het, mut hom_rare, mut hom_common) =
        (mid, (n_rare - mid) / 2, n - mid - (n_rare - mid) / 2);
    while het + 2 <= n_rare && hom_rare > 0 && hom_common > 0 {
        let p = probs[het as usize] * 4.0 * hom_rare as f64 * hom_common as f64
            / ((het + 2) as f64 * (het + 1) as f64);
        probs[het as usize + 2] = p;
        het += 2;
        hom_rare -= 1;
        hom_common -= 1;
    }
    let sum: f64 = probs.iter().sum();
    for p in &mut probs {
        *p /= sum;
    }
    probs
}

/// Relative tolerance for treating two probabilities as tied.
const TIE: f64 = 1e-12;

/// The result of a Hardy-Weinberg test on one variant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hwe {
    /// Hail's `het_freq_hwe`: expected heterozygote frequency under equilibrium,
    /// `n_ref * n_var / (2n - 1) / n`.
    pub het_freq_hwe: f64,
    /// Hail's `p_value_hwe`: two-sided exact test, mid-p.
    pub p_value_hwe: f64,
    /// Hail's `p_value_excess_het`: one-sided exact test for excess heterozygosity, mid-p.
    pub p_value_excess_het: f64,
    /// bcftools `+fill-tags` HWE: sum of the probabilities of outcomes no more likely than
    /// the observed one.
    pub bcftools_hwe: f64,
    /// bcftools `+fill-tags` ExcHet: probability of at least the observed heterozygotes.
    pub bcftools_exc_het: f64,
}

/// Tests genotype counts of diploid calls; `None` when there are none.
///
/// ```
/// // Hail's documented examples of hl.hardy_weinberg_test.
/// let h = provar_qc::hwe::test(250, 500, 250).expect("calls");
/// assert!((h.het_freq_hwe - 0.5002501250625313).abs() < 1e-15);
/// assert!((h.p_value_hwe - 0.9747844394217698).abs() < 1e-12);
/// ```
pub fn test(n_hom_ref: u64, n_het: u64, n_hom_var: u64) -> Option<Hwe> {
    let n = n_hom_ref + n_het + n_hom_var;
    if n == 0 {
        return None;
    }
    let n_ref = 2 * n_hom_ref + n_het;
    let n_var = 2 * n_hom_var + n_het;
    let het_freq_hwe = n_ref as f64 * n_var as f64 / (2 * n - 1) as f64 / n as f64;
    let n_rare = n_ref.min(n_var);
    let probs = distribution(n, n_rare);
    let observed = probs.get(n_het as usize).copied().unwrap_or(0.0);
    let tied = |p: f64| (p - observed).abs() <= TIE * observed.max(f64::MIN_POSITIVE);
    let (mut less, mut equal, mut above, mut at_least) = (0.0, 0.0, 0.0, 0.0);
    for (h, &p) in probs.iter().enumerate() {
        if tied(p) {
            equal += p;
        } else if p < observed {
            less += p;
        }
        if h as u64 > n_het {
            above += p;
        }
        if h as u64 >= n_het {
            at_least += p;
        }
    }
    Some(Hwe {
        het_freq_hwe,
        p_value_hwe: (less + 0.5 * equal).min(1.0),
        p_value_excess_het: (above + 0.5 * observed).min(1.0),
        bcftools_hwe: (less + equal).min(1.0),
        bcftools_exc_het: at_least.min(1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hails_documented_examples() {
        // hl.hardy_weinberg_test(37, 200, 85) in Hail's docs.
        let h = test(37, 200, 85).expect("calls");
        assert!((h.het_freq_hwe - 0.48964964307448583).abs() < 1e-15);
        assert!((h.p_value_hwe - 1.1337210383168987e-06).abs() / 1.1337210383168987e-06 < 1e-9);
        let h = test(250, 500, 250).expect("calls");
        assert!((h.p_value_hwe - 0.9747844394217698).abs() < 1e-12);
    }

    #[test]
    fn distribution_sums_to_one_and_tails_are_consistent() {
        for (a, b, c) in [(10, 0, 0), (0, 10, 0), (3, 4, 3), (1, 0, 1), (50, 1, 0)] {
            let h = test(a, b, c).expect("calls");
            assert!(
                h.p_value_hwe > 0.0 && h.p_value_hwe <= 1.0,
                "{a} {b} {c}: {h:?}"
            );
            assert!(h.bcftools_hwe >= h.p_value_hwe);
            assert!(h.bcftools_exc_het >= h.p_value_excess_het);
        }
        assert!(test(0, 0, 0).is_none());
        // Monomorphic: the only outcome is the observed one.
        let h = test(10, 0, 0).expect("calls");
        assert_eq!((h.p_value_hwe, h.bcftools_hwe), (0.5, 1.0));
    }
}
