//! The ledger's text formats: signed notes / checkpoints, inclusion and consistency proofs,
//! verifier keys and digests. The first byte picks the parser; the rest is its input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 5 {
        0 => {
            if let Ok(checkpoint) = text.parse::<provar_ledger::SignedCheckpoint>() {
                let _ = checkpoint.checkpoint.text();
            }
        }
        1 => {
            let _ = text.parse::<provar_ledger::proof::Proof>();
        }
        2 => {
            let _ = text.parse::<provar_ledger::Verifier>();
            let _ = provar_ledger::note::parse_verifiers(text);
        }
        3 => {
            let _ = provar_ledger::note::SignedNote::parse(text);
        }
        _ => {
            let _ = text.parse::<provar_ledger::Digest>();
        }
    }
});
