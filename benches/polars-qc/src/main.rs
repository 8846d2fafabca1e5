//! Issue 4 measurement: the genotype counts of `provar qc` computed with polars.
//!
//! Reads provar's `calls.parquet`, `variants.parquet` and `samples.parquet` from a tables
//! directory, computes per variant `AC`, `AN`, `n_called`, `n_het`, `n_hom_var` and per
//! sample `n_called`, `n_het`, `n_hom_var`, writes them to `variant_counts.parquet` and
//! `sample_counts.parquet`, and prints on standard error how long reading, computing and
//! writing took and the peak resident memory of the computation. With `--check QC_DIR` it
//! compares the counts with provar's `variant_qc.parquet` and `sample_qc.parquet`.
//!
//! ```text
//! polars-qc TABLES_DIR OUT_DIR [--check QC_DIR] [--formulation list|explode|plain]
//!           [--engine streaming|in-memory] [--fused] [--only variants|samples] [--pairs]
//! ```
//!
//! - `--formulation`: `list` (default, the faster polars one), `explode`, or `plain` (not
//!   polars: Rust loops over the columns polars read, for comparison);
//! - `--engine`: polars' `streaming` engine (default, the faster) or `in-memory`;
//! - `--fused`: the query scans `calls.parquet` itself instead of working on columns read
//!   beforehand, so the computation time includes the read;
//! - `--only`: compute, write and check one table only (to time it alone);
//! - `--pairs`: per sample, count (sample, code) pairs first (slower; kept to rerun).
//!
//! Exit codes: 0 success (and the counts equal provar's with `--check`), 1 a count differs
//! from provar's, 2 bad usage or an I/O or polars error. Threads: `POLARS_MAX_THREADS`.
//!
//! Definitions are Hail's, as in `provar-qc`: a call is called when every allele is known;
//! a haploid call (`gt_allele_2` null) has one allele; `AN` counts the alleles of called
//! calls and `AC` the alternate ones among them; a called call is het when some but not
//! all of its alleles are alternate, hom-var when all are. Allele codes are 0 (reference),
//! 1 (this alternate), -1 (missing). Polyploid alleles (`gt_alleles_extra`) are not read:
//! `--check` fails on a table that has any.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::ExitCode,
    time::Instant,
};

use polars::prelude::*;

/// The per-variant count columns, named as in provar's `variant_qc`.
const VARIANT_COUNTS: [&str; 5] = ["AC", "AN", "n_called", "n_het", "n_hom_var"];
/// The per-sample count columns, named as in provar's `sample_qc`.
const SAMPLE_COUNTS: [&str; 3] = ["n_called", "n_het", "n_hom_var"];

/// How the counts are expressed in polars.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Formulation {
    /// One code per call through the list namespace (list arithmetic, `count_matches`)
    /// per variant; the code list exploded and grouped by sample per sample.
    List,
    /// Both allele lists exploded into one row per call, indicator columns, then one
    /// `group_by` per variant and one per sample.
    Explode,
    /// Not polars: plain Rust loops over the same in-memory columns (polars reads the
    /// Parquet and flattens the lists), for comparison.
    Plain,
}

struct Args {
    tables: PathBuf,
    out: PathBuf,
    check: Option<PathBuf>,
    formulation: Formulation,
    engine: Engine,
    only: Option<Only>,
    pairs: bool,
    fused: bool,
}

/// Computes one of the two tables alone, to time it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Only {
    Variants,
    Samples,
}

const USAGE: &str = "usage: polars-qc TABLES_DIR OUT_DIR [--check QC_DIR] \
                     [--formulation list|explode|plain] [--engine streaming|in-memory] \
                     [--fused] [--only variants|samples] [--pairs]";

