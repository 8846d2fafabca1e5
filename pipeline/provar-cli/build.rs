//! Records the git commit the binary is built from, for `provar --version` and the ledger.
//! Outside a git checkout (a source tarball, `cargo install` from a package) it says
//! `unknown`; set `PROVAR_COMMIT` to override (packagers).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PROVAR_COMMIT");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for git_file in [".git/HEAD", ".git/index"] {
        let path = root.join(git_file);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let commit = std::env::var("PROVAR_COMMIT").ok().or_else(|| {
        let output = Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(&root)
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        let mut commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
        let dirty = Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=no"])
            .current_dir(&root)
            .output()
            .ok()
            .is_some_and(|o| !o.stdout.is_empty());
        if dirty {
            commit.push_str("-dirty");
        }
        Some(commit)
    });
    println!(
        "cargo:rustc-env=PROVAR_COMMIT={}",
        commit.unwrap_or_else(|| "unknown".to_owned())
    );
}
