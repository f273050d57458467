//! The same page in another version: by its file, following renames found
//! between the two versions (identical or at least half-similar text, as
//! `git diff -M`), else by URL, else that version's home. From this, the
//! switcher and banner of every page and `versions.json`.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde::Serialize;

use crate::fasthash::{FastMap, FastSet};
use crate::git::match_renames;
use crate::links;

use rayon::prelude::*;

use super::snapshot::{PageInfo, Snapshot};

/// One version as the switcher shows it.
pub struct Edition {
    pub name: String,
    pub label: String,
    /// Output folder from the site root (`""` for latest).
    pub prefix: String,
    /// `prefix` as a link path (encoded).
    prefix_href: String,
    pub commit: Option<String>,
    /// The commit's author date, `YYYY-MM-DD`, and as RFC 3339.
    pub date: Option<String>,
    pub date_time: Option<String>,
    /// URL of its "what changed" page, when it has one.
    pub changes_url: Option<String>,
    by_rel: FastMap<String, String>,
    by_url: FastMap<String, String>,
    urls: FastSet<String>,
}

impl Edition {
    pub fn new(name: &str, label: &str, prefix: &str, snapshot: &Snapshot) -> Edition {
        let mut by_rel = FastMap::default();
        let mut by_url = FastMap::default();
        let mut urls = FastSet::default();
        // Metric pages are generated during the build, one per metric.
        for id in snapshot.metrics.ids() {
            urls.insert(crate::blocks::pages::metric_url(id));
            urls.insert(crate::blocks::pages::SECTION_URL.to_string());
        }
        urls.extend(snapshot.made.iter().cloned());
        for p in &snapshot.pages {
            urls.insert(p.url.clone());
            if !p.generated {
                by_rel.insert(p.rel.clone(), p.url.clone());
                by_url.insert(p.url.clone(), p.rel.clone());
            }
        }
        Edition {
            name: name.to_string(),
            label: label.to_string(),
            prefix: prefix.to_string(),
            prefix_href: links::relative("", prefix),
            commit: None,
            date: None,
            date_time: None,
            changes_url: None,
            by_rel,
            by_url,
            urls,
        }
    }

    pub fn is_latest(&self) -> bool {
        self.prefix.is_empty()
    }

    /// Registers the generated "what changed" page at `url`.
    pub fn add_changes_page(&mut self, url: &str) {
        self.urls.insert(url.to_string());
        self.changes_url = Some(url.to_string());
    }
}

pub struct Switcher {
    /// Latest first, then older versions newest first.
    pub editions: Vec<Edition>,
    /// `(from, to)` → old file → new file, for files moved between them.
    renames: HashMap<(usize, usize), HashMap<String, String>>,
    /// File → its URL in each edition that has it: the common answer of
    /// [`Switcher::target`] with one lookup per page instead of one per
    /// page and edition.
    present: FastMap<String, Vec<Option<String>>>,
    base_url: Option<String>,
}

#[derive(Serialize)]
pub struct SwitcherView<'a> {
    /// The version this page belongs to, for themes that show it; the
    /// default theme marks it from the page address instead, so that a page
    /// unchanged between older versions is byte for byte the same file.
    pub current: &'a str,
    pub items: Vec<Item<'a>>,
    /// True on pages of an older version.
    pub older: bool,
    /// The same page in latest (or latest's home).
    pub latest_href: String,
    /// `latest_href` is latest's home: the page is gone there.
    pub latest_fallback: bool,
    /// Absolute with `base_url`, else relative.
    pub canonical: String,
    /// This version's "what changed" page, if any.
    pub changes_href: String,
}

#[derive(Serialize)]
pub struct Item<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub href: String,
    pub latest: bool,
    /// The page does not exist there; `href` is that version's home.
    pub fallback: bool,
}

/// See [`Switcher::inputs`].
struct ViewInputs<'a> {
    url: &'a str,
    /// Folders from the page up to the site root.
    depth: usize,
    older: bool,
    current: &'a str,
    changes_url: Option<&'a str>,
    /// The page in each edition, and whether it is that page (else that
    /// edition's home).
    targets: Vec<(&'a str, bool)>,
}

/// One entry of `versions.json`.
#[derive(Serialize)]
struct JsonVersion<'a> {
    name: &'a str,
    label: &'a str,
    url: &'a str,
    latest: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<String>,
}

