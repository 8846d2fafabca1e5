//! `hint:` lines for the mistakes users make most: the wrong kind of file, a missing index,
//! `chr20` against `20`, a sample name that is not in the file. Each hint names the likely
//! fix; errors without a known fix get none.

use std::{io::Read as _, path::Path};

use provar_io::vcf;

/// A first line of nine tab-separated columns with numeric start and end (columns 4 and 5):
/// GFF3 or GTF.
fn looks_like_gff(text: &str) -> bool {
    let line = text
        .lines()
        .find(|l| !l.starts_with('#'))
        .unwrap_or_default();
    let fields: Vec<&str> = line.split('\t').collect();
    fields.len() >= 8
        && fields[3].parse::<u64>().is_ok()
        && fields[4].parse::<u64>().is_ok()
        && matches!(fields[6], "+" | "-" | "." | "?")
}

/// What the first bytes of a file say it is, when it is not a VCF.
fn sniff(path: &Path) -> Option<&'static str> {
    let mut head = [0u8; 512];
    let mut file = std::fs::File::open(path).ok()?;
    let n = file.read(&mut head).ok()?;
    let head = &head[..n];
    // BGZF/gzip: look inside the first block.
    let inner: Vec<u8> = if head.starts_with(&[0x1f, 0x8b]) {
        let file = std::fs::File::open(path).ok()?;
        let decoder = flate2::read::MultiGzDecoder::new(file);
        let mut buf = Vec::with_capacity(512);
        decoder.take(512).read_to_end(&mut buf).ok()?;
        buf
    } else {
        head.to_vec()
    };
    let text = String::from_utf8_lossy(&inner);
    if inner.starts_with(b"BAM\x01") {
        Some("a BAM file: `provar sites` and `provar coverage` read BAM/CRAM; `provar ingest` reads VCF or BCF")
    } else if head.starts_with(b"CRAM") {
        Some("a CRAM file: `provar sites` and `provar coverage` read BAM/CRAM; `provar ingest` reads VCF or BCF")
    } else if text.starts_with("##gff-version") || looks_like_gff(&text) {
        Some("a GFF3/GTF gene model: give it to `provar annotate --genes FILE`; `provar ingest` reads VCF or BCF")
    } else if text.starts_with('>') {
        Some("a FASTA file: give it as a reference (--fasta / --reference); `provar ingest` reads VCF or BCF")
    } else if text.starts_with("PAR1") || head.starts_with(b"PAR1") {
        Some("a Parquet table: pass its directory with --tables DIR to a later stage")
    } else {
        None
    }
}

/// The VCF error in `cause`, directly or inside a stage error that displays it transparently
/// (and so does not show up as a separate link of the error chain).
fn as_vcf_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a vcf::Error> {
    cause.downcast_ref::<vcf::Error>().or_else(|| {
        match cause.downcast_ref::<provar_ingest::Error>() {
            Some(provar_ingest::Error::Vcf(e)) => Some(e),
            _ => None,
        }
    })
}

