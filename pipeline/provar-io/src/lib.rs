//! provar's input and output: VCF and BCF reading ([`vcf`], [`bcf`]), reference FASTA
//! reading ([`fasta`]), the versioned Arrow schemas of every table the stages exchange
//! ([`table`]), deterministic Parquet writing and reading, and atomic file output
//! ([`atomic`]).
//!
//! Stage crates talk to each other only through these tables; a new column is a change here.
//! The Arrow implementation (arrow-rs) is re-exported as [`arrow_array`] and
//! [`arrow_schema`] so stage crates need no Arrow dependency of their own.
//!
//! ```
//! use provar_io::table::Table;
//! assert_eq!(Table::Variants.file_name(), "variants.parquet");
//! assert!(Table::Calls.schema().field_with_name("gt_allele_1").is_ok());
//! ```

pub mod atomic;
pub mod bcf;
pub mod fasta;
pub mod gene_model;
pub mod sites;
pub mod table;
pub mod vcf;

pub use arrow_array;
pub use arrow_schema;