fn parse_args() -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut check = None;
    let mut formulation = Formulation::List;
    let mut engine = Engine::Streaming;
    let mut only = None;
    let mut pairs = false;
    let mut fused = false;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.to_str() {
            Some("--check") => check = Some(PathBuf::from(value("--check")?)),
            Some("--formulation") => {
                formulation = match value("--formulation")?.to_str() {
                    Some("list") => Formulation::List,
                    Some("explode") => Formulation::Explode,
                    Some("plain") => Formulation::Plain,
                    _ => return Err(format!("--formulation is list, explode or plain\n{USAGE}")),
                }
            }
            Some("--engine") => {
                engine = match value("--engine")?.to_str() {
                    Some("in-memory") => Engine::InMemory,
                    Some("streaming") => Engine::Streaming,
                    _ => return Err(format!("--engine is in-memory or streaming\n{USAGE}")),
                }
            }
            Some("--only") => {
                only = match value("--only")?.to_str() {
                    Some("variants") => Some(Only::Variants),
                    Some("samples") => Some(Only::Samples),
                    _ => return Err(format!("--only is variants or samples\n{USAGE}")),
                }
            }
            Some("--pairs") => pairs = true,
            Some("--fused") => fused = true,
            Some("-h" | "--help") => return Err(USAGE.to_owned()),
            Some(s) if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let [tables, out] = <[PathBuf; 2]>::try_from(positional)
        .map_err(|_| format!("expected TABLES_DIR and OUT_DIR\n{USAGE}"))?;
    Ok(Args {
        tables,
        out,
        check,
        formulation,
        engine,
        only,
        pairs,
        fused,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("polars-qc: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("polars-qc: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the whole program; `Ok(false)` when `--check` found a difference.
fn run(args: &Args) -> PolarsResult<bool> {
    let start = Instant::now();
    let calls_path = args.tables.join("calls.parquet");
    let calls_columns = [col("variant_index"), col("gt_allele_1"), col("gt_allele_2")];
    let calls = if args.fused {
        // The query reads the Parquet itself: reading is part of the computation.
        Calls::Scan(Box::new(scan(&calls_path)?.select(calls_columns)))
    } else {
        Calls::Memory(scan(&calls_path)?.select(calls_columns).collect()?)
    };
    let variants = scan(&args.tables.join("variants.parquet"))?
        .select([col("variant_index"), col("variant_key")])
        .collect()?;
    let samples = scan(&args.tables.join("samples.parquet"))?
        .select([col("sample_index"), col("sample_id")])
        .collect()?;
    let read = start.elapsed();
    let rss_before = status_kib("VmRSS:");

    reset_peak_rss();
    let start = Instant::now();
    let (mut variant_counts, mut sample_counts) = compute(calls, &variants, &samples, args)?;
    let computed = start.elapsed();
    let compute_peak = status_kib("VmHWM:");

    let start = Instant::now();
    std::fs::create_dir_all(&args.out).map_err(|e| io_error(e, &args.out))?;
    // With --only, the other table is empty and not written.
    for (df, name) in [
        (&mut variant_counts, "variant_counts.parquet"),
        (&mut sample_counts, "sample_counts.parquet"),
    ] {
        if df.width() > 0 {
            write(df, &args.out.join(name))?;
        }
    }
    let written = start.elapsed();

    eprintln!(
        "polars-qc: {} calls ({} variants x {} samples), formulation {:?}, engine {}{}, \
         POLARS_MAX_THREADS={}",
        variants.height() * samples.height(),
        variants.height(),
        samples.height(),
        args.formulation,
        args.engine,
        if args.fused {
            ", fused with the read"
        } else {
            ""
        },
        std::env::var("POLARS_MAX_THREADS").unwrap_or_else(|_| "unset".to_owned()),
    );
    eprintln!(
        "polars-qc: read {:.3} s, compute {:.3} s, write {:.3} s; RSS before compute {} MiB, \
         peak during compute {} MiB",
        read.as_secs_f64(),
        computed.as_secs_f64(),
        written.as_secs_f64(),
        mib(rss_before),
        mib(compute_peak),
    );

    match &args.check {
        Some(qc_dir) => check(&args.tables, qc_dir, &variant_counts, &sample_counts),
        None => Ok(true),
    }
}

/// The genotype columns of `calls`: read, or a scan to run as part of the query.
enum Calls {
    Memory(DataFrame),
    Scan(Box<LazyFrame>),
}

/// The two count tables, sorted by `variant_index` and `sample_index`, counts as Int64.
fn compute(
    calls: Calls,
    variants: &DataFrame,
    samples: &DataFrame,
    args: &Args,
) -> PolarsResult<(DataFrame, DataFrame)> {
    let n_samples = samples.height();
    let n = u32::try_from(n_samples)
        .map_err(|_| polars_err!(ComputeError: "too many samples: {}", n_samples))?;
    let calls = match calls {
        Calls::Memory(df) => {
            check_lengths(&df, n_samples)?;
            df.lazy()
        }
        // The fused query trusts the lists to hold one entry per sample (provar writes them
        // so); --check catches it when they do not.
        Calls::Scan(lf) => *lf,
    };
    let (per_variant, per_sample) = match args.formulation {
        Formulation::List => list_formulation(calls, n, args.pairs),
        Formulation::Explode => explode_formulation(calls, n),
        Formulation::Plain => {
            let (v, s) = plain_counts(&calls.collect()?, n_samples)?;
            (v.lazy(), s.lazy())
        }
    };
    let per_variant = per_variant
        .join(
            variants.clone().lazy(),
            [col("variant_index")],
            [col("variant_index")],
            JoinArgs::new(JoinType::Left),
        )
        .select(
            std::iter::once(col("variant_index"))
                .chain(std::iter::once(col("variant_key")))
                .chain(VARIANT_COUNTS.map(|c| col(c).cast(DataType::Int64)))
                .collect::<Vec<_>>(),
        )
        .sort(["variant_index"], Default::default());
    let per_sample = per_sample
        .join(
            samples.clone().lazy(),
            [col("sample_index")],
            [col("sample_index").cast(DataType::UInt32)],
            JoinArgs::new(JoinType::Left),
        )
        .select(
            std::iter::once(col("sample_index"))
                .chain(std::iter::once(col("sample_id")))
                .chain(SAMPLE_COUNTS.map(|c| col(c).cast(DataType::Int64)))
                .collect::<Vec<_>>(),
        )
        .sort(["sample_index"], Default::default());
    let collect = |lf: LazyFrame| -> PolarsResult<DataFrame> {
        Ok(lf.collect_with_engine(args.engine)?.unwrap_single())
    };
    match args.only {
        Some(Only::Variants) => Ok((collect(per_variant)?, DataFrame::empty())),
        Some(Only::Samples) => Ok((DataFrame::empty(), collect(per_sample)?)),
        None => {
            let optimizations = per_variant.get_current_optimizations();
            let mut both = LazyFrame::collect_all_with_engine(
                vec![per_variant.logical_plan, per_sample.logical_plan],
                args.engine,
                optimizations,
            )?;
            let per_sample = both.pop().expect("two plans give two frames");
            let per_variant = both.pop().expect("two plans give two frames");
            Ok((per_variant, per_sample))
        }
    }
}

/// Fails unless every list of `calls` holds one entry per sample: the per-sample key of
/// the formulations (row number modulo the number of samples) relies on it.
fn check_lengths(calls: &DataFrame, n_samples: usize) -> PolarsResult<()> {
    let lengths = calls
        .clone()
        .lazy()
        .select([
            col("gt_allele_1").list().len().min().alias("min_1"),
            col("gt_allele_1").list().len().max().alias("max_1"),
            col("gt_allele_2").list().len().min().alias("min_2"),
            col("gt_allele_2").list().len().max().alias("max_2"),
        ])
        .collect()?;
    for column in lengths.columns() {
        let value = column.get(0)?.extract::<u64>();
        if calls.height() > 0 && value != Some(n_samples as u64) {
            polars_bail!(
                ComputeError: "calls lists are not all {} long (samples.parquet)", n_samples
            );
        }
    }
    Ok(())
}

/// The list formulation: a code per call, `allele_1 * 4 + allele_2` with a haploid call's
/// missing second allele read as 2, so that the called calls are exactly the codes
/// 0 (0/0), 1 (0/1), 2 (haploid 0), 4 (1/0), 5 (1/1) and 6 (haploid 1).
fn list_formulation(calls: LazyFrame, n: u32, pairs: bool) -> (LazyFrame, LazyFrame) {
    let codes = calls
        .select([
            col("variant_index"),
            (col("gt_allele_1") * lit(4i8)
                + col("gt_allele_2")
                    .list()
                    .eval(element().fill_null(lit(2i8))))
            .alias("code"),
        ])
        .cache();
    let count = |k: i8| {
        col("code")
            .list()
            .count_matches(lit(k))
            .cast(DataType::Int64)
    };
    let per_variant = codes
        .clone()
        .select([
            col("variant_index"),
            count(0).alias("c00"),
            count(1).alias("c01"),
            count(2).alias("c0"),
            count(4).alias("c10"),
            count(5).alias("c11"),
            count(6).alias("c1"),
        ])
        .select([
            col("variant_index"),
            (col("c01") + col("c10") + lit(2i64) * col("c11") + col("c1")).alias("AC"),
            (lit(2i64) * (col("c00") + col("c01") + col("c10") + col("c11"))
                + col("c0")
                + col("c1"))
            .alias("AN"),
            (col("c00") + col("c01") + col("c0") + col("c10") + col("c11") + col("c1"))
                .alias("n_called"),
            (col("c01") + col("c10")).alias("n_het"),
            (col("c11") + col("c1")).alias("n_hom_var"),
        ]);
    let code = || col("code");
    let per_call = codes
        .select([col("code")])
        .explode(cols(["code"]), explode_options())
        .with_row_index("row", None)
        .select([(col("row") % lit(n)).alias("sample_index"), col("code")]);
    if pairs {
        // Count each (sample, code) pair, then add up the few pairs per sample.
        let pairs = per_call
            .group_by([col("sample_index"), col("code")])
            .agg([len().cast(DataType::Int64).alias("calls")]);
        let calls_where = |e: Expr| col("calls").filter(e).sum();
        let per_sample = pairs.group_by([col("sample_index")]).agg([
            calls_where(code().gt_eq(lit(0i8)).and(code().neq(lit(3i8)))).alias("n_called"),
            calls_where(code().eq(lit(1i8)).or(code().eq(lit(4i8)))).alias("n_het"),
            calls_where(code().gt_eq(lit(5i8))).alias("n_hom_var"),
        ]);
        return (per_variant, per_sample);
    }
    let per_sample = per_call.group_by([col("sample_index")]).agg([
        (code().gt_eq(lit(0i8)).and(code().neq(lit(3i8))))
            .sum()
            .alias("n_called"),
        (code().eq(lit(1i8)).or(code().eq(lit(4i8))))
            .sum()
            .alias("n_het"),
        code().gt_eq(lit(5i8)).sum().alias("n_hom_var"),
    ]);
    (per_variant, per_sample)
}

/// The explode formulation: one row per call with indicator columns.
fn explode_formulation(calls: LazyFrame, n: u32) -> (LazyFrame, LazyFrame) {
    let (a, b) = (col("a"), col("b"));
    let called = a
        .clone()
        .gt_eq(lit(0i8))
        .and(b.clone().fill_null(lit(0i8)).gt_eq(lit(0i8)));
    let ploidy = lit(2u8) - b.clone().is_null().cast(DataType::UInt8);
    let alternates = a.eq(lit(1i8)).cast(DataType::UInt8)
        + b.eq(lit(1i8)).fill_null(lit(false)).cast(DataType::UInt8);
    let per_call = calls
        .select([
            col("variant_index"),
            col("gt_allele_1").alias("a"),
            col("gt_allele_2").alias("b"),
        ])
        .explode(cols(["a", "b"]), explode_options())
        .with_row_index("row", None)
        .select([
            col("variant_index"),
            (col("row") % lit(n)).alias("sample_index"),
            called.clone().alias("called"),
            (called.clone().cast(DataType::UInt8) * ploidy.clone()).alias("an"),
            (called.clone().cast(DataType::UInt8) * alternates.clone()).alias("ac"),
            called
                .clone()
                .and(alternates.clone().gt(lit(0u8)))
                .and(alternates.clone().lt(ploidy.clone()))
                .alias("het"),
            called.and(alternates.eq(ploidy)).alias("hom_var"),
        ])
        .cache();
    let per_variant = per_call.clone().group_by([col("variant_index")]).agg([
        col("ac").sum().alias("AC"),
        col("an").sum().alias("AN"),
        col("called").sum().alias("n_called"),
        col("het").sum().alias("n_het"),
        col("hom_var").sum().alias("n_hom_var"),
    ]);
    let per_sample = per_call.group_by([col("sample_index")]).agg([
        col("called").sum().alias("n_called"),
        col("het").sum().alias("n_het"),
        col("hom_var").sum().alias("n_hom_var"),
    ]);
    (per_variant, per_sample)
}

/// Plain Rust loops (not polars) over the flattened allele columns, one thread per
/// `POLARS_MAX_THREADS` over row ranges; sums are integers, so the thread count does not
/// change them.
fn plain_counts(calls: &DataFrame, n: usize) -> PolarsResult<(DataFrame, DataFrame)> {
    // Flattened alleles, a haploid call's missing second allele as 2.
    let flat = |name: &str| -> PolarsResult<Int8Chunked> {
        let values = calls
            .column(name)?
            .as_materialized_series()
            .explode(explode_options())?;
        let values = values.i8()?.fill_null_with_values(2)?;
        Ok(values.rechunk().into_owned())
    };
    let (first, second) = (flat("gt_allele_1")?, flat("gt_allele_2")?);
    let (first, second) = (first.cont_slice()?, second.cont_slice()?);
    let rows = calls.height();
    if first.len() != rows * n || second.len() != rows * n {
        polars_bail!(ComputeError: "calls lists are not all {} long (samples.parquet)", n);
    }
    let threads = std::env::var("POLARS_MAX_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .or_else(|| std::thread::available_parallelism().ok().map(|t| t.get()))
        .unwrap_or(1_usize)
        .max(1);
    let chunk = rows.div_ceil(threads).max(1);
    // Per row [AC, AN, n_called, n_het, n_hom_var]; per sample [n_called, n_het, n_hom_var].
    type Part = (Vec<[i64; 5]>, Vec<[i64; 3]>);
    let parts: Vec<Part> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..rows)
            .step_by(chunk)
            .map(|start| {
                let end = (start + chunk).min(rows);
                let (first, second) = (&first[start * n..end * n], &second[start * n..end * n]);
                scope.spawn(move || {
                    let mut per_sample = vec![[0_i64; 3]; n];
                    let per_variant = first
                        .chunks_exact(n)
                        .zip(second.chunks_exact(n))
                        .map(|(a, b)| {
                            let mut v = [0_i64; 5];
                            for ((&a, &b), s) in a.iter().zip(b).zip(per_sample.iter_mut()) {
                                if a < 0 || b < 0 {
                                    continue;
                                }
                                let ploidy = if b == 2 { 1 } else { 2 };
                                let alternates = i64::from(a == 1) + i64::from(b == 1);
                                let het = alternates > 0 && alternates < ploidy;
                                let hom_var = alternates == ploidy;
                                v[0] += alternates;
                                v[1] += ploidy;
                                v[2] += 1;
                                v[3] += i64::from(het);
                                v[4] += i64::from(hom_var);
                                s[0] += 1;
                                s[1] += i64::from(het);
                                s[2] += i64::from(hom_var);
                            }
                            v
                        })
                        .collect();
                    (per_variant, per_sample)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("the counting loop does not panic"))
            .collect()
    });
    let mut per_variant = Vec::with_capacity(rows);
    let mut per_sample = vec![[0_i64; 3]; n];
    for (v, s) in parts {
        per_variant.extend(v);
        for (total, part) in per_sample.iter_mut().zip(s) {
            for (t, p) in total.iter_mut().zip(part) {
                *t += p;
            }
        }
    }
    let column = |name: &str, values: Vec<i64>| Column::new(name.into(), values);
    let variant_counts = DataFrame::new(
        rows,
        std::iter::once(calls.column("variant_index")?.clone())
            .chain(
                VARIANT_COUNTS
                    .iter()
                    .enumerate()
                    .map(|(i, name)| column(name, per_variant.iter().map(|v| v[i]).collect())),
            )
            .collect(),
    )?;
    let sample_counts = DataFrame::new(
        n,
        std::iter::once(Column::new(
            "sample_index".into(),
            (0..n as u32).collect::<Vec<u32>>(),
        ))
        .chain(
            SAMPLE_COUNTS
                .iter()
                .enumerate()
                .map(|(i, name)| column(name, per_sample.iter().map(|s| s[i]).collect())),
        )
        .collect(),
    )?;
    Ok((variant_counts, sample_counts))
}

fn explode_options() -> ExplodeOptions {
    ExplodeOptions {
        empty_as_null: false,
        keep_nulls: true,
    }
}

/// Compares the counts with provar's QC tables; prints what differs.
fn check(
    tables: &Path,
    qc_dir: &Path,
    variant_counts: &DataFrame,
    sample_counts: &DataFrame,
) -> PolarsResult<bool> {
    // Polyploid calls would need gt_alleles_extra, which this program does not read.
    let polyploid = scan(&tables.join("calls.parquet"))?
        .select([col("gt_alleles_extra")
            .explode(explode_options())
            .is_not_null()
            .sum()
            .cast(DataType::UInt64)])
        .collect()?
        .column("gt_alleles_extra")?
        .get(0)?
        .extract::<u64>()
        .unwrap_or(0);
    if polyploid > 0 {
        eprintln!("polars-qc: check: {polyploid} polyploid calls, which this program ignores");
        return Ok(false);
    }
    let variant_columns: Vec<&str> = ["variant_index", "variant_key"]
        .into_iter()
        .chain(VARIANT_COUNTS)
        .collect();
    let sample_columns: Vec<&str> = ["sample_index", "sample_id"]
        .into_iter()
        .chain(SAMPLE_COUNTS)
        .collect();
    let mut equal = true;
    for (ours, name, columns) in [
        (variant_counts, "variant_qc.parquet", variant_columns),
        (sample_counts, "sample_qc.parquet", sample_columns),
    ] {
        // With --only, the other table is empty and not compared.
        if ours.width() > 0 {
            equal &= compare(ours, &qc_dir.join(name), &columns)?;
        }
    }
    Ok(equal)
}

/// Compares `columns` of `ours` with the same columns of provar's table at `path`, both
/// sorted by the first column; prints the number of differing rows per column.
fn compare(ours: &DataFrame, path: &Path, columns: &[&str]) -> PolarsResult<bool> {
    let theirs = scan(path)?
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .sort([columns[0]], Default::default())
        .collect()?;
    let name = path.display();
    if theirs.height() != ours.height() {
        eprintln!(
            "polars-qc: check: {name} has {} rows, polars gives {}",
            theirs.height(),
            ours.height()
        );
        return Ok(false);
    }
    let mut equal = true;
    let mut report = Vec::new();
    for c in columns {
        let normalise = |df: &DataFrame| -> PolarsResult<Series> {
            let s = df.column(c)?.as_materialized_series().clone();
            if s.dtype().is_integer() {
                s.cast(&DataType::Int64)
            } else {
                Ok(s)
            }
        };
        let differs = normalise(ours)?.not_equal_missing(&normalise(&theirs)?)?;
        let n = differs.sum().unwrap_or(0);
        if n > 0 {
            equal = false;
            let first = differs.iter().position(|d| d == Some(true)).unwrap_or(0);
            report.push(format!("{c}: {n} rows differ (first at row {first})"));
        } else {
            report.push(format!("{c} equal"));
        }
    }
    eprintln!(
        "polars-qc: check against {name} ({} rows): {}",
        ours.height(),
        report.join(", ")
    );
    Ok(equal)
}

fn scan(path: &Path) -> PolarsResult<LazyFrame> {
    LazyFrame::scan_parquet(PlRefPath::try_from_path(path)?, ScanArgsParquet::default())
}

fn write(df: &mut DataFrame, path: &Path) -> PolarsResult<()> {
    let file = File::create(path).map_err(|e| io_error(e, path))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)?;
    Ok(())
}

fn io_error(e: std::io::Error, path: &Path) -> PolarsError {
    polars_err!(ComputeError: "{}: {}", path.display(), e)
}

/// A `kB` field of `/proc/self/status` (Linux), such as `VmRSS:` or `VmHWM:`.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Resets the peak resident set size (`VmHWM`) to the current one (Linux 4.0+).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".to_owned(), |k| (k / 1024).to_string())
}
