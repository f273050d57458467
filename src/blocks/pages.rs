//! Generated pages: one per metric (`metrics/<id>/`: definition, owner,
//! source, targets, the KPI card, the chart of all its data, the data
//! table and the playbooks whose `kpis` name it), the list of all metrics
//! for the `metrics/` section page, and the check that every `kpis` entry
//! in front matter names a metric.

use std::fmt::Write as _;

use super::card::{arrow, card, value_parts};
use super::words::{status, words};
use super::{ChartKind, Prepared, esc, figure, value_text};
use crate::content::{Page, PageKind};
use crate::diagnostics::{Diagnostic, Span};
use crate::frontmatter::FrontMatter;
use crate::links::page_href;
use crate::metrics::format::{self, Lang, grouped, signed};
use crate::metrics::kpi::kpi;
use crate::metrics::{Data, Direction, Interval, Metric, Metrics};

/// The URL of a metric's page.
pub fn metric_url(id: &str) -> String {
    format!("metrics/{id}/")
}

/// The section holding metric pages.
pub const SECTION_URL: &str = "metrics/";

/// A page for every metric, plus a `metrics/` section page when the
/// content has none. A metric whose URL is taken by a Markdown page is an
/// error.
pub fn metric_pages(
    metrics: &Metrics,
    pages: &[Page],
    lang: Lang,
    content_prefix: &str,
) -> (Vec<Page>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for m in metrics.iter() {
        let url = metric_url(&m.id);
        if let Some(p) = pages.iter().find(|p| p.url == url) {
            diags.push(
                Diagnostic::error(format!("metric `{}` and page `{}` would both be written to `{url}`", m.id, p.file))
                    .at(Span::file(&m.file))
                    .hint("rename the page, or give the metric another `id`"),
            );
            continue;
        }
        let front = FrontMatter {
            title: Some(m.title.clone()),
            owner: m.owner.clone(),
            summary: m.description.as_deref().map(summary),
            ..FrontMatter::default()
        };
        out.push(Page {
            // Its file, so the page shows that file's git history.
            rel: m.rel.clone(),
            file: m.file.clone(),
            url: url.clone(),
            kind: PageKind::Page,
            src: "".into(),
            body_start: 0,
            front,
            generated: true,
            prebuilt: Some(metric_page(m, pages, &url, lang)),
        });
    }
    if !metrics.is_empty() && !pages.iter().any(|p| p.url == SECTION_URL) {
        let title = if lang.zh() { "指标" } else { "Metrics" };
        out.push(Page {
            rel: SECTION_URL.to_string(),
            file: if content_prefix.is_empty() {
                SECTION_URL.into()
            } else {
                format!("{content_prefix}/{SECTION_URL}")
            },
            url: SECTION_URL.to_string(),
            kind: PageKind::Section,
            src: "".into(),
            body_start: 0,
            front: FrontMatter { title: Some(title.to_string()), ..FrontMatter::default() },
            generated: true,
            prebuilt: Some(listing(metrics, SECTION_URL, lang)),
        });
    }
    (out, diags)
}

/// The first sentence of a description, without a leading `口径说明：`.
fn summary(description: &str) -> String {
    let text = description.trim();
    let text = text.split_once(['：', ':']).filter(|(head, _)| head.chars().count() <= 6).map_or(text, |(_, t)| t);
    let end = text.find('。').map(|i| i + '。'.len_utf8()).or_else(|| text.find(". ").map(|i| i + 1));
    text[..end.unwrap_or(text.len())].trim().to_string()
}

