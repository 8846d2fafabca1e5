//! The `report` stage: reads the tables a run wrote and writes one self-contained HTML file
//! (`report.html`) with plots a reviewer would rather look at than read — QC distributions,
//! the PCA scatter coloured by cluster and by family, per-gene burden, candidates per family
//! with read evidence, Mendel errors — and the ledger digest of every table it shows.
//!
//! The page has no scripts and loads nothing from the network: styles are inline and plots
//! are inline SVG. It is deterministic (no timestamps; fixed number formatting), so the same
//! tables give the same bytes.
//!
//! Tables are looked up by name in the tables directory and read whatever their schema
//! version ([`provar_io::table::read_any`]); a table that is absent gives a section saying it
//! was not computed in this run, a table missing a column the report needs is an error that
//! names the file and the column.

mod columns;
pub mod html;
pub mod svg;

use std::{
    collections::{BTreeMap, HashMap},
    fmt::Write as _,
    io::Write as _,
    path::{Path, PathBuf},
};

use provar_io::{arrow_array::RecordBatch, atomic::AtomicFile, table};

use columns::{numbers, strings, Loaded};

/// The file this stage writes.
pub const REPORT_FILE: &str = "report.html";

/// One artifact's provenance, as the ledger recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// File name relative to the tables directory (e.g. `variant_qc.parquet`).
    pub file: String,
    /// BLAKE3-256 of its bytes, hex.
    pub blake3: String,
    /// Size in bytes.
    pub size: u64,
}

/// What to report on and where.
#[derive(Clone, Debug)]
pub struct ReportConfig {
    /// Directory holding the tables.
    pub tables_dir: PathBuf,
    /// Directory receiving `report.html`.
    pub out_dir: PathBuf,
    /// Page title.
    pub title: String,
    /// Provenance of the tables (from the ledger), shown in the last section.
    pub artifacts: Vec<Artifact>,
    /// Sample ID → family ID (from the pedigree), to colour the PCA scatter by family.
    pub families: BTreeMap<String, String>,
}

