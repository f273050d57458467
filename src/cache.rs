//! Reuse between builds, for `serve`: rendered Markdown and finished pages
//! from earlier runs of the pipeline, so a rebuild only redoes what a change
//! affects.
//!
//! Three layers, each keyed by everything its output depends on:
//!
//! - **Markdown** of a page depends on the page's own text and on the shape
//!   of the site its links resolve against (which pages and files exist and
//!   where, the data files behind charts, the UI strings of alerts). That
//!   shape is the [`Scope`] key; the page is compared by its whole text, so
//!   no hash collision can serve a stale page. A template edit keeps the
//!   scope, so it re-renders pages without re-parsing any Markdown.
//! - **Pages** (a page through its template) depend on the content the
//!   template gets (compared in full), on the config, templates, date and
//!   options, and on what this page shows of the rest of the site: its
//!   sidebar, breadcrumbs, previous/next, children and own front matter
//!   ([`Scope::frame`], hashed by `site::keys`). Editing the body of one page
//!   renders that page again; a title change renders the pages that show the
//!   title (from cached Markdown).
//! - **Derived values** made from every page's titles and front matter (tag
//!   pages, upkeep reports, 404, redirects) are kept per [`Shell`], the hash
//!   of all of those ([`Scope::derived`]).
//!
//! Entries not used by the latest build are dropped by [`Cache::finish`], so
//! the cache holds one site (all its versions) at a time.
//!
//! **Invariant:** anything a template or the Markdown renderer reads must be
//! covered by the scope, frame or shell keys; `site::build` computes them
//! from its own inputs.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;

#[derive(Default)]
pub struct Cache {
    /// Content files, reused while unchanged on disk.
    pub files: crate::content::Memo,
    generation: AtomicU64,
    markdown: Mutex<HashMap<(u64, String), MarkdownEntry>>,
    pages: Mutex<HashMap<(u64, String), PageEntry>>,
    derived: Mutex<HashMap<(u64, &'static str), DerivedEntry>>,
    stats: Counters,
}

struct DerivedEntry {
    value: Arc<dyn std::any::Any + Send + Sync>,
    used: u64,
}

struct MarkdownEntry {
    src: Arc<str>,
    body_start: usize,
    title: Option<String>,
    rendered: Arc<Rendered>,
    used: u64,
}

struct PageEntry {
    src: Arc<str>,
    prebuilt: Option<String>,
    content: Arc<Rendered>,
    html: crate::site::Bytes,
    used: u64,
}

#[derive(Default)]
struct Counters {
    markdown_rendered: AtomicUsize,
    markdown_reused: AtomicUsize,
    pages_rendered: AtomicUsize,
    pages_reused: AtomicUsize,
}

/// What the last build reused and redid.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub markdown_rendered: usize,
    pub markdown_reused: usize,
    pub pages_rendered: usize,
    pub pages_reused: usize,
}

/// The key of everything Markdown rendering reads besides the page itself.
pub struct Scope<'c> {
    cache: &'c Cache,
    key: u64,
}

