//! Re-sorting of rows after normalisation, the way `bcftools norm` keeps its output sorted.
//!
//! A normalised row can move left, before rows of earlier records. bcftools holds the rows
//! of the current contig in a buffer sorted by POS (a new row goes after every held row
//! with the same or a smaller POS, so ties keep input order) and, after each record, writes
//! out the rows at least 1,000 bases before the buffer's last POS; a new contig or the end of
//! the input writes out everything. [`SortWindow`] does the same, record by record, so its
//! order depends only on the input, never on chunk sizes or threads.

use std::collections::VecDeque;

use crate::rows::{Row, Site};

/// Rows this many bases before the last held POS are written out (bcftools' `--site-win`
/// default).
const WINDOW: u64 = 1000;

/// A held row: its POS after normalisation and where it is.
struct Entry {
    position: u64,
    site: u64,
    allele: usize,
}

/// A held record and how many of its rows are not written yet.
struct Held {
    site: Site,
    pending: usize,
}

/// Records whose rows are being re-sorted, and the rows ready to be written.
#[derive(Default)]
pub(crate) struct SortWindow {
    /// Held records, numbered from `first`.
    sites: VecDeque<Held>,
    first: u64,
    /// Held rows, sorted by POS (stable).
    order: VecDeque<Entry>,
    /// Rows ready, in output order.
    ready: Vec<(u64, usize)>,
}

impl SortWindow {
    fn held(&self, id: u64) -> &Held {
        &self.sites[(id - self.first) as usize]
    }

    /// Takes the next record (in file order) and moves the rows that can no longer be
    /// overtaken to the ready list.
    pub(crate) fn push(&mut self, site: Site) {
        let other_contig = self
            .order
            .back()
            .is_some_and(|last| self.held(last.site).site.contig() != site.contig());
        if other_contig {
            self.finish();
        }
        let id = self.first + self.sites.len() as u64;
        for (allele, a) in site.alleles.iter().enumerate() {
            let position = Row {
                site: &site,
                allele: a,
            }
            .position();
            let at = self.order.partition_point(|e| e.position <= position);
            self.order.insert(
                at,
                Entry {
                    position,
                    site: id,
                    allele,
                },
            );
        }
        self.sites.push_back(Held {
            pending: site.alleles.len(),
            site,
        });
        let last = self.order.back().map_or(0, |e| e.position);
        while let Some(e) = self.order.pop_front() {
            if last - e.position < WINDOW {
                self.order.push_front(e);
                break;
            }
            self.ready.push((e.site, e.allele));
        }
    }

    /// Moves every held row to the ready list (a new contig, or the end of the input).
    pub(crate) fn finish(&mut self) {
        self.ready
            .extend(self.order.drain(..).map(|e| (e.site, e.allele)));
    }

    /// The rows ready to be written, in output order.
    pub(crate) fn ready(&self) -> Vec<Row<'_>> {
        self.ready
            .iter()
            .map(|&(id, allele)| {
                let site = &self.held(id).site;
                Row {
                    site,
                    allele: &site.alleles[allele],
                }
            })
            .collect()
    }

    /// Forgets the ready rows (they have been written) and the records all of whose rows
    /// have been.
    pub(crate) fn release(&mut self) {
        for (id, _) in std::mem::take(&mut self.ready) {
            let index = (id - self.first) as usize;
            self.sites[index].pending -= 1;
        }
        while self.sites.front().is_some_and(|h| h.pending == 0) {
            self.sites.pop_front();
            self.first += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::Normalized;

    /// A record at `pos` with one row per ALT, each moved to the POS given (`None`: stays).
    fn site(contig: &str, pos: u64, moves: &[Option<u64>]) -> Site {
        let alts: Vec<&str> = ["C", "G", "T"][..moves.len()].to_vec();
        let line = format!("{contig}\t{pos}\t.\tA\t{}\t.\t.\t.", alts.join(","));
        let mut site =
            Site::from_line(&line, &provar_io::vcf::Layout::new(Vec::new())).expect("parses");
        let mut i = 0;
        site.normalize_with(|r, a| {
            let moved = moves[i].map(|position| Normalized {
                position,
                reference_bases: r.to_owned(),
                alternate_bases: a.map(str::to_owned),
                end: None,
            });
            i += 1;
            Ok::<_, ()>(moved)
        })
        .expect("infallible");
        site
    }

    /// Pushes every site, then finishes; returns contig:pos of the rows in output order,
    /// releasing after every push (as ingest does after every chunk, at most).
    fn order(sites: Vec<Site>) -> Vec<String> {
        let mut window = SortWindow::default();
        let mut out = Vec::new();
        let mut take = |w: &mut SortWindow| {
            out.extend(
                w.ready()
                    .iter()
                    .map(|r| format!("{}:{}", r.site.contig(), r.position())),
            );
            w.release();
        };
        for s in sites {
            window.push(s);
            take(&mut window);
        }
        window.finish();
        take(&mut window);
        assert!(window.sites.is_empty() && window.order.is_empty());
        out
    }

    #[test]
    fn moved_row_goes_before_earlier_rows_and_ties_keep_file_order() {
        let sites = vec![
            site("1", 100, &[None]),
            site("1", 105, &[None]),
            // Split rows: the second moves left past both earlier records.
            site("1", 110, &[None, Some(100)]),
            site("1", 120, &[None]),
        ];
        assert_eq!(order(sites), ["1:100", "1:100", "1:105", "1:110", "1:120"]);
    }

    #[test]
    fn rows_a_window_behind_are_written_and_cannot_be_overtaken() {
        let sites = vec![
            site("1", 100, &[None]),
            site("1", 1100, &[None]),
            // Moves before 100, but 100 was written when 1100 came: bcftools leaves it
            // unsorted too.
            site("1", 1150, &[Some(50)]),
        ];
        assert_eq!(order(sites), ["1:100", "1:50", "1:1100"]);
    }

    #[test]
    fn a_new_contig_writes_out_the_last_one() {
        let sites = vec![
            site("1", 500, &[None]),
            site("2", 10, &[None]),
            site("2", 20, &[Some(5)]),
        ];
        assert_eq!(order(sites), ["1:500", "2:5", "2:10"]);
    }
}