fn metric_page(m: &Metric, pages: &[Page], url: &str, lang: Lang) -> String {
    let w = words(lang);
    let mut html = String::from("<div class=\"metric-page\"><div class=\"metric-overview\">");
    if let Some(c) = card(m, None, lang) {
        html.push_str(&c);
    }
    html.push_str("<dl class=\"metric-facts\">");
    let mut fact = |name: &str, value: &str| {
        let _ = write!(html, "<div><dt>{}</dt><dd>{}</dd></div>", esc(name), esc(value));
    };
    if let Some(o) = &m.owner {
        fact(w.owner, o);
    }
    if let Some(s) = &m.source {
        fact(w.source, s);
    }
    fact(w.unit, if m.unit.is_empty() { w.no_unit } else { &m.unit });
    if m.interval().is_some() {
        fact(w.direction, if m.direction == Direction::Up { w.higher_better } else { w.lower_better });
    }
    if !m.targets.is_empty() {
        let parts: Vec<String> = m
            .targets
            .iter()
            .map(|t| match t.from {
                Some(d) if lang.zh() => {
                    format!("{}{} {}", format::period(d, Interval::Day, lang), w.from, value_text(m, t.value, lang))
                }
                Some(d) => {
                    format!("{} {} {}", value_text(m, t.value, lang), w.from, format::period(d, Interval::Day, lang))
                }
                None => value_text(m, t.value, lang),
            })
            .collect();
        fact(w.target, &parts.join(if lang.zh() { "；" } else { "; " }));
    }
    let lt = if m.direction == Direction::Up { "<" } else { ">" };
    let mut bands = Vec::new();
    if let Some(r) = m.thresholds.red {
        bands.push(format!("{} {lt} {}", w.red, value_text(m, r, lang)));
    }
    if let Some(a) = m.thresholds.amber {
        bands.push(format!("{} {lt} {}", w.amber, value_text(m, a, lang)));
    }
    if !bands.is_empty() {
        fact(w.thresholds, &bands.join(if lang.zh() { "，" } else { ", " }));
    }
    html.push_str("</dl></div>");
    if let Some(d) = &m.description {
        heading(&mut html, "definition", w.definition);
        let _ = write!(html, "<p class=\"metric-definition\">{}</p>", esc(d));
    }
    let (kind, prepared) = match &m.data {
        Data::Dated { interval, series } => {
            let kind = if m.additive && series.len() > 1 { ChartKind::StackedBar } else { ChartKind::Line };
            let series =
                series.iter().map(|s| (s.name.clone(), s.points.iter().map(|p| (p.day, p.value)).collect())).collect();
            (
                kind,
                Prepared {
                    metric: m,
                    interval: Some(*interval),
                    categories: None,
                    series,
                    aggregated: false,
                    trimmed: false,
                },
            )
        }
        Data::Table { categories, series } => {
            let series = series
                .iter()
                .map(|r| (r.name.clone(), r.values.iter().enumerate().map(|(i, v)| (i as i32, *v)).collect()))
                .collect();
            (
                ChartKind::Bar,
                Prepared {
                    metric: m,
                    interval: None,
                    categories: Some(categories),
                    series,
                    aggregated: false,
                    trimmed: false,
                },
            )
        }
    };
    let rows = prepared.series.iter().map(|s| s.1.len()).max().unwrap_or(0);
    heading(&mut html, "history", if m.interval().is_some() { w.history } else { w.breakdown });
    html.push_str(&figure(kind, &[prepared], &m.title, 320, lang, rows <= 24));
    heading(&mut html, "playbooks", w.playbooks);
    let using: Vec<&Page> = pages.iter().filter(|p| !p.generated && p.front.kpis.contains(&m.id)).collect();
    if using.is_empty() {
        let _ = write!(html, "<p class=\"metric-unused\">{}</p>", esc(w.no_playbooks));
    } else {
        html.push_str("<ul class=\"metric-playbooks\">");
        for p in using {
            let title = p.front.title.as_deref().unwrap_or(&p.rel);
            let _ = write!(html, "<li><a href=\"{}\">{}</a>", esc(&page_href(url, &p.url)), esc(title));
            if let Some(s) = &p.front.summary {
                let _ = write!(html, "<span class=\"metric-playbook-summary\">{}</span>", esc(s));
            }
            html.push_str("</li>");
        }
        html.push_str("</ul>");
    }
    html.push_str("</div>\n");
    html
}

