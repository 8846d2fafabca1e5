//! The `annotate` stage: `variants` table and a gene model in, `annotations` table out.

use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
    sync::Arc,
};

use provar_io::{
    arrow_array::{Array, ArrayRef, RecordBatch, StringArray, UInt64Array},
    table::{self, column, Finished, Table, TableWriter},
};

use crate::{
    classify,
    gene_model::{self, Format, GeneModel, Segment},
    RegionClass, TranscriptIndex,
};

/// What to annotate and where.
#[derive(Clone, Debug)]
pub struct AnnotateConfig {
    /// Directory holding `variants.parquet`.
    pub tables_dir: PathBuf,
    /// Directory receiving `annotations.parquet`.
    pub out_dir: PathBuf,
    /// The gene model: GFF3 or GTF, plain or gzip/BGZF.
    pub genes: PathBuf,
    /// Bases beyond each transcript end reported as upstream/downstream; 0 (the default)
    /// reports none. Ensembl VEP uses 5,000.
    pub flank: u64,
}

/// Counts describing one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The gene-model format found.
    pub format: Format,
    /// Genes with at least one transcript.
    pub genes: usize,
    /// Transcripts.
    pub transcripts: usize,
    /// Genes in the file without any transcript (not used).
    pub genes_without_transcripts: usize,
    /// Variants read.
    pub variants: u64,
    /// Rows written.
    pub rows: u64,
    /// Variants per worst region class, most severe first (classes with no variant left out).
    pub worst_classes: Vec<(RegionClass, u64)>,
    /// Variant contigs that match no contig of the gene model (their variants are
    /// `intergenic`), in first-seen order.
    pub unmatched_contigs: Vec<String>,
}

/// The result of [`run`].
#[derive(Debug)]
pub struct Annotated {
    /// `annotations`, under its temporary name.
    pub tables: Vec<Finished>,
    /// Counts.
    pub summary: Summary,
}

