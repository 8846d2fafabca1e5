//! Where a variant falls in a transcript: [`RegionClass`] and [`classify`].

use std::fmt;

use crate::gene_model::{Segment, Strand, Transcript};

/// Bases of an exon, counted from an exon–intron boundary, that are in the splice region
/// (Ensembl VEP: "within 1-3 bases of the exon").
pub const SPLICE_REGION_EXON_BASES: u64 = 3;
/// Bases of an intron, counted from an exon–intron boundary, that are in the splice region
/// (Ensembl VEP: "within 3-8 bases of the intron"; bases 1-2 are the splice donor or
/// acceptor site).
pub const SPLICE_REGION_INTRON_BASES: u64 = 8;
/// Bases at each end of an intron that form the splice donor (5' end, `GT`) or acceptor
/// (3' end, `AG`) site.
pub const SPLICE_SITE_BASES: u64 = 2;

/// The class of a variant's position relative to one transcript, named after the Sequence
/// Ontology terms Ensembl VEP reports. Ordered from least to most severe, so `max` gives the
/// worst; [`RegionClass::ALL`] lists them most severe first.
///
/// A class is a property of positions only: no reference sequence is read, so a CDS
/// variant is not told apart as missense, synonymous or stop-gained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionClass {
    /// No transcript (within the flank, when one is asked for) overlaps the variant.
    Intergenic,
    /// Within the flank after the transcript's 3' end.
    Downstream,
    /// Within the flank before the transcript's 5' end.
    Upstream,
    /// Between two exons of the transcript, outside the splice region.
    Intron,
    /// In an exon of a transcript without CDS.
    NonCodingExon,
    /// In an exon, after the coding sequence (in transcription order).
    ThreePrimeUtr,
    /// In an exon, before the coding sequence (in transcription order).
    FivePrimeUtr,
    /// Bases 1-3 of an exon or 3-8 of an intron, counted from an exon–intron boundary,
    /// unless a more severe class applies (a CDS base in the exonic splice region is `CDS`).
    SpliceRegion,
    /// In the coding sequence (stop codon included).
    Cds,
    /// The first two bases of an intron at its 5' end (in transcription order).
    SpliceDonor,
    /// The last two bases of an intron at its 3' end (in transcription order).
    SpliceAcceptor,
}

impl RegionClass {
    /// Every class, most severe first.
    pub const ALL: [RegionClass; 11] = [
        RegionClass::SpliceAcceptor,
        RegionClass::SpliceDonor,
        RegionClass::Cds,
        RegionClass::SpliceRegion,
        RegionClass::FivePrimeUtr,
        RegionClass::ThreePrimeUtr,
        RegionClass::NonCodingExon,
        RegionClass::Intron,
        RegionClass::Upstream,
        RegionClass::Downstream,
        RegionClass::Intergenic,
    ];

    /// The name written in the `region_class` column.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionClass::SpliceAcceptor => "splice_acceptor",
            RegionClass::SpliceDonor => "splice_donor",
            RegionClass::Cds => "CDS",
            RegionClass::SpliceRegion => "splice_region",
            RegionClass::FivePrimeUtr => "five_prime_UTR",
            RegionClass::ThreePrimeUtr => "three_prime_UTR",
            RegionClass::NonCodingExon => "non_coding_exon",
            RegionClass::Intron => "intron",
            RegionClass::Upstream => "upstream",
            RegionClass::Downstream => "downstream",
            RegionClass::Intergenic => "intergenic",
        }
    }
}

impl fmt::Display for RegionClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn clip(start: u64, end: u64, within: Segment) -> Option<Segment> {
    let s = Segment {
        start: start.max(within.start),
        end: end.min(within.end),
    };
    (s.start <= s.end).then_some(s)
}

