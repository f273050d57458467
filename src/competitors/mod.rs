//! Competitor notes: pages under `competitors/` whose front matter describes
//! a competing product (name, website, category, pricing, strengths,
//! weaknesses, dated sources, scores on the site's dimensions).
//!
//! The site defines the dimensions, their scale and the freshness limit in
//! `[competitors]` of `opsbook.toml`, and may describe its own product in
//! `[competitors.us]`. From that, this stage:
//!
//! - validates every note strictly ([`check`], in `validate`): unknown
//!   dimensions, scores off the scale, undated sources, bad URLs, competitor
//!   fields outside `competitors/`, each at its file, line and column;
//! - adds a profile (facts, score bars against ours, pricing, strengths and
//!   weaknesses, dated sources, a stale warning) around each note's own text
//!   (`profile`);
//! - appends the comparison matrix, a grouped-bar score chart and radar
//!   small multiples to the `competitors/` section page (`matrix`, `chart`).
//!
//! A note is *stale* when its newest dated source is older than
//! `stale_after` on the build date (`--today` or `today` in the config), or
//! when it has no dated source at all.
//!
//! **Invariant:** everything here is a function of the pages, the config
//! and the build date: no I/O, and the same input gives the same bytes.

pub mod chart;
mod matrix;
mod profile;
mod validate;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::Config;
use crate::content::{Page, PageKind};
use crate::frontmatter::{Date, FrontMatter, PriceTier, parse_period};
use crate::markdown::{Rendered, TocEntry};
use crate::theme::Theme;

pub use validate::{check, check_config};

/// The folder (inside the content folder) that holds competitor notes.
pub const SECTION: &str = "competitors/";

/// `[competitors]` in `opsbook.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The dimensions notes are scored on, in the order the matrix shows them.
    pub dimensions: Vec<String>,
    /// Scores run from 1 to `scale`.
    pub scale: u32,
    /// A note whose newest source is older than this period is stale (`180d`, `6m`).
    pub stale_after: String,
    /// Put before prices: `¥`, `$`, `€ `.
    pub currency: String,
    /// Our own product, shown as the first, highlighted column of the matrix.
    pub us: Option<Product>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            dimensions: Vec::new(),
            scale: 5,
            stale_after: "180d".to_string(),
            currency: "¥".to_string(),
            us: None,
        }
    }
}

/// `[competitors.us]`: our own product, described like a competitor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    /// One line of positioning.
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub pricing: Vec<PriceTier>,
    #[serde(default)]
    pub scores: BTreeMap<String, f64>,
}

/// Billing periods a price tier may name.
pub const PERIODS: &[&str] = &["month", "year", "once", "week", "quarter", "day"];

/// One column of the matrix: our product or a competitor note.
#[derive(Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub name: &'a str,
    /// The note's page; `None` for our product.
    pub page: Option<&'a Page>,
    pub category: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub website: Option<&'a str>,
    pub pricing: &'a [PriceTier],
    pub scores: &'a BTreeMap<String, f64>,
    pub newest: Option<Date>,
    pub stale: bool,
    /// Index into the chart palette (ours is 0).
    pub color: u8,
}

impl Entry<'_> {
    pub fn is_us(&self) -> bool {
        self.page.is_none()
    }
}

/// What the HTML builders need besides the pages.
pub(crate) struct Ctx<'a> {
    pub settings: &'a Settings,
    pub theme: &'a Theme,
    pub today: jiff::civil::Date,
    pub zh: bool,
}

impl Ctx<'_> {
    /// A UI string from the theme's `i18n` file.
    pub fn t(&self, key: &'static str) -> &str {
        self.theme.string(key, key)
    }

    /// `1–5`
    pub fn scale_text(&self) -> String {
        format!("1–{}", self.settings.scale.max(1))
    }

    /// `180d` → `180 天` / `180 days`.
    pub fn period_words(&self, period: &str) -> String {
        crate::hygiene::period_words(period, self.zh)
    }
}

/// True when a page's front matter uses any competitor field.
pub fn uses_fields(f: &FrontMatter) -> bool {
    !fields_used(f).is_empty()
}

/// The competitor fields a front matter sets, in declaration order.
pub(crate) fn fields_used(f: &FrontMatter) -> Vec<&'static str> {
    let mut used = Vec::new();
    let flags = [
        ("name", f.name.is_some()),
        ("website", f.website.is_some()),
        ("category", f.category.is_some()),
        ("strengths", !f.strengths.is_empty()),
        ("weaknesses", !f.weaknesses.is_empty()),
        ("pricing", !f.pricing.is_empty()),
        ("sources", !f.sources.is_empty()),
        ("scores", !f.scores.is_empty()),
    ];
    for (key, set) in flags {
        if set {
            used.push(key);
        }
    }
    used
}

/// True for a page that may be a competitor note: a page (not the section
/// page) inside `competitors/`.
pub fn in_section(page: &Page) -> bool {
    page.rel.starts_with(SECTION) && page.kind == PageKind::Page
}

/// Indices of the competitor notes among `pages`, in matrix order (weight,
/// then name, then URL).
fn notes(pages: &[Page]) -> Vec<usize> {
    let mut list: Vec<usize> = (0..pages.len())
        .filter(|&i| {
            let p = &pages[i];
            !p.generated && in_section(p) && p.front.name.is_some() && uses_fields(&p.front)
        })
        .collect();
    list.sort_by(|&a, &b| {
        let key = |p: &Page| (p.front.weight.is_none(), p.front.weight, p.front.name.clone(), p.url.clone());
        key(&pages[a]).cmp(&key(&pages[b]))
    });
    list
}

