//! Reading the ingest tables batch by batch: one [`Site`] per variant row with the calls
//! of the samples a stage asks for (the family and case-control stages read them so).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use arrow_array::{
    Array, Float32Array, Float64Array, Int32Array, Int8Array, ListArray, RecordBatch, StringArray,
    UInt64Array,
};

use crate::table::{self, column, Table};

/// A failure reading the tables.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A table could not be read.
    #[error(transparent)]
    Table(#[from] table::Error),
    /// The tables do not line up (variants, calls and info differ in rows).
    #[error("{}: rows do not line up with variants.parquet (tables from different runs?)", path.display())]
    Misaligned {
        /// The table.
        path: PathBuf,
    },
}

/// Rows per batch.
const BATCH: usize = 4096;

/// A genotype class after splitting (this row's alternate allele is 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gt {
    /// No call, or a half-call (`./1`).
    Missing,
    /// 0/0, or haploid 0.
    HomRef,
    /// 0/1.
    Het,
    /// 1/1, or haploid 1.
    HomAlt,
}

impl Gt {
    /// Alternate allele count as slivar's `alts`: 0, 1, 2 (haploid alt 2), -1 missing.
    pub fn alts(self) -> i32 {
        match self {
            Gt::Missing => -1,
            Gt::HomRef => 0,
            Gt::Het => 1,
            Gt::HomAlt => 2,
        }
    }

    /// Carries the alternate allele.
    pub fn has_alt(self) -> bool {
        matches!(self, Gt::Het | Gt::HomAlt)
    }

    /// `0/0`-style text for evidence columns.
    pub fn text(self) -> &'static str {
        match self {
            Gt::Missing => "./.",
            Gt::HomRef => "0/0",
            Gt::Het => "0/1",
            Gt::HomAlt => "1/1",
        }
    }
}

/// One sample's call at a site.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Call {
    /// Genotype class.
    pub gt: Gt,
    /// Whether the call is haploid.
    pub haploid: bool,
    /// FORMAT DP.
    pub dp: Option<i32>,
    /// FORMAT GQ.
    pub gq: Option<i32>,
    /// AD of the reference.
    pub ad_ref: Option<i32>,
    /// AD of this row's alternate allele.
    pub ad_alt: Option<i32>,
}

impl Call {
    /// Allele balance alt / (ref + alt) from AD, when both are known and not both zero.
    pub fn allele_balance(&self) -> Option<f64> {
        let (r, a) = (self.ad_ref?, self.ad_alt?);
        (r + a > 0).then(|| f64::from(a) / f64::from(r + a))
    }
}

/// One variant row with the requested samples' calls.
#[derive(Clone, Debug)]
pub struct Site {
    /// `variant_index`.
    pub index: u64,
    /// `variant_key`.
    pub key: String,
    /// CHROM.
    pub contig: String,
    /// POS (1-based).
    pub position: u64,
    /// REF.
    pub reference: String,
    /// This row's ALT (`None` for `.`).
    pub alternate: Option<String>,
    /// FILTER is PASS (or `.`, which VCF readers treat as passing).
    pub pass: bool,
    /// INFO/DP, when `info.parquet` has it.
    pub info_dp: Option<i32>,
    /// Genes of [`Site::consequences`], in order, without repeats.
    pub genes: Vec<String>,
    /// (gene, consequence) pairs, in order, without repeats: from `consequences.parquet`
    /// (`provar annotate`: VEP CSQ, SnpEff ANN, bcftools BCSQ; the gene name, else its id)
    /// when the tables directory has it, else from INFO/BCSQ (its second and first fields).
    pub consequences: Vec<(String, String)>,
    /// The population allele frequency of this allele, from `population.parquet`
    /// (`provar annotate --population`: its column named `…AF`), `None` when the table is
    /// absent or the allele is not in the population file.
    pub population_af: Option<f64>,
    /// The cohort allele frequency (`variant_qc.parquet` AF), when that table is present
    /// and the site has called genotypes.
    pub cohort_af: Option<f64>,
    /// Calls of the requested samples, in the order asked for.
    pub calls: Vec<Call>,
}

