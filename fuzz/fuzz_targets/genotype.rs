//! Genotype parsing (`0/1`, `1|2`, `./.`, polyploid, haploid): never panics; a parsed
//! genotype prints back to something that parses to the same value, and downcoding stays
//! within bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provar_core::Genotype;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(genotype) = text.parse::<Genotype>() {
        let printed = genotype.to_string();
        let again: Genotype = printed
            .parse()
            .unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not parse: {e}"));
        assert_eq!(again.to_string(), printed);
        for allele in 1..4 {
            let _ = genotype.downcode(allele).to_string();
        }
    }
});
