//! Shared helpers for the CLI tests: run the binary, read tables back.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use provar_io::{
    arrow_array::{
        Array, Float64Array, Int64Array, Int8Array, ListArray, StringArray, UInt32Array,
        UInt64Array,
    },
    table::{self, Table},
};

/// Runs `provar ARGS` and returns its output.
pub fn provar<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_provar"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the provar binary runs")
}

/// Stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts success, showing stderr otherwise.
pub fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "provar failed with {:?}:\n{}",
        output.status.code(),
        stderr(output)
    );
}

/// Runs `provar ingest testdata/VCF --out DIR -q`, asserting success.
pub fn ingest_testdata(vcf: &str, out: &Path) {
    assert_ok(&provar([
        "ingest".as_ref(),
        provar_testkit::testdata(vcf).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]));
}

/// Runs `provar run --vcf VCF --out DIR` plus extra args, asserting success.
pub fn run_pipeline(vcf: &Path, out: &Path, extra: &[&str]) {
    let mut args: Vec<std::ffi::OsString> = vec![
        "run".into(),
        "--vcf".into(),
        vcf.into(),
        "--out".into(),
        out.into(),
    ];
    args.extend(extra.iter().map(Into::into));
    assert_ok(&provar(args));
}

/// All batches of a table.
fn batches(dir: &Path, t: Table) -> Vec<provar_io::arrow_array::RecordBatch> {
    table::read(dir, t, 1 << 16)
        .expect("table opens")
        .collect::<Result<_, _>>()
        .expect("table reads")
}

/// An integer column (Int64, UInt64 or UInt32) as i64 values.
pub fn ints(dir: &Path, t: Table, name: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for b in batches(dir, t) {
        let c = b
            .column_by_name(name)
            .unwrap_or_else(|| panic!("column {name}"));
        if let Some(a) = c.as_any().downcast_ref::<Int64Array>() {
            out.extend(a.iter().map(|v| v.expect("non-null")));
        } else if let Some(a) = c.as_any().downcast_ref::<UInt64Array>() {
            out.extend(a.iter().map(|v| v.expect("non-null") as i64));
        } else if let Some(a) = c
            .as_any()
            .downcast_ref::<provar_io::arrow_array::Int32Array>()
        {
            out.extend(a.iter().map(|v| i64::from(v.expect("non-null"))));
        } else if let Some(a) = c.as_any().downcast_ref::<UInt32Array>() {
            out.extend(a.iter().map(|v| i64::from(v.expect("non-null"))));
        } else {
            panic!("column {name} is not an integer column");
        }
    }
    out
}

/// A Float64 column.
pub fn floats(dir: &Path, t: Table, name: &str) -> Vec<Option<f64>> {
    batches(dir, t)
        .iter()
        .flat_map(|b| {
            let c = b
                .column_by_name(name)
                .unwrap_or_else(|| panic!("column {name}"));
            c.as_any()
                .downcast_ref::<Float64Array>()
                .unwrap_or_else(|| panic!("column {name} is not Float64"))
                .iter()
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A Utf8 column.
pub fn strings(dir: &Path, t: Table, name: &str) -> Vec<Option<String>> {
    batches(dir, t)
        .iter()
        .flat_map(|b| {
            let c = b
                .column_by_name(name)
                .unwrap_or_else(|| panic!("column {name}"));
            c.as_any()
                .downcast_ref::<StringArray>()
                .unwrap_or_else(|| panic!("column {name} is not Utf8"))
                .iter()
                .map(|s| s.map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The genotypes of every calls row, written as bcftools query writes GT
/// (`0/1`, `1|0`, `./.`, haploid `1`, `.`).
pub fn genotypes(dir: &Path) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches(dir, Table::Calls) {
        let list = |name: &str| {
            b.column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<ListArray>())
                .unwrap_or_else(|| panic!("list column {name}"))
                .clone()
        };
        let (a1, a2, phased) = (list("gt_allele_1"), list("gt_allele_2"), list("gt_phased"));
        for row in 0..b.num_rows() {
            let v1 = a1.value(row);
            let v1 = v1.as_any().downcast_ref::<Int8Array>().expect("Int8 items");
            let v2 = a2.value(row);
            let v2 = v2.as_any().downcast_ref::<Int8Array>().expect("Int8 items");
            let p = phased.value(row);
            let p = p
                .as_any()
                .downcast_ref::<provar_io::arrow_array::BooleanArray>()
                .expect("Boolean items");
            let allele = |a: i8| if a < 0 { ".".to_owned() } else { a.to_string() };
            out.push(
                (0..v1.len())
                    .map(|s| {
                        if v2.is_null(s) {
                            allele(v1.value(s))
                        } else {
                            let sep = if p.value(s) { "|" } else { "/" };
                            format!("{}{sep}{}", allele(v1.value(s)), allele(v2.value(s)))
                        }
                    })
                    .collect(),
            );
        }
    }
    out
}

/// Every regular file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).expect("under base").to_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for rel in files(from) {
        let target = to.join(&rel);
        std::fs::create_dir_all(target.parent().expect("has parent")).expect("mkdir");
        std::fs::copy(from.join(&rel), target).expect("copy");
    }
}

/// A `List<Int32>` column of `calls`: one vector per row, one entry per sample.
pub fn int_lists(dir: &Path, name: &str) -> Vec<Vec<Option<i32>>> {
    let mut out = Vec::new();
    for b in batches(dir, Table::Calls) {
        let list = b
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<ListArray>())
            .unwrap_or_else(|| panic!("list column {name}"));
        for row in 0..b.num_rows() {
            let values = list.value(row);
            let values = values
                .as_any()
                .downcast_ref::<provar_io::arrow_array::Int32Array>()
                .expect("Int32 items");
            out.push(values.iter().collect());
        }
    }
    out
}
