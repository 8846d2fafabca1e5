//! `provar annotate`.

use provar_annotate::{
    AnnotateConfig, SPLICE_REGION_EXON_BASES, SPLICE_REGION_INTRON_BASES, SPLICE_SITE_BASES,
};
use provar_io::table::Table;

use crate::{cli::AnnotateArgs, recorder::Recorder, ExitStatus};

use super::{in_out_dir, Context};

pub(crate) fn run(context: &Context, args: &AnnotateArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    let tables = args.tables.as_deref().unwrap_or(out);
    in_out_dir(out, || {
        let config = AnnotateConfig {
            tables_dir: tables.to_owned(),
            out_dir: out.to_owned(),
            genes: args.genes.clone(),
            flank: args.flank,
        };
        let mut recorder = Recorder::begin(
            args.output.ledger.as_deref(),
            vec![tables.join(Table::Variants.file_name()), args.genes.clone()],
        )?;
        recorder.parameter("flank", args.flank);
        recorder.parameter("splice_site_bases", SPLICE_SITE_BASES);
        recorder.parameter("splice_region_exon_bases", SPLICE_REGION_EXON_BASES);
        recorder.parameter("splice_region_intron_bases", SPLICE_REGION_INTRON_BASES);
        recorder.parameter(
            "contig_match",
            "exact, else chr prefix removed/added, MT<->chrM",
        );
        let mut annotated = provar_annotate::run(&config)?;
        let summary = &annotated.summary;
        recorder.parameter("genes_format", summary.format.as_str());
        let outputs = provar_io::table::commit_all(std::mem::take(&mut annotated.tables))?;
        context.wrote(&outputs);
        recorder.finish("annotate", outputs, context.threads)?;
        let summary = &annotated.summary;
        let classes: Vec<String> = summary
            .worst_classes
            .iter()
            .map(|(class, n)| format!("{class} {n}"))
            .collect();
        context.say(format_args!(
            "annotate: {} {} genes, {} transcripts; {} variants -> {} rows; worst class per variant: {}",
            summary.format.as_str(),
            summary.genes,
            summary.transcripts,
            summary.variants,
            summary.rows,
            classes.join(", ")
        ));
        if !summary.unmatched_contigs.is_empty() {
            context.say(format_args!(
                "annotate: warning: the gene model has no transcripts on contig(s) {}; their variants are intergenic",
                summary.unmatched_contigs.join(", ")
            ));
        }
        Ok(ExitStatus::Success)
    })
}