fn heading(html: &mut String, id: &str, text: &str) {
    let _ = write!(
        html,
        "<h2 id=\"{id}\">{} <a class=\"heading-anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2>",
        esc(text)
    );
}

/// A table of every metric: latest value, change, sparkline, status and
/// owner, for the page at `from_url`.
pub fn listing(metrics: &Metrics, from_url: &str, lang: Lang) -> String {
    if metrics.is_empty() {
        return String::new();
    }
    let w = words(lang);
    let mut html = String::from("<div class=\"table-wrap metric-list-wrap\"><table class=\"metric-list\"><thead><tr>");
    for h in [w.metric, w.latest, w.change, w.trend, w.status] {
        let _ = write!(html, "<th scope=\"col\">{}</th>", esc(h));
    }
    html.push_str("</tr></thead><tbody>");
    for m in metrics.iter() {
        let href = page_href(from_url, &metric_url(&m.id));
        let _ = write!(html, "<tr><th scope=\"row\"><a href=\"{}\">{}</a>", esc(&href), esc(&m.title));
        if let Some(owner) = &m.owner {
            let _ = write!(html, "<span class=\"metric-owner\">{} {}</span>", esc(w.owner), esc(owner));
        }
        html.push_str("</th>");
        match kpi(m) {
            Some(k) => {
                let (number, unit) = value_parts(m, k.latest.value, lang);
                let sep = if lang.zh() || unit == "%" { "" } else { " " };
                let _ = write!(html, "<td class=\"num metric-latest\">{}{sep}{}</td>", esc(&number), esc(&unit));
                let change = k.change_ratio.map(|r| format!("{}%", signed(r, grouped(r * 100.0, 1))));
                let _ = write!(
                    html,
                    "<td class=\"num kpi-change is-{}\"><span class=\"kpi-arrow\" aria-hidden=\"true\">{}</span> {}</td>",
                    k.trend.class(),
                    arrow(k.change, k.trend),
                    esc(&change.unwrap_or_default())
                );
                let label = super::card::trend_label(k.interval, k.recent.len(), lang);
                let _ = write!(
                    html,
                    "<td class=\"metric-spark\">{}</td>",
                    crate::charts::sparkline(&k.recent, 0, 120, 28, &label)
                );
                let _ = write!(
                    html,
                    "<td><span class=\"status-pill status-{}\">{}</span></td></tr>",
                    k.status.class(),
                    status(k.status, lang)
                );
            }
            None => {
                let _ = write!(html, "<td class=\"metric-latest\" colspan=\"4\">{}</td></tr>", esc(w.table_data));
            }
        }
    }
    html.push_str("</tbody></table></div>\n");
    html
}

/// Every `kpis` entry in front matter that names no metric.
pub fn check_kpis(pages: &[Page], metrics: &Metrics) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for p in pages.iter().filter(|p| !p.generated) {
        for k in p.front.kpis.iter().filter(|k| metrics.get(k).is_none()) {
            diags.push(metrics.unknown(k, kpi_span(p, k)));
        }
    }
    diags
}

/// Where `name` is written in the `kpis` list of a page's front matter.
fn kpi_span(p: &Page, name: &str) -> Span {
    let front = &p.src[..p.body_start.min(p.src.len())];
    let key = front
        .match_indices("kpis")
        .find(|(i, _)| *i == 0 || front[..*i].ends_with('\n') || front[..*i].ends_with(' '))
        .map_or(0, |(i, _)| i);
    let after = &front[key..];
    let found = ["\"", "'", ""].iter().find_map(|q| {
        let needle = format!("{q}{name}{q}");
        after.find(&needle).map(|i| (key + i + q.len(), name.len()))
    });
    match found {
        Some((at, len)) => Span::from_offset(&p.file, &p.src, at, len),
        None => Span::find(&p.file, front, name),
    }
}
