//! Consequence classes for choosing variants by impact (`burden --qualifying`,
//! `rare --impact`), over the Sequence Ontology terms VEP, SnpEff and bcftools csq write.

/// Which consequences count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsequenceClass {
    /// Loss of function: stop gained, frameshift, splice acceptor/donor, start lost, stop
    /// lost.
    Lof,
    /// Loss of function and missense (and in-frame insertions and deletions).
    Protein,
    /// Any consequence.
    Any,
}

const LOF: [&str; 6] = [
    "stop_gained",
    "frameshift",
    "splice_acceptor",
    "splice_donor",
    "start_lost",
    "stop_lost",
];
const PROTEIN: [&str; 3] = ["missense", "inframe_insertion", "inframe_deletion"];

impl ConsequenceClass {
    /// Whether a consequence is in the class. The text may join several terms with `&`
    /// (VEP, SnpEff, bcftools csq) and start with `*` (bcftools csq's downstream
    /// consequence of another record); a term's `_variant` suffix (VEP:
    /// `frameshift_variant`) and SnpEff's `conservative_`/`disruptive_` in-frame prefixes
    /// are ignored.
    ///
    /// ```
    /// use provar_core::consequence_class::ConsequenceClass;
    /// assert!(ConsequenceClass::Lof.accepts("frameshift_variant&splice_region_variant"));
    /// assert!(ConsequenceClass::Lof.accepts("*stop_gained"));
    /// assert!(!ConsequenceClass::Lof.accepts("missense"));
    /// assert!(ConsequenceClass::Protein.accepts("missense_variant"));
    /// assert!(ConsequenceClass::Protein.accepts("disruptive_inframe_deletion"));
    /// assert!(!ConsequenceClass::Protein.accepts("synonymous_variant"));
    /// assert!(ConsequenceClass::Any.accepts("intron_variant"));
    /// ```
    pub fn accepts(self, consequence: &str) -> bool {
        let terms = || {
            consequence
                .trim_start_matches('*')
                .split('&')
                .map(|t| t.trim().trim_end_matches("_variant"))
        };
        let lof = || terms().any(|t| LOF.contains(&t));
        let protein = || terms().any(|t| PROTEIN.iter().any(|p| t.ends_with(p)));
        match self {
            ConsequenceClass::Any => true,
            ConsequenceClass::Lof => lof(),
            ConsequenceClass::Protein => lof() || protein(),
        }
    }
}
