//! PED parsing and pedigree-implied relatedness on the real PED files of slivar, peddy and
//! Hail (vendored in testdata/family, origins in its README).

use std::path::PathBuf;

use provar_core::pedigree::{Pedigree, Phenotype, Sex};

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(name)
}

fn read(name: &str) -> Pedigree {
    let text = std::fs::read_to_string(testdata(name)).expect("PED file");
    Pedigree::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// peddy's test_peddy.py expectations (testdata/family/peddy_relatedness_expected.tsv) for
/// the two PED files, including the uncle whose grandfather is missing from the PED.
#[test]
fn relatedness_equals_peddys_expectations() {
    let text = std::fs::read_to_string(testdata("family/peddy_relatedness_expected.tsv"))
        .expect("expectations");
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let Some(file) = f[0].strip_prefix("../peddy_peds/") else {
            continue;
        };
        let ped = read(&format!("family/{file}"));
        let expected: f64 = f[3].parse().expect("number");
        assert_eq!(ped.relatedness(f[1], f[2]), Some(expected), "{line}");
        checked += 1;
    }
    assert_eq!(checked, 6);
    // The in-code pedigree of the same test: kid1 and kid2 share a father the family does
    // not list (full siblings), gma is their mother's mother.
    let ped = Pedigree::parse(
        "X28935\tkid1\tdad\tmom\t1\t2\nX28935\tkid2\tdad\tmom\t2\t1\n\
         X28935\tmom\t0\tgma\t2\t1\nX28935\tgma\t0\t0\t2\t1\n",
    )
    .expect("parses");
    assert_eq!(ped.relatedness("kid1", "kid2"), Some(0.5));
    assert_eq!(ped.relatedness("gma", "kid2"), Some(0.25));
    assert_eq!(ped.relatedness("gma", "kid1"), Some(0.25));
    assert_eq!(ped.relatedness("gma", "mom"), Some(0.5));
    assert_eq!(ped.unlisted_parents(), [(1, "dad"), (2, "dad")]);
}

#[test]
fn edge_cases_of_real_ped_files() {
    // Empty parent fields (tab-separated).
    let ped = read("family/comphet-test-case.ped");
    let sid1 = ped.get("SID_1").expect("SID_1");
    assert_eq!(
        (sid1.father.as_deref(), sid1.mother.as_deref()),
        (None, None)
    );
    assert_eq!(sid1.sex, Sex::Female);
    assert_eq!(ped.trios().len(), 2);
    assert_eq!(ped.children("SID_1").len(), 2);
    // A header line, words for sex and phenotype, extra columns.
    let ped = read("family/bug.ped");
    let kid = ped.get("14211109415").expect("proband");
    assert_eq!((kid.sex, kid.phenotype), (Sex::Female, Phenotype::Affected));
    assert_eq!(ped.trios().len(), 1);
    // Parents named but not defined ("missing_dad"), -9 parents.
    let ped = read("family/testa.ped");
    assert_eq!(ped.individuals().len(), 6);
    assert!(ped
        .unlisted_parents()
        .iter()
        .any(|(_, p)| *p == "missing_dad"));
    assert_eq!(ped.trios().len(), 2);
    // Multi-generation CEPH pedigree, 603 individuals.
    let ped = read("family/ceph.ped");
    assert_eq!(ped.individuals().len(), 603);
    // Space-separated FAM with phenotype 0 and a missing mother.
    let ped = read("family/mendel.fam");
    assert_eq!(ped.trios().len(), 3);
    assert_eq!(ped.get("Son3").expect("Son3").mother, None);
    assert_eq!(ped.get("Dad1").expect("Dad1").phenotype, Phenotype::Missing);
    // Unknown grandmother and a cousin branch.
    let ped = read("family/test-unknown-gma.ped");
    assert_eq!(ped.relatedness("kid1", "kid2"), Some(0.5));
    // kid1's parent "mom" and cousin1's mother "aunt" are siblings: first cousins.
    assert_eq!(ped.relatedness("kid1", "cousin1"), Some(0.125));
    // peddy's a.ped has a mother listed as her own mother: an error naming the line.
    let text = std::fs::read_to_string(testdata("family/a.ped")).expect("a.ped");
    let error = Pedigree::parse(&text).expect_err("mom_4 is her own mother");
    assert_eq!(error.line, 13);
    assert_eq!(error.reason, "individual mom_4 is its own parent");
}
