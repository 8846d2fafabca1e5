//! `provar ledger` keygen, sign, verify --trusted-keys/--since, prove, check-proof, repair:
//! each detection named, exit codes 0/1.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, UNIX_EPOCH};

use provar_ledger::{Ledger, NewRecord, Runtime};

fn provar(args: &[&dyn AsRef<std::ffi::OsStr>], env: Option<(&str, &Path)>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_provar"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("PROVAR_SIGN_KEY");
    if let Some((key, value)) = env {
        command.env(key, value);
    }
    command.output().expect("the provar binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn runtime() -> Runtime {
    Runtime {
        started_at: UNIX_EPOCH + Duration::from_secs(1_795_537_282),
        finished_at: UNIX_EPOCH + Duration::from_secs(1_795_537_290),
        threads: 1,
    }
}

/// `root/ledger` with `n` records, stage `i` writing `out{i}.txt`; returns the ledger dir.
fn ledger_with(root: &Path, n: usize, tag: &str) -> PathBuf {
    let dir = root.join("ledger");
    let ledger = Ledger::open(&dir).expect("ledger opens");
    for i in 1..=n {
        append(&ledger, root, i, if i == 1 { "" } else { tag });
    }
    dir
}

fn append(ledger: &Ledger, root: &Path, i: usize, tag: &str) {
    let out = root.join(format!("out{i}.txt"));
    fs::write(&out, format!("output {i}{tag}\n")).expect("write output");
    let mut record = NewRecord::new(format!("stage{i}"), "0.1.0", runtime())
        .parameter("i", i)
        .output(&out);
    if i > 1 {
        record = record.input(root.join(format!("out{}.txt", i - 1)));
    }
    ledger.append(record).expect("append");
}

struct Keys {
    _tmp: tempfile::TempDir,
    key: PathBuf,
    public: PathBuf,
}

fn keygen(name: &str) -> Keys {
    let tmp = tempfile::tempdir().expect("tempdir");
    let prefix = tmp.path().join("k");
    let output = provar(
        &[&"ledger", &"keygen", &"--name", &name, &"--out", &prefix],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let keys = Keys {
        key: prefix.with_extension("key"),
        public: prefix.with_extension("pub"),
        _tmp: tmp,
    };
    let private = fs::read_to_string(&keys.key).expect("key written");
    assert!(
        private.starts_with(&format!("PRIVATE+KEY+{name}+")),
        "{private}"
    );
    let public = fs::read_to_string(&keys.public).expect("pub written");
    assert!(public.starts_with(&format!("{name}+")), "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(&keys.key).expect("key").permissions().mode();
        assert_eq!(mode & 0o077, 0, "the private key is not readable by others");
    }
    // Never overwrites.
    let again = provar(
        &[&"ledger", &"keygen", &"--name", &name, &"--out", &prefix],
        None,
    );
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    keys
}

fn verify(dir: &Path, extra: &[&dyn AsRef<std::ffi::OsStr>]) -> (Option<i32>, String) {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"ledger", &"verify", &"--ledger", &dir];
    args.extend_from_slice(extra);
    let output = provar(&args, None);
    (output.status.code(), stderr(&output))
}

#[test]
fn signed_checkpoints_verify_only_with_trusted_keys() {
    let keys = keygen("lab.example/provar");
    let other = keygen("other.example/provar");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = ledger_with(tmp.path(), 2, "");

    // Unsigned: fine without --trusted-keys, a finding with them.
    assert_eq!(verify(&dir, &[]).0, Some(0));
    let (code, message) = verify(&dir, &[&"--trusted-keys", &keys.public]);
    assert_eq!(code, Some(1), "{message}");
    assert!(
        message.contains("not signed by a trusted key: it is unsigned"),
        "{message}"
    );

    // `ledger sign` signs the current checkpoint.
    let output = provar(
        &[
            &"ledger",
            &"sign",
            &"--ledger",
            &dir,
            &"--sign-key",
            &keys.key,
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let (code, message) = verify(&dir, &[&"--trusted-keys", &keys.public]);
    assert_eq!(code, Some(0), "{message}");
    assert!(
        message.contains("checkpoint signed by lab.example/provar+"),
        "{message}"
    );

    // A key nobody trusts.
    let (code, message) = verify(&dir, &[&"--trusted-keys", &other.public]);
    assert_eq!(code, Some(1));
    assert!(
        message.contains("signed only by unknown key(s) lab.example/provar+"),
        "{message}"
    );

    // A signature that does not verify: flip one character after the key ID (the first
    // 4 bytes, under 6 base64 characters).
    let checkpoint = dir.join("checkpoint");
    let text = fs::read_to_string(&checkpoint).expect("checkpoint");
    let (body, sig) = text.rsplit_once(' ').expect("signature line");
    let flipped = if &sig[10..11] == "A" { "B" } else { "A" };
    fs::write(
        &checkpoint,
        format!("{body} {}{flipped}{}", &sig[..10], &sig[11..]),
    )
    .expect("write");
    let (code, message) = verify(&dir, &[&"--trusted-keys", &keys.public]);
    assert_eq!(code, Some(1));
    assert!(
        message.contains("signature by trusted key lab.example/provar+")
            && message.contains("does not verify"),
        "{message}"
    );
    fs::write(&checkpoint, &text).expect("restore");

    // PROVAR_SIGN_KEY signs what stages append, with no flag on the stage.
    let ledger = Ledger::open(&dir).expect("open");
    let signer = fs::read_to_string(&keys.key)
        .expect("key")
        .parse()
        .expect("signer parses");
    append(&ledger.with_signer(signer), tmp.path(), 3, "");
    let (code, message) = verify(&dir, &[&"--trusted-keys", &keys.public]);
    assert_eq!(code, Some(0), "{message}");

    // A record appended without the key leaves an unsigned checkpoint: detected.
    append(&Ledger::open(&dir).expect("open"), tmp.path(), 4, "");
    let (code, message) = verify(&dir, &[&"--trusted-keys", &keys.public]);
    assert_eq!(code, Some(1));
    assert!(message.contains("it is unsigned"), "{message}");
}

#[test]
fn rollback_and_fork_are_detected_against_an_earlier_checkpoint() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = tmp.path().join("a");
    let dir = ledger_with(&a, 3, "");
    let saved = tmp.path().join("checkpoint.3");
    fs::copy(dir.join("checkpoint"), &saved).expect("save checkpoint");
    append(&Ledger::open(&dir).expect("open"), &a, 4, "");
    let (code, message) = verify(&dir, &[&"--since", &saved]);
    assert_eq!(code, Some(0), "{message}");
    assert!(
        message.contains("extends 1 earlier checkpoint(s)"),
        "{message}"
    );

    // Rolled back: a whole, self-consistent ledger of only 2 records.
    let b = tmp.path().join("b");
    let short = ledger_with(&b, 2, "");
    let (code, message) = verify(&short, &[&"--since", &saved]);
    assert_eq!(code, Some(1), "{message}");
    assert!(
        message.contains("log rolled back: checkpoint")
            && message.contains("has 3 records, the log now has 2 records"),
        "{message}"
    );

    // Forked: same first record, a different second one, rebuilt consistently.
    let c = tmp.path().join("c");
    let fork = ledger_with(&c, 4, " (rewritten)");
    assert_eq!(verify(&fork, &[]).0, Some(0), "the fork is self-consistent");
    let (code, message) = verify(&fork, &[&"--since", &saved]);
    assert_eq!(code, Some(1), "{message}");
    assert!(message.contains("log forked: checkpoint"), "{message}");

    // Another ledger altogether.
    let d = tmp.path().join("d");
    let other = d.join("ledger");
    let ledger = Ledger::open(&other).expect("open");
    fs::write(d.join("x.txt"), b"x").expect("write");
    ledger
        .append(NewRecord::new("other", "0.1.0", runtime()).output(d.join("x.txt")))
        .expect("append");
    let (code, message) = verify(&other, &[&"--since", &saved]);
    assert_eq!(code, Some(1));
    assert!(message.contains("is for log provar-ledger/"), "{message}");
}

#[test]
fn proofs_are_printed_and_checked_offline() {
    let keys = keygen("lab.example/provar");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = ledger_with(tmp.path(), 3, "");
    let sign = provar(
        &[
            &"ledger",
            &"sign",
            &"--ledger",
            &dir,
            &"--sign-key",
            &keys.key,
        ],
        None,
    );
    assert!(sign.status.success(), "{}", stderr(&sign));
    let old = tmp.path().join("checkpoint.3");
    fs::copy(dir.join("checkpoint"), &old).expect("save");
    let ledger = Ledger::open(&dir).expect("open");
    let signer = fs::read_to_string(&keys.key)
        .expect("key")
        .parse()
        .expect("signer");
    let ledger = ledger.with_signer(signer);
    for i in 4..=7 {
        append(&ledger, tmp.path(), i, "");
    }
    let checkpoint = tmp.path().join("checkpoint.7");
    fs::copy(dir.join("checkpoint"), &checkpoint).expect("save");
    let records = fs::read_to_string(dir.join("records.jsonl")).expect("records");
    let lines: Vec<&str> = records.lines().collect();

    let prove = |args: &[&dyn AsRef<std::ffi::OsStr>], name: &str| -> PathBuf {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&"ledger", &"prove", &"--ledger", &dir];
        all.extend_from_slice(args);
        let output = provar(&all, None);
        assert!(output.status.success(), "{}", stderr(&output));
        let path = tmp.path().join(name);
        fs::write(&path, &output.stdout).expect("write proof");
        path
    };
    let check = |proof: &Path, extra: &[&dyn AsRef<std::ffi::OsStr>]| -> (Option<i32>, String) {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"ledger", &"check-proof", &proof];
        all.extend_from_slice(extra);
        let output = provar(&all, None);
        (output.status.code(), stderr(&output))
    };

    // Inclusion of record 5 in the log of 7, with the record line itself.
    let proof = prove(&[&"--record", &"5"], "inclusion.txt");
    let text = fs::read_to_string(&proof).expect("proof");
    assert!(
        text.starts_with("provar inclusion proof v1\norigin provar-ledger/"),
        "{text}"
    );
    assert!(text.contains("\ntree-size 7\nrecord 5\n"), "{text}");
    let record = tmp.path().join("record5.jsonl");
    fs::write(&record, format!("{}\n", lines[4])).expect("write record");
    let (code, message) = check(
        &proof,
        &[
            &"--checkpoint",
            &checkpoint,
            &"--trusted-keys",
            &keys.public,
            &"--record-file",
            &record,
        ],
    );
    assert_eq!(code, Some(0), "{message}");
    assert!(
        message.contains("record 5 is included in log provar-ledger/"),
        "{message}"
    );

    // The wrong record, an edited proof, the wrong checkpoint: exit 1, each named.
    fs::write(&record, lines[3]).expect("write record");
    let (code, message) = check(
        &proof,
        &[&"--checkpoint", &checkpoint, &"--record-file", &record],
    );
    assert_eq!(code, Some(1));
    assert!(message.contains("(the record was altered)"), "{message}");
    let edited = tmp.path().join("edited.txt");
    fs::write(&edited, text.replace("record 5", "record 4")).expect("write");
    let (code, message) = check(&edited, &[&"--checkpoint", &checkpoint]);
    assert_eq!(code, Some(1));
    assert!(
        message.contains("inclusion proof of record 4 fails"),
        "{message}"
    );
    let (code, message) = check(&proof, &[&"--checkpoint", &old]);
    assert_eq!(code, Some(1));
    assert!(
        message.contains("checkpoint has tree size 3, the proof is for size 7"),
        "{message}"
    );

    // Inclusion in an older tree, checked against the older checkpoint.
    let proof3 = prove(&[&"--record", &"2", &"--size", &"3"], "inclusion3.txt");
    let (code, message) = check(
        &proof3,
        &[&"--checkpoint", &old, &"--trusted-keys", &keys.public],
    );
    assert_eq!(code, Some(0), "{message}");

    // Consistency from 3 to 7.
    let consistency = prove(&[&"--from-size", &"3"], "consistency.txt");
    let (code, message) = check(
        &consistency,
        &[
            &"--checkpoint",
            &checkpoint,
            &"--old-checkpoint",
            &old,
            &"--trusted-keys",
            &keys.public,
        ],
    );
    assert_eq!(code, Some(0), "{message}");
    assert!(
        message.contains("at size 7 extends its tree of size 3"),
        "{message}"
    );
    // Against a checkpoint of another tree of size 3: the old root differs.
    let other = ledger_with(&tmp.path().join("other"), 3, " other");
    let other_checkpoint = other.join("checkpoint");
    let (code, message) = check(
        &consistency,
        &[
            &"--checkpoint",
            &checkpoint,
            &"--old-checkpoint",
            &other_checkpoint,
        ],
    );
    assert_eq!(code, Some(1));
    assert!(message.contains("old checkpoint root"), "{message}");

    // Bad requests are usage errors (exit 2), naming the ledger.
    let output = provar(
        &[&"ledger", &"prove", &"--ledger", &dir, &"--record", &"8"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("record 8 is not in a tree of 7 records"),
        "{}",
        stderr(&output)
    );
    let output = provar(&[&"ledger", &"prove", &"--ledger", &dir], None);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn repair_drops_only_a_torn_tail_and_records_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = ledger_with(tmp.path(), 3, "");
    let records = dir.join("records.jsonl");
    let before = fs::read(&records).expect("records");

    // Nothing to repair.
    let output = provar(&[&"ledger", &"repair", &"--ledger", &dir], None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("nothing to repair"));

    // A half-written fourth record.
    let mut torn = before.clone();
    torn.extend_from_slice(br#"{"inputs":[{"blake3":"ab"#);
    fs::write(&records, &torn).expect("write");
    let (code, message) = verify(&dir, &[]);
    assert_eq!(code, Some(1));
    assert!(message.contains("is not newline-terminated"), "{message}");
    // Stages refuse to chain onto it.
    let err = Ledger::open(&dir)
        .expect("open")
        .append(NewRecord::new("late", "0.1.0", runtime()))
        .expect_err("torn tail refused");
    assert!(
        err.to_string().contains("run `provar ledger repair`"),
        "{err}"
    );

    let output = provar(&[&"ledger", &"repair", &"--ledger", &dir], None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("dropped 24 bytes (the last line has no newline) after record 3"),
        "{}",
        stderr(&output)
    );
    assert_eq!(verify(&dir, &[]).0, Some(0));
    let after = fs::read_to_string(&records).expect("records");
    assert!(
        after.as_bytes().starts_with(&before),
        "complete records are kept"
    );
    let repair: serde_json::Value =
        serde_json::from_str(after.lines().nth(3).expect("a repair record")).expect("json");
    assert_eq!(repair["stage"], "repair");
    assert_eq!(repair["seq"], 4);
    assert_eq!(repair["parameters"]["dropped_bytes"], 24);

    // Tampering is not a torn tail: repair refuses (exit 2) and changes nothing.
    let text = after.replacen("\"i\":2", "\"i\":9", 1);
    fs::write(&records, &text).expect("write");
    let output = provar(&[&"ledger", &"repair", &"--ledger", &dir], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot repair"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(&records).expect("records"), text);
}
