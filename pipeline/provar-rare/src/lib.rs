//! provar stage `rare`: Mendel errors and inheritance-mode candidates for the families of a
//! pedigree, from the ingest tables.
//!
//! Writes:
//! - `mendel_errors.parquet`: one row per Mendel error (Hail's `mendel_errors` codes, see
//!   [`mendel`]): family, child, father, mother, variant, code, who it implicates, whether
//!   the variant is a SNP, and the three genotypes;
//! - `mendel_families.parquet`, `mendel_individuals.parquet`, `mendel_variants.parquet`:
//!   the per-trio-parents, per-individual and per-variant counts Hail (and PLINK's
//!   `.fmendel`, `.imendel`, `.lmendel`) report;
//! - `candidates.parquet`: one row per (family, mode, proband, variant) for the modes of
//!   [`inheritance`], with the gene and every family member's genotype evidence.
//!
//! It reads `variants`, `calls`, `samples` and, when present, `info` (FILTER, INFO/DP and
//! the BCSQ genes used to pair compound hets), `consequences` (genes and consequences of
//! `provar annotate`, used instead of INFO/BCSQ), `population` (population AF) and
//! `variant_qc` (cohort AF). Pedigree individuals absent from the tables are left out; a
//! family keeps the members present.
//!
//! Inheritance modes see only the variants that pass [`Rarity`] (population AF at most 0.01
//! by default; cohort AF and consequence class when asked); Mendel errors are counted on
//! every variant, as Hail does.

pub mod inheritance;
pub mod mendel;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use provar_core::pedigree::{Pedigree, Phenotype};
use provar_io::arrow_array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
    UInt8Array,
};
use provar_io::arrow_schema::{DataType, Field, Schema};
use provar_io::table::{self, Finished, TableDef, TableWriter};

pub use inheritance::{Candidate, Gates, Mode};
pub use mendel::Build;
pub use provar_core::consequence_class::ConsequenceClass;

/// Rarity and impact: which variants the inheritance modes consider.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rarity {
    /// Largest population AF (`population.parquet`); an allele the population file lacks
    /// passes, as in slivar's `gnomad_af < 0.01` with a missing AF read as 0.
    pub max_population_af: Option<f64>,
    /// Largest cohort AF (`variant_qc.parquet` AF); a site without it (no qc run, or no
    /// called genotype) fails when this is set.
    pub max_cohort_af: Option<f64>,
    /// Consequences that count: a site passes when one of its consequences is in the class
    /// ([`ConsequenceClass::Any`]: every site, annotated or not).
    pub impact: ConsequenceClass,
}

impl Default for Rarity {
    /// Population AF ≤ 0.01, no cohort AF limit, any consequence.
    fn default() -> Self {
        Rarity {
            max_population_af: Some(0.01),
            max_cohort_af: None,
            impact: ConsequenceClass::Any,
        }
    }
}

impl Rarity {
    /// No limit at all.
    pub fn none() -> Self {
        Rarity {
            max_population_af: None,
            max_cohort_af: None,
            impact: ConsequenceClass::Any,
        }
    }

    /// Whether `site` passes.
    pub fn passes(&self, site: &Site) -> bool {
        let under =
            |limit: Option<f64>, value: Option<f64>, missing_passes: bool| match (limit, value) {
                (None, _) => true,
                (Some(max), Some(v)) => v <= max,
                (Some(_), None) => missing_passes,
            };
        under(self.max_population_af, site.population_af, true)
            && under(self.max_cohort_af, site.cohort_af, false)
            && (self.impact == ConsequenceClass::Any
                || site
                    .consequences
                    .iter()
                    .any(|(_, c)| self.impact.accepts(c)))
    }
}

use inheritance::{Family, Finder, Member};
use provar_io::sites::{self as cohort, Site};