/// An annotation failure.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    /// A table could not be read or written.
    #[error(transparent)]
    Table(#[from] table::Error),
    /// The gene model could not be read.
    #[error(transparent)]
    GeneModel(#[from] gene_model::Error),
    /// An in-memory Arrow batch could not be built (a bug, not bad input).
    #[error("building a table batch: {0}")]
    Arrow(#[from] provar_io::arrow_schema::ArrowError),
    /// The population sites file lacks a requested INFO key, or it is not one value per
    /// allele.
    #[error("population file {}: {problem}", path.display())]
    PopulationField {
        /// The population file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The gene model holds no transcript (no exon, CDS or UTR line with a parent).
    #[error("gene model {} has no transcripts: no exon, CDS or UTR line belongs to a transcript", path.display())]
    NoTranscripts {
        /// The file.
        path: PathBuf,
    },
}

/// The bases a variant touches (1-based, inclusive), used for overlap and classification.
///
/// REF and ALT are first trimmed of their common leading bases (the VCF anchor base of an
/// indel) and then of their common trailing bases, as Ensembl VEP does:
/// - SNVs, MNVs and deletions cover the REF bases left after trimming;
/// - an insertion (nothing of REF left) lies between two bases and touches both;
/// - a missing, `*` or symbolic ALT covers the whole REF span.
///
/// ```
/// use provar_annotate::{variant_span, Segment};
/// assert_eq!(variant_span(100, "A", Some("G")), Segment { start: 100, end: 100 });
/// assert_eq!(variant_span(100, "ACGT", Some("A")), Segment { start: 101, end: 103 });
/// assert_eq!(variant_span(100, "A", Some("ATT")), Segment { start: 100, end: 101 });
/// assert_eq!(variant_span(100, "A", Some("<DEL>")), Segment { start: 100, end: 100 });
/// ```
pub fn variant_span(position: u64, reference: &str, alternate: Option<&str>) -> Segment {
    let reference_length = reference.len().max(1) as u64;
    let whole = Segment {
        start: position,
        end: position + reference_length - 1,
    };
    let Some(alternate) = alternate else {
        return whole;
    };
    if alternate.is_empty()
        || alternate == "*"
        || alternate == "."
        || alternate.contains(['<', '[', ']'])
    {
        return whole;
    }
    let (r, a) = (reference.as_bytes(), alternate.as_bytes());
    let prefix = r
        .iter()
        .zip(a)
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count();
    if r.len() == a.len() && prefix == r.len() {
        return whole; // REF equals ALT: nothing to trim to.
    }
    let suffix = r[prefix..]
        .iter()
        .rev()
        .zip(a[prefix..].iter().rev())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count();
    let left = r.len() - prefix - suffix;
    let start = position + prefix as u64;
    if left == 0 {
        // Insertion between start - 1 and start.
        Segment {
            start: start.saturating_sub(1).max(1),
            end: start,
        }
    } else {
        Segment {
            start,
            end: start + left as u64 - 1,
        }
    }
}

/// Finds the model's name for a variant contig: the same name, else the name with the
/// `chr` prefix removed or added, else `MT` for `chrM` and `chrM` for `MT`.
pub fn match_contig(index: &TranscriptIndex, contig: &str) -> Option<String> {
    if index.has_contig(contig) {
        return Some(contig.to_owned());
    }
    let mut candidates = vec![match contig.strip_prefix("chr") {
        Some(bare) => bare.to_owned(),
        None => format!("chr{contig}"),
    }];
    match contig {
        "chrM" => candidates.push("MT".to_owned()),
        "MT" => candidates.push("chrM".to_owned()),
        _ => {}
    }
    candidates.into_iter().find(|c| index.has_contig(c))
}

/// Output columns, built row by row.
#[derive(Default)]
struct Rows<'m> {
    variant_index: Vec<u64>,
    variant_key: Vec<String>,
    gene_id: Vec<Option<&'m str>>,
    gene_name: Vec<Option<&'m str>>,
    gene_biotype: Vec<Option<&'m str>>,
    transcript_id: Vec<Option<&'m str>>,
    transcript_biotype: Vec<Option<&'m str>>,
    strand: Vec<Option<&'static str>>,
    region_class: Vec<&'static str>,
    worst_region_class: Vec<&'static str>,
}

impl Rows<'_> {
    fn len(&self) -> usize {
        self.variant_index.len()
    }

    fn into_batch(self) -> RecordBatch {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(self.variant_index)),
            Arc::new(StringArray::from_iter_values(self.variant_key)),
            Arc::new(StringArray::from(self.gene_id)),
            Arc::new(StringArray::from(self.gene_name)),
            Arc::new(StringArray::from(self.gene_biotype)),
            Arc::new(StringArray::from(self.transcript_id)),
            Arc::new(StringArray::from(self.transcript_biotype)),
            Arc::new(StringArray::from(self.strand)),
            Arc::new(StringArray::from(self.region_class)),
            Arc::new(StringArray::from(self.worst_region_class)),
        ];
        RecordBatch::try_new(Table::Annotations.schema(), columns)
            .expect("columns match the annotations schema")
    }
}

