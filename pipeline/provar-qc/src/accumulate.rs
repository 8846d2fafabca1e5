//! Per-call accumulation of Hail's QC counters.

use std::path::Path;

use provar_core::AlleleType;
use provar_io::{
    arrow_array::{Array, Int32Array, Int8Array, ListArray, RecordBatch, UInt64Array},
    table::{self, column},
};

/// Summary statistics of an integer FORMAT field (Hail's `hl.agg.stats`: mean, population
/// standard deviation, min, max), kept as integer sums so the result does not depend on the
/// order calls are added in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    n: u64,
    sum: i128,
    sum_sq: i128,
    min: Option<i32>,
    max: Option<i32>,
}

impl Stats {
    /// Adds one value.
    pub fn push(&mut self, v: i32) {
        self.n += 1;
        self.sum += i128::from(v);
        self.sum_sq += i128::from(v) * i128::from(v);
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
    }

    /// Adds another set of values.
    pub fn merge(&mut self, o: &Stats) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
        self.min = match (self.min, o.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, o.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Mean, `None` with no values.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }

    /// Population standard deviation, `None` with no values.
    pub fn stdev(&self) -> Option<f64> {
        (self.n > 0).then(|| {
            let n = i128::from(self.n);
            // n^2 var = n sum_sq - sum^2, exact in integers.
            let scaled = n * self.sum_sq - self.sum * self.sum;
            (scaled as f64).max(0.0).sqrt() / self.n as f64
        })
    }

    /// Minimum.
    pub fn min(&self) -> Option<i32> {
        self.min
    }

    /// Maximum.
    pub fn max(&self) -> Option<i32> {
        self.max
    }
}

/// Genotype filters: a call failing one is *filtered* (Hail's `filter_entries`), counted in
/// `n_filtered` and left out of every other counter. A call whose field is missing fails a
/// filter on that field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Minimum GQ.
    pub min_gq: Option<i32>,
    /// Minimum DP.
    pub min_dp: Option<i32>,
}

/// Counters for one variant row (Hail's `variant_qc`, bcftools' fill-tags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VariantCounts {
    /// Alternate alleles in called genotypes (`AC`).
    pub allele_count: u64,
    /// Alleles in called genotypes (`AN`).
    pub allele_number: u64,
    /// Calls with every allele known.
    pub n_called: u64,
    /// Calls with a missing allele.
    pub n_not_called: u64,
    /// Calls removed by genotype filters.
    pub n_filtered: u64,
    /// Heterozygous calls.
    pub n_het: u64,
    /// Homozygous-alternate calls.
    pub n_hom_var: u64,
    /// Called diploid calls by number of alternate alleles (0, 1, 2), for the
    /// Hardy-Weinberg tests.
    pub diploid: [u64; 3],
    /// Alternate alleles in heterozygous calls (bcftools `AC_Het`).
    pub ac_het: u64,
    /// Alternate alleles in homozygous-alternate calls of ploidy 2 or more (`AC_Hom`).
    pub ac_hom: u64,
    /// Alternate alleles in haploid calls (`AC_Hemi`).
    pub ac_hemi: u64,
    /// DP over unfiltered calls.
    pub dp: Stats,
    /// GQ over unfiltered calls.
    pub gq: Stats,
}

impl VariantCounts {
    /// `n_called / (n_called + n_not_called + n_filtered)`, `None` with no calls.
    pub fn call_rate(&self) -> Option<f64> {
        let total = self.n_called + self.n_not_called + self.n_filtered;
        (total > 0).then(|| self.n_called as f64 / total as f64)
    }
}

/// Counters for one sample (Hail's `sample_qc`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct SampleCounts {
    pub n_called: u64,
    pub n_not_called: u64,
    pub n_filtered: u64,
    pub n_hom_ref: u64,
    pub n_het: u64,
    pub n_hom_var: u64,
    pub n_singleton: u64,
    pub n_snp: u64,
    pub n_insertion: u64,
    pub n_deletion: u64,
    pub n_transition: u64,
    pub n_transversion: u64,
    pub n_star: u64,
    pub dp: Stats,
    pub gq: Stats,
    /// Sex inference: the sample's called genotypes at polymorphic non-PAR X sites, its
    /// heterozygous ones, and the homozygous count expected there under Hardy-Weinberg
    /// ([`SampleCounts::x_expected_hom`]).
    pub x: XCounts,
}

