//! A chart block as HTML: the [`Chart`] built from prepared metric data, a
//! `<figure>` with a caption, a legend, the SVG (one layout for wide
//! screens, one for phones) and the data table in a `<details>`.

use std::fmt::Write as _;

use super::table::data_table;
use super::words::{aggregated, partial_left_out, versus, words};
use super::{ChartKind, Prepared, esc, value_text};
use crate::charts::{self, Bands, Chart, Mark, Plot, Side, TargetLine};
use crate::metrics::format::{self, Lang};
use crate::metrics::{Day, Interval, Point};

/// Builds the chart of `prepared` (one or more metrics) drawn as `kind`.
pub fn chart(kind: ChartKind, prepared: &[Prepared<'_>], title: &str, height: u32, lang: Lang) -> Chart {
    let mut units: Vec<&str> = Vec::new();
    for p in prepared {
        if !units.contains(&p.metric.unit.as_str()) {
            units.push(&p.metric.unit);
        }
    }
    let left_unit = units.first().copied().unwrap_or("");
    let first_additive = prepared.first().is_some_and(|p| p.metric.additive && p.series.len() > 1);
    let stacked = kind == ChartKind::StackedBar || (kind == ChartKind::Combo && first_additive);
    let several = prepared.len() > 1;
    let mut plots = Vec::new();
    let mut targets = Vec::new();
    let mut color = 0u8;
    for (i, p) in prepared.iter().enumerate() {
        let m = p.metric;
        let side = if m.unit == left_unit { Side::Left } else { Side::Right };
        let mark = match kind {
            ChartKind::Line | ChartKind::Sparkline => Mark::Line,
            ChartKind::Area => Mark::Area,
            ChartKind::Bar | ChartKind::StackedBar => Mark::Bar,
            ChartKind::Combo if i == 0 => Mark::Bar,
            ChartKind::Combo => Mark::Line,
        };
        let first_color = color;
        for (name, points) in &p.series {
            let name = match (several, p.series.len() > 1) {
                (true, true) => format!("{} · {name}", m.title),
                (true, false) => m.title.clone(),
                _ => name.clone(),
            };
            plots.push(Plot { name, mark, side, color, interval: p.interval, points: points.clone() });
            color = color.wrapping_add(1);
        }
        let whole = p.series.len() == 1 || (i == 0 && stacked && m.additive);
        let target_fits = !(p.aggregated && m.additive) && whole && p.categories.is_none();
        if let (true, Some(last)) = (target_fits, m.targets.last()) {
            targets.push(TargetLine {
                side,
                color: several.then_some(first_color),
                steps: m.targets.iter().map(|t| (t.from.unwrap_or(Day::MIN), t.value)).collect(),
                label: format!("{} {}", words(lang).target, value_text(m, last.value, lang)),
            });
        }
    }
    let bands = match prepared {
        _ if kind == ChartKind::Area => None,
        [p] if p.categories.is_none() && !(p.aggregated && p.metric.additive) && (p.series.len() == 1 || stacked) => {
            let t = p.metric.thresholds;
            (t.red.is_some() || t.amber.is_some()).then_some(Bands {
                direction: p.metric.direction,
                red: t.red,
                amber: t.amber,
            })
        }
        _ => None,
    };
    Chart {
        title: title.to_string(),
        desc: describe(prepared, lang),
        lang,
        height,
        categories: prepared.iter().find_map(|p| p.categories).map(<[String]>::to_vec).unwrap_or_default(),
        plots,
        stacked,
        targets,
        bands,
        left_unit: left_unit.to_string(),
        right_unit: units.get(1).map(|u| u.to_string()),
    }
}

/// The headline points of prepared data: the only series, the sum of
/// additive series, or the first.
fn headline(p: &Prepared<'_>) -> Vec<Point> {
    let to_points = |s: &[(i32, f64)]| s.iter().map(|&(day, value)| Point { day, value }).collect::<Vec<_>>();
    match p.series.as_slice() {
        [] => Vec::new(),
        [(_, first), rest @ ..] if p.metric.additive && !rest.is_empty() => {
            let mut sum = to_points(first);
            for (_, s) in rest {
                let by: std::collections::HashMap<i32, f64> = s.iter().copied().collect();
                sum.retain_mut(|pt| by.get(&pt.day).map(|v| pt.value += v).is_some());
            }
            sum
        }
        [(_, first), ..] => to_points(first),
    }
}

/// One sentence per metric for `<desc>`: latest value, change, target.
pub fn describe(prepared: &[Prepared<'_>], lang: Lang) -> String {
    let w = words(lang);
    let mut out = Vec::new();
    for p in prepared {
        let m = p.metric;
        if let Some(categories) = p.categories {
            let mut best: Option<(f64, &str, &str)> = None;
            for (name, points) in &p.series {
                for &(i, v) in points {
                    if best.is_none_or(|b| v > b.0) {
                        best = Some((v, categories.get(i as usize).map_or("", String::as_str), name));
                    }
                }
            }
            let names: Vec<&str> = p.series.iter().map(|(n, _)| n.as_str()).collect();
            let top = best.map(|(v, c, s)| (c, value_text(m, v, lang), s)).unwrap_or_default();
            out.push(match lang {
                Lang::Zh => format!(
                    "{}：{} 个类别，{}；最大值为{} {}（{}）。",
                    m.title,
                    categories.len(),
                    names.join("、"),
                    top.0,
                    top.1,
                    top.2
                ),
                Lang::En => format!(
                    "{}: {} categories, {}; largest is {} at {} ({}).",
                    m.title,
                    categories.len(),
                    names.join(", "),
                    top.0,
                    top.1,
                    top.2
                ),
            });
            continue;
        }
        let points = headline(p);
        let Some(last) = points.last() else { continue };
        let interval = p.interval.unwrap_or(Interval::Day);
        let mut s = match lang {
            Lang::Zh => format!(
                "{}最新值为 {}（{}）",
                m.title,
                value_text(m, last.value, lang),
                format::period(last.day, interval, lang)
            ),
            Lang::En => format!(
                "{}: latest {} ({})",
                m.title,
                value_text(m, last.value, lang),
                format::period(last.day, interval, lang)
            ),
        };
        if let Some(prev) = points.len().checked_sub(2).map(|i| points[i]).filter(|pr| pr.value != 0.0) {
            let ratio = (last.value - prev.value) / prev.value.abs() * 100.0;
            let pct = format::signed(ratio, format::grouped(ratio, 1)) + "%";
            let sep = if lang.zh() { "，" } else { ", " };
            let _ = write!(s, "{sep}{} {pct}", versus(interval, lang));
        }
        if let Some(t) = m.target_at(last.day).filter(|_| !(p.aggregated && m.additive)) {
            let target = value_text(m, t, lang);
            let reached = crate::metrics::kpi::attainment_of(m.direction, last.value, t)
                .map(|a| format::grouped(a * 100.0, 1) + "%")
                .unwrap_or_default();
            let _ = match lang {
                Lang::Zh => write!(s, "，{} {target}，{} {reached}", w.target, w.attainment),
                Lang::En => write!(s, "; target {target}, {reached} attained"),
            };
        }
        s.push_str(if lang.zh() { "。" } else { "." });
        out.push(s);
    }
    out.join(" ")
}

/// The `<figure>` of a chart block.
pub fn figure(kind: ChartKind, prepared: &[Prepared<'_>], title: &str, height: u32, lang: Lang, open: bool) -> String {
    let w = words(lang);
    let chart = chart(kind, prepared, title, height, lang);
    let class = match kind {
        ChartKind::Line => "chart-line",
        ChartKind::Area => "chart-area",
        ChartKind::Bar => "chart-bar",
        ChartKind::StackedBar => "chart-stacked-bar",
        ChartKind::Combo => "chart-combo",
        ChartKind::Sparkline => "chart-sparkline",
    };
    let mut html = format!("<figure class=\"chart {class}\">");
    let _ = write!(html, "<figcaption><span class=\"chart-title\">{}</span>", esc(title));
    if let Some(meta) = meta(prepared, lang) {
        let _ = write!(html, "<span class=\"chart-meta\">{}</span>", esc(&meta));
    }
    html.push_str("</figcaption>");
    if kind == ChartKind::Sparkline {
        let points = prepared.first().map(headline).unwrap_or_default();
        let _ = write!(html, "<div class=\"chart-canvas\">{}</div>", charts::sparkline(&points, 0, 240, 48, title));
    } else {
        html.push_str(&legend(&chart, w.target));
        let _ = write!(
            html,
            "<div class=\"chart-canvas\"><div class=\"chart-wide\">{}</div><div class=\"chart-narrow\">{}</div></div>",
            charts::render(&chart, charts::WIDE),
            charts::render(&Chart { height: chart.height.min(260), ..chart.clone() }, charts::NARROW)
        );
    }
    let _ = write!(
        html,
        "<details class=\"chart-data\"{}><summary>{}</summary>{}</details></figure>",
        if open { " open" } else { "" },
        w.data_table,
        data_table(prepared, None, lang)
    );
    html.push('\n');
    html
}

/// `2026年1月 – 2026年10月 · 周均值`
fn meta(prepared: &[Prepared<'_>], lang: Lang) -> Option<String> {
    let p = prepared.iter().find(|p| p.categories.is_none())?;
    // Each end is written in the interval of the series it comes from.
    let ends = |last: bool| -> Vec<(i32, Interval)> {
        let mut out = Vec::new();
        for p in prepared {
            for (_, points) in &p.series {
                let end = if last { points.last() } else { points.first() };
                if let (Some(&(day, _)), Some(iv)) = (end, p.interval) {
                    out.push((day, iv));
                }
            }
        }
        out
    };
    let first = ends(false).into_iter().min()?;
    let last = ends(true).into_iter().max()?;
    let mut text = if first == last {
        format::period(first.0, first.1, lang)
    } else {
        format!("{} – {}", format::period(first.0, first.1, lang), format::period(last.0, last.1, lang))
    };
    if let (true, Some(interval)) = (p.aggregated, p.interval) {
        text.push_str(" · ");
        text.push_str(&aggregated(interval, p.metric.additive, lang));
    }
    if let (true, Some(interval)) = (prepared.iter().any(|p| p.trimmed), p.interval) {
        text.push_str(" · ");
        text.push_str(&partial_left_out(interval, lang));
    }
    Some(text)
}

fn legend(chart: &Chart, target_word: &str) -> String {
    if chart.plots.len() < 2 && chart.targets.is_empty() {
        return String::new();
    }
    let mut html = String::from("<ul class=\"chart-legend\">");
    if chart.plots.len() > 1 {
        for p in &chart.plots {
            let shape = match p.mark {
                Mark::Bar => "bar",
                Mark::Area => "area",
                Mark::Line => "line",
            };
            let _ = write!(
                html,
                "<li><span class=\"swatch swatch-{shape} sw-{}\" aria-hidden=\"true\"></span>{}</li>",
                p.color % 7,
                esc(&p.name)
            );
        }
    }
    if chart.targets.len() == 1 && chart.plots.len() < 2 {
        let _ = write!(
            html,
            "<li><span class=\"swatch swatch-target\" aria-hidden=\"true\"></span>{}</li>",
            esc(target_word)
        );
    } else if !chart.targets.is_empty() {
        let _ = write!(
            html,
            "<li><span class=\"swatch swatch-target\" aria-hidden=\"true\"></span>{}</li>",
            esc(&format!("{target_word} ({})", if chart.lang.zh() { "虚线" } else { "dashed" }))
        );
    }
    html.push_str("</ul>");
    html
}
