//! provar's benchmark support: the cohort simulator behind `provar-simulate`, a parallel BGZF
//! writer and a tabix index builder. The peer comparison harness is `benches/compare`; the
//! criterion micro-benchmarks are in `benches/benches/`.
//!
//! ```no_run
//! let config = provar_benches::simulate::Config::new(500, 10_000, 42);
//! let summary = provar_benches::simulate::write(&config, "cohort.vcf.gz".as_ref(), true)?;
//! eprintln!("{} records", summary.records);
//! # Ok::<_, std::io::Error>(())
//! ```

pub mod bgzf;
pub mod simulate;
pub mod tabix;
