//! Small, dependency-free SVG charts. Every number is printed with a fixed precision so the
//! same data gives the same bytes.

use std::fmt::Write as _;

use crate::html::escape;

/// Plot width and height in SVG units.
const W: f64 = 420.0;
const H: f64 = 260.0;
/// Margins: left, right, top, bottom.
const ML: f64 = 52.0;
const MR: f64 = 12.0;
const MT: f64 = 24.0;
const MB: f64 = 40.0;

/// Colour-blind-safe palette (Okabe–Ito), used in order for groups.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

fn open(title: &str, class: &str) -> String {
    format!(
        "<svg class=\"{class}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" \
         width=\"{W}\" height=\"{H}\" role=\"img\"><title>{}</title>\
         <text x=\"{}\" y=\"16\" text-anchor=\"middle\" class=\"t\">{}</text>",
        escape(title),
        W / 2.0,
        escape(title)
    )
}

fn axes(s: &mut String, x_label: &str, y_label: &str, x: (f64, f64), y: (f64, f64)) {
    let (x0, x1) = (ML, W - MR);
    let (y0, y1) = (H - MB, MT);
    let _ = write!(
        s,
        "<line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#444\"/>\
         <line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x0}\" y2=\"{y1}\" stroke=\"#444\"/>"
    );
    for (i, frac) in [0.0, 0.5, 1.0].into_iter().enumerate() {
        let xv = x.0 + frac * (x.1 - x.0);
        let yv = y.0 + frac * (y.1 - y.0);
        let px = x0 + frac * (x1 - x0);
        let py = y0 - frac * (y0 - y1);
        let anchor = ["start", "middle", "end"][i];
        let _ = write!(
            s,
            "<text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" class=\"a\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"a\">{}</text>",
            y0 + 14.0,
            tick(xv),
            x0 - 4.0,
            py + 4.0,
            tick(yv)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"l\">{}</text>\
         <text transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\" class=\"l\">{}</text>",
        (x0 + x1) / 2.0,
        H - 6.0,
        escape(x_label),
        (y0 + y1) / 2.0,
        escape(y_label)
    );
}

fn tick(v: f64) -> String {
    if (v == v.trunc() && v.abs() < 1e9) || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn finite_range(values: &[f64]) -> Option<(f64, f64)> {
    let mut it = values.iter().copied().filter(|v| v.is_finite());
    let first = it.next()?;
    let (lo, hi) = it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
    Some(if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    })
}

/// A histogram of the finite `values` in `bins` equal-width bins; `None` when there is none.
pub fn histogram(title: &str, x_label: &str, values: &[f64], bins: usize) -> Option<String> {
    let (lo, hi) = finite_range(values)?;
    let bins = bins.max(1);
    let mut counts = vec![0u64; bins];
    for v in values.iter().copied().filter(|v| v.is_finite()) {
        let i = (((v - lo) / (hi - lo)) * bins as f64).floor() as usize;
        counts[i.min(bins - 1)] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let mut s = open(title, "histogram");
    axes(&mut s, x_label, "count", (lo, hi), (0.0, max));
    let width = (W - ML - MR) / bins as f64;
    for (i, &c) in counts.iter().enumerate() {
        let h = (c as f64 / max) * (H - MT - MB);
        let _ = write!(
            s,
            "<rect class=\"bar\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\"><title>{}</title></rect>",
            ML + i as f64 * width,
            H - MB - h,
            (width - 1.0).max(0.5),
            h,
            PALETTE[0],
            c
        );
    }
    s.push_str("</svg>");
    Some(s)
}

/// One point of a scatter plot.
#[derive(Clone, Debug)]
pub struct Point {
    /// Horizontal value.
    pub x: f64,
    /// Vertical value.
    pub y: f64,
    /// Group (colour and legend).
    pub group: String,
    /// Hover text.
    pub label: String,
}

/// A scatter plot coloured by group, with a legend; `None` when no point is finite.
pub fn scatter(title: &str, x_label: &str, y_label: &str, points: &[Point]) -> Option<String> {
    let points: Vec<&Point> = points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    let xs: Vec<f64> = points.iter().map(|p| p.x).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.y).collect();
    let (x0, x1) = finite_range(&xs)?;
    let (y0, y1) = finite_range(&ys)?;
    let mut groups: Vec<&str> = points.iter().map(|p| p.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    let colour = |g: &str| {
        let i = groups.binary_search(&g).unwrap_or(0);
        PALETTE[i % PALETTE.len()]
    };
    let mut s = open(title, "scatter");
    axes(&mut s, x_label, y_label, (x0, x1), (y0, y1));
    for p in &points {
        let px = ML + (p.x - x0) / (x1 - x0) * (W - ML - MR);
        let py = H - MB - (p.y - y0) / (y1 - y0) * (H - MT - MB);
        let _ = write!(
            s,
            "<circle class=\"point\" cx=\"{px:.2}\" cy=\"{py:.2}\" r=\"3\" fill=\"{}\" fill-opacity=\"0.8\"><title>{} ({})</title></circle>",
            colour(&p.group),
            escape(&p.label),
            escape(&p.group)
        );
    }
    for (i, g) in groups.iter().take(12).enumerate() {
        let y = MT + 4.0 + i as f64 * 13.0;
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"8\" height=\"8\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"a\" text-anchor=\"end\">{}</text>",
            W - MR - 8.0,
            colour(g),
            W - MR - 11.0,
            y + 8.0,
            escape(g)
        );
    }
    s.push_str("</svg>");
    Some(s)
}

/// Horizontal bars (label, value), in the given order; `None` when empty.
pub fn bars(title: &str, x_label: &str, items: &[(String, f64)]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let max = items
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let height = MT + MB + items.len() as f64 * 14.0;
    let mut s = format!(
        "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {height}\" \
         width=\"{W}\" height=\"{height}\" role=\"img\"><title>{}</title>\
         <text x=\"{}\" y=\"16\" text-anchor=\"middle\" class=\"t\">{}</text>",
        escape(title),
        W / 2.0,
        escape(title)
    );
    let left = 110.0;
    for (i, (label, v)) in items.iter().enumerate() {
        let v = if v.is_finite() { *v } else { 0.0 };
        let y = MT + i as f64 * 14.0;
        let w = v / max * (W - left - MR);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"a\">{}</text>\
             <rect class=\"bar\" x=\"{left}\" y=\"{y:.1}\" width=\"{w:.2}\" height=\"11\" fill=\"{}\"><title>{}: {v:.4}</title></rect>",
            left - 4.0,
            y + 9.0,
            escape(label),
            PALETTE[0],
            escape(label)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"l\">{}</text></svg>",
        (left + W - MR) / 2.0,
        height - 10.0,
        escape(x_label)
    );
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_finite_value_once() {
        let svg = histogram("t", "x", &[0.0, 0.1, 0.2, 1.0, f64::NAN], 2).unwrap_or_default();
        // Two bins: [0, 0.5) holds 3, [0.5, 1] holds 1; NaN is left out.
        assert!(svg.contains("<title>3</title>"), "{svg}");
        assert!(svg.contains("<title>1</title>"), "{svg}");
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        assert!(histogram("t", "x", &[f64::NAN], 4).is_none());
    }

    #[test]
    fn scatter_colours_groups_and_escapes_labels() {
        let p = |x, y, g: &str| Point {
            x,
            y,
            group: g.into(),
            label: "<s&1>".into(),
        };
        let svg = scatter("t", "x", "y", &[p(0.0, 0.0, "b"), p(1.0, 1.0, "a")]).unwrap_or_default();
        assert_eq!(svg.matches("class=\"point\"").count(), 2);
        assert!(svg.contains("&lt;s&amp;1&gt;"));
        // Groups are coloured in sorted order: "a" first colour, "b" second.
        assert!(svg.contains(&format!(
            "fill=\"{}\" fill-opacity=\"0.8\"><title>&lt;s&amp;1&gt; (a)",
            PALETTE[0]
        )));
    }
}
