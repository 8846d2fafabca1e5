//! `provar merge`.

use provar_io::table::Table;

use crate::{cli::MergeArgs, recorder::Recorder, ExitStatus};

use super::{in_out_dir, Context};

pub(crate) fn run(context: &Context, args: &MergeArgs) -> anyhow::Result<ExitStatus> {
    let out = &args.output.out;
    in_out_dir(out, || {
        let inputs = args
            .inputs
            .iter()
            .flat_map(|dir| {
                [Table::Variants, Table::Calls, Table::Samples].map(|t| dir.join(t.file_name()))
            })
            .collect();
        let mut recorder = Recorder::begin(args.output.ledger.as_deref(), inputs)?;
        recorder.parameter("shards", args.inputs.len());
        let merged = provar_ingest::merge(&provar_ingest::MergeConfig {
            inputs: args.inputs.clone(),
            out_dir: out.clone(),
        })?;
        let outputs = provar_io::table::commit_all(merged.tables)?;
        context.wrote(&outputs);
        recorder.finish("merge", outputs, context.threads)?;
        context.say(format_args!(
            "merge: {} shards -> {} variants in {}",
            args.inputs.len(),
            merged.variants,
            out.display()
        ));
        Ok(ExitStatus::Success)
    })
}
