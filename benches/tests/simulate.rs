//! The simulator's output is valid for provar's own reader, and deterministic.

#![allow(clippy::unwrap_used)]

use provar_benches::simulate::{self, Config};
use provar_io::vcf::{Reader, Record};

fn simulate_into(dir: &std::path::Path, name: &str, threads: usize) -> std::path::PathBuf {
    let path = dir.join(name);
    let config = Config::new(40, 600, 7);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool");
    pool.install(|| simulate::write(&config, &path, true))
        .expect("simulated");
    path
}

#[test]
fn simulated_cohort_parses_with_provar_io() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = simulate_into(dir.path(), "cohort.vcf.gz", 2);
    let mut reader = Reader::open(&path, 1).expect("opens");
    let header = reader.read_header().expect("header");
    assert_eq!(header.sample_names().len(), 40);
    assert_eq!(header.sample_names()[0], "SIM000001");
    let mut line = String::new();
    let (mut records, mut multiallelic, mut indels, mut missing, mut non_ref) = (0, 0, 0, 0, 0);
    let mut last = (0u32, 0u64);
    while let Some(number) = reader.read_line(&mut line).expect("reads") {
        let record = Record::parse(&line, &header.layout)
            .map_err(|e| format!("line {number}: {e}"))
            .expect("parses");
        records += 1;
        // Sorted by contig, then position.
        let key = (
            record.contig.parse::<u32>().expect("numeric contig"),
            record.position.get(),
        );
        assert!(key > last, "unsorted at line {number}");
        last = key;
        if record.alternate_bases.len() > 1 {
            multiallelic += 1;
        }
        if record
            .alternate_bases
            .iter()
            .any(|a| a.len() != record.reference_bases.len())
        {
            indels += 1;
        }
        for call in &record.calls {
            let genotype = call.genotype.clone().expect("GT present");
            if !genotype.is_called() {
                missing += 1;
            } else if genotype.alleles().iter().any(|a| *a != Some(0)) {
                non_ref += 1;
                assert!(call.read_depth.is_some() && call.genotype_quality.is_some());
            }
        }
    }
    assert_eq!(records, 600);
    assert!(multiallelic > 10, "{multiallelic} tri-allelic records");
    assert!(indels > 30, "{indels} indel records");
    assert!(missing > 50, "{missing} missing calls");
    assert!(non_ref > 1000, "{non_ref} non-reference calls");

    let tbi = std::fs::read(dir.path().join("cohort.vcf.gz.tbi")).expect("index written");
    assert_eq!(&tbi[..4], &[0x1f, 0x8b, 0x08, 0x04], "a BGZF file");
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = simulate_into(dir.path(), "one.vcf.gz", 1);
    let two = simulate_into(dir.path(), "two.vcf.gz", 2);
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    let index = |p: &std::path::Path| std::fs::read(format!("{}.tbi", p.display())).unwrap();
    assert_eq!(index(&one), index(&two));
}
