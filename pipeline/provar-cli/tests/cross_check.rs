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
    run_pipeline(&testdata(vcf), out.path(), &[]);
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

/// `bcftools +fill-tags -t AN,AC,AF,AC_Het,AC_Hom,AC_Hemi,F_MISSING,MAF,HWE,ExcHet` on both
/// bundled real cohorts. Counts must be equal; bcftools prints fractions with 6 significant
/// digits from 32-bit floats, so those agree to that precision.
fn assert_matches_fill_tags(vcf: &str, fixture: &str) {
    let out = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata(vcf), out.path(), &[]);
    let expected = Tsv::read(fixture);
    let dir = out.path();
    let keys = strings(dir, Table::VariantQc, "variant_key");
    assert_eq!(keys.len(), expected.rows.len());
    let ints_of = |name| ints(dir, Table::VariantQc, name);
    let floats_of = |name| floats(dir, Table::VariantQc, name);
    let counts = [
        ("AC", ints_of("AC")),
        ("AN", ints_of("AN")),
        ("AC_Het", ints_of("AC_Het")),
        ("AC_Hom", ints_of("AC_Hom")),
        ("AC_Hemi", ints_of("AC_Hemi")),
    ];
    let fractions = [
        ("AF", floats_of("AF")),
        ("F_MISSING", floats_of("F_MISSING")),
        ("MAF", floats_of("MAF")),
        ("HWE", floats_of("HWE")),
        ("ExcHet", floats_of("ExcHet")),
    ];
    let mut hwe_below_one = 0;
    for (i, row) in expected.rows.iter().enumerate() {
        let key = row[..4].join(":");
        assert_eq!(keys[i].as_deref(), Some(key.as_str()));
        for (name, values) in &counts {
            assert_eq!(
                values[i].to_string(),
                expected.get(row, name),
                "{name} at {key}"
            );
        }
        for (name, values) in &fractions {
            let theirs = expected.get(row, name);
            if theirs == "." {
                assert!(
                    values[i].is_none(),
                    "{name} at {key}: bcftools has none, provar {:?}",
                    values[i]
                );
                continue;
            }
            let theirs: f64 = theirs.parse().expect("a number");
            let ours = values[i].unwrap_or_else(|| panic!("{name} missing at {key}"));
            // 6 printed significant digits round by at most 5e-6 relative.
            let tolerance = 5e-6 * theirs.abs() + 1e-12;
            assert!(
                (ours - theirs).abs() <= tolerance,
                "{name} at {key}: provar {ours}, bcftools {theirs}"
            );
        }
        hwe_below_one += usize::from(expected.get(row, "HWE") != "1");
    }
    assert!(
        hwe_below_one > 0,
        "the HWE comparison covers non-trivial p-values"
    );
}

#[test]
fn cohort_fill_tags_fields_equal_bcftools() {
    assert_matches_fill_tags("cohort/sample.vcf.gz", "expected/sample.fill-tags-all.tsv");
}

#[test]
fn trio_fill_tags_fields_equal_bcftools() {
    assert_matches_fill_tags(
        "trio/ashk-trio.vcf.gz",
        "expected/ashk-trio.fill-tags-all.tsv",
    );
}