/// The most severe class of any base of `span` relative to `transcript`, counting bases up
/// to `flank` bases beyond its ends as upstream/downstream; `None` when `span` is farther
/// away.
///
/// ```
/// use provar_annotate::{classify, GeneModel, RegionClass};
/// // bcftools test/csq.gff3: ENST00000000001 (+), exons 90-110, 120-130, …; CDS from 99.
/// let model = GeneModel::from_text(
///     "1\t.\tgene\t90\t130\t.\t+\t.\tID=g\n\
///      1\t.\tmRNA\t90\t130\t.\t+\t.\tID=t;Parent=g\n\
///      1\t.\texon\t90\t110\t.\t+\t.\tParent=t\n\
///      1\t.\texon\t120\t130\t.\t+\t.\tParent=t\n\
///      1\t.\tCDS\t99\t110\t.\t+\t0\tParent=t\n\
///      1\t.\tCDS\t120\t125\t.\t+\t0\tParent=t\n",
///     "x.gff3",
/// )?;
/// let t = &model.transcripts[0];
/// let at = |start, end| classify(t, provar_annotate::Segment { start, end }, 0);
/// assert_eq!(at(95, 95), Some(RegionClass::FivePrimeUtr));
/// assert_eq!(at(111, 111), Some(RegionClass::SpliceDonor));
/// assert_eq!(at(114, 114), Some(RegionClass::SpliceRegion));
/// assert_eq!(at(119, 119), Some(RegionClass::SpliceAcceptor));
/// assert_eq!(at(100, 100), Some(RegionClass::Cds));
/// assert_eq!(at(128, 128), Some(RegionClass::ThreePrimeUtr));
/// assert_eq!(at(131, 131), None);
/// # Ok::<_, provar_annotate::gene_model::Error>(())
/// ```
pub fn classify(transcript: &Transcript, span: Segment, flank: u64) -> Option<RegionClass> {
    let whole = transcript.span();
    let reverse = transcript.strand == Strand::Reverse;
    let mut worst: Option<RegionClass> = None;
    let mut hit = |class: RegionClass, region: Option<Segment>| {
        if region.is_some_and(|r| r.overlaps(span)) {
            worst = worst.max(Some(class));
        }
    };
    if flank > 0 && whole.start > 1 {
        let before = clip(
            whole.start.saturating_sub(flank),
            whole.start - 1,
            Segment {
                start: 1,
                end: u64::MAX,
            },
        );
        let class = if reverse {
            RegionClass::Downstream
        } else {
            RegionClass::Upstream
        };
        hit(class, before);
    }
    if flank > 0 {
        let after = Some(Segment {
            start: whole.end + 1,
            end: whole.end.saturating_add(flank),
        });
        let class = if reverse {
            RegionClass::Upstream
        } else {
            RegionClass::Downstream
        };
        hit(class, after);
    }
    if !span.overlaps(whole) {
        return worst;
    }
    let coding = transcript
        .cds
        .first()
        .zip(transcript.cds.last())
        .map(|(first, last)| Segment {
            start: first.start,
            end: last.end,
        });
    let exons = &transcript.exons;
    for (i, exon) in exons.iter().enumerate() {
        let exon = *exon;
        if span.overlaps(exon) {
            match coding {
                None => hit(RegionClass::NonCodingExon, Some(exon)),
                Some(c) => {
                    let (left, right) = if reverse {
                        (RegionClass::ThreePrimeUtr, RegionClass::FivePrimeUtr)
                    } else {
                        (RegionClass::FivePrimeUtr, RegionClass::ThreePrimeUtr)
                    };
                    hit(left, clip(exon.start, c.start.saturating_sub(1), exon));
                    hit(RegionClass::Cds, clip(c.start, c.end, exon));
                    hit(right, clip(c.end + 1, exon.end, exon));
                }
            }
            // Exonic splice region: bases next to an intron.
            if i > 0 {
                hit(
                    RegionClass::SpliceRegion,
                    clip(exon.start, exon.start + SPLICE_REGION_EXON_BASES - 1, exon),
                );
            }
            if i + 1 < exons.len() {
                hit(
                    RegionClass::SpliceRegion,
                    clip(
                        exon.end.saturating_sub(SPLICE_REGION_EXON_BASES - 1),
                        exon.end,
                        exon,
                    ),
                );
            }
        }
        let Some(next) = exons.get(i + 1) else {
            continue;
        };
        // Exons are merged, so the intron has at least one base.
        let intron = Segment {
            start: exon.end + 1,
            end: next.start - 1,
        };
        if !span.overlaps(intron) {
            continue;
        }
        hit(RegionClass::Intron, Some(intron));
        hit(
            RegionClass::SpliceRegion,
            clip(
                intron.start,
                intron.start + SPLICE_REGION_INTRON_BASES - 1,
                intron,
            ),
        );
        hit(
            RegionClass::SpliceRegion,
            clip(
                intron.end.saturating_sub(SPLICE_REGION_INTRON_BASES - 1),
                intron.end,
                intron,
            ),
        );
        let (low, high) = if reverse {
            (RegionClass::SpliceAcceptor, RegionClass::SpliceDonor)
        } else {
            (RegionClass::SpliceDonor, RegionClass::SpliceAcceptor)
        };
        hit(
            low,
            clip(intron.start, intron.start + SPLICE_SITE_BASES - 1, intron),
        );
        hit(
            high,
            clip(
                intron.end.saturating_sub(SPLICE_SITE_BASES - 1),
                intron.end,
                intron,
            ),
        );
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GeneModel;

    /// bcftools test/csq.gff3 (samtools/bcftools @ de0606d), contig 2: ENST00000000002 on
    /// the - strand, exons 80-110, 120-130, 140-150, 160-200; CDS 99-171.
    fn reverse_transcript() -> Transcript {
        let text = "2\t.\tgene\t80\t200\t.\t-\t.\tID=gene:ENSG00000000002;Name=ABC;biotype=protein_coding
2\t.\ttranscript\t80\t200\t.\t-\t.\tID=transcript:ENST00000000002;Parent=gene:ENSG00000000002;biotype=protein_coding
2\t.\texon\t80\t110\t.\t-\t.\tParent=transcript:ENST00000000002
2\t.\tthree_prime_UTR\t80\t98\t.\t-\t.\tParent=transcript:ENST00000000002
2\t.\tCDS\t99\t110\t.\t-\t0\tParent=transcript:ENST00000000002
2\t.\texon\t120\t130\t.\t-\t.\tParent=transcript:ENST00000000002
2\t.\tCDS\t120\t130\t.\t-\t2\tParent=transcript:ENST00000000002
2\t.\texon\t140\t150\t.\t-\t.\tParent=transcript:ENST00000000002
2\t.\tCDS\t140\t150\t.\t-\t1\tParent=transcript:ENST00000000002
2\t.\texon\t160\t200\t.\t-\t.\tParent=transcript:ENST00000000002
2\t.\tCDS\t160\t171\t.\t-\t1\tParent=transcript:ENST00000000002
2\t.\tfive_prime_UTR\t172\t200\t.\t-\t.\tParent=transcript:ENST00000000002
";
        let model = GeneModel::from_text(text, "csq.gff3").expect("parses");
        model.transcripts[0].clone()
    }

    fn at(t: &Transcript, start: u64, end: u64, flank: u64) -> Option<RegionClass> {
        classify(t, Segment { start, end }, flank)
    }

    #[test]
    fn reverse_strand_classes() {
        let t = reverse_transcript();
        assert_eq!(at(&t, 85, 85, 0), Some(RegionClass::ThreePrimeUtr));
        assert_eq!(at(&t, 190, 190, 0), Some(RegionClass::FivePrimeUtr));
        assert_eq!(at(&t, 105, 105, 0), Some(RegionClass::Cds));
        // Intron 111-119: on the - strand its 5' end is 119 (donor), its 3' end 111.
        assert_eq!(at(&t, 119, 119, 0), Some(RegionClass::SpliceDonor));
        assert_eq!(at(&t, 118, 118, 0), Some(RegionClass::SpliceDonor));
        assert_eq!(at(&t, 111, 111, 0), Some(RegionClass::SpliceAcceptor));
        assert_eq!(at(&t, 115, 115, 0), Some(RegionClass::SpliceRegion));
        // Exon 160-200: the first three bases are exonic splice region but coding, so CDS.
        assert_eq!(at(&t, 160, 160, 0), Some(RegionClass::Cds));
        // The outer ends of the transcript are not splice regions.
        assert_eq!(at(&t, 80, 80, 0), Some(RegionClass::ThreePrimeUtr));
        assert_eq!(at(&t, 200, 200, 0), Some(RegionClass::FivePrimeUtr));
        // A deletion from the 5' UTR into the CDS takes the worse class.
        assert_eq!(at(&t, 170, 175, 0), Some(RegionClass::Cds));
        // Outside: nothing without a flank; upstream is after the end on the - strand.
        assert_eq!(at(&t, 201, 201, 0), None);
        assert_eq!(at(&t, 201, 201, 10), Some(RegionClass::Upstream));
        assert_eq!(at(&t, 75, 75, 10), Some(RegionClass::Downstream));
        assert_eq!(at(&t, 60, 60, 10), None);
    }

    #[test]
    fn long_introns_have_plain_intronic_bases() {
        let t = reverse_transcript();
        // Intron 151-159 (9 bases): 151-152 acceptor, 158-159 donor, 153-157 splice region.
        assert_eq!(at(&t, 155, 155, 0), Some(RegionClass::SpliceRegion));
        let text = "1\t.\tmRNA\t1\t1000\t.\t+\t.\tID=t\n1\t.\texon\t1\t100\t.\t+\t.\tParent=t\n1\t.\texon\t900\t1000\t.\t+\t.\tParent=t\n";
        let model = GeneModel::from_text(text, "x.gff3").expect("parses");
        let t = &model.transcripts[0];
        assert_eq!(at(t, 500, 500, 0), Some(RegionClass::Intron));
        assert_eq!(at(t, 50, 50, 0), Some(RegionClass::NonCodingExon));
        assert_eq!(at(t, 98, 98, 0), Some(RegionClass::SpliceRegion));
        assert_eq!(at(t, 97, 97, 0), Some(RegionClass::NonCodingExon));
        assert_eq!(at(t, 108, 108, 0), Some(RegionClass::SpliceRegion));
        assert_eq!(at(t, 109, 109, 0), Some(RegionClass::Intron));
        assert_eq!(at(t, 101, 102, 0), Some(RegionClass::SpliceDonor));
        assert_eq!(at(t, 898, 899, 0), Some(RegionClass::SpliceAcceptor));
    }

    #[test]
    fn order_is_most_severe_first() {
        for pair in RegionClass::ALL.windows(2) {
            assert!(pair[0] > pair[1]);
        }
    }
}