/// The key of everything a page's template reads besides the page itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shell(u64);

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    /// Starts the Markdown layer of one `site::build`. `parts` are hashed
    /// into the scope key: they must describe every input of rendering other
    /// than the page's own text.
    pub fn scope(&self, parts: &dyn Fn(&mut DefaultHasher)) -> Scope<'_> {
        let mut h = DefaultHasher::new();
        parts(&mut h);
        Scope { cache: self, key: h.finish() }
    }

    /// Ends a build: drops what it did not use and returns what it reused.
    pub fn finish(&self) -> Stats {
        let done = self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut m) = self.markdown.lock() {
            m.retain(|_, e| e.used == done);
        }
        if let Ok(mut p) = self.pages.lock() {
            p.retain(|_, e| e.used == done);
        }
        if let Ok(mut d) = self.derived.lock() {
            d.retain(|_, e| e.used == done);
        }
        let take = |c: &AtomicUsize| c.swap(0, Ordering::SeqCst);
        Stats {
            markdown_rendered: take(&self.stats.markdown_rendered),
            markdown_reused: take(&self.stats.markdown_reused),
            pages_rendered: take(&self.stats.pages_rendered),
            pages_reused: take(&self.stats.pages_reused),
        }
    }

    /// Ends a build that failed: keeps every entry (the next good build
    /// decides what stays) and resets the counters.
    pub fn finish_failed(&self) {
        for c in [
            &self.stats.markdown_rendered,
            &self.stats.markdown_reused,
            &self.stats.pages_rendered,
            &self.stats.pages_reused,
        ] {
            c.store(0, Ordering::SeqCst);
        }
    }

    fn now(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

impl Scope<'_> {
    /// The page's rendered Markdown: from the cache when the page's text is
    /// unchanged within this scope, else from `render`.
    pub fn markdown(&self, page: &Page, render: impl FnOnce() -> Arc<Rendered>) -> Arc<Rendered> {
        let key = (self.key, page.file.clone());
        let now = self.cache.now();
        if let Ok(mut map) = self.cache.markdown.lock()
            && let Some(e) = map.get_mut(&key)
            && *e.src == *page.src
            && e.body_start == page.body_start
            && e.title == page.front.title
        {
            e.used = now;
            self.cache.stats.markdown_reused.fetch_add(1, Ordering::Relaxed);
            return Arc::clone(&e.rendered);
        }
        let rendered = render();
        self.cache.stats.markdown_rendered.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut map) = self.cache.markdown.lock() {
            let entry = MarkdownEntry {
                src: Arc::clone(&page.src),
                body_start: page.body_start,
                title: page.front.title.clone(),
                rendered: Arc::clone(&rendered),
                used: now,
            };
            map.insert(key, entry);
        }
        rendered
    }

    /// The shell key, once titles are known. `extra` hashes whatever else
    /// the templates read (config, templates, date, options).
    pub fn shell(&self, pages: &[Page], titles: &[String], extra: &dyn Fn(&mut DefaultHasher)) -> Shell {
        let mut h = DefaultHasher::new();
        self.key.hash(&mut h);
        for (p, t) in pages.iter().zip(titles) {
            p.url.hash(&mut h);
            t.hash(&mut h);
            // Front matter: everything other pages show of this one.
            p.src[..p.body_start.min(p.src.len())].hash(&mut h);
            p.front.title.hash(&mut h);
        }
        extra(&mut h);
        Shell(h.finish())
    }

    /// The key of one page's template: this scope, the `inputs` every page's
    /// template reads (config, templates, date, options, extras), and what
    /// `frame` hashes of the rest of the site as this page shows it. Unlike
    /// the [`Shell`], a title change moves only the keys of the pages that
    /// show that title.
    pub fn frame(&self, inputs: u64, frame: &dyn Fn(&mut DefaultHasher)) -> Shell {
        let mut h = DefaultHasher::new();
        (self.key, inputs).hash(&mut h);
        frame(&mut h);
        Shell(h.finish())
    }

    /// The finished page: from the cache when neither the page nor its key
    /// (a [`Shell`] or a [`Scope::frame`]) changed, else from `render`. `html` is the page's rendered content:
    /// for a page written by hand it follows from its text and the scope;
    /// for a page opsbook made up it is compared too. Failures are not cached.
    pub fn page(
        &self,
        shell: Shell,
        page: &Page,
        content: &Arc<Rendered>,
        render: impl FnOnce() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<crate::site::Bytes, Diagnostic> {
        let key = (shell.0, page.url.clone());
        let now = self.cache.now();
        // The content as the template gets it: after link fixes and what
        // other stages add, so it is compared itself (the same `Arc` as last
        // time for an unchanged page, which costs nothing to compare).
        let same = |e: &PageEntry| {
            Arc::ptr_eq(&e.content, content)
                || (e.content.html == content.html && e.content.toc == content.toc && e.content.h1_id == content.h1_id)
        };
        if let Ok(mut map) = self.cache.pages.lock()
            && let Some(e) = map.get_mut(&key)
            && *e.src == *page.src
            && e.prebuilt == page.prebuilt
            && same(e)
        {
            e.used = now;
            self.cache.stats.pages_reused.fetch_add(1, Ordering::Relaxed);
            return Ok(Arc::clone(&e.html));
        }
        let html = Arc::new(render()?);
        self.cache.stats.pages_rendered.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut map) = self.cache.pages.lock() {
            let entry = PageEntry {
                src: Arc::clone(&page.src),
                prebuilt: page.prebuilt.clone(),
                content: Arc::clone(content),
                html: Arc::clone(&html),
                used: now,
            };
            map.insert(key, entry);
        }
        Ok(html)
    }
}

impl Scope<'_> {
    /// A value made from the shell's inputs alone (listings of every page's
    /// titles and front matter): from the cache while the shell is the
    /// same, else from `make`. `name` tells apart the values of one build.
    pub fn derived<T: Send + Sync + 'static>(
        &self,
        shell: Shell,
        name: &'static str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let key = (shell.0, name);
        let now = self.cache.now();
        if let Ok(mut map) = self.cache.derived.lock()
            && let Some(e) = map.get_mut(&key)
            && let Ok(value) = Arc::clone(&e.value).downcast::<T>()
        {
            e.used = now;
            return value;
        }
        let value = Arc::new(make());
        if let Ok(mut map) = self.cache.derived.lock() {
            map.insert(
                key,
                DerivedEntry { value: Arc::clone(&value) as Arc<dyn std::any::Any + Send + Sync>, used: now },
            );
        }
        value
    }
}