/// Counters over polymorphic non-PAR X sites for the inbreeding coefficient F of sex
/// inference (PLINK's `--check-sex`, Hail's `impute_sex`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XCounts {
    /// Called genotypes (the sites the sample contributes).
    pub sites: u64,
    /// Heterozygous ones among them.
    pub het: u64,
    /// The sum of `1 - 2p(1-p)` over those sites in units of 2^-60, so that sums are
    /// exact integers and do not depend on the order they are added in.
    pub expected_hom_fixed: u128,
}

/// The unit of [`XCounts::expected_hom_fixed`].
const X_FIXED_ONE: f64 = (1u128 << 60) as f64;

/// `1 - 2p(1-p)`, the Hardy-Weinberg homozygosity of a biallelic site with alternate
/// allele frequency `p`, in units of 2^-60; `None` for a site that is monomorphic
/// (`p` within 1e-8 of 0 or 1: skipped, as PLINK does).
pub(crate) fn expected_hom_fixed(allele_count: u64, allele_number: u64) -> Option<u128> {
    if allele_number == 0 {
        return None;
    }
    let p = allele_count as f64 / allele_number as f64;
    if !(1e-8..=1.0 - 1e-8).contains(&p) {
        return None;
    }
    Some(((1.0 - 2.0 * p * (1.0 - p)) * X_FIXED_ONE).round() as u128)
}

impl XCounts {
    /// Adds another set of counters.
    pub fn add(&mut self, o: &XCounts) {
        self.sites += o.sites;
        self.het += o.het;
        self.expected_hom_fixed += o.expected_hom_fixed;
    }

    /// The expected number of homozygous genotypes, `E = sum 1 - 2p(1-p)`.
    pub fn expected_hom(&self) -> f64 {
        self.expected_hom_fixed as f64 / X_FIXED_ONE
    }

    /// The inbreeding coefficient `F = (O - E) / (N - E)` with `O` the observed homozygous
    /// count and `N` the sites (PLINK's `--check-sex` F and Hail's `impute_sex`
    /// `f_stat`); `None` with no sites.
    pub fn f(&self) -> Option<f64> {
        let n = self.sites as f64;
        let e = self.expected_hom();
        let observed_hom = (self.sites - self.het) as f64;
        (self.sites > 0 && n > e).then(|| (observed_hom - e) / (n - e))
    }
}

impl SampleCounts {
    /// Adds another set of counters.
    pub fn add(&mut self, o: &SampleCounts) {
        self.n_called += o.n_called;
        self.n_not_called += o.n_not_called;
        self.n_filtered += o.n_filtered;
        self.n_hom_ref += o.n_hom_ref;
        self.n_het += o.n_het;
        self.n_hom_var += o.n_hom_var;
        self.n_singleton += o.n_singleton;
        self.n_snp += o.n_snp;
        self.n_insertion += o.n_insertion;
        self.n_deletion += o.n_deletion;
        self.n_transition += o.n_transition;
        self.n_transversion += o.n_transversion;
        self.n_star += o.n_star;
        self.dp.merge(&o.dp);
        self.gq.merge(&o.gq);
        self.x.add(&o.x);
    }

    /// A counter by its `sample_qc` column name (0 for an unknown name).
    pub fn get(&self, name: &str) -> u64 {
        match name {
            "n_called" => self.n_called,
            "n_not_called" => self.n_not_called,
            "n_filtered" => self.n_filtered,
            "n_hom_ref" => self.n_hom_ref,
            "n_het" => self.n_het,
            "n_hom_var" => self.n_hom_var,
            "n_non_ref" => self.n_het + self.n_hom_var,
            "n_singleton" => self.n_singleton,
            "n_snp" => self.n_snp,
            "n_insertion" => self.n_insertion,
            "n_deletion" => self.n_deletion,
            "n_transition" => self.n_transition,
            "n_transversion" => self.n_transversion,
            "n_star" => self.n_star,
            _ => 0,
        }
    }

    /// `n_called / (n_called + n_not_called + n_filtered)`, `None` with no variants.
    pub fn call_rate(&self) -> Option<f64> {
        let total = self.n_called + self.n_not_called + self.n_filtered;
        (total > 0).then(|| self.n_called as f64 / total as f64)
    }
}

/// The genotype columns of one `calls` batch.
pub(crate) struct CallColumns<'a> {
    pub(crate) variant_index: &'a UInt64Array,
    allele_1: &'a ListArray,
    allele_2: &'a ListArray,
    allele_1_values: &'a Int8Array,
    allele_2_values: &'a Int8Array,
    /// `gt_alleles_extra`: per row, per sample, the third and further alleles (null for
    /// ploidy <= 2). Absent in tables written before polyploid support.
    extra: Option<Extra<'a>>,
    dp: IntList<'a>,
    gq: IntList<'a>,
}

