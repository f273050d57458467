//! Markdown rendered once for all versions of a build.
//!
//! A page renders the same in two versions when its text is the same and
//! everything it reads from the rest of the site answers the same: every
//! link it resolved (to the same href and the same target page) and every
//! data block it rendered. Each rendering records those answers; another
//! version reuses it after asking the same questions of its own site, which
//! costs a few hash lookups instead of a Markdown parse. So a page that links
//! to a page renamed between versions is rendered again, and no other.

use std::cell::RefCell;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::fasthash::FastMap;
use crate::markdown::{self, BlockSource, Host, Link, Rendered, Target};

/// Renderings kept per page: its texts in the versions, and the same text
/// rendered in differently shaped sites.
const MAX_VARIANTS: usize = 8;

#[derive(Default)]
pub struct MarkdownCache {
    entries: Mutex<FastMap<u64, Vec<Arc<Entry>>>>,
    pub rendered: AtomicUsize,
    pub reused: AtomicUsize,
}

/// A data block as rendered: kind, body, offset in the file, output.
type Block = (String, String, usize, Option<Result<String, String>>);

struct Entry {
    file: String,
    url: String,
    src: std::sync::Arc<str>,
    body_start: usize,
    title: Option<String>,
    /// Every link the rendering resolved: destination, href, answer, and
    /// the target as numbered in the version that rendered it.
    links: Vec<(String, String, Answer, Target)>,
    blocks: Vec<Block>,
    rendered: Arc<Rendered>,
}

/// A link's target, with pages named by URL (indices differ per version).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    External,
    Anchor(String),
    Page(String, Option<String>),
    Asset,
    Missing(String),
}

fn answer(target: &Target, pages: &[Page]) -> Answer {
    match target {
        Target::External => Answer::External,
        Target::Anchor(a) => Answer::Anchor(a.clone()),
        Target::Page { page, fragment } => {
            Answer::Page(pages.get(*page).map(|p| p.url.clone()).unwrap_or_default(), fragment.clone())
        }
        Target::Asset => Answer::Asset,
        Target::Missing(m) => Answer::Missing(m.clone()),
    }
}

/// Whether `target` in a site of `pages` gives the answer `expected`
/// (without making it: this runs for every link of every reused page).
fn answers(target: &Target, pages: &[Page], expected: &Answer) -> bool {
    match (target, expected) {
        (Target::External, Answer::External) | (Target::Asset, Answer::Asset) => true,
        (Target::Anchor(a), Answer::Anchor(b)) | (Target::Missing(a), Answer::Missing(b)) => a == b,
        (Target::Page { page, fragment }, Answer::Page(url, f)) => {
            pages.get(*page).map_or("", |p| p.url.as_str()) == url && fragment == f
        }
        _ => false,
    }
}

fn block_answer(r: Option<Result<String, Vec<Diagnostic>>>) -> Option<Result<String, String>> {
    r.map(|r| r.map_err(|d| format!("{d:?}")))
}

/// Wraps the site's host and writes down every answer it gives.
struct Recorder<'a> {
    inner: &'a dyn Host,
    links: RefCell<Vec<(String, Link)>>,
    blocks: RefCell<Vec<Block>>,
}

impl Host for Recorder<'_> {
    fn link(&self, dest: &str) -> Link {
        let link = self.inner.link(dest);
        self.links.borrow_mut().push((dest.to_string(), link.clone()));
        link
    }

    fn data_block(&self, kind: &str, body: &str, at: &BlockSource) -> Option<Result<String, Vec<Diagnostic>>> {
        let out = self.inner.data_block(kind, body, at);
        let recorded = block_answer(out.clone());
        self.blocks.borrow_mut().push((kind.to_string(), body.to_string(), at.offset, recorded));
        out
    }

    fn alert_title(&self, kind: &str) -> String {
        // The theme is the same for every version of one build.
        self.inner.alert_title(kind)
    }
}

