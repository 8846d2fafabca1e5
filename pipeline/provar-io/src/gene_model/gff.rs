//! GFF3 attributes: `tag=value,value;tag=value`, percent-escaped.

use super::{reader::unescape, ParseError};

/// Parses a GFF3 attribute column into `(tag, values)` pairs, in order.
///
/// Tolerates what real files contain: `.` or an empty column for no attributes, spaces
/// after `;`, a trailing `;`, and percent escapes in tags and values (`%3B` is `;`, `%2C`
/// a `,` inside one value). An item without `=` is an error.
///
/// ```
/// use provar_io::gene_model::parse_gff3_attributes;
/// let attributes = parse_gff3_attributes("ID=gene:1; Note=a%3Bb,c;")?;
/// assert_eq!(attributes[0], ("ID".to_owned(), vec!["gene:1".to_owned()]));
/// assert_eq!(attributes[1].1, ["a;b", "c"]);
/// # Ok::<_, provar_io::gene_model::ParseError>(())
/// ```
pub fn parse_attributes(column: &str) -> Result<Vec<(String, Vec<String>)>, ParseError> {
    items(column)
        .map(|item| {
            item.map(|(tag, values)| (unescape(tag), values.split(',').map(unescape).collect()))
        })
        .collect()
}

/// The `(tag, raw values)` items of an attribute column, trimmed but not yet decoded, so a
/// reader can decode only the attributes it keeps. Tags are never empty.
pub(crate) fn items(column: &str) -> impl Iterator<Item = Result<(&str, &str), ParseError>> {
    let column = column.trim();
    let column = if column == "." { "" } else { column };
    column
        .split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once('=') {
            Some((tag, values)) if !tag.trim().is_empty() => Ok((tag.trim(), values)),
            _ => Err(ParseError::InvalidAttribute(item.to_owned())),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_attributes_from_htsjdk() {
        // samtools/htsjdk src/test/resources/htsjdk/tribble/gff/url_encoding.gff3, column 9.
        let column = "ID=this is the ID of this wacky feature%5E%26%25%23%23%24%25*%26%3E%2C. %2C.; Another key=Another%3Dvalue,And a second%2C value";
        let attributes = parse_attributes(column).expect("parses");
        assert_eq!(
            attributes[0].1,
            ["this is the ID of this wacky feature^&%##$%*&>,. ,."]
        );
        assert_eq!(attributes[1].0, "Another key");
        assert_eq!(attributes[1].1, ["Another=value", "And a second, value"]);
    }

    #[test]
    fn empty_and_dot_mean_no_attributes() {
        assert_eq!(parse_attributes(""), Ok(Vec::new()));
        assert_eq!(parse_attributes("."), Ok(Vec::new()));
    }

    #[test]
    fn an_item_without_equals_is_an_error() {
        assert_eq!(
            parse_attributes("ID=x;gene_id \"y\""),
            Err(ParseError::InvalidAttribute("gene_id \"y\"".into()))
        );
    }
}
