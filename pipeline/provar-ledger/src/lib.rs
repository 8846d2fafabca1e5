//! The provar provenance ledger.
//!
//! This crate owns provar's record of *what produced what*:
//!
//! - **digests**: BLAKE3 of files ([`hash_file`], memory-mapped and parallel
//!   for large files) and of bytes ([`hash_bytes`]), as [`Digest`];
//! - **records**: one canonical JSON line per pipeline stage run (stage,
//!   tool version, parameters, input and output files with sizes and
//!   digests, runtime), appended atomically under a lock by [`Ledger::append`];
//! - **the chain**: every record stores the digest of the previous line
//!   (`prev`) and `HEAD` stores the count and last digest, so editing,
//!   removing or reordering any record is detectable;
//! - **verification**: [`Ledger::verify`] re-checks the chain, the head and
//!   the bytes of every recorded artifact; [`Ledger::check_input`] lets a stage
//!   refuse an input that changed since the ledger recorded it.
//!
//! It deliberately knows nothing about genomics or dataframes (no noodles,
//! polars or arrow): files are opaque bytes. A Merkle tree over artifacts and
//! signed checkpoints are planned for a later issue; this first version offers
//! tamper *evidence* through the hash chain, not signatures.
//!
//! # Layout
//!
//! A ledger is a directory such as `provar-out/ledger/`. Its root is the
//! parent directory (`provar-out/`): artifact paths under the root are
//! recorded relative to it with `/` separators, others as canonical absolute
//! paths. The directory holds `records.jsonl` (one record per line) and
//! `HEAD` (`{"count":N,"digest":"<blake3 of the last line>"}`).
//!
//! # Example
//!
//! ```
//! use std::time::SystemTime;
//! use provar_ledger::{Ledger, NewRecord, Runtime};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tmp = tempfile::tempdir()?;
//! let out = tmp.path().join("provar-out");
//! let ledger = Ledger::open(out.join("ledger"))?;
//!
//! // A stage ran and wrote a file; record it.
//! let variants = out.join("variants.tsv");
//! std::fs::write(&variants, b"chr1\t12345\tA\tG\n")?;
//! let now = SystemTime::now();
//! let runtime = Runtime { started_at: now, finished_at: now, threads: 2 };
//! let record = ledger.append(
//!     NewRecord::new("ingest", "0.1.0", runtime)
//!         .parameter("min_qual", 20)
//!         .output(&variants),
//! )?;
//! assert_eq!(record.seq, 1);
//! assert_eq!(record.outputs[0].path, "variants.tsv");
//!
//! // A later stage checks its input is what the ledger recorded.
//! assert_eq!(ledger.check_input(&variants)?, Some(1));
//!
//! // The whole ledger verifies; then tampering with the file is caught.
//! assert!(ledger.verify()?.is_ok());
//! std::fs::write(&variants, b"chr1\t12345\tA\tT\n")?;
//! let report = ledger.verify()?;
//! assert_eq!(report.problems.len(), 1);
//! assert!(report.problems[0].to_string().starts_with("artifact variants.tsv (record 1): bytes changed"));
//! # Ok(())
//! # }
//! ```

mod digest;
mod error;
mod ledger;
mod record;
mod time;
mod verify;

pub use digest::{hash_bytes, hash_file, Digest, ParseDigestError, MMAP_THRESHOLD};
pub use error::Error;
pub use ledger::{Ledger, HEAD_FILE, LOCK_FILE, RECORDS_FILE};
pub use record::{
    canonical_json, Artifact, NewRecord, Record, RecordedRuntime, Runtime, SCHEMA_VERSION,
    TOOL_NAME,
};
pub use time::{format_timestamp, format_unix_seconds};
pub use verify::{Problem, VerifyReport};