impl Site {
    /// A single-base substitution (REF and ALT one base each).
    pub fn is_snp(&self) -> bool {
        self.reference.len() == 1
            && self
                .alternate
                .as_deref()
                .is_some_and(|a| a.len() == 1 && a != "*")
    }
}

/// Sample ids of the tables, in column order.
pub fn sample_ids(dir: &Path) -> Result<Vec<String>, Error> {
    let path = dir.join(Table::Samples.file_name());
    let mut ids = Vec::new();
    for batch in table::read(dir, Table::Samples, BATCH)? {
        let batch = batch?;
        ids.extend(
            column::<StringArray>(&batch, "sample_id", &path)?
                .iter()
                .map(|s| s.unwrap_or_default().to_owned()),
        );
    }
    Ok(ids)
}

/// Reads `dir`'s variants, calls and (if present) info tables in step, calling `each` for
/// every site with the calls of `samples` (column indices in `samples.parquet`), with the
/// `consequences`, `population` and `variant_qc` tables joined when present.
pub fn for_each_site(
    dir: &Path,
    samples: &[usize],
    each: impl FnMut(&Site) -> Result<(), Error>,
) -> Result<(), Error> {
    walk(dir, samples, Joined::read(dir)?, each)
}

/// As [`for_each_site`] without the annotation tables (`consequences` from INFO/BCSQ only,
/// no population or cohort AF), for stages that use genotypes alone.
pub fn for_each_site_unannotated(
    dir: &Path,
    samples: &[usize],
    each: impl FnMut(&Site) -> Result<(), Error>,
) -> Result<(), Error> {
    walk(dir, samples, Joined::default(), each)
}

fn walk(
    dir: &Path,
    samples: &[usize],
    joined: Joined,
    mut each: impl FnMut(&Site) -> Result<(), Error>,
) -> Result<(), Error> {
    let variants_path = dir.join(Table::Variants.file_name());
    let calls_path = dir.join(Table::Calls.file_name());
    let info_path = dir.join("info.parquet");
    let info: Vec<RecordBatch> = match table::read_any(dir, "info")? {
        Some((_, batches)) => batches,
        None => Vec::new(),
    };
    let mut info_rows = InfoRows::new(&info);
    let mut calls = table::read(dir, Table::Calls, BATCH)?;
    for v in table::read(dir, Table::Variants, BATCH)? {
        let v = v?;
        let c = calls.next().ok_or_else(|| Error::Misaligned {
            path: calls_path.clone(),
        })??;
        if c.num_rows() != v.num_rows() {
            return Err(Error::Misaligned { path: calls_path });
        }
        let index = column::<UInt64Array>(&v, "variant_index", &variants_path)?;
        let key = column::<StringArray>(&v, "variant_key", &variants_path)?;
        let contig = column::<StringArray>(&v, "contig", &variants_path)?;
        let position = column::<UInt64Array>(&v, "position", &variants_path)?;
        let reference = column::<StringArray>(&v, "reference_bases", &variants_path)?;
        let alternate = column::<StringArray>(&v, "alternate_bases", &variants_path)?;
        let filters = column::<StringArray>(&v, "filters", &variants_path)?;
        let lists = CallLists::new(&c, &calls_path)?;
        for row in 0..v.num_rows() {
            let (info_dp, bcsq) = info_rows.next(index.value(row), &info_path)?;
            let consequences = match &joined.consequences {
                Some(map) => map.get(&index.value(row)).cloned().unwrap_or_default(),
                None => bcsq,
            };
            let mut genes: Vec<String> = Vec::new();
            for (gene, _) in &consequences {
                if !genes.contains(gene) {
                    genes.push(gene.clone());
                }
            }
            let site = Site {
                index: index.value(row),
                key: key.value(row).to_owned(),
                contig: contig.value(row).to_owned(),
                position: position.value(row),
                reference: reference.value(row).to_owned(),
                alternate: (!alternate.is_null(row)).then(|| alternate.value(row).to_owned()),
                pass: filters.is_null(row) || filters.value(row) == "PASS",
                info_dp,
                genes,
                consequences,
                population_af: joined.population_af.get(&index.value(row)).copied(),
                cohort_af: joined.cohort_af.get(&index.value(row)).copied(),
                calls: samples.iter().map(|&s| lists.call(row, s)).collect(),
            };
            each(&site)?;
        }
    }
    Ok(())
}

