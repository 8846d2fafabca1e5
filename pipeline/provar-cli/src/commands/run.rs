//! `provar run`: ingest, qc, cluster by genotype, the rare-disease stages when a pedigree
//! is given, and report on one cohort, then verify the ledger.

use std::path::{Path, PathBuf};

use crate::{cli::RunArgs, recorder::VerifyFailed, ExitStatus};

use super::{annotate, burden, cluster, ingest, ledger, qc, rare, reads, report, Context};

/// The bundled cohort, relative to the repository root.
const BUNDLED_VCF: &str = "testdata/cohort/sample.vcf.gz";
/// Its case/control file (Hail's test file: synthetic phenotypes).
const BUNDLED_PED: &str = "testdata/cohort/sample.fam";

/// A bundled file: relative to the working directory when run from the repository (so the
/// ledger records a short path), else where the sources were built. `PROVAR_TESTDATA`, when
/// set, names the directory holding `testdata/`'s contents (as the container image does).
fn bundled(path: &str) -> anyhow::Result<PathBuf> {
    let relative = PathBuf::from(path);
    if relative.is_file() {
        return Ok(relative);
    }
    if let Some(dir) = std::env::var_os("PROVAR_TESTDATA") {
        let inside = Path::new(&dir).join(path.trim_start_matches("testdata/"));
        if inside.is_file() {
            return Ok(inside);
        }
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    if built.is_file() {
        return Ok(built);
    }
    anyhow::bail!("the bundled file {path} is not here; pass --vcf FILE (and --ped FILE)")
}

/// Gene burden when the pedigree has both cases and controls: by gene when the VCF has
/// consequences (`annotate` split them into consequences.parquet), else by 1 Mb window.
fn run_burden(context: &Context, out: &Path, ped: &Path, ledger_dir: &Path) -> anyhow::Result<()> {
    let pedigree = rare::read_pedigree(ped)?;
    let samples: std::collections::BTreeSet<String> =
        provar_io::sites::sample_ids(out)?.into_iter().collect();
    let count = |phenotype| {
        pedigree
            .individuals()
            .iter()
            .filter(|i| i.phenotype == phenotype && samples.contains(&i.id))
            .count()
    };
    let (cases, controls) = (
        count(provar_core::pedigree::Phenotype::Affected),
        count(provar_core::pedigree::Phenotype::Unaffected),
    );
    if cases == 0 || controls == 0 {
        context.say(format_args!(
            "burden: skipped: the pedigree has {cases} case(s) and {controls} control(s) among the samples"
        ));
        return Ok(());
    }
    let has_genes = cluster::has_genes(out)?;
    let args = crate::cli::BurdenArgs {
        ped: ped.to_path_buf(),
        tables: None,
        rules: crate::cli::QualifyingArgs {
            window: (!has_genes).then_some(1_000_000),
            ..crate::cli::QualifyingArgs::default()
        },
        min_case_carriers: 1,
        min_cases: 5,
        min_carriers: 4,
        output: crate::cli::OutputArgs {
            out: out.to_path_buf(),
            ledger: Some(ledger_dir.to_path_buf()),
        },
    };
    burden::execute(context, &args, out, ped, out, Some(ledger_dir))?;
    Ok(())
}

pub(crate) fn run(context: &Context, args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let (vcf, ped) = match &args.vcf {
        Some(v) => (v.clone(), args.ped.clone()),
        None => (
            bundled(BUNDLED_VCF)?,
            match &args.ped {
                Some(p) => Some(p.clone()),
                None => Some(bundled(BUNDLED_PED)?),
            },
        ),
    };
    let out = &args.out;
    let ledger_dir = out.join("ledger");
    context.say(format_args!(
        "run: {} -> {} ({} threads)",
        vcf.display(),
        out.display(),
        context.threads
    ));
    let ingested = ingest::execute(
        context,
        ingest::Input {
            vcf: &vcf,
            selection: provar_ingest::RecordSelection::All,
            samples: None,
            fasta: args.fasta.as_deref(),
        },
        &args.privacy,
        out,
        Some(&ledger_dir),
    )?;
    let qc = qc::execute(
        context,
        args.filters,
        crate::cli::SexArgs::default(),
        ped.as_deref(),
        out,
        out,
        Some(&ledger_dir),
    )?;
    // Annotation, when there is a gene model, population sites or consequences in the VCF
    // to split; rare and burden below read what it writes.
    if args.genes.is_some()
        || args.population.is_some()
        || !provar_annotate::consequence::tags_in(out)?.is_empty()
    {
        annotate::run(
            context,
            &crate::cli::AnnotateArgs {
                tables: None,
                genes: args.genes.clone(),
                flank: 0,
                population: args.population.clone(),
                population_fields: Vec::new(),
                population_prefix: "pop_".to_owned(),
                output: crate::cli::OutputArgs {
                    out: out.clone(),
                    ledger: Some(ledger_dir.clone()),
                },
            },
        )?;
    }
    let cluster_args = crate::cli::ClusterArgs {
        tables: None,
        on: crate::cli::ClusterOn::Genotypes,
        method: args.method,
        pcs: 4,
        max_k: 8,
        maf: 0.05,
        no_refine: false,
        profile: crate::cli::QualifyingArgs::default(),
        ped: ped.clone(),
        kmeans: crate::cli::KMeansArgs {
            k: 3,
            seed: args.seed,
        },
        output: crate::cli::OutputArgs {
            out: out.clone(),
            ledger: Some(ledger_dir.clone()),
        },
    };
    // A small call set (a few sites, or a single sample) has nothing to cluster: the run
    // goes on without clusters, pca and relatedness, and says so.
    if let Err(e) = cluster::run(context, &cluster_args) {
        match e.downcast_ref::<provar_cluster::ClusterError>() {
            Some(too_few @ provar_cluster::ClusterError::TooFewForPca { .. }) => {
                context.say(format_args!("cluster: skipped: {too_few}"));
            }
            _ => return Err(e),
        }
    }
    if !args.bams.is_empty() {
        let output = || crate::cli::OutputArgs {
            out: out.clone(),
            ledger: Some(ledger_dir.clone()),
        };
        reads::sites(
            context,
            &crate::cli::SitesArgs {
                bams: args.bams.clone(),
                variants: out.clone(),
                reference: args.reference.clone(),
                min_mapq: 0,
                min_baseq: 1,
                skip_flags: 0x704,
                count_orphans: false,
                baq: crate::cli::BaqArg::Partial,
                ignore_overlaps: false,
                output: output(),
            },
        )?;
        reads::coverage(
            context,
            &crate::cli::CoverageArgs {
                bams: args.bams.clone(),
                reference: args.reference.clone(),
                targets: None,
                window: 1000,
                min_mapq: 0,
                skip_flags: 1796,
                count_deletions: false,
                count_mate_overlaps: false,
                output: output(),
            },
        )?;
    }
    if let Some(ped) = &ped {
        rare::execute(
            context,
            out,
            ped,
            rare::Settings {
                gates: crate::cli::GateArgs::default().gates(),
                rarity: crate::cli::RarityArgs::default().rarity(),
                build: provar_rare::Build::GRCh37,
                read_evidence: !args.bams.is_empty(),
            },
            out,
            Some(&ledger_dir),
        )?;
        run_burden(context, out, ped, &ledger_dir)?;
    }
    report::execute(
        context,
        out,
        out,
        Some(&ledger_dir),
        report::families_of(ped.as_deref())?,
    )?;
    let report = ledger::verify(context, &ledger_dir)?;
    if !report.is_ok() {
        return Err(VerifyFailed {
            dir: ledger_dir,
            problems: report.problems.len(),
        }
        .into());
    }

    let n = qc.samples.len().max(1) as f64;
    let mean_call_rate = qc.samples.iter().filter_map(|s| s.call_rate()).sum::<f64>() / n;
    let mut ti_tv: Vec<f64> = qc
        .samples
        .iter()
        .filter(|s| s.n_transversion > 0)
        .map(|s| s.n_transition as f64 / s.n_transversion as f64)
        .collect();
    ti_tv.sort_by(f64::total_cmp);
    let median_ti_tv = ti_tv.get(ti_tv.len() / 2).copied().unwrap_or(f64::NAN);
    context.say(format_args!(
        "done: {} variants x {} samples; mean sample call rate {:.4}; median Ti/Tv {:.3}; tables and ledger in {}",
        ingested.variants,
        ingested.samples,
        mean_call_rate,
        median_ti_tv,
        out.display()
    ));
    Ok(ExitStatus::Success)
}
