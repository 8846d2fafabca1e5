//! `provar burden` on the real 1000 Genomes cohort with Hail's case/control file: carrier
//! counts equal a bcftools recount, the statistics equal SciPy's when it is installed
//! (issue 6).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;
use provar_io::arrow_array::{Array, BooleanArray, Float64Array, StringArray, UInt32Array};
use provar_io::table::Table;
use provar_testkit::{testdata, Tsv};

struct Row {
    gene: String,
    d: u32,
    cases: u32,
    c: u32,
    controls: u32,
    tested: bool,
    p: Option<f64>,
    fdr: Option<f64>,
    or: Option<f64>,
    ci: (Option<f64>, Option<f64>),
}

fn burden_rows(dir: &Path) -> Vec<Row> {
    let (_, batches) = provar_io::table::read_any(dir, "burden")
        .expect("reads")
        .expect("burden.parquet exists");
    let mut rows = Vec::new();
    for b in batches {
        let s = |n: &str| {
            b.column_by_name(n)
                .expect(n)
                .as_any()
                .downcast_ref::<StringArray>()
                .expect(n)
                .clone()
        };
        let u = |n: &str| {
            b.column_by_name(n)
                .expect(n)
                .as_any()
                .downcast_ref::<UInt32Array>()
                .expect(n)
                .clone()
        };
        let f = |n: &str| {
            b.column_by_name(n)
                .expect(n)
                .as_any()
                .downcast_ref::<Float64Array>()
                .expect(n)
                .clone()
        };
        let opt = |a: &Float64Array, i: usize| (!a.is_null(i)).then(|| a.value(i));
        let tested = b
            .column_by_name("tested")
            .expect("tested")
            .as_any()
            .downcast_ref::<BooleanArray>()
            .expect("bool")
            .clone();
        let (gene, d, cases, c, controls) = (
            s("gene"),
            u("case_carriers"),
            u("cases"),
            u("control_carriers"),
            u("controls"),
        );
        let (p, fdr, or, lo, hi) = (
            f("p_value"),
            f("fdr"),
            f("odds_ratio"),
            f("ci_low"),
            f("ci_high"),
        );
        for i in 0..b.num_rows() {
            rows.push(Row {
                gene: gene.value(i).to_owned(),
                d: d.value(i),
                cases: cases.value(i),
                c: c.value(i),
                controls: controls.value(i),
                tested: tested.value(i),
                p: opt(&p, i),
                fdr: opt(&fdr, i),
                or: opt(&or, i),
                ci: (opt(&lo, i), opt(&hi, i)),
            });
        }
    }
    rows
}

