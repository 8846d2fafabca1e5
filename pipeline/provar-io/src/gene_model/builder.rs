//! Turns parsed lines into genes and transcripts.
//!
//! GFF3: a transcript is any feature that is the `Parent` of an exon, CDS, UTR or
//! start/stop codon line, whatever its type (`mRNA`, `transcript`, `lincRNA`,
//! `pseudogene`, …); its gene is the top of its `Parent` chain, or the transcript itself
//! when it has no parent (RefSeq bacterial CDS under a gene). Lines may come in any order
//! (children before parents), and lines sharing an `ID` form one feature.
//!
//! GTF: transcripts and genes are keyed by `transcript_id` and `gene_id`; `gene` and
//! `transcript` lines are optional.

use std::collections::HashMap;

use super::{
    gff, gtf,
    reader::{unescape, Line},
    Gene, GeneModel, ParseError, Segment, Strand, Transcript,
};

/// What a sub-feature line contributes to its transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Exon,
    Cds,
    Utr,
}

fn part_of(kind: &str) -> Option<Part> {
    match kind.to_ascii_lowercase().as_str() {
        "exon" | "noncoding_exon" | "pseudogenic_exon" | "coding_exon" => Some(Part::Exon),
        "cds" | "start_codon" | "stop_codon" => Some(Part::Cds),
        "five_prime_utr" | "three_prime_utr" | "utr" | "5utr" | "3utr" | "utr5" | "utr3" => {
            Some(Part::Utr)
        }
        _ => None,
    }
}

/// A transcript before sorting and merging.
#[derive(Debug, Default)]
struct RawTranscript {
    id: String,
    biotype: Option<String>,
    contig: String,
    strand: Option<Strand>,
    exons: Vec<Segment>,
    cds: Vec<Segment>,
    utrs: Vec<Segment>,
}

impl RawTranscript {
    fn add(&mut self, part: Part, span: Segment) {
        match part {
            Part::Exon => self.exons.push(span),
            Part::Cds => self.cds.push(span),
            Part::Utr => self.utrs.push(span),
        }
    }
}

