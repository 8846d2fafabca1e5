//! Inheritance modes over families of any shape, with slivar's definitions and genotype
//! gates.

use std::collections::BTreeMap;

use provar_core::pedigree::{Phenotype, Sex};

use crate::mendel::{contig_kind, in_par, Build, ContigKind};
use provar_io::sites::{Call, Gt, Site};

/// Genotype-quality gates. A gate set to 0 or `None` is off.
#[derive(Clone, Debug, PartialEq)]
pub struct Gates {
    /// Minimum GQ of every family member whose genotype a mode uses (a missing GQ fails).
    pub min_gq: i32,
    /// Minimum FORMAT DP of those members (a missing DP fails).
    pub min_dp: i32,
    /// For de novo calls: at most this many alternate reads in the two parents together
    /// (AD of the alternate allele; a missing AD counts 0).
    pub max_parent_alt_reads: Option<i32>,
    /// For heterozygous calls of affected individuals: allele balance alt/(ref+alt) within
    /// this closed range (a missing AD fails).
    pub het_allele_balance: Option<(f64, f64)>,
    /// Only sites whose FILTER is PASS (or `.`).
    pub pass_only: bool,
    /// Minimum INFO/DP of the site (a missing INFO/DP fails).
    pub min_info_dp: Option<i32>,
}

impl Default for Gates {
    /// The documented defaults: GQ ≥ 20, DP ≥ 10, parents' alternate reads ≤ 5 for de novo
    /// calls, heterozygous allele balance 0.2–0.8, PASS sites only, no INFO/DP gate.
    fn default() -> Self {
        Gates {
            min_gq: 20,
            min_dp: 10,
            max_parent_alt_reads: Some(5),
            het_allele_balance: Some((0.2, 0.8)),
            pass_only: true,
            min_info_dp: None,
        }
    }
}

impl Gates {
    /// Every gate off: genotypes alone decide.
    pub fn none() -> Self {
        Gates {
            min_gq: 0,
            min_dp: 0,
            max_parent_alt_reads: None,
            het_allele_balance: None,
            pass_only: false,
            min_info_dp: None,
        }
    }

    fn quality(&self, call: &Call) -> bool {
        (self.min_gq <= 0 || call.gq.is_some_and(|q| q >= self.min_gq))
            && (self.min_dp <= 0 || call.dp.is_some_and(|d| d >= self.min_dp))
    }

    fn het(&self, call: &Call) -> bool {
        call.gt == Gt::Het
            && self.quality(call)
            && self
                .het_allele_balance
                .is_none_or(|(lo, hi)| call.allele_balance().is_some_and(|ab| ab >= lo && ab <= hi))
    }

    fn site(&self, site: &Site) -> bool {
        (!self.pass_only || site.pass)
            && self
                .min_info_dp
                .is_none_or(|min| site.info_dp.is_some_and(|dp| dp >= min))
    }
}

/// An inheritance mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// Heterozygous in an affected child, homozygous reference in both parents (autosomes
    /// and PAR).
    DeNovo,
    /// On non-PAR X: heterozygous in an affected daughter or alternate in an affected son,
    /// reference in both parents.
    XDeNovo,
    /// Homozygous alternate in every affected member, not in any unaffected one, and
    /// heterozygous in the (unaffected) parents of the affected (families with at least
    /// two sequenced members, as for the other family-wide modes).
    Recessive,
    /// On non-PAR X: alternate in every affected member, not in unaffected males;
    /// heterozygous in the mothers of affected sons.
    XRecessive,
    /// Heterozygous in every affected member, reference in every unaffected one, and seen
    /// passing from an affected parent to an affected child.
    Dominant,
    /// Two heterozygous variants in one gene of an affected child, one from each parent
    /// (or one de novo), not both carried by an unaffected sibling.
    CompoundHet,
}

impl Mode {
    /// The name written in `candidates.parquet`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::DeNovo => "de_novo",
            Mode::XDeNovo => "x_de_novo",
            Mode::Recessive => "recessive",
            Mode::XRecessive => "x_recessive",
            Mode::Dominant => "dominant",
            Mode::CompoundHet => "compound_het",
        }
    }
}

/// A family member present in the tables.
#[derive(Clone, Debug)]
pub struct Member {
    /// Sample id.
    pub id: String,
    /// Position in the site's `calls`.
    pub slot: usize,
    /// Sex from the pedigree.
    pub sex: Sex,
    /// Affection status from the pedigree.
    pub phenotype: Phenotype,
    /// The father's member index, when he is in the tables.
    pub father: Option<usize>,
    /// The mother's member index, when she is in the tables.
    pub mother: Option<usize>,
}