/// What to analyse.
#[derive(Clone, Debug)]
pub struct RareConfig {
    /// Directory holding the ingest tables.
    pub tables: PathBuf,
    /// Directory receiving the outputs.
    pub out_dir: PathBuf,
    /// The pedigree.
    pub pedigree: Pedigree,
    /// Reference build (pseudo-autosomal regions).
    pub build: Build,
    /// Genotype gates for the inheritance modes (Mendel errors use every called genotype,
    /// as Hail does).
    pub gates: Gates,
    /// Rarity and impact limits for the inheritance modes.
    pub rarity: Rarity,
    /// Take allele depths and depth from `site_evidence.parquet` (`provar sites`: reads
    /// counted from the BAM/CRAM files) instead of the VCF's FORMAT AD and DP, for the
    /// allele-balance, depth and parental-alt-read gates and the evidence shown.
    pub read_evidence: bool,
}

/// Counts describing a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Complete trios checked for Mendel errors.
    pub trios: usize,
    /// Mendel errors found.
    pub mendel_errors: u64,
    /// Candidates per mode name.
    pub candidates: BTreeMap<&'static str, usize>,
    /// Pedigree individuals not in the tables.
    pub absent: Vec<String>,
    /// Variant rows read.
    pub variants: u64,
    /// Calls whose AD and DP came from read evidence (with `read_evidence`).
    pub calls_from_reads: u64,
    /// Variant rows the rarity and impact limits kept from the inheritance modes.
    pub filtered_out: u64,
}

/// The outputs under temporary names, ready to commit, and the counts.
#[derive(Debug)]
pub struct Rare {
    /// `mendel_errors`, `mendel_families`, `mendel_individuals`, `mendel_variants`,
    /// `candidates`.
    pub tables: Vec<Finished>,
    /// Counts.
    pub summary: Summary,
}

/// A failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A table could not be read or written.
    #[error(transparent)]
    Table(#[from] table::Error),
    /// The tables could not be read together.
    #[error(transparent)]
    Sites(#[from] provar_io::sites::Error),
    /// No pedigree individual is in the tables.
    #[error("no individual of the pedigree is among the {n} samples of {}: the PED names none of them (first sample: {first})", tables.display())]
    NoOverlap {
        /// The tables directory.
        tables: PathBuf,
        /// Samples in the tables.
        n: usize,
        /// The first sample id, to compare with the PED.
        first: String,
    },
    /// Read evidence was asked for but the tables have none.
    #[error("{} has no site_evidence.parquet: run `provar sites` on the samples' BAM/CRAM files first", tables.display())]
    NoReadEvidence {
        /// The tables directory.
        tables: PathBuf,
    },
}

/// Read evidence per (contig, position, REF, ALT, sample): (reference reads, alternate
/// reads, depth).
type ReadCounts = std::collections::HashMap<(String, u64, String, String, String), (i32, i32, i32)>;

fn read_counts(tables: &std::path::Path) -> Result<ReadCounts, Error> {
    use provar_io::arrow_array::{Array, UInt32Array, UInt64Array};
    let Some((_, batches)) = table::read_any(tables, "site_evidence")? else {
        return Err(Error::NoReadEvidence {
            tables: tables.to_owned(),
        });
    };
    let path = tables.join("site_evidence.parquet");
    let bad = |name: &str| {
        Error::Table(table::Error::Io {
            path: path.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("column {name} is missing or not of provar's site_evidence type"),
            ),
        })
    };
    let mut out = ReadCounts::new();
    for b in &batches {
        let text = |name: &str| {
            b.column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<StringArray>().cloned())
                .ok_or_else(|| bad(name))
        };
        let count = |name: &str| {
            b.column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<UInt32Array>().cloned())
                .ok_or_else(|| bad(name))
        };
        let (contig, reference, alternate, sample) = (
            text("contig")?,
            text("reference_bases")?,
            text("alternate_bases")?,
            text("sample")?,
        );
        let position = b
            .column_by_name("position")
            .and_then(|c| c.as_any().downcast_ref::<UInt64Array>().cloned())
            .ok_or_else(|| bad("position"))?;
        let (r, a, d) = (count("ref_count")?, count("alt_count")?, count("depth")?);
        for i in 0..b.num_rows() {
            if position.is_null(i) {
                continue;
            }
            let clamp = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
            out.insert(
                (
                    contig.value(i).to_owned(),
                    position.value(i),
                    reference.value(i).to_owned(),
                    alternate.value(i).to_owned(),
                    sample.value(i).to_owned(),
                ),
                (clamp(r.value(i)), clamp(a.value(i)), clamp(d.value(i))),
            );
        }
    }
    Ok(out)
}

