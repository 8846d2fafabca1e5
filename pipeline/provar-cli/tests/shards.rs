//! Reading by region and by shard, and merging shards (issue 3).

mod common;

use std::path::Path;

use common::*;
use provar_io::table::Table;
use provar_testkit::{testdata, Tsv};

fn ingest(vcf: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<std::ffi::OsString> =
        vec!["ingest".into(), vcf.into(), "--out".into(), out.into()];
    args.extend(extra.iter().map(Into::into));
    provar(args)
}

fn keys(dir: &Path) -> Vec<String> {
    strings(dir, Table::Variants, "variant_key")
        .into_iter()
        .map(|k| k.expect("variant_key is never null"))
        .collect()
}

fn expected_keys(fixture: &str) -> Vec<String> {
    let tsv = Tsv::read(fixture);
    tsv.rows.iter().map(|r| r[..4].join(":")).collect()
}

/// `bcftools query -r 20:10000000-12000000,20:11500000-13000000` (overlapping regions:
/// each record once, in file order).
#[test]
fn regions_select_what_bcftools_view_r_selects() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = ingest(
        &testdata("cohort/sample.vcf.gz"),
        out.path(),
        &["--region", "20:10000000-12000000,20:11500000-13000000"],
    );
    assert_ok(&output);
    let expected = expected_keys("expected/sample.regions.tsv");
    assert_eq!(expected.len(), 77);
    assert_eq!(keys(out.path()), expected);
}

/// `bcftools query -R testdata/regions/trio.bed` on a CSI-indexed file.
#[test]
fn a_bed_regions_file_selects_what_bcftools_selects() {
    let out = tempfile::tempdir().expect("tempdir");
    let bed = testdata("regions/trio.bed");
    let output = ingest(
        &testdata("trio/ashk-trio.vcf.gz"),
        out.path(),
        &["--regions-file", bed.to_str().expect("utf-8 path")],
    );
    assert_ok(&output);
    let expected = expected_keys("expected/ashk-trio.regions-bed.tsv");
    assert_eq!(expected.len(), 438);
    assert_eq!(keys(out.path()), expected);
}

fn assert_shards_merge_to_single_run(vcf: &str, counts: &[usize]) {
    let vcf = testdata(vcf);
    let dir = tempfile::tempdir().expect("tempdir");
    let single = dir.path().join("single");
    assert_ok(&ingest(&vcf, &single, &[]));
    let total = keys(&single).len();
    for &n in counts {
        let shards: Vec<_> = (1..=n)
            .map(|i| dir.path().join(format!("shard-{i}-of-{n}")))
            .collect();
        let mut sizes = Vec::new();
        for (i, shard) in shards.iter().enumerate() {
            assert_ok(&ingest(
                &vcf,
                shard,
                &["--shard", &format!("{}/{n}", i + 1)],
            ));
            sizes.push(keys(shard).len());
        }
        assert_eq!(
            sizes.iter().sum::<usize>(),
            total,
            "shards of {n} partition the records: {sizes:?}"
        );
        assert!(
            sizes.iter().filter(|s| **s > 0).count() >= 2,
            "work is spread: {sizes:?}"
        );
        let merged = dir.path().join(format!("merged-{n}"));
        let mut args: Vec<std::ffi::OsString> = vec!["merge".into()];
        args.extend(shards.iter().map(|s| s.as_os_str().to_owned()));
        args.extend(["--out".into(), merged.as_os_str().to_owned()]);
        assert_ok(&provar(args));
        for table in ["variants.parquet", "calls.parquet", "samples.parquet"] {
            assert!(
                std::fs::read(single.join(table)).expect("read")
                    == std::fs::read(merged.join(table)).expect("read"),
                "{table} of {n} merged shards differs from the single run"
            );
        }
    }
}

#[test]
fn tabix_shards_merge_to_the_single_run_bytes() {
    assert_shards_merge_to_single_run("cohort/sample.vcf.gz", &[2, 3, 4]);
}

#[test]
fn csi_shards_merge_to_the_single_run_bytes() {
    assert_shards_merge_to_single_run("trio/ashk-trio.vcf.gz", &[2, 4, 7]);
}

