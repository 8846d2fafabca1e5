//! Reading de novo tables: the first 2,000 rows of the published Kaplanis et al. 2020
//! table and denovonear's example (testdata/denovo).

use std::path::PathBuf;

use provar_denovo::{read_de_novos, Class};

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/denovo")
        .join(name)
}

/// Class counts equal an awk count of the same rows (command in testdata/denovo/README.md):
/// indel 199, missense 1235, lof 157, other 409.
#[test]
fn kaplanis_rows_are_classified_like_denovonear() {
    let rows = read_de_novos(&testdata("kaplanis2020_first2000.txt.gz")).expect("reads");
    assert_eq!(rows.len(), 2000);
    let count = |c: Option<Class>| rows.iter().filter(|r| r.class == c).count();
    assert_eq!(count(Some(Class::Missense)), 1235);
    assert_eq!(count(Some(Class::Lof)), 157);
    assert_eq!(count(None), 199 + 409);
    assert!(rows.iter().all(|r| !r.gene.is_empty() && r.position > 0));
}

#[test]
fn denovonears_example_table() {
    let rows = read_de_novos(&testdata("example.grch38.dnms.txt")).expect("reads");
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0].gene, "OR4F5");
    assert_eq!((rows[0].contig.as_str(), rows[0].position), ("chr1", 69500));
    assert!(rows.iter().all(|r| r.class == Some(Class::Missense)));
}

#[test]
fn a_bad_position_names_the_line() {
    let dir = std::env::temp_dir().join(format!("provar-denovo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("bad.txt");
    std::fs::write(
        &path,
        "gene_name\tchr\tpos\tconsequence\tsnp_or_indel\nA\t1\t100\tmissense_variant\tDENOVO-SNP\nB\t1\tx12\tmissense_variant\tDENOVO-SNP\n",
    )
    .expect("write");
    let error = read_de_novos(&path).expect_err("bad position");
    assert!(
        error.to_string().contains("line 3") && error.to_string().contains("x12"),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).expect("clean");
}
