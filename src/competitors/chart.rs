//! Score charts: grouped bars (one group per dimension, one bar per
//! product) drawn by [`crate::charts`], and a small radar per competitor
//! with our product as a dashed outline, drawn here as plain SVG.
//!
//! Both use the chart palette's CSS classes (`ob-fill-N`, `ob-line-N`,
//! `ob-grid`, `ob-tick`) with the light colours as attribute fallbacks, so
//! the theme restyles them for dark mode exactly like metric charts; both
//! carry `role="img"`, a `<title>` and a `<desc>` listing every score.
//!
//! **Invariant:** the output depends only on the scores: no ids, numbers
//! printed with a fixed precision.

use std::fmt::Write as _;

use super::{Ctx, Entry, esc, score_text};
use crate::charts::svg::PALETTE;
use crate::charts::{self, Chart, Mark, Plot, Side};
use crate::metrics::format::Lang;

/// `跑哪儿：产品体验 4，内容丰富度 2…` for one product.
fn scores_sentence(e: &Entry<'_>, dims: &[String], zh: bool) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|d| match e.scores.get(d) {
            Some(v) => format!("{d} {}", score_text(*v)),
            None => format!("{d} –"),
        })
        .collect();
    if zh { format!("{}：{}", e.name, parts.join("，")) } else { format!("{}: {}", e.name, parts.join(", ")) }
}

/// The grouped-bar chart of every product's scores, laid out for `width`.
pub(crate) fn bars(ctx: &Ctx<'_>, entries: &[Entry<'_>], width: u32, height: u32) -> String {
    let dims = &ctx.settings.dimensions;
    let plots = entries
        .iter()
        .map(|e| Plot {
            name: e.name.to_string(),
            mark: Mark::Bar,
            side: Side::Left,
            color: e.color,
            interval: None,
            points: dims.iter().enumerate().filter_map(|(i, d)| e.scores.get(d).map(|v| (i as i32, *v))).collect(),
        })
        .collect();
    let sep = if ctx.zh { "；" } else { "; " };
    let desc: Vec<String> = entries.iter().map(|e| scores_sentence(e, dims, ctx.zh)).collect();
    let chart = Chart {
        title: ctx.t("cmp_scores_chart").to_string(),
        desc: format!("{} {}", ctx.t("cmp_scale_note").replace("{scale}", &ctx.scale_text()), desc.join(sep)),
        lang: if ctx.zh { Lang::Zh } else { Lang::En },
        height,
        categories: dims.clone(),
        plots,
        stacked: false,
        targets: Vec::new(),
        bands: None,
        left_unit: String::new(),
        right_unit: None,
    };
    charts::render(&chart, width)
}

const W: f64 = 320.0;
const H: f64 = 232.0;
const CX: f64 = 160.0;
const CY: f64 = 116.0;
const R: f64 = 78.0;

fn point(i: usize, n: usize, r: f64) -> (f64, f64) {
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
    (CX + r * angle.cos(), CY + r * angle.sin())
}

fn points(values: &[f64], scale: f64) -> String {
    let n = values.len();
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = point(i, n, R * (v / scale).clamp(0.0, 1.0));
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn colour(i: u8) -> &'static str {
    PALETTE[usize::from(i) % PALETTE.len()]
}

