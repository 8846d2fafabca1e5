//! GTF attributes: `key "value"; key value;`.

use super::ParseError;

/// Parses a GTF attribute column into `(key, value)` pairs, in order (a key may repeat, as
/// `tag` does in Ensembl and GENCODE files).
///
/// Values are double-quoted or bare (`exon_number 1`); the last `;` may be missing.
///
/// ```
/// use provar_io::gene_model::parse_gtf_attributes;
/// let attributes = parse_gtf_attributes(r#"gene_id "ENSG1"; exon_number 2; tag "a b";"#)?;
/// assert_eq!(attributes[0], ("gene_id".to_owned(), "ENSG1".to_owned()));
/// assert_eq!(attributes[1].1, "2");
/// assert_eq!(attributes[2].1, "a b");
/// # Ok::<_, provar_io::gene_model::ParseError>(())
/// ```
pub fn parse_attributes(column: &str) -> Result<Vec<(String, String)>, ParseError> {
    let invalid = || ParseError::InvalidAttribute(column.trim().to_owned());
    let mut out = Vec::new();
    let mut rest = column.trim_start();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(';') {
            rest = r.trim_start();
            continue;
        }
        let key_end = rest.find(char::is_whitespace).ok_or_else(invalid)?;
        let key = &rest[..key_end];
        if key.contains(['"', ';']) {
            return Err(invalid());
        }
        rest = rest[key_end..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let close = quoted.find('"').ok_or_else(invalid)?;
            value = &quoted[..close];
            rest = quoted[close + 1..].trim_start();
        } else {
            let end = rest
                .find(|c: char| c == ';' || c.is_whitespace())
                .unwrap_or(rest.len());
            if end == 0 {
                return Err(invalid());
            }
            value = &rest[..end];
            rest = rest[end..].trim_start();
        }
        out.push((key.to_owned(), value.to_owned()));
        match rest.strip_prefix(';') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => {}
            None => return Err(invalid()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensembl_and_gencode_attributes() {
        let a = parse_attributes(
            r#"gene_id "ENSG00000223972"; transcript_id "ENST00000456328"; exon_number 1; tag "basic"; tag "CCDS""#,
        )
        .expect("parses");
        assert_eq!(a.len(), 5);
        assert_eq!(a[3], ("tag".into(), "basic".into()));
        assert_eq!(a[4], ("tag".into(), "CCDS".into()));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_attributes(r#"gene_id "unterminated; x "y";"#).is_err());
        assert!(parse_attributes("gene_id").is_err());
        assert!(parse_attributes(r#"gene_id "a" "b";"#).is_err());
    }
}
