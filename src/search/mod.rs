//! Search: a full-text index of every page, built with the site and read in
//! the browser by `themes/default/static/search-core.js` (the engine) and
//! `search.js` (the box).
//!
//! Each page is cut into sections at its headings ([`extract`]), each
//! section's title, heading and text cut into tokens ([`tokenize`]: words,
//! and CJK character bigrams so any Chinese substring is found), and the
//! postings written as small scripts under `assets/search/` ([`builder`]).
//! The browser loads `index.js` when the search box gets focus, then only
//! the token shards a query's terms live in, then only the page chunks of
//! the results it shows. [`query`] ranks in Rust exactly as the browser
//! does, for tests.
//!
//! **Invariant:** `tokenize.rs` and `search-core.js` cut text the same way;
//! the shared table `tokenizer_cases.toml` runs through both.
//!
//! **Invariant:** paths in the index are relative to the site root, so a
//! site (or a version of it) moved under any folder searches itself.

pub mod builder;
pub mod extract;
pub mod format;
mod json;
pub mod query;
pub mod tokenize;

use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::content::Page;
use crate::fasthash::FastMap;
use crate::markdown::Rendered;
pub use extract::Section;

/// A page as the index sees it.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Link from the site root: `playbooks/okr/index.html`.
    pub href: String,
    pub title: String,
    /// The text before the first heading, then one per heading.
    pub sections: Vec<Section>,
}

/// The index files of a site: output path → contents. Folder pages
/// opsbook made up (no `_index.md`) are left out; drafts are in `pages`
/// only when the build includes them. With a `memo`, pages it has seen
/// (same address, title, summary and HTML) are not cut again.
pub fn files(
    pages: &[Page],
    rendered: &[Arc<Rendered>],
    titles: &[String],
    memo: Option<&Memo>,
) -> Vec<(String, String)> {
    builder::files(&docs(pages, rendered, titles, memo))
}

/// The pages as the index sees them, cut into sections (the first half of
/// [`files`]: after it the index no longer needs the pages' HTML).
pub fn docs(
    pages: &[Page],
    rendered: &[Arc<Rendered>],
    titles: &[String],
    memo: Option<&Memo>,
) -> Vec<builder::Indexed> {
    let docs: Vec<builder::Indexed> = pages
        .par_iter()
        .zip(rendered)
        .zip(titles)
        // Made-up folder pages have nothing to find, and the upkeep reports
        // list every page's title, so they would shadow the pages themselves.
        .filter(|((p, _), _)| {
            !(p.generated && (p.prebuilt.is_none() || p.url.starts_with(crate::hygiene::SECTION_URL)))
        })
        .map(|((p, r), title)| match memo {
            Some(m) => m.get(p, r, title),
            None => builder::Indexed { doc: Arc::new(doc(p, r, title)), prepared: None },
        })
        .collect();
    crate::trace("search: pages cut into sections");
    docs
}

/// The index files of `docs` ([`builder::files`]). With a `memo`, from
/// the postings of the index it kept last where those help, and keeping
/// this one's for the next (a debug build checks the files against a whole
/// build).
pub fn index_files(docs: &[builder::Indexed], memo: Option<&Memo>) -> Vec<(String, String)> {
    let Some(memo) = memo else { return builder::files(docs) };
    let base = memo.last.lock().ok().and_then(|last| last.clone());
    let (files, built) = match base.and_then(|base| builder::files_from(&base, docs)) {
        Some((files, built)) => {
            crate::trace("search: postings taken from the index built last");
            if cfg!(debug_assertions) {
                assert!(files == builder::files(docs), "an index built from an earlier one differs from a whole build");
            }
            (files, Some(built))
        }
        None => builder::files_keeping(docs),
    };
    if let (Some(built), Ok(mut last)) = (built, memo.last.lock()) {
        *last = Some(Arc::new(built));
    }
    files
}

fn doc(page: &Page, r: &Rendered, title: &str) -> Doc {
    let mut sections = extract::sections(&r.html);
    if let Some(summary) = page.front.summary.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let intro = &mut sections[0].text;
        *intro = if intro.is_empty() { summary.to_string() } else { format!("{summary} {intro}") };
    }
    Doc { href: crate::links::page_href("", &page.url), title: title.to_string(), sections }
}

/// Pages already cut into sections, tokens and chunk entries, for builds that index much
/// the same pages again: the versions of a site share most of their pages.
/// A page is found again only when its address, title, summary and HTML
/// are all the same (compared in full, not by hash).
#[derive(Default)]
pub struct Memo {
    pages: Mutex<FastMap<String, Vec<Seen>>>,
    /// The postings of the index built last, which the next one starts
    /// from (`builder::files_from`).
    last: Mutex<Option<Arc<builder::Built>>>,
}

struct Seen {
    rendered: Arc<Rendered>,
    title: String,
    summary: Option<String>,
    doc: Arc<Doc>,
    prepared: Arc<builder::Prepared>,
}

impl Memo {
    fn get(&self, page: &Page, r: &Arc<Rendered>, title: &str) -> builder::Indexed {
        let same = |s: &Seen| {
            s.title == title
                && s.summary == page.front.summary
                && (Arc::ptr_eq(&s.rendered.html, &r.html) || s.rendered.html == r.html)
        };
        if let Ok(map) = self.pages.lock()
            && let Some(s) = map.get(&page.url).and_then(|list| list.iter().find(|s| same(s)))
        {
            return builder::Indexed { doc: Arc::clone(&s.doc), prepared: Some(Arc::clone(&s.prepared)) };
        }
        let doc = Arc::new(doc(page, r, title));
        let prepared = Arc::new(builder::Prepared::of(&doc));
        if let Ok(mut map) = self.pages.lock() {
            map.entry(page.url.clone()).or_default().push(Seen {
                rendered: Arc::clone(r),
                title: title.to_string(),
                summary: page.front.summary.clone(),
                doc: Arc::clone(&doc),
                prepared: Arc::clone(&prepared),
            });
        }
        builder::Indexed { doc, prepared: Some(prepared) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(second: &str) -> (Vec<Page>, Vec<Arc<Rendered>>, Vec<String>) {
        let pages = vec![Page::sample("a.md", ""), Page::sample("b.md", "")];
        let html = |s: &str| Arc::new(Rendered { html: Arc::new(s.to_string()), ..Rendered::default() });
        let rendered = vec![html("<p>留存 retention</p><h2 id=\"x\">复盘</h2><p>weekly</p>"), html(second)];
        (pages, rendered, vec!["A".to_string(), "B 指标".to_string()])
    }

    #[test]
    fn a_memo_changes_nothing_in_the_index_and_reuses_unchanged_pages() {
        let memo = Memo::default();
        for second in ["<p>新用户 first</p>", "<p>新用户 second edition</p>", "<p>新用户 first</p>"] {
            let (pages, rendered, titles) = site(second);
            assert_eq!(files(&pages, &rendered, &titles, Some(&memo)), files(&pages, &rendered, &titles, None));
        }
        let seen = memo.pages.lock().expect("memo");
        // The first page was cut once; the second once per distinct text.
        assert_eq!(seen.get("a/").map(Vec::len), Some(1));
        assert_eq!(seen.get("b/").map(Vec::len), Some(2));
    }
}