impl MarkdownCache {
    pub fn render(&self, page: &Page, pages: &[Page], input: &markdown::Input<'_>, host: &dyn Host) -> Arc<Rendered> {
        // By file and address only: the text is compared in `reuse`, where
        // a blob shared by two versions is the very same string.
        let key = {
            let mut h = DefaultHasher::new();
            (&page.file, &page.url).hash(&mut h);
            h.finish()
        };
        let candidates: Vec<Arc<Entry>> =
            self.entries.lock().map(|m| m.get(&key).cloned().unwrap_or_default()).unwrap_or_default();
        // Newest first: the version built just before is the likeliest match.
        for e in candidates.into_iter().rev() {
            if let Some(r) = reuse(&e, page, pages, input, host) {
                // A debug build renders it again: the tests catch a
                // question the reuse does not ask.
                if cfg!(debug_assertions) {
                    let fresh = markdown::render(input, host);
                    assert!(
                        format!("{fresh:?}") == format!("{r:?}"),
                        "Markdown of `{}` reused from another version differs from its own rendering",
                        page.url
                    );
                }
                self.reused.fetch_add(1, Ordering::Relaxed);
                return r;
            }
        }
        let recorder = Recorder { inner: host, links: RefCell::default(), blocks: RefCell::default() };
        let rendered = Arc::new(markdown::render(input, &recorder));
        self.rendered.fetch_add(1, Ordering::Relaxed);
        let links = recorder
            .links
            .into_inner()
            .into_iter()
            .map(|(dest, link)| {
                let a = answer(&link.target, pages);
                (dest, link.href, a, link.target)
            })
            .collect();
        let entry = Entry {
            file: page.file.clone(),
            url: page.url.clone(),
            src: page.src.clone(),
            body_start: page.body_start,
            title: page.front.title.clone(),
            links,
            blocks: recorder.blocks.into_inner(),
            rendered: Arc::clone(&rendered),
        };
        if let Ok(mut m) = self.entries.lock() {
            let list = m.entry(key).or_default();
            if list.len() >= MAX_VARIANTS {
                list.remove(0);
            }
            list.push(Arc::new(entry));
        }
        rendered
    }
}