/// A `List<Int32>` column with its values.
struct IntList<'a> {
    list: &'a ListArray,
    values: &'a Int32Array,
}

impl IntList<'_> {
    /// Row `i`'s `n` values, for reading by sample.
    fn row(&self, i: usize, n: usize) -> IntRow<'_> {
        let start = self.list.value_offsets()[i] as usize;
        IntRow {
            values: &self.values.values()[start..start + n],
            array: self.values,
            start,
        }
    }
}

/// One row of a `List<Int32>` column.
struct IntRow<'a> {
    values: &'a [i32],
    array: &'a Int32Array,
    start: usize,
}

impl IntRow<'_> {
    fn get(&self, s: usize) -> Option<i32> {
        (!self.array.is_null(self.start + s)).then(|| self.values[s])
    }
}

/// The nested `gt_alleles_extra` column: rows -> samples -> alleles.
struct Extra<'a> {
    rows: &'a ListArray,
    samples: &'a ListArray,
    alleles: &'a Int8Array,
}

impl Extra<'_> {
    /// The extra alleles of sample `s` in row `i` (empty for ploidy <= 2).
    fn alleles(&self, i: usize, s: usize) -> &[i8] {
        let j = self.rows.value_offsets()[i] as usize + s;
        if self.samples.is_null(j) {
            return &[];
        }
        let offsets = self.samples.value_offsets();
        let (start, end) = (offsets[j] as usize, offsets[j + 1] as usize);
        &self.alleles.values()[start..end]
    }
}

