//! Input limits: absurd but legal inputs are handled with bounded memory, not an out-of-memory
//! crash — a 10 MB INFO value, 100,000 samples in the header, a site with 1,000 alternate
//! alleles (and its 501,501 PL values). The files are generated here, written to a temporary
//! directory; peak memory of the provar processes is read with getrusage.

mod common;

use std::{fmt::Write as _, path::Path};

use common::{assert_ok, provar};

const HEADER: &str = "##fileformat=VCFv4.2\n##contig=<ID=1>\n\
##INFO=<ID=X,Number=1,Type=String,Description=\"long value\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"Phred-scaled likelihoods\">\n";

fn ingest(vcf: &Path, out: &Path) -> String {
    let output = provar([
        "ingest".as_ref(),
        vcf.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_ok(&output);
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Peak resident set of the largest child process waited for so far, in MiB.
fn children_max_rss_mib() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0);
    usage.ru_maxrss as f64 / 1024.0
}

#[test]
fn absurd_inputs_are_handled_with_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");

    // A 10 MB INFO value.
    let long_info = dir.path().join("long-info.vcf");
    let mut text = String::from(HEADER);
    text.push_str(
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n1\t100\t.\tA\tC\t.\tPASS\tX=",
    );
    text.push_str(&"a".repeat(10_000_000));
    text.push_str("\tGT\t0/1\n");
    std::fs::write(&long_info, text).expect("write");
    let summary = ingest(&long_info, &dir.path().join("out-info"));
    assert!(summary.contains("1 variants x 1 samples"), "{summary}");

    // 100,000 samples.
    let wide = dir.path().join("wide.vcf");
    let mut text = String::from(HEADER);
    text.push_str("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT");
    for i in 0..100_000 {
        let _ = write!(text, "\ts{i}");
    }
    text.push('\n');
    for pos in 100..103 {
        let _ = write!(text, "1\t{pos}\t.\tA\tC\t.\tPASS\t.\tGT");
        for i in 0..100_000 {
            text.push_str(if i % 7 == 0 { "\t0/1" } else { "\t0/0" });
        }
        text.push('\n');
    }
    std::fs::write(&wide, text).expect("write");
    let summary = ingest(&wide, &dir.path().join("out-wide"));
    assert!(summary.contains("3 variants x 100000 samples"), "{summary}");

    // 1,000 alternate alleles, with all 501,501 PL values for one sample.
    let many = dir.path().join("many-alleles.vcf");
    let mut alts = Vec::new();
    'outer: for len in 1..6u32 {
        for n in 0..4usize.pow(len) {
            let mut allele = String::from("A");
            let mut x = n;
            for _ in 0..len {
                allele.push(['A', 'C', 'G', 'T'][x % 4]);
                x /= 4;
            }
            alts.push(allele);
            if alts.len() == 1000 {
                break 'outer;
            }
        }
    }
    let mut text = String::from(HEADER);
    text.push_str("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n");
    let pl = vec!["0"; 1001 * 1002 / 2].join(",");
    let _ = writeln!(
        text,
        "1\t100\t.\tA\t{}\t.\tPASS\t.\tGT:PL\t0/1:{pl}\t999/1000:.",
        alts.join(",")
    );
    std::fs::write(&many, text).expect("write");
    let summary = ingest(&many, &dir.path().join("out-many"));
    assert!(summary.contains("1000 variants x 2 samples"), "{summary}");

    // Each input is at most ~11 MB of text; no run needed more than a few times that.
    let rss = children_max_rss_mib();
    assert!(rss < 512.0, "a provar run peaked at {rss:.0} MiB");
}
