//! Normalisation against a FASTA gives the same bytes whatever the chunk size: rows that
//! move left are re-sorted record by record, not chunk by chunk.

use provar_testkit::testdata;

/// The committed tables' bytes, by file name.
fn ingest(chunk_size: usize) -> Vec<(String, Vec<u8>)> {
    let out = tempfile::tempdir().expect("tempdir");
    let config = provar_ingest::IngestConfig {
        chunk_size,
        fasta: Some(testdata("reads/mpileup.ref.fa")),
        ..provar_ingest::IngestConfig::new(testdata("normalize/left-align.vcf"), out.path())
    };
    let ingested = provar_ingest::run(&config).expect("ingests");
    assert_eq!(ingested.summary.variants, 26);
    assert_eq!(ingested.summary.normalized, 18);
    let paths = provar_io::table::commit_all(ingested.tables).expect("commits");
    let mut files: Vec<(String, Vec<u8>)> = paths
        .iter()
        .map(|p| {
            (
                p.file_name()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(p).expect("reads"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn normalised_tables_do_not_depend_on_the_chunk_size() {
    let whole = ingest(4096);
    assert!(whole.iter().any(|(name, _)| name == "variants.parquet"));
    for chunk_size in [1, 2, 5] {
        assert!(ingest(chunk_size) == whole, "chunk size {chunk_size}");
    }
}
