//! Reader choice for BAM/CRAM: decodes every record of one file with rust-htslib and with
//! provar's noodles path, computes the same per-base depth both ways (skip flags 1796, no
//! mate-overlap correction, deletions not counted), checks they agree, and prints the times.
//!
//! `cargo run --release -p provar-reads --features htslib --example reads_choice -- FILE [REF.fa] [THREADS]`
//! (rust-htslib's build needs libclang: `apt-get install libclang-dev`).

use std::{path::PathBuf, time::Instant};

use rust_htslib::bam::{self, Read as _};

fn htslib_depth(path: &str, reference: Option<&str>, threads: usize, lengths: &[u64]) -> Vec<u64> {
    let mut reader = bam::Reader::from_path(path).expect("open with htslib");
    reader.set_threads(threads).expect("threads");
    if let Some(r) = reference {
        reader.set_reference(r).expect("reference");
        // Decode only what depth needs (what mosdepth asks htslib for).
        let fields = rust_htslib::htslib::sam_fields_SAM_FLAG
            | rust_htslib::htslib::sam_fields_SAM_RNAME
            | rust_htslib::htslib::sam_fields_SAM_POS
            | rust_htslib::htslib::sam_fields_SAM_MAPQ
            | rust_htslib::htslib::sam_fields_SAM_CIGAR;
        reader
            .set_cram_options(
                rust_htslib::htslib::hts_fmt_option_CRAM_OPT_REQUIRED_FIELDS,
                fields,
            )
            .expect("required fields");
    }
    let mut hist = vec![0u64; 1];
    let mut record = bam::Record::new();
    let mut diffs: Vec<Vec<i32>> = lengths.iter().map(|&l| vec![0; l as usize + 1]).collect();
    while let Some(r) = reader.read(&mut record) {
        r.expect("record");
        if record.tid() < 0 || record.flags() & 1796 != 0 {
            continue;
        }
        let diff = &mut diffs[record.tid() as usize];
        let mut pos = record.pos();
        for &c in record.raw_cigar() {
            let (op, len) = (c & 0xf, i64::from(c >> 4));
            match op {
                0 | 7 | 8 => {
                    let (s, e) = (
                        pos.max(0) as usize,
                        ((pos + len) as usize).min(diff.len() - 1),
                    );
                    if s < e {
                        diff[s] += 1;
                        diff[e] -= 1;
                    }
                    pos += len;
                }
                2 | 3 => pos += len,
                _ => {}
            }
        }
    }
    for diff in diffs {
        let mut d = 0i64;
        for x in &diff[..diff.len() - 1] {
            d += i64::from(*x);
            let d = d.max(0) as usize;
            if hist.len() <= d {
                hist.resize(d + 1, 0);
            }
            hist[d] += 1;
        }
    }
    hist
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: reads_choice FILE [REF.fa] [THREADS]");
    let reference = args.get(2).filter(|s| !s.is_empty()).map(String::as_str);
    let threads: usize = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(2);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("pool");
    let files = provar_reads::open_all(&[PathBuf::from(path)], reference.map(std::path::Path::new))
        .expect("open with noodles");
    let lengths: Vec<u64> = files[0].contigs().iter().map(|(_, l)| *l).collect();
    let options = provar_reads::CoverageOptions {
        window: 0,
        mate_overlap_once: false,
        ..provar_reads::CoverageOptions::default()
    };
    let mut best = [f64::MAX; 2];
    let mut results = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let t = Instant::now();
        results.0 = htslib_depth(path, reference, threads, &lengths);
        best[0] = best[0].min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let cov = provar_reads::coverage::compute(&files, &options, &[]).expect("noodles");
        results.1 = cov[0].genome.counts.clone();
        best[1] = best[1].min(t.elapsed().as_secs_f64());
    }
    assert_eq!(results.0, results.1, "the two readers disagree on depth");
    let bases: u64 = results
        .0
        .iter()
        .enumerate()
        .map(|(d, n)| d as u64 * n)
        .sum();
    println!("{path}: depth histograms agree ({bases} bases); best of 3 with {threads} threads:");
    println!(
        "  rust-htslib (one reader, {threads} decompression threads): {:.3} s",
        best[0]
    );
    // With this feature on, provar-reads itself decodes CRAM through htslib; BAM through noodles.
    let provar_reader = if path.ends_with(".cram") {
        "htslib via provar-reads"
    } else {
        "noodles"
    };
    println!(
        "  provar-reads ({provar_reader}, chunks in parallel): {:.3} s",
        best[1]
    );
    println!("  provar-reads / plain htslib: {:.2}", best[1] / best[0]);
}
