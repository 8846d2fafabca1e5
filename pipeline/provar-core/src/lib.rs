//! The vocabulary every provar crate shares: 1-based [`Position`]s, [`Genotype`]s and
//! [`AlleleType`]s. No I/O lives here.
//!
//! # Glossary
//!
//! The same word names the Rust field, the Parquet column and the CLI flag.
//!
//! - **position**: a 1-based, non-zero coordinate on a contig ([`Position`]). A 0-based value
//!   is always named `offset0`.
//! - **reference_bases** / **alternate_bases**: the REF allele and one ALT allele of a VCF
//!   record. Multi-allelic records are split so that each row of the `variants` table has
//!   exactly one alternate allele.
//! - **allele_index**: which ALT allele of the original record a split row came from (1-based,
//!   as in VCF's GT field).
//! - **call**: the genotype of one sample at one variant. A call is *called* when every allele
//!   is known; a half-call such as `./1` counts as not called, as in Hail.
//!
//! ```
//! use provar_core::{Genotype, Position};
//!
//! let position = Position::new(10_019_093).expect("non-zero");
//! assert_eq!(position.get(), 10_019_093);
//!
//! let genotype: Genotype = "1|2".parse()?;
//! assert_eq!(genotype.downcode(2).to_string(), "0|1");
//! # Ok::<_, provar_core::genotype::ParseError>(())
//! ```

pub mod allele_type;
pub mod consent;
pub mod consequence_class;
pub mod genotype;
pub mod pedigree;
pub mod position;
pub mod region;
pub mod sex_chromosomes;

pub use allele_type::AlleleType;
pub use genotype::Genotype;
pub use position::Position;
pub use region::Region;
