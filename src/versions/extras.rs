//! What one version adds to each of its pages: Markdown and finished pages
//! shared with the other versions, the git dates of the page, and the
//! switcher and banner.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use serde::Serialize;

use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::git::{Facts, Stamp};
use crate::markdown::{self, Host, Rendered};

use super::cache::MarkdownCache;
use super::pages::{Digests, PageCache};
use super::switcher::Switcher;

/// What every version of one build shares.
pub struct Shared {
    pub markdown: MarkdownCache,
    pub pages: PageCache,
    pub digests: Digests,
    pub switcher: Option<Switcher>,
    /// The templates may read `versions.current` (see `pages`).
    pub reads_current: bool,
    /// More than one version is built: pages are worth sharing.
    pub several: bool,
    /// Pages with a mark for their sidebar (`site::Extras::skeleton`).
    pub skeletons: PageCache,
    /// The templates print the sidebar as it is (`pages::sidebar_printed_raw`).
    pub splice_sidebar: bool,
    /// Pages cut for search, shared by the versions' indexes.
    pub search: Option<Arc<crate::search::Memo>>,
}

pub struct VersionExtras {
    pub shared: Arc<Shared>,
    /// This version's index in the switcher.
    pub edition: usize,
    pub facts: Option<Arc<Facts>>,
    /// Hash of what this version's facts and switcher say.
    pub key: u64,
}

#[derive(Serialize, Hash)]
struct GitView {
    updated: String,
    author: String,
    commit: String,
    created: String,
    history: Vec<StampView>,
    /// History stops at a shallow clone's boundary: older entries unknown.
    shallow: bool,
}

#[derive(Serialize, Hash)]
struct StampView {
    date: String,
    author: String,
    commit: String,
    summary: String,
}

fn date(s: &Stamp) -> String {
    s.date().map(|d| d.to_string()).unwrap_or_default()
}

impl VersionExtras {
    pub fn new(shared: Arc<Shared>, edition: usize, facts: Option<Arc<Facts>>) -> VersionExtras {
        let mut h = DefaultHasher::new();
        edition.hash(&mut h);
        if let Some(s) = &shared.switcher {
            for e in &s.editions {
                (&e.name, &e.label, &e.prefix, &e.changes_url).hash(&mut h);
            }
        }
        if let Some(f) = &facts {
            let mut files: Vec<_> = f.files.iter().collect();
            files.sort_by(|a, b| a.0.cmp(b.0));
            for (rel, ff) in files {
                rel.hash(&mut h);
                for s in ff.history.iter().chain(&ff.updated).chain(&ff.created) {
                    s.short.hash(&mut h);
                }
            }
            f.truncated.hash(&mut h);
        }
        VersionExtras { shared, edition, facts, key: h.finish() }
    }

    /// What git says of the file `rel` (a page's, from the content folder:
    /// Markdown, or a metric's TOML). Pages opsbook makes up have a folder
    /// or an address there, which no file has.
    fn git_view(&self, rel: &str) -> Option<GitView> {
        let facts = self.facts.as_ref()?;
        let f = facts.files.get(rel)?;
        let updated = f.updated.as_deref();
        Some(GitView {
            updated: updated.map(date).unwrap_or_default(),
            author: updated.map(|s| s.author.clone()).unwrap_or_default(),
            commit: updated.map(|s| s.short.clone()).unwrap_or_default(),
            created: f.created.as_deref().map(date).unwrap_or_default(),
            history: f
                .history
                .iter()
                .map(|s| StampView {
                    date: date(s),
                    author: s.author.clone(),
                    commit: s.short.clone(),
                    summary: s.summary.clone(),
                })
                .collect(),
            shallow: facts.truncated,
        })
    }

    /// Whether this version's pages may equal another's: an older version's,
    /// on a site with several. Latest's never do, since every page's key has
    /// its switcher's view, which tells latest from an older version
    /// (`Switcher::view_key`); keying and keeping them would be waste.
    fn shares_pages(&self) -> bool {
        self.shared.several && self.switcher().is_none_or(|s| !s.editions[self.edition].is_latest())
    }

