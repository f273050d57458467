//! Paints and the SVG post-processor.
//!
//! Charts are drawn with plotters' SVG backend in "sentinel" colours: one
//! made-up RGB value per role (series 3, grid, target line, red band …).
//! [`finish`] then rewrites plotters' output: each sentinel becomes a CSS
//! class (so `data.css` can restyle the chart for dark mode) plus the
//! light-theme colour as a fallback attribute (so the SVG still looks right
//! on its own); `opacity="1"` and per-element font families go; the root
//! element gets `viewBox`, `width="100%"`, `role="img"`, `<title>` and
//! `<desc>`.
//!
//! **Invariant:** the output depends only on the input: no ids, no
//! randomness, numbers printed the same way on every machine.

use plotters::style::RGBColor;

/// What a shape is, and so which class and colour it gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paint {
    /// The n-th series colour (0-based).
    Series(u8),
    Grid,
    Axis,
    Tick,
    Caption,
    /// A dashed target line: neutral, or in a series colour.
    Target(Option<u8>),
    TargetLabel,
    BandRed,
    BandAmber,
    BandGreen,
    /// The page background: rings around markers.
    Halo,
}

/// Light-theme series colours (Okabe–Ito hues, slightly deepened for
/// contrast on white). `data.css` has the dark-theme values.
pub const PALETTE: [&str; 7] = ["#0072B2", "#D68400", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7A7A7A"];

impl Paint {
    fn code(self) -> (u8, u8) {
        match self {
            Paint::Series(i) => (1, i),
            Paint::Grid => (2, 0),
            Paint::Axis => (3, 0),
            Paint::Tick => (4, 0),
            Paint::Caption => (5, 0),
            Paint::Target(None) => (6, 255),
            Paint::Target(Some(i)) => (6, i),
            Paint::TargetLabel => (7, 0),
            Paint::BandRed => (8, 0),
            Paint::BandAmber => (9, 0),
            Paint::BandGreen => (10, 0),
            Paint::Halo => (11, 0),
        }
    }

    /// The sentinel colour plotters draws this paint in.
    pub fn color(self) -> RGBColor {
        let (role, index) = self.code();
        RGBColor(0x01, role, index)
    }

    fn from_hex(hex: &str) -> Option<Paint> {
        let byte = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
        if hex.len() != 7 || byte(1)? != 0x01 {
            return None;
        }
        let index = byte(5)?;
        Some(match byte(3)? {
            1 => Paint::Series(index),
            2 => Paint::Grid,
            3 => Paint::Axis,
            4 => Paint::Tick,
            5 => Paint::Caption,
            6 => Paint::Target((index != 255).then_some(index)),
            7 => Paint::TargetLabel,
            8 => Paint::BandRed,
            9 => Paint::BandAmber,
            10 => Paint::BandGreen,
            11 => Paint::Halo,
            _ => return None,
        })
    }

    /// `(class, fallback colour)` for this paint used as `stroke` or `fill`.
    fn style(self, stroke: bool) -> (String, &'static str) {
        let series = |i: u8| PALETTE[usize::from(i) % PALETTE.len()];
        match self {
            Paint::Series(i) if stroke => (format!("ob-line-{}", i % 7), series(i)),
            Paint::Series(i) => (format!("ob-fill-{}", i % 7), series(i)),
            Paint::Grid => ("ob-grid".into(), "#E2E6EC"),
            Paint::Axis => ("ob-axis".into(), "#9AA4B2"),
            Paint::Tick => ("ob-tick".into(), "#545F70"),
            Paint::Caption => ("ob-cap".into(), "#545F70"),
            Paint::Target(None) => ("ob-target".into(), "#3B4656"),
            Paint::Target(Some(i)) => (format!("ob-target ob-line-{}", i % 7), series(i)),
            Paint::TargetLabel => ("ob-target-label".into(), "#3B4656"),
            Paint::BandRed => ("ob-band-red".into(), "#D6453D"),
            Paint::BandAmber => ("ob-band-amber".into(), "#D99A12"),
            Paint::BandGreen => ("ob-band-green".into(), "#2E9A5B"),
            Paint::Halo => ("ob-halo".into(), "#FFFFFF"),
        }
    }
}

/// Rewrites plotters' SVG (see the module docs). `class` goes on the root.
pub fn finish(raw: &str, class: &str, title: &str, desc: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for line in raw.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("<svg") {
            let view_box = attr(line, "viewBox").unwrap_or("0 0 100 100");
            out.push_str(&format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" viewBox=\"{view_box}\" width=\"100%\" \
                 role=\"img\" font-family=\"system-ui, sans-serif\" stroke-linejoin=\"round\" stroke-linecap=\"round\">"
            ));
            if !title.is_empty() {
                out.push_str(&format!("<title>{}</title>", escape(title)));
            }
            if !desc.is_empty() {
                out.push_str(&format!("<desc>{}</desc>", escape(desc)));
            }
        } else if line.starts_with("</") || !line.starts_with('<') {
            out.push_str(line);
        } else {
            rewrite_tag(line, &mut out);
        }
    }
    out
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Rewrites one element written by plotters: `<name a="b" …/>` or `<name …>`.
fn rewrite_tag(tag: &str, out: &mut String) {
    let (body, end) = match tag.strip_suffix("/>") {
        Some(b) => (b, "/>"),
        None => (tag.strip_suffix('>').unwrap_or(tag), ">"),
    };
    let name_end = body.find(' ').unwrap_or(body.len());
    let name = &body[1..name_end];
    let mut attrs: Vec<(&str, String)> = Vec::new();
    let mut classes: Vec<String> = Vec::new();
    let mut extra: Vec<(&str, &str)> = Vec::new();
    let mut rest = &body[name_end..];
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].trim();
        let after = &rest[eq + 2..];
        let Some(close) = after.find('"') else { break };
        let value = &after[..close];
        rest = &after[close + 1..];
        match key {
            "opacity" if value == "1" => {}
            "font-family" => {}
            "font-size" => {
                let size: f64 = value.parse().unwrap_or(12.0);
                attrs.push((key, trim_number(size)));
            }
            "fill" | "stroke" => match Paint::from_hex(value) {
                Some(paint) => {
                    let (class, colour) = paint.style(key == "stroke");
                    if let Paint::Target(_) = paint {
                        extra.push(("stroke-dasharray", "10 8"));
                    }
                    if paint == Paint::TargetLabel {
                        extra.extend([("stroke", "#FFFFFF"), ("stroke-width", "6"), ("paint-order", "stroke")]);
                    }
                    classes.push(class);
                    attrs.push((key, colour.to_string()));
                }
                None => attrs.push((key, value.to_string())),
            },
            "points" => attrs.push((key, value.trim_end().to_string())),
            _ => attrs.push((key, value.to_string())),
        }
    }
    out.push('<');
    out.push_str(name);
    if !classes.is_empty() {
        out.push_str(" class=\"");
        out.push_str(&classes.join(" "));
        out.push('"');
    }
    for (k, v) in attrs.iter().map(|(k, v)| (*k, v.as_str())).chain(extra) {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(v);
        out.push('"');
    }
    out.push_str(end);
}