/// The newest dated source of a note and whether it is stale on `today`.
pub(crate) fn freshness(front: &FrontMatter, settings: &Settings, today: jiff::civil::Date) -> (Option<Date>, bool) {
    let newest = front.sources.iter().filter_map(|s| s.date).max();
    let limit = parse_period(&settings.stale_after).unwrap_or_else(|| jiff::Span::new().days(180));
    let stale = match newest {
        Some(d) => d.0.checked_add(limit).is_ok_and(|until| until < today),
        None => true,
    };
    (newest, stale)
}

/// Our product first, then every note.
fn entries<'a>(pages: &'a [Page], settings: &'a Settings, today: jiff::civil::Date) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    if let Some(us) = &settings.us {
        out.push(Entry {
            name: &us.name,
            page: None,
            category: us.category.as_deref(),
            summary: us.summary.as_deref(),
            website: us.website.as_deref(),
            pricing: &us.pricing,
            scores: &us.scores,
            newest: None,
            stale: false,
            color: 0,
        });
    }
    for (k, i) in notes(pages).into_iter().enumerate() {
        let p = &pages[i];
        let (newest, stale) = freshness(&p.front, settings, today);
        out.push(Entry {
            name: p.front.name.as_deref().unwrap_or(""),
            page: Some(p),
            category: p.front.category.as_deref(),
            summary: p.front.summary.as_deref(),
            website: p.front.website.as_deref(),
            pricing: &p.front.pricing,
            scores: &p.front.scores,
            newest,
            stale,
            color: (k % 6 + 1) as u8,
        });
    }
    out
}

/// Adds the profile to every competitor note and the matrix and charts to
/// the `competitors/` section page. `rendered[i]` belongs to `pages[i]`.
pub fn render(
    config: &Config,
    theme: &Theme,
    today: jiff::civil::Date,
    pages: &[Page],
    rendered: &mut [std::sync::Arc<Rendered>],
) {
    let settings = &config.competitors;
    let ctx = Ctx { settings, theme, today, zh: config.is_zh() };
    let all = entries(pages, settings, today);
    let us = all.iter().find(|e| e.is_us());
    for e in all.iter().filter(|e| !e.is_us()) {
        let Some(page) = e.page else { continue };
        let Some(i) = pages.iter().position(|p| std::ptr::eq(p, page)) else { continue };
        let r = std::sync::Arc::make_mut(&mut rendered[i]);
        let (head, tail) = profile::html(&ctx, e, us);
        r.html = std::sync::Arc::new(format!("{head}{}{tail}", r.html));
        let mut toc: Vec<TocEntry> = profile::TOC_HEAD
            .iter()
            .filter(|(id, _)| head.contains(&format!("id=\"{id}\"")))
            .map(|(id, key)| TocEntry { level: 2, id: id.to_string(), title: ctx.t(key).to_string() })
            .collect();
        toc.append(&mut r.toc);
        if tail.contains(&format!("id=\"{}\"", profile::SOURCES_ID)) {
            toc.push(TocEntry {
                level: 2,
                id: profile::SOURCES_ID.to_string(),
                title: ctx.t("cmp_sources").to_string(),
            });
        }
        r.anchors.extend(toc.iter().map(|t| t.id.clone()));
        r.toc = toc;
    }
    if all.iter().any(|e| !e.is_us())
        && let Some(i) = pages.iter().position(|p| p.url == SECTION && p.prebuilt.is_none())
    {
        let r = std::sync::Arc::make_mut(&mut rendered[i]);
        std::sync::Arc::make_mut(&mut r.html).push_str(&matrix::html(&ctx, &all, SECTION));
        r.anchors.extend(matrix::ANCHORS.iter().map(|a| a.to_string()));
    }
}

/// `4`, `3.5`
pub(crate) fn score_text(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

/// The colour step (0–4) of a score on the scale.
pub(crate) fn level(v: f64, scale: u32) -> u8 {
    if scale <= 1 {
        return 4;
    }
    let t = (v - 1.0) / f64::from(scale - 1);
    (t * 4.0).round().clamp(0.0, 4.0) as u8
}

/// `¥1,688`, `¥0`, `¥9.90`
pub(crate) fn price_text(currency: &str, price: f64) -> String {
    let whole = price.fract() == 0.0;
    let text = if whole { format!("{price:.0}") } else { format!("{price:.2}") };
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(a, b)| (a, Some(b)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{currency}{grouped}.{f}"),
        None => format!("{sign}{currency}{grouped}"),
    }
}

/// The average of the scores on the site's dimensions.
pub(crate) fn average(scores: &BTreeMap<String, f64>, dimensions: &[String]) -> Option<f64> {
    let values: Vec<f64> = dimensions.iter().filter_map(|d| scores.get(d).copied()).collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

pub(crate) fn esc(s: &str) -> String {
    crate::markdown::highlight::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(actual: impl std::fmt::Debug, expected: &str) {
        assert_eq!(format!("{actual:?}"), expected);
    }

    #[test]
    fn prices() {
        check(price_text("¥", 1688.0), "\"¥1,688\"");
        check(price_text("¥", 0.0), "\"¥0\"");
        check(price_text("$", 9.9), "\"$9.90\"");
        check(price_text("¥", 1234567.0), "\"¥1,234,567\"");
    }

    #[test]
    fn levels_span_the_scale() {
        check([1.0, 2.0, 3.0, 4.0, 5.0].map(|v| level(v, 5)), "[0, 1, 2, 3, 4]");
        check([1.0, 5.5, 10.0].map(|v| level(v, 10)), "[0, 2, 4]");
        check(score_text(3.5), "\"3.5\"");
    }
}
