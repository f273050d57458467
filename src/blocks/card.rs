//! KPI cards: the latest value with its unit, the change against the
//! previous period (coloured good or bad by the metric's direction),
//! attainment against the target, a red / amber / green status and a
//! sparkline.

use std::fmt::Write as _;

use super::esc;
use super::words::{status, versus, words};
use crate::charts;
use crate::metrics::format::{self, Lang, compact, grouped, signed};
use crate::metrics::kpi::{Kpi, Trend, kpi};
use crate::metrics::{Interval, Metric};

/// `(number, unit)` as a card shows them: `("11.4万", "人")`,
/// `("¥31.0", "")`, `("3.98", "%")`.
pub fn value_parts(m: &Metric, v: f64, lang: Lang) -> (String, String) {
    let number = compact(v, m.decimals, lang);
    match m.unit.as_str() {
        "¥" | "$" => (format::with_unit(&number, &m.unit, lang), String::new()),
        unit => (number, unit.to_string()),
    }
}

/// `+2,345 (+2.1%)`, `+0.12 个百分点 (+3.1%)`, `−¥0.9 (−2.8%)`.
pub fn change_text(m: &Metric, k: &Kpi, lang: Lang) -> Option<String> {
    let change = k.change?;
    let abs = signed(change, compact(change, m.decimals, lang));
    let abs = match m.unit.as_str() {
        "%" => format!("{abs} {}", words(lang).percentage_points),
        "¥" | "$" => format::with_unit(&abs, &m.unit, lang),
        _ => abs,
    };
    Some(match k.change_ratio {
        Some(r) => format!("{abs} ({}%)", signed(r, grouped(r * 100.0, 1))),
        None => abs,
    })
}

/// `▲`, `▼` or `–`.
pub fn arrow(change: Option<f64>, trend: Trend) -> &'static str {
    match (change, trend) {
        (_, Trend::Flat) | (None, _) => "–",
        (Some(c), _) if c > 0.0 => "▲",
        _ => "▼",
    }
}

/// `近 90 天走势` / `Last 90 days`, for a sparkline's `<title>`.
pub fn trend_label(interval: Interval, n: usize, lang: Lang) -> String {
    let (zh, en) = match interval {
        Interval::Day => ("天", "days"),
        Interval::Week => ("周", "weeks"),
        Interval::Month => ("个月", "months"),
        Interval::Quarter => ("个季度", "quarters"),
        Interval::Year => ("年", "years"),
    };
    if lang.zh() { format!("近 {n} {zh}走势") } else { format!("Last {n} {en}") }
}

/// The KPI card of a dated metric, its title linking to `href` (when
/// given); `None` for a table or an empty metric.
pub fn card(m: &Metric, href: Option<&str>, lang: Lang) -> Option<String> {
    let k = kpi(m)?;
    let w = words(lang);
    let mut html = format!("<article class=\"kpi-card status-{}\">", k.status.class());
    match href {
        Some(href) => {
            let _ = write!(html, "<h3 class=\"kpi-title\"><a href=\"{}\">{}</a></h3>", esc(href), esc(&m.title));
        }
        None => {
            let _ = write!(html, "<h3 class=\"kpi-title\">{}</h3>", esc(&m.title));
        }
    }
    let (number, unit) = value_parts(m, k.latest.value, lang);
    let _ = write!(html, "<p class=\"kpi-value\"><span class=\"kpi-number\">{}</span>", esc(&number));
    if !unit.is_empty() {
        let _ = write!(html, "<span class=\"kpi-unit\">{}</span>", esc(&unit));
    }
    html.push_str("</p>");
    if let Some(text) = change_text(m, &k, lang) {
        let _ = write!(
            html,
            "<p class=\"kpi-change is-{}\"><span class=\"kpi-arrow\" aria-hidden=\"true\">{}</span> \
             <span class=\"kpi-delta\">{}</span> <span class=\"kpi-vs\">{}</span></p>",
            k.trend.class(),
            arrow(k.change, k.trend),
            esc(&text),
            versus(k.interval, lang)
        );
    }
    let label = trend_label(k.interval, k.recent.len(), lang);
    let _ = write!(html, "<div class=\"kpi-spark\">{}</div>", charts::sparkline(&k.recent, 0, 160, 36, &label));
    if let Some(t) = k.target {
        let _ = write!(html, "<p class=\"kpi-target\">{} {}", w.target, esc(&super::value_text(m, t, lang)));
        if let Some(a) = k.attainment {
            let _ = write!(
                html,
                "<span class=\"kpi-sep\" aria-hidden=\"true\"> · </span>{} {}%",
                w.attainment,
                grouped(a * 100.0, 1)
            );
        }
        html.push_str("</p>");
    }
    let _ = write!(
        html,
        "<p class=\"kpi-foot\"><span class=\"kpi-status\">{}</span><span class=\"kpi-date\">{} {}</span></p></article>",
        status(k.status, lang),
        w.as_of,
        esc(&format::period(k.latest.day, k.interval, lang))
    );
    Some(html)
}
