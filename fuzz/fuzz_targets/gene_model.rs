//! GFF3/GTF gene-model parsing from arbitrary text: an error or a model, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(model) = provar_annotate::GeneModel::from_text(text, "fuzz.gff3") {
        let _ = model.contigs();
    }
});
