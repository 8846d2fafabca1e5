//! `provar annotate` on real data: the Ensembl GRCh38 chr21 GFF3 and the 1000 Genomes
//! HG00096 chr21 VCF that ship with Ensembl VEP's tests (`testdata/annotation/README.md`).
//!
//! Each expected value below is derived, in its comment, from the GFF3 lines it cites
//! (line numbers of the decompressed `testdata/annotation/ensembl_chr21.gff3.gz`).

mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    process::Command,
};

use common::{assert_ok, ints, provar, stderr, strings};
use provar_io::table::Table;
use provar_testkit::testdata;

const GFF3: &str = "annotation/ensembl_chr21.gff3.gz";
const HG00096: &str = "annotation/HG00096_chr21_test.vcf";
const NOT_ORDERED: &str = "annotation/test_not_ordered.vcf";

/// One row of `annotations`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    variant_index: i64,
    variant_key: String,
    gene_id: Option<String>,
    gene_name: Option<String>,
    gene_biotype: Option<String>,
    transcript_id: Option<String>,
    transcript_biotype: Option<String>,
    strand: Option<String>,
    region_class: String,
    worst_region_class: String,
}

fn rows(dir: &Path) -> Vec<Row> {
    let t = Table::Annotations;
    let index = ints(dir, t, "variant_index");
    let s = |name: &str| strings(dir, t, name);
    let (key, gene_id, gene_name, gene_biotype) = (
        s("variant_key"),
        s("gene_id"),
        s("gene_name"),
        s("gene_biotype"),
    );
    let (transcript_id, transcript_biotype, strand) =
        (s("transcript_id"), s("transcript_biotype"), s("strand"));
    let (class, worst) = (s("region_class"), s("worst_region_class"));
    (0..index.len())
        .map(|i| Row {
            variant_index: index[i],
            variant_key: key[i].clone().expect("variant_key is not null"),
            gene_id: gene_id[i].clone(),
            gene_name: gene_name[i].clone(),
            gene_biotype: gene_biotype[i].clone(),
            transcript_id: transcript_id[i].clone(),
            transcript_biotype: transcript_biotype[i].clone(),
            strand: strand[i].clone(),
            region_class: class[i].clone().expect("region_class is not null"),
            worst_region_class: worst[i].clone().expect("worst_region_class is not null"),
        })
        .collect()
}

