//! BAQ computed by provar equals bcftools': on the same reads with their BQ tags removed
//! (`testdata/reads/nobq.*.bam`), so that bcftools 1.16 computes BAQ from the reference,
//! per sample DP, AD, ADF and ADR equal at every SNV site, for bcftools' default partial BAQ
//! (17:100-600) and for full BAQ (`-D`, the whole 4.2 kb slice).

use std::path::PathBuf;

use provar_core::Position;
use provar_reads::{sites, Baq, Filters, Site};
use provar_testkit::{testdata, Tsv};

fn check(fixture: &str, baq: Baq) -> usize {
    let tsv = Tsv::read(fixture);
    let reference = testdata("reads/mpileup.ref.fa");
    let paths: Vec<PathBuf> = (1..=3)
        .map(|i| testdata(&format!("reads/nobq.{i}.bam")))
        .collect();
    let files = provar_reads::open_all(&paths, Some(&reference)).expect("open");
    let rows: Vec<&Vec<String>> = tsv.rows.iter().collect();
    let sites: Vec<Site> = rows
        .iter()
        .map(|r| Site {
            contig: "17".into(),
            position: tsv.get(r, "pos").parse::<Position>().expect("pos"),
            reference: tsv.get(r, "ref").into(),
            alternates: tsv.get(r, "alt").split(',').map(str::to_owned).collect(),
        })
        .collect();
    let filters = Filters {
        baq,
        ..Filters::default()
    };
    let (table, untagged) =
        sites::collect(&files, &sites, &filters, Some(&reference)).expect("collect");
    assert_eq!(untagged, 0, "every read BAQ touched was realigned");
    let (off, _) = sites::collect(
        &files,
        &sites,
        &Filters {
            baq: Baq::Off,
            ..Filters::default()
        },
        Some(&reference),
    )
    .expect("collect");
    let mut compared = 0;
    let mut changed_by_baq = 0;
    for (((row, site), per_file), plain) in rows.iter().zip(&sites).zip(&table).zip(&off) {
        if tsv.get(row, "indel") == "1" {
            continue;
        }
        for (s, ev) in per_file.iter().enumerate() {
            let n = s + 1;
            let list = |v: Vec<u32>| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            let got = [
                ev.depth.to_string(),
                list(ev.alleles.iter().map(|a| a.total()).collect()),
                list(ev.alleles.iter().map(|a| a.forward).collect()),
                list(ev.alleles.iter().map(|a| a.reverse).collect()),
            ];
            let expected = [
                tsv.get(row, &format!("dp{n}")),
                tsv.get(row, &format!("ad{n}")),
                tsv.get(row, &format!("adf{n}")),
                tsv.get(row, &format!("adr{n}")),
            ];
            assert_eq!(got, expected, "{fixture} 17:{} sample {n}", site.position);
        }
        if per_file.iter().map(|e| e.depth).collect::<Vec<_>>()
            != plain.iter().map(|e| e.depth).collect::<Vec<_>>()
        {
            changed_by_baq += 1;
        }
        compared += 1;
    }
    assert!(
        changed_by_baq > 0,
        "{fixture}: BAQ changed nothing, so the test shows nothing"
    );
    eprintln!("{fixture}: {compared} SNV rows equal; BAQ changed depth at {changed_by_baq}");
    compared
}

#[test]
fn partial_baq_equals_bcftools() {
    assert!(check("reads/nobq.baq-partial.tsv", Baq::Partial) > 400);
}

#[test]
fn full_baq_equals_bcftools() {
    assert!(check("reads/nobq.baq-full.tsv", Baq::Full) > 4000);
}