/// The families of `pedigree` restricted to `samples` (ids in table column order); returns
/// the families and, for each member slot, its column.
fn families(pedigree: &Pedigree, samples: &[String]) -> (Vec<Family>, Vec<usize>) {
    let column: BTreeMap<&str, usize> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut slots: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (family_id, individuals) in pedigree.families() {
        let present: Vec<_> = individuals
            .into_iter()
            .filter(|i| column.contains_key(i.id.as_str()))
            .collect();
        if present.is_empty() {
            continue;
        }
        let position = |id: &Option<String>| {
            id.as_deref()
                .and_then(|id| present.iter().position(|p| p.id == id))
        };
        let members: Vec<Member> = present
            .iter()
            .map(|i| {
                slots.push(column[i.id.as_str()]);
                Member {
                    id: i.id.clone(),
                    slot: slots.len() - 1,
                    sex: i.sex,
                    phenotype: i.phenotype,
                    father: position(&i.father),
                    mother: position(&i.mother),
                }
            })
            .collect();
        let mut probands: Vec<usize> = (0..members.len())
            .filter(|&m| members[m].phenotype == Phenotype::Affected)
            .collect();
        if probands.is_empty() {
            probands = (0..members.len())
                .filter(|&m| members[m].father.is_some() || members[m].mother.is_some())
                .collect();
        }
        out.push(Family {
            id: family_id.to_owned(),
            members,
            probands,
        });
    }
    (out, slots)
}

/// The first loss-of-function consequence of a site, else its first protein-altering one,
/// else its first.
fn most_damaging(consequences: &[(String, String)]) -> Option<String> {
    [
        ConsequenceClass::Lof,
        ConsequenceClass::Protein,
        ConsequenceClass::Any,
    ]
    .into_iter()
    .find_map(|class| consequences.iter().find(|(_, c)| class.accepts(c)))
    .map(|(_, c)| c.clone())
}

/// Population AF, cohort AF and the most damaging consequence of a site.
type SiteAnnotation = (Option<f64>, Option<f64>, Option<String>);

