//! HTML assembly: escaping, tables and the page frame (inline CSS, no scripts, no network).

use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML table with a header row; cells are escaped.
pub fn table(class: &str, header: &[String], rows: &[Vec<String>]) -> String {
    let mut s = format!("<table class=\"{}\"><thead><tr>", escape(class));
    for h in header {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    s.push_str("</tr></thead><tbody>");
    for row in rows {
        s.push_str("<tr>");
        for cell in row {
            let _ = write!(s, "<td>{}</td>", escape(cell));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;\
color:#222;padding:0 1em}h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;margin-top:2em}\
section .plots{display:flex;flex-wrap:wrap;gap:12px}svg{background:#fafafa;border:1px solid #ddd}\
svg .t{font-size:12px;font-weight:600}svg .a{font-size:9px;fill:#444}svg .l{font-size:10px}\
table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ddd;\
padding:2px 6px;text-align:left}th{background:#f0f0f0}code{font-size:11px;word-break:break-all}\
.none{color:#888;font-style:italic}";

/// Wraps the sections into one HTML document.
pub fn page(title: &str, sections: &[String]) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1>\n",
        escape(title),
        escape(title)
    );
    for section in sections {
        s.push_str(section);
        s.push('\n');
    }
    s.push_str("</body></html>\n");
    s
}
