//! Measures the two VCF readers provar could use on the same file: noodles (BGZF
//! decompression) + provar's strict line parser, which `provar ingest` uses, against
//! rust-htslib's record decoder. Both decode every genotype and count alternate alleles, so
//! they do the same work and must agree.
//!
//! ```sh
//! apt-get install libclang-dev   # rust-htslib's build needs it
//! cargo run --release -p provar-io --features htslib --example reader_choice -- FILE.vcf.gz [THREADS]
//! ```

use std::{path::Path, time::Instant};

use provar_io::vcf::{Reader, Record};
use rust_htslib::bcf::{self, record::GenotypeAllele, Read as _};

/// (records, called alternate alleles) through noodles + provar's parser.
fn with_noodles(path: &Path, threads: usize) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let mut reader = Reader::open(path, threads)?;
    let header = reader.read_header()?;
    let (mut records, mut alternates) = (0u64, 0u64);
    let mut line = String::new();
    while let Some(number) = reader.read_line(&mut line)? {
        let record =
            Record::parse(&line, &header.layout).map_err(|e| reader.invalid_record(number, e))?;
        records += 1;
        for call in &record.calls {
            if let Some(gt) = &call.genotype {
                alternates += gt.alleles().iter().flatten().filter(|a| **a > 0).count() as u64;
            }
        }
    }
    Ok((records, alternates))
}

/// The same with lines parsed in parallel chunks of 4,096 on the rayon pool, as
/// `provar ingest` does.
fn with_noodles_parallel(
    path: &Path,
    threads: usize,
) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    use rayon::prelude::*;
    let mut reader = Reader::open(path, threads)?;
    let header = reader.read_header()?;
    let (mut records, mut alternates) = (0u64, 0u64);
    let mut chunk: Vec<String> = Vec::with_capacity(4096);
    let mut line = String::new();
    loop {
        let more = reader.read_line(&mut line)?.is_some();
        if more {
            chunk.push(std::mem::take(&mut line));
        }
        if chunk.len() == 4096 || (!more && !chunk.is_empty()) {
            let counts: Vec<Result<u64, _>> = chunk
                .par_iter()
                .map(|l| {
                    Record::parse(l, &header.layout).map(|r| {
                        r.calls
                            .iter()
                            .filter_map(|c| c.genotype.as_ref())
                            .map(|g| {
                                g.alleles().iter().flatten().filter(|a| **a > 0).count() as u64
                            })
                            .sum::<u64>()
                    })
                })
                .collect();
            for c in counts {
                alternates += c?;
                records += 1;
            }
            chunk.clear();
        }
        if !more {
            break;
        }
    }
    Ok((records, alternates))
}

/// The same through rust-htslib.
fn with_htslib(path: &Path, threads: usize) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let mut reader = bcf::Reader::from_path(path)?;
    if threads > 1 {
        reader.set_threads(threads)?;
    }
    let n_samples = reader.header().sample_count() as usize;
    let (mut records, mut alternates) = (0u64, 0u64);
    let mut record = reader.empty_record();
    while let Some(result) = reader.read(&mut record) {
        result?;
        records += 1;
        let genotypes = record.genotypes()?;
        for s in 0..n_samples {
            for allele in genotypes.get(s).iter() {
                if let GenotypeAllele::Unphased(i) | GenotypeAllele::Phased(i) = allele {
                    alternates += u64::from(*i > 0);
                }
            }
        }
    }
    Ok((records, alternates))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: reader_choice FILE [THREADS]")?;
    let threads: usize = args.next().map(|t| t.parse()).transpose()?.unwrap_or(2);
    let path = Path::new(&path);
    let size = std::fs::metadata(path)?.len();
    println!(
        "file: {} ({size} bytes), threads: {threads}",
        path.display()
    );
    println!("| reader | run | seconds | records | alternate alleles |");
    println!("|---|---|---|---|---|");
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;
    let mut best = [f64::MAX; 3];
    let mut results = [(0, 0); 3];
    for run in 1..=2 {
        for (i, (name, f)) in [
            (
                "noodles + provar parser, sequential",
                with_noodles as fn(&Path, usize) -> _,
            ),
            ("rust-htslib", with_htslib),
            (
                "noodles + provar parser, parallel chunks (as ingest)",
                with_noodles_parallel,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let start = Instant::now();
            let result = f(path, threads)?;
            let seconds = start.elapsed().as_secs_f64();
            best[i] = best[i].min(seconds);
            results[i] = result;
            println!(
                "| {name} | {run} | {seconds:.3} | {} | {} |",
                result.0, result.1
            );
        }
    }
    if results[0] != results[1] || results[0] != results[2] {
        return Err(format!("the readers disagree: {results:?}").into());
    }
    println!(
        "best: noodles sequential {:.3} s, htslib {:.3} s, noodles parallel {:.3} s; ratios to htslib {:.2} and {:.2}",
        best[0],
        best[1],
        best[2],
        best[0] / best[1],
        best[2] / best[1]
    );
    Ok(())
}