/// Hail's `variant_qc` / `sample_qc` values on a hand-written file, each derived here from the
/// genotypes, with a multi-allelic site and genotype filters (`--min-gq 15`, as
/// `mt.filter_entries(mt.GQ >= 15)`: a call with GQ below 15 or missing is filtered).
#[test]
fn hail_fields_by_hand_with_a_multiallelic_site_and_filtered_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vcf = dir.path().join("hand.vcf");
    std::fs::write(
        &vcf,
        "##fileformat=VCFv4.2\n\
         ##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
         ##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
         ##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n\
         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\tc\td\n\
         1\t100\t.\tA\tG\t.\tPASS\t.\tGT:DP:GQ\t0/0:10:30\t0/1:20:5\t1/1:30:40\t./.:.:.\n\
         1\t200\t.\tC\tT,CA\t.\tPASS\t.\tGT:DP:GQ\t1/2:8:50\t0/2:12:60\t0/0:4:20\t0/1:6:10\n",
    )
    .expect("write VCF");
    let out = dir.path().join("out");
    assert_ok(&provar([
        "ingest".as_ref(),
        vcf.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    assert_ok(&provar([
        "qc".as_ref(),
        "--min-gq".as_ref(),
        "15".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    let v = |name| ints(&out, Table::VariantQc, name);
    let f = |name| floats(&out, Table::VariantQc, name);
    // Row 0, 1:100 A>G: b (GQ 5) and d (GQ missing) are filtered; a 0/0, c 1/1 are called.
    // Row 1, 1:200 C>T: a 1/2 -> 1/0 het, b 0/2 -> 0/0, c 0/0; d (GQ 10) filtered.
    // Row 2, 1:200 C>CA: a 1/2 -> 0/1 het, b 0/2 -> 0/1 het, c 0/0; d filtered.
    assert_eq!(v("n_called"), [2, 3, 3]);
    assert_eq!(v("n_not_called"), [0, 0, 0]);
    assert_eq!(v("n_filtered"), [2, 1, 1]);
    assert_eq!(v("AC"), [2, 1, 2]);
    assert_eq!(v("AN"), [4, 6, 6]);
    assert_eq!(v("homozygote_count"), [1, 0, 0]);
    assert_eq!(v("n_het"), [0, 1, 2]);
    assert_eq!(f("AF"), [Some(0.5), Some(1.0 / 6.0), Some(2.0 / 6.0)]);
    // call_rate = n_called / (n_called + n_not_called + n_filtered).
    assert_eq!(f("call_rate"), [Some(0.5), Some(0.75), Some(0.75)]);
    // het_freq_hwe = n_ref * n_var / (2n - 1) / n: row 0 has n = 2, n_ref = n_var = 2.
    assert_eq!(f("het_freq_hwe")[0], Some(2.0 * 2.0 / 3.0 / 2.0));
    // dp_stats over the unfiltered calls a (10) and c (30): mean 20, population stdev 10.
    assert_eq!(f("dp_stats_mean")[0], Some(20.0));
    assert_eq!(f("dp_stats_stdev")[0], Some(10.0));
    assert_eq!(ints(&out, Table::VariantQc, "dp_stats_min")[0], 10);
    assert_eq!(ints(&out, Table::VariantQc, "gq_stats_max")[0], 40);

    let s = |name| ints(&out, Table::SampleQc, name);
    // a: 0/0, het C>T (SNP, transition, AC 1 so a singleton), het C>CA (insertion).
    // b: filtered, 0/0, het C>CA.  c: 1/1 A>G (2 transition alleles), 0/0, 0/0.  d: all filtered.
    assert_eq!(s("n_called"), [3, 2, 3, 0]);
    assert_eq!(s("n_filtered"), [0, 1, 0, 3]);
    assert_eq!(s("n_hom_ref"), [1, 1, 2, 0]);
    assert_eq!(s("n_het"), [2, 1, 0, 0]);
    assert_eq!(s("n_hom_var"), [0, 0, 1, 0]);
    assert_eq!(s("n_snp"), [1, 0, 2, 0]);
    assert_eq!(s("n_transition"), [1, 0, 2, 0]);
    assert_eq!(s("n_insertion"), [1, 1, 0, 0]);
    assert_eq!(s("n_singleton"), [1, 0, 0, 0]);
    let sf = |name| floats(&out, Table::SampleQc, name);
    assert_eq!(
        sf("call_rate"),
        [Some(1.0), Some(2.0 / 3.0), Some(1.0), Some(0.0)]
    );
    // r_het_hom_var is missing where n_hom_var is 0, as Hail's divide-by-zero gives missing.
    assert_eq!(sf("r_het_hom_var"), [None, None, Some(0.0), None]);
    // DP of a's unfiltered calls 10, 8, 8 (the split rows repeat a's DP).
    assert_eq!(sf("dp_stats_mean")[0], Some(26.0 / 3.0));
}

/// Round trip: every stored field of every record and sample equals
/// `bcftools query -f '%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER[\t%GT:%AD:%DP:%GQ:%PL]\n'`
/// (the files are bi-allelic, so a split row is the record itself). INFO is not stored yet.
fn assert_round_trip(vcf: &str, fixture: &str) {
    let out = tempfile::tempdir().expect("tempdir");
    let output = provar([
        "ingest".as_ref(),
        testdata(vcf).as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
    ]);
    assert_ok(&output);
    let dir = out.path();
    let expected = Tsv::read(fixture);
    let text = |name| strings(dir, Table::Variants, name);
    let (contig, id, reference, alternate, filters) = (
        text("contig"),
        text("id"),
        text("reference_bases"),
        text("alternate_bases"),
        text("filters"),
    );
    let position = ints(dir, Table::Variants, "position");
    let quality = floats(dir, Table::Variants, "quality");
    let gts = genotypes(dir);
    let pl = [
        int_lists(dir, "pl_00"),
        int_lists(dir, "pl_01"),
        int_lists(dir, "pl_11"),
    ];
    let (ad_ref, ad_alt, dp, gq) = (
        int_lists(dir, "ad_ref"),
        int_lists(dir, "ad_alt"),
        int_lists(dir, "dp"),
        int_lists(dir, "gq"),
    );
    assert_eq!(expected.rows.len(), contig.len());
    let dot = |v: &Option<String>| v.clone().unwrap_or_else(|| ".".to_owned());
    for (i, row) in expected.rows.iter().enumerate() {
        let fixed = [
            dot(&contig[i]),
            position[i].to_string(),
            dot(&id[i]),
            dot(&reference[i]),
            dot(&alternate[i]),
        ];
        assert_eq!(fixed.as_slice(), &row[..5], "record {i}");
        match quality[i] {
            None => assert_eq!(row[5], ".", "QUAL of record {i}"),
            Some(q) => {
                let theirs: f64 = row[5].parse().expect("QUAL");
                assert!(
                    (q - theirs).abs() <= 5e-6 * theirs.abs() + 1e-9,
                    "QUAL of record {i}: {q} vs {theirs}"
                );
            }
        }
        assert_eq!(dot(&filters[i]), row[6], "FILTER of record {i}");
        for (s, call) in row[7..].iter().enumerate() {
            let ad = ad_text(ad_ref[i][s], ad_alt[i][s]);
            let likelihoods = pl_text(&gts[i][s], [pl[0][i][s], pl[1][i][s], pl[2][i][s]]);
            let ours = format!(
                "{}:{ad}:{}:{}:{likelihoods}",
                gts[i][s],
                int_text(dp[i][s]),
                int_text(gq[i][s])
            );
            assert_eq!(
                &ours,
                call,
                "record {i} ({}), sample {s}",
                row[..2].join(":")
            );
        }
    }
}

#[test]
fn cohort_round_trips_like_bcftools_query() {
    assert_round_trip("cohort/sample.vcf.gz", "expected/sample.roundtrip.tsv");
}

#[test]
fn trio_round_trips_like_bcftools_query() {
    assert_round_trip("trio/ashk-trio.vcf.gz", "expected/ashk-trio.roundtrip.tsv");
}

/// PL as bcftools prints it: `.` when missing, two values for a haploid call, else three.
fn pl_text(gt: &str, pl: [Option<i32>; 3]) -> String {
    match pl {
        [None, None, None] => ".".to_owned(),
        [a, _, c] if !gt.contains(['/', '|']) => format!("{},{}", int_text(a), int_text(c)),
        [a, b, c] => format!("{},{},{}", int_text(a), int_text(b), int_text(c)),
    }
}

/// `bcftools norm -m-` re-indexes PL (Number=G) per split allele: genotypes 0/0, 0/i, i/i of
/// the diploid order, or 0 and i of a haploid PL. Checked on 2-, 3- and 4-allele records.
#[test]
fn pl_splits_like_bcftools_norm() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = provar([
        "ingest".as_ref(),
        testdata("multiallelic/pl.vcf").as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
    ]);
    assert_ok(&output);
    let dir = out.path();
    let expected = Tsv::read("expected/pl.norm-split.tsv");
    let keys = strings(dir, Table::Variants, "variant_key");
    let gts = genotypes(dir);
    let (ad_ref, ad_alt) = (int_lists(dir, "ad_ref"), int_lists(dir, "ad_alt"));
    let pl = [
        int_lists(dir, "pl_00"),
        int_lists(dir, "pl_01"),
        int_lists(dir, "pl_11"),
    ];
    assert_eq!(keys.len(), 6);
    assert_eq!(expected.rows.len(), 6);
    for (i, row) in expected.rows.iter().enumerate() {
        assert_eq!(keys[i].as_deref(), Some(row[..4].join(":").as_str()));
        for s in 0..3 {
            let ad = ad_text(ad_ref[i][s], ad_alt[i][s]);
            let ours = format!(
                "{}:{ad}:{}",
                gts[i][s],
                pl_text(&gts[i][s], [pl[0][i][s], pl[1][i][s], pl[2][i][s]])
            );
            assert_eq!(ours, row[4 + s], "row {i} sample {s}");
        }
    }
}

/// An integer as bcftools prints it: `.` when missing.
fn int_text(v: Option<i32>) -> String {
    v.map_or_else(|| ".".to_owned(), |v| v.to_string())
}

/// AD of a split row as bcftools prints it: `.` when missing, else `REF,ALT`.
fn ad_text(reference: Option<i32>, alternate: Option<i32>) -> String {
    match (reference, alternate) {
        (None, None) => ".".to_owned(),
        (r, a) => format!("{},{}", int_text(r), int_text(a)),
    }
}
