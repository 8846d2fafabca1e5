//! Everyday conveniences: `--version` names the commit, shell completions and the man page
//! come from the same clap definitions as `--help`.

mod common;

use common::{assert_ok, provar};

fn stdout(args: &[&str]) -> String {
    let output = provar(args);
    assert_ok(&output);
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn version_names_the_commit() {
    let version = stdout(&["--version"]);
    assert!(version.starts_with(&format!("provar {} (commit ", env!("CARGO_PKG_VERSION"))));
    let commit = version
        .trim_end()
        .trim_end_matches(')')
        .rsplit(' ')
        .next()
        .unwrap_or_default();
    let hex = commit.trim_end_matches("-dirty");
    assert!(
        hex == "unknown" || (hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit())),
        "{version}"
    );
}

#[test]
fn completions_cover_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&["completions", shell]);
        for sub in ["ingest", "qc", "report", "ledger", "run"] {
            assert!(script.contains(sub), "{shell} completions lack {sub}");
        }
    }
    assert_eq!(provar(["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let man = stdout(&["man"]);
    assert!(man.contains(".TH provar 1"), "{}", &man[..man.len().min(200)]);
    for sub in ["ingest", "merge", "qc", "report", "ledger", "run"] {
        assert!(man.contains(sub), "man page lacks {sub}");
    }
}