/// (gene, consequence) pairs by `variant_index`.
type ConsequencesByVariant = HashMap<u64, Vec<(String, String)>>;

/// Annotation tables joined to sites by `variant_index`, each when present.
#[derive(Default)]
struct Joined {
    consequences: Option<ConsequencesByVariant>,
    population_af: HashMap<u64, f64>,
    cohort_af: HashMap<u64, f64>,
}

impl Joined {
    fn read(dir: &Path) -> Result<Self, Error> {
        Ok(Joined {
            consequences: consequences(dir)?,
            population_af: float_column(dir, "population", |name| name.ends_with("AF"))?,
            cohort_af: float_column(dir, "variant_qc", |name| name == "AF")?,
        })
    }
}

/// (gene, consequence) pairs per variant from `consequences.parquet`, when present.
fn consequences(dir: &Path) -> Result<Option<ConsequencesByVariant>, Error> {
    let Some((_, batches)) = table::read_any(dir, "consequences")? else {
        return Ok(None);
    };
    let path = dir.join("consequences.parquet");
    let mut map = ConsequencesByVariant::new();
    for batch in &batches {
        let index = column::<UInt64Array>(batch, "variant_index", &path)?;
        let consequence = column::<StringArray>(batch, "consequence", &path)?;
        let gene_name = column::<StringArray>(batch, "gene_name", &path)?;
        let gene_id = column::<StringArray>(batch, "gene_id", &path)?;
        for row in 0..batch.num_rows() {
            let gene = [gene_name, gene_id]
                .into_iter()
                .find(|c| !c.is_null(row) && !c.value(row).is_empty())
                .map(|c| c.value(row));
            let (Some(gene), false) = (gene, consequence.is_null(row)) else {
                continue;
            };
            let pair = (gene.to_owned(), consequence.value(row).to_owned());
            let pairs = map.entry(index.value(row)).or_default();
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    Ok(Some(map))
}

/// The first Float32/Float64 column of table `name` whose name `wanted` accepts, by
/// `variant_index` (nulls left out); empty when the table or such a column is absent.
fn float_column(
    dir: &Path,
    name: &str,
    wanted: impl Fn(&str) -> bool,
) -> Result<HashMap<u64, f64>, Error> {
    let Some((_, batches)) = table::read_any(dir, name)? else {
        return Ok(HashMap::new());
    };
    let path = dir.join(format!("{name}.parquet"));
    let mut map = HashMap::new();
    for batch in &batches {
        let index = column::<UInt64Array>(batch, "variant_index", &path)?;
        let schema = batch.schema();
        let Some((i, _)) = schema
            .fields()
            .iter()
            .enumerate()
            .find(|(_, f)| wanted(f.name()))
        else {
            return Ok(HashMap::new());
        };
        let values = batch.column(i);
        let value = |row: usize| -> Option<f64> {
            if values.is_null(row) {
                return None;
            }
            if let Some(a) = values.as_any().downcast_ref::<Float64Array>() {
                Some(a.value(row))
            } else {
                values
                    .as_any()
                    .downcast_ref::<Float32Array>()
                    .map(|a| f64::from(a.value(row)))
            }
        };
        for row in 0..batch.num_rows() {
            if let Some(v) = value(row) {
                map.insert(index.value(row), v);
            }
        }
    }
    Ok(map)
}

/// The INFO values rare-disease stages use, read row by row from `info.parquet`.
struct InfoRows<'a> {
    batches: &'a [RecordBatch],
    batch: usize,
    row: usize,
}

impl<'a> InfoRows<'a> {
    fn new(batches: &'a [RecordBatch]) -> Self {
        InfoRows {
            batches,
            batch: 0,
            row: 0,
        }
    }

    /// INFO/DP and the BCSQ (gene, consequence) pairs of variant `index`.
    #[allow(clippy::type_complexity)]
    fn next(
        &mut self,
        index: u64,
        path: &Path,
    ) -> Result<(Option<i32>, Vec<(String, String)>), Error> {
        while self.batch < self.batches.len() && self.row >= self.batches[self.batch].num_rows() {
            self.batch += 1;
            self.row = 0;
        }
        let Some(batch) = self.batches.get(self.batch) else {
            return Ok((None, Vec::new()));
        };
        let row = self.row;
        self.row += 1;
        let found = batch
            .column(0)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .map(|a| a.value(row));
        if found != Some(index) {
            return Err(Error::Misaligned {
                path: path.to_path_buf(),
            });
        }
        let dp = batch
            .column_by_name("DP")
            .and_then(|c| c.as_any().downcast_ref::<Int32Array>().cloned())
            .and_then(|a| (!a.is_null(row)).then(|| a.value(row)));
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(list) = batch
            .column_by_name("BCSQ")
            .and_then(|c| c.as_any().downcast_ref::<ListArray>().cloned())
        {
            if !list.is_null(row) {
                let values = list.value(row);
                if let Some(strings) = values.as_any().downcast_ref::<StringArray>() {
                    for consequence in strings.iter().flatten() {
                        // `consequence|gene|transcript|...`; `@POS` points at another record.
                        let mut fields = consequence.split('|');
                        let (what, gene) = (fields.next().unwrap_or(""), fields.next());
                        if let Some(gene) = gene.filter(|g| !g.is_empty()) {
                            let pair = (gene.to_owned(), what.to_owned());
                            if !pairs.contains(&pair) {
                                pairs.push(pair);
                            }
                        }
                    }
                }
            }
        }
        Ok((dp, pairs))
    }
}

/// The list columns of a calls batch, read by (row, sample).
struct CallLists {
    a1: (ListArray, Int8Array),
    a2: (ListArray, Int8Array),
    dp: (ListArray, Int32Array),
    gq: (ListArray, Int32Array),
    ad_ref: (ListArray, Int32Array),
    ad_alt: (ListArray, Int32Array),
}

fn list<T: Clone + 'static>(
    batch: &RecordBatch,
    name: &str,
    path: &Path,
) -> Result<(ListArray, T), Error> {
    let list = column::<ListArray>(batch, name, path)?.clone();
    let values = list
        .values()
        .as_any()
        .downcast_ref::<T>()
        .cloned()
        .ok_or_else(|| Error::Misaligned {
            path: path.to_owned(),
        })?;
    Ok((list, values))
}

