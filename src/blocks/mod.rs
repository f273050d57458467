//! Data blocks: fenced ` ```chart `, ` ```kpi ` and ` ```table ` blocks in
//! Markdown whose body is TOML, turned into HTML figures, KPI cards and
//! tables from the site's [`Metrics`]; plus the generated metric pages
//! ([`pages`]).
//!
//! ````text
//! ```chart
//! metric = "dau"          # or metrics = ["new_users", "cac"]
//! kind = "line"           # line | area | bar | stacked-bar | combo | sparkline
//! since = 2026-01-01      # until = …, both optional
//! aggregate = "week"      # week | month | quarter
//! title = "DAU"           # height = 300
//! ```
//! ````
//!
//! Block options are strict: an unknown key, kind or metric is an error at
//! the block's line and column with a "did you mean".
//!
//! **Invariant:** blocks only read metrics that were parsed once per build;
//! they slice and aggregate in memory.

mod card;
mod figure;
pub mod pages;
mod table;
mod words;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{self, Diagnostic, Span};
use crate::frontmatter::Date;
use crate::markdown::BlockSource;
use crate::metrics::format::{self, Lang};
use crate::metrics::period::from_date;
use crate::metrics::series::{aggregate, drop_partial_ends, slice};
use crate::metrics::{Data, Interval, Metric, Metrics};

pub use card::card;
pub use figure::figure;

