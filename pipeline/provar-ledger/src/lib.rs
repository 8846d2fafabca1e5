//! The provar provenance ledger.
//!
//! This crate owns provar's record of *what produced what*:
//!
//! - **digests**: BLAKE3 of files ([`hash_file`], memory-mapped and parallel
//!   for large files) and of bytes ([`hash_bytes`]), as [`Digest`];
//! - **records**: one canonical JSON line per pipeline stage run (stage,
//!   tool version, parameters, input and output files with sizes and
//!   digests, runtime), appended by [`Ledger::append`] to an append-only
//!   `records.jsonl` under an advisory file lock (concurrent writers wait);
//! - **the chain**: every record stores the BLAKE3 digest of the previous line
//!   (`prev`), so editing, removing or reordering any record is detectable;
//! - **the Merkle log** ([`merkle`]): an RFC 6962 / 9162 tree over the record
//!   lines with SHA-256, inclusion and consistency proofs ([`proof`]);
//! - **checkpoints** ([`checkpoint`], [`note`]): after every append the ledger
//!   commits its tree head to `checkpoint` in the C2SP tlog-checkpoint format,
//!   signed with Ed25519 as a C2SP signed note when a [`Signer`] is given;
//! - **verification**: [`Ledger::verify_with`] re-checks the chain, the
//!   checkpoint (root, signatures by trusted keys, consistency with earlier
//!   checkpoints) and the bytes of every recorded artifact;
//!   [`Ledger::check_input`] lets a stage refuse an input that changed since
//!   the ledger recorded it;
//! - **segments** ([`segment`]): jobs on other machines record into their own sealed
//!   segment, and [`Ledger::merge_segments`] folds them into the log idempotently;
//! - **crash safety**: a writer killed mid-append leaves at most one torn or
//!   uncommitted last line, which [`Ledger::repair`] drops and records.
//!
//! It deliberately knows nothing about genomics or dataframes (no noodles,
//! polars or arrow): files are opaque bytes. The formats are described in
//! this crate's `README.md`.
//!
//! # Layout
//!
//! A ledger is a directory such as `provar-out/ledger/`. Its root is the
//! parent directory (`provar-out/`): artifact paths under the root are
//! recorded relative to it with `/` separators, others as canonical absolute
//! paths. The directory holds `records.jsonl` (one record per line),
//! `checkpoint` (origin, record count, Merkle root, signatures) and `lock`.
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

pub mod checkpoint;
mod diff;
mod digest;
mod error;
pub mod export;
mod ledger;
mod lineage;
pub mod merkle;
pub mod note;
pub mod proof;
mod record;
pub mod segment;
mod time;
mod verify;

pub use checkpoint::{Checkpoint, SignedCheckpoint};
pub use diff::{diff, Difference};
pub use digest::{dir_manifest, hash_bytes, hash_file, Digest, ParseDigestError, MMAP_THRESHOLD};
pub use error::Error;
pub use ledger::{origin_for, Ledger, Repair, CHECKPOINT_FILE, HEAD_FILE, LOCK_FILE, RECORDS_FILE};
pub use lineage::{Lineage, LineageNode, LineageStep};
pub use note::{Signer, Verifier};
pub use record::{
    canonical_json, ecmascript_number, Artifact, NewRecord, Record, RecordedRuntime, Runtime,
    SegmentOrigin, SCHEMA_VERSION, TOOL_NAME,
};
pub use segment::{MergeReport, Segment, SegmentState, SEAL_FILE, SEGMENTS_DIR};
pub use time::{format_timestamp, format_unix_seconds};
pub use verify::{EarlierCheckpoint, Problem, VerifyOptions, VerifyReport};
