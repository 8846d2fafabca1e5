//! `provar rare`: Mendel errors and inheritance-mode candidates for a pedigree's families.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use provar_core::pedigree::Pedigree;
use provar_io::table::Table;

use crate::{
    cli::{GateArgs, RareArgs},
    recorder::Recorder,
    ExitStatus,
};

use super::{in_out_dir, Context};

/// Reads a PED file, naming the file and line of a bad line.
pub(crate) fn read_pedigree(path: &Path) -> anyhow::Result<Pedigree> {
    let text = fs_err::read_to_string(path)?;
    Pedigree::parse(&text).with_context(|| format!("reading pedigree {}", path.display()))
}

impl GateArgs {
    /// The gates these flags ask for.
    pub(crate) fn gates(&self) -> provar_rare::Gates {
        let mut gates = if self.no_gates {
            provar_rare::Gates::none()
        } else {
            provar_rare::Gates::default()
        };
        if let Some(v) = self.min_gq {
            gates.min_gq = v;
        }
        if let Some(v) = self.min_dp {
            gates.min_dp = v;
        }
        if let Some(v) = self.max_parent_alt_reads {
            gates.max_parent_alt_reads = (v >= 0).then_some(v);
        }
        if let Some((lo, hi)) = self.het_ab {
            gates.het_allele_balance = Some((lo, hi));
        }
        if self.any_filter {
            gates.pass_only = false;
        }
        if self.pass_only {
            gates.pass_only = true;
        }
        if let Some(v) = self.min_info_dp {
            gates.min_info_dp = Some(v);
        }
        gates
    }
}

/// How `rare` decides: genotype gates, rarity and impact limits, the build's PARs, and
/// whether AD/DP come from the reads.
pub(crate) struct Settings {
    pub(crate) gates: provar_rare::Gates,
    pub(crate) rarity: provar_rare::Rarity,
    pub(crate) build: provar_rare::Build,
    pub(crate) read_evidence: bool,
}

/// Runs the stage on the tables in `tables`, writing into `out`.
pub(crate) fn execute(
    context: &Context,
    tables: &Path,
    ped: &Path,
    settings: Settings,
    out: &Path,
    ledger: Option<&Path>,
) -> anyhow::Result<provar_rare::Summary> {
    let Settings {
        gates,
        rarity,
        build,
        read_evidence,
    } = settings;
    let pedigree = read_pedigree(ped)?;
    in_out_dir(out, || {
        let mut inputs: Vec<PathBuf> = [Table::Variants, Table::Calls, Table::Samples]
            .map(|t| tables.join(t.file_name()))
            .to_vec();
        // Optional tables the stage reads when present (INFO, annotation, cohort AF).
        for name in ["info", "consequences", "population", "variant_qc"] {
            let path = tables.join(format!("{name}.parquet"));
            if path.is_file() {
                inputs.push(path);
            }
        }
        if read_evidence {
            inputs.push(tables.join("site_evidence.parquet"));
        }
        inputs.push(ped.to_path_buf());
        let mut recorder = Recorder::begin(ledger, inputs)?;
        recorder.parameter("build", format!("{build:?}"));
        recorder.parameter("min_gq", gates.min_gq);
        recorder.parameter("min_dp", gates.min_dp);
        recorder.parameter("max_parent_alt_reads", gates.max_parent_alt_reads);
        recorder.parameter(
            "het_allele_balance",
            gates.het_allele_balance.map(|(a, b)| vec![a, b]),
        );
        recorder.parameter("pass_only", gates.pass_only);
        recorder.parameter("min_info_dp", gates.min_info_dp);
        recorder.parameter("read_evidence", read_evidence);
        recorder.parameter("max_population_af", rarity.max_population_af);
        recorder.parameter("max_cohort_af", rarity.max_cohort_af);
        recorder.parameter("impact", format!("{:?}", rarity.impact));
        let config = provar_rare::RareConfig {
            tables: tables.to_path_buf(),
            out_dir: out.to_path_buf(),
            pedigree: pedigree.clone(),
            build,
            gates,
            rarity,
            read_evidence,
        };
        let rare = provar_rare::run(&config)
            .with_context(|| format!("analysing families of {}", ped.display()))?;
        let outputs = provar_io::table::commit_all(rare.tables)?;
        context.wrote(&outputs);
        recorder.finish("rare", outputs, context.threads)?;
        let s = &rare.summary;
        if !s.absent.is_empty() {
            context.say(format_args!(
                "rare: {} pedigree individual(s) not in the tables, left out: {}",
                s.absent.len(),
                s.absent.join(", ")
            ));
        }
        if read_evidence {
            context.say(format_args!(
                "rare: AD and DP of {} call(s) taken from the reads (site_evidence.parquet)",
                s.calls_from_reads
            ));
        }
        if s.filtered_out > 0 {
            context.say(format_args!(
                "rare: {} variant(s) left out of the inheritance modes by the rarity/impact limits",
                s.filtered_out
            ));
        }
        let modes: Vec<String> = s
            .candidates
            .iter()
            .map(|(mode, n)| format!("{mode} {n}"))
            .collect();
        context.say(format_args!(
            "rare: {} trios, {} Mendel errors; candidates: {} -> mendel_errors.parquet, candidates.parquet",
            s.trios,
            s.mendel_errors,
            if modes.is_empty() { "none".to_owned() } else { modes.join(", ") }
        ));
        Ok(rare.summary)
    })
}

pub(crate) fn run(context: &Context, args: &RareArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    execute(
        context,
        args.tables.as_deref().unwrap_or(out),
        &args.ped,
        Settings {
            gates: args.gates.gates(),
            rarity: args.rarity.rarity(),
            build: args.build.into(),
            read_evidence: args.read_evidence,
        },
        out,
        args.output.ledger.as_deref(),
    )?;
    Ok(ExitStatus::Success)
}
