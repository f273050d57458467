//! Handbook hygiene: who owns each page and whether its review is due.
//!
//! A page may carry `owner`, `reviewed` and `review_every`; `[review]` in
//! `opsbook.toml` gives the period for pages that name none — site-wide
//! (`every`) or per section folder (`[review.sections]`, the longest
//! matching folder wins). From that, and the build date, this stage makes
//! three generated pages, added before navigation is built so the sidebar
//! and the home page link them:
//!
//! - `maintenance/`: counts at a glance and the overdue pages;
//! - `maintenance/freshness/`: every page with its owner, last review,
//!   period, next due date and status, overdue first ([`freshness`]);
//! - `maintenance/owners/`: each owner with their pages and how many are
//!   overdue ([`owners`]).
//!
//! Their pages are placeholders until titles are known; [`render`] fills
//! them in.
//!
//! **Invariant:** a function of the pages, the config and the build date.

mod freshness;
mod owners;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::Config;
use crate::content::{Page, PageKind};
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::frontmatter::{Date, FrontMatter, parse_period};
use crate::markdown::{Rendered, TocEntry};
use crate::theme::Theme;

pub const SECTION_URL: &str = "maintenance/";
pub const FRESHNESS_URL: &str = "maintenance/freshness/";
pub const OWNERS_URL: &str = "maintenance/owners/";

/// `[review]` in `opsbook.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// The review period of pages that set `reviewed` but no `review_every`.
    pub every: Option<String>,
    /// Periods per section folder, relative to the content folder:
    /// `"playbooks/data" = "90d"`.
    pub sections: BTreeMap<String, String>,
    /// Make the freshness report and owners index (`maintenance/`).
    pub report: bool,
    /// Where each `sections` key is written, for warnings at build time.
    #[serde(skip)]
    spans: BTreeMap<String, Span>,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig { every: None, sections: BTreeMap::new(), report: true, spans: BTreeMap::new() }
    }
}

impl ReviewConfig {
    /// The default review period of the page at `rel` (inside the content
    /// folder): the longest matching section's, else `every`.
    pub fn every_for(&self, rel: &str) -> Option<&str> {
        self.sections
            .iter()
            .filter(|(folder, _)| under(rel, folder))
            .max_by_key(|(folder, _)| folder.trim_matches('/').len())
            .map(|(_, every)| every.as_str())
            .or(self.every.as_deref())
    }

    /// Checks the periods of `[review]` in `opsbook.toml` (`src`) and
    /// remembers where each section is written.
    pub fn check(&mut self, src: &str) -> Vec<Diagnostic> {
        let file = crate::config::FILE_NAME;
        let anchor = src.find("[review").unwrap_or(0);
        let find = |needle: &str| match src[anchor..].find(needle) {
            Some(i) if !needle.is_empty() => Span::from_offset(file, src, anchor + i, needle.len()),
            _ => Span::from_offset(file, src, anchor, 0),
        };
        let bad = |key: &str, value: &str, at: Span| {
            Diagnostic::error(format!("`{key}` must be a period such as `90d`, found `{value}`"))
                .at(at)
                .hint("use a number followed by d (days), w (weeks), m (months) or y (years)")
        };
        let mut diags = Vec::new();
        if let Some(every) = &self.every
            && parse_period(every).is_none()
        {
            diags.push(bad("every", every, find(every)));
        }
        for (folder, every) in &self.sections {
            let key_span = find(folder);
            if parse_period(every).is_none() {
                let value_at = src[anchor..]
                    .find(folder.as_str())
                    .and_then(|k| src[anchor + k..].find(every.as_str()).map(|v| anchor + k + v))
                    .map_or_else(|| key_span.clone(), |off| Span::from_offset(file, src, off, every.len()));
                diags.push(bad(&format!("review.sections.\"{folder}\""), every, value_at));
            }
            self.spans.insert(folder.clone(), key_span);
        }
        diags
    }
}

