//! The site: loaded pages turned into every output file.
//!
//! Markdown is rendered in parallel, then titles, navigation and link checks
//! are computed over the whole site, then every page goes through its
//! template in parallel and is handed to a [`Sink`]. The stage itself does
//! no I/O: the sink writes.
//!
//! **Invariant:** output is deterministic: the same input gives the same
//! bytes, whatever the thread count.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{Content, Page, PageKind};
use crate::diagnostics::{Diagnostic, Span};
use crate::frontmatter::parse_period;
use crate::links::{self, SiteIndex};
use crate::markdown::{self, BlockSource, Link, Rendered, Target};
use crate::nav::{self, Nav};
use crate::render::Templates;
use crate::theme::Theme;

mod checks;
mod views;

use checks::{LinkCheck, check_front, check_link, collect_aliases, foreign_syntax_warnings, percent_encode_href};
use views::{LinkView, SiteCtx, sitemap};

/// Where output files go.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn copy(&self, rel: &str, from: &std::path::Path) -> std::io::Result<()>;
    /// Writes bytes the caller shares; a sink that keeps files in memory
    /// (`serve`) takes them without a copy.
    fn write_shared(&self, rel: &str, bytes: std::sync::Arc<[u8]>) -> std::io::Result<()> {
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
    /// `versions`: Markdown shared across versions, git dates, the switcher.
    pub extras: Option<std::sync::Arc<dyn Extras>>,
}

/// What the versions stage adds to the build of one version.
pub trait Extras: Send + Sync {
    /// Renders a page's Markdown, or reuses what another version rendered
    /// from the same text when everything it read is the same here.
    fn markdown(&self, page: &Page, pages: &[Page], input: &markdown::Input<'_>, host: &dyn markdown::Host)
    -> Rendered;
    /// `page.updated`: the date of the page's last change (`YYYY-MM-DD`).
    fn updated(&self, page: &Page) -> Option<String>;
    /// Adds template values (`versions`, `git`) for the output page at `url`.
    fn context(&self, url: &str, ctx: &mut tera::Context);
    /// Hashes everything `updated` and `context` depend on (for `cache`).
    fn fingerprint(&self, h: &mut std::hash::DefaultHasher);
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

struct PageHost<'a> {
    site: &'a SiteIndex,
    pages: &'a [Page],
    page: &'a Page,
    theme: &'a Theme,
    zh: bool,
    metrics: &'a crate::metrics::Metrics,
    lang: crate::metrics::format::Lang,
}

impl markdown::Host for PageHost<'_> {
    fn link(&self, dest: &str) -> Link {
        self.site.resolve(self.pages, self.page.source_dir(), &self.page.url, dest)
    }

    fn data_block(&self, kind: &str, body: &str, at: &BlockSource) -> Option<Result<String, Vec<Diagnostic>>> {
        let ctx = crate::blocks::Context { metrics: self.metrics, lang: self.lang, url: &self.page.url };
        crate::blocks::render(&ctx, kind, body, at)
    }

    fn alert_title(&self, kind: &str) -> String {
        let fallback = match (kind, self.zh) {
            ("note", true) => "注意",
            ("tip", true) => "提示",
            ("important", true) => "重要",
            ("warning", true) => "警告",
            ("caution", true) => "小心",
            ("note", false) => "Note",
            ("tip", false) => "Tip",
            ("important", false) => "Important",
            ("warning", false) => "Warning",
            _ => "Caution",
        };
        self.theme.string(&format!("alert_{kind}"), fallback).to_string()
    }
}

/// Review state of a page against `today`.
pub struct Review {
    pub due: Option<jiff::civil::Date>,
    pub status: &'static str,
}

pub fn review(page: &Page, default_every: Option<&str>, today: jiff::civil::Date) -> Review {
    let Some(reviewed) = page.front.reviewed else {
        return Review { due: None, status: "none" };
    };
    let every = page.front.review_every.as_deref().or(default_every).and_then(parse_period);
    let Some(due) = every.and_then(|span| reviewed.0.checked_add(span).ok()) else {
        return Review { due: None, status: "fresh" };
    };
    let status = if today > due {
        "overdue"
    } else if today.checked_add(jiff::Span::new().days(14)).is_ok_and(|soon| soon >= due) {
        "due"
    } else {
        "fresh"
    };
    Review { due: Some(due), status }
}