/// The cached rendering, with link targets renumbered for this version,
/// when every recorded answer is the same here.
fn reuse(
    e: &Entry,
    page: &Page,
    pages: &[Page],
    input: &markdown::Input<'_>,
    host: &dyn Host,
) -> Option<Arc<Rendered>> {
    if e.file != page.file
        || e.url != page.url
        || !(Arc::ptr_eq(&e.src, &page.src) || e.src == page.src)
        || e.body_start != page.body_start
        || e.title != page.front.title
    {
        return None;
    }
    // The targets here, when any page number differs from the rendering's.
    let mut moved: Option<FastMap<&str, Target>> = None;
    for (i, (dest, href, expected, was)) in e.links.iter().enumerate() {
        // The same answer from the same page is the same href, but for an
        // asset, which two paths may find.
        let link = host.target(dest);
        let link = if matches!(link.target, Target::Asset) { host.link(dest) } else { link };
        if !answers(&link.target, pages, expected) || (matches!(link.target, Target::Asset) && link.href != *href) {
            return None;
        }
        if moved.is_none() && link.target != *was {
            moved = Some(e.links[..i].iter().map(|(d, _, _, t)| (d.as_str(), t.clone())).collect());
        }
        if let Some(m) = &mut moved {
            m.insert(dest, link.target);
        }
    }
    for (kind, body, offset, expected) in &e.blocks {
        let at = BlockSource { file: input.file, src: input.src, offset: *offset };
        if block_answer(host.data_block(kind, body, &at)) != *expected {
            return None;
        }
    }
    // Links resolve to page numbers, which differ between versions.
    let Some(targets) = moved else {
        return Some(Arc::clone(&e.rendered));
    };
    let moved = |link: &crate::markdown::FoundLink| targets.get(link.dest.as_str()).is_some_and(|t| *t != link.target);
    if !e.rendered.links.iter().any(moved) {
        return Some(Arc::clone(&e.rendered));
    }
    let mut r = Rendered::clone(&e.rendered);
    for link in &mut r.links {
        if let Some(t) = targets.get(link.dest.as_str()) {
            link.target = t.clone();
        }
    }
    Some(Arc::new(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::SiteIndex;

    fn page(rel: &str, src: &str) -> Page {
        Page::sample(rel, src)
    }

    struct SiteHost<'a> {
        index: &'a SiteIndex,
        pages: &'a [Page],
        page: &'a Page,
    }

    impl Host for SiteHost<'_> {
        fn link(&self, dest: &str) -> Link {
            self.index.resolve(self.pages, self.page.source_dir(), &self.page.url, dest)
        }
        fn target(&self, dest: &str) -> Link {
            self.index.resolve_target(self.pages, self.page.source_dir(), &self.page.url, dest)
        }
        fn data_block(&self, _: &str, _: &str, _: &BlockSource) -> Option<Result<String, Vec<Diagnostic>>> {
            None
        }
        fn alert_title(&self, kind: &str) -> String {
            kind.to_string()
        }
    }

    /// Renders `a.md` of each site in turn through one cache; returns the
    /// HTML of each and how many renderings were reused. A file not ending
    /// in `.md` is an asset.
    fn check(sites: &[&[(&str, &str)]], reused: usize) -> Vec<String> {
        let cache = MarkdownCache::default();
        let mut out = Vec::new();
        for files in sites {
            let (docs, assets): (Vec<_>, Vec<_>) = files.iter().partition(|(rel, _)| rel.ends_with(".md"));
            let pages: Vec<Page> = docs.iter().map(|(rel, src)| page(rel, src)).collect();
            let index = SiteIndex::new(&pages, assets.iter().map(|(rel, _)| rel.to_string()));
            let a = pages.iter().find(|p| p.rel == "a.md").expect("a.md");
            let host = SiteHost { index: &index, pages: &pages, page: a };
            let input = markdown::Input { file: &a.file, src: &a.src, body_start: 0, title: None };
            let r = cache.render(a, &pages, &input, &host);
            for link in &r.links {
                if let Target::Page { page, .. } = link.target {
                    assert!(page < pages.len(), "link target renumbered for this site");
                }
            }
            out.push(r.html.to_string());
        }
        assert_eq!(cache.reused.load(Ordering::Relaxed), reused);
        out
    }

    #[test]
    fn same_text_and_same_targets_is_reused() {
        let v1: &[(&str, &str)] = &[("a.md", "See [b](b.md)."), ("b.md", "# B")];
        let v2: &[(&str, &str)] = &[("0.md", "new first page"), ("a.md", "See [b](b.md)."), ("b.md", "# B2")];
        let html = check(&[v1, v2], 1);
        assert_eq!(html[0], html[1]);
    }

    #[test]
    fn a_link_that_resolves_differently_renders_again() {
        let v1: &[(&str, &str)] = &[("a.md", "See [b](b.md)."), ("b.md", "# B")];
        let v2: &[(&str, &str)] = &[("a.md", "See [b](b.md).")];
        let html = check(&[v1, v2], 0);
        assert!(html[0].contains("href=\"../b/index.html\""), "{}", html[0]);
        assert!(!html[1].contains("index.html"), "{}", html[1]);
    }

    #[test]
    fn an_asset_found_by_another_path_renders_again() {
        // `img.png` beside the page's file, then only beside its output
        // (`a/img.png`, the way a browser resolves it): an asset both times,
        // with another href.
        let v1: &[(&str, &str)] = &[("a.md", "![x](img.png)"), ("img.png", "")];
        let v2: &[(&str, &str)] = &[("a.md", "![x](img.png)"), ("a/img.png", "")];
        let html = check(&[v1, v2, v2], 1);
        assert!(html[0].contains("src=\"../img.png\""), "{}", html[0]);
        assert!(html[1].contains("src=\"img.png\""), "{}", html[1]);
        assert_eq!(html[1], html[2]);
    }

    #[test]
    fn changed_text_renders_again() {
        check(&[&[("a.md", "one")], &[("a.md", "two")]], 0);
    }
}
