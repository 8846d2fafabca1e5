//! Overlap queries over transcripts: per contig, intervals sorted by start with a running
//! maximum of ends, searched by binary search and a short backward scan.

use std::collections::HashMap;

use crate::gene_model::{GeneModel, Segment};

#[derive(Debug, Default)]
struct ContigIndex {
    /// (start, end, transcript) sorted by start.
    intervals: Vec<(u64, u64, usize)>,
    /// `max_end[i]` = the largest end among `intervals[..=i]`.
    max_end: Vec<u64>,
}

/// Finds the transcripts whose span, widened by a flank on both sides, overlaps a query.
#[derive(Debug)]
pub struct TranscriptIndex {
    contigs: HashMap<String, ContigIndex>,
}

impl TranscriptIndex {
    /// Indexes every transcript of `model`, each widened by `flank` bases on both sides.
    pub fn new(model: &GeneModel, flank: u64) -> Self {
        let mut contigs: HashMap<String, ContigIndex> = HashMap::new();
        for (i, t) in model.transcripts.iter().enumerate() {
            let span = t.span();
            contigs
                .entry(t.contig.clone())
                .or_default()
                .intervals
                .push((
                    span.start.saturating_sub(flank).max(1),
                    span.end.saturating_add(flank),
                    i,
                ));
        }
        for index in contigs.values_mut() {
            index.intervals.sort_unstable();
            let mut running = 0;
            index.max_end = index
                .intervals
                .iter()
                .map(|&(_, end, _)| {
                    running = running.max(end);
                    running
                })
                .collect();
        }
        Self { contigs }
    }

    /// Whether the model has transcripts on `contig` (exact name).
    pub fn has_contig(&self, contig: &str) -> bool {
        self.contigs.contains_key(contig)
    }

    /// Indices (into [`GeneModel::transcripts`]) of the transcripts overlapping `query` on
    /// `contig`, in ascending order.
    pub fn overlapping(&self, contig: &str, query: Segment) -> Vec<usize> {
        let Some(index) = self.contigs.get(contig) else {
            return Vec::new();
        };
        // Intervals starting after the query's end cannot overlap.
        let mut i = index
            .intervals
            .partition_point(|&(start, _, _)| start <= query.end);
        let mut out = Vec::new();
        while i > 0 {
            i -= 1;
            if index.max_end[i] < query.start {
                break;
            }
            let (_, end, t) = index.intervals[i];
            if end >= query.start {
                out.push(t);
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exactly_the_overlapping_transcripts() {
        let mut text = String::new();
        // Nested and disjoint transcripts, including a long one that starts first.
        for (id, start, end) in [
            ("a", 10, 1000),
            ("b", 20, 30),
            ("c", 40, 50),
            ("d", 2000, 2100),
        ] {
            text.push_str(&format!(
                "1\t.\tmRNA\t{start}\t{end}\t.\t+\t.\tID={id}\n1\t.\texon\t{start}\t{end}\t.\t+\t.\tParent={id}\n"
            ));
        }
        let model = GeneModel::from_text(&text, "x.gff3").expect("parses");
        let index = TranscriptIndex::new(&model, 0);
        let ids = |start, end| -> Vec<&str> {
            index
                .overlapping("1", Segment { start, end })
                .into_iter()
                .map(|t| model.transcripts[t].id.as_str())
                .collect()
        };
        for (start, end) in [
            (1, 9),
            (1, 10),
            (25, 45),
            (51, 60),
            (1000, 1999),
            (1001, 1999),
            (2100, 3000),
        ] {
            let mut expected: Vec<&str> = model
                .transcripts
                .iter()
                .filter(|t| t.span().overlaps(Segment { start, end }))
                .map(|t| t.id.as_str())
                .collect();
            expected.sort_unstable();
            let mut found = ids(start, end);
            found.sort_unstable();
            assert_eq!(found, expected, "query {start}-{end}");
        }
        assert!(index
            .overlapping("2", Segment { start: 1, end: 100 })
            .is_empty());
        let flanked = TranscriptIndex::new(&model, 5);
        assert_eq!(
            flanked.overlapping("1", Segment { start: 5, end: 5 }).len(),
            1
        );
    }
}