impl<'a> CallColumns<'a> {
    pub(crate) fn from_batch(batch: &'a RecordBatch, path: &Path) -> Result<Self, table::Error> {
        let allele_1 = column::<ListArray>(batch, "gt_allele_1", path)?;
        let allele_2 = column::<ListArray>(batch, "gt_allele_2", path)?;
        let values = |list: &'a ListArray, name: &str| {
            list.values()
                .as_any()
                .downcast_ref::<Int8Array>()
                .ok_or_else(|| table::Error::InvalidColumn {
                    path: path.to_owned(),
                    column: name.to_owned(),
                    expected: "List<Int8>".to_owned(),
                })
        };
        let invalid_extra = || table::Error::InvalidColumn {
            path: path.to_owned(),
            column: "gt_alleles_extra".to_owned(),
            expected: "List<List<Int8>>".to_owned(),
        };
        let extra = match batch.column_by_name("gt_alleles_extra") {
            None => None,
            Some(c) => {
                let rows = c
                    .as_any()
                    .downcast_ref::<ListArray>()
                    .ok_or_else(invalid_extra)?;
                let samples = rows
                    .values()
                    .as_any()
                    .downcast_ref::<ListArray>()
                    .ok_or_else(invalid_extra)?;
                let alleles = samples
                    .values()
                    .as_any()
                    .downcast_ref::<Int8Array>()
                    .ok_or_else(invalid_extra)?;
                Some(Extra {
                    rows,
                    samples,
                    alleles,
                })
            }
        };
        let int_list = |name: &str| -> Result<IntList<'a>, table::Error> {
            let list = column::<ListArray>(batch, name, path)?;
            let values = list
                .values()
                .as_any()
                .downcast_ref::<Int32Array>()
                .ok_or_else(|| table::Error::InvalidColumn {
                    path: path.to_owned(),
                    column: name.to_owned(),
                    expected: "List<Int32>".to_owned(),
                })?;
            Ok(IntList { list, values })
        };
        Ok(Self {
            dp: int_list("dp")?,
            gq: int_list("gq")?,
            extra,
            variant_index: column::<UInt64Array>(batch, "variant_index", path)?,
            allele_1_values: values(allele_1, "gt_allele_1")?,
            allele_2_values: values(allele_2, "gt_allele_2")?,
            allele_1,
            allele_2,
        })
    }

    /// Number of calls in row `i`.
    pub(crate) fn width(&self, i: usize) -> usize {
        let a = self.allele_1.value_length(i);
        let b = self.allele_2.value_length(i);
        let extra_matches = self
            .extra
            .as_ref()
            .is_none_or(|e| e.rows.value_length(i) == a);
        if a == b && extra_matches {
            a as usize
        } else {
            usize::MAX
        }
    }

    /// Accumulates row `i` into the per-sample counters and returns the variant counters.
    pub(crate) fn accumulate(
        &self,
        i: usize,
        allele_type: Option<AlleleType>,
        x_non_par: bool,
        filters: Filters,
        samples: &mut [SampleCounts],
        scratch: &mut Vec<Slot>,
    ) -> VariantCounts {
        let n = samples.len();
        let start1 = self.allele_1.value_offsets()[i] as usize;
        let start2 = self.allele_2.value_offsets()[i] as usize;
        let a1 = &self.allele_1_values.values()[start1..start1 + n];
        let a2 = &self.allele_2_values.values()[start2..start2 + n];
        let a2_nulls = self.allele_2_values.nulls();
        // Rows without polyploid calls (nearly all) skip the nested extra-allele lookup.
        let extra = self.extra.as_ref().filter(|e| {
            let j = e.rows.value_offsets()[i] as usize;
            e.samples
                .nulls()
                .is_none_or(|nulls| nulls.slice(j, n).null_count() < n)
        });
        let dp = self.dp.row(i, n);
        let gq = self.gq.row(i, n);
        let fails =
            |min: Option<i32>, value: Option<i32>| min.is_some_and(|m| value.is_none_or(|v| v < m));
        // One pass classifies every call and fills the variant counters (AC is needed for
        // singletons); a second adds each call to its sample's counters.
        scratch.clear();
        let mut v = VariantCounts::default();
        for s in 0..n {
            let (dp, gq) = (dp.get(s), gq.get(s));
            if fails(filters.min_gq, gq) || fails(filters.min_dp, dp) {
                v.n_filtered += 1;
                scratch.push(Slot::FILTERED);
                continue;
            }
            if let Some(dp) = dp {
                v.dp.push(dp);
            }
            if let Some(gq) = gq {
                v.gq.push(gq);
            }
            let b = (!a2_nulls.is_some_and(|nulls| nulls.is_null(start2 + s))).then(|| a2[s]);
            let more = extra.map_or(&[][..], |e| e.alleles(i, s));
            let slot = match classify(a1[s], b, more) {
                Class::NotCalled => {
                    v.n_not_called += 1;
                    Slot::NOT_CALLED
                }
                Class::Called { ploidy, alternates } => {
                    v.n_called += 1;
                    v.allele_number += ploidy;
                    v.allele_count += alternates;
                    if ploidy == 2 {
                        v.diploid[alternates as usize] += 1;
                    }
                    if ploidy == 1 {
                        v.ac_hemi += alternates;
                    }
                    if alternates == ploidy {
                        if alternates > 0 {
                            v.n_hom_var += 1;
                            if ploidy >= 2 {
                                v.ac_hom += alternates;
                            }
                        }
                    } else if alternates > 0 {
                        v.n_het += 1;
                        v.ac_het += alternates;
                    }
                    Slot::called(ploidy, alternates)
                }
            };
            scratch.push(slot.with_fields(dp, gq));
        }
        // Sex inference reads polymorphic non-PAR X sites only.
        let x_expected = if x_non_par {
            expected_hom_fixed(v.allele_count, v.allele_number)
        } else {
            None
        };
        for (counts, slot) in samples.iter_mut().zip(scratch.iter()) {
            if slot.kind == SlotKind::Filtered {
                counts.n_filtered += 1;
                continue;
            }
            if let Some(dp) = slot.dp {
                counts.dp.push(dp);
            }
            if let Some(gq) = slot.gq {
                counts.gq.push(gq);
            }
            if slot.kind == SlotKind::NotCalled {
                counts.n_not_called += 1;
                continue;
            }
            let (ploidy, alternates) = (slot.ploidy, slot.alternates);
            counts.n_called += 1;
            if let Some(e) = x_expected {
                counts.x.sites += 1;
                counts.x.expected_hom_fixed += e;
                counts.x.het += u64::from(alternates > 0 && alternates < ploidy);
            }
            if alternates == 0 {
                counts.n_hom_ref += 1;
                continue;
            }
            if alternates == ploidy {
                counts.n_hom_var += 1;
            } else {
                counts.n_het += 1;
            }
            if v.allele_count == 1 {
                counts.n_singleton += 1;
            }
            match allele_type {
                Some(AlleleType::Snp { transition }) => {
                    counts.n_snp += alternates;
                    if transition {
                        counts.n_transition += alternates;
                    } else {
                        counts.n_transversion += alternates;
                    }
                }
                Some(AlleleType::Insertion) => counts.n_insertion += alternates,
                Some(AlleleType::Deletion) => counts.n_deletion += alternates,
                Some(AlleleType::Star) => counts.n_star += alternates,
                _ => {}
            }
        }
        v
    }
}

