//! The dependency rules of `pipeline/README.md`, checked with `cargo tree`.

use std::process::Command;

fn normal_dependencies(package: &str) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-p",
            package,
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn ledger_has_no_genomics_or_dataframe_dependency() {
    let tree = normal_dependencies("provar-ledger");
    assert!(
        tree.contains("blake3"),
        "the tree lists dependencies: {tree}"
    );
    for banned in [
        "noodles",
        "polars",
        "arrow",
        "parquet",
        "provar-core",
        "provar-io",
        "rust-htslib",
    ] {
        assert!(
            !tree.lines().any(|l| l.starts_with(banned)),
            "provar-ledger depends on {banned}"
        );
    }
}

#[test]
fn core_depends_on_no_provar_crate_and_stages_not_on_each_other() {
    let core = normal_dependencies("provar-core");
    assert!(
        !core.lines().skip(1).any(|l| l.starts_with("provar-")),
        "{core}"
    );
    let stages = [
        "provar-ingest",
        "provar-qc",
        "provar-cluster",
        "provar-annotate",
        "provar-report",
        "provar-rare",
        "provar-burden",
        "provar-denovo",
    ];
    for stage in stages {
        let tree = normal_dependencies(stage);
        for other in stages
            .iter()
            .copied()
            .chain(["provar-ledger", "provar-cli"])
        {
            if other != stage {
                assert!(
                    !tree.lines().any(|l| l.starts_with(&format!("{other} "))),
                    "{stage} depends on {other}"
                );
            }
        }
    }
}