impl CallLists {
    fn new(batch: &RecordBatch, path: &Path) -> Result<Self, Error> {
        Ok(CallLists {
            a1: list(batch, "gt_allele_1", path)?,
            a2: list(batch, "gt_allele_2", path)?,
            dp: list(batch, "dp", path)?,
            gq: list(batch, "gq", path)?,
            ad_ref: list(batch, "ad_ref", path)?,
            ad_alt: list(batch, "ad_alt", path)?,
        })
    }

    fn call(&self, row: usize, sample: usize) -> Call {
        fn get8(l: &(ListArray, Int8Array), row: usize, s: usize) -> Option<i8> {
            let start = l.0.value_offsets()[row] as usize;
            let i = start + s;
            (i < l.0.value_offsets()[row + 1] as usize && !l.1.is_null(i)).then(|| l.1.value(i))
        }
        fn get32(l: &(ListArray, Int32Array), row: usize, s: usize) -> Option<i32> {
            let start = l.0.value_offsets()[row] as usize;
            let i = start + s;
            (i < l.0.value_offsets()[row + 1] as usize && !l.1.is_null(i)).then(|| l.1.value(i))
        }
        let a1 = get8(&self.a1, row, sample);
        let a2 = get8(&self.a2, row, sample);
        let haploid = a2.is_none();
        let gt = match (a1, a2) {
            (Some(-1) | None, _) | (_, Some(-1)) => Gt::Missing,
            (Some(0), None) => Gt::HomRef,
            (Some(_), None) => Gt::HomAlt,
            (Some(0), Some(0)) => Gt::HomRef,
            (Some(x), Some(y)) if x != y => Gt::Het,
            (Some(_), Some(_)) => Gt::HomAlt,
        };
        Call {
            gt,
            haploid,
            dp: get32(&self.dp, row, sample),
            gq: get32(&self.gq, row, sample),
            ad_ref: get32(&self.ad_ref, row, sample),
            ad_alt: get32(&self.ad_alt, row, sample),
        }
    }
}