    /// What `cache` holds under `key` at `url`, else `render` kept there;
    /// only `render` for a version whose pages are not shared.
    fn through(
        &self,
        cache: &PageCache,
        url: &str,
        key: &dyn Fn() -> u64,
        render: &dyn Fn() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<crate::site::Bytes, Diagnostic> {
        if !self.shares_pages() {
            return render().map(Arc::new);
        }
        cache.page(key(), url, render)
    }

    /// The switcher, on a site with more than one version.
    fn switcher(&self) -> Option<&Switcher> {
        self.shared.switcher.as_ref().filter(|s| s.editions.len() > 1)
    }
}

impl crate::site::Extras for VersionExtras {
    fn markdown(&self, page: &Page, pages: &[Page], input: &markdown::Input<'_>, host: &dyn Host) -> Arc<Rendered> {
        // One version has nothing to share: recording every link a page
        // resolved and keeping its rendering would only hold every page's
        // HTML until the build ends.
        if !self.shared.several {
            return Arc::new(markdown::render(input, host));
        }
        self.shared.markdown.render(page, pages, input, host)
    }

    fn updated(&self, page: &Page) -> Option<String> {
        self.last_change(page).and_then(|s| s.date()).map(|d| d.to_string())
    }

    fn last_change(&self, page: &Page) -> Option<Arc<Stamp>> {
        let s = self.facts.as_ref()?.files.get(&page.rel)?.updated.clone()?;
        s.date().is_some().then_some(s)
    }

    fn context(&self, url: &str, rel: Option<&str>, ctx: &mut tera::Context) {
        if let Some(s) = self.switcher() {
            ctx.insert("versions", &s.view(self.edition, url));
        }
        if let Some(g) = rel.and_then(|rel| self.git_view(rel)) {
            ctx.insert("git", &g);
        }
    }

    fn fingerprint(&self, h: &mut DefaultHasher) {
        self.key.hash(h);
    }

    fn search_memo(&self) -> Option<Arc<crate::search::Memo>> {
        self.shared.search.clone()
    }

    fn page_key(&self, page: &Page, h: &mut DefaultHasher) {
        // What `updated` and `git_view` show, by commit: a commit id fixes
        // its date, author and summary.
        let stamp = |s: &Option<Arc<Stamp>>| s.as_ref().map(|s| s.id);
        let facts = self.facts.as_deref();
        self.url_key(&page.url, h);
        let shown = facts.and_then(|f| Some((f, f.files.get(&page.rel)?)));
        shown.map(|(all, f)| (stamp(&f.updated), stamp(&f.created), all.truncated)).hash(h);
        if let Some((_, f)) = shown {
            f.history.len().hash(h);
            f.history.iter().for_each(|s| s.id.hash(h));
        }
    }

    fn url_key(&self, url: &str, h: &mut DefaultHasher) {
        let switcher = self.switcher();
        switcher.is_some().hash(h);
        if let Some(s) = switcher {
            s.view_key(self.edition, url, self.shared.reads_current, h);
        }
    }

    fn content_key(&self, rendered: &Arc<Rendered>, h: &mut DefaultHasher) {
        self.shared.digests.hash(rendered, h);
    }

    fn page(
        &self,
        url: &str,
        key: &dyn Fn() -> u64,
        render: &dyn Fn() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<crate::site::Bytes, Diagnostic> {
        self.through(&self.shared.pages, url, key, render)
    }

    fn splice_sidebar(&self) -> bool {
        self.shares_pages() && self.shared.splice_sidebar
    }

    fn skeleton(
        &self,
        url: &str,
        key: &dyn Fn() -> u64,
        render: &dyn Fn() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<crate::site::Bytes, Diagnostic> {
        self.through(&self.shared.skeletons, url, key, render)
    }
}
