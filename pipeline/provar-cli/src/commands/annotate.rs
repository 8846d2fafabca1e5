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
        let info = tables.join("info.parquet");
        let mut inputs = vec![tables.join(Table::Variants.file_name())];
        if info.is_file() {
            inputs.push(info);
        }
        inputs.extend(args.genes.clone());
        inputs.extend(args.population.clone());
        let mut recorder = Recorder::begin(args.output.ledger.as_deref(), inputs)?;
        let mut finished = Vec::new();
        let mut lines = Vec::new();
        if let Some(genes) = &args.genes {
            let config = AnnotateConfig {
                tables_dir: tables.to_owned(),
                out_dir: out.to_owned(),
                genes: genes.clone(),
                flank: args.flank,
            };
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
            finished.append(&mut annotated.tables);
            let classes: Vec<String> = summary
                .worst_classes
                .iter()
                .map(|(class, n)| format!("{class} {n}"))
                .collect();
            lines.push(format!(
                "annotate: {} {} genes, {} transcripts; {} variants -> {} rows; worst class per variant: {}",
                summary.format.as_str(),
                summary.genes,
                summary.transcripts,
                summary.variants,
                summary.rows,
                classes.join(", ")
            ));
            if !summary.unmatched_contigs.is_empty() {
                lines.push(format!(
                    "annotate: warning: the gene model has no transcripts on contig(s) {}; their variants are intergenic",
                    summary.unmatched_contigs.join(", ")
                ));
            }
        }
        match provar_annotate::consequence::run(tables, out)? {
            Some((table, summary)) => {
                recorder.parameter(
                    "consequence_severity",
                    "bcftools +split-vep 1.16 default scale",
                );
                let tags: Vec<String> = summary
                    .tags
                    .iter()
                    .map(|(tag, n)| format!("{tag} ({n} sub-fields)"))
                    .collect();
                recorder.parameter("consequence_tags", tags.join(", "));
                finished.push(table);
                lines.push(format!(
                    "annotate: consequences from {}: {} of {} variants annotated -> {} rows",
                    tags.join(", "),
                    summary.annotated_variants,
                    summary.variants,
                    summary.rows
                ));
            }
            None if args.genes.is_none() && args.population.is_none() => anyhow::bail!(
                "nothing to annotate: no --genes or --population given and {} has no INFO/CSQ, \
                 ANN or BCSQ with a Format description\nhint: pass a gene model with --genes \
                 FILE.gff3.gz or population frequencies with --population SITES.vcf.gz, or \
                 ingest a VCF annotated by VEP, SnpEff or bcftools csq",
                tables.join("info.parquet").display()
            ),
            None => {}
        }
        if let Some(population) = &args.population {
            // The sites file is ingested (split per allele) in a temporary directory inside
            // the output directory, removed afterwards.
            let scratch = tempfile::Builder::new()
                .prefix(".provar-population-")
                .tempdir_in(out)?;
            let ingested = provar_ingest::run(&provar_ingest::IngestConfig {
                threads: context.threads,
                ..provar_ingest::IngestConfig::new(population, scratch.path())
            })?;
            provar_io::table::commit_all(ingested.tables)?;
            let (table, summary) = provar_annotate::population::run(
                tables,
                scratch.path(),
                population,
                &args.population_fields,
                &args.population_prefix,
                out,
            )?;
            recorder.parameter("population_fields", summary.fields.join(","));
            recorder.parameter("population_prefix", args.population_prefix.as_str());
            recorder.parameter(
                "population_match",
                "exact contig, position, REF, ALT after splitting multi-allelic records",
            );
            finished.push(table);
            lines.push(format!(
                "annotate: population {}: {} of {} variants matched ({} population rows); columns {}",
                population.display(),
                summary.matched,
                summary.variants,
                summary.population_rows,
                summary
                    .fields
                    .iter()
                    .map(|f| format!("{}{f}", args.population_prefix))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let outputs = provar_io::table::commit_all(finished)?;
        context.wrote(&outputs);
        recorder.finish("annotate", outputs, context.threads)?;
        for line in lines {
            context.say(format_args!("{line}"));
        }
        Ok(ExitStatus::Success)
    })
}