/// One Mendel error.
struct MendelRow {
    family: String,
    child: String,
    father: String,
    mother: String,
    index: u64,
    key: String,
    code: u8,
    implicated: String,
    snp: bool,
    gts: [&'static str; 3],
}

/// Runs the stage.
pub fn run(config: &RareConfig) -> Result<Rare, Error> {
    let samples = cohort::sample_ids(&config.tables)?;
    let (families, slots) = families(&config.pedigree, &samples);
    let absent: Vec<String> = config
        .pedigree
        .individuals()
        .iter()
        .filter(|i| !samples.contains(&i.id))
        .map(|i| i.id.clone())
        .collect();
    if families.is_empty() {
        return Err(Error::NoOverlap {
            tables: config.tables.clone(),
            n: samples.len(),
            first: samples.first().cloned().unwrap_or_default(),
        });
    }
    // Complete trios (child, father, mother all present), as (family, child, father, mother)
    // member indices.
    let trios: Vec<(usize, usize, usize, usize)> = families
        .iter()
        .enumerate()
        .flat_map(|(f, family)| {
            family
                .members
                .iter()
                .enumerate()
                .filter_map(move |(c, m)| Some((f, c, m.father?, m.mother?)))
        })
        .collect();
    let reads = if config.read_evidence {
        Some(read_counts(&config.tables)?)
    } else {
        None
    };
    let slot_names: Vec<&str> = slots.iter().map(|&c| samples[c].as_str()).collect();
    let mut calls_from_reads = 0u64;
    let mut finder = Finder::new(families.clone(), config.gates.clone(), config.build);
    let mut errors: Vec<MendelRow> = Vec::new();
    let mut per_variant: Vec<(u64, String, u64)> = Vec::new();
    // Population AF, cohort AF and first consequence of sites a family member carries,
    // for the candidates' columns.
    let mut annotation: BTreeMap<u64, SiteAnnotation> = BTreeMap::new();
    let mut summary = Summary {
        trios: trios.len(),
        absent,
        ..Summary::default()
    };
    cohort::for_each_site(
        &config.tables,
        &slots,
        |site: &Site| -> Result<(), provar_io::sites::Error> {
            summary.variants += 1;
            let kind = mendel::contig_kind(&site.contig);
            let par = mendel::in_par(kind, site.position, config.build);
            let mut n = 0u64;
            for &(f, c, d, m) in &trios {
                let family = &families[f];
                let (child, father, mother) =
                    (&family.members[c], &family.members[d], &family.members[m]);
                let Some(state) = mendel::copy_state(kind, par, child.sex) else {
                    continue;
                };
                let gt = |member: &Member| site.calls[member.slot].gt;
                if let Some(code) = mendel::mendel_code(gt(father), gt(mother), gt(child), state) {
                    let who = mendel::implicated(code);
                    let mut implicated = Vec::new();
                    if who.father {
                        implicated.push("father");
                    }
                    if who.mother {
                        implicated.push("mother");
                    }
                    implicated.push("child");
                    errors.push(MendelRow {
                        family: family.id.clone(),
                        child: child.id.clone(),
                        father: father.id.clone(),
                        mother: mother.id.clone(),
                        index: site.index,
                        key: site.key.clone(),
                        code,
                        implicated: implicated.join(","),
                        snp: site.is_snp(),
                        gts: [gt(child).text(), gt(father).text(), gt(mother).text()],
                    });
                    n += 1;
                }
            }
            per_variant.push((site.index, site.key.clone(), n));
            if !config.rarity.passes(site) {
                summary.filtered_out += 1;
                return Ok(());
            }
            if site.calls.iter().any(|c| c.gt.has_alt()) {
                annotation.insert(
                    site.index,
                    (
                        site.population_af,
                        site.cohort_af,
                        most_damaging(&site.consequences),
                    ),
                );
            }
            match (&reads, &site.alternate) {
                (Some(reads), Some(alt)) => {
                    let mut patched = site.clone();
                    for (call, name) in patched.calls.iter_mut().zip(&slot_names) {
                        let key = (
                            site.contig.clone(),
                            site.position,
                            site.reference.clone(),
                            alt.clone(),
                            (*name).to_owned(),
                        );
                        if let Some(&(r, a, d)) = reads.get(&key) {
                            call.ad_ref = Some(r);
                            call.ad_alt = Some(a);
                            call.dp = Some(d);
                            calls_from_reads += 1;
                        }
                    }
                    finder.site(&patched);
                }
                _ => finder.site(site),
            }
            Ok(())
        },
    )?;
    summary.mendel_errors = errors.len() as u64;
    summary.calls_from_reads = calls_from_reads;
    let candidates = finder.finish();
    for c in &candidates {
        *summary.candidates.entry(c.mode.name()).or_default() += 1;
    }
    let tables = vec![
        write_errors(&config.out_dir, &errors)?,
        write_family_counts(&config.out_dir, &families, &trios, &errors)?,
        write_individual_counts(&config.out_dir, &families, &trios, &errors)?,
        write_variant_counts(&config.out_dir, &per_variant)?,
        write_candidates(&config.out_dir, &candidates, &annotation)?,
    ];
    Ok(Rare { tables, summary })
}

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn def(name: &'static str, fields: Vec<Field>) -> TableDef {
    TableDef {
        name,
        version: 1,
        schema: Arc::new(Schema::new(fields)),
    }
}

fn write(out: &std::path::Path, def: TableDef, columns: Vec<ArrayRef>) -> Result<Finished, Error> {
    let batch =
        RecordBatch::try_new(def.schema.clone(), columns).map_err(|e| table::Error::Parquet {
            path: out.join(format!("{}.parquet", def.name)),
            source: e.into(),
        })?;
    let mut writer = TableWriter::create(out, def)?;
    writer.write(&batch)?;
    Ok(writer.finish()?)
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

fn write_errors(out: &std::path::Path, rows: &[MendelRow]) -> Result<Finished, Error> {
    let def = def(
        "mendel_errors",
        vec![
            utf8("family", false),
            utf8("child", false),
            utf8("father", false),
            utf8("mother", false),
            Field::new("variant_index", DataType::UInt64, false),
            utf8("variant_key", false),
            Field::new("code", DataType::UInt8, false),
            utf8("implicated", false),
            Field::new("snp", DataType::Boolean, false),
            utf8("child_gt", false),
            utf8("father_gt", false),
            utf8("mother_gt", false),
        ],
    );
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| r.family.as_str())),
        strings(rows.iter().map(|r| r.child.as_str())),
        strings(rows.iter().map(|r| r.father.as_str())),
        strings(rows.iter().map(|r| r.mother.as_str())),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.index))),
        strings(rows.iter().map(|r| r.key.as_str())),
        Arc::new(UInt8Array::from_iter_values(rows.iter().map(|r| r.code))),
        strings(rows.iter().map(|r| r.implicated.as_str())),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.snp)))),
        strings(rows.iter().map(|r| r.gts[0])),
        strings(rows.iter().map(|r| r.gts[1])),
        strings(rows.iter().map(|r| r.gts[2])),
    ];
    write(out, def, columns)
}

