//! Every INFO field of every record, typed from the header, equals what `bcftools norm -m-
//! | bcftools query` prints (issue 3); shards merge to the same bytes.

mod common;

use std::path::Path;

use common::*;
use provar_io::arrow_array::{
    Array, BooleanArray, Float32Array, Int32Array, ListArray, StringArray, UInt64Array,
};
use provar_io::arrow_schema::DataType;
use provar_testkit::{testdata, Tsv};

/// One cell of the info table as bcftools query would print it (floats compared apart).
#[derive(Debug)]
enum Cell {
    Text(String),
    Float(Option<f32>),
    Floats(Vec<Option<f32>>),
}

fn cell(array: &dyn Array, row: usize) -> Cell {
    let dot = || ".".to_owned();
    match array.data_type() {
        DataType::Boolean => {
            let a = array.as_any().downcast_ref::<BooleanArray>().expect("bool");
            Cell::Text(if a.value(row) { "1".to_owned() } else { dot() })
        }
        DataType::Int32 => {
            let a = array.as_any().downcast_ref::<Int32Array>().expect("i32");
            Cell::Text(if a.is_null(row) {
                dot()
            } else {
                a.value(row).to_string()
            })
        }
        DataType::Float32 => {
            let a = array.as_any().downcast_ref::<Float32Array>().expect("f32");
            Cell::Float((!a.is_null(row)).then(|| a.value(row)))
        }
        DataType::Utf8 => {
            let a = array.as_any().downcast_ref::<StringArray>().expect("utf8");
            Cell::Text(if a.is_null(row) {
                dot()
            } else {
                a.value(row).to_owned()
            })
        }
        DataType::List(_) => {
            let a = array.as_any().downcast_ref::<ListArray>().expect("list");
            if a.is_null(row) {
                return Cell::Text(dot());
            }
            let values = a.value(row);
            if let Some(f) = values.as_any().downcast_ref::<Float32Array>() {
                return Cell::Floats(
                    (0..f.len())
                        .map(|i| (!f.is_null(i)).then(|| f.value(i)))
                        .collect(),
                );
            }
            let parts: Vec<String> = (0..values.len())
                .map(|i| match cell(values.as_ref(), i) {
                    Cell::Text(t) => t,
                    other => format!("{other:?}"),
                })
                .collect();
            Cell::Text(parts.join(","))
        }
        other => panic!("unexpected column type {other}"),
    }
}

fn float_matches(expected: &str, found: Option<f32>) -> bool {
    match (expected, found) {
        (".", None) => true,
        (text, Some(value)) => text.parse::<f32>().is_ok_and(|e| {
            e == value || ((e - value).abs() / e.abs().max(f32::MIN_POSITIVE)) < 1e-5
        }),
        _ => false,
    }
}

/// Compares `info.parquet` in `dir` with the bcftools fixture, every row and column.
fn assert_info_equals(dir: &Path, fixture: &str) -> usize {
    let expected = Tsv::read(fixture);
    let (_, batches) = provar_io::table::read_any(dir, "info")
        .expect("info table reads")
        .expect("info.parquet exists");
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    // Same keys, same order as the header.
    assert_eq!(names[0], "variant_index");
    assert_eq!(&names[1..], &expected.header[4..]);
    let mut row_no = 0usize;
    let mut compared = 0usize;
    for batch in &batches {
        let index = batch
            .column(0)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .expect("variant_index");
        for row in 0..batch.num_rows() {
            assert_eq!(index.value(row), row_no as u64);
            let want = &expected.rows[row_no];
            for (c, key) in names.iter().enumerate().skip(1) {
                let text = &want[c + 3];
                let ok = match cell(batch.column(c).as_ref(), row) {
                    Cell::Text(found) => &found == text,
                    Cell::Float(found) => float_matches(text, found),
                    Cell::Floats(found) => {
                        let parts: Vec<&str> = text.split(',').collect();
                        parts.len() == found.len()
                            && parts.iter().zip(found).all(|(p, f)| float_matches(p, f))
                    }
                };
                assert!(
                    ok,
                    "{fixture} row {} ({}:{} {}>{}) {key}: bcftools {text:?}, provar {:?}",
                    row_no + 1,
                    want[0],
                    want[1],
                    want[2],
                    want[3],
                    cell(batch.column(c).as_ref(), row)
                );
                compared += 1;
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
fn every_info_field_equals_bcftools_query_on_the_bundled_files() {
    for (vcf, fixture, cells) in [
        (
            "trio/ashk-trio.vcf.gz",
            "expected/ashk-trio.info.tsv",
            9940 * 25,
        ),
        ("cohort/sample.vcf.gz", "expected/sample.info.tsv", 346 * 28),
        // Multi-allelic records split: Number=A (CIGAR, RU, REFREP, IDREP) per allele.
        (
            "multiallelic/isaac-trio.vcf.gz",
            "expected/isaac-trio.info.tsv",
            2087 * 9,
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        ingest(vcf, dir.path(), &[]);
        assert_eq!(assert_info_equals(dir.path(), fixture), cells, "{vcf}");
    }
}

#[test]
fn sharded_info_merges_to_the_single_run_bytes() {
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
        std::fs::read(single.join("info.parquet")).expect("single"),
        std::fs::read(merged.join("info.parquet")).expect("merged")
    );
}