/// True when `rel` is inside the section folder `folder`.
fn under(rel: &str, folder: &str) -> bool {
    let folder = folder.trim_matches('/');
    folder.is_empty() || rel.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'))
}

/// One page's review state, for the report and the owners index.
pub(crate) struct Row<'a> {
    pub page: usize,
    pub owner: Option<&'a str>,
    pub reviewed: Option<Date>,
    /// The period, and whether it came from `[review]` rather than the page.
    pub every: Option<(&'a str, bool)>,
    pub due: Option<jiff::civil::Date>,
    pub status: &'static str,
}

impl Row<'_> {
    /// Overdue first, then due soon, fresh, and pages with no review date.
    pub fn rank(&self) -> u8 {
        match self.status {
            "overdue" => 0,
            "due" => 1,
            "fresh" => 2,
            _ => 3,
        }
    }
}

/// The review state of every page written by hand, overdue first (the most
/// overdue at the top), then by due date, then by URL.
pub(crate) fn rows<'a>(config: &'a Config, pages: &'a [Page], today: jiff::civil::Date) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'a>> = pages
        .iter()
        .enumerate()
        // Section and home pages only when someone owns or reviews them.
        .filter(|(_, p)| {
            !p.generated && (p.kind == PageKind::Page || p.front.owner.is_some() || p.front.reviewed.is_some())
        })
        .map(|(i, p)| {
            let default = config.review.every_for(&p.rel);
            let review = crate::site::review(p, default, today);
            let every = match (&p.front.review_every, default) {
                (Some(e), _) => Some((e.as_str(), false)),
                (None, Some(d)) => Some((d, true)),
                (None, None) => None,
            };
            Row {
                page: i,
                owner: p.front.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()),
                reviewed: p.front.reviewed,
                every: every.filter(|_| p.front.reviewed.is_some()),
                due: review.due,
                status: review.status,
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.rank(), a.due, &pages[a.page].url).cmp(&(b.rank(), b.due, &pages[b.page].url)));
    rows
}

fn wanted(config: &Config, pages: &[Page]) -> bool {
    config.review.report
        && pages.iter().any(|p| !p.generated && (p.front.owner.is_some() || p.front.reviewed.is_some()))
}

/// A page where the reports would go: then there are none.
fn in_the_way(pages: &[Page]) -> Option<&Page> {
    pages.iter().find(|p| p.url.starts_with(SECTION_URL))
}

/// The addresses of the pages [`pages`] makes, for the versions' switcher,
/// which must know every page of a version before it is built.
pub fn urls(config: &Config, pages: &[Page]) -> Vec<String> {
    if !wanted(config, pages) || in_the_way(pages).is_some() {
        return Vec::new();
    }
    [SECTION_URL, FRESHNESS_URL, OWNERS_URL].map(String::from).to_vec()
}

