//! What a build of the site is given and hands its output to: the options,
//! the [`Sink`] that writes files, and the [`Extras`] a build of several
//! versions plugs in. Kept apart from the build itself, which changes for
//! other reasons.

use std::path::PathBuf;
use std::sync::Arc;

use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, Rendered};

/// A finished file's bytes, shared without a copy: a page rendered into a
/// `Vec` is kept as it is (an `Arc<[u8]>` would copy it once more).
pub type Bytes = Arc<Vec<u8>>;

/// Where output files go.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn copy(&self, rel: &str, from: &std::path::Path) -> std::io::Result<()>;
    /// Writes bytes the caller shares; a sink that keeps files in memory
    /// (`serve`) takes them without a copy.
    fn write_shared(&self, rel: &str, bytes: Bytes) -> std::io::Result<()> {
        self.write(rel, &bytes)
    }
    /// Makes `rel` the same file as the already written `existing` (a hard
    /// link on disk, so versions share unchanged files). `Ok(false)` when the
    /// sink cannot; the caller writes instead.
    fn link(&self, _rel: &str, _existing: &str) -> std::io::Result<bool> {
        Ok(false)
    }
    /// Takes work whose files can come later (the search index), or hands
    /// it back to be run now and written like any other file (the default).
    fn defer(&self, job: Deferred) -> Option<Deferred> {
        Some(job)
    }
    /// Forgets every file written and job deferred so far: a build of all
    /// versions starts again without one that failed. A sink that keeps
    /// nothing need not do anything.
    fn restart(&self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Work a [`Sink`] may run after the build: output path → contents.
pub type Deferred = Box<dyn FnOnce() -> Vec<(String, String)> + Send>;

#[derive(Clone)]
pub struct Options {
    pub strict: bool,
    pub today: jiff::civil::Date,
    /// `check`: gathers what only a check reports, once pages are rendered.
    pub audit: Option<std::sync::Arc<crate::check::Audit>>,
    /// `serve`: Markdown and pages reused from earlier builds (see `cache`
    /// for what must be part of its keys).
    pub cache: Option<std::sync::Arc<crate::cache::Cache>>,
    /// Whether to make the print page (`[print]` may still leave it out):
    /// the version at the output root only.
    pub print: bool,
    /// Whether to make the upkeep reports (`[review] report` may still leave
    /// them out): the version at the output root only, since they measure
    /// review dates against today, which an older edition's are not.
    pub reports: bool,
    /// `versions`: Markdown shared across versions, git dates, the switcher.
    pub extras: Option<std::sync::Arc<dyn Extras>>,
}

/// What the versions stage adds to the build of one version.
pub trait Extras: Send + Sync {
    /// Renders a page's Markdown, or reuses what another version rendered
    /// from the same text when everything it read is the same here.
    fn markdown(
        &self,
        page: &Page,
        pages: &[Page],
        input: &markdown::Input<'_>,
        host: &dyn markdown::Host,
    ) -> Arc<Rendered>;
    /// `page.updated`: the date of the page's last change (`YYYY-MM-DD`).
    fn updated(&self, page: &Page) -> Option<String>;
    /// The commit that last changed the page, for the home page's list of
    /// recent changes; `None` where `updated` has no date.
    fn last_change(&self, _page: &Page) -> Option<std::sync::Arc<crate::git::Stamp>> {
        None
    }
    /// Adds template values (`versions`, `git`) for the output page at `url`,
    /// made from the file `rel` (from the content folder) when it is a page.
    fn context(&self, url: &str, rel: Option<&str>, ctx: &mut tera::Context);
    /// Hashes everything `updated` and `context` depend on (for `cache`).
    fn fingerprint(&self, h: &mut std::hash::DefaultHasher);
    /// Pages cut for search by another version's build, shared with this one.
    fn search_memo(&self) -> Option<Arc<crate::search::Memo>> {
        None
    }
    /// Hashes what `updated` and `context` give `page`, for [`Extras::page`].
    fn page_key(&self, page: &Page, h: &mut std::hash::DefaultHasher);
    /// Hashes what `context` gives the output page at `url` that is made
    /// from no file (a listing), for [`Extras::page`].
    fn url_key(&self, url: &str, h: &mut std::hash::DefaultHasher);
    /// Hashes a page's rendered Markdown (HTML and contents), for
    /// [`Extras::page`]; the versions hash each shared rendering once.
    fn content_key(&self, rendered: &Arc<Rendered>, h: &mut std::hash::DefaultHasher) {
        super::keys::content_key(rendered, h);
    }
    /// The page at `url` through its template: the HTML another version made
    /// of it under the same `key` (everything the template reads, see
    /// `page_key`), else `render`.
    fn page(
        &self,
        url: &str,
        key: &dyn Fn() -> u64,
        render: &dyn Fn() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<Bytes, Diagnostic>;
    /// Whether pages go through their template with `views::sidebar_mark()` for a
    /// sidebar, which is put in after ([`Extras::skeleton`]): the templates
    /// only print the sidebar as it is.
    fn splice_sidebar(&self) -> bool {
        false
    }
    /// A page through its template with `views::sidebar_mark()` for its sidebar:
    /// the one another version made under the same `key` (everything the
    /// template reads but the sidebar), else `render`.
    fn skeleton(
        &self,
        _url: &str,
        _key: &dyn Fn() -> u64,
        render: &dyn Fn() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<Bytes, Diagnostic> {
        render().map(Arc::new)
    }
}

#[derive(Debug, Default)]
pub struct Summary {
    pub pages: usize,
    pub files: usize,
}

/// A file from the site's `static/` folder, copied to the output root.
pub struct StaticFile {
    pub rel: String,
    pub path: PathBuf,
}