fn text_dir(lang: &str) -> &'static str {
    let primary = lang.split(['-', '_']).next().unwrap_or("");
    if matches!(primary, "ar" | "fa" | "he" | "ur" | "ps" | "yi" | "dv" | "ckb") { "rtl" } else { "ltr" }
}

fn tag_url(tag: &str) -> String {
    let slug = markdown::slug::slugify(tag);
    format!("tags/{}/", if slug.is_empty() { "tag".to_string() } else { slug })
}

/// Builds every page of the site into `sink`.
pub fn build(
    config: &Config,
    content: Content,
    theme: &Theme,
    statics: &[StaticFile],
    opts: &Options,
    sink: &dyn Sink,
) -> Result<(Summary, Vec<Diagnostic>), Vec<Diagnostic>> {
    let memo =
        opts.cache.as_deref().map(|c| c.scope(&|h| crate::cache::site_shape(h, config, &content, theme, statics)));
    let Content { mut pages, assets, data, diagnostics: mut diags } = content;
    let zh = config.is_zh();
    // Metrics, and a generated page for each (before the index and nav).
    let lang = crate::metrics::format::Lang::from_code(&config.language);
    let (metrics, metric_diags) = crate::metrics::load(&data);
    diags.extend(metric_diags);
    diags.extend(crate::blocks::pages::check_kpis(&pages, &metrics));
    let (metric_pages, clashes) = crate::blocks::pages::metric_pages(&metrics, &pages, lang, &config.content_dir);
    diags.extend(clashes);
    pages.extend(metric_pages);
    // Competitor notes are checked; review reports join the pages (filled in once titles are known).
    diags.extend(crate::competitors::check(config, &pages));
    let (hygiene_pages, hygiene_diags) = crate::hygiene::pages(config, theme, &pages, opts.today);
    diags.extend(hygiene_diags);
    pages.extend(hygiene_pages);
    pages.sort_by(|a, b| a.url.cmp(&b.url));
    let files = assets.iter().map(|a| a.rel.clone()).chain(statics.iter().map(|s| s.rel.clone()));
    let index = SiteIndex::new(&pages, files);

    // 1. Markdown, in parallel.
    let mut rendered: Vec<Rendered> = pages
        .par_iter()
        .map(|page| {
            if let Some(html) = &page.prebuilt {
                return Rendered { html: html.clone(), ..Rendered::default() };
            }
            let host = PageHost { site: &index, pages: &pages, page, theme, zh, metrics: &metrics, lang };
            let input = markdown::Input {
                file: &page.file,
                src: &page.src,
                body_start: page.body_start,
                title: page.front.title.as_deref(),
            };
            let render = || match &opts.extras {
                Some(x) => x.markdown(page, &pages, &input, &host),
                None => markdown::render(&input, &host),
            };
            match &memo {
                Some(m) => m.markdown(page, render),
                None => render(),
            }
        })
        .collect();

    if let Some(i) = index.page_by_url(crate::blocks::pages::SECTION_URL).filter(|&i| pages[i].prebuilt.is_none()) {
        rendered[i].html.push_str(&crate::blocks::pages::listing(&metrics, &pages[i].url, lang));
    }

    // 2. Titles and the tree.
    let titles: Vec<String> = pages.iter().zip(&rendered).map(|(p, r)| title_of(p, r, config)).collect();
    let home = index.page_by_url("").unwrap_or(0);
    let parents: Vec<Option<usize>> =
        pages.iter().map(|p| p.parent_url().and_then(|u| index.page_by_url(&u))).collect();
    let mut nav = match &config.nav {
        Some(nav_file) => nav_from_file(config, nav_file, &pages, &index, home, &mut diags),
        None => {
            let entries: Vec<nav::Entry<'_>> = pages
                .iter()
                .enumerate()
                .map(|(i, p)| nav::Entry { title: &titles[i], weight: p.front.weight, url: &p.url, parent: parents[i] })
                .collect();
            Nav::from_sections(&entries, home)
        }
    };
    nav.set_titles(&|p| titles[p].clone());
    crate::competitors::render(config, theme, opts.today, &pages, &mut rendered);
    crate::hygiene::render(config, theme, opts.today, &pages, &titles, &mut rendered);

    // 3. Links and anchors, now that every page's ids are known.
    let mut fixes: Vec<(usize, String, String)> = Vec::new();
    for (i, (page, r)) in pages.iter().zip(&rendered).enumerate() {
        diags.extend(r.diagnostics.iter().cloned());
        for link in &r.links {
            match check_link(link, r, &rendered) {
                LinkCheck::Ok => {}
                LinkCheck::Fix(href) => fixes.push((i, link.href.clone(), href)),
                LinkCheck::Broken(message, hint) => {
                    let d = if opts.strict { Diagnostic::error(message) } else { Diagnostic::warning(message) };
                    diags.push(d.at(link.span.clone()).hint(hint));
                }
            }
        }
        check_front(page, &mut diags);
    }
    for (i, from, to) in fixes {
        // Markdown links reach the HTML percent-encoded, raw HTML ones as written.
        let esc = markdown::highlight::escape;
        for (f, t) in [(esc(&from), esc(&to)), (percent_encode_href(&from), percent_encode_href(&to))] {
            rendered[i].html = rendered[i].html.replace(&format!("href=\"{f}\""), &format!("href=\"{t}\""));
        }
    }

    diags.extend(foreign_syntax_warnings(&pages, &rendered));
    if let Some(audit) = &opts.audit {
        audit.inspect(&pages, &rendered, &nav, opts.today, &mut diags);
    }

    // 4. Aliases and tags.
    let aliases = collect_aliases(&pages, &mut diags);
    let mut tags: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        for t in &p.front.tags {
            tags.entry(t.clone()).or_default().push(i);
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }

    let site_view = crate::render::SiteView {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        base_url: config.base_url.as_deref(),
    };
    let templates = Templates::new(theme, &site_view)?;
    let errors = Mutex::new(Vec::new());
    let fail = |d: Diagnostic| errors.lock().map(|mut e| e.push(d)).unwrap_or(());
    let io_fail = |rel: &str, e: std::io::Error| fail(Diagnostic::error(format!("cannot write `{rel}`: {e}")));

    // 5. Pages, in parallel.
    let ctx = SiteCtx { config, pages: &pages, rendered: &rendered, titles: &titles, nav: &nav, opts };
    let shell =
        memo.as_ref().map(|m| m.shell(&pages, &titles, &|h| crate::cache::template_inputs(h, config, theme, opts)));
    (0..pages.len()).into_par_iter().for_each(|i| {
        let rel = format!("{}index.html", pages[i].url);
        let written = match (&memo, shell) {
            (Some(m), Some(shell)) => {
                let content = &rendered[i].html;
                m.page(shell, &pages[i], content, || ctx.render_page(i, &templates))
                    .map(|html| sink.write_shared(&rel, html))
            }
            _ => ctx.render_page(i, &templates).map(|html| sink.write(&rel, html.as_bytes())),
        };
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => io_fail(&rel, e),
            Err(d) => fail(d),
        }
    });

    // 6. Everything else: tags, 404, redirects, sitemap, assets.
    let mut written = pages.len();
    let mut extra_pages: Vec<(String, String)> = Vec::new();
    if !tags.is_empty() {
        let all: Vec<LinkView> = tags
            .iter()
            .map(|(t, list)| LinkView {
                title: format!("{t} ({})", list.len()),
                url: links::page_href("tags/", &tag_url(t)),
                summary: String::new(),
                owner: String::new(),
            })
            .collect();
        let title = if zh { "标签" } else { "Tags" };
        extra_pages.push((
            "tags/".into(),
            ctx.listing("tags/", title, all, &templates).unwrap_or_else(|d| {
                fail(d);
                String::new()
            }),
        ));
        for (t, list) in &tags {
            let url = tag_url(t);
            let children = list.iter().map(|&p| ctx.link_view(&url, p)).collect();
            let html = ctx.listing(&url, t, children, &templates).unwrap_or_else(|d| {
                fail(d);
                String::new()
            });
            extra_pages.push((url, html));
        }
    }
    for (url, html) in &extra_pages {
        let rel = format!("{url}index.html");
        if let Err(e) = sink.write(&rel, html.as_bytes()) {
            io_fail(&rel, e);
        }
        written += 1;
    }
    match ctx.not_found(&templates) {
        Ok(html) => {
            if let Err(e) = sink.write("404.html", html.as_bytes()) {
                io_fail("404.html", e);
            }
        }
        Err(d) => fail(d),
    }
    for (alias_path, page) in &aliases {
        match ctx.redirect(alias_path, *page, &templates) {
            Ok(html) => {
                if let Err(e) = sink.write(alias_path, html.as_bytes()) {
                    io_fail(alias_path, e);
                }
            }
            Err(d) => fail(d),
        }
    }
    if let Some(base) = &config.base_url {
        let xml =
            sitemap(base, pages.iter().map(|p| p.url.as_str()).chain(extra_pages.iter().map(|(u, _)| u.as_str())));
        if let Err(e) = sink.write("sitemap.xml", xml.as_bytes()) {
            io_fail("sitemap.xml", e);
        }
    }
    // The search index can wait: `serve` builds it after reloading pages.
    let search: Deferred = Box::new(move || crate::search::files(&pages, &rendered, &titles));
    let search_files = sink.defer(search).map(|job| job()).unwrap_or_default();
    for (rel, body) in &search_files {
        if let Err(e) = sink.write(rel, body.as_bytes()) {
            io_fail(rel, e);
        }
    }
    for (rel, bytes) in &theme.assets {
        let rel = format!("assets/{rel}");
        if let Err(e) = sink.write(&rel, bytes) {
            io_fail(&rel, e);
        }
    }
    assets.par_iter().for_each(|a| {
        let done = match &a.bytes {
            Some(bytes) => sink.write(&a.rel, bytes),
            None => sink.copy(&a.rel, &a.path),
        };
        if let Err(e) = done {
            io_fail(&a.rel, e);
        }
    });
    statics.par_iter().for_each(|s| {
        if let Err(e) = sink.copy(&s.rel, &s.path) {
            io_fail(&s.rel, e);
        }
    });
    let errors = errors.into_inner().unwrap_or_default();
    if !errors.is_empty() {
        diags.extend(errors);
        return Err(diags);
    }
    let files = written + assets.len() + statics.len() + theme.assets.len() + aliases.len() + search_files.len() + 1;
    Ok((Summary { pages: written, files }, diags))
}

