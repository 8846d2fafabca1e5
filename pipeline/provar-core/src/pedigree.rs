//! Pedigrees: PED/FAM files, family structure and pedigree-implied relatedness.
//!
//! A PED line is `family individual father mother sex phenotype`, then any number of
//! extra columns (ignored). Fields are separated by tabs when the line has a tab (so an
//! empty field, as in `SID\tSID_1\t\t\t2\t1`, is an empty parent), else by runs of spaces.
//! Lines starting with `#` and blank lines are skipped.
//!
//! - A parent written `0`, `-9`, `.`, `NA` or left empty is missing. A parent id that no
//!   line defines is kept: it still links siblings (two children of the same unlisted
//!   father are full siblings) but is not an individual of the pedigree
//!   ([`Pedigree::unlisted_parents`] names them).
//! - Sex: `1`, `M`, `male` → male; `2`, `F`, `female` → female; anything else unknown.
//! - Phenotype: `2`, `affected` → affected; `1`, `unaffected` → unaffected; `0`, `-9`, `.`,
//!   empty or anything else → missing.
//! - An individual defined twice, a line with fewer than six fields, or an individual who
//!   is its own ancestor is an error naming the line.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Sex as recorded in the pedigree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// Anything else.
    Unknown,
}

/// Affection status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phenotype {
    /// `2`: a case.
    Affected,
    /// `1`: a control.
    Unaffected,
    /// `0`, `-9` or anything else.
    Missing,
}

/// One PED line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Individual {
    /// Family id (column 1).
    pub family: String,
    /// Individual id (column 2), as in the VCF header.
    pub id: String,
    /// Father's id, `None` when missing.
    pub father: Option<String>,
    /// Mother's id, `None` when missing.
    pub mother: Option<String>,
    /// Sex.
    pub sex: Sex,
    /// Affection status.
    pub phenotype: Phenotype,
    /// 1-based line in the PED text.
    pub line: usize,
}

/// A child with both parents defined in the pedigree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trio<'a> {
    /// The child.
    pub child: &'a Individual,
    /// The father.
    pub father: &'a Individual,
    /// The mother.
    pub mother: &'a Individual,
}

/// A PED text that cannot be read: the 1-based line and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct PedError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// A parsed pedigree.
#[derive(Clone, Debug, Default)]
pub struct Pedigree {
    individuals: Vec<Individual>,
    by_id: HashMap<String, usize>,
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::Unknown => "unknown",
        })
    }
}

impl fmt::Display for Phenotype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phenotype::Affected => "affected",
            Phenotype::Unaffected => "unaffected",
            Phenotype::Missing => "missing",
        })
    }
}

fn parent(field: &str) -> Option<String> {
    let field = field.trim();
    match field {
        "" | "0" | "-9" | "." | "NA" => None,
        id => Some(id.to_owned()),
    }
}

fn sex(field: &str) -> Sex {
    match field.trim().to_ascii_lowercase().as_str() {
        "1" | "m" | "male" => Sex::Male,
        "2" | "f" | "female" => Sex::Female,
        _ => Sex::Unknown,
    }
}

fn phenotype(field: &str) -> Phenotype {
    match field.trim().to_ascii_lowercase().as_str() {
        "2" | "affected" => Phenotype::Affected,
        "1" | "unaffected" => Phenotype::Unaffected,
        _ => Phenotype::Missing,
    }
}

