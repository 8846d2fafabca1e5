//! Stage `annotate`: assigns each variant of the `variants` table the genes and transcripts
//! it overlaps, and where in each transcript it falls (CDS, UTR, splice site or region,
//! intron, non-coding exon), from a GFF3 or GTF gene model; writes the `annotations` table.
//!
//! It uses provar-io's gene-model parsing ([`gene_model`]: GFF3 and GTF, plain or gzip/BGZF, with
//! file:line errors), the transcript overlap index ([`TranscriptIndex`]) and the region
//! classes ([`RegionClass`], [`classify`]). It does not read the reference sequence, so it
//! does not predict protein consequences (missense, stop-gained, frameshift); those, when a
//! VCF already carries them (VEP's CSQ, SnpEff's ANN, bcftools/csq's BCSQ), are split into
//! the `consequences` table by [`consequence::run`].
//!
//! ```
//! use provar_annotate::{classify, variant_span, GeneModel, RegionClass};
//! let gtf = "21\thavana\texon\t100\t200\t.\t+\t.\tgene_id \"G1\"; transcript_id \"T1\"; gene_name \"ABC\";\n\
//!            21\thavana\texon\t300\t400\t.\t+\t.\tgene_id \"G1\"; transcript_id \"T1\";\n";
//! let model = GeneModel::from_text(gtf, "genes.gtf")?;
//! let t = &model.transcripts[0];
//! assert_eq!(model.genes[t.gene].name.as_deref(), Some("ABC"));
//! let span = variant_span(250, "C", Some("T"));
//! assert_eq!(classify(t, span, 0), Some(RegionClass::Intron));
//! # Ok::<_, provar_annotate::gene_model::Error>(())
//! ```

pub mod consequence;
pub mod population;
pub use provar_io::gene_model;
mod index;
mod region_class;
mod stage;

pub use gene_model::{Gene, GeneModel, Segment, Strand, Transcript};
pub use index::TranscriptIndex;
pub use region_class::{
    classify, RegionClass, SPLICE_REGION_EXON_BASES, SPLICE_REGION_INTRON_BASES, SPLICE_SITE_BASES,
};
pub use stage::{
    match_contig, run, variant_span, AnnotateConfig, AnnotateError, Annotated, Summary,
};
