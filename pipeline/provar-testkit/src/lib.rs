//! Dev-only helpers for provar's tests: paths to the vendored fixtures in `testdata/`, a
//! reader for the expected-output TSV files stored there, and tool detection for optional
//! cross-checks.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

/// The repository's `testdata/` directory.
pub fn testdata_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// A file under `testdata/`, e.g. `testdata("cohort/sample.vcf.gz")`.
pub fn testdata(relative: &str) -> PathBuf {
    testdata_dir().join(relative)
}

/// A tab-separated expected-output file: `#` comment lines (the command that made it), one
/// header line, then rows.
#[derive(Clone, Debug)]
pub struct Tsv {
    /// Column names.
    pub header: Vec<String>,
    /// Data rows.
    pub rows: Vec<Vec<String>>,
    index: HashMap<String, usize>,
}

impl Tsv {
    /// Reads `testdata/relative`, panicking with the path if it is missing or malformed
    /// (fixtures are part of the repository).
    pub fn read(relative: &str) -> Self {
        let path = testdata(relative);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading fixture {}: {e}", path.display()));
        let mut lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty());
        let header: Vec<String> = lines
            .next()
            .unwrap_or_else(|| panic!("fixture {} has no header line", path.display()))
            .split('\t')
            .map(str::to_owned)
            .collect();
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect();
        let index = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        Self {
            header,
            rows,
            index,
        }
    }

    /// The value of column `name` in `row`.
    pub fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        let i = *self
            .index
            .get(name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.header));
        &row[i]
    }
}

/// Whether `program` runs (`program --version` exits 0), for cross-checks that need an
/// installed tool.
pub fn cmd_exists(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fill_tags_fixture() {
        let tsv = Tsv::read("expected/sample.fill-tags.tsv");
        assert_eq!(
            tsv.header,
            [
                "contig",
                "position",
                "reference",
                "alternate",
                "AC",
                "AN",
                "AF"
            ]
        );
        assert_eq!(tsv.rows.len(), 346);
        assert_eq!(tsv.get(&tsv.rows[0], "position"), "10019093");
    }
}
