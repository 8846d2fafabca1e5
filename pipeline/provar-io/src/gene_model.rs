//! Gene models: genes and their transcripts (exons, CDS, UTRs), read from a GFF3 or GTF file.
//!
//! Coordinates are 1-based and inclusive on both ends, as in GFF3 and GTF: a segment
//! `start..=end` covers `end - start + 1` bases.

mod builder;
mod gff;
mod gtf;
mod reader;

use std::{collections::HashMap, path::Path};

pub use gff::parse_attributes as parse_gff3_attributes;
pub use gtf::parse_attributes as parse_gtf_attributes;
pub use reader::{Error, Format, ParseError};

/// The strand of a gene or transcript (GFF3 column 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strand {
    /// `+`
    Forward,
    /// `-`
    Reverse,
    /// `.` or `?`: not stranded or not known. Treated as `+` where a direction is needed.
    Unknown,
}

impl Strand {
    /// `+`, `-` or `.`.
    pub fn as_str(self) -> &'static str {
        match self {
            Strand::Forward => "+",
            Strand::Reverse => "-",
            Strand::Unknown => ".",
        }
    }
}

/// A 1-based, inclusive interval `start..=end` on one contig.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Segment {
    /// First base, 1-based.
    pub start: u64,
    /// Last base, 1-based, inclusive (`end >= start`).
    pub end: u64,
}

impl Segment {
    /// Whether the two intervals share at least one base.
    pub fn overlaps(self, other: Segment) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

/// A gene: the top-level feature that transcripts belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gene {
    /// Stable id: the `gene_id` attribute (Ensembl `ENSG…`), else the GFF3 `ID`.
    pub id: String,
    /// `gene_name`, else `Name`, else `gene` (RefSeq); `None` when the file gives none.
    pub name: Option<String>,
    /// `gene_biotype`, else `gene_type` (GENCODE), else `biotype` (Ensembl GFF3).
    pub biotype: Option<String>,
    /// Contig name as written in the file.
    pub contig: String,
    /// Strand.
    pub strand: Strand,
    /// Span as the file states it (all lines of a multi-line feature joined); for a GTF
    /// without `gene` lines, the span of its transcripts.
    pub span: Segment,
}

/// A transcript with its exon structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    /// Stable id: the `transcript_id` attribute, else the GFF3 `ID`.
    pub id: String,
    /// Index of its gene in [`GeneModel::genes`].
    pub gene: usize,
    /// `transcript_biotype`, else `transcript_type` (GENCODE), else `biotype` (Ensembl
    /// GFF3), else the feature type (e.g. `mRNA`).
    pub biotype: Option<String>,
    /// Contig name as written in the file.
    pub contig: String,
    /// Strand.
    pub strand: Strand,
    /// Exons, sorted, with overlapping or abutting exons merged. When the file lists no exon
    /// for the transcript, its CDS and UTR segments serve as exons (e.g. RefSeq bacterial
    /// genes whose CDS hangs directly under the gene).
    pub exons: Vec<Segment>,
    /// Coding segments, sorted and merged, including stop codons (GTF lists `stop_codon`
    /// apart from `CDS`; GFF3 `CDS` includes it). Empty for a non-coding transcript.
    pub cds: Vec<Segment>,
}

impl Transcript {
    /// First base of the first exon to last base of the last exon.
    pub fn span(&self) -> Segment {
        let start = self.exons.first().map_or(0, |s| s.start);
        let end = self.exons.last().map_or(0, |s| s.end);
        Segment { start, end }
    }

    /// Whether the transcript has a coding sequence.
    pub fn is_coding(&self) -> bool {
        !self.cds.is_empty()
    }

    /// The exonic parts before the coding sequence in transcription order (5' UTR) and
    /// after it (3' UTR), derived from the exons and the CDS. Both empty when non-coding.
    pub fn utrs(&self) -> (Vec<Segment>, Vec<Segment>) {
        let (Some(first), Some(last)) = (self.cds.first(), self.cds.last()) else {
            return (Vec::new(), Vec::new());
        };
        let (cds_start, cds_end) = (first.start, last.end);
        let mut left = Vec::new();
        let mut right = Vec::new();
        for exon in &self.exons {
            if exon.start < cds_start {
                left.push(Segment {
                    start: exon.start,
                    end: exon.end.min(cds_start - 1),
                });
            }
            if exon.end > cds_end {
                right.push(Segment {
                    start: exon.start.max(cds_end + 1),
                    end: exon.end,
                });
            }
        }
        match self.strand {
            Strand::Reverse => (right, left),
            Strand::Forward | Strand::Unknown => (left, right),
        }
    }
}

/// Genes and transcripts of one annotation file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GeneModel {
    /// Genes that have at least one transcript, sorted by contig (in file order), start, end
    /// and id.
    pub genes: Vec<Gene>,
    /// Transcripts, sorted by contig (in file order), start, end, id and gene. A transcript
    /// with several parent genes (a polycistronic transcript) appears once per gene.
    pub transcripts: Vec<Transcript>,
    /// Genes in the file that have no transcript; they are not used for annotation.
    pub genes_without_transcripts: usize,
}

impl GeneModel {
    /// Reads a GFF3 or GTF file, plain or gzip/BGZF-compressed (told apart by content).
    ///
    /// ```no_run
    /// use provar_io::gene_model::GeneModel;
    /// let model = GeneModel::read(std::path::Path::new("genes.gff3.gz"))?;
    /// println!("{} genes, {} transcripts", model.genes.len(), model.transcripts.len());
    /// # Ok::<_, provar_io::gene_model::Error>(())
    /// ```
    pub fn read(path: &Path) -> Result<Self, Error> {
        reader::read(path).map(|(model, _)| model)
    }

    /// Like [`GeneModel::read`], also returning the format found.
    pub fn read_with_format(path: &Path) -> Result<(Self, Format), Error> {
        reader::read(path)
    }

    /// Parses GFF3 or GTF text; `name` stands for the file in error messages.
    ///
    /// ```
    /// use provar_io::gene_model::{GeneModel, Strand};
    /// let gff3 = "##gff-version 3\n\
    ///     1\t.\tgene\t100\t200\t.\t-\t.\tID=g1;Name=ABC;biotype=protein_coding\n\
    ///     1\t.\tmRNA\t100\t200\t.\t-\t.\tID=t1;Parent=g1\n\
    ///     1\t.\texon\t100\t120\t.\t-\t.\tParent=t1\n\
    ///     1\t.\texon\t180\t200\t.\t-\t.\tParent=t1\n";
    /// let model = GeneModel::from_text(gff3, "example.gff3")?;
    /// assert_eq!(model.genes[0].name.as_deref(), Some("ABC"));
    /// assert_eq!(model.transcripts[0].strand, Strand::Reverse);
    /// assert_eq!(model.transcripts[0].exons.len(), 2);
    /// # Ok::<_, provar_io::gene_model::Error>(())
    /// ```
    pub fn from_text(text: &str, name: &str) -> Result<Self, Error> {
        reader::read_from(text.as_bytes(), Path::new(name)).map(|(model, _)| model)
    }

    /// The contigs of the model, in file order.
    pub fn contigs(&self) -> Vec<&str> {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let mut out = Vec::new();
        for t in &self.transcripts {
            if seen.insert(t.contig.as_str(), ()).is_none() {
                out.push(t.contig.as_str());
            }
        }
        out
    }
}