/// Ingests `vcf` into `out` and annotates it with `genes` plus `extra` flags.
fn ingest_and_annotate(vcf: &str, genes: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    assert_ok(&provar([
        "ingest".as_ref(),
        testdata(vcf).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    let genes = testdata(genes);
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "annotate".as_ref(),
        "--genes".as_ref(),
        genes.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
    provar(args)
}

/// The rows of the variant whose key starts with `prefix` (`21:25734940:`).
fn at<'a>(rows: &'a [Row], prefix: &str) -> Vec<&'a Row> {
    let found: Vec<&Row> = rows
        .iter()
        .filter(|r| r.variant_key.starts_with(prefix))
        .collect();
    assert!(!found.is_empty(), "no row for {prefix}");
    found
}

/// transcript_id -> region_class of one variant's rows.
fn classes(rows: &[&Row]) -> BTreeMap<String, String> {
    rows.iter()
        .map(|r| {
            (
                r.transcript_id.clone().unwrap_or_default(),
                r.region_class.clone(),
            )
        })
        .collect()
}

fn hg00096_rows() -> Vec<Row> {
    let out = tempfile::tempdir().expect("tempdir");
    let output = ingest_and_annotate(HG00096, GFF3, out.path(), &[]);
    assert_ok(&output);
    rows(out.path())
}

#[test]
fn site_in_two_overlapping_genes_on_opposite_strands() {
    let rows = hg00096_rows();
    // 21:25734940 C>G (rs71649640). Seven transcript lines span it:
    //   5864 transcript 25716503-25735027 - ENST00000400099 (ATP5J)
    //   5882 transcript 25724480-25734972 - ENST00000284971 (ATP5J)
    //   5883 transcript 25724480-25735033 - ENST00000457143 (ATP5J)
    //   5884 transcript 25724480-25735639 - ENST00000400090 (ATP5J)
    //   5885 transcript 25724480-25735646 - ENST00000400087 (ATP5J)
    //   5886 transcript 25724480-25735673 - ENST00000400093 (ATP5J)
    //   5937 transcript 25734570-25772460 + ENST00000354828 (GABPA)
    // of two genes: 5865 gene 25716503-25735673 - ENSG00000154723 Name=ATP5J and
    // 5936 gene 25734570-25772460 + ENSG00000154727 Name=GABPA, both protein_coding.
    let site = at(&rows, "21:25734940:C:G");
    assert_eq!(site.len(), 7, "{site:#?}");
    let genes: BTreeSet<(String, String, String)> = site
        .iter()
        .map(|r| {
            (
                r.gene_id.clone().unwrap_or_default(),
                r.gene_name.clone().unwrap_or_default(),
                r.strand.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        genes,
        BTreeSet::from([
            ("ENSG00000154723".into(), "ATP5J".into(), "-".into()),
            ("ENSG00000154727".into(), "GABPA".into(), "+".into()),
        ])
    );
    let c = classes(&site);
    // 5943 CDS 25734939-25734955 Parent=ENST00000457143: the site is coding.
    assert_eq!(c["ENST00000457143"], "CDS");
    // 5941 exon 25734853-25734972 and 5942 five_prime_UTR 25734853-25734972 of
    // ENST00000284971: exonic, above (5' of, on the - strand) its CDS.
    assert_eq!(c["ENST00000284971"], "five_prime_UTR");
    // 5934 exon 25734570-25735070 and 5935 five_prime_UTR 25734570-25735070 of
    // ENST00000354828 (+): the first exon, before the CDS.
    assert_eq!(c["ENST00000354828"], "five_prime_UTR");
    // ENST00000400090's exons next to the site are 5918 exon 25729631-25729801 and
    // 5959 exon 25735487-25735639: it lies in the intron 25729802-25735486, hundreds of
    // bases from either end.
    assert_eq!(c["ENST00000400090"], "intron");
    // Rows are ordered by transcript_id; the worst class of the variant is CDS.
    let ids: Vec<String> = site
        .iter()
        .filter_map(|r| r.transcript_id.clone())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(site.iter().all(|r| r.worst_region_class == "CDS"));
    assert!(site
        .iter()
        .all(|r| r.gene_biotype.as_deref() == Some("protein_coding")));
}

#[test]
fn genes_on_the_forward_and_reverse_strands() {
    let rows = hg00096_rows();
    // + strand: 21:25683895 A>G (rs183692066). 5756 gene 25639272-25717562 + ENSG00000154721
    // Name=JAM2; its transcripts 5755 ENST00000400532 (25639272-25714573), 5757
    // ENST00000480456 (25639272-25717562) and 5760 ENST00000312957 (25639282-25717552) span
    // the site, and each has CDS 25683883-25683948 (lines 5774, 5775, 5772).
    let jam2 = at(&rows, "21:25683895:A:G");
    assert_eq!(
        classes(&jam2),
        BTreeMap::from([
            ("ENST00000312957".into(), "CDS".into()),
            ("ENST00000400532".into(), "CDS".into()),
            ("ENST00000480456".into(), "CDS".into()),
        ])
    );
    for r in &jam2 {
        assert_eq!(r.gene_id.as_deref(), Some("ENSG00000154721"));
        assert_eq!(r.gene_name.as_deref(), Some("JAM2"));
        assert_eq!(r.strand.as_deref(), Some("+"));
        assert_eq!(r.transcript_biotype.as_deref(), Some("protein_coding"));
    }
    // - strand, and a UTR site: 21:25585733 C>T (rs142513484). 5681 gene 25585656-25607517 -
    // ENSG00000154719 Name=MRPL39; 5682 ENST00000307301 and 5683 ENST00000352957 span it.
    // ENST00000307301: 5679 exon 25585656-25585754, 5678 three_prime_UTR 25585656-25585750
    //   (its CDS ends above; on the - strand the low end is the 3' end) -> three_prime_UTR.
    // ENST00000352957: 5680 exon 25585656-25585754, 5684 CDS 25585707-25585754 -> CDS.
    // The other two MRPL39 transcripts (5698, 5699) start at 25592812: no row.
    let mrpl39 = at(&rows, "21:25585733:C:T");
    assert_eq!(
        classes(&mrpl39),
        BTreeMap::from([
            ("ENST00000307301".into(), "three_prime_UTR".into()),
            ("ENST00000352957".into(), "CDS".into()),
        ])
    );
    for r in &mrpl39 {
        assert_eq!(r.gene_name.as_deref(), Some("MRPL39"));
        assert_eq!(r.strand.as_deref(), Some("-"));
        assert_eq!(r.worst_region_class, "CDS");
    }
}

#[test]
fn splice_region_site_and_a_shared_exon_with_two_parents() {
    let rows = hg00096_rows();
    // 21:25599840 C>T (rs572415920), in MRPL39 (-).
    // 5713 exon 25599799-25599836 Parent=transcript:ENST00000419219,transcript:ENST00000419219_1
    //   (one line, two parents). Both transcripts span 25592812-25607484 (5698, 5699), so the
    //   exon has an intron above it, 25599837-…; the site is its 4th base (25599840 - 25599836):
    //   intron bases 3-8 from an exon boundary are splice_region (bases 1-2 would be the
    //   splice acceptor, the intron's 3' end on the - strand).
    // 5716/5717 exon and 5714/5715 CDS 25599799-25599866 of ENST00000307301 and
    //   ENST00000352957: coding.
    let site = at(&rows, "21:25599840:C:T");
    assert_eq!(
        classes(&site),
        BTreeMap::from([
            ("ENST00000307301".into(), "CDS".into()),
            ("ENST00000352957".into(), "CDS".into()),
            ("ENST00000419219".into(), "splice_region".into()),
            ("ENST00000419219_1".into(), "splice_region".into()),
        ])
    );
    // 21:25599843 is the 7th intron base: still splice_region for ENST00000419219.
    let next = at(&rows, "21:25599843:");
    assert_eq!(classes(&next)["ENST00000419219"], "splice_region");
}

#[test]
fn intergenic_sites_and_contigs_the_model_lacks() {
    let out = tempfile::tempdir().expect("tempdir");
    // test_not_ordered.vcf (unsorted, contigs 1, 21 and 22) against the chr21-only GFF3.
    let output = ingest_and_annotate(NOT_ORDERED, GFF3, out.path(), &[]);
    assert_ok(&output);
    let err = stderr(&output);
    assert!(
        err.contains("no transcripts on contig(s) 1, 22"),
        "warns about contigs 1 and 22: {err}"
    );
    let rows = rows(out.path());
    // 21:30000002 C>T: the GFF3 has no feature but the chromosome line (1: chromosome
    // 1-46709983) between 29,990,000 and 30,000,100, so the variant is intergenic: one row
    // with null gene and transcript columns.
    let site = at(&rows, "21:30000002:C:T");
    assert_eq!(site.len(), 1);
    let r = site[0];
    assert_eq!(r.region_class, "intergenic");
    assert_eq!(r.worst_region_class, "intergenic");
    assert_eq!(
        (&r.gene_id, &r.gene_name, &r.transcript_id, &r.strand),
        (&None, &None, &None, &None)
    );
    // Variants on contigs 1 and 22 are intergenic too, and every variant has a row.
    assert!(rows
        .iter()
        .filter(|r| r.variant_key.starts_with("1:") || r.variant_key.starts_with("22:"))
        .all(|r| r.region_class == "intergenic" && r.gene_id.is_none()));
    let variants = ints(out.path(), Table::Variants, "variant_index");
    let annotated: BTreeSet<i64> = rows.iter().map(|r| r.variant_index).collect();
    assert_eq!(annotated, variants.iter().copied().collect());
    // Rows follow variant_index (the VCF's own, unsorted order).
    assert!(rows
        .windows(2)
        .all(|w| w[0].variant_index <= w[1].variant_index));
}

/// The GFF3 decompressed by the system `gzip`, so this check shares no code with provar.
fn gff3_text() -> String {
    let output = Command::new("gzip")
        .arg("-dc")
        .arg(testdata(GFF3))
        .output()
        .expect("gzip runs (it is part of every base system)");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Every gene of the GFF3 (lines whose ID starts with `gene:`), as (gene_id, start, end).
fn gene_spans() -> Vec<(String, u64, u64)> {
    gff3_text()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let id = c
                .get(8)?
                .split(';')
                .find_map(|a| a.strip_prefix("ID=gene:"))?;
            Some((id.to_owned(), c[3].parse().ok()?, c[4].parse().ok()?))
        })
        .collect()
}

#[test]
fn every_variant_inside_a_gene_span_gets_that_gene_and_no_other() {
    let genes = gene_spans();
    assert_eq!(genes.len(), 835, "Ensembl chr21: 835 genes of all biotypes");
    for vcf in [HG00096, NOT_ORDERED] {
        let out = tempfile::tempdir().expect("tempdir");
        assert_ok(&ingest_and_annotate(vcf, GFF3, out.path(), &[]));
        let rows = rows(out.path());
        let contigs = strings(out.path(), Table::Variants, "contig");
        let positions = ints(out.path(), Table::Variants, "position");
        let mut checked_in_genes = 0;
        for (index, (contig, position)) in contigs.iter().zip(&positions).enumerate() {
            // All of these variants are SNVs: the span is the position.
            let expected: BTreeSet<&str> = if contig.as_deref() == Some("21") {
                genes
                    .iter()
                    .filter(|(_, start, end)| {
                        *start as i64 <= *position && *position <= *end as i64
                    })
                    .map(|(id, _, _)| id.as_str())
                    .collect()
            } else {
                BTreeSet::new()
            };
            let found: BTreeSet<&str> = rows
                .iter()
                .filter(|r| r.variant_index == index as i64)
                .filter_map(|r| r.gene_id.as_deref())
                .collect();
            assert_eq!(
                found, expected,
                "{vcf}: variant {index} at {contig:?}:{position}"
            );
            checked_in_genes += usize::from(!expected.is_empty());
        }
        if vcf == HG00096 {
            assert_eq!(checked_in_genes, 132, "every HG00096 site lies in a gene");
        }
    }
}

#[test]
fn gtf_and_gff3_of_the_same_release_agree() {
    // ensembl_chr21_subset.gtf.gz covers 21:24.04-26.95 Mb; where it has a transcript, its
    // classes must equal those from the GFF3 (GTF lists stop codons apart from CDS; the
    // model puts them back).
    let from_gff3 = hg00096_rows();
    let out = tempfile::tempdir().expect("tempdir");
    let output = ingest_and_annotate(
        HG00096,
        "annotation/ensembl_chr21_subset.gtf.gz",
        out.path(),
        &[],
    );
    assert_ok(&output);
    assert!(
        stderr(&output).contains("annotate: GTF"),
        "{}",
        stderr(&output)
    );
    let from_gtf = rows(out.path());
    let key = |r: &Row| (r.variant_index, r.transcript_id.clone());
    let gff3: BTreeMap<_, _> = from_gff3.iter().map(|r| (key(r), r)).collect();
    let mut compared = 0;
    for r in from_gtf.iter().filter(|r| r.transcript_id.is_some()) {
        let g = gff3
            .get(&key(r))
            .unwrap_or_else(|| panic!("GTF row without a GFF3 row: {r:?}"));
        assert_eq!(
            (&r.region_class, &r.gene_id, &r.gene_name, &r.strand),
            (&g.region_class, &g.gene_id, &g.gene_name, &g.strand),
            "{r:?}"
        );
        compared += 1;
    }
    assert!(compared > 100, "compared {compared} rows");
}

#[test]
fn output_is_deterministic_and_recorded_in_the_ledger() {
    let out = tempfile::tempdir().expect("tempdir");
    let ledger = out.path().join("ledger");
    let ledger_arg = ledger.to_str().expect("UTF-8 path");
    assert_ok(&ingest_and_annotate(
        HG00096,
        GFF3,
        out.path(),
        &["--ledger", ledger_arg],
    ));
    let first = std::fs::read(out.path().join("annotations.parquet")).expect("written");
    let again = tempfile::tempdir().expect("tempdir");
    assert_ok(&ingest_and_annotate(
        HG00096,
        GFF3,
        again.path(),
        &["--threads", "1"],
    ));
    let second = std::fs::read(again.path().join("annotations.parquet")).expect("written");
    assert_eq!(first, second, "same inputs, same bytes");
    let records = std::fs::read_to_string(ledger.join("records.jsonl")).expect("ledger");
    assert!(records.contains("\"stage\":\"annotate\""), "{records}");
    assert!(
        records.contains("ensembl_chr21.gff3.gz"),
        "the gene model is an input"
    );
    assert_ok(&provar(["ledger", "verify", "--ledger", ledger_arg]));
}

#[test]
fn malformed_gene_models_fail_naming_file_and_line() {
    for (model, expected) in [
        // pysam tests/tabix_data: space-separated columns, and tab-separated attributes.
        (
            "annotation/pysam/gtf_toofew_fields.gtf.gz",
            "gtf_toofew_fields.gtf.gz:1",
        ),
        (
            "annotation/pysam/gtf_toomany_fields.gtf.gz",
            "gtf_toomany_fields.gtf.gz:1",
        ),
    ] {
        let out = tempfile::tempdir().expect("tempdir");
        let output = ingest_and_annotate(HG00096, model, out.path(), &[]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let err = stderr(&output);
        assert!(err.contains(expected), "{err}");
        assert!(err.contains("expected 9 tab-separated columns"), "{err}");
        assert!(!out.path().join("annotations.parquet").exists());
    }
    // A file without any transcript (the htsjdk case with one region and one feature).
    let out = tempfile::tempdir().expect("tempdir");
    let output = ingest_and_annotate(
        HG00096,
        "annotation/htsjdk/feature_extends_past_region.gff3",
        out.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("has no transcripts"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn flank_reports_upstream_by_strand() {
    // 21:30000002 C>T of test_not_ordered.vcf. The nearest transcripts (GFF3 lines):
    //   7975 processed_transcript 29598794-29940033 - ENST00000472429 (GRIK1): on the -
    //     strand its 5' end is 29940033, so a site 59,969 bases above it is upstream;
    //   8138 lincRNA 30089717-30097836 + ENST00000565564: the site is 89,715 bases before
    //     its 5' end, upstream too.
    // Within 100 kb they are reported; within 5 kb (VEP's default) nothing is.
    let out = tempfile::tempdir().expect("tempdir");
    assert_ok(&ingest_and_annotate(
        NOT_ORDERED,
        GFF3,
        out.path(),
        &["--flank", "100000"],
    ));
    let wide = rows(out.path());
    let c = classes(&at(&wide, "21:30000002:C:T"));
    assert_eq!(c["ENST00000472429"], "upstream");
    assert_eq!(c["ENST00000565564"], "upstream");
    assert!(c.values().all(|class| class == "upstream"), "{c:?}");
    let out = tempfile::tempdir().expect("tempdir");
    assert_ok(&ingest_and_annotate(
        NOT_ORDERED,
        GFF3,
        out.path(),
        &["--flank", "5000"],
    ));
    let narrow = rows(out.path());
    assert_eq!(at(&narrow, "21:30000002:C:T")[0].region_class, "intergenic");
}
