//! Property tests: over random logs, every single-byte edit of `records.jsonl` is detected
//! by verify, and proofs round-trip for every record and size.

use std::fs;
use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use provar_ledger::{merkle, Ledger, NewRecord, Runtime, RECORDS_FILE};

fn runtime(seconds: u64) -> Runtime {
    Runtime {
        started_at: UNIX_EPOCH + Duration::from_secs(seconds),
        finished_at: UNIX_EPOCH + Duration::from_secs(seconds + 1),
        threads: 1,
    }
}

/// One random record: stage name, a parameter, an optional output file's bytes.
fn record() -> impl Strategy<Value = (String, String, Option<Vec<u8>>)> {
    (
        "[a-z]{1,8}",
        "\\PC{0,12}",
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..16)),
    )
}

/// Builds the ledger in a temp dir; returns it with the dir guard.
fn build(records: &[(String, String, Option<Vec<u8>>)]) -> (tempfile::TempDir, Ledger) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ledger = Ledger::open(tmp.path().join("ledger")).expect("ledger");
    for (i, (stage, value, output)) in records.iter().enumerate() {
        let mut new = NewRecord::new(stage.as_str(), "0.1.0", runtime(i as u64))
            .parameter("value", value.as_str());
        if let Some(bytes) = output {
            let path = tmp.path().join(format!("out{i}.bin"));
            fs::write(&path, bytes).expect("write output");
            new = new.output(path);
        }
        ledger.append(new).expect("append");
    }
    (tmp, ledger)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_single_byte_edit_is_detected(
        records in proptest::collection::vec(record(), 1..5),
        position in any::<prop::sample::Index>(),
        xor in 1..=255u8,
    ) {
        let (_tmp, ledger) = build(&records);
        prop_assert!(ledger.verify().expect("verify runs").is_ok());
        let path = ledger.dir().join(RECORDS_FILE);
        let mut bytes = fs::read(&path).expect("records");
        let at = position.index(bytes.len());
        bytes[at] ^= xor;
        fs::write(&path, &bytes).expect("write");
        let report = ledger.verify().expect("verify runs");
        prop_assert!(!report.is_ok(), "edit at byte {} (xor {:#04x}) went unnoticed", at, xor);
    }

    #[test]
    fn proofs_verify_for_every_record_and_size(records in proptest::collection::vec(record(), 1..6)) {
        let (_tmp, ledger) = build(&records);
        let lines: Vec<Vec<u8>> = fs::read(ledger.dir().join(RECORDS_FILE))
            .expect("records")
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        let leaves: Vec<merkle::Hash> = lines.iter().map(|l| merkle::leaf_hash(l)).collect();
        let n = leaves.len() as u64;
        for size in 1..=n {
            let root = merkle::root(&leaves[..size as usize]);
            for record in 1..=size {
                let proof = ledger.inclusion_proof(record, Some(size)).expect("proof");
                prop_assert_eq!(proof.root, root);
                prop_assert_eq!(proof.leaf, leaves[record as usize - 1]);
                prop_assert!(merkle::verify_inclusion(record - 1, size, &proof.leaf, &proof.path, &root).is_ok());
            }
            for old in 0..=size {
                let proof = ledger.consistency_proof(old, Some(size)).expect("proof");
                let old_root = merkle::root(&leaves[..old as usize]);
                prop_assert_eq!(proof.old_root, old_root);
                prop_assert!(merkle::verify_consistency(old, size, &proof.path, &old_root, &root).is_ok());
            }
        }
    }
}