impl Pedigree {
    /// Parses PED/FAM text (see the module docs).
    pub fn parse(text: &str) -> Result<Pedigree, PedError> {
        let mut pedigree = Pedigree::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let raw = raw.trim_end_matches('\r');
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = if raw.contains('\t') {
                raw.split('\t').collect()
            } else {
                raw.split_whitespace().collect()
            };
            if fields.len() < 6 {
                return Err(PedError {
                    line,
                    reason: format!(
                        "expected at least 6 fields (family, individual, father, mother, sex, phenotype), found {}",
                        fields.len()
                    ),
                });
            }
            let id = fields[1].trim();
            if id.is_empty() || id == "0" {
                return Err(PedError {
                    line,
                    reason: format!("invalid individual id {id:?}"),
                });
            }
            if let Some(&first) = pedigree.by_id.get(id) {
                return Err(PedError {
                    line,
                    reason: format!(
                        "individual {id} is defined twice (first on line {})",
                        pedigree.individuals[first].line
                    ),
                });
            }
            let individual = Individual {
                family: fields[0].trim().to_owned(),
                id: id.to_owned(),
                father: parent(fields[2]),
                mother: parent(fields[3]),
                sex: sex(fields[4]),
                phenotype: phenotype(fields[5]),
                line,
            };
            if individual.father.as_deref() == Some(id) || individual.mother.as_deref() == Some(id)
            {
                return Err(PedError {
                    line,
                    reason: format!("individual {id} is its own parent"),
                });
            }
            pedigree
                .by_id
                .insert(id.to_owned(), pedigree.individuals.len());
            pedigree.individuals.push(individual);
        }
        if let Some(line) = pedigree.cycle() {
            return Err(PedError {
                line,
                reason: "the pedigree has a cycle: an individual is its own ancestor".to_owned(),
            });
        }
        Ok(pedigree)
    }

    /// The line of an individual on a cycle of parent links, if any.
    fn cycle(&self) -> Option<usize> {
        // 0 unvisited, 1 on the stack, 2 done.
        let mut state = vec![0u8; self.individuals.len()];
        for start in 0..self.individuals.len() {
            let mut stack = vec![(start, false)];
            while let Some((i, leaving)) = stack.pop() {
                if leaving {
                    state[i] = 2;
                    continue;
                }
                match state[i] {
                    1 => return Some(self.individuals[i].line),
                    2 => continue,
                    _ => {}
                }
                state[i] = 1;
                stack.push((i, true));
                for p in self.parent_indices(i) {
                    if state[p] == 1 {
                        return Some(self.individuals[p].line);
                    }
                    if state[p] == 0 {
                        stack.push((p, false));
                    }
                }
            }
        }
        None
    }

    fn parent_indices(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let ind = &self.individuals[i];
        [&ind.father, &ind.mother]
            .into_iter()
            .filter_map(|p| p.as_deref().and_then(|p| self.by_id.get(p).copied()))
    }

    /// Every individual, in file order.
    pub fn individuals(&self) -> &[Individual] {
        &self.individuals
    }

    /// The individual `id`, if the pedigree defines it.
    pub fn get(&self, id: &str) -> Option<&Individual> {
        self.by_id.get(id).map(|&i| &self.individuals[i])
    }

    /// The father of `individual`, when the pedigree defines him.
    pub fn father(&self, individual: &Individual) -> Option<&Individual> {
        individual.father.as_deref().and_then(|f| self.get(f))
    }

    /// The mother of `individual`, when the pedigree defines her.
    pub fn mother(&self, individual: &Individual) -> Option<&Individual> {
        individual.mother.as_deref().and_then(|m| self.get(m))
    }

    /// The children of `id` (as father or mother), in file order.
    pub fn children(&self, id: &str) -> Vec<&Individual> {
        self.individuals
            .iter()
            .filter(|i| i.father.as_deref() == Some(id) || i.mother.as_deref() == Some(id))
            .collect()
    }

    /// Children whose father and mother are both defined, in file order.
    pub fn trios(&self) -> Vec<Trio<'_>> {
        self.individuals
            .iter()
            .filter_map(|child| {
                Some(Trio {
                    child,
                    father: self.father(child)?,
                    mother: self.mother(child)?,
                })
            })
            .collect()
    }

    /// Individuals by family id (families in id order, members in file order).
    pub fn families(&self) -> BTreeMap<&str, Vec<&Individual>> {
        let mut families: BTreeMap<&str, Vec<&Individual>> = BTreeMap::new();
        for individual in &self.individuals {
            families
                .entry(&individual.family)
                .or_default()
                .push(individual);
        }
        families
    }

    /// Parent ids that no line defines, with the line naming them.
    pub fn unlisted_parents(&self) -> Vec<(usize, &str)> {
        self.individuals
            .iter()
            .flat_map(|i| {
                [&i.father, &i.mother]
                    .into_iter()
                    .flatten()
                    .filter(|p| !self.by_id.contains_key(p.as_str()))
                    .map(move |p| (i.line, p.as_str()))
            })
            .collect()
    }

    /// The kinship coefficient φ of `a` and `b` implied by the pedigree: the probability
    /// that an allele drawn from each is identical by descent (Lange's recursion; founders
    /// unrelated and not inbred). `None` when either is not in the pedigree.
    ///
    /// A missing parent is shared by siblings who share the other, known, parent (peddy's
    /// convention: the missing grandfather of `test.fam.ped` makes two half-siblings on
    /// paper full siblings), and an unlisted parent id is a founder.
    pub fn kinship(&self, a: &str, b: &str) -> Option<f64> {
        if !self.by_id.contains_key(a) || !self.by_id.contains_key(b) {
            return None;
        }
        let graph = KinshipGraph::new(self);
        let (x, y) = (graph.index[a], graph.index[b]);
        let mut memo = HashMap::new();
        Some(graph.phi(x, y, &mut memo))
    }

    /// The coefficient of relationship 2φ (1 for the same non-inbred individual, 0.5 for
    /// parent and child or full siblings, 0.25 for grandparent, uncle or half-siblings …).
    pub fn relatedness(&self, a: &str, b: &str) -> Option<f64> {
        self.kinship(a, b).map(|k| 2.0 * k)
    }
}