/// What the first pass of [`CallColumns::accumulate`] found for one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SlotKind {
    /// Removed by a genotype filter.
    Filtered,
    /// A missing allele.
    NotCalled,
    /// Every allele known.
    Called,
}

/// One call after the first pass: its class, ploidy and alternate count, DP and GQ.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    kind: SlotKind,
    ploidy: u64,
    alternates: u64,
    dp: Option<i32>,
    gq: Option<i32>,
}

impl Slot {
    const FILTERED: Slot = Slot {
        kind: SlotKind::Filtered,
        ploidy: 0,
        alternates: 0,
        dp: None,
        gq: None,
    };
    const NOT_CALLED: Slot = Slot {
        kind: SlotKind::NotCalled,
        ..Slot::FILTERED
    };

    fn called(ploidy: u64, alternates: u64) -> Slot {
        Slot {
            kind: SlotKind::Called,
            ploidy,
            alternates,
            ..Slot::FILTERED
        }
    }

    fn with_fields(self, dp: Option<i32>, gq: Option<i32>) -> Slot {
        Slot { dp, gq, ..self }
    }
}

enum Class {
    NotCalled,
    Called { ploidy: u64, alternates: u64 },
}

/// Classifies a split call: alleles are 0 (reference), 1 (this alternate) or -1 (missing);
/// `b` is `None` for a haploid call and `extra` holds the alleles after the second of a
/// polyploid call. Every allele counts toward the ploidy (AN); a call with any missing allele
/// is not called.
fn classify(a: i8, b: Option<i8>, extra: &[i8]) -> Class {
    let Some(b) = b else {
        return if a < 0 {
            Class::NotCalled
        } else {
            Class::Called {
                ploidy: 1,
                alternates: u64::from(a > 0),
            }
        };
    };
    let mut alleles = [a, b].into_iter().chain(extra.iter().copied());
    if alleles.clone().any(|x| x < 0) {
        return Class::NotCalled;
    }
    Class::Called {
        ploidy: 2 + extra.len() as u64,
        alternates: alleles.by_ref().filter(|x| *x > 0).count() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_calls_and_haploid_calls_follow_hail() {
        assert!(matches!(classify(-1, Some(1), &[]), Class::NotCalled));
        assert!(matches!(
            classify(1, None, &[]),
            Class::Called {
                ploidy: 1,
                alternates: 1
            }
        ));
        assert!(matches!(
            classify(0, Some(1), &[]),
            Class::Called {
                ploidy: 2,
                alternates: 1
            }
        ));
        assert!(matches!(classify(-1, None, &[]), Class::NotCalled));
    }

    #[test]
    fn polyploid_calls_count_every_allele() {
        // 0/0/1/1: AN 4, AC 2, a het (ref and alt mixed).
        assert!(matches!(
            classify(0, Some(0), &[1, 1]),
            Class::Called {
                ploidy: 4,
                alternates: 2
            }
        ));
        // 1/1/1: hom-var.
        assert!(matches!(
            classify(1, Some(1), &[1]),
            Class::Called {
                ploidy: 3,
                alternates: 3
            }
        ));
        assert!(matches!(classify(0, Some(1), &[-1]), Class::NotCalled));
    }

    #[test]
    fn f_is_plinks_check_sex_coefficient() {
        // Monomorphic sites and sites without calls are not sites of sex inference.
        assert_eq!(expected_hom_fixed(0, 10), None);
        assert_eq!(expected_hom_fixed(10, 10), None);
        assert_eq!(expected_hom_fixed(0, 0), None);
        // p = 0.5: E = 1 - 2(0.5)(0.5) = 0.5; p = 0.1: E = 1 - 2(0.1)(0.9) = 0.82.
        let mut x = XCounts::default();
        for (ac, an, het) in [(5, 10, true), (1, 10, false)] {
            x.sites += 1;
            x.het += u64::from(het);
            x.expected_hom_fixed += expected_hom_fixed(ac, an).expect("polymorphic");
        }
        assert!((x.expected_hom() - 1.32).abs() < 1e-15);
        // N = 2, O = 1 (the second site), E = 1.32: F = (1 - 1.32) / (2 - 1.32).
        let f = x.f().expect("two sites");
        assert!((f - (-0.32 / 0.68)).abs() < 1e-12, "{f}");
        // A sample without heterozygous calls has F = 1; with no sites, none.
        x.het = 0;
        assert!((x.f().expect("two sites") - 1.0).abs() < 1e-12);
        assert_eq!(XCounts::default().f(), None);
    }
}
