//! Gene-model parsing on the real parser edge cases vendored in `testdata/annotation/`
//! (htsjdk, bcftools and pysam test files, Ensembl and RefSeq chr21; see the README there).

use std::{collections::BTreeSet, io::Read};

use provar_annotate::{
    gene_model::{Error, Format, ParseError},
    GeneModel, Segment, Strand,
};
use provar_testkit::testdata;

fn read(relative: &str) -> GeneModel {
    GeneModel::read(&testdata(relative)).unwrap_or_else(|e| {
        panic!(
            "reading {relative}: {e} ({:?})",
            std::error::Error::source(&e)
        )
    })
}

fn seg(start: u64, end: u64) -> Segment {
    Segment { start, end }
}

fn transcript<'a>(model: &'a GeneModel, id: &str) -> &'a provar_annotate::Transcript {
    model
        .transcripts
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no transcript {id}"))
}

#[test]
fn canonical_gene_with_shared_exons_and_alternative_cds() {
    // htsjdk canonical_gene.gff3 (the GFF3 specification's example): gene EDEN with three
    // mRNAs; exons list several parents (`Parent=mRNA00001,mRNA00002`); mRNA00003 has two
    // alternative CDS (cds00003 from 3301, cds00004 from 3391), merged here. The
    // TF_binding_site under the gene is not a transcript.
    let model = read("annotation/htsjdk/canonical_gene.gff3");
    assert_eq!(model.genes.len(), 1);
    let gene = &model.genes[0];
    assert_eq!(
        (gene.id.as_str(), gene.name.as_deref()),
        ("gene00001", Some("EDEN"))
    );
    assert_eq!(
        (gene.contig.as_str(), gene.span),
        ("ctg123", seg(1000, 9000))
    );
    let ids: Vec<&str> = model.transcripts.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["mRNA00001", "mRNA00002", "mRNA00003"]);
    let t1 = transcript(&model, "mRNA00001");
    assert_eq!(
        t1.exons,
        [
            seg(1050, 1500),
            seg(3000, 3902),
            seg(5000, 5500),
            seg(7000, 9000)
        ]
    );
    assert_eq!(
        t1.cds,
        [
            seg(1201, 1500),
            seg(3000, 3902),
            seg(5000, 5500),
            seg(7000, 7600)
        ]
    );
    assert_eq!(
        t1.biotype.as_deref(),
        Some("mRNA"),
        "no biotype attribute: the type"
    );
    assert_eq!(transcript(&model, "mRNA00002").exons.len(), 3);
    let t3 = transcript(&model, "mRNA00003");
    assert_eq!(t3.exons.first(), Some(&seg(1300, 1500)));
    assert_eq!(t3.cds, [seg(3301, 3902), seg(5000, 5500), seg(7000, 7600)]);
    assert_eq!(t1.strand, Strand::Forward);
}

#[test]
fn child_before_parent_and_multi_line_features() {
    // htsjdk child_before_parent.gff3: the CDS comes before the pseudogene it belongs to,
    // and hangs directly under it, so the gene is its own transcript.
    let model = read("annotation/htsjdk/child_before_parent.gff3");
    assert_eq!(model.transcripts.len(), 1);
    let gene = &model.genes[0];
    assert_eq!(gene.id, "gene-b0240");
    assert_eq!(gene.name.as_deref(), Some("crl"));
    assert_eq!(gene.biotype.as_deref(), Some("pseudogene"));
    assert_eq!(model.transcripts[0].exons, [seg(257829, 257899)]);
    // htsjdk ordered_cofeatures.gff3: gene-b0240 written on two lines (257829-257899 and
    // 258676-259006) is one feature spanning both, with two CDS segments.
    let model = read("annotation/htsjdk/ordered_cofeatures.gff3");
    assert_eq!(model.genes.len(), 1);
    assert_eq!(model.genes[0].span, seg(257829, 259006));
    assert_eq!(
        model.transcripts[0].exons,
        [seg(257829, 257899), seg(258676, 259006)]
    );
}