/// Individuals, unlisted parents and shared placeholder parents, with parent links and
/// generation depth, for the kinship recursion.
struct KinshipGraph {
    index: HashMap<String, usize>,
    parents: Vec<[Option<usize>; 2]>,
    depth: Vec<usize>,
}

impl KinshipGraph {
    fn new(pedigree: &Pedigree) -> Self {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let mut node = |name: &str, index: &mut HashMap<String, usize>| -> usize {
            if let Some(&i) = index.get(name) {
                return i;
            }
            index.insert(name.to_owned(), names.len());
            names.push(name.to_owned());
            names.len() - 1
        };
        for individual in &pedigree.individuals {
            node(&individual.id, &mut index);
        }
        let mut links: Vec<(usize, [Option<usize>; 2])> = Vec::new();
        for individual in &pedigree.individuals {
            let me = index[&individual.id];
            // Placeholders named with a NUL, which no PED id contains.
            let father = match (&individual.father, &individual.mother) {
                (Some(f), _) => Some(node(f, &mut index)),
                (None, Some(m)) => Some(node(&format!("\0father-of-children-of\0{m}"), &mut index)),
                (None, None) => None,
            };
            let mother = match (&individual.mother, &individual.father) {
                (Some(m), _) => Some(node(m, &mut index)),
                (None, Some(f)) => Some(node(&format!("\0mother-of-children-of\0{f}"), &mut index)),
                (None, None) => None,
            };
            links.push((me, [father, mother]));
        }
        let n = index.len();
        let mut parents = vec![[None, None]; n];
        for (me, p) in links {
            parents[me] = p;
        }
        let mut depth = vec![usize::MAX; n];
        fn depth_of(i: usize, parents: &[[Option<usize>; 2]], depth: &mut [usize]) -> usize {
            if depth[i] != usize::MAX {
                return depth[i];
            }
            let d = parents[i]
                .iter()
                .flatten()
                .map(|&p| depth_of(p, parents, depth) + 1)
                .max()
                .unwrap_or(0);
            depth[i] = d;
            d
        }
        for i in 0..n {
            depth_of(i, &parents, &mut depth);
        }
        KinshipGraph {
            index,
            parents,
            depth,
        }
    }

    fn phi(&self, a: usize, b: usize, memo: &mut HashMap<(usize, usize), f64>) -> f64 {
        let key = (a.min(b), a.max(b));
        if let Some(&v) = memo.get(&key) {
            return v;
        }
        let value = if a == b {
            match self.parents[a] {
                [Some(f), Some(m)] => 0.5 * (1.0 + self.phi(f, m, memo)),
                _ => 0.5,
            }
        } else {
            // Recurse on the one deeper in the pedigree (never an ancestor of the other).
            let (x, y) = if self.depth[a] >= self.depth[b] {
                (a, b)
            } else {
                (b, a)
            };
            match self.parents[x] {
                [None, None] => 0.0,
                [f, m] => {
                    0.5 * (f.map_or(0.0, |f| self.phi(f, y, memo))
                        + m.map_or(0.0, |m| self.phi(m, y, memo)))
                }
            }
        };
        memo.insert(key, value);
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinship_of_a_three_generation_family() -> Result<(), PedError> {
        // peddy's in-code pedigree: kid of dad and mom; mom's mother gma; gma's mother ggma.
        let ped = Pedigree::parse(
            "f\tkid\tdad\tmom\t1\t2\nf\tdad\t0\t0\t1\t1\nf\tmom\t0\tgma\t2\t1\n\
             f\tgma\t0\tggma\t2\t1\nf\tggma\t0\t0\t2\t1\nf\tun\t0\t0\t1\t1\n",
        )?;
        let r = |a: &str, b: &str| ped.relatedness(a, b);
        assert_eq!(r("mom", "dad"), Some(0.0));
        assert_eq!(r("mom", "kid"), Some(0.5));
        assert_eq!(r("dad", "gma"), Some(0.0));
        assert_eq!(r("mom", "gma"), Some(0.5));
        assert_eq!(r("kid", "gma"), Some(0.25));
        assert_eq!(r("kid", "ggma"), Some(0.125));
        assert_eq!(r("mom", "mom"), Some(1.0));
        assert_eq!(r("kid", "un"), Some(0.0));
        assert_eq!(r("kid", "nobody"), None);
        Ok(())
    }

    #[test]
    fn bad_lines_are_named() {
        for (text, line, needle) in [
            ("f a 0 0 1\n", 1, "at least 6 fields"),
            ("f a 0 0 1 1\nf a 0 0 1 1\n", 2, "defined twice"),
            ("f a a 0 1 1\n", 1, "its own parent"),
            ("f a b 0 1 1\nf b a 0 1 1\n", 1, "cycle"),
        ] {
            let error = Pedigree::parse(text).expect_err(needle);
            assert!(error.reason.contains(needle), "{error}");
            assert!(error.line >= 1 && error.line <= line + 1, "{error}");
        }
    }
}
