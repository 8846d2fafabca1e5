//! `provar annotate` splitting consequence annotations a VCF already carries (issue 4):
//! VEP's INFO/CSQ equals `bcftools +split-vep -d -A tab` sub-field by sub-field, and the
//! `is_worst` entry equals `bcftools +split-vep -s worst` (fixtures and commands in
//! `testdata/expected/regenerate.sh`); bcftools/csq's INFO/BCSQ is checked by hand.

mod common;

use std::path::Path;

use common::{assert_ok, provar, stderr};
use provar_io::arrow_array::{
    Array, BooleanArray, MapArray, RecordBatch, StringArray, UInt32Array, UInt8Array,
};
use provar_testkit::{testdata, Tsv};

/// One row of `consequences`: key, tag, entry, consequence, worst term, severity, is_worst,
/// feature, gene name, and the sub-fields (name, value) in header order.
#[derive(Debug)]
struct Row {
    key: String,
    tag: String,
    entry: u32,
    consequence: Option<String>,
    severity: Option<u8>,
    is_worst: bool,
    feature: Option<String>,
    gene_name: Option<String>,
    fields: Vec<(String, Option<String>)>,
}

fn col<'a, T: 'static>(b: &'a RecordBatch, name: &str) -> &'a T {
    b.column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .unwrap_or_else(|| panic!("column {name}"))
}

fn rows(dir: &Path) -> Vec<Row> {
    let (schema, batches) = provar_io::table::read_any(dir, "consequences")
        .expect("readable")
        .expect("consequences.parquet exists");
    assert_eq!(schema, "consequences/1");
    let mut out = Vec::new();
    for b in &batches {
        let s = |name| col::<StringArray>(b, name);
        let opt = |a: &StringArray, i: usize| (!a.is_null(i)).then(|| a.value(i).to_owned());
        let (key, tag, consequence, feature, gene) = (
            s("variant_key"),
            s("tag"),
            s("consequence"),
            s("feature"),
            s("gene_name"),
        );
        let entry = col::<UInt32Array>(b, "entry");
        let severity = col::<UInt8Array>(b, "severity");
        let worst = col::<BooleanArray>(b, "is_worst");
        let fields = col::<MapArray>(b, "fields");
        for i in 0..b.num_rows() {
            let m = fields.value(i);
            let names = m
                .column(0)
                .as_any()
                .downcast_ref::<StringArray>()
                .expect("keys");
            let values = m
                .column(1)
                .as_any()
                .downcast_ref::<StringArray>()
                .expect("values");
            out.push(Row {
                key: key.value(i).to_owned(),
                tag: tag.value(i).to_owned(),
                entry: entry.value(i),
                consequence: opt(consequence, i),
                severity: (!severity.is_null(i)).then(|| severity.value(i)),
                is_worst: worst.value(i),
                feature: opt(feature, i),
                gene_name: opt(gene, i),
                fields: (0..names.len())
                    .map(|j| (names.value(j).to_owned(), opt(values, j)))
                    .collect(),
            });
        }
    }
    out
}

fn ingest_and_annotate(vcf: &str, out: &Path) -> Vec<Row> {
    common::ingest_testdata(vcf, out);
    assert_ok(&provar([
        "annotate".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    rows(out)
}

/// `contig:position:ref:alt` of a fixture row.
fn key(f: &Tsv, row: &[String]) -> String {
    ["contig", "position", "reference", "alternate"]
        .map(|c| f.get(row, c).to_owned())
        .join(":")
}

#[test]
fn vep_csq_equals_split_vep() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ours = ingest_and_annotate("family/test.mendel.vcf.gz", dir.path());
    let expected = Tsv::read("expected/test.mendel.split-vep.tsv");
    assert_eq!(
        ours.len(),
        expected.rows.len(),
        "one row per CSQ entry (116)"
    );
    assert_eq!(ours.len(), 116);
    let names = &expected.header[4..];
    for (row, want) in ours.iter().zip(&expected.rows) {
        assert_eq!(row.tag, "CSQ");
        assert_eq!(row.key, key(&expected, want));
        let ours_names: Vec<&str> = row.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(ours_names, names, "sub-field names from the header Format");
        for (i, name) in names.iter().enumerate() {
            let theirs = expected.get(want, name);
            let mine = row.fields[i].1.as_deref().unwrap_or(".");
            assert_eq!(mine, theirs, "{} entry {} {name}", row.key, row.entry);
        }
        assert_eq!(
            row.consequence.as_deref(),
            Some(expected.get(want, "Consequence"))
        );
        assert_eq!(row.feature.as_deref(), Some(expected.get(want, "Feature")));
        assert_eq!(row.gene_name.as_deref(), Some(expected.get(want, "SYMBOL")));
    }
    // The worst entry of each variant is bcftools +split-vep -s worst's.
    let worst = Tsv::read("expected/test.mendel.split-vep-worst.tsv");
    let ours_worst: Vec<&Row> = ours.iter().filter(|r| r.is_worst).collect();
    assert_eq!(
        ours_worst.len(),
        worst.rows.len(),
        "one worst entry per variant (22)"
    );
    for (row, want) in ours_worst.iter().zip(&worst.rows) {
        assert_eq!(row.key, key(&worst, want));
        assert_eq!(
            row.consequence.as_deref(),
            Some(worst.get(want, "Consequence")),
            "{}",
            row.key
        );
        assert_eq!(
            row.feature.as_deref(),
            Some(worst.get(want, "Feature")),
            "{}",
            row.key
        );
    }
    // X:10671 G>C: its nine entries are upstream_gene_variant or downstream_gene_variant,
    // both on line 5 of the scale: the first of the tie (entry 1, ENST00000456328) is the
    // worst, as in split-vep.
    let first: Vec<&Row> = ours.iter().filter(|r| r.key == "X:10671:G:C").collect();
    assert_eq!(first.len(), 9);
    assert_eq!(
        first.iter().map(|r| r.severity).collect::<Vec<_>>(),
        [Some(5); 9]
    );
    let worst_entries: Vec<u32> = first
        .iter()
        .filter(|r| r.is_worst)
        .map(|r| r.entry)
        .collect();
    assert_eq!(worst_entries, [1]);
    assert_eq!(first[0].feature.as_deref(), Some("ENST00000456328"));
}

#[test]
fn bcftools_csq_bcsq_by_hand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ours = ingest_and_annotate("family/with-bcsq.vcf", dir.path());
    // testdata/family/with-bcsq.vcf: four records; three carry one BCSQ entry (intron,
    // non_coding, intron), 1:155036260 C>T carries five (5_prime_utr of EFNA4 x2 and
    // EFNA3 x3): 8 rows. BCSQ has no allele sub-field: every entry is the record's.
    assert_eq!(ours.len(), 8, "{ours:#?}");
    assert!(ours.iter().all(|r| r.tag == "BCSQ"));
    let first = &ours[0];
    assert_eq!(first.key, "1:15752321:TCTGA:T");
    assert_eq!(first.consequence.as_deref(), Some("intron"));
    assert_eq!(first.gene_name.as_deref(), Some("EFHD2"));
    assert_eq!(first.feature, None, "empty transcript sub-field is null");
    assert_eq!(first.severity, Some(7), "intron: line 7 of the scale");
    assert!(first.is_worst);
    // non_coding: line 6.
    assert_eq!(
        (ours[1].consequence.as_deref(), ours[1].severity),
        (Some("non_coding"), Some(6))
    );
    let utr: Vec<&Row> = ours.iter().filter(|r| r.key == "1:155036260:C:T").collect();
    assert_eq!(utr.len(), 5);
    assert_eq!(
        utr.iter().map(|r| r.entry).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(utr[0].feature.as_deref(), Some("ENST00000368409"));
    assert_eq!(utr.iter().filter(|r| r.is_worst).count(), 1);
    assert!(
        utr[0].is_worst,
        "equal severities (line 9): the first entry"
    );
    let names: Vec<&str> = utr[0].fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "consequence",
            "gene",
            "transcript",
            "biotype",
            "strand",
            "amino_acid_change",
            "dna_change"
        ]
    );
}

#[test]
fn nothing_to_annotate_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("o");
    assert_ok(&provar([
        "ingest".as_ref(),
        testdata("cohort/sample.vcf.gz").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]));
    let before: Vec<_> = std::fs::read_dir(&out).expect("dir").collect();
    let run = provar(["annotate".as_ref(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(run.status.code(), Some(2));
    let message = stderr(&run);
    assert!(message.contains("nothing to annotate"), "{message}");
    assert!(message.contains("info.parquet"), "{message}");
    assert!(message.contains("hint:"), "{message}");
    let after: Vec<_> = std::fs::read_dir(&out).expect("dir").collect();
    assert_eq!(before.len(), after.len(), "nothing written");
}

/// `provar run` splits the consequences a VCF carries (here the GIAB trio's bcftools BCSQ)
/// with no flag: the same rows as `provar annotate`, recorded in the ledger.
#[test]
fn run_splits_the_consequences_the_vcf_carries() {
    let by_hand = tempfile::tempdir().expect("tempdir");
    let expected = ingest_and_annotate("trio/ashk-trio.vcf.gz", by_hand.path());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let output = provar([
        "run".as_ref(),
        "--vcf".as_ref(),
        testdata("trio/ashk-trio.vcf.gz").as_os_str(),
        "--ped".as_ref(),
        testdata("trio/ashk-trio.ped").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_ok(&output);
    assert!(stderr(&output).contains("annotate: consequences from BCSQ"));
    assert_eq!(format!("{:?}", rows(&out)), format!("{expected:?}"));
    let lineage = provar([
        "ledger".as_ref(),
        "lineage".as_ref(),
        out.join("consequences.parquet").as_os_str(),
        "--ledger".as_ref(),
        out.join("ledger").as_os_str(),
    ]);
    assert_ok(&lineage);
    assert!(
        String::from_utf8_lossy(&lineage.stdout).contains("annotate"),
        "{}",
        String::from_utf8_lossy(&lineage.stdout)
    );
}