#[test]
fn embedded_fasta_ends_the_annotation() {
    // htsjdk fasta_test.gff3 (`##FASTA`) and fasta_test_artemis.gff3 (a bare `>ctg123`):
    // the sequence lines after them are not records. mRNA00001 has no exon lines, so its
    // UTR and CDS lines make its exons.
    for file in ["fasta_test.gff3", "fasta_test_artemis.gff3"] {
        let model = read(&format!("annotation/htsjdk/{file}"));
        assert_eq!(model.transcripts.len(), 1, "{file}");
        let t = &model.transcripts[0];
        assert_eq!(
            t.exons,
            [
                seg(1050, 1500),
                seg(3000, 3902),
                seg(5000, 5500),
                seg(7000, 9000)
            ],
            "{file}"
        );
        let (five, three) = t.utrs();
        assert_eq!(
            (five, three),
            (vec![seg(1050, 1200)], vec![seg(7601, 9000)])
        );
    }
}

#[test]
fn polycistronic_transcript_belongs_to_each_gene() {
    // htsjdk polycistronic_transcript.gff3: tran01 has Parent=gene01,gene02,gene03,gene04.
    let model = read("annotation/htsjdk/polycistronic_transcript.gff3");
    assert_eq!(model.genes.len(), 4);
    assert_eq!(model.transcripts.len(), 4);
    assert!(model.transcripts.iter().all(|t| t.id == "tran01"));
    let genes: Vec<&str> = model
        .transcripts
        .iter()
        .map(|t| model.genes[t.gene].id.as_str())
        .collect();
    assert_eq!(genes, ["gene01", "gene02", "gene03", "gene04"]);
}

#[test]
fn small_cases_that_must_parse() {
    // Overlapping CDS of a programmed frameshift are merged.
    let model = read("annotation/htsjdk/programmed_frameshift.gff3");
    assert_eq!(model.transcripts[0].cds, [seg(100, 200)]);
    // mRNAs without ID cannot own exons: two genes without transcripts.
    let model = read("annotation/htsjdk/multiple_genes.gff3");
    assert!(model.transcripts.is_empty());
    assert_eq!(model.genes_without_transcripts, 2);
    // An empty attribute column; URL-escaped seqid, source, type and attributes.
    for file in ["feature_extends_past_region.gff3", "url_encoding.gff3"] {
        let model = read(&format!("annotation/htsjdk/{file}"));
        assert!(model.transcripts.is_empty(), "{file}");
    }
}

#[test]
fn ensembl_gene_types_do_not_matter() {
    // htsjdk Homo_sapiens.GRCh38.97.chromosome.1.small.gff3: DDX11L1 is a `pseudogene` line
    // whose transcripts are an `lnc_RNA` (3 exons) and a `pseudogenic_transcript` (6 exons).
    let model = read("annotation/htsjdk/Homo_sapiens.GRCh38.97.chromosome.1.small.gff3");
    let lnc = transcript(&model, "ENST00000456328");
    let pseudo = transcript(&model, "ENST00000450305");
    assert_eq!(lnc.exons.len(), 3);
    assert_eq!(pseudo.exons.len(), 6);
    assert_eq!(lnc.biotype.as_deref(), Some("lncRNA"));
    assert_eq!(
        pseudo.biotype.as_deref(),
        Some("transcribed_unprocessed_pseudogene")
    );
    let gene = &model.genes[lnc.gene];
    assert_eq!(
        gene.id, "ENSG00000223972",
        "gene_id attribute, not ID=gene:…"
    );
    assert_eq!(gene.name.as_deref(), Some("DDX11L1"));
    assert_eq!(lnc.gene, pseudo.gene);
}

#[test]
fn bcftools_csq_gff3_utrs_match_the_utr_lines() {
    // bcftools test/csq.gff3: ENST00000000001 (+) five_prime_UTR 90-98, three_prime_UTR
    // 172-200; ENST00000000002 (-) three_prime_UTR 80-98, five_prime_UTR 172-200. The
    // lincRNA transcript of mir-007 has no exon line, so mir-007 has no transcript.
    let model = read("annotation/bcftools/csq.gff3");
    assert_eq!(model.transcripts.len(), 3);
    assert_eq!(model.genes_without_transcripts, 1);
    let plus = transcript(&model, "transcript:ENST00000000001");
    assert_eq!(plus.utrs(), (vec![seg(90, 98)], vec![seg(172, 200)]));
    let minus = transcript(&model, "transcript:ENST00000000002");
    assert_eq!(minus.utrs(), (vec![seg(172, 200)], vec![seg(80, 98)]));
    assert_eq!(model.genes[minus.gene].name.as_deref(), Some("ABC"));
}

