//! Consent manifests: which samples may be analysed.
//!
//! A manifest is a tab-separated text file with the header line
//! `sample<TAB>status<TAB>scope<TAB>date` and one line per sample (tabs shown as spaces):
//!
//! ```text
//! # lab consent register, exported 2026-11-20
//! sample    status    scope    date
//! NA12878    granted    research    2024-03-01
//! NA12891    revoked    research    2026-11-02
//! ```
//!
//! - `status` is `granted` or `revoked`;
//! - `scope` is free text (what the consent covers; recorded, not interpreted);
//! - `date` is `YYYY-MM-DD`, when the status took effect.
//!
//! A sample may appear on several lines (its history): the line with the latest date
//! wins; two lines with the same date and different statuses are an error. Blank lines
//! and lines starting with `#` are ignored. Only a sample whose latest status is
//! `granted` may be analysed: a revoked sample and a sample the manifest does not list are
//! both excluded.

use std::collections::BTreeMap;
use std::fmt;

/// Whether a sample's consent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentStatus {
    /// Consent given (and not withdrawn).
    Granted,
    /// Consent withdrawn: the sample must not be analysed.
    Revoked,
}

/// One sample's entry (its latest line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEntry {
    /// Granted or revoked.
    pub status: ConsentStatus,
    /// What the consent covers (free text).
    pub scope: String,
    /// When the status took effect, `YYYY-MM-DD`.
    pub date: String,
    /// 1-based line of the manifest this entry comes from.
    pub line: usize,
}

/// A parsed consent manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consent {
    entries: BTreeMap<String, ConsentEntry>,
}

/// A manifest line that cannot be read: the 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ConsentError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ConsentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConsentStatus::Granted => "granted",
            ConsentStatus::Revoked => "revoked",
        })
    }
}

/// Whether `date` is `YYYY-MM-DD` with a month 1–12 and a day 1–31.
fn valid_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    digits(y, 4)
        && digits(m, 2)
        && digits(d, 2)
        && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&d.parse::<u32>().unwrap_or(0))
}

impl Consent {
    /// Parses a manifest (see the module docs).
    pub fn parse(text: &str) -> Result<Consent, ConsentError> {
        let mut entries: BTreeMap<String, ConsentEntry> = BTreeMap::new();
        let mut header_seen = false;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let err = |reason: String| ConsentError { line, reason };
            let trimmed = raw.trim_end_matches('\r');
            if trimmed.trim().is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = trimmed.split('\t').collect();
            if !header_seen {
                let header: Vec<String> = fields.iter().map(|f| f.trim().to_lowercase()).collect();
                if header != ["sample", "status", "scope", "date"] {
                    return Err(err(format!(
                        "expected the header line `sample<TAB>status<TAB>scope<TAB>date`, found {trimmed:?}"
                    )));
                }
                header_seen = true;
                continue;
            }
            let [sample, status, scope, date] = fields.as_slice() else {
                return Err(err(format!(
                    "expected 4 tab-separated fields (sample, status, scope, date), found {}",
                    fields.len()
                )));
            };
            let sample = sample.trim();
            if sample.is_empty() {
                return Err(err("the sample field is empty".to_owned()));
            }
            let status = match status.trim().to_lowercase().as_str() {
                "granted" => ConsentStatus::Granted,
                "revoked" => ConsentStatus::Revoked,
                other => {
                    return Err(err(format!(
                        "status {other:?} for sample {sample}: expected granted or revoked"
                    )))
                }
            };
            let date = date.trim();
            if !valid_date(date) {
                return Err(err(format!(
                    "date {date:?} for sample {sample}: expected YYYY-MM-DD"
                )));
            }
            let entry = ConsentEntry {
                status,
                scope: scope.trim().to_owned(),
                date: date.to_owned(),
                line,
            };
            match entries.get(sample) {
                Some(old) if old.date == entry.date && old.status != entry.status => {
                    return Err(err(format!(
                        "sample {sample} is {} on line {} and {} on the same date {}",
                        old.status, old.line, entry.status, entry.date
                    )));
                }
                Some(old) if old.date > entry.date => {}
                _ => {
                    entries.insert(sample.to_owned(), entry);
                }
            }
        }
        if !header_seen {
            return Err(ConsentError {
                line: 1,
                reason: "empty manifest: expected the header line `sample<TAB>status<TAB>scope<TAB>date`"
                    .to_owned(),
            });
        }
        Ok(Consent { entries })
    }

    /// The latest entry for `sample`, if the manifest lists it.
    pub fn entry(&self, sample: &str) -> Option<&ConsentEntry> {
        self.entries.get(sample)
    }

    /// Whether `sample` may be analysed: listed, and its latest status is granted.
    pub fn allows(&self, sample: &str) -> bool {
        self.entry(sample)
            .is_some_and(|e| e.status == ConsentStatus::Granted)
    }

    /// Number of samples listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the manifest lists no sample.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "# register\nsample\tstatus\tscope\tdate\n\
        A\tgranted\tresearch\t2024-01-01\n\
        B\tgranted\tresearch\t2024-01-01\n\
        B\trevoked\tresearch\t2026-11-02\n\
        C\trevoked\tall\t2025-01-01\n\
        C\tgranted\tall\t2024-06-01\n";

    #[test]
    fn the_latest_line_of_a_sample_wins() -> Result<(), ConsentError> {
        let consent = Consent::parse(MANIFEST)?;
        assert_eq!(consent.len(), 3);
        assert!(consent.allows("A"));
        assert!(!consent.allows("B"));
        assert!(!consent.allows("C"));
        assert!(!consent.allows("D"), "unlisted samples are not allowed");
        assert_eq!(consent.entry("B").map(|e| e.line), Some(5));
        Ok(())
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let cases = [
            ("sample\tstatus\n", 1, "header"),
            ("sample\tstatus\tscope\tdate\nA\tmaybe\tx\t2024-01-01\n", 2, "expected granted or revoked"),
            ("sample\tstatus\tscope\tdate\nA\tgranted\tx\t2024-13-01\n", 2, "YYYY-MM-DD"),
            ("sample\tstatus\tscope\tdate\nA\tgranted\tx\n", 2, "4 tab-separated"),
            (
                "sample\tstatus\tscope\tdate\nA\tgranted\tx\t2024-01-01\nA\trevoked\tx\t2024-01-01\n",
                3,
                "same date",
            ),
            ("", 1, "empty manifest"),
        ];
        for (text, line, needle) in cases {
            let error = Consent::parse(text).expect_err(needle);
            assert_eq!(error.line, line, "{error}");
            assert!(error.reason.contains(needle), "{error}");
        }
    }
}