/// The scope key's inputs for one `site::build`: which pages and files
/// exist and where, the data files, the config and the theme's UI strings.
pub fn site_shape(
    h: &mut DefaultHasher,
    config: &crate::config::Config,
    content: &crate::content::Content,
    theme: &crate::theme::Theme,
    statics: &[crate::site::StaticFile],
) {
    format!("{config:?}").hash(h);
    for p in &content.pages {
        (&p.rel, &p.url, p.generated, &p.prebuilt).hash(h);
    }
    for a in &content.assets {
        a.rel.hash(h);
    }
    for d in &content.data {
        (&d.rel, &d.src).hash(h);
    }
    for s in statics {
        s.rel.hash(h);
    }
    theme.strings.hash(h);
}

/// The shell key's inputs besides the pages: config, templates, options.
pub fn template_inputs(
    h: &mut DefaultHasher,
    config: &crate::config::Config,
    theme: &crate::theme::Theme,
    opts: &crate::site::Options,
) {
    site_templates(h, config, theme, opts);
    if let Some(x) = &opts.extras {
        x.fingerprint(h);
    }
}

/// What every page's template reads that is the same for all versions of
/// a build: config, templates, UI strings, options.
pub fn site_templates(
    h: &mut DefaultHasher,
    config: &crate::config::Config,
    theme: &crate::theme::Theme,
    opts: &crate::site::Options,
) {
    format!("{config:?}").hash(h);
    theme.templates.hash(h);
    theme.strings.hash(h);
    (opts.strict, opts.today, opts.print, opts.reports).hash(h);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rel: &str, src: &str) -> Page {
        Page::sample(rel, src)
    }

    fn render(text: &str) -> Arc<Rendered> {
        Arc::new(Rendered { html: Arc::new(text.to_string()), ..Rendered::default() })
    }

    #[test]
    fn markdown_is_reused_only_for_the_same_text_and_scope() {
        let cache = Cache::new();
        let a = page("a.md", "# a");
        let scope = cache.scope(&|h| 1.hash(h));
        assert_eq!(scope.markdown(&a, || render("first")).html.as_str(), "first");
        assert_eq!(scope.markdown(&a, || render("second")).html.as_str(), "first");
        let changed = page("a.md", "# a changed");
        assert_eq!(scope.markdown(&changed, || render("third")).html.as_str(), "third");
        let other = cache.scope(&|h| 2.hash(h));
        assert_eq!(other.markdown(&changed, || render("fourth")).html.as_str(), "fourth");
        let stats = cache.finish();
        assert_eq!((stats.markdown_reused, stats.markdown_rendered), (1, 3));
    }

    #[test]
    fn unused_entries_are_dropped() {
        let cache = Cache::new();
        let a = page("a.md", "a");
        cache.scope(&|_| {}).markdown(&a, || render("one"));
        cache.finish();
        cache.finish();
        assert_eq!(cache.scope(&|_| {}).markdown(&a, || render("two")).html.as_str(), "two");
    }

    #[test]
    fn pages_follow_the_shell() {
        let cache = Cache::new();
        let pages = vec![page("a.md", "a"), page("b.md", "b")];
        let titles = vec!["A".to_string(), "B".to_string()];
        let scope = cache.scope(&|_| {});
        let shell = scope.shell(&pages, &titles, &|_| {});
        let content = render("");
        let html =
            |s: &str| scope.page(shell, &pages[0], &content, || Ok(s.as_bytes().to_vec())).ok().map(|b| b.to_vec());
        assert_eq!(html("one"), Some(b"one".to_vec()));
        assert_eq!(html("two"), Some(b"one".to_vec()));
        let renamed = vec!["A".to_string(), "B2".to_string()];
        let shell2 = scope.shell(&pages, &renamed, &|_| {});
        assert_ne!(shell, shell2);
    }

    #[test]
    fn pages_follow_their_content_as_the_template_gets_it() {
        let cache = Cache::new();
        let page = page("a.md", "same text");
        let scope = cache.scope(&|_| {});
        let key = scope.frame(1, &|h| "a".hash(h));
        let made = |content: &Arc<Rendered>, s: &str| {
            scope.page(key, &page, content, || Ok(s.as_bytes().to_vec())).ok().map(|b| b.to_vec())
        };
        let first = render("<p>x</p>");
        assert_eq!(made(&first, "one"), Some(b"one".to_vec()));
        // Equal content in another `Arc` (a later build) is reused.
        assert_eq!(made(&render("<p>x</p>"), "two"), Some(b"one".to_vec()));
        // Same text, content changed after Markdown (a link fixed): redone.
        assert_eq!(made(&render("<p>y</p>"), "three"), Some(b"three".to_vec()));
        // Another frame (a title it shows changed): redone.
        let other = scope.frame(1, &|h| "b".hash(h));
        assert_eq!(
            scope.page(other, &page, &first, || Ok(b"four".to_vec())).ok().map(|b| b.to_vec()),
            Some(b"four".to_vec())
        );
    }
}
