//! provar's numbers against what bcftools says on the same real files (outputs stored in
//! `testdata/expected/` with the commands that made them).

mod common;

use common::*;
use provar_io::table::Table;
use provar_testkit::{testdata, Tsv};

/// `bcftools +fill-tags testdata/cohort/sample.vcf.gz -- -t AN,AC,AF`
#[test]
fn cohort_ac_an_af_equal_bcftools_fill_tags() {
    let out = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata("cohort/sample.vcf.gz"), out.path(), &[]);
    let expected = Tsv::read("expected/sample.fill-tags.tsv");
    let keys = strings(out.path(), Table::VariantQc, "variant_key");
    let ac = ints(out.path(), Table::VariantQc, "AC");
    let an = ints(out.path(), Table::VariantQc, "AN");
    let af = floats(out.path(), Table::VariantQc, "AF");
    assert_eq!(keys.len(), 346);
    assert_eq!(expected.rows.len(), keys.len());
    let mut below_200 = 0;
    for (i, row) in expected.rows.iter().enumerate() {
        let key = format!(
            "{}:{}:{}:{}",
            expected.get(row, "contig"),
            expected.get(row, "position"),
            expected.get(row, "reference"),
            expected.get(row, "alternate")
        );
        assert_eq!(keys[i].as_deref(), Some(key.as_str()), "row {i}");
        assert_eq!(ac[i].to_string(), expected.get(row, "AC"), "AC at {key}");
        assert_eq!(an[i].to_string(), expected.get(row, "AN"), "AN at {key}");
        let theirs: f64 = expected.get(row, "AF").parse().expect("AF is a number");
        let ours = af[i].expect("AF present when AN > 0");
        // bcftools prints AF with 6 significant digits.
        assert!(
            (ours - theirs).abs() <= 1e-6 * theirs.max(1e-3) * 10.0,
            "AF at {key}: {ours} vs {theirs}"
        );
        below_200 += usize::from(an[i] < 200);
    }
    // The cohort has missing genotypes, so AN really is recomputed per site.
    assert!(below_200 > 0);
}

/// bcftools' PSC lines count hom-ref calls of every type but hets and hom-alts of SNPs only;
/// indel hets and hom-alts are in the PSI lines. Hail's counts (ours) cover every type, so
/// `n_het = nHets + nInsHets + nDelHets` and `n_hom_var = nNonRefHom + nInsAltHoms +
/// nDelAltHoms` (the files have no multi-allelic sites, which PSI would count twice).
fn assert_matches_psc(vcf: &str, psc: &str, psi: &str, samples: usize) {
    let out = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata(vcf), out.path(), &["--k", "2"]);
    let expected = Tsv::read(psc);
    let indels = Tsv::read(psi);
    assert_eq!(indels.rows.len(), samples);
    let ids = strings(out.path(), Table::SampleQc, "sample_id");
    assert_eq!(ids.len(), samples);
    assert_eq!(expected.rows.len(), samples);
    let column = |name| ints(out.path(), Table::SampleQc, name);
    let (hom_ref, het, hom_var, missing) = (
        column("n_hom_ref"),
        column("n_het"),
        column("n_hom_var"),
        column("n_not_called"),
    );
    for (i, row) in expected.rows.iter().enumerate() {
        let sample = expected.get(row, "sample");
        let indel = &indels.rows[i];
        assert_eq!(indels.get(indel, "sample"), sample);
        let n =
            |t: &Tsv, r: &[String], name: &str| -> i64 { t.get(r, name).parse().expect("integer") };
        assert_eq!(ids[i].as_deref(), Some(sample));
        let expected_het = n(&expected, row, "nHets")
            + n(&indels, indel, "nInsHets")
            + n(&indels, indel, "nDelHets");
        let expected_hom_var = n(&expected, row, "nNonRefHom")
            + n(&indels, indel, "nInsAltHoms")
            + n(&indels, indel, "nDelAltHoms");
        assert_eq!(het[i], expected_het, "n_het of {sample}");
        assert_eq!(hom_var[i], expected_hom_var, "n_hom_var of {sample}");
        assert_eq!(
            hom_ref[i].to_string(),
            expected.get(row, "nRefHom"),
            "n_hom_ref of {sample}"
        );
        assert_eq!(
            missing[i].to_string(),
            expected.get(row, "nMissing"),
            "n_not_called of {sample}"
        );
    }
}

/// `bcftools stats -s - testdata/trio/ashk-trio.vcf.gz` (PSC and PSI lines)
#[test]
fn trio_genotype_counts_equal_bcftools_stats_psc() {
    assert_matches_psc(
        "trio/ashk-trio.vcf.gz",
        "expected/ashk-trio.stats-psc.tsv",
        "expected/ashk-trio.stats-psi.tsv",
        3,
    );
}

/// `bcftools stats -s - testdata/cohort/sample.vcf.gz` (PSC and PSI lines)
#[test]
fn cohort_genotype_counts_equal_bcftools_stats_psc() {
    assert_matches_psc(
        "cohort/sample.vcf.gz",
        "expected/sample.stats-psc.tsv",
        "expected/sample.stats-psi.tsv",
        100,
    );
}

/// `bcftools norm -m-` then `+fill-tags` on a real trio with multi-allelic sites, haploid
/// and mixed-ploidy calls.
#[test]
fn multiallelic_sites_split_like_bcftools_norm() {
    let out = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata("multiallelic/isaac-trio.vcf.gz"), out.path(), &[]);
    let split = Tsv::read("expected/isaac-trio.norm-split.tsv");
    let tags = Tsv::read("expected/isaac-trio.norm-split.fill-tags.tsv");
    let contig = strings(out.path(), Table::Variants, "contig");
    let position = ints(out.path(), Table::Variants, "position");
    let reference = strings(out.path(), Table::Variants, "reference_bases");
    let alternate = strings(out.path(), Table::Variants, "alternate_bases");
    let genotypes = genotypes(out.path());
    let ac = ints(out.path(), Table::VariantQc, "AC");
    let an = ints(out.path(), Table::VariantQc, "AN");
    assert_eq!(contig.len(), 2087, "2,082 records with 5 bi-allelic splits");
    assert_eq!(split.rows.len(), contig.len());
    let samples = &split.header[4..];
    for (i, row) in split.rows.iter().enumerate() {
        let ours = format!(
            "{}:{}:{}:{}",
            contig[i].as_deref().unwrap_or_default(),
            position[i],
            reference[i].as_deref().unwrap_or_default(),
            alternate[i].as_deref().unwrap_or_default()
        );
        let theirs = row[..4].join(":");
        assert_eq!(ours, theirs, "row {i}");
        for (s, name) in samples.iter().enumerate() {
            assert_eq!(genotypes[i][s], row[4 + s], "GT of {name} at {theirs}");
        }
        assert_eq!(tags.rows[i][..4].join(":"), theirs);
        assert_eq!(
            ac[i].to_string(),
            tags.get(&tags.rows[i], "AC"),
            "AC at {theirs}"
        );
        assert_eq!(
            an[i].to_string(),
            tags.get(&tags.rows[i], "AN"),
            "AN at {theirs}"
        );
    }
}
