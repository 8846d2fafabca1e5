//! Coverage equals `samtools depth -a -s` summed per window and mosdepth's window means and
//! summary (fixtures made by `testdata/reads/regenerate.sh`), for BAM and CRAM input.

use std::path::PathBuf;

use provar_reads::{coverage, CoverageOptions};
use provar_testkit::{testdata, Tsv};

fn compute(ext: &str, options: &CoverageOptions) -> Vec<coverage::SampleCoverage> {
    let paths: Vec<PathBuf> = (1..=3)
        .map(|i| testdata(&format!("reads/mpileup.{i}.{ext}")))
        .collect();
    let files =
        provar_reads::open_all(&paths, Some(&testdata("reads/mpileup.ref.fa"))).expect("open");
    coverage::compute(&files, options, &[]).expect("coverage")
}

#[test]
fn windows_equal_samtools_depth_and_mosdepth() {
    let options = CoverageOptions {
        window: 500,
        ..CoverageOptions::default()
    };
    let samtools = Tsv::read("reads/samtools_depth_windows.tsv");
    let mosdepth = Tsv::read("reads/mosdepth_windows.tsv");
    for ext in ["bam", "cram"] {
        let cov = compute(ext, &options);
        let mut compared = 0;
        for (i, sample) in cov.iter().enumerate() {
            let file = format!("mpileup.{}.bam", i + 1);
            let expected: Vec<&Vec<String>> = samtools
                .rows
                .iter()
                .filter(|r| samtools.get(r, "file") == file)
                .collect();
            assert_eq!(sample.windows.len(), expected.len(), "{file}");
            for ((contig, start, end, sum), row) in sample.windows.iter().zip(&expected) {
                assert_eq!(contig, samtools.get(row, "contig"));
                assert_eq!((start + 1).to_string(), samtools.get(row, "start"));
                assert_eq!(end.to_string(), samtools.get(row, "end"));
                assert_eq!(
                    sum.to_string(),
                    samtools.get(row, "depth_sum"),
                    "{file} {start}"
                );
                compared += 1;
            }
            for row in mosdepth
                .rows
                .iter()
                .filter(|r| mosdepth.get(r, "file") == file)
            {
                let end: u64 = mosdepth.get(row, "end").parse().expect("end");
                let mean = if mosdepth.get(row, "contig") == "total" {
                    sample.genome.bases() as f64 / sample.genome.length() as f64
                } else {
                    let start: u64 = mosdepth.get(row, "start").parse().expect("start");
                    let w = sample
                        .windows
                        .iter()
                        .find(|w| w.1 + 1 == start)
                        .expect("window");
                    w.3 as f64 / (end - w.1) as f64
                };
                // mosdepth prints two decimals of a float32 mean: equal within that rounding.
                let printed: f64 = mosdepth.get(row, "mean").parse().expect("mean");
                assert!(
                    (mean - printed).abs() <= 0.005 + 1e-9,
                    "{file} {row:?}: {mean}"
                );
            }
        }
        assert_eq!(compared, 27, "{ext}");
    }
}

#[test]
fn deletions_and_mate_overlaps_change_depth_as_documented() {
    let base = CoverageOptions {
        window: 500,
        ..CoverageOptions::default()
    };
    let plain = compute("bam", &base);
    let with_overlaps = compute(
        "bam",
        &CoverageOptions {
            mate_overlap_once: false,
            ..base.clone()
        },
    );
    let with_deletions = compute(
        "bam",
        &CoverageOptions {
            count_deletions: true,
            ..base
        },
    );
    for i in 0..3 {
        assert!(with_overlaps[i].genome.bases() >= plain[i].genome.bases());
        assert!(with_deletions[i].genome.bases() >= plain[i].genome.bases());
    }
    // samtools 1.16.1 on file 2, bases 1-500: `depth -a` sums to 2552, `depth -a -s` to
    // 2450 (the fixture); and `depth -a -J -s` over the whole file equals `depth -a -s`
    // (21031): no deletion in file 2 is covered by another read's deletion-free bases.
    assert_eq!(with_overlaps[1].windows[0].3, 2552);
    assert_eq!(plain[1].windows[0].3, 2450);
    assert_eq!(plain[1].genome.bases(), 21031);
}