/// Hail's per-family table: one row per (father, mother) with children in the tables.
fn write_family_counts(
    out: &std::path::Path,
    families: &[Family],
    trios: &[(usize, usize, usize, usize)],
    errors: &[MendelRow],
) -> Result<Finished, Error> {
    let mut parents: BTreeMap<(String, String, String), (u32, u64, u64)> = BTreeMap::new();
    for &(f, _, d, m) in trios {
        let family = &families[f];
        let key = (
            family.id.clone(),
            family.members[d].id.clone(),
            family.members[m].id.clone(),
        );
        parents.entry(key).or_default().0 += 1;
    }
    for e in errors {
        if let Some(entry) =
            parents.get_mut(&(e.family.clone(), e.father.clone(), e.mother.clone()))
        {
            entry.1 += 1;
            entry.2 += u64::from(e.snp);
        }
    }
    let def = def(
        "mendel_families",
        vec![
            utf8("family", false),
            utf8("father", false),
            utf8("mother", false),
            Field::new("children", DataType::UInt32, false),
            Field::new("errors", DataType::UInt64, false),
            Field::new("snp_errors", DataType::UInt64, false),
        ],
    );
    let rows: Vec<_> = parents.into_iter().collect();
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| r.0 .0.as_str())),
        strings(rows.iter().map(|r| r.0 .1.as_str())),
        strings(rows.iter().map(|r| r.0 .2.as_str())),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.1 .0))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.1 .1))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.1 .2))),
    ];
    write(out, def, columns)
}

/// Hail's per-individual table: every member of a complete trio, with the errors that
/// implicate them.
fn write_individual_counts(
    out: &std::path::Path,
    families: &[Family],
    trios: &[(usize, usize, usize, usize)],
    errors: &[MendelRow],
) -> Result<Finished, Error> {
    let mut counts: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for &(f, c, d, m) in trios {
        let family = &families[f];
        for i in [c, d, m] {
            counts
                .entry((family.id.clone(), family.members[i].id.clone()))
                .or_default();
        }
    }
    for e in errors {
        let mut bump = |id: &str| {
            if let Some(entry) = counts.get_mut(&(e.family.clone(), id.to_owned())) {
                entry.0 += 1;
                entry.1 += u64::from(e.snp);
            }
        };
        bump(&e.child);
        if e.implicated.contains("father") {
            bump(&e.father);
        }
        if e.implicated.contains("mother") {
            bump(&e.mother);
        }
    }
    let def = def(
        "mendel_individuals",
        vec![
            utf8("family", false),
            utf8("sample", false),
            Field::new("errors", DataType::UInt64, false),
            Field::new("snp_errors", DataType::UInt64, false),
        ],
    );
    let rows: Vec<_> = counts.into_iter().collect();
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| r.0 .0.as_str())),
        strings(rows.iter().map(|r| r.0 .1.as_str())),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.1 .0))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.1 .1))),
    ];
    write(out, def, columns)
}