/// BCF through its CSI index (`bcftools index`): shards merge to the single run, and a
/// region selects what `bcftools query -r` selects on the VCF, with byte-identical tables.
#[test]
fn bcf_shards_and_regions_equal_the_vcf() {
    assert_shards_merge_to_single_run("cohort/sample.bcf", &[2, 3, 4]);
    let dir = tempfile::tempdir().expect("tempdir");
    let region = ["--region", "20:10000000-12000000,20:11500000-13000000"];
    let (bcf, vcf) = (dir.path().join("bcf"), dir.path().join("vcf"));
    assert_ok(&ingest(&testdata("cohort/sample.bcf"), &bcf, &region));
    assert_ok(&ingest(&testdata("cohort/sample.vcf.gz"), &vcf, &region));
    assert_eq!(keys(&bcf), expected_keys("expected/sample.regions.tsv"));
    for table in [
        "variants.parquet",
        "calls.parquet",
        "samples.parquet",
        "info.parquet",
    ] {
        assert!(
            std::fs::read(bcf.join(table)).expect("read")
                == std::fs::read(vcf.join(table)).expect("read"),
            "{table} from BCF by region differs from VCF by region"
        );
    }
    // A BCF without its index: exit 2, naming the file.
    let copy = dir.path().join("copy.bcf");
    std::fs::copy(testdata("cohort/sample.bcf"), &copy).expect("copy");
    let output = ingest(&copy, &dir.path().join("none"), &region);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("copy.bcf"), "{}", stderr(&output));
}

#[test]
fn region_errors_name_the_problem() {
    let out = tempfile::tempdir().expect("tempdir");
    // Contig naming mismatch.
    let output = ingest(
        &testdata("cohort/sample.vcf.gz"),
        &out.path().join("a"),
        &["--region", "chr20:1-100"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("contig \"chr20\" is not in")
            && stderr(&output).contains("its contigs: 20"),
        "{}",
        stderr(&output)
    );
    // No index.
    let output = ingest(
        &testdata("malformed/failed_body_pos_001.vcf"),
        &out.path().join("b"),
        &["--region", "1:1-100"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("has no index"),
        "{}",
        stderr(&output)
    );
    // Bad shard and region syntax are usage errors.
    for bad in [
        ["--shard", "0/4"],
        ["--shard", "5/4"],
        ["--region", "20:5-1"],
    ] {
        let output = ingest(
            &testdata("cohort/sample.vcf.gz"),
            &out.path().join("c"),
            &bad,
        );
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
    }
    assert_eq!(
        std::fs::read_dir(out.path()).expect("readable").count(),
        0,
        "nothing left behind"
    );
}

/// `bcftools view -s HG004,HG002` then `+fill-tags -t AN,AC`: the listed samples, in the
/// listed order, with AC/AN over them only.
#[test]
fn samples_are_selected_like_bcftools_view_s() {
    let out = tempfile::tempdir().expect("tempdir");
    let vcf = testdata("trio/ashk-trio.vcf.gz");
    let selected = out.path().join("selected");
    assert_ok(&ingest(&vcf, &selected, &["--samples", "HG004,HG002"]));
    assert_ok(&provar([
        "qc".as_ref(),
        "--out".as_ref(),
        selected.as_os_str(),
    ]));
    let expected = Tsv::read("expected/ashk-trio.samples-HG004-HG002.tsv");
    let ids: Vec<_> = strings(&selected, Table::Samples, "sample_id")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(ids, ["HG004", "HG002"]);
    let (gts, ac, an) = (
        genotypes(&selected),
        ints(&selected, Table::VariantQc, "AC"),
        ints(&selected, Table::VariantQc, "AN"),
    );
    assert_eq!(gts.len(), expected.rows.len());
    for (i, row) in expected.rows.iter().enumerate() {
        assert_eq!(ac[i].to_string(), expected.get(row, "AC"), "AC row {i}");
        assert_eq!(an[i].to_string(), expected.get(row, "AN"), "AN row {i}");
        assert_eq!(
            gts[i],
            [expected.get(row, "HG004"), expected.get(row, "HG002")],
            "GT row {i}"
        );
    }
    // Exclusion keeps the others in file order; an unknown sample is an error.
    let excluded = out.path().join("excluded");
    assert_ok(&ingest(&vcf, &excluded, &["--samples", "^HG003"]));
    let ids: Vec<_> = strings(&excluded, Table::Samples, "sample_id")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(ids, ["HG002", "HG004"]);
    let output = ingest(&vcf, &out.path().join("bad"), &["--samples", "HG005"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("sample \"HG005\" is not in"),
        "{}",
        stderr(&output)
    );
}