impl Switcher {
    /// `snapshots[i]` is the content of `editions[i]`.
    pub fn new(editions: Vec<Edition>, snapshots: &[&Snapshot], base_url: Option<&str>) -> Switcher {
        // Only files missing from some version can be removed or added
        // between two: every pair looks at those alone, on every core.
        let mut count: HashMap<&str, usize> = HashMap::new();
        for s in snapshots {
            for p in s.pages.iter().filter(|p| !p.generated) {
                *count.entry(&p.rel).or_default() += 1;
            }
        }
        let unstable: Vec<Vec<&PageInfo>> = snapshots
            .iter()
            .map(|s| s.pages.iter().filter(|p| !p.generated && count[p.rel.as_str()] < snapshots.len()).collect())
            .collect();
        let pairs: Vec<(usize, usize)> =
            (0..snapshots.len()).flat_map(|a| (a + 1..snapshots.len()).map(move |b| (a, b))).collect();
        let found: Vec<HashMap<String, String>> = pairs
            .par_iter()
            .map(|&(a, b)| renamed((snapshots[a], &unstable[a]), (snapshots[b], &unstable[b])))
            .collect();
        let mut renames = HashMap::new();
        for ((a, b), forward) in pairs.into_iter().zip(found) {
            let back = forward.iter().map(|(k, v)| (v.clone(), k.clone())).collect();
            renames.insert((a, b), forward);
            renames.insert((b, a), back);
        }
        let mut present: FastMap<String, Vec<Option<String>>> = FastMap::default();
        for (i, e) in editions.iter().enumerate() {
            for (rel, url) in &e.by_rel {
                present.entry(rel.clone()).or_insert_with(|| vec![None; editions.len()])[i] = Some(url.clone());
            }
        }
        let base_url = base_url.map(|b| b.trim_end_matches('/').to_string());
        Switcher { editions, renames, present, base_url }
    }

    /// Files moved between editions `from` and `to`: old name → new name.
    pub fn renames(&self, from: usize, to: usize) -> HashMap<String, String> {
        self.renames.get(&(from, to)).cloned().unwrap_or_default()
    }

