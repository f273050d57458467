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
pub mod query;
pub mod tokenize;

use rayon::prelude::*;

use crate::content::Page;
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
/// only when the build includes them.
pub fn files(pages: &[Page], rendered: &[Rendered], titles: &[String]) -> Vec<(String, String)> {
    let docs: Vec<Doc> = pages
        .par_iter()
        .zip(rendered)
        .zip(titles)
        // Made-up folder pages have nothing to find, and the upkeep reports
        // list every page's title, so they would shadow the pages themselves.
        .filter(|((p, _), _)| {
            !(p.generated && (p.prebuilt.is_none() || p.url.starts_with(crate::hygiene::SECTION_URL)))
        })
        .map(|((p, r), title)| doc(p, r, title))
        .collect();
    builder::files(&docs)
}

fn doc(page: &Page, r: &Rendered, title: &str) -> Doc {
    let mut sections = extract::sections(&r.html);
    if let Some(summary) = page.front.summary.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let intro = &mut sections[0].text;
        *intro = if intro.is_empty() { summary.to_string() } else { format!("{summary} {intro}") };
    }
    Doc { href: crate::links::page_href("", &page.url), title: title.to_string(), sections }
}