/// A radar of one competitor's scores, ours as a dashed outline. `None`
/// with fewer than three dimensions (a radar needs an area).
pub(crate) fn radar(ctx: &Ctx<'_>, e: &Entry<'_>, us: Option<&Entry<'_>>) -> Option<String> {
    let dims = &ctx.settings.dimensions;
    let n = dims.len();
    if n < 3 {
        return None;
    }
    let scale = f64::from(ctx.settings.scale.max(1));
    let values = |e: &Entry<'_>| -> Vec<f64> { dims.iter().map(|d| e.scores.get(d).copied().unwrap_or(0.0)).collect() };
    let title = match us {
        Some(us) => ctx.t("cmp_radar_title").replace("{name}", e.name).replace("{us}", us.name),
        None => e.name.to_string(),
    };
    let sep = if ctx.zh { "；" } else { "; " };
    let mut desc = scores_sentence(e, dims, ctx.zh);
    if let Some(us) = us {
        desc.push_str(sep);
        desc.push_str(&scores_sentence(us, dims, ctx.zh));
    }
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ob-chart cmp-radar-svg\" viewBox=\"0 0 {W} {H}\" width=\"100%\" \
         role=\"img\" font-family=\"system-ui, sans-serif\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\
         <title>{}</title><desc>{}</desc>",
        esc(&title),
        esc(&desc)
    );
    let rings: Vec<u32> = if ctx.settings.scale <= 10 {
        (1..=ctx.settings.scale).collect()
    } else {
        (1..=5).map(|k| ctx.settings.scale * k / 5).collect()
    };
    for ring in rings {
        let vals = vec![f64::from(ring); n];
        let _ = write!(
            svg,
            "<polygon class=\"ob-grid\" fill=\"none\" stroke=\"#E2E6EC\" stroke-width=\"1\" points=\"{}\"/>",
            points(&vals, scale)
        );
    }
    for i in 0..n {
        let (x, y) = point(i, n, R);
        let _ = write!(
            svg,
            "<line class=\"ob-grid\" stroke=\"#E2E6EC\" stroke-width=\"1\" x1=\"{CX:.1}\" y1=\"{CY:.1}\" x2=\"{x:.1}\" y2=\"{y:.1}\"/>"
        );
    }
    if let Some(us) = us {
        let _ = write!(
            svg,
            "<polygon class=\"ob-line-{c}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"5 4\" points=\"{}\"/>",
            colour(us.color),
            points(&values(us), scale),
            c = us.color % 7
        );
    }
    let own = values(e);
    let c = e.color % 7;
    let _ = write!(
        svg,
        "<polygon class=\"ob-fill-{c} cmp-radar-area\" fill=\"{col}\" fill-opacity=\"0.2\" stroke=\"none\" points=\"{p}\"/>\
         <polygon class=\"ob-line-{c}\" fill=\"none\" stroke=\"{col}\" stroke-width=\"2.5\" points=\"{p}\"/>",
        col = colour(e.color),
        p = points(&own, scale)
    );
    for (i, v) in own.iter().enumerate() {
        let (x, y) = point(i, n, R * (v / scale).clamp(0.0, 1.0));
        let _ = write!(
            svg,
            "<circle class=\"ob-fill-{c}\" fill=\"{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\"/>",
            colour(e.color)
        );
    }
    for (i, d) in dims.iter().enumerate() {
        let (x, y) = point(i, n, R + 12.0);
        let (dx, _) = point(i, n, 1.0);
        let anchor = if dx - CX > 0.3 {
            "start"
        } else if dx - CX < -0.3 {
            "end"
        } else {
            "middle"
        };
        let dy = if y < CY - R {
            -2.0
        } else if y > CY + R {
            8.0
        } else {
            4.0
        };
        let score = e.scores.get(d).map_or_else(|| "–".to_string(), |v| score_text(*v));
        let _ = write!(
            svg,
            "<text class=\"ob-tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"12\" fill=\"#545F70\">{} \
             <tspan class=\"cmp-radar-score\" font-weight=\"700\">{}</tspan></text>",
            y + dy,
            esc(d),
            esc(&score)
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radar_points_start_at_the_top() {
        assert_eq!(points(&[5.0, 5.0, 5.0, 5.0], 5.0), "160.0,38.0 238.0,116.0 160.0,194.0 82.0,116.0");
        assert_eq!(points(&[0.0, 10.0, 0.0], 5.0), "160.0,116.0 227.5,155.0 160.0,116.0");
    }
}