/// A family as the tables see it.
#[derive(Clone, Debug)]
pub struct Family {
    /// Family id.
    pub id: String,
    /// Members present in the tables.
    pub members: Vec<Member>,
    /// Indices of the probands: affected members, or, in a family where nobody is
    /// affected, every member with a parent in the tables.
    pub probands: Vec<usize>,
}

/// One candidate row.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Family id.
    pub family: String,
    /// Mode.
    pub mode: Mode,
    /// The proband(s) (comma-separated for family-wide modes).
    pub samples: String,
    /// `variant_index`.
    pub variant_index: u64,
    /// `variant_key`.
    pub variant_key: String,
    /// The gene (compound het: the gene the pair shares; others: the first BCSQ gene).
    pub gene: Option<String>,
    /// Compound het: the keys of the partner variants.
    pub partners: Option<String>,
    /// `sample:GT:DP:GQ:AB` of every family member, `;`-separated.
    pub evidence: String,
}

/// Where a compound-het variant of a proband came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Father,
    Mother,
    DeNovo,
}

/// A heterozygous site of a proband, kept for pairing within genes.
#[derive(Clone, Debug)]
struct HetSite {
    index: u64,
    key: String,
    origin: Origin,
    evidence: String,
    /// Unaffected full siblings heterozygous here.
    sibling_carriers: Vec<usize>,
}

/// Finds candidates site by site; compound hets are paired at the end.
pub struct Finder {
    families: Vec<Family>,
    gates: Gates,
    build: Build,
    /// (family, proband, gene) -> heterozygous sites.
    het_sites: BTreeMap<(usize, usize, String), Vec<HetSite>>,
    /// Candidates found so far.
    pub candidates: Vec<Candidate>,
}