/// The generated pages (placeholders, filled in by [`render`]) and problems:
/// a page already at their URL, a `[review.sections]` folder with no page.
pub fn pages(config: &Config, theme: &Theme, pages: &[Page], today: jiff::civil::Date) -> (Vec<Page>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let folders: Vec<&str> = pages
        .iter()
        .filter(|p| p.kind == PageKind::Section)
        .map(|p| p.url.trim_end_matches('/'))
        .filter(|u| !u.is_empty())
        .collect();
    for (folder, span) in &config.review.spans {
        if !pages.iter().any(|p| !p.generated && under(&p.rel, folder)) {
            let mut d = Diagnostic::warning(format!("no page is inside review section `{folder}`")).at(span.clone());
            d = match did_you_mean(folder.trim_matches('/'), folders.iter().copied()) {
                Some(best) => d.hint(format!("did you mean `{best}`?")),
                None => d.hint("section folders are relative to the content folder, such as `playbooks/data`"),
            };
            diags.push(d);
        }
    }
    if !wanted(config, pages) {
        return (Vec::new(), diags);
    }
    if let Some(p) = in_the_way(pages) {
        diags.push(
            Diagnostic::error(format!("`{}` would be written where the review report goes (`{SECTION_URL}`)", p.file))
                .at(Span::file(&p.file))
                .hint("rename that folder, or turn the report off with `report = false` under `[review]`"),
        );
        return (Vec::new(), diags);
    }
    let t = |key: &'static str| theme.string(key, key).to_string();
    let rows = rows(config, pages, today);
    let count = |s: &str| rows.iter().filter(|r| r.status == s).count();
    let summary = t("hy_summary")
        .replace("{overdue}", &count("overdue").to_string())
        .replace("{due}", &count("due").to_string())
        .replace("{total}", &rows.len().to_string());
    let make = |url: &str, kind: PageKind, title: String, summary: String, weight: Option<i64>| Page {
        rel: url.to_string(),
        file: if config.content_dir.is_empty() { url.to_string() } else { format!("{}/{url}", config.content_dir) },
        url: url.to_string(),
        kind,
        src: "".into(),
        body_start: 0,
        front: FrontMatter { title: Some(title), summary: Some(summary), weight, ..FrontMatter::default() },
        generated: true,
        prebuilt: Some(String::new()),
    };
    let out = vec![
        // No weight: after the weighted sections, among the others by title.
        make(SECTION_URL, PageKind::Section, t("hy_title"), summary, None),
        make(FRESHNESS_URL, PageKind::Page, t("hy_freshness_title"), t("hy_freshness_summary"), Some(1)),
        make(OWNERS_URL, PageKind::Page, t("hy_owners_title"), t("hy_owners_summary"), Some(2)),
    ];
    (out, diags)
}

/// What the page builders share.
pub(crate) struct Ctx<'a> {
    pub zh: bool,
    pub theme: &'a Theme,
    pub today: jiff::civil::Date,
    pub pages: &'a [Page],
    pub titles: &'a [String],
    /// Each page's parent page, as the site found it: the reports name the
    /// section on every row.
    parents: &'a [Option<usize>],
}

impl Ctx<'_> {
    pub fn t(&self, key: &'static str) -> &str {
        self.theme.string(key, key)
    }

    /// The status chip of a row.
    pub fn chip(&self, row: &Row<'_>) -> String {
        let (class, key) = match row.status {
            "overdue" => ("chip-red", "review_status_overdue"),
            "due" => ("chip-amber", "review_status_due"),
            "fresh" => ("chip-green", "review_status_fresh"),
            _ => ("hy-chip-none", "hy_status_none"),
        };
        format!("<span class=\"chip {class}\">{}</span>", esc(self.t(key)))
    }

    /// `逾期 37 天` / `还有 5 天`, or nothing.
    pub fn distance(&self, row: &Row<'_>) -> Option<String> {
        let due = row.due?;
        let days = (self.today - due).get_days();
        match row.status {
            "overdue" => Some(self.t("hy_days_overdue").replace("{n}", &days.to_string())),
            "due" => Some(self.t("hy_days_left").replace("{n}", &(-days).to_string())),
            _ => None,
        }
    }

    /// A link to page `p` from the page at `from`.
    pub fn link(&self, from: &str, p: usize) -> String {
        format!("<a href=\"{}\">{}</a>", esc(&crate::links::page_href(from, &self.pages[p].url)), esc(&self.titles[p]))
    }

    /// The title of the section page `p` belongs to, unless that is home.
    pub fn section_of(&self, p: usize) -> Option<&str> {
        self.parents[p].filter(|&i| !self.pages[i].url.is_empty()).map(|i| self.titles[i].as_str())
    }

    /// The anchor of an owner on the owners page.
    pub fn owner_anchor(owner: &str) -> String {
        format!("owner-{}", crate::markdown::slug::slugify(owner))
    }
}

