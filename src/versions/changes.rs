//! "What changed" in a version against the one before it: pages added,
//! removed, renamed and changed (each changed page with a rendered diff of
//! its text), and the metric series that moved. Rendered as the content of
//! a generated page, and as entries of the Atom feed `changes.xml`.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::links;
use crate::markdown::highlight::escape;
use crate::metrics::{Data, Metric, format};
use crate::theme::Theme;

use super::diff;
use super::snapshot::{PageInfo, Snapshot};

/// Where the generated page lives inside each version.
pub const URL: &str = "changes/";
/// Used instead when a page of the site already has [`URL`].
pub const FALLBACK_URL: &str = "opsbook-changes/";

pub struct Changes<'a> {
    pub added: Vec<&'a PageInfo>,
    pub removed: Vec<&'a PageInfo>,
    /// Old and new; the text may have changed too.
    pub renamed: Vec<(&'a PageInfo, &'a PageInfo)>,
    /// Old and new, same file.
    pub changed: Vec<(&'a PageInfo, &'a PageInfo)>,
    pub metrics: Vec<MetricChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricChange {
    pub id: String,
    pub title: String,
    pub status: MetricStatus,
    /// The latest headline value and its period, before and now.
    pub before: Option<String>,
    pub now: Option<String>,
    pub points_added: usize,
    pub points_revised: usize,
    pub points_removed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricStatus {
    Added,
    Removed,
    Moved,
}

impl Changes<'_> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.changed.is_empty()
            && self.metrics.is_empty()
    }
}

/// Compares two versions' content; `renames` maps old files to new ones.
pub fn compare<'a>(
    old: &'a Snapshot,
    new: &'a Snapshot,
    renames: &HashMap<String, String>,
    lang: format::Lang,
) -> Changes<'a> {
    let files = |s: &'a Snapshot| -> BTreeMap<&'a str, &'a PageInfo> {
        s.pages.iter().filter(|p| !p.generated).map(|p| (p.rel.as_str(), p)).collect()
    };
    let (before, after) = (files(old), files(new));
    let moved_to: HashSet<&str> = renames.values().map(String::as_str).collect();
    let mut c = Changes {
        added: Vec::new(),
        removed: Vec::new(),
        renamed: Vec::new(),
        changed: Vec::new(),
        metrics: metric_changes(old, new, lang),
    };
    for (rel, p) in &before {
        match after.get(rel) {
            Some(q) if q.hash != p.hash || q.src != p.src => c.changed.push((p, q)),
            Some(_) => {}
            None => match renames.get(*rel).and_then(|to| after.get(to.as_str())) {
                Some(q) => c.renamed.push((p, q)),
                None => c.removed.push(p),
            },
        }
    }
    for (rel, q) in &after {
        if !before.contains_key(rel) && !moved_to.contains(rel) {
            c.added.push(q);
        }
    }
    c
}

fn metric_changes(old: &Snapshot, new: &Snapshot, lang: format::Lang) -> Vec<MetricChange> {
    let (a, b) = (&old.metrics, &new.metrics);
    let mut ids: Vec<&str> = a.ids().chain(b.ids()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let (x, y) = (a.get(id), b.get(id));
        let change = match (x, y) {
            (Some(x), Some(y)) => {
                let (added, revised, removed) = point_changes(x, y);
                if added + revised + removed == 0 {
                    continue;
                }
                MetricChange {
                    id: id.to_string(),
                    title: y.title.clone(),
                    status: MetricStatus::Moved,
                    before: latest(x, lang),
                    now: latest(y, lang),
                    points_added: added,
                    points_revised: revised,
                    points_removed: removed,
                }
            }
            (None, Some(y)) => MetricChange {
                id: id.to_string(),
                title: y.title.clone(),
                status: MetricStatus::Added,
                before: None,
                now: latest(y, lang),
                points_added: count_points(y),
                points_revised: 0,
                points_removed: 0,
            },
            (Some(x), None) => MetricChange {
                id: id.to_string(),
                title: x.title.clone(),
                status: MetricStatus::Removed,
                before: latest(x, lang),
                now: None,
                points_added: 0,
                points_revised: 0,
                points_removed: count_points(x),
            },
            (None, None) => continue,
        };
        out.push(change);
    }
    out
}

