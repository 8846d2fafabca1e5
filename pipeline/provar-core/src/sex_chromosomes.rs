//! Sex chromosomes: which contig is X, Y or mitochondrial, and where the
//! pseudo-autosomal regions (PAR) lie in each reference build. Shared by the Mendel-error
//! and inheritance rules of `rare` and the sex inference of `qc`.

/// The reference build, for the pseudo-autosomal regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// GRCh37 / hg19: X:60001-2699520, X:154931044-155260560, Y:10001-2649520,
    /// Y:59034050-59363566 (Hail's definition).
    GRCh37,
    /// GRCh38: X:10001-2781479, X:155701383-156030895, Y:10001-2781479,
    /// Y:56887903-57217415.
    GRCh38,
}

/// Which sex chromosome (or none) a contig name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContigKind {
    /// An autosome or anything not named X, Y or MT.
    Autosome,
    /// X (`X`, `chrX`, `23`).
    X,
    /// Y (`Y`, `chrY`, `24`).
    Y,
    /// Mitochondrial (`MT`, `M`, `chrM`).
    Mito,
}

/// Classifies a contig name.
pub fn contig_kind(contig: &str) -> ContigKind {
    let name = contig.strip_prefix("chr").unwrap_or(contig);
    match name {
        "X" | "x" | "23" => ContigKind::X,
        "Y" | "y" | "24" => ContigKind::Y,
        "M" | "MT" | "m" | "mt" => ContigKind::Mito,
        _ => ContigKind::Autosome,
    }
}

/// Whether `position` (1-based) on a contig of `kind` lies in a pseudo-autosomal region.
pub fn in_par(kind: ContigKind, position: u64, build: Build) -> bool {
    let ranges: &[(u64, u64)] = match (kind, build) {
        (ContigKind::X, Build::GRCh37) => &[(60_001, 2_699_520), (154_931_044, 155_260_560)],
        (ContigKind::Y, Build::GRCh37) => &[(10_001, 2_649_520), (59_034_050, 59_363_566)],
        (ContigKind::X, Build::GRCh38) => &[(10_001, 2_781_479), (155_701_383, 156_030_895)],
        (ContigKind::Y, Build::GRCh38) => &[(10_001, 2_781_479), (56_887_903, 57_217_415)],
        _ => &[],
    };
    ranges.iter().any(|&(a, b)| (a..=b).contains(&position))
}
