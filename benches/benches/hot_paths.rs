//! Criterion micro-benchmarks of provar's hot paths: VCF record parsing, genotype parsing,
//! QC accumulation, BLAKE3 artifact hashing, ledger append and Merkle proofs.
//!
//! Run with `cargo bench -p provar-benches` (all) or `cargo bench -p provar-benches -- parse`
//! (a filter). Inputs come from the cohort simulator, so they look like a real cohort.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::{hint::black_box, time::SystemTime};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use provar_benches::simulate::{self, Config};
use provar_core::Genotype;
use provar_io::vcf::{record::Layout, Record};

/// `Record::parse` on simulated lines of 100 and 2,000 samples (mostly rare variants, so
/// mostly `0/0` calls, as in a real cohort).
fn record_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("vcf_record_parse");
    for samples in [100usize, 2_000] {
        let config = Config::new(samples, 64, 42);
        let lines = simulate::record_lines(&config, 0..64);
        let layout = Layout::new((0..samples).map(simulate::sample_name).collect());
        let bytes: usize = lines.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_with_input(BenchmarkId::new("samples", samples), &lines, |b, lines| {
            b.iter(|| {
                for line in lines {
                    black_box(Record::parse(black_box(line), &layout).expect("valid line"));
                }
            });
        });
    }
    group.finish();
}

/// `Genotype` parsing of the GT strings of a cohort.
fn genotype_parse(c: &mut Criterion) {
    let gts: Vec<&str> = ["0/0"; 90]
        .into_iter()
        .chain(["0/1"; 6])
        .chain(["1/1", "./.", "0|1", "1/2"])
        .collect();
    let mut group = c.benchmark_group("genotype_parse");
    group.throughput(Throughput::Elements(gts.len() as u64));
    group.bench_function("mixed_100", |b| {
        b.iter(|| {
            for gt in &gts {
                black_box(black_box(*gt).parse::<Genotype>().expect("valid GT"));
            }
        });
    });
    group.finish();
}

/// BLAKE3 of 64 MiB: in memory (one thread) and as a file through provar-ledger's
/// `hash_file` (memory-mapped, rayon above 1 MiB).
fn blake3_hash(c: &mut Criterion) {
    const SIZE: usize = 64 << 20;
    let data: Vec<u8> = (0..SIZE as u64)
        .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8)
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("artifact.bin");
    std::fs::write(&path, &data).expect("write");
    let mut group = c.benchmark_group("blake3_64MiB");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(20);
    group.bench_function("hash_bytes", |b| {
        b.iter(|| black_box(provar_ledger::hash_bytes(black_box(&data))));
    });
    group.bench_function("hash_file", |b| {
        b.iter(|| black_box(provar_ledger::hash_file(&path).expect("hash")));
    });
    group.finish();
}

/// QC accumulation: `provar qc` (Hail's variant_qc and sample_qc, integer counters per
/// variant and sample) over the ingest tables of a simulated 500-sample x 2,000-variant
/// cohort; throughput in variants.
fn qc_accumulate(c: &mut Criterion) {
    const SAMPLES: usize = 500;
    const VARIANTS: usize = 2_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let vcf = dir.path().join("cohort.vcf.gz");
    simulate::write(&Config::new(SAMPLES, VARIANTS, 42), &vcf, false).expect("simulate");
    let tables = dir.path().join("tables");
    std::fs::create_dir(&tables).expect("mkdir");
    let ingested =
        provar_ingest::run(&provar_ingest::IngestConfig::new(&vcf, &tables)).expect("ingest");
    provar_io::table::commit_all(ingested.tables).expect("commit");
    let mut group = c.benchmark_group("qc_accumulate");
    group.sample_size(20);
    group.throughput(Throughput::Elements(VARIANTS as u64));
    group.bench_function("500_samples_x_2000_variants", |b| {
        b.iter(|| {
            let out = tempfile::tempdir().expect("tempdir");
            let qc = provar_qc::run(&provar_qc::QcConfig::new(&tables, out.path())).expect("qc");
            black_box(qc.samples.len());
            drop(qc);
        });
    });
    group.finish();
}

/// One ledger append: hashes a small input and output, chains and writes the record.
fn ledger_append(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("input.vcf");
    let output = dir.path().join("variants.parquet");
    std::fs::write(&input, vec![b'A'; 64 << 10]).expect("write");
    std::fs::write(&output, vec![b'B'; 64 << 10]).expect("write");
    let ledger = provar_ledger::Ledger::open(dir.path().join("ledger")).expect("ledger");
    let now = SystemTime::now();
    let runtime = provar_ledger::Runtime {
        started_at: now,
        finished_at: now,
        threads: 2,
    };
    c.bench_function("ledger_append", |b| {
        b.iter(|| {
            let record = provar_ledger::NewRecord::new("ingest", "0.1.0", runtime)
                .parameter("chunk_size", 4096)
                .input(&input)
                .output(&output);
            black_box(ledger.append(record).expect("append"));
        });
    });
}

/// The RFC 6962 Merkle log over 100,000 records: the root from scratch, and an inclusion and a
/// consistency proof made and checked (what `ledger prove` / `check-proof` do per call).
fn merkle(c: &mut Criterion) {
    use provar_ledger::merkle;
    const N: u64 = 100_000;
    let leaves: Vec<merkle::Hash> = (0..N)
        .map(|i| merkle::leaf_hash(format!("{{\"seq\":{i}}}").as_bytes()))
        .collect();
    let root = merkle::root(&leaves);
    let mut group = c.benchmark_group("merkle_100k");
    group.sample_size(20);
    group.throughput(Throughput::Elements(N));
    group.bench_function("root", |b| {
        b.iter(|| black_box(merkle::root(black_box(&leaves))))
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("inclusion_prove_and_verify", |b| {
        b.iter(|| {
            let index = black_box(61_803);
            let proof = merkle::inclusion_proof(&leaves, index).expect("in range");
            merkle::verify_inclusion(index, N, &leaves[index as usize], &proof, &root)
                .expect("valid proof");
        });
    });
    let old = 77_777;
    let old_root = merkle::root(&leaves[..old]);
    group.bench_function("consistency_prove_and_verify", |b| {
        b.iter(|| {
            let proof = merkle::consistency_proof(&leaves, old as u64).expect("in range");
            merkle::verify_consistency(old as u64, N, &proof, &old_root, &root)
                .expect("consistent");
        });
    });
    group.finish();
}

criterion_group!(
    benches,
    record_parse,
    genotype_parse,
    qc_accumulate,
    blake3_hash,
    ledger_append,
    merkle
);
criterion_main!(benches);