fn count_points(m: &Metric) -> usize {
    match &m.data {
        Data::Dated { series, .. } => series.iter().map(|s| s.points.len()).sum(),
        Data::Table { series, .. } => series.iter().map(|r| r.values.len()).sum(),
    }
}

/// Points (or table cells) added, revised and removed from `a` to `b`.
fn point_changes(a: &Metric, b: &Metric) -> (usize, usize, usize) {
    let (mut added, mut revised, mut removed) = (0, 0, 0);
    let mut cells: BTreeMap<(String, String), (Option<f64>, Option<f64>)> = BTreeMap::new();
    let mut put = |m: &Metric, second: bool| match &m.data {
        Data::Dated { series, .. } => {
            for s in series {
                for p in &s.points {
                    let cell = cells.entry((s.name.clone(), p.day.to_string())).or_default();
                    if second { cell.1 = Some(p.value) } else { cell.0 = Some(p.value) }
                }
            }
        }
        Data::Table { categories, series } => {
            for r in series {
                for (c, v) in categories.iter().zip(&r.values) {
                    let cell = cells.entry((r.name.clone(), c.clone())).or_default();
                    if second { cell.1 = Some(*v) } else { cell.0 = Some(*v) }
                }
            }
        }
    };
    put(a, false);
    put(b, true);
    for (x, y) in cells.values() {
        match (x, y) {
            (None, Some(_)) => added += 1,
            (Some(_), None) => removed += 1,
            (Some(x), Some(y)) if x != y => revised += 1,
            _ => {}
        }
    }
    (added, revised, removed)
}

/// The headline's latest value with its period: `12.3万人（2026年3月）`.
fn latest(m: &Metric, lang: format::Lang) -> Option<String> {
    let interval = m.interval()?;
    let p = m.headline().last().copied()?;
    let value = format::with_unit(&format::grouped(p.value, m.decimals), &m.unit, lang);
    let period = format::period(p.day, interval, lang);
    Some(if lang.zh() { format!("{value}（{period}）") } else { format!("{value} ({period})") })
}

/// Where the pages being compared live, for links: `here` is this
/// version's prefix, `prev` the previous version's.
pub struct Places<'a> {
    pub here: &'a str,
    pub prev: &'a str,
    pub page_url: &'a str,
}

/// The page content of the oldest version, which has nothing to compare
/// with. It has the page all the same, so the switcher's "what changed"
/// link is on its pages as on every other version's, and a page unchanged
/// since the version before it is the same file.
pub fn first_html(t: &Theme) -> String {
    let first = t.string("changes_first", "This is the first edition: there is nothing earlier to compare it with.");
    format!("<p class=\"changes-summary\">{}</p>\n", escape(first))
}