/// Reads the gene model and `variants`, assigns each variant its overlapping transcripts
/// and region classes, and writes `annotations`.
pub fn run(config: &AnnotateConfig) -> Result<Annotated, AnnotateError> {
    let (model, format) = GeneModel::read_with_format(&config.genes)?;
    if model.transcripts.is_empty() {
        return Err(AnnotateError::NoTranscripts {
            path: config.genes.clone(),
        });
    }
    let index = TranscriptIndex::new(&model, config.flank);
    // Transcript ids shared by several genes (polycistronic): such a row needs the variant
    // inside that gene too.
    let mut genes_of: HashMap<&str, usize> = HashMap::new();
    for t in &model.transcripts {
        *genes_of.entry(t.id.as_str()).or_default() += 1;
    }
    let shared: HashSet<&str> = genes_of
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(id, _)| id)
        .collect();

    let path = config.tables_dir.join(Table::Variants.file_name());
    let mut writer = TableWriter::create(&config.out_dir, Table::Annotations)?;
    let mut contigs: HashMap<String, Option<String>> = HashMap::new();
    let mut unmatched_contigs = Vec::new();
    let mut worst_counts: HashMap<RegionClass, u64> = HashMap::new();
    let (mut variants, mut rows_written) = (0u64, 0u64);
    for batch in table::read(&config.tables_dir, Table::Variants, 8192)? {
        let batch = batch?;
        let variant_index = column::<UInt64Array>(&batch, "variant_index", &path)?;
        let contig = column::<StringArray>(&batch, "contig", &path)?;
        let position = column::<UInt64Array>(&batch, "position", &path)?;
        let reference = column::<StringArray>(&batch, "reference_bases", &path)?;
        let alternate = column::<StringArray>(&batch, "alternate_bases", &path)?;
        let key = column::<StringArray>(&batch, "variant_key", &path)?;
        let mut rows = Rows::default();
        for row in 0..batch.num_rows() {
            variants += 1;
            let name = contig.value(row);
            let model_contig = match contigs.get(name) {
                Some(found) => found.clone(),
                None => {
                    let found = match_contig(&index, name);
                    if found.is_none() {
                        unmatched_contigs.push(name.to_owned());
                    }
                    contigs.insert(name.to_owned(), found.clone());
                    found
                }
            };
            let alt = (!alternate.is_null(row)).then(|| alternate.value(row));
            let span = variant_span(position.value(row), reference.value(row), alt);
            let mut hits: Vec<(usize, RegionClass)> = Vec::new();
            if let Some(c) = &model_contig {
                for t in index.overlapping(c, span) {
                    let transcript = &model.transcripts[t];
                    if shared.contains(transcript.id.as_str()) {
                        let gene = &model.genes[transcript.gene].span;
                        let widened = Segment {
                            start: gene.start.saturating_sub(config.flank),
                            end: gene.end.saturating_add(config.flank),
                        };
                        if !widened.overlaps(span) {
                            continue;
                        }
                    }
                    if let Some(class) = classify(transcript, span, config.flank) {
                        hits.push((t, class));
                    }
                }
            }
            hits.sort_by(|a, b| {
                let (ta, tb) = (&model.transcripts[a.0], &model.transcripts[b.0]);
                (&ta.id, &model.genes[ta.gene].id).cmp(&(&tb.id, &model.genes[tb.gene].id))
            });
            let worst = hits
                .iter()
                .map(|&(_, c)| c)
                .max()
                .unwrap_or(RegionClass::Intergenic);
            *worst_counts.entry(worst).or_default() += 1;
            let push_common = |rows: &mut Rows, class: RegionClass| {
                rows.variant_index.push(variant_index.value(row));
                rows.variant_key.push(key.value(row).to_owned());
                rows.region_class.push(class.as_str());
                rows.worst_region_class.push(worst.as_str());
            };
            if hits.is_empty() {
                push_common(&mut rows, RegionClass::Intergenic);
                rows.gene_id.push(None);
                rows.gene_name.push(None);
                rows.gene_biotype.push(None);
                rows.transcript_id.push(None);
                rows.transcript_biotype.push(None);
                rows.strand.push(None);
            }
            for (t, class) in hits {
                let transcript = &model.transcripts[t];
                let gene = &model.genes[transcript.gene];
                push_common(&mut rows, class);
                rows.gene_id.push(Some(&gene.id));
                rows.gene_name.push(gene.name.as_deref());
                rows.gene_biotype.push(gene.biotype.as_deref());
                rows.transcript_id.push(Some(&transcript.id));
                rows.transcript_biotype.push(transcript.biotype.as_deref());
                rows.strand.push(Some(transcript.strand.as_str()));
            }
        }
        rows_written += rows.len() as u64;
        writer.write(&rows.into_batch())?;
    }
    let worst_classes = RegionClass::ALL
        .iter()
        .filter_map(|c| worst_counts.get(c).map(|&n| (*c, n)))
        .collect();
    Ok(Annotated {
        tables: vec![writer.finish()?],
        summary: Summary {
            format,
            genes: model.genes.len(),
            transcripts: model.transcripts.len(),
            genes_without_transcripts: model.genes_without_transcripts,
            variants,
            rows: rows_written,
            worst_classes,
            unmatched_contigs,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_indels_and_mnvs() {
        let s = |start, end| Segment { start, end };
        // MNV with a shared middle base keeps the outer changed bases.
        assert_eq!(variant_span(10, "ACG", Some("TCA")), s(10, 12));
        // MNV with shared first base trims it.
        assert_eq!(variant_span(10, "AC", Some("AT")), s(11, 11));
        // Complex deletion.
        assert_eq!(variant_span(10, "ACGT", Some("AG")), s(11, 13));
        // Deletion written with a trailing shared base.
        assert_eq!(variant_span(10, "CAAG", Some("CG")), s(11, 12));
        // Insertion at position 1 without an anchor base touches base 1 only.
        assert_eq!(variant_span(1, "A", Some("TA")), s(1, 1));
        // Missing ALT, spanning deletion and breakends: the REF span.
        assert_eq!(variant_span(10, "AC", None), s(10, 11));
        assert_eq!(variant_span(10, "A", Some("*")), s(10, 10));
        assert_eq!(variant_span(10, "A", Some("A]2:100]")), s(10, 10));
    }
}