#[test]
fn gtf_comments_anywhere_give_the_same_model() {
    // pysam tests/tabix_data: example_badcomments.gtf.gz is example.gtf.gz with comment
    // lines at the start, the middle and the end.
    let (plain, format) =
        GeneModel::read_with_format(&testdata("annotation/pysam/example.gtf.gz")).expect("reads");
    assert_eq!(format, Format::Gtf);
    let commented = read("annotation/pysam/example_badcomments.gtf.gz");
    assert_eq!(plain, commented);
    // GENCODE attribute names: gene_type, transcript_type, gene_name.
    let t = transcript(&plain, "ENST00000450305");
    assert_eq!(t.biotype.as_deref(), Some("unprocessed_pseudogene"));
    let gene = &plain.genes[t.gene];
    assert_eq!(gene.biotype.as_deref(), Some("protein_coding"));
    assert_eq!(gene.name.as_deref(), Some("RP11-34P13.1"));
}

#[test]
fn malformed_gtf_names_file_and_line() {
    for (file, found) in [
        ("gtf_toofew_fields.gtf.gz", 1),
        ("gtf_toomany_fields.gtf.gz", 28),
    ] {
        let path = testdata(&format!("annotation/pysam/{file}"));
        match GeneModel::read(&path) {
            Err(Error::InvalidRecord {
                path: p,
                line,
                source,
            }) => {
                assert_eq!((p, line), (path.clone(), 1));
                assert_eq!(source, ParseError::InvalidColumnCount(found), "{file}");
            }
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn refseq_gff3() {
    // RefSeq chr21 subset: contig NC_000021.9; transcript ids from transcript_id (NM_/NR_),
    // gene names from Name, gene biotypes from gene_biotype; `match` rows are not genes.
    let model = read("annotation/refseq_chr21_subset.gff3.gz");
    assert!(model.transcripts.iter().all(|t| t.contig == "NC_000021.9"));
    let t = transcript(&model, "NR_109963.1");
    assert_eq!(t.exons.len(), 4);
    assert_eq!(t.strand, Strand::Reverse);
    let gene = &model.genes[t.gene];
    assert_eq!(gene.name.as_deref(), Some("LOC101927869"));
    assert_eq!(gene.biotype.as_deref(), Some("lncRNA"));
    assert_eq!(t.biotype.as_deref(), Some("ncRNA"));
    assert!(model.genes.iter().any(|g| g.name.as_deref() == Some("APP")));
}

/// (transcript id, start, end) of every `kind` line of the Ensembl GFF3, read without
/// provar's parser.
fn ensembl_lines(kind: &str) -> Vec<(String, u64, u64)> {
    let file = std::fs::File::open(testdata("annotation/ensembl_chr21.gff3.gz")).expect("opens");
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("decompresses");
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() == 9 && c[2] == kind {
            let parents = c[8]
                .split(';')
                .find_map(|a| a.strip_prefix("Parent=transcript:"))
                .unwrap_or_default();
            for p in parents.split(",transcript:") {
                out.push((
                    p.to_owned(),
                    c[3].parse().expect("start"),
                    c[4].parse().expect("end"),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn ensembl_chr21_utrs_derived_from_exons_and_cds_equal_the_utr_lines() {
    let model = read("annotation/ensembl_chr21.gff3.gz");
    assert_eq!(model.genes.len(), 835);
    assert_eq!(model.transcripts.len(), 2414);
    let mut five = Vec::new();
    let mut three = Vec::new();
    for t in &model.transcripts {
        let (f, th) = t.utrs();
        five.extend(f.into_iter().map(|s| (t.id.clone(), s.start, s.end)));
        three.extend(th.into_iter().map(|s| (t.id.clone(), s.start, s.end)));
    }
    for (derived, kind) in [(five, "five_prime_UTR"), (three, "three_prime_UTR")] {
        let mut derived: BTreeSet<_> = derived.into_iter().collect();
        // One exception, a quirk of VEP's test file: ENST00000419219_1 is a copy of
        // ENST00000419219 made for the test (its exon lines name both as Parent), but the
        // five_prime_UTR line 25607476-25607484 names ENST00000419219 only.
        if kind == "five_prime_UTR" {
            assert!(derived.remove(&("ENST00000419219_1".to_owned(), 25607476, 25607484)));
        }
        let lines: BTreeSet<_> = ensembl_lines(kind).into_iter().collect();
        let only_derived: Vec<_> = derived.difference(&lines).take(10).collect();
        let only_lines: Vec<_> = lines.difference(&derived).take(10).collect();
        assert!(
            only_derived.is_empty() && only_lines.is_empty(),
            "{kind}: derived but not in the file {only_derived:?}; in the file but not derived {only_lines:?}"
        );
        assert_eq!(derived.len(), lines.len());
    }
}

#[test]
fn garbage_is_rejected_with_its_line() {
    let err = |text: &str| {
        GeneModel::from_text(text, "x.gff3").err().map(|e| match e {
            Error::InvalidRecord { line, source, .. } => (line, source),
            other => panic!("{other:?}"),
        })
    };
    assert_eq!(
        err("##gff-version 3\n1\t.\tmRNA\t1\t9\t.\t+\t.\tID=t\n1\t.\texon\t1\t9\t.\t+\t.\tParent=nope\n"),
        Some((3, ParseError::MissingParent("nope".into())))
    );
    assert_eq!(
        err("1\t.\tmRNA\t1\t9\t.\t+\t.\tID=t;Parent=g\n1\t.\texon\t1\t9\t.\t+\t.\tParent=t\n"),
        Some((1, ParseError::MissingParent("g".into())))
    );
    assert_eq!(
        err("1\t.\tmRNA\t1\t9\t.\t+\t.\tID=a;Parent=b\n1\t.\tmRNA\t1\t9\t.\t+\t.\tID=b;Parent=a\n1\t.\texon\t1\t9\t.\t+\t.\tParent=a\n"),
        Some((1, ParseError::ParentCycle("b".into())))
    );
    assert_eq!(
        err("1\t.\texon\t1\t9\t.\t+\t.\ttranscript_id \"t\";\n"),
        Some((1, ParseError::MissingAttribute("gene_id")))
    );
    assert_eq!(
        err("1\t.\texon\t1\t9\t.\t+\t.\tgene_id \"a\"; transcript_id \"t\";\n1\t.\texon\t20\t29\t.\t+\t.\tgene_id \"b\"; transcript_id \"t\";\n"),
        Some((
            2,
            ParseError::ConflictingGene {
                transcript: "t".into(),
                expected: "a".into(),
                found: "b".into()
            }
        ))
    );
    assert_eq!(
        err("1\t.\tgene\tten\t20\t.\t+\t.\tID=g\n"),
        Some((1, ParseError::InvalidStart("ten".into())))
    );
    // A binary file is not UTF-8.
    let bytes = [0xffu8, 0xfe, b'\n'];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("binary.gff3");
    std::fs::write(&path, bytes).expect("writes");
    assert!(matches!(
        GeneModel::read(&path),
        Err(Error::InvalidRecord {
            line: 1,
            source: ParseError::InvalidUtf8,
            ..
        })
    ));
    // A truncated gzip stream is an I/O error naming the file.
    let gz = std::fs::read(testdata("annotation/ensembl_chr21_subset.gtf.gz")).expect("reads");
    let cut = dir.path().join("cut.gtf.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).expect("writes");
    match GeneModel::read(&cut) {
        Err(e @ Error::Io { .. }) => assert!(e.to_string().contains("cut.gtf.gz"), "{e}"),
        other => panic!("{other:?}"),
    }
}