/// The page content: a summary line, then each kind of change.
pub fn html(c: &Changes<'_>, previous: (&str, Option<&str>), at: &Places<'_>, t: &Theme) -> String {
    let get = |key: &str, fallback: &str| t.string(key, fallback).to_string();
    let mut out = String::new();
    let (prev_label, prev_date) = previous;
    let from = format!("{}{}", at.here, at.page_url);
    let here = |url: &str| links::page_href(&from, &format!("{}{url}", at.here));
    let there = |url: &str| links::page_href(&from, &format!("{}{url}", at.prev));
    let compared = get("changes_compared", "Compared with {previous}")
        .replace("{previous}", &format!("<a href=\"{}\">{}</a>", escape(&there("")), escape(prev_label)));
    let counts = get(
        "changes_counts",
        "{added} added, {removed} removed, {renamed} renamed, {changed} changed, {metrics} metrics moved",
    )
    .replace("{added}", &c.added.len().to_string())
    .replace("{removed}", &c.removed.len().to_string())
    .replace("{renamed}", &c.renamed.len().to_string())
    .replace("{changed}", &c.changed.len().to_string())
    .replace("{metrics}", &c.metrics.len().to_string());
    // The punctuation around the date is the language's (`（…）：` in Chinese).
    let line = match prev_date {
        Some(d) => escape(&get("changes_compared_on", "{compared} ({date}): {counts}"))
            .replace("{date}", &format!("<time datetime=\"{d}\">{d}</time>")),
        None => escape(&get("changes_compared_plain", "{compared}: {counts}")),
    };
    let line = line.replace("{counts}", &escape(&counts)).replace("{compared}", &compared);
    out.push_str(&format!("<p class=\"changes-summary\">{line}</p>\n"));
    if c.is_empty() {
        out.push_str(&format!("<p>{}</p>\n", escape(&get("changes_none", "Nothing changed."))));
        return out;
    }
    let more = get("changes_more_lines", "{count} more lines not shown");
    let link = |href: String, p: &PageInfo| {
        format!(
            "<a href=\"{}\">{}</a> <code class=\"changes-file\">{}</code>",
            escape(&href),
            escape(&p.title),
            escape(&p.rel)
        )
    };
    let section = |out: &mut String, id: &str, key: &str, fallback: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!(
            "<section class=\"changes-section changes-{id}\">\n<h2 id=\"changes-{id}\">{} <span class=\"changes-count\">{}</span></h2>\n<ul class=\"changes-list\">\n",
            escape(&get(key, fallback)),
            items.len()
        ));
        for item in items {
            out.push_str(&format!("<li>{item}</li>\n"));
        }
        out.push_str("</ul>\n</section>\n");
    };
    let with_diff = |head: String, old: &PageInfo, new: &PageInfo| {
        if old.src == new.src {
            return head;
        }
        let (table, stats) = diff::html(&old.src, &new.src, &more);
        format!(
            "<details class=\"changes-diff\"><summary>{head} <span class=\"diff-stat\"><span class=\"diff-stat-ins\">+{}</span> <span class=\"diff-stat-del\">−{}</span></span></summary>\n<div class=\"diff-wrap\">{table}</div></details>",
            stats.added, stats.removed
        )
    };
    section(&mut out, "added", "changes_added", "Added", c.added.iter().map(|p| link(here(&p.url), p)).collect());
    section(
        &mut out,
        "removed",
        "changes_removed",
        "Removed",
        c.removed.iter().map(|p| link(there(&p.url), p)).collect(),
    );
    let renamed = c
        .renamed
        .iter()
        .map(|(a, b)| {
            let head = format!("{} → {}", link(there(&a.url), a), link(here(&b.url), b));
            with_diff(head, a, b)
        })
        .collect();
    section(&mut out, "renamed", "changes_renamed", "Renamed", renamed);
    let changed = c.changed.iter().map(|(a, b)| with_diff(link(here(&b.url), b), a, b)).collect();
    section(&mut out, "changed", "changes_changed", "Changed", changed);
    if !c.metrics.is_empty() {
        out.push_str(&format!(
            "<section class=\"changes-section changes-metrics\">\n<h2 id=\"changes-metrics\">{} <span class=\"changes-count\">{}</span></h2>\n<div class=\"table-wrap\"><table class=\"changes-metrics-table\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            escape(&get("changes_metrics", "Metric series that moved")),
            c.metrics.len(),
            escape(&get("changes_metric", "Metric")),
            escape(&get("changes_before", "Before")),
            escape(&get("changes_now", "Now")),
            escape(&get("changes_points", "Data points")),
        ));
        for m in &c.metrics {
            let status = match m.status {
                MetricStatus::Added => get("changes_metric_added", "new"),
                MetricStatus::Removed => get("changes_metric_removed", "removed"),
                MetricStatus::Moved => String::new(),
            };
            let points = get("changes_points_counts", "+{added} new, {revised} revised, −{removed} removed")
                .replace("{added}", &m.points_added.to_string())
                .replace("{revised}", &m.points_revised.to_string())
                .replace("{removed}", &m.points_removed.to_string());
            out.push_str(&format!(
                "<tr><td>{} <code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&m.title),
                escape(&m.id),
                if status.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"chip\">{}</span>", escape(&status))
                },
                escape(m.before.as_deref().unwrap_or("—")),
                escape(m.now.as_deref().unwrap_or("—")),
                escape(&points),
            ));
        }
        out.push_str("</tbody>\n</table></div>\n</section>\n");
    }
    out
}