/// The generated pages made by [`pages`], filled in: (index in `pages`,
/// content). They read only titles, front matter, each page's parent (from
/// the URLs, as the site found them), the config and `today`.
pub fn render(
    config: &Config,
    theme: &Theme,
    today: jiff::civil::Date,
    pages: &[Page],
    titles: &[String],
    parents: &[Option<usize>],
) -> Vec<(usize, std::sync::Arc<Rendered>)> {
    let find = |url: &str| pages.iter().position(|p| p.url == url && p.generated);
    let (Some(section), Some(report), Some(index)) = (find(SECTION_URL), find(FRESHNESS_URL), find(OWNERS_URL)) else {
        return Vec::new();
    };
    let ctx = Ctx { zh: config.is_zh(), theme, today, pages, titles, parents };
    let rows = rows(config, pages, today);
    // Three independent listings over every page: build them side by side.
    let ((overview, report_html), (html, toc)) = rayon::join(
        || rayon::join(|| freshness::overview(&ctx, &rows), || freshness::report(&ctx, &rows)),
        || owners::index(&ctx, &rows),
    );
    let owners = Rendered {
        html: std::sync::Arc::new(html),
        anchors: toc.iter().map(|(id, _)| id.clone()).collect(),
        toc: toc.into_iter().map(|(id, title)| TocEntry { level: 2, id, title }).collect(),
        ..Rendered::default()
    };
    let page = |html| std::sync::Arc::new(Rendered { html: std::sync::Arc::new(html), ..Rendered::default() });
    vec![(section, page(overview)), (report, page(report_html)), (index, std::sync::Arc::new(owners))]
}

/// A period in words: `180d` → `180 天` / `180 days`, `6m` → `6 个月` /
/// `6 months`; anything else as written.
pub fn period_words(period: &str, zh: bool) -> String {
    let p = period.trim();
    let Some(unit) = p.chars().last() else { return String::new() };
    let Ok(n) = p[..p.len() - unit.len_utf8()].trim().parse::<u32>() else { return p.to_string() };
    let (cn, en) = match unit {
        'd' => ("天", "day"),
        'w' => ("周", "week"),
        'm' => ("个月", "month"),
        'y' => ("年", "year"),
        _ => return p.to_string(),
    };
    match (zh, n) {
        (true, _) => format!("{n} {cn}"),
        (false, 1) => format!("1 {en}"),
        (false, _) => format!("{n} {en}s"),
    }
}

/// Appends ` <span class="hy-meta">a · b</span>` when there is anything to say.
pub(crate) fn write_meta(html: &mut String, meta: &[String]) {
    if !meta.is_empty() {
        html.push_str(" <span class=\"hy-meta\">");
        html.push_str(&esc(&meta.join(" · ")));
        html.push_str("</span>");
    }
}

pub(crate) fn esc(s: &str) -> String {
    crate::markdown::highlight::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(config: &str, rel: &str, expected: Option<&str>) {
        let mut review: ReviewConfig = toml::from_str(config).unwrap_or_default();
        assert!(review.check(config).is_empty());
        assert_eq!(review.every_for(rel), expected, "{rel}");
    }

    #[test]
    fn the_longest_section_wins() {
        let config = "every = \"180d\"\n[sections]\n\"playbooks\" = \"120d\"\n\"playbooks/data/\" = \"90d\"\n";
        check(config, "playbooks/data/retention.md", Some("90d"));
        check(config, "playbooks/data/_index.md", Some("90d"));
        check(config, "playbooks/dataset.md", Some("120d"));
        check(config, "competitors/a.md", Some("180d"));
        check("", "a.md", None);
    }

    #[test]
    fn periods_in_words() {
        assert_eq!(period_words("180d", true), "180 天");
        assert_eq!(period_words("6m", false), "6 months");
        assert_eq!(period_words("1y", false), "1 year");
        assert_eq!(period_words("soon", false), "soon");
    }
}