/// A report failure; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A table could not be read.
    #[error(transparent)]
    Table(#[from] table::Error),
    /// A table lacks a column the report needs, or has it with an unusable type.
    #[error("invalid table {}: column {column:?} is missing or not {expected}", path.display())]
    Column {
        /// The table file.
        path: PathBuf,
        /// The column.
        column: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The report could not be written.
    #[error("cannot write {}", path.display())]
    Io {
        /// The report file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A written report, under its temporary name until [`Report::commit`].
#[derive(Debug)]
pub struct Report {
    output: AtomicFile,
    /// Titles of the sections that had data.
    pub sections_with_data: Vec<&'static str>,
    /// Number of SVG plots on the page.
    pub plots: usize,
}

impl Report {
    /// Renames `report.html` into place and returns its path.
    pub fn commit(self) -> Result<PathBuf, Error> {
        let path = self.output.path().to_owned();
        self.output
            .commit()
            .map_err(|source| Error::Io { path, source })
    }
}

struct Section {
    id: &'static str,
    title: &'static str,
    body: String,
    plots: usize,
    has_data: bool,
}

impl Section {
    fn new(id: &'static str, title: &'static str) -> Self {
        Section {
            id,
            title,
            body: String::new(),
            plots: 0,
            has_data: false,
        }
    }

    fn plot(&mut self, svg: Option<String>) {
        if let Some(svg) = svg {
            self.body.push_str(&svg);
            self.plots += 1;
            self.has_data = true;
        }
    }

    fn none(&mut self, what: &str) {
        let _ = write!(
            self.body,
            "<p class=\"none\">{} was not computed in this run.</p>",
            html::escape(what)
        );
    }

    fn render(&self) -> String {
        format!(
            "<section id=\"{}\"><h2>{}</h2><div class=\"plots\">{}</div></section>",
            self.id, self.title, self.body
        )
    }
}

/// Sex inference from X: a histogram of F and, with a pedigree, the samples whose recorded
/// sex does not check (or a line saying they all do).
fn sex_check(qc: &mut Section, t: &Loaded) -> Result<(), Error> {
    let f: Vec<f64> = numbers(t, "x_f")?;
    if f.iter().all(|v| v.is_nan()) {
        return Ok(());
    }
    qc.plot(svg::histogram(
        "X homozygosity F (sex: female < 0.2, male > 0.8 by default)",
        "x_f",
        &f,
        20,
    ));
    let status = strings(t, "sex_check")?;
    let checked = status.iter().filter(|s| !s.is_empty()).count();
    if checked == 0 {
        return Ok(());
    }
    let ids = strings(t, "sample_id")?;
    let pedigree = strings(t, "pedigree_sex")?;
    let inferred = strings(t, "inferred_sex")?;
    let problems: Vec<Vec<String>> = (0..status.len())
        .filter(|&i| status[i] == "problem")
        .map(|i| {
            vec![
                ids[i].clone(),
                pedigree[i].clone(),
                if inferred[i].is_empty() {
                    "undetermined".to_owned()
                } else {
                    inferred[i].clone()
                },
                format!("{:.4}", f[i]),
            ]
        })
        .collect();
    let _ = write!(
        qc.body,
        "<div><h3>Pedigree sex check</h3><p>{} of {checked} samples: pedigree sex unknown or \
         not the sex inferred from X.</p>{}</div>",
        problems.len(),
        html::table(
            "sex-check",
            &["sample", "pedigree sex", "inferred sex", "F"].map(String::from),
            &problems,
        )
    );
    qc.has_data = true;
    Ok(())
}

/// PC1 against PC2 of a `pca`-shaped table, coloured by the clustering (when given) and by
/// family (when there is a pedigree).
fn scatter_pca(
    section: &mut Section,
    t: &Loaded,
    clusters: Option<&Loaded>,
    families: &BTreeMap<String, String>,
    what: &str,
) -> Result<(), Error> {
    let cluster_of: HashMap<String, String> = match clusters {
        Some(c) => strings(c, "sample_id")?
            .into_iter()
            .zip(numbers(c, "cluster")?)
            .map(|(id, c)| (id, format!("cluster {c}")))
            .collect(),
        None => HashMap::new(),
    };
    let ids = strings(t, "sample_id")?;
    let (x_name, y_name) = ("PC1", "PC2");
    let x = numbers(t, x_name)?;
    // With two samples there is only one component: plot it against zero.
    let y = if t.has(y_name) {
        numbers(t, y_name)?
    } else {
        vec![0.0; x.len()]
    };
    // One scatter per grouping: by cluster, and by family when there is a pedigree.
    let mut plot = |by: &str, group_of: &dyn Fn(&str) -> Option<String>, other: &str| {
        let points: Vec<svg::Point> = (0..ids.len())
            .map(|i| svg::Point {
                x: x[i],
                y: y[i],
                group: group_of(&ids[i]).unwrap_or_else(|| other.to_owned()),
                label: ids[i].clone(),
            })
            .collect();
        section.plot(svg::scatter(
            &format!("{what} by {by}"),
            x_name,
            y_name,
            &points,
        ));
    };
    plot("cluster", &|id| cluster_of.get(id).cloned(), "unclustered");
    if !families.is_empty() {
        plot("family", &|id| families.get(id).cloned(), "not in pedigree");
    }
    Ok(())
}

fn load(dir: &Path, name: &str) -> Result<Option<Loaded>, Error> {
    Ok(table::read_any(dir, name)?.map(|(schema, batches)| Loaded {
        path: dir.join(format!("{name}.parquet")),
        schema,
        batches,
    }))
}

/// Reads the tables in `config.tables_dir` and writes `report.html` into `config.out_dir`
/// under a temporary name.
pub fn run(config: &ReportConfig) -> Result<Report, Error> {
    let dir = &config.tables_dir;
    let mut sections = Vec::new();

    // 1. Variant and sample QC distributions.
    let mut qc = Section::new("qc", "Quality control");
    match load(dir, "variant_qc")? {
        Some(t) => {
            let af = numbers(&t, "AF")?;
            qc.plot(svg::histogram("Variant allele frequency", "AF", &af, 20));
            let call_rate = numbers(&t, "call_rate")?;
            qc.plot(svg::histogram(
                "Variant call rate",
                "call_rate",
                &call_rate,
                20,
            ));
            let hwe: Vec<f64> = numbers(&t, "p_value_hwe")?
                .into_iter()
                .map(|p| if p > 0.0 { -p.log10() } else { f64::NAN })
                .collect();
            qc.plot(svg::histogram(
                "Hardy–Weinberg",
                "-log10 p_value_hwe",
                &hwe,
                20,
            ));
        }
        None => qc.none("variant_qc"),
    }
    let sample_qc = load(dir, "sample_qc")?;
    match &sample_qc {
        Some(t) => {
            for (column, title) in [
                ("call_rate", "Sample call rate"),
                ("r_ti_tv", "Sample Ti/Tv"),
                ("r_het_hom_var", "Sample het/hom-var"),
                ("dp_stats_mean", "Sample mean depth"),
            ] {
                let values = numbers(t, column)?;
                qc.plot(svg::histogram(title, column, &values, 20));
            }
            if t.has("x_f") {
                sex_check(&mut qc, t)?;
            }
        }
        None => qc.none("sample_qc"),
    }
    // Read coverage (provar coverage): mean depth per sample, and allele balance from reads
    // (provar sites) at alternate alleles seen in reads.
    if let Some(t) = load(dir, "coverage_summary")? {
        let scope = strings(&t, "scope")?;
        let sample = strings(&t, "sample")?;
        let mean = numbers(&t, "mean")?;
        let items: Vec<(String, f64)> = (0..scope.len())
            .filter(|&i| scope[i] == "genome")
            .map(|i| (sample[i].clone(), mean[i]))
            .collect();
        qc.plot(svg::bars(
            "Mean read depth per sample",
            "mean depth",
            &items,
        ));
    }
    if let Some(t) = load(dir, "site_evidence")? {
        let balance: Vec<f64> = numbers(&t, "allele_balance")?
            .into_iter()
            .zip(numbers(&t, "alt_count")?)
            .filter(|(_, alt)| *alt > 0.0)
            .map(|(b, _)| b)
            .collect();
        qc.plot(svg::histogram(
            "Allele balance from reads (sites with alternate reads)",
            "alt / (ref + alt)",
            &balance,
            20,
        ));
    }
    sections.push(qc);

    // 2. Population structure: PCA coloured by cluster and by family.
    let mut pca_section = Section::new("pca", "Samples: PCA and clusters");
    let clusters = load(dir, "clusters")?;
    match load(dir, "pca")? {
        Some(t) => scatter_pca(
            &mut pca_section,
            &t,
            clusters.as_ref(),
            &config.families,
            "PCA",
        )?,
        None => pca_section.none("PCA (pca.parquet)"),
    }
    // Samples clustered on rare-variant burden profiles (`provar cluster --on burden`).
    if let Some(t) = load(dir, "burden_pca")? {
        let burden_clusters = load(dir, "burden_clusters")?;
        scatter_pca(
            &mut pca_section,
            &t,
            burden_clusters.as_ref(),
            &config.families,
            "Burden-profile PCA",
        )?;
    }
    if let Some(t) = &clusters {
        let c = numbers(t, "cluster")?;
        let mut sizes: BTreeMap<i64, u64> = BTreeMap::new();
        for v in c.iter().filter(|v| v.is_finite()) {
            *sizes.entry(*v as i64).or_default() += 1;
        }
        let items: Vec<(String, f64)> = sizes
            .iter()
            .map(|(k, n)| (format!("cluster {k}"), *n as f64))
            .collect();
        pca_section.plot(svg::bars("Cluster sizes", "samples", &items));
    } else {
        pca_section.none("Clustering (clusters.parquet)");
    }
    sections.push(pca_section);

    // 3. Gene burden.
    let mut burden = Section::new("burden", "Gene burden");
    match load(dir, "burden")? {
        Some(t) => {
            let genes = columns::first_strings(&t, &["gene", "gene_name", "gene_id"])?;
            let p = columns::first_numbers(&t, &["p_value", "pvalue", "p"])?;
            let mut items: Vec<(String, f64)> = genes
                .into_iter()
                .zip(p)
                .filter(|(_, p)| p.is_finite() && *p > 0.0)
                .map(|(g, p)| (g, -p.log10()))
                .collect();
            items.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            items.truncate(30);
            burden.plot(svg::bars(
                "Genes by burden p-value (top 30)",
                "-log10 p (one-sided Fisher)",
                &items,
            ));
            if !burden.has_data {
                burden
                    .body
                    .push_str("<p class=\"none\">No gene had a finite p-value.</p>");
            }
            burden.body.push_str(&columns::preview(&t, 30));
        }
        None => burden.none("Gene burden (burden.parquet)"),
    }
    sections.push(burden);

    // 4. Candidates per family, with read evidence where available.
    let mut candidates = Section::new("candidates", "Candidates per family");
    match load(dir, "candidates")? {
        Some(t) => {
            let families = columns::first_strings(&t, &["family", "family_id"])?;
            let mut per_family: BTreeMap<String, u64> = BTreeMap::new();
            for f in &families {
                *per_family.entry(f.clone()).or_default() += 1;
            }
            let items: Vec<(String, f64)> = per_family
                .iter()
                .map(|(f, n)| (f.clone(), *n as f64))
                .collect();
            candidates.plot(svg::bars("Candidates per family", "candidates", &items));
            candidates
                .body
                .push_str(&columns::grouped_preview(&t, &families, 50));
        }
        None => candidates.none("Inheritance candidates (candidates.parquet)"),
    }
    match load(dir, "site_evidence")? {
        Some(t) => {
            candidates.body.push_str("<h3>Read evidence at sites</h3>");
            candidates.body.push_str(&columns::preview(&t, 50));
            candidates.has_data = true;
        }
        None => candidates.none("Read evidence (site_evidence.parquet)"),
    }
    sections.push(candidates);

    // 5. Mendel errors.
    let mut mendel = Section::new("mendel", "Mendel errors");
    match load(dir, "mendel_errors")? {
        Some(t) => {
            let families = columns::first_strings(&t, &["family", "family_id", "fam_id"])?;
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for f in families {
                *counts.entry(f).or_default() += 1;
            }
            let items: Vec<(String, f64)> =
                counts.iter().map(|(f, n)| (f.clone(), *n as f64)).collect();
            mendel.plot(svg::bars("Mendel errors per family", "errors", &items));
            let _ = write!(
                mendel.body,
                "<p>{} Mendel errors in {} families.</p>",
                t.rows(),
                counts.len()
            );
            mendel.has_data = true;
        }
        None => mendel.none("Mendel errors (mendel_errors.parquet)"),
    }
    sections.push(mendel);

    // 6. Provenance.
    let mut provenance = Section::new("provenance", "Provenance");
    if config.artifacts.is_empty() {
        provenance.none("A ledger record of the tables");
    } else {
        let rows: Vec<Vec<String>> = config
            .artifacts
            .iter()
            .map(|a| vec![a.file.clone(), a.size.to_string(), a.blake3.clone()])
            .collect();
        let header = ["file", "bytes", "BLAKE3-256"].map(String::from).to_vec();
        provenance.body.push_str(
            "<p>Each table shown above, with the digest the ledger recorded for it; \
             <code>provar ledger verify</code> checks the files still have these bytes and \
             <code>provar ledger lineage FILE</code> shows the stages and inputs that made \
             them. (Ledger record numbers are left out, so a run scattered over many jobs \
             gives the same page as one <code>provar run</code>.)</p>",
        );
        provenance
            .body
            .push_str(&html::table("provenance", &header, &rows));
        provenance.has_data = true;
    }
    sections.push(provenance);

    let plots = sections.iter().map(|s| s.plots).sum();
    let sections_with_data = sections
        .iter()
        .filter(|s| s.has_data)
        .map(|s| s.title)
        .collect();
    let rendered: Vec<String> = sections.iter().map(Section::render).collect();
    let page = html::page(&config.title, &rendered);

    let path = config.out_dir.join(REPORT_FILE);
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let mut output = AtomicFile::create(&path).map_err(io)?;
    output.file_mut().write_all(page.as_bytes()).map_err(io)?;
    Ok(Report {
        output,
        sections_with_data,
        plots,
    })
}

/// Row count of a set of batches.
fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}