fn scipy() -> Option<std::path::PathBuf> {
    let mut candidates: Vec<std::path::PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("PROVAR_PYTHON") {
        candidates.push(p.into());
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cache/provar/venv/bin/python"));
    }
    candidates.push("python3".into());
    let found = candidates.into_iter().find(|py| {
        Command::new(py)
            .args([
                "-c",
                "import scipy.stats; scipy.stats.false_discovery_control",
            ])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        eprintln!(
            "skipping the SciPy cross-check: no Python with scipy >= 1.11 (pip install scipy)"
        );
    }
    found
}

/// `provar run` (plus `run_args`) on the cohort, then `provar burden` over 1 Mb windows with
/// cohort AF <= 0.05 (plus `burden_args`); the rows, after checking that every window's
/// case and control carriers equal the bcftools recount in `fixture`.
fn window_burden_equals(
    fixture: &str,
    out: &Path,
    run_args: &[&str],
    burden_args: &[&str],
) -> Vec<Row> {
    run_pipeline(&testdata("cohort/sample.vcf.gz"), out, run_args);
    let fam = testdata("cohort/sample.fam");
    let mut args: Vec<std::ffi::OsString> = vec![
        "burden".into(),
        "--ped".into(),
        fam.into(),
        "--out".into(),
        out.into(),
        "--window".into(),
        "1000000".into(),
        "--max-af".into(),
        "0.05".into(),
    ];
    args.extend(burden_args.iter().map(Into::into));
    assert_ok(&provar(args));
    let rows = burden_rows(out);
    let expected = Tsv::read(fixture);
    let by_window: BTreeMap<&str, &Row> = rows.iter().map(|r| (r.gene.as_str(), r)).collect();
    assert_eq!(by_window.len(), expected.rows.len());
    for e in &expected.rows {
        let r = by_window[e[0].as_str()];
        assert_eq!(
            (r.d.to_string(), r.c.to_string()),
            (e[1].clone(), e[2].clone()),
            "{}",
            e[0]
        );
    }
    rows
}

/// Runs `script` with `python -c`, asserting success; its standard output.
fn run_python(python: &Path, script: &str) -> String {
    let output = Command::new(python)
        .args(["-c", script])
        .output()
        .expect("python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn window_burden_on_the_cohort_equals_a_bcftools_recount_and_scipy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = window_burden_equals("expected/sample.burden-windows.tsv", dir.path(), &[], &[]);
    for r in &rows {
        assert_eq!((r.cases, r.controls), (21, 79));
        // geneBurdenRD's minimums: d >= 1, cases >= 5, carriers >= 4.
        assert_eq!(r.tested, r.d >= 1 && r.d + r.c >= 4, "{}", r.gene);
    }
    // Sorted by p-value, untested last.
    let ps: Vec<f64> = rows.iter().map(|r| r.p.unwrap_or(f64::INFINITY)).collect();
    assert!(ps.windows(2).all(|w| w[0] <= w[1]));

    let Some(python) = scipy() else { return };
    let tested: Vec<&Row> = rows.iter().filter(|r| r.tested).collect();
    let tables: Vec<String> = tested
        .iter()
        .map(|r| {
            format!(
                "[[{},{}],[{},{}]]",
                r.d,
                r.cases - r.d,
                r.c,
                r.controls - r.c
            )
        })
        .collect();
    let script = format!(
        "import scipy.stats as s\n\
         from scipy.stats.contingency import odds_ratio\n\
         tables = [{}]\n\
         ps = [s.fisher_exact(t, alternative='greater')[1] for t in tables]\n\
         q = s.false_discovery_control(ps, method='bh')\n\
         for t, p, qq in zip(tables, ps, q):\n\
         \x20   o = odds_ratio(t, kind='conditional')\n\
         \x20   ci = o.confidence_interval(0.95)\n\
         \x20   print(*[repr(float(x)) for x in (p, qq, o.statistic, ci.low, ci.high)])\n",
        tables.join(",")
    );
    let stdout = run_python(&python, &script);
    let close = |a: f64, b: f64, rel: f64| {
        (a.is_infinite() && b.is_infinite()) || (a - b).abs() <= rel * b.abs().max(1e-300)
    };
    for (r, line) in tested.iter().zip(stdout.lines()) {
        let v: Vec<f64> = line.split(' ').map(|x| x.parse().expect("float")).collect();
        assert!(
            close(r.p.expect("p"), v[0], 1e-9),
            "{} p {:?} vs {}",
            r.gene,
            r.p,
            v[0]
        );
        assert!(close(r.fdr.expect("fdr"), v[1], 1e-9), "{} fdr", r.gene);
        assert!(
            close(r.or.expect("or"), v[2], 1e-6),
            "{} or {:?} vs {}",
            r.gene,
            r.or,
            v[2]
        );
        assert!(
            close(r.ci.0.expect("lo"), v[3], 1e-5),
            "{} ci low {:?} vs {}",
            r.gene,
            r.ci.0,
            v[3]
        );
        assert!(
            close(r.ci.1.expect("hi"), v[4], 1e-5),
            "{} ci high {:?} vs {}",
            r.gene,
            r.ci.1,
            v[4]
        );
    }
}

/// With population frequencies joined (`provar run --population` runs annotate), alleles
/// above `--max-pop-af 0.01` do not qualify: the carriers per window equal a bcftools
/// recount after `bcftools annotate` with the same sites file.
#[test]
fn population_af_limit_equals_a_bcftools_recount() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sites = testdata("population/example-population.sites.vcf.gz");
    window_burden_equals(
        "expected/sample.burden-windows-pop.tsv",
        dir.path(),
        &["--population", sites.to_str().expect("utf-8 path")],
        &["--max-pop-af", "0.01"],
    );
}

#[test]
fn a_pedigree_without_controls_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_pipeline(&testdata("trio/ashk-trio.vcf.gz"), dir.path(), &[]);
    let output = provar([
        "burden".as_ref(),
        "--ped".as_ref(),
        testdata("trio/ashk-trio.ped").as_os_str(),
        "--out".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("1 case(s) and 0 control(s)"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("burden.parquet").exists());
}

/// `provar cluster --on burden` (issue 6, item 5): the burden profiles count, per sample
/// and 1 Mb window, the qualifying alleles `provar burden` uses, so the samples carrying
/// each window, split by Hail's case/control file, equal the bcftools recount of
/// `expected/sample.burden-windows.tsv`; and the PCA of the z-scored profiles equals
/// NumPy's eigendecomposition of the same matrix (when a Python with NumPy is present).
#[test]
fn burden_profiles_equal_the_bcftools_recount_and_their_pca_numpy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    run_pipeline(&testdata("cohort/sample.vcf.gz"), out, &[]);
    assert_ok(&provar([
        "cluster".as_ref(),
        "--on".as_ref(),
        "burden".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--max-af".as_ref(),
        "0.05".as_ref(),
        "--window".as_ref(),
        "1000000".as_ref(),
    ]));
    let (_, batches) = provar_io::table::read_any(out, "burden_profiles")
        .expect("reads")
        .expect("burden_profiles.parquet");
    let mut cells: Vec<(String, String, u32)> = Vec::new();
    for b in &batches {
        let s = b
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("sample_id");
        let g = b
            .column(1)
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("group");
        let a = b
            .column(2)
            .as_any()
            .downcast_ref::<UInt32Array>()
            .expect("alleles");
        for i in 0..b.num_rows() {
            cells.push((s.value(i).to_owned(), g.value(i).to_owned(), a.value(i)));
        }
    }
    let fam = std::fs::read_to_string(testdata("cohort/sample.fam")).expect("fam");
    let phenotype: BTreeMap<String, String> = fam
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[1].to_owned(), f[5].to_owned())
        })
        .collect();
    let expected = Tsv::read("expected/sample.burden-windows.tsv");
    for e in &expected.rows {
        let carriers = |ph: &str| {
            cells
                .iter()
                .filter(|(s, g, _)| *g == e[0] && phenotype[s] == ph)
                .count()
                .to_string()
        };
        assert_eq!(
            (carriers("2"), carriers("1")),
            (e[1].clone(), e[2].clone()),
            "{}",
            e[0]
        );
    }

    let Some(python) = scipy() else { return };
    let samples = strings(out, Table::Samples, "sample_id");
    let pca = |name: &str| floats_any(out, "burden_pca", name);
    let (pc1, pc2) = (pca("PC1"), pca("PC2"));
    let windows: Vec<&str> = expected.rows.iter().map(|r| r[0].as_str()).collect();
    let matrix: Vec<String> = samples
        .iter()
        .map(|s| {
            let s = s.as_deref().expect("sample id");
            let row: Vec<String> = windows
                .iter()
                .map(|w| {
                    cells
                        .iter()
                        .find(|(cs, cg, _)| cs == s && cg == w)
                        .map_or(0, |c| c.2)
                        .to_string()
                })
                .collect();
            format!("[{}]", row.join(","))
        })
        .collect();
    let script = format!(
        "import numpy as np\n\
         x = np.array([{}], dtype=float)\n\
         sd = x.std(axis=0)\n\
         z = (x[:, sd > 0] - x[:, sd > 0].mean(axis=0)) / sd[sd > 0]\n\
         g = z @ z.T / z.shape[1]\n\
         w, v = np.linalg.eigh(g)\n\
         for c in (-1, -2):\n\
         \x20   s = v[:, c] * np.sqrt(max(w[c], 0))\n\
         \x20   s = s if s[np.argmax(np.abs(s))] > 0 else -s\n\
         \x20   print(' '.join(repr(float(t)) for t in s))\n",
        matrix.join(",")
    );
    let stdout = run_python(&python, &script);
    for (ours, line) in [pc1, pc2].iter().zip(stdout.lines()) {
        let numpy: Vec<f64> = line.split(' ').map(|x| x.parse().expect("float")).collect();
        assert_eq!(ours.len(), numpy.len());
        for (a, b) in ours.iter().zip(&numpy) {
            assert!((a - b).abs() < 1e-6, "PC score {a} vs NumPy {b}");
        }
    }
}

/// A Float64 column of any provar table, by name.
fn floats_any(dir: &Path, table: &str, name: &str) -> Vec<f64> {
    let (_, batches) = provar_io::table::read_any(dir, table)
        .expect("reads")
        .expect("table exists");
    batches
        .iter()
        .flat_map(|b| {
            let c = b
                .column_by_name(name)
                .expect("column")
                .as_any()
                .downcast_ref::<Float64Array>()
                .expect("f64")
                .clone();
            (0..c.len()).map(move |i| c.value(i)).collect::<Vec<_>>()
        })
        .collect()
}