/// The hint for `error`, if one applies.
pub(crate) fn hint(error: &anyhow::Error) -> Option<String> {
    for cause in error.chain() {
        if let Some(provar_rare::Error::NoOverlap { tables, first, .. }) =
            cause.downcast_ref::<provar_rare::Error>()
        {
            return Some(format!(
                "the PED's second column must hold the VCF's sample names exactly (list them with `bcftools query -l`, or read {}/samples.parquet); the first one here is {first}",
                tables.display()
            ));
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // EFBIG (27: a file-size limit) and ENOSPC (28: the disk is full).
            if matches!(io.raw_os_error(), Some(27 | 28)) {
                return Some(
                    "the disk is full or a file-size limit applies (`ulimit -f`, a quota); free space or write --out elsewhere, then re-run: nothing partial was left"
                        .to_owned(),
                );
            }
            if io.kind() == std::io::ErrorKind::AlreadyExists
                && error.to_string().contains("output directory")
            {
                return Some("--out names an existing file; give a directory".to_owned());
            }
        }
        if let Some(e) = as_vcf_error(cause) {
            match e {
                vcf::Error::InvalidHeader { path, line: 1, .. } | vcf::Error::Empty { path } => {
                    if let Some(kind) = sniff(path) {
                        return Some(format!("{} looks like {kind}", path.display()));
                    }
                }
                vcf::Error::Io { path, source }
                    if source.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Some(format!(
                        "{} ends in the middle of a compressed block: the file is truncated (an interrupted download or copy?)",
                        path.display()
                    ));
                }
                vcf::Error::UnsupportedCompression { .. } => {
                    return Some("recompress with `bgzip` (htslib) instead of gzip".to_owned());
                }
                vcf::Error::MissingIndex { path } if provar_io::bcf::is_bcf(path) => {
                    return Some(format!(
                        "index it with `bcftools index {}` (a BCF needs a .csi index)",
                        path.display()
                    ));
                }
                vcf::Error::MissingIndex { path } => {
                    return Some(format!(
                        "index it with `tabix -p vcf {0}` or `bcftools index {0}` (a bgzipped VCF needs bgzip, not gzip)",
                        path.display()
                    ));
                }
                vcf::Error::UnknownContig { contig, known, .. } => {
                    let stripped = contig.strip_prefix("chr");
                    let with_chr = format!("chr{contig}");
                    if let Some(s) = stripped.filter(|s| known.iter().any(|k| k == s)) {
                        return Some(format!(
                            "this file names contigs without \"chr\": write {s} instead of {contig}"
                        ));
                    }
                    if known.contains(&with_chr) {
                        return Some(format!(
                            "this file names contigs with \"chr\": write {with_chr} instead of {contig}"
                        ));
                    }
                    return Some(
                        "check the genome build and contig naming of the file and of the region"
                            .to_owned(),
                    );
                }
                _ => {}
            }
        }
        if let Some(e) = cause.downcast_ref::<provar_reads::Error>() {
            use provar_reads::Error as R;
            let hint = match e {
                R::MissingIndex { path, format } => Some(match format {
                    provar_reads::Format::Bam => format!("index it with `samtools index {}`", path.display()),
                    provar_reads::Format::Cram => format!("index it with `samtools index {}`", path.display()),
                }),
                R::CramWithoutReference { .. } => Some(
                    "give the FASTA it was written against with --reference FASTA (with its .fai)".to_owned(),
                ),
                R::MissingFastaIndex { path } => Some(format!("index it with `samtools faidx {}`", path.display())),
                R::Truncated { path } | R::Invalid { path, .. } => Some(format!(
                    "{} is damaged or was cut short (an interrupted download or copy?); `samtools quickcheck` tells, and a fresh copy fixes it",
                    path.display()
                )),
                R::BuildMismatch { .. } | R::PastContigEnd { .. } => Some(
                    "use variants and reads on the same reference (e.g. both GRCh38): re-align the reads, or lift the variants over (`bcftools +liftover`, CrossMap)"
                        .to_owned(),
                ),
                R::NotAlignment { path } => sniff(path)
                    .map(|kind| format!("{} looks like {kind}", path.display()))
                    .or_else(|| Some("--bam takes BAM or CRAM files".to_owned())),
                R::UnknownContig { contig, known, .. } => {
                    let stripped = contig.strip_prefix("chr");
                    let with_chr = format!("chr{contig}");
                    Some(if let Some(s) = stripped.filter(|s| known.iter().any(|k| k == s)) {
                        format!("the alignments name contigs without \"chr\" ({s}, not {contig}): the variants and the reads use different naming, or different genome builds")
                    } else if known.contains(&with_chr) {
                        format!("the alignments name contigs with \"chr\" ({with_chr}, not {contig}): the variants and the reads use different naming, or different genome builds")
                    } else {
                        "the variants and the alignments come from different references: check the genome build".to_owned()
                    })
                }
                _ => None,
            };
            if hint.is_some() {
                return hint;
            }
        }
        if let Some(provar_ingest::Error::Normalize { source, .. }) =
            cause.downcast_ref::<provar_ingest::Error>()
        {
            use provar_ingest::NormalizeError as N;
            match source.as_ref() {
                N::ReferenceMismatch { .. } | N::PastContigEnd { .. } => {
                    return Some(
                        "give the FASTA of the genome build the VCF was made on; `bcftools norm -c w -f FASTA VCF` lists every mismatch"
                            .to_owned(),
                    );
                }
                N::Fasta(provar_io::fasta::Error::MissingContig { contig, known, .. }) => {
                    let stripped = contig.strip_prefix("chr");
                    let with_chr = format!("chr{contig}");
                    return Some(
                        if let Some(s) = stripped.filter(|s| known.iter().any(|k| k == s)) {
                            format!("the FASTA names contigs without \"chr\" ({s}, not {contig}): rename the VCF's contigs (`bcftools annotate --rename-chrs`) or use a FASTA named like the VCF")
                        } else if known.contains(&with_chr) {
                            format!("the FASTA names contigs with \"chr\" ({with_chr}, not {contig}): rename the VCF's contigs (`bcftools annotate --rename-chrs`) or use a FASTA named like the VCF")
                        } else {
                            "the VCF and the FASTA come from different references: check the genome build".to_owned()
                        },
                    );
                }
                _ => {}
            }
        }
        if let Some(provar_ingest::Error::UnknownSample { sample, .. }) =
            cause.downcast_ref::<provar_ingest::Error>()
        {
            return Some(format!(
                "sample names are case-sensitive and must match the #CHROM line exactly; `bcftools query -l FILE` lists them (looked for {sample:?})"
            ));
        }
    }
    crate::recorder::hint(error).map(str::to_owned)
}
