//! Every FORMAT field beyond GT, AD, DP, GQ and PL, typed from the header, per sample, equals
//! what `bcftools norm -m- | bcftools query` prints (issue 3); shards merge to the same bytes.

mod common;

use std::path::Path;

use common::*;
use provar_io::arrow_array::{
    Array, Float32Array, Int32Array, ListArray, StringArray, UInt64Array,
};
use provar_testkit::{testdata, Tsv};

/// One value of one sample as bcftools query prints it: numbers and text as written, lists
/// comma-joined, missing as `.`; floats kept apart for a relative comparison.
fn items(array: &dyn Array) -> Vec<Option<String>> {
    if let Some(a) = array.as_any().downcast_ref::<Int32Array>() {
        return (0..a.len())
            .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
            .collect();
    }
    if let Some(a) = array.as_any().downcast_ref::<Float32Array>() {
        return (0..a.len())
            .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
            .collect();
    }
    if let Some(a) = array.as_any().downcast_ref::<StringArray>() {
        return (0..a.len())
            .map(|i| (!a.is_null(i)).then(|| a.value(i).to_owned()))
            .collect();
    }
    panic!("unexpected item type {:?}", array.data_type());
}

/// The texts of sample `s` in `row` of a format column.
fn sample_value(column: &dyn Array, row: usize, s: usize) -> Vec<Option<String>> {
    let per_sample = column
        .as_any()
        .downcast_ref::<ListArray>()
        .expect("list over samples");
    let values = per_sample.value(row);
    match values.as_any().downcast_ref::<ListArray>() {
        // A list per sample.
        Some(lists) => {
            if lists.is_null(s) {
                vec![None]
            } else {
                items(lists.value(s).as_ref())
            }
        }
        None => vec![items(values.as_ref())[s].clone()],
    }
}

fn matches(expected: &str, found: &[Option<String>]) -> bool {
    let parts: Vec<&str> = expected.split(',').collect();
    parts.len() == found.len()
        && parts.iter().zip(found).all(|(e, f)| match f {
            None => *e == ".",
            Some(f) if f == e => true,
            Some(f) => match (e.parse::<f32>(), f.parse::<f32>()) {
                (Ok(a), Ok(b)) => ((a - b).abs() / a.abs().max(f32::MIN_POSITIVE)) < 1e-5,
                _ => false,
            },
        })
}

/// Compares `format.parquet` in `dir` with the bcftools fixture; returns the values compared.
fn assert_format_equals(dir: &Path, fixture: &str) -> usize {
    let expected = Tsv::read(fixture);
    let (_, batches) = provar_io::table::read_any(dir, "format")
        .expect("format table reads")
        .expect("format.parquet exists");
    let schema = batches[0].schema();
    let keys: Vec<&str> = schema
        .fields()
        .iter()
        .skip(1)
        .map(|f| f.name().as_str())
        .collect();
    let samples = (expected.header.len() - 4) / keys.len();
    // Header order, every sample.
    for (i, h) in expected.header[4..].iter().enumerate() {
        assert!(
            h.ends_with(&format!(":{}", keys[i % keys.len()])),
            "{fixture}: column {h}"
        );
    }
    let (mut row_no, mut compared) = (0usize, 0usize);
    for batch in &batches {
        let index = batch
            .column(0)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .expect("index");
        for row in 0..batch.num_rows() {
            assert_eq!(index.value(row), row_no as u64);
            let want = &expected.rows[row_no];
            for s in 0..samples {
                for (k, key) in keys.iter().enumerate() {
                    let text = &want[4 + s * keys.len() + k];
                    let found = sample_value(batch.column(k + 1).as_ref(), row, s);
                    assert!(
                        matches(text, &found),
                        "{fixture} row {} ({}:{} {}>{}) sample {s} {key}: bcftools {text:?}, provar {found:?}",
                        row_no + 1, want[0], want[1], want[2], want[3]
                    );
                    compared += 1;
                }
            }
            row_no += 1;
        }
    }
    assert_eq!(row_no, expected.rows.len(), "{fixture}: row count");
    compared
}

fn ingest(vcf: &str, out: &Path, extra: &[&str]) {
    let mut args: Vec<std::ffi::OsString> = vec![
        "ingest".into(),
        testdata(vcf).into(),
        "--out".into(),
        out.into(),
    ];
    args.extend(extra.iter().map(Into::into));
    assert_ok(&provar(args));
}

#[test]
fn every_extra_format_field_equals_bcftools_query() {
    for (vcf, fixture, values) in [
        // PGT, PID (text), RGQ, SB (Number=4): 3 samples.
        (
            "trio/ashk-trio.vcf.gz",
            "expected/ashk-trio.format.tsv",
            9940 * 3 * 4,
        ),
        // GQX, DPF, DPI, with multi-allelic records split.
        (
            "multiallelic/isaac-trio.vcf.gz",
            "expected/isaac-trio.format.tsv",
            2087 * 3 * 3,
        ),
        // GL (Number=G floats), RO, QR, AO and QA (Number=A): CEPH1463 chrX.
        (
            "family/test.mendel.vcf.gz",
            "expected/test.mendel.format.tsv",
            22 * 3 * 5,
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        ingest(vcf, dir.path(), &[]);
        assert_eq!(assert_format_equals(dir.path(), fixture), values, "{vcf}");
    }
}

#[test]
fn no_format_table_when_the_calls_table_holds_every_key() {
    // The 1000 Genomes cohort has GT:AD:DP:GQ:PL only.
    let dir = tempfile::tempdir().expect("tempdir");
    ingest("cohort/sample.vcf.gz", dir.path(), &[]);
    assert!(!dir.path().join("format.parquet").exists());
}

#[test]
fn sharded_format_merges_to_the_single_run_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let single = dir.path().join("single");
    ingest("trio/ashk-trio.vcf.gz", &single, &[]);
    let mut shards = Vec::new();
    for i in 1..=3 {
        let shard = dir.path().join(format!("shard{i}"));
        ingest(
            "trio/ashk-trio.vcf.gz",
            &shard,
            &["--shard", &format!("{i}/3")],
        );
        shards.push(shard);
    }
    let merged = dir.path().join("merged");
    let mut args: Vec<std::ffi::OsString> = vec!["merge".into()];
    args.extend(shards.iter().map(Into::into));
    args.extend(["--out".into(), merged.clone().into()]);
    assert_ok(&provar(args));
    assert_eq!(
        std::fs::read(single.join("format.parquet")).expect("single"),
        std::fs::read(merged.join("format.parquet")).expect("merged")
    );
}