fn write_variant_counts(
    out: &std::path::Path,
    rows: &[(u64, String, u64)],
) -> Result<Finished, Error> {
    let def = def(
        "mendel_variants",
        vec![
            Field::new("variant_index", DataType::UInt64, false),
            utf8("variant_key", false),
            Field::new("errors", DataType::UInt64, false),
        ],
    );
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.0))),
        strings(rows.iter().map(|r| r.1.as_str())),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.2))),
    ];
    write(out, def, columns)
}

fn write_candidates(
    out: &std::path::Path,
    rows: &[Candidate],
    annotation: &BTreeMap<u64, SiteAnnotation>,
) -> Result<Finished, Error> {
    let of = |r: &Candidate| annotation.get(&r.variant_index);
    let mut def = def(
        "candidates",
        vec![
            utf8("family", false),
            utf8("mode", false),
            utf8("samples", false),
            Field::new("variant_index", DataType::UInt64, false),
            utf8("variant_key", false),
            utf8("gene", true),
            utf8("partners", true),
            utf8("evidence", false),
            Field::new("population_af", DataType::Float64, true),
            Field::new("cohort_af", DataType::Float64, true),
            utf8("consequence", true),
        ],
    );
    // 2: population_af, cohort_af, consequence.
    def.version = 2;
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| r.family.as_str())),
        strings(rows.iter().map(|r| r.mode.name())),
        strings(rows.iter().map(|r| r.samples.as_str())),
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|r| r.variant_index),
        )),
        strings(rows.iter().map(|r| r.variant_key.as_str())),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.gene.as_deref()),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.partners.as_deref()),
        )),
        strings(rows.iter().map(|r| r.evidence.as_str())),
        Arc::new(Float64Array::from_iter(
            rows.iter().map(|r| of(r).and_then(|a| a.0)),
        )),
        Arc::new(Float64Array::from_iter(
            rows.iter().map(|r| of(r).and_then(|a| a.1)),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| of(r).and_then(|a| a.2.as_deref())),
        )),
    ];
    write(out, def, columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(population_af: Option<f64>, cohort_af: Option<f64>, consequence: &str) -> Site {
        Site {
            index: 0,
            key: "1:100:A:G".to_owned(),
            contig: "1".to_owned(),
            position: 100,
            reference: "A".to_owned(),
            alternate: Some("G".to_owned()),
            pass: true,
            info_dp: None,
            genes: vec!["GENE".to_owned()],
            consequences: vec![("GENE".to_owned(), consequence.to_owned())],
            population_af,
            cohort_af,
            calls: Vec::new(),
        }
    }

    #[test]
    fn rarity_limits() {
        let default = Rarity::default();
        // Population AF 0.01 passes, 0.02 does not; an allele the population lacks passes.
        assert!(default.passes(&site(Some(0.01), None, "missense")));
        assert!(!default.passes(&site(Some(0.02), None, "missense")));
        assert!(default.passes(&site(None, None, "intron")));
        // A cohort limit fails sites without a cohort AF.
        let cohort = Rarity {
            max_cohort_af: Some(0.1),
            ..Rarity::none()
        };
        assert!(cohort.passes(&site(Some(0.5), Some(0.1), "intron")));
        assert!(!cohort.passes(&site(None, Some(0.2), "intron")));
        assert!(!cohort.passes(&site(None, None, "intron")));
        // Impact: VEP and bcftools csq spellings.
        let lof = Rarity {
            impact: ConsequenceClass::Lof,
            ..Rarity::none()
        };
        assert!(lof.passes(&site(None, None, "frameshift_variant")));
        assert!(lof.passes(&site(None, None, "*stop_gained")));
        assert!(!lof.passes(&site(None, None, "missense_variant")));
        assert_eq!(
            most_damaging(&[
                ("A".to_owned(), "missense".to_owned()),
                ("B".to_owned(), "stop_gained".to_owned()),
            ]),
            Some("stop_gained".to_owned())
        );
    }
}
