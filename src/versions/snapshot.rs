//! What the versions stage keeps of a version's content once the content
//! itself is handed to the build: each page's file, URL, title and text, and
//! the data files. Enough to match pages across versions and to say what
//! changed.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Content, Page};
use crate::metrics::Metrics;

pub struct PageInfo {
    pub rel: String,
    pub url: String,
    pub title: String,
    pub src: std::sync::Arc<str>,
    pub body_start: usize,
    /// Hash of `src`, to compare pages quickly.
    pub hash: u64,
    pub generated: bool,
}

impl PageInfo {
    /// The Markdown after the front matter.
    pub fn body(&self) -> &str {
        self.src.get(self.body_start..).unwrap_or("")
    }
}

pub struct Snapshot {
    /// Sorted by URL, as in `Content`.
    pub pages: Vec<PageInfo>,
    /// The metrics that load (each has a generated page).
    pub metrics: Metrics,
    /// The other pages the build makes from the content: tag lists and
    /// upkeep reports.
    pub made: Vec<String>,
}

/// The hash of every page text of several versions' content, each text
/// hashed once: versions share the texts they have in common (one string,
/// found by its address).
pub struct TextHashes(HashMap<usize, u64>);

fn text_hash(src: &str) -> u64 {
    let mut h = DefaultHasher::new();
    src.hash(&mut h);
    h.finish()
}

fn address(src: &Arc<str>) -> usize {
    Arc::as_ptr(src).cast::<u8>() as usize
}

impl TextHashes {
    pub fn of<'a>(contents: impl Iterator<Item = &'a Content>) -> TextHashes {
        let mut distinct: HashMap<usize, &Arc<str>> = HashMap::new();
        for c in contents {
            for p in &c.pages {
                distinct.entry(address(&p.src)).or_insert(&p.src);
            }
        }
        TextHashes(distinct.into_par_iter().map(|(at, src)| (at, text_hash(src))).collect())
    }

    fn get(&self, src: &Arc<str>) -> u64 {
        self.0.get(&address(src)).copied().unwrap_or_else(|| text_hash(src))
    }
}

impl Snapshot {
    /// What to keep of `content`, whose pages' texts `hashes` has seen.
    /// With `reports` when its build makes the upkeep reports.
    pub fn of(content: &Content, hashes: &TextHashes, config: &crate::config::Config, reports: bool) -> Snapshot {
        let pages = content
            .pages
            .iter()
            .map(|p| PageInfo {
                rel: p.rel.clone(),
                url: p.url.clone(),
                title: title_of(p),
                src: p.src.clone(),
                body_start: p.body_start,
                hash: hashes.get(&p.src),
                generated: p.generated,
            })
            .collect();
        let mut made = crate::site::listing_urls(config, &content.pages);
        if reports {
            made.extend(crate::hygiene::urls(config, &content.pages));
        }
        Snapshot { pages, metrics: crate::metrics::load(&content.data).0, made }
    }
}

/// The title a reader sees, as the build will choose it: front matter, else
/// the first `# H1`, else the file name.
pub fn title_of(p: &Page) -> String {
    if let Some(t) = p.front.title.as_deref().or(p.front.name.as_deref()).filter(|t| !t.trim().is_empty()) {
        return t.trim().to_string();
    }
    let body = p.src.get(p.body_start..).unwrap_or("");
    if let Some(h1) = body.lines().find_map(|l| l.strip_prefix("# ")) {
        let h1 = h1.trim().trim_end_matches('#').trim();
        if !h1.is_empty() {
            return h1.to_string();
        }
    }
    let name = p.url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    name.to_string()
}