fn evidence(family: &Family, site: &Site) -> String {
    family
        .members
        .iter()
        .map(|m| {
            let c = &site.calls[m.slot];
            let show = |v: Option<i32>| v.map_or_else(|| ".".to_owned(), |v| v.to_string());
            let ab = c
                .allele_balance()
                .map_or_else(|| ".".to_owned(), |ab| format!("{ab:.2}"));
            format!(
                "{}:{}:{}:{}:{}",
                m.id,
                c.gt.text(),
                show(c.dp),
                show(c.gq),
                ab
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

impl Finder {
    /// A finder for `families`.
    pub fn new(families: Vec<Family>, gates: Gates, build: Build) -> Self {
        Finder {
            families,
            gates,
            build,
            het_sites: BTreeMap::new(),
            candidates: Vec::new(),
        }
    }

    /// Examines one site in every family.
    pub fn site(&mut self, site: &Site) {
        if !self.gates.site(site) || site.alternate.is_none() {
            return;
        }
        let kind = contig_kind(&site.contig);
        if kind == ContigKind::Mito {
            return;
        }
        let par = in_par(kind, site.position, self.build);
        let sex_linked_x = kind == ContigKind::X && !par;
        let autosomal = kind == ContigKind::Autosome || par;
        for f in 0..self.families.len() {
            let family = &self.families[f];
            let call = |m: usize| &site.calls[family.members[m].slot];
            let mut found: Vec<(Mode, String)> = Vec::new();
            for &p in &family.probands {
                let member = &family.members[p];
                let (Some(dad), Some(mom)) = (member.father, member.mother) else {
                    continue;
                };
                let (kid, d, m) = (call(p), call(dad), call(mom));
                let parents_ref = d.gt == Gt::HomRef
                    && m.gt == Gt::HomRef
                    && self.gates.quality(d)
                    && self.gates.quality(m)
                    && self.gates.max_parent_alt_reads.is_none_or(|max| {
                        d.ad_alt.unwrap_or(0).max(0) + m.ad_alt.unwrap_or(0).max(0) <= max
                    });
                if autosomal && parents_ref && self.gates.het(kid) {
                    found.push((Mode::DeNovo, member.id.clone()));
                }
                if sex_linked_x && parents_ref {
                    let kid_ok = match member.sex {
                        Sex::Female => self.gates.het(kid),
                        Sex::Male => kid.gt == Gt::HomAlt && self.gates.quality(kid),
                        Sex::Unknown => false,
                    };
                    if kid_ok {
                        found.push((Mode::XDeNovo, member.id.clone()));
                    }
                }
            }
            let affected: Vec<usize> = family.probands.clone();
            // Segregation needs relatives: a family of one sequenced sample says nothing.
            if !affected.is_empty() && family.members.len() >= 2 {
                let names = affected
                    .iter()
                    .map(|&a| family.members[a].id.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                let unaffected: Vec<usize> = (0..family.members.len())
                    .filter(|i| !affected.contains(i))
                    .collect();
                if autosomal && self.recessive(family, site, &affected, &unaffected) {
                    found.push((Mode::Recessive, names.clone()));
                }
                if sex_linked_x && self.x_recessive(family, site, &affected, &unaffected) {
                    found.push((Mode::XRecessive, names.clone()));
                }
                if autosomal && self.dominant(family, site, &affected, &unaffected) {
                    found.push((Mode::Dominant, names));
                }
            }
            if !found.is_empty() {
                let ev = evidence(family, site);
                for (mode, samples) in found {
                    self.candidates.push(Candidate {
                        family: family.id.clone(),
                        mode,
                        samples,
                        variant_index: site.index,
                        variant_key: site.key.clone(),
                        gene: site.genes.first().cloned(),
                        partners: None,
                        evidence: ev.clone(),
                    });
                }
            }
            if autosomal && !site.genes.is_empty() {
                self.collect_het(f, site);
            }
        }
    }

    fn recessive(
        &self,
        family: &Family,
        site: &Site,
        affected: &[usize],
        unaffected: &[usize],
    ) -> bool {
        let call = |m: usize| &site.calls[family.members[m].slot];
        affected
            .iter()
            .all(|&a| call(a).gt == Gt::HomAlt && self.gates.quality(call(a)))
            && unaffected.iter().all(|&u| call(u).gt != Gt::HomAlt)
            && affected.iter().all(|&a| {
                let member = &family.members[a];
                [member.father, member.mother]
                    .into_iter()
                    .flatten()
                    .filter(|p| !affected.contains(p))
                    .all(|p| call(p).gt == Gt::Het && self.gates.quality(call(p)))
            })
    }

    fn x_recessive(
        &self,
        family: &Family,
        site: &Site,
        affected: &[usize],
        unaffected: &[usize],
    ) -> bool {
        let call = |m: usize| &site.calls[family.members[m].slot];
        affected
            .iter()
            .all(|&a| call(a).gt == Gt::HomAlt && self.gates.quality(call(a)))
            && unaffected
                .iter()
                .filter(|&&u| family.members[u].sex == Sex::Male)
                .all(|&u| !call(u).gt.has_alt())
            && affected
                .iter()
                .filter(|&&a| family.members[a].sex == Sex::Male)
                .all(|&a| {
                    family.members[a]
                        .mother
                        .filter(|m| !affected.contains(m))
                        .is_none_or(|m| call(m).gt == Gt::Het && self.gates.quality(call(m)))
                })
    }

    fn dominant(
        &self,
        family: &Family,
        site: &Site,
        affected: &[usize],
        unaffected: &[usize],
    ) -> bool {
        let call = |m: usize| &site.calls[family.members[m].slot];
        let transmitted = affected.iter().any(|&a| {
            let member = &family.members[a];
            [member.father, member.mother]
                .into_iter()
                .flatten()
                .any(|p| affected.contains(&p))
        });
        transmitted
            && affected.iter().all(|&a| self.gates.het(call(a)))
            && unaffected
                .iter()
                .all(|&u| call(u).gt == Gt::HomRef && self.gates.quality(call(u)))
    }

    /// Keeps a proband's phased heterozygous sites per gene for compound-het pairing.
    fn collect_het(&mut self, f: usize, site: &Site) {
        let family = &self.families[f];
        let call = |m: usize| &site.calls[family.members[m].slot];
        for &p in &family.probands {
            let member = &family.members[p];
            if member.father.is_none() && member.mother.is_none() {
                continue;
            }
            if !self.gates.het(call(p)) {
                continue;
            }
            let parent = |x: Option<usize>| x.map(&call);
            let ok = |c: &Call| c.gt != Gt::Missing && self.gates.quality(c);
            let origin = match (parent(member.father), parent(member.mother)) {
                (Some(d), Some(m)) if ok(d) && ok(m) => match (d.gt.has_alt(), m.gt.has_alt()) {
                    (true, false) => Origin::Father,
                    (false, true) => Origin::Mother,
                    (false, false) => Origin::DeNovo,
                    (true, true) => continue,
                },
                // One parent in the tables: the variant came from them, or else from the
                // other (a de novo cannot be told apart).
                (Some(d), None) if ok(d) => {
                    if d.gt.has_alt() {
                        Origin::Father
                    } else {
                        Origin::Mother
                    }
                }
                (None, Some(m)) if ok(m) => {
                    if m.gt.has_alt() {
                        Origin::Mother
                    } else {
                        Origin::Father
                    }
                }
                _ => continue,
            };
            let sibling_carriers: Vec<usize> = (0..family.members.len())
                .filter(|&s| {
                    s != p
                        && !family.probands.contains(&s)
                        && family.members[s].father == member.father
                        && family.members[s].mother == member.mother
                        && call(s).gt == Gt::Het
                })
                .collect();
            let het = HetSite {
                index: site.index,
                key: site.key.clone(),
                origin,
                evidence: evidence(family, site),
                sibling_carriers,
            };
            for gene in &site.genes {
                self.het_sites
                    .entry((f, p, gene.clone()))
                    .or_default()
                    .push(het.clone());
            }
        }
    }

    /// Pairs the collected heterozygous sites into compound hets and returns every
    /// candidate, sorted by family, variant and mode.
    pub fn finish(mut self) -> Vec<Candidate> {
        for ((f, p, gene), sites) in std::mem::take(&mut self.het_sites) {
            let family = &self.families[f];
            let mut partners: Vec<Vec<&str>> = vec![Vec::new(); sites.len()];
            for i in 0..sites.len() {
                for j in i + 1..sites.len() {
                    let (a, b) = (&sites[i], &sites[j]);
                    let phased = match (a.origin, b.origin) {
                        (Origin::DeNovo, Origin::DeNovo) => false,
                        (x, y) => x != y,
                    };
                    let sib_has_both = a
                        .sibling_carriers
                        .iter()
                        .any(|s| b.sibling_carriers.contains(s));
                    if phased && !sib_has_both {
                        partners[i].push(&b.key);
                        partners[j].push(&a.key);
                    }
                }
            }
            for (site, partner) in sites.iter().zip(&partners) {
                if partner.is_empty() {
                    continue;
                }
                self.candidates.push(Candidate {
                    family: family.id.clone(),
                    mode: Mode::CompoundHet,
                    samples: family.members[p].id.clone(),
                    variant_index: site.index,
                    variant_key: site.key.clone(),
                    gene: Some(gene.clone()),
                    partners: Some(partner.join(",")),
                    evidence: site.evidence.clone(),
                });
            }
        }
        let mut candidates = self.candidates;
        candidates.sort_by(|a, b| {
            (&a.family, a.variant_index, a.mode, &a.samples, &a.gene).cmp(&(
                &b.family,
                b.variant_index,
                b.mode,
                &b.samples,
                &b.gene,
            ))
        });
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(gt: Gt) -> Call {
        Call {
            gt,
            haploid: false,
            dp: Some(30),
            gq: Some(60),
            ad_ref: Some(15),
            ad_alt: Some(if gt == Gt::HomRef { 0 } else { 15 }),
        }
    }

    fn site(index: u64, contig: &str, gene: &str, gts: &[Gt]) -> Site {
        Site {
            index,
            key: format!("{contig}:{index}:A:G"),
            contig: contig.to_owned(),
            position: 5_000_000 + index,
            reference: "A".to_owned(),
            alternate: Some("G".to_owned()),
            pass: true,
            info_dp: None,
            genes: vec![gene.to_owned()],
            consequences: vec![(gene.to_owned(), "missense".to_owned())],
            population_af: None,
            cohort_af: None,
            calls: gts.iter().map(|g| call(*g)).collect(),
        }
    }

    fn member(
        id: &str,
        sex: Sex,
        phenotype: Phenotype,
        parents: (Option<usize>, Option<usize>),
    ) -> Member {
        Member {
            id: id.to_owned(),
            slot: 0,
            sex,
            phenotype,
            father: parents.0,
            mother: parents.1,
        }
    }

    /// Members get slots in order.
    fn family(members: Vec<Member>) -> Family {
        let members: Vec<Member> = members
            .into_iter()
            .enumerate()
            .map(|(i, m)| Member { slot: i, ..m })
            .collect();
        let probands = (0..members.len())
            .filter(|&m| members[m].phenotype == Phenotype::Affected)
            .collect();
        Family {
            id: "f".to_owned(),
            members,
            probands,
        }
    }

    fn modes(family: Family, sites: &[Site]) -> Vec<(Mode, String, u64)> {
        let mut finder = Finder::new(vec![family], Gates::default(), Build::GRCh37);
        for s in sites {
            finder.site(s);
        }
        finder
            .finish()
            .into_iter()
            .map(|c| (c.mode, c.samples, c.variant_index))
            .collect()
    }

    use Gt::{Het, HomAlt, HomRef};
    use Phenotype::{Affected, Unaffected};

    #[test]
    fn compound_het_with_one_parent_and_an_unaffected_sibling() {
        // dad, mom (not sequenced), affected kid, unaffected sib.
        let fam = || {
            family(vec![
                member("dad", Sex::Male, Unaffected, (None, None)),
                member("kid", Sex::Female, Affected, (Some(0), None)),
                member("sib", Sex::Male, Unaffected, (Some(0), None)),
            ])
        };
        // Site 1 from dad, site 2 from the absent mother: a pair.
        let sites = [
            site(1, "1", "G1", &[Het, Het, HomRef]),
            site(2, "1", "G1", &[HomRef, Het, HomRef]),
        ];
        let found = modes(fam(), &sites);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found
            .iter()
            .all(|(m, s, _)| *m == Mode::CompoundHet && s == "kid"));
        // The unaffected sibling carries both: no longer a candidate.
        let sites = [
            site(1, "1", "G1", &[Het, Het, Het]),
            site(2, "1", "G1", &[HomRef, Het, Het]),
        ];
        assert!(modes(fam(), &sites).is_empty());
    }

    #[test]
    fn dominant_needs_transmission_and_recessive_excludes_unaffected_homozygotes() {
        // Three generations: affected grandmother -> affected mother -> affected child,
        // unaffected father.
        let fam = || {
            family(vec![
                member("gma", Sex::Female, Affected, (None, None)),
                member("mom", Sex::Female, Affected, (None, Some(0))),
                member("dad", Sex::Male, Unaffected, (None, None)),
                member("kid", Sex::Male, Affected, (Some(2), Some(1))),
            ])
        };
        let dominant = site(1, "2", "G", &[Het, Het, HomRef, Het]);
        let not_segregating = site(2, "2", "G", &[Het, Het, Het, Het]);
        let found = modes(fam(), &[dominant, not_segregating]);
        assert_eq!(found, [(Mode::Dominant, "gma,mom,kid".to_owned(), 1)]);

        // Recessive in a sibship: the affected sib hom alt, carriers het, the unaffected
        // sib must not be hom alt.
        let sibs = || {
            family(vec![
                member("dad", Sex::Male, Unaffected, (None, None)),
                member("mom", Sex::Female, Unaffected, (None, None)),
                member("a", Sex::Male, Affected, (Some(0), Some(1))),
                member("u", Sex::Female, Unaffected, (Some(0), Some(1))),
            ])
        };
        let found = modes(sibs(), &[site(1, "3", "G", &[Het, Het, HomAlt, Het])]);
        assert_eq!(found, [(Mode::Recessive, "a".to_owned(), 1)]);
        assert!(modes(sibs(), &[site(1, "3", "G", &[Het, Het, HomAlt, HomAlt])]).is_empty());
    }

    #[test]
    fn x_linked_modes_use_sex() {
        let trio = |sex| {
            family(vec![
                member("dad", Sex::Male, Unaffected, (None, None)),
                member("mom", Sex::Female, Unaffected, (None, None)),
                member("kid", sex, Affected, (Some(0), Some(1))),
            ])
        };
        // Non-PAR X (position 5,000,001): a hemizygous son of a carrier mother.
        let found = modes(
            trio(Sex::Male),
            &[site(1, "X", "G", &[HomRef, Het, HomAlt])],
        );
        assert_eq!(found, [(Mode::XRecessive, "kid".to_owned(), 1)]);
        let found = modes(
            trio(Sex::Female),
            &[site(1, "X", "G", &[HomRef, HomRef, Het])],
        );
        assert_eq!(found, [(Mode::XDeNovo, "kid".to_owned(), 1)]);
        // In the PAR it is autosomal.
        let mut par = site(1, "X", "G", &[HomRef, HomRef, Het]);
        par.position = 60_001;
        let found = modes(trio(Sex::Female), &[par]);
        assert_eq!(found, [(Mode::DeNovo, "kid".to_owned(), 1)]);
    }
}
