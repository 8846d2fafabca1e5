//! `provar burden` on the real 1000 Genomes cohort with Hail's case/control file: carrier
//! counts equal a bcftools recount, the statistics equal SciPy's when it is installed
//! (issue 6).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;
use provar_io::arrow_array::{Array, BooleanArray, Float64Array, StringArray, UInt32Array};
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

#[test]
fn window_burden_on_the_cohort_equals_a_bcftools_recount_and_scipy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    run_pipeline(&testdata("cohort/sample.vcf.gz"), out, &[]);
    let fam = testdata("cohort/sample.fam");
    assert_ok(&provar([
        "burden".as_ref(),
        "--ped".as_ref(),
        fam.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--window".as_ref(),
        "1000000".as_ref(),
        "--max-af".as_ref(),
        "0.05".as_ref(),
    ]));
    let rows = burden_rows(out);
    let expected = Tsv::read("expected/sample.burden-windows.tsv");
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
        assert_eq!((r.cases, r.controls), (21, 79));
        // geneBurdenRD's minimums: d >= 1, cases >= 5, carriers >= 4.
        assert_eq!(r.tested, r.d >= 1 && r.d + r.c >= 4, "{}", e[0]);
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
    let output = Command::new(python)
        .args(["-c", &script])
        .output()
        .expect("python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let close = |a: f64, b: f64, rel: f64| {
        (a.is_infinite() && b.is_infinite()) || (a - b).abs() <= rel * b.abs().max(1e-300)
    };
    for (r, line) in tested
        .iter()
        .zip(String::from_utf8_lossy(&output.stdout).lines())
    {
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
    let out = dir.path();
    let sites = testdata("population/example-population.sites.vcf.gz");
    run_pipeline(
        &testdata("cohort/sample.vcf.gz"),
        out,
        &["--population", sites.to_str().expect("utf-8 path")],
    );
    let fam = testdata("cohort/sample.fam");
    assert_ok(&provar([
        "burden".as_ref(),
        "--ped".as_ref(),
        fam.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--window".as_ref(),
        "1000000".as_ref(),
        "--max-af".as_ref(),
        "0.05".as_ref(),
        "--max-pop-af".as_ref(),
        "0.01".as_ref(),
    ]));
    let rows = burden_rows(out);
    let expected = Tsv::read("expected/sample.burden-windows-pop.tsv");
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