fn title_of(page: &Page, r: &Rendered, config: &Config) -> String {
    if let Some(t) = page.front.title.as_deref().or(page.front.name.as_deref()).filter(|t| !t.trim().is_empty()) {
        return t.trim().to_string();
    }
    if let Some(h1) = r.h1.as_deref().filter(|t| !t.is_empty()) {
        return h1.to_string();
    }
    if page.kind == PageKind::Home {
        return config.title.clone();
    }
    let name = page.url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    name.to_string()
}

fn nav_from_file(
    config: &Config,
    nav_file: &str,
    pages: &[Page],
    index: &SiteIndex,
    home: usize,
    diags: &mut Vec<Diagnostic>,
) -> Nav {
    let shown = format!("{}/{nav_file}", config.content_dir);
    let src = pages.iter().find(|p| p.rel == nav_file).map(|p| p.src.clone());
    let Some(src) = src else {
        diags.push(
            Diagnostic::error(format!("nav file `{nav_file}` not found in the content folder"))
                .at(Span::file(crate::config::FILE_NAME))
                .hint("`nav` is a path relative to the content folder, such as `SUMMARY.md`"),
        );
        return Nav::default();
    };
    let dir = nav_file.rsplit_once('/').map_or("", |(d, _)| d);
    let (nav, problems) =
        Nav::from_file(&shown, &src, pages.len(), home, |dest| match index.resolve(pages, dir, "", dest).target {
            Target::Page { page, .. } => Some(page),
            _ => None,
        });
    diags.extend(problems);
    nav
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_to_left_languages() {
        assert_eq!(text_dir("ar"), "rtl");
        assert_eq!(text_dir("fa-IR"), "rtl");
        assert_eq!(text_dir("zh-CN"), "ltr");
    }
}
