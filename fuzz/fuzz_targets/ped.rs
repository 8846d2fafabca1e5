//! PED/FAM pedigree parsing (and the consent-manifest parser, which shares its shape)
//! from arbitrary text: an error or a pedigree, never a panic; relatedness of any two
//! individuals of a parsed pedigree stays within [0, 2].
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = provar_core::consent::Consent::parse(text);
    if let Ok(pedigree) = provar_core::pedigree::Pedigree::parse(text) {
        let ids: Vec<&str> = pedigree.individuals().iter().take(8).map(|i| i.id.as_str()).collect();
        let _ = pedigree.trios();
        let _ = pedigree.families();
        for a in &ids {
            for b in &ids {
                if let Some(r) = pedigree.relatedness(a, b) {
                    assert!((0.0..=2.0).contains(&r), "relatedness {r}");
                }
            }
        }
    }
});