/// One version's entry in `changes.xml`.
pub struct FeedEntry {
    pub title: String,
    pub id: String,
    pub link: String,
    /// RFC 3339.
    pub updated: String,
    pub html: String,
}

/// The Atom feed of every version's changes, newest first; `fallback_time`
/// dates a feed without entries. The site is the author, so the feed is
/// valid whatever its entries.
pub fn atom(
    site_title: &str,
    feed_title: &str,
    base_url: Option<&str>,
    entries: &[FeedEntry],
    fallback_time: &str,
) -> String {
    let base = base_url.map(|b| b.trim_end_matches('/'));
    let updated = entries.iter().map(|e| e.updated.as_str()).max().unwrap_or(fallback_time);
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!("  <title>{} · {}</title>\n", escape(site_title), escape(feed_title)));
    match base {
        Some(b) => {
            xml.push_str(&format!("  <id>{}/changes.xml</id>\n", escape(b)));
            xml.push_str(&format!("  <link rel=\"self\" href=\"{}/changes.xml\"/>\n", escape(b)));
            xml.push_str(&format!("  <link href=\"{}/\"/>\n", escape(b)));
        }
        None => {
            xml.push_str(&format!("  <id>urn:opsbook:changes:{}</id>\n", escape(&urn_part(site_title))));
            xml.push_str("  <link href=\"./\"/>\n");
        }
    }
    xml.push_str(&format!("  <updated>{}</updated>\n", escape(updated)));
    xml.push_str(&format!("  <author><name>{}</name></author>\n", escape(site_title)));
    for e in entries {
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <title>{}</title>\n", escape(&e.title)));
        xml.push_str(&format!("    <id>{}</id>\n", escape(&e.id)));
        xml.push_str(&format!("    <link href=\"{}\"/>\n", escape(&e.link)));
        xml.push_str(&format!("    <updated>{}</updated>\n", escape(&e.updated)));
        xml.push_str(&format!("    <content type=\"html\">{}</content>\n", escape(&e.html)));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// Letters and digits of `s`, the rest as `-`, for a `urn:` id.
pub fn urn_part(s: &str) -> String {
    s.chars().map(|c| if c.is_alphanumeric() || c == '.' { c } else { '-' }).collect()
}

/// The feed entry's HTML: the same lists, without diffs, with absolute
/// links when the site has a `base_url`.
pub fn feed_html(c: &Changes<'_>, page_url: impl Fn(&PageInfo, bool) -> String, t: &Theme) -> String {
    let get = |key: &str, fallback: &str| t.string(key, fallback).to_string();
    let mut out = String::new();
    let mut list = |key: &str, fallback: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("<p>{}</p><ul>", escape(&get(key, fallback))));
        for i in items {
            out.push_str(&format!("<li>{i}</li>"));
        }
        out.push_str("</ul>");
    };
    let a = |p: &PageInfo, new: bool| format!("<a href=\"{}\">{}</a>", escape(&page_url(p, new)), escape(&p.title));
    list("changes_added", "Added", c.added.iter().map(|p| a(p, true)).collect());
    list("changes_removed", "Removed", c.removed.iter().map(|p| a(p, false)).collect());
    list(
        "changes_renamed",
        "Renamed",
        c.renamed.iter().map(|(x, y)| format!("{} → {}", a(x, false), a(y, true))).collect(),
    );
    list("changes_changed", "Changed", c.changed.iter().map(|(_, y)| a(y, true)).collect());
    list(
        "changes_metrics",
        "Metric series that moved",
        c.metrics.iter().map(|m| format!("{} <code>{}</code>", escape(&m.title), escape(&m.id))).collect(),
    );
    out
}