/// `24.000000000000004` → `24`, `10.5` → `10.5`.
fn trim_number(v: f64) -> String {
    let s = format!("{:.2}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn escape(s: &str) -> String {
    crate::markdown::highlight::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expected: &str) {
        assert_eq!(finish(raw, "ob-chart", "T", "D"), expected);
    }

    #[test]
    fn rewrites_plotters_output() {
        check(
            "<svg width=\"1440\" height=\"600\" viewBox=\"0 0 1440 600\" xmlns=\"http://www.w3.org/2000/svg\">\n\
             <polyline fill=\"none\" opacity=\"1\" stroke=\"#010100\" stroke-width=\"4\" points=\"1,2 3,4 \"/>\n\
             <text x=\"5\" y=\"6\" dy=\"0.5ex\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"24.000000000000004\" opacity=\"1\" fill=\"#010400\">\n\
             3月\n</text>\n<line opacity=\"1\" stroke=\"#0106FF\" stroke-width=\"3\" x1=\"0\" y1=\"1\" x2=\"2\" y2=\"1\"/>\n</svg>\n",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ob-chart\" viewBox=\"0 0 1440 600\" width=\"100%\" role=\"img\" \
             font-family=\"system-ui, sans-serif\" stroke-linejoin=\"round\" stroke-linecap=\"round\"><title>T</title><desc>D</desc>\
             <polyline class=\"ob-line-0\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"4\" points=\"1,2 3,4\"/>\
             <text class=\"ob-tick\" x=\"5\" y=\"6\" dy=\"0.5ex\" text-anchor=\"end\" font-size=\"24\" fill=\"#545F70\">3月</text>\
             <line class=\"ob-target\" stroke=\"#3B4656\" stroke-width=\"3\" x1=\"0\" y1=\"1\" x2=\"2\" y2=\"1\" stroke-dasharray=\"10 8\"/></svg>",
        );
    }

    #[test]
    fn sentinels_round_trip() {
        for p in [Paint::Series(3), Paint::Target(None), Paint::Target(Some(1)), Paint::Halo, Paint::BandAmber] {
            let RGBColor(r, g, b) = p.color();
            assert_eq!(Paint::from_hex(&format!("#{r:02X}{g:02X}{b:02X}")), Some(p));
        }
        assert_eq!(Paint::from_hex("#0072B2"), None);
    }
}