    /// The URL in edition `to` of the page at `url` in edition `from`, and
    /// whether it is that page (else it is `to`'s home).
    pub fn target<'a>(&'a self, from: usize, to: usize, url: &'a str) -> (&'a str, bool) {
        let (src, dst) = (&self.editions[from], &self.editions[to]);
        if from == to {
            return (url, true);
        }
        if let Some(rel) = src.by_url.get(url) {
            if let Some(u) = dst.by_rel.get(rel) {
                return (u, true);
            }
            if let Some(u) = self.renames.get(&(from, to)).and_then(|m| m.get(rel)).and_then(|r| dst.by_rel.get(r)) {
                return (u, true);
            }
        }
        if dst.urls.contains(url) {
            return (url, true);
        }
        ("", false)
    }

    /// What [`Switcher::view`] reads that can differ between editions;
    /// the rest (each edition's name, label and prefix, `base_url`) is the
    /// same for all.
    fn inputs<'a>(&'a self, edition: usize, url: &'a str) -> ViewInputs<'a> {
        let here = &self.editions[edition];
        let depth = |path: &str| path.split('/').filter(|s| !s.is_empty()).count();
        ViewInputs {
            url,
            depth: depth(url) + depth(&here.prefix),
            older: !here.is_latest(),
            current: &here.label,
            changes_url: here.changes_url.as_deref(),
            targets: {
                // The page's file in each edition that has it, else the
                // slower rules of `target` (renames, same URL, home).
                let row = here.by_url.get(url).and_then(|rel| self.present.get(rel));
                (0..self.editions.len())
                    .map(|i| match row.and_then(|r| r[i].as_deref()) {
                        Some(u) if i != edition => (u, true),
                        _ => self.target(edition, i, url),
                    })
                    .collect()
            },
        }
    }

    pub fn view<'a>(&'a self, edition: usize, url: &'a str) -> SwitcherView<'a> {
        let ViewInputs { url, depth, older, current, changes_url, targets } = self.inputs(edition, url);
        // Every link climbs to the site root and back down, even to this
        // version, so the links are the same from every older version:
        // `page_href` of the prefix and the page, made of the prefix's and
        // the page's encoded paths (each distinct page encoded once, as
        // most versions have the page at the same address).
        let up = "../".repeat(depth);
        let href = |to: &str| format!("{up}{}", links::page_href("", to));
        let mut encoded: Vec<(&str, String)> = Vec::with_capacity(2);
        let items: Vec<Item<'_>> = self
            .editions
            .iter()
            .zip(&targets)
            .map(|(e, &(target, same))| {
                let at = match encoded.iter().position(|(t, _)| *t == target) {
                    Some(at) => at,
                    None => {
                        encoded.push((target, links::relative("", target)));
                        encoded.len() - 1
                    }
                };
                let page = &encoded[at].1;
                let mut href = String::with_capacity(up.len() + e.prefix_href.len() + page.len() + 10);
                href.push_str(&up);
                href.push_str(&e.prefix_href);
                href.push_str(page);
                href.push_str("index.html");
                Item { name: &e.name, label: &e.label, href, latest: e.is_latest(), fallback: !same }
            })
            .collect();
        let (latest_url, same) = targets.first().copied().unwrap_or_default();
        let canonical = match &self.base_url {
            Some(base) => {
                let path: Vec<String> = latest_url.split('/').map(links::encode_segment).collect();
                format!("{base}/{}", path.join("/"))
            }
            None => href(latest_url),
        };
        SwitcherView {
            current,
            latest_href: items.first().map(|i| i.href.clone()).unwrap_or_default(),
            items,
            older,
            latest_fallback: !same,
            canonical,
            changes_href: changes_url.map(|c| links::page_href(url, c)).unwrap_or_default(),
        }
    }

    /// Hashes what makes the view of `url` in `edition` differ from its view
    /// in another edition, without making it; `current` (the one value that
    /// differs on every page) only when `with_current`.
    pub fn view_key(&self, edition: usize, url: &str, with_current: bool, h: &mut impl Hasher) {
        let ViewInputs { url, depth, older, current, changes_url, targets } = self.inputs(edition, url);
        (url, depth, older, with_current.then_some(current), changes_url, targets).hash(h);
    }

    /// `versions.json`: every version, newest first, with its URL from the
    /// site root.
    pub fn json(&self) -> String {
        let list: Vec<JsonVersion<'_>> = self
            .editions
            .iter()
            .map(|e| JsonVersion {
                name: &e.name,
                label: &e.label,
                url: &e.prefix,
                latest: e.is_latest(),
                commit: e.commit.as_deref(),
                date: e.date.as_deref(),
                changes: e.changes_url.as_ref().map(|c| format!("{}{c}", e.prefix)),
            })
            .collect();
        #[derive(Serialize)]
        struct Doc<'a> {
            latest: &'a str,
            versions: Vec<JsonVersion<'a>>,
        }
        let latest = self.editions.first().map(|e| e.name.as_str()).unwrap_or("latest");
        let mut s = serde_json::to_string_pretty(&Doc { latest, versions: list }).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Markdown files of `a` that are in `b` under another name. Each snapshot
/// comes with its pages that some other snapshot lacks (no other page can
/// be removed or added between two).
fn renamed(
    (a, a_pages): (&Snapshot, &[&PageInfo]),
    (b, b_pages): (&Snapshot, &[&PageInfo]),
) -> HashMap<String, String> {
    let in_b: HashSet<&str> = b_pages.iter().map(|p| p.rel.as_str()).collect();
    let in_a: HashSet<&str> = a_pages.iter().map(|p| p.rel.as_str()).collect();
    let removed: Vec<(String, u64)> =
        a_pages.iter().filter(|p| !in_b.contains(p.rel.as_str())).map(|p| (p.rel.clone(), p.hash)).collect();
    let added: Vec<(String, u64)> =
        b_pages.iter().filter(|p| !in_a.contains(p.rel.as_str())).map(|p| (p.rel.clone(), p.hash)).collect();
    if removed.is_empty() || added.is_empty() {
        return HashMap::new();
    }
    let text = |old: bool, rel: &str| {
        let s = if old { a } else { b };
        s.pages.iter().find(|p| p.rel == rel).map(|p| p.body().as_bytes().to_vec())
    };
    match_renames(&removed, &added, text).into_iter().collect()
}
