//! `provar sites` and `provar coverage`: read evidence and depth from BAM/CRAM.

use anyhow::Context as _;

use crate::{
    cli::{BaqArg, CoverageArgs, SitesArgs},
    recorder::Recorder,
    ExitStatus,
};

use super::{in_out_dir, Context};

pub(crate) fn sites(context: &Context, args: &SitesArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    in_out_dir(out, || {
        let mut inputs = args.bams.clone();
        // A tables directory: its variants table is the input (the directory itself keeps
        // changing as later stages write into it).
        inputs.push(if args.variants.is_dir() {
            args.variants
                .join(provar_io::table::Table::Variants.file_name())
        } else {
            args.variants.clone()
        });
        if let Some(r) = &args.reference {
            inputs.push(r.clone());
        }
        let mut recorder = Recorder::begin(args.output.ledger.as_deref(), inputs)?;
        let filters = provar_reads::Filters {
            min_mapq: args.min_mapq,
            min_baseq: args.min_baseq,
            skip_flags: args.skip_flags,
            count_orphans: args.count_orphans,
            baq: match args.baq {
                BaqArg::Partial => provar_reads::Baq::Partial,
                BaqArg::Full => provar_reads::Baq::Full,
                BaqArg::Off => provar_reads::Baq::Off,
            },
            overlaps: !args.ignore_overlaps,
            ..provar_reads::Filters::default()
        };
        recorder.parameter("min_mapq", filters.min_mapq);
        recorder.parameter("min_baseq", filters.min_baseq);
        recorder.parameter("max_baseq", filters.max_baseq);
        recorder.parameter("delta_baseq", filters.delta_baseq);
        recorder.parameter("skip_flags", filters.skip_flags);
        recorder.parameter("count_orphans", filters.count_orphans);
        recorder.parameter("baq", format!("{:?}", filters.baq).to_lowercase());
        recorder.parameter("overlapping_mates_once", filters.overlaps);
        recorder.parameter("indels", "counted from CIGARs");
        let config = provar_reads::SitesConfig {
            alignments: args.bams.clone(),
            variants: args.variants.clone(),
            reference: args.reference.clone(),
            out_dir: out.clone(),
            filters,
        };
        let result = provar_reads::run_sites(&config).with_context(|| {
            format!("counting reads at the sites of {}", args.variants.display())
        })?;
        let outputs = provar_io::table::commit_all(result.tables)?;
        context.wrote(&outputs);
        recorder.finish("sites", outputs, context.threads)?;
        let s = &result.summary;
        if s.baq_untagged > 0 {
            context.say(format_args!(
                "sites: {} read(s) BAQ would realign reach past the reference window; their qualities were used as they are (as with bcftools -B)",
                s.baq_untagged
            ));
        }
        context.say(format_args!(
            "sites: {} sites x {} samples -> site_evidence.parquet ({} rows)",
            s.sites, s.samples, s.rows
        ));
        Ok(ExitStatus::Success)
    })
}

pub(crate) fn coverage(context: &Context, args: &CoverageArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    in_out_dir(out, || {
        let mut inputs = args.bams.clone();
        inputs.extend(args.reference.iter().cloned());
        inputs.extend(args.targets.iter().cloned());
        let mut recorder = Recorder::begin(args.output.ledger.as_deref(), inputs)?;
        let options = provar_reads::CoverageOptions {
            window: args.window,
            skip_flags: args.skip_flags,
            min_mapq: args.min_mapq,
            count_deletions: args.count_deletions,
            mate_overlap_once: !args.count_mate_overlaps,
        };
        recorder.parameter("window", options.window);
        recorder.parameter("skip_flags", options.skip_flags);
        recorder.parameter("min_mapq", options.min_mapq);
        recorder.parameter("count_deletions", options.count_deletions);
        recorder.parameter("mate_overlap_once", options.mate_overlap_once);
        let config = provar_reads::CoverageConfig {
            alignments: args.bams.clone(),
            reference: args.reference.clone(),
            targets: args.targets.clone(),
            out_dir: out.clone(),
            options,
        };
        let result = provar_reads::run_coverage(&config).context("computing coverage")?;
        let outputs = provar_io::table::commit_all(result.tables)?;
        context.wrote(&outputs);
        recorder.finish("coverage", outputs, context.threads)?;
        for (sample, genome, targets) in &result.means {
            match targets {
                Some(t) => context.say(format_args!(
                    "coverage: {sample}: mean depth {genome:.2} (targets {t:.2})"
                )),
                None => context.say(format_args!("coverage: {sample}: mean depth {genome:.2}")),
            }
        }
        Ok(ExitStatus::Success)
    })
}