/// Sorts and merges overlapping or abutting segments.
fn merge(mut segments: Vec<Segment>) -> Vec<Segment> {
    segments.sort_unstable();
    let mut out: Vec<Segment> = Vec::with_capacity(segments.len());
    for s in segments {
        match out.last_mut() {
            Some(last) if s.start <= last.end.saturating_add(1) => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// Sorts genes and transcripts and links them by index.
fn finish(
    genes: Vec<Gene>,
    transcripts: Vec<(usize, RawTranscript)>,
    contig_order: &HashMap<String, usize>,
    genes_without_transcripts: usize,
) -> GeneModel {
    let contig_rank = |c: &str| contig_order.get(c).copied().unwrap_or(usize::MAX);
    let mut built: Vec<(usize, Transcript)> = Vec::new();
    for (gene, raw) in transcripts {
        let cds = merge(raw.cds);
        let mut exons = merge(raw.exons);
        if exons.is_empty() {
            exons = merge(cds.iter().copied().chain(raw.utrs).collect());
        }
        if exons.is_empty() {
            continue;
        }
        built.push((
            gene,
            Transcript {
                id: raw.id,
                gene,
                biotype: raw.biotype,
                contig: raw.contig,
                strand: raw.strand.unwrap_or(Strand::Unknown),
                exons,
                cds,
            },
        ));
    }
    // Keep only genes with a transcript, sorted; renumber.
    let mut used = vec![false; genes.len()];
    for (g, _) in &built {
        used[*g] = true;
    }
    let mut order: Vec<usize> = (0..genes.len()).filter(|&g| used[g]).collect();
    order.sort_by(|&a, &b| {
        let (ga, gb) = (&genes[a], &genes[b]);
        (contig_rank(&ga.contig), ga.span, &ga.id).cmp(&(contig_rank(&gb.contig), gb.span, &gb.id))
    });
    let mut new_index = vec![usize::MAX; genes.len()];
    for (i, &g) in order.iter().enumerate() {
        new_index[g] = i;
    }
    let unused = used.iter().filter(|u| !**u).count();
    let mut genes_in = genes.into_iter().map(Some).collect::<Vec<_>>();
    let genes: Vec<Gene> = order
        .iter()
        .filter_map(|&g| genes_in.get_mut(g).and_then(Option::take))
        .collect();
    let mut transcripts: Vec<Transcript> = built
        .into_iter()
        .map(|(g, mut t)| {
            t.gene = new_index[g];
            t
        })
        .collect();
    transcripts.sort_by(|a, b| {
        (contig_rank(&a.contig), a.span(), &a.id, a.gene).cmp(&(
            contig_rank(&b.contig),
            b.span(),
            &b.id,
            b.gene,
        ))
    });
    GeneModel {
        genes,
        transcripts,
        genes_without_transcripts: genes_without_transcripts + unused,
    }
}

fn first_of<'a>(values: &'a HashMap<String, String>, keys: &[&str]) -> Option<&'a String> {
    keys.iter()
        .find_map(|k| values.get(*k))
        .filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------------------
// GFF3

/// A GFF3 feature with an `ID` (possibly over several lines).
#[derive(Debug)]
struct Feature {
    seqid: String,
    kind: String,
    span: Segment,
    strand: Strand,
    /// First value of each kept attribute of the first line.
    attributes: HashMap<String, String>,
    /// Interned `Parent` ids.
    parents: Vec<u32>,
    line: u64,
}

/// A GFF3 exon/CDS/UTR line.
#[derive(Debug)]
struct Child {
    /// Index of the seqid in [`Gff3Builder::contig_order`].
    contig: usize,
    part: Part,
    span: Segment,
    /// Interned `Parent` ids.
    parents: Vec<u32>,
    line: u64,
}

/// Collects GFF3 lines. `ID` and `Parent` values are interned, so a genome-wide file keeps
/// one copy of each id.
#[derive(Debug, Default)]
pub(crate) struct Gff3Builder {
    names: Vec<String>,
    name_index: HashMap<String, u32>,
    features: HashMap<u32, Feature>,
    children: Vec<Child>,
    contig_order: HashMap<String, usize>,
}

/// Attributes kept from GFF3 feature lines.
const GFF3_KEPT: [&str; 10] = [
    "ID",
    "Name",
    "gene_id",
    "gene_name",
    "gene",
    "biotype",
    "gene_biotype",
    "gene_type",
    "transcript_id",
    "transcript_biotype",
];

impl Gff3Builder {
    fn intern(&mut self, name: String) -> u32 {
        if let Some(&i) = self.name_index.get(&name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.clone());
        self.name_index.insert(name, i);
        i
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    fn missing(&self, id: u32) -> ParseError {
        ParseError::MissingParent(self.name(id).to_owned())
    }

    pub(crate) fn push(&mut self, line: Line<'_>, number: u64) -> Result<(), ParseError> {
        let n = self.contig_order.len();
        let contig = *self.contig_order.entry(line.seqid.clone()).or_insert(n);
        let mut id = None;
        let mut parent_names: Vec<String> = Vec::new();
        let mut kept = HashMap::new();
        for item in gff::items(line.attributes) {
            let (tag, values) = item?;
            let tag = unescape(tag);
            let first = || unescape(values.split(',').next().unwrap_or_default());
            match tag.as_str() {
                "ID" => id = Some(first()),
                "Parent" => parent_names = values.split(',').map(unescape).collect(),
                "transcript_type" => {
                    kept.entry("transcript_biotype".to_owned())
                        .or_insert_with(first);
                }
                t if GFF3_KEPT.contains(&t) => {
                    kept.entry(tag).or_insert_with(first);
                }
                _ => {}
            }
        }
        let parents: Vec<u32> = parent_names
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(|p| self.intern(p))
            .collect();
        if let Some(part) = part_of(&line.kind) {
            if !parents.is_empty() {
                self.children.push(Child {
                    contig,
                    part,
                    span: line.span,
                    parents,
                    line: number,
                });
            }
            return Ok(());
        }
        let Some(id) = id.filter(|id| !id.is_empty()) else {
            return Ok(());
        };
        let id = self.intern(id);
        match self.features.get_mut(&id) {
            Some(existing) => {
                // Another line of a multi-line feature: widen the span.
                if existing.seqid == line.seqid {
                    existing.span.start = existing.span.start.min(line.span.start);
                    existing.span.end = existing.span.end.max(line.span.end);
                }
            }
            None => {
                self.features.insert(
                    id,
                    Feature {
                        seqid: line.seqid,
                        kind: line.kind,
                        span: line.span,
                        strand: line.strand,
                        attributes: kept,
                        parents,
                        line: number,
                    },
                );
            }
        }
        Ok(())
    }

    /// The top of `id`'s first-parent chain.
    fn root(&self, id: u32, line: u64) -> Result<u32, (u64, ParseError)> {
        let mut current = id;
        for _ in 0..64 {
            let feature = self
                .features
                .get(&current)
                .ok_or_else(|| (line, self.missing(current)))?;
            match feature.parents.first() {
                Some(&parent) => {
                    if !self.features.contains_key(&parent) {
                        return Err((feature.line, self.missing(parent)));
                    }
                    current = parent;
                }
                None => return Ok(current),
            }
        }
        Err((line, ParseError::ParentCycle(self.name(id).to_owned())))
    }

    pub(crate) fn finish(self) -> Result<GeneModel, (u64, ParseError)> {
        // Transcript id -> sub-feature lines, in first-seen order.
        let mut order: Vec<u32> = Vec::new();
        let mut parts: HashMap<u32, Vec<&Child>> = HashMap::new();
        for child in &self.children {
            for &parent in &child.parents {
                if !self.features.contains_key(&parent) {
                    return Err((child.line, self.missing(parent)));
                }
                let entry = parts.entry(parent).or_default();
                if entry.is_empty() {
                    order.push(parent);
                }
                entry.push(child);
            }
        }
        let mut genes: Vec<Gene> = Vec::new();
        let mut gene_index: HashMap<u32, usize> = HashMap::new();
        let mut transcripts: Vec<(usize, RawTranscript)> = Vec::new();
        for key in order {
            let Some(feature) = self.features.get(&key) else {
                continue;
            };
            let mut gene_keys: Vec<u32> = Vec::new();
            if feature.parents.is_empty() {
                gene_keys.push(key);
            }
            for &parent in &feature.parents {
                if !self.features.contains_key(&parent) {
                    return Err((feature.line, self.missing(parent)));
                }
                let root = self.root(parent, feature.line)?;
                if !gene_keys.contains(&root) {
                    gene_keys.push(root);
                }
            }
            let a = &feature.attributes;
            let transcript = || RawTranscript {
                id: first_of(a, &["transcript_id", "ID"])
                    .map_or_else(|| self.name(key).to_owned(), Clone::clone),
                biotype: first_of(a, &["transcript_biotype", "biotype"])
                    .cloned()
                    .or_else(|| Some(feature.kind.clone())),
                contig: feature.seqid.clone(),
                strand: Some(feature.strand),
                ..RawTranscript::default()
            };
            for gene_key in gene_keys {
                let g = match gene_index.get(&gene_key) {
                    Some(&g) => g,
                    None => {
                        let Some(f) = self.features.get(&gene_key) else {
                            continue;
                        };
                        let ga = &f.attributes;
                        genes.push(Gene {
                            id: first_of(ga, &["gene_id", "ID"])
                                .map_or_else(|| self.name(gene_key).to_owned(), Clone::clone),
                            name: first_of(ga, &["gene_name", "Name", "gene"]).cloned(),
                            biotype: first_of(ga, &["gene_biotype", "gene_type", "biotype"])
                                .cloned(),
                            contig: f.seqid.clone(),
                            strand: f.strand,
                            span: f.span,
                        });
                        gene_index.insert(gene_key, genes.len() - 1);
                        genes.len() - 1
                    }
                };
                let mut raw = transcript();
                let contig = self.contig_order.get(&raw.contig).copied();
                for child in parts.get(&key).into_iter().flatten() {
                    // A part on another contig (trans-splicing) is not used.
                    if Some(child.contig) == contig {
                        raw.add(child.part, child.span);
                    }
                }
                transcripts.push((g, raw));
            }
        }
        let genes_without_transcripts = self
            .features
            .iter()
            .filter(|(id, f)| {
                let kind = f.kind.to_ascii_lowercase();
                f.parents.is_empty()
                    && (kind == "gene" || kind.ends_with("_gene") || kind == "pseudogene")
                    && !gene_index.contains_key(id)
            })
            .count();
        Ok(finish(
            genes,
            transcripts,
            &self.contig_order,
            genes_without_transcripts,
        ))
    }
}

// ---------------------------------------------------------------------------------------
// GTF

#[derive(Debug)]
struct GtfGene {
    gene: Gene,
    /// Whether a `gene` line gave the span.
    has_line: bool,
}

/// Collects GTF lines.
#[derive(Debug, Default)]
pub(crate) struct GtfBuilder {
    genes: Vec<GtfGene>,
    gene_index: HashMap<String, usize>,
    transcripts: Vec<(usize, RawTranscript)>,
    transcript_index: HashMap<String, usize>,
    contig_order: HashMap<String, usize>,
}

impl GtfBuilder {
    pub(crate) fn push(&mut self, line: Line<'_>, _number: u64) -> Result<(), ParseError> {
        let mut attributes: HashMap<String, String> = HashMap::new();
        for (key, value) in gtf::parse_attributes(line.attributes)? {
            attributes.entry(key).or_insert(value);
        }
        let n = self.contig_order.len();
        self.contig_order.entry(line.seqid.clone()).or_insert(n);
        let gene_id = attributes
            .get("gene_id")
            .filter(|v| !v.is_empty())
            .ok_or(ParseError::MissingAttribute("gene_id"))?
            .clone();
        let is_gene_line = line.kind.eq_ignore_ascii_case("gene");
        let g = match self.gene_index.get(&gene_id) {
            Some(&g) => g,
            None => {
                self.genes.push(GtfGene {
                    gene: Gene {
                        id: gene_id.clone(),
                        name: first_of(&attributes, &["gene_name"]).cloned(),
                        biotype: first_of(&attributes, &["gene_biotype", "gene_type"]).cloned(),
                        contig: line.seqid.clone(),
                        strand: line.strand,
                        span: line.span,
                    },
                    has_line: false,
                });
                self.gene_index
                    .insert(gene_id.clone(), self.genes.len() - 1);
                self.genes.len() - 1
            }
        };
        if is_gene_line {
            let gene = &mut self.genes[g];
            if gene.has_line {
                gene.gene.span.start = gene.gene.span.start.min(line.span.start);
                gene.gene.span.end = gene.gene.span.end.max(line.span.end);
            } else {
                gene.gene.span = line.span;
                gene.gene.strand = line.strand;
                gene.has_line = true;
            }
            return Ok(());
        }
        let part = part_of(&line.kind);
        let is_transcript_line = line.kind.eq_ignore_ascii_case("transcript");
        if part.is_none() && !is_transcript_line {
            return Ok(());
        }
        let transcript_ids = attributes
            .get("transcript_id")
            .filter(|v| !v.is_empty())
            .ok_or(ParseError::MissingAttribute("transcript_id"))?
            .clone();
        // A comma-separated transcript_id lists several transcripts sharing the line, as
        // Ensembl VEP's test GTF writes a shared exon (real transcript ids have no comma).
        for transcript_id in transcript_ids
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            self.push_to_transcript(transcript_id, g, &gene_id, &attributes, &line, part)?;
        }
        Ok(())
    }

    fn push_to_transcript(
        &mut self,
        transcript_id: &str,
        g: usize,
        gene_id: &str,
        attributes: &HashMap<String, String>,
        line: &Line<'_>,
        part: Option<Part>,
    ) -> Result<(), ParseError> {
        let t = match self.transcript_index.get(transcript_id) {
            Some(&t) => {
                let known = &self.genes[self.transcripts[t].0].gene.id;
                if known != gene_id {
                    return Err(ParseError::ConflictingGene {
                        transcript: transcript_id.to_owned(),
                        expected: known.clone(),
                        found: gene_id.to_owned(),
                    });
                }
                t
            }
            None => {
                self.transcripts.push((
                    g,
                    RawTranscript {
                        id: transcript_id.to_owned(),
                        biotype: None,
                        contig: line.seqid.clone(),
                        strand: Some(line.strand),
                        ..RawTranscript::default()
                    },
                ));
                self.transcript_index
                    .insert(transcript_id.to_owned(), self.transcripts.len() - 1);
                self.transcripts.len() - 1
            }
        };
        let raw = &mut self.transcripts[t].1;
        if raw.biotype.is_none() {
            raw.biotype = first_of(attributes, &["transcript_biotype", "transcript_type"]).cloned();
        }
        if let Some(part) = part {
            if raw.contig == line.seqid {
                raw.add(part, line.span);
            }
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<GeneModel, (u64, ParseError)> {
        let mut genes: Vec<Gene> = Vec::with_capacity(self.genes.len());
        let mut hull: Vec<Option<Segment>> = vec![None; self.genes.len()];
        for (g, raw) in &self.transcripts {
            for s in raw.exons.iter().chain(&raw.cds).chain(&raw.utrs) {
                let h = hull[*g].get_or_insert(*s);
                h.start = h.start.min(s.start);
                h.end = h.end.max(s.end);
            }
        }
        for (g, gene) in self.genes.into_iter().enumerate() {
            let mut out = gene.gene;
            if !gene.has_line {
                if let Some(h) = hull[g] {
                    out.span = h;
                }
            }
            genes.push(out);
        }
        Ok(finish(genes, self.transcripts, &self.contig_order, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_joins_overlapping_and_abutting() {
        let s = |start, end| Segment { start, end };
        assert_eq!(
            merge(vec![s(149, 200), s(100, 150), s(300, 310), s(201, 210)]),
            vec![s(100, 210), s(300, 310)]
        );
    }
}