/// What a block needs to know about where it is rendered.
pub struct Context<'a> {
    pub metrics: &'a Metrics,
    pub lang: Lang,
    /// Output URL of the page holding the block (for relative links).
    pub url: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartKind {
    Line,
    Area,
    Bar,
    StackedBar,
    Combo,
    Sparkline,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartBlock {
    metric: Option<Spanned<String>>,
    metrics: Option<Spanned<Vec<Spanned<String>>>>,
    kind: Option<Spanned<ChartKind>>,
    since: Option<Spanned<Date>>,
    until: Option<Spanned<Date>>,
    aggregate: Option<Spanned<Interval>>,
    title: Option<String>,
    height: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KpiBlock {
    metrics: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableBlock {
    metric: Spanned<String>,
    since: Option<Spanned<Date>>,
    until: Option<Spanned<Date>>,
    aggregate: Option<Spanned<Interval>>,
}

/// One metric's data as a block shows it: sliced, maybe aggregated.
pub struct Prepared<'a> {
    pub metric: &'a Metric,
    /// The interval of the points; `None` for a table of categories.
    pub interval: Option<Interval>,
    pub categories: Option<&'a [String]>,
    /// `(series name, [(first day of period or category index, value)])`
    pub series: Vec<(String, Vec<(i32, f64)>)>,
    /// True when `aggregate` made periods longer than the data's.
    pub aggregated: bool,
    /// True when partly covered periods at either end were left out of sums.
    pub trimmed: bool,
}

/// Renders a data block; `None` when `kind` is not one (ordinary code).
pub fn render(
    ctx: &Context<'_>,
    kind: &str,
    body: &str,
    at: &BlockSource<'_>,
) -> Option<Result<String, Vec<Diagnostic>>> {
    let b = Block { ctx, at };
    Some(match kind {
        "chart" => b.chart(body),
        "kpi" => b.kpi(body),
        "table" => b.table(body),
        _ => return None,
    })
}

struct Block<'a> {
    ctx: &'a Context<'a>,
    at: &'a BlockSource<'a>,
}

impl<'a> Block<'a> {
    fn span(&self, r: std::ops::Range<usize>) -> Span {
        Span::from_offset(self.at.file, self.at.src, self.at.offset + r.start, r.end.saturating_sub(r.start))
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, body: &str, kind: &str) -> Result<T, Vec<Diagnostic>> {
        toml::from_str(body).map_err(|e| {
            let mut d = diagnostics::from_toml_error(self.at.file, self.at.src, self.at.offset, &e);
            if d.message.starts_with("missing field") {
                d.message = d.message.replacen("missing field", "missing key", 1);
                if let Some(s) = d.span.as_mut() {
                    // serde points at the whole body; the fence line reads better.
                    *s = Span::from_offset(self.at.file, self.at.src, self.at.offset, 0);
                }
            }
            d.message = format!("in ```{kind} block: {}", d.message);
            vec![d]
        })
    }

    fn metric(&self, id: &Spanned<String>) -> Result<&'a Metric, Diagnostic> {
        self.ctx.metrics.get(id.get_ref()).ok_or_else(|| self.ctx.metrics.unknown(id.get_ref(), self.span(id.span())))
    }

    fn href(&self, m: &Metric) -> String {
        crate::links::page_href(self.ctx.url, &pages::metric_url(&m.id))
    }

    /// Slices and aggregates `m` as the block asks, checking the options.
    fn prepare(
        &self,
        m: &'a Metric,
        since: Option<&Spanned<Date>>,
        until: Option<&Spanned<Date>>,
        agg: Option<&Spanned<Interval>>,
    ) -> Result<Prepared<'a>, Diagnostic> {
        let day = |d: Option<&Spanned<Date>>| d.map(|d| from_date(d.get_ref().0));
        let (from, to) = (day(since), day(until));
        if let (Some(f), Some(t), Some(u)) = (from, to, until)
            && f > t
        {
            return Err(Diagnostic::error("`until` is before `since`")
                .at(self.span(u.span()))
                .hint("swap the two dates"));
        }
        match &m.data {
            Data::Table { categories, series } => {
                let extra = since.map(Spanned::span).or(until.map(Spanned::span)).or(agg.map(Spanned::span));
                if let Some(r) = extra {
                    return Err(Diagnostic::error(format!(
                        "metric `{}` is a table of categories, not dated data",
                        m.id
                    ))
                    .at(self.span(r))
                    .hint("remove `since`, `until` and `aggregate`; they apply to dated series only"));
                }
                Ok(Prepared {
                    metric: m,
                    interval: None,
                    categories: Some(categories),
                    series: series
                        .iter()
                        .map(|r| (r.name.clone(), r.values.iter().enumerate().map(|(i, v)| (i as i32, *v)).collect()))
                        .collect(),
                    aggregated: false,
                    trimmed: false,
                })
            }
            Data::Dated { interval, series } => {
                let target = match agg {
                    Some(a) if *a.get_ref() < *interval => {
                        return Err(Diagnostic::error(format!(
                            "cannot aggregate {} data `{}` by {}",
                            interval.adjective(),
                            m.id,
                            a.get_ref().name()
                        ))
                        .at(self.span(a.span()))
                        .hint(format!("aggregate only into longer periods than the data's ({})", interval.name())));
                    }
                    Some(a) => *a.get_ref(),
                    None => *interval,
                };
                let mut trimmed = false;
                let series: Vec<(String, Vec<(i32, f64)>)> = series
                    .iter()
                    .map(|s| {
                        let points = slice(&s.points, from, to);
                        let points = if target == *interval {
                            points.to_vec()
                        } else {
                            let mut groups = aggregate(points, target, m.additive);
                            if m.additive {
                                trimmed |= drop_partial_ends(points, *interval, target, &mut groups);
                            }
                            groups
                        };
                        (s.name.clone(), points.iter().map(|p| (p.day, p.value)).collect())
                    })
                    .collect();
                if series.iter().all(|s| s.1.is_empty()) {
                    let at = since.or(until).map_or(self.span(0..0), |d| self.span(d.span()));
                    let first = series_range(m);
                    return Err(Diagnostic::error(format!("metric `{}` has no data in this range", m.id))
                        .at(at)
                        .hint(format!("its data covers {first}")));
                }
                Ok(Prepared {
                    metric: m,
                    interval: Some(target),
                    categories: None,
                    series,
                    aggregated: target != *interval,
                    trimmed,
                })
            }
        }
    }

    fn chart(&self, body: &str) -> Result<String, Vec<Diagnostic>> {
        let block: ChartBlock = self.parse(body, "chart")?;
        let ids: Vec<&Spanned<String>> = match (&block.metric, &block.metrics) {
            (Some(_), Some(list)) => {
                return Err(vec![
                    Diagnostic::error("`metric` and `metrics` are both set")
                        .at(self.span(list.span()))
                        .hint("use `metric = \"dau\"` for one metric or `metrics = [\"a\", \"b\"]` for several"),
                ]);
            }
            (Some(one), None) => vec![one],
            (None, Some(list)) if !list.get_ref().is_empty() => list.get_ref().iter().collect(),
            _ => {
                return Err(vec![
                    Diagnostic::error("in ```chart block: no metric given")
                        .at(self.span(0..0))
                        .hint("add `metric = \"<id>\"`; metric ids are the file names in `content/metrics/`"),
                ]);
            }
        };
        let mut diags = Vec::new();
        let mut prepared = Vec::new();
        for id in &ids {
            match self
                .metric(id)
                .and_then(|m| self.prepare(m, block.since.as_ref(), block.until.as_ref(), block.aggregate.as_ref()))
            {
                Ok(p) => prepared.push(p),
                Err(d) => diags.push(d),
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let is_table = prepared.iter().any(|p| p.categories.is_some());
        let kind =
            block.kind.as_ref().map_or(if is_table { ChartKind::Bar } else { ChartKind::Line }, |k| *k.get_ref());
        let kind_at = || block.kind.as_ref().map_or(self.span(0..0), |k| self.span(k.span()));
        if is_table && !matches!(kind, ChartKind::Bar | ChartKind::StackedBar) {
            return Err(vec![
                Diagnostic::error("a table of categories is drawn as bars")
                    .at(kind_at())
                    .hint("use `kind = \"bar\"` or `kind = \"stacked-bar\"`"),
            ]);
        }
        if is_table && prepared.len() > 1 {
            return Err(vec![
                Diagnostic::error("a chart shows one table of categories at a time")
                    .at(self.span(block.metrics.as_ref().map_or(0..0, Spanned::span)))
                    .hint("give each table its own chart"),
            ]);
        }
        let mut units: Vec<&str> = prepared.iter().map(|p| p.metric.unit.as_str()).collect();
        units.dedup();
        units.sort_unstable();
        units.dedup();
        if units.len() > 2 {
            return Err(vec![
                Diagnostic::error(format!("a chart has at most two units, found {}", units.len()))
                    .at(self.span(block.metrics.as_ref().map_or(0..0, Spanned::span)))
                    .hint("split the metrics into charts that share a unit"),
            ]);
        }
        if kind == ChartKind::Combo && prepared.len() < 2 {
            return Err(vec![Diagnostic::error("a combo chart needs two or more metrics").at(kind_at()).hint(
                "the first metric is drawn as bars, the others as lines: `metrics = [\"new_users\", \"cac\"]`",
            )]);
        }
        let height = match &block.height {
            Some(h) if !(120..=800).contains(h.get_ref()) => {
                return Err(vec![
                    Diagnostic::error(format!("`height` must be between 120 and 800, found {}", h.get_ref()))
                        .at(self.span(h.span()))
                        .hint("the height is in CSS pixels; charts are 300 high by default"),
                ]);
            }
            Some(h) => *h.get_ref() as u32,
            None => 300,
        };
        let title = block
            .title
            .clone()
            .unwrap_or_else(|| prepared.iter().map(|p| p.metric.title.as_str()).collect::<Vec<_>>().join(" / "));
        Ok(figure(kind, &prepared, &title, height, self.ctx.lang, false))
    }

    fn kpi(&self, body: &str) -> Result<String, Vec<Diagnostic>> {
        let block: KpiBlock = self.parse(body, "kpi")?;
        if block.metrics.get_ref().is_empty() {
            return Err(vec![
                Diagnostic::error("`metrics` is empty")
                    .at(self.span(block.metrics.span()))
                    .hint("list the metric ids to show: `metrics = [\"dau\", \"nps\"]`"),
            ]);
        }
        let mut diags = Vec::new();
        let mut html = String::from("<div class=\"kpi-row\">");
        for id in block.metrics.get_ref() {
            match self.metric(id) {
                Ok(m) => match card(m, Some(&self.href(m)), self.ctx.lang) {
                    Some(c) => html.push_str(&c),
                    None => diags.push(
                        Diagnostic::error(format!("metric `{}` is a table of categories and has no KPI", m.id))
                            .at(self.span(id.span()))
                            .hint("show it with a ```table or ```chart block instead"),
                    ),
                },
                Err(d) => diags.push(d),
            }
        }
        html.push_str("</div>\n");
        if diags.is_empty() { Ok(html) } else { Err(diags) }
    }

    fn table(&self, body: &str) -> Result<String, Vec<Diagnostic>> {
        let block: TableBlock = self.parse(body, "table")?;
        let m = self.metric(&block.metric).map_err(|d| vec![d])?;
        let p = self
            .prepare(m, block.since.as_ref(), block.until.as_ref(), block.aggregate.as_ref())
            .map_err(|d| vec![d])?;
        let caption = table::header(&m.title, &m.unit, self.ctx.lang);
        Ok(format!(
            "<figure class=\"data-block\">{}</figure>\n",
            table::data_table(&[p], Some(&caption), self.ctx.lang)
        ))
    }
}

/// `2025年1月 – 2026年10月`: what a metric's data covers.
fn series_range(m: &Metric) -> String {
    let Some(interval) = m.interval() else { return String::new() };
    let first = m.series().iter().filter_map(|s| s.points.first()).map(|p| p.day).min();
    let last = m.series().iter().filter_map(|s| s.points.last()).map(|p| p.day).max();
    match (first, last) {
        (Some(f), Some(l)) => {
            format!("{} to {}", crate::metrics::period::iso(f), crate::metrics::period::iso(interval.advance(l, 1) - 1))
        }
        _ => String::new(),
    }
}

/// A value with its unit, short: `12万人`, `¥32.0`, `45.0%`.
pub fn value_text(m: &Metric, v: f64, lang: Lang) -> String {
    format::with_unit(&format::compact(v, m.decimals, lang), &m.unit, lang)
}

pub(crate) fn esc(s: &str) -> String {
    crate::markdown::highlight::escape(s)
}

#[cfg(test)]
mod tests;
