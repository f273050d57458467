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
use serde::Serialize;

use crate::config::Config;
use crate::content::{Content, Page, PageKind};
use crate::diagnostics::{Diagnostic, Span};
use crate::frontmatter::parse_period;
use crate::links::{self, SiteIndex};
use crate::markdown::{self, BlockSource, Link, Rendered, Target, TocEntry};
use crate::nav::{self, Nav};
use crate::render::Templates;
use crate::theme::Theme;

/// Where output files go.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn copy(&self, rel: &str, from: &std::path::Path) -> std::io::Result<()>;
}

pub struct Options {
    pub strict: bool,
    pub today: jiff::civil::Date,
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
}

impl markdown::Host for PageHost<'_> {
    fn link(&self, dest: &str) -> Link {
        self.site.resolve(self.pages, self.page.source_dir(), &self.page.url, dest)
    }

    fn data_block(&self, _kind: &str, _body: &str, _at: &BlockSource) -> Option<Result<String, Vec<Diagnostic>>> {
        None
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

#[derive(Serialize)]
struct LinkView {
    title: String,
    url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    summary: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    owner: String,
}

#[derive(Serialize)]
struct TagView {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    summary: &'a str,
    content: &'a str,
    kind: &'static str,
    url: &'a str,
    file: &'a str,
    lang: &'a str,
    dir: &'static str,
    toc: &'a [TocEntry],
    tags: Vec<TagView>,
    owner: &'a str,
    reviewed: String,
    review_due: String,
    review_status: &'static str,
    updated: String,
    edit_url: String,
    draft: bool,
    kpis: &'a [String],
    extra: &'a serde_json::Map<String, serde_json::Value>,
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
    let Content { pages, assets, data: _, diagnostics: mut diags } = content;
    let zh = config.is_zh();
    let files = assets.iter().map(|a| a.rel.clone()).chain(statics.iter().map(|s| s.rel.clone()));
    let index = SiteIndex::new(&pages, files);

    // 1. Markdown, in parallel.
    let rendered: Vec<Rendered> = pages
        .par_iter()
        .map(|page| {
            if let Some(html) = &page.prebuilt {
                return Rendered { html: html.clone(), ..Rendered::default() };
            }
            let host = PageHost { site: &index, pages: &pages, page, theme, zh };
            let input = markdown::Input {
                file: &page.file,
                src: &page.src,
                body_start: page.body_start,
                title: page.front.title.as_deref(),
            };
            markdown::render(&input, &host)
        })
        .collect();

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

    // 3. Links and anchors, now that every page's ids are known.
    for (page, r) in pages.iter().zip(&rendered) {
        diags.extend(r.diagnostics.iter().cloned());
        for link in &r.links {
            if let Some(problem) = check_link(link, r, &rendered) {
                let d = if opts.strict { Diagnostic::error(problem.0) } else { Diagnostic::warning(problem.0) };
                diags.push(d.at(link.span.clone()).hint(problem.1));
            }
        }
        check_front(page, &mut diags);
    }

    diags.extend(foreign_syntax_warnings(&pages, &rendered));

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
    (0..pages.len()).into_par_iter().for_each(|i| {
        let rel = format!("{}index.html", pages[i].url);
        match ctx.render_page(i, &templates) {
            Ok(html) => {
                if let Err(e) = sink.write(&rel, html.as_bytes()) {
                    io_fail(&rel, e);
                }
            }
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
    for (rel, bytes) in &theme.assets {
        let rel = format!("assets/{rel}");
        if let Err(e) = sink.write(&rel, bytes) {
            io_fail(&rel, e);
        }
    }
    assets.par_iter().for_each(|a| {
        if let Err(e) = sink.copy(&a.rel, &a.path) {
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
    let files = written + assets.len() + statics.len() + theme.assets.len() + aliases.len() + 1;
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

/// One warning per kind of foreign syntax (Hugo shortcodes, Liquid, …)
/// across the whole site, with a count and the first place it is used.
fn foreign_syntax_warnings(pages: &[Page], rendered: &[Rendered]) -> Vec<Diagnostic> {
    use markdown::foreign::Foreign;
    let mut seen: BTreeMap<Foreign, (usize, usize, Option<Span>)> = BTreeMap::new();
    for (page, r) in pages.iter().zip(rendered) {
        let mut kinds: Vec<Foreign> = r.foreign.clone();
        kinds.sort();
        for (i, kind) in kinds.iter().enumerate() {
            let entry = seen.entry(*kind).or_insert((0, 0, None));
            entry.0 += 1;
            if i == 0 || kinds[i - 1] != *kind {
                entry.1 += 1;
                if entry.2.is_none() {
                    entry.2 = Some(first_use(page, *kind));
                }
            }
        }
    }
    seen.into_iter()
        .map(|(kind, (uses, files, span))| {
            let files = if files == 1 { "1 file".to_string() } else { format!("{files} files") };
            let uses = if uses == 1 { "1 use".to_string() } else { format!("{uses} uses") };
            let mut d = Diagnostic::warning(format!("{}: {uses} in {files}, shown as written", kind.describe()))
                .hint("opsbook does not run other generators' templates; convert them to Markdown, or to `chart`/`kpi`/`table` blocks for data");
            if let Some(span) = span {
                d = d.at(span);
            }
            d
        })
        .collect()
}

fn first_use(page: &Page, kind: markdown::foreign::Foreign) -> Span {
    let body = &page.src[page.body_start..];
    let at = match kind {
        markdown::foreign::Foreign::JsxComponent => {
            body.match_indices('<').map(|(i, _)| i).find(|&i| markdown::foreign::is_component_at(body, i))
        }
        _ => body.find(kind.marker()),
    };
    match at {
        Some(i) => Span::from_offset(&page.file, &page.src, page.body_start + i, kind.marker().len()),
        None => Span::file(&page.file),
    }
}

/// `(message, hint)` for a link that does not reach its target.
fn check_link(link: &markdown::FoundLink, here: &Rendered, all: &[Rendered]) -> Option<(String, String)> {
    match &link.target {
        Target::Missing(reason) => Some((format!("broken link `{}`", link.dest), reason.clone())),
        Target::Anchor(f) if !f.is_empty() && !has_anchor(here, f) => Some((
            format!("broken anchor `#{f}`"),
            suggest_anchor(f, here).unwrap_or_else(|| "no heading on this page has that id".into()),
        )),
        Target::Page { page, fragment: Some(f) } if !has_anchor(&all[*page], f) => Some((
            format!("broken anchor in link `{}`", link.dest),
            suggest_anchor(f, &all[*page]).unwrap_or_else(|| format!("the target page has no heading with id `{f}`")),
        )),
        _ => None,
    }
}

fn has_anchor(r: &Rendered, f: &str) -> bool {
    r.anchors.iter().any(|a| a == f) || f == "top"
}

fn suggest_anchor(f: &str, r: &Rendered) -> Option<String> {
    crate::diagnostics::did_you_mean(f, r.anchors.iter().map(String::as_str)).map(|b| format!("did you mean `#{b}`?"))
}

fn check_front(page: &Page, diags: &mut Vec<Diagnostic>) {
    if let Some(every) = &page.front.review_every
        && parse_period(every).is_none()
    {
        diags.push(
            Diagnostic::error(format!("`review_every` must be a period such as `90d`, found `{every}`"))
                .at(Span::find(&page.file, &page.src[..page.body_start], every))
                .hint("use a number followed by d (days), w (weeks), m (months) or y (years)"),
        );
    }
}

/// Output path of each alias redirect and the page it points at.
fn collect_aliases(pages: &[Page], diags: &mut Vec<Diagnostic>) -> Vec<(String, usize)> {
    let page_files: std::collections::HashSet<String> = pages.iter().map(|p| format!("{}index.html", p.url)).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        for alias in &p.front.aliases {
            let at = Span::find(&p.file, &p.src[..p.body_start], alias);
            let Some(clean) = links::join("", alias.trim_start_matches('/')) else {
                diags.push(Diagnostic::error(format!("alias `{alias}` leaves the site")).at(at));
                continue;
            };
            let path = if clean.ends_with(".html") || clean.ends_with(".htm") {
                clean
            } else if clean.is_empty() {
                "index.html".to_string()
            } else {
                format!("{}/index.html", clean.trim_end_matches('/'))
            };
            if page_files.contains(&path) {
                diags.push(
                    Diagnostic::error(format!("alias `{alias}` is the URL of an existing page"))
                        .at(at)
                        .hint("remove the alias; the page already lives there"),
                );
            } else if let Some(&other) = seen.get(&path) {
                diags.push(
                    Diagnostic::error(format!("alias `{alias}` is also claimed by `{}`", pages[other].file))
                        .at(at)
                        .hint("an old URL can redirect to one page only"),
                );
            } else {
                seen.insert(path, i);
            }
        }
    }
    seen.into_iter().collect()
}

fn sitemap<'a>(base: &str, urls: impl Iterator<Item = &'a str>) -> String {
    let base = base.trim_end_matches('/');
    let mut urls: Vec<&str> = urls.collect();
    urls.sort_unstable();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        let loc: String = u.split('/').map(links::encode_segment).collect::<Vec<_>>().join("/");
        xml.push_str("  <url><loc>");
        xml.push_str(&markdown::highlight::escape(&format!("{base}/{loc}")));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

struct SiteCtx<'a> {
    config: &'a Config,
    pages: &'a [Page],
    rendered: &'a [Rendered],
    titles: &'a [String],
    nav: &'a Nav,
    opts: &'a Options,
}

impl SiteCtx<'_> {
    fn link_view(&self, from_url: &str, p: usize) -> LinkView {
        let page = &self.pages[p];
        LinkView {
            title: self.titles[p].clone(),
            url: links::page_href(from_url, &page.url),
            summary: page.front.summary.clone().unwrap_or_default(),
            owner: page.front.owner.clone().unwrap_or_default(),
        }
    }

    fn base_context(&self, url: &str) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("root", &links::root_prefix(url));
        ctx
    }

    fn render_page(&self, i: usize, templates: &Templates) -> Result<String, Diagnostic> {
        let page = &self.pages[i];
        let r = &self.rendered[i];
        let url = page.url.as_str();
        let review = review(page, None, self.opts.today);
        let lang = page.front.lang.as_deref().unwrap_or(&self.config.language);
        let edit_url = match (&self.config.edit_url, page.generated) {
            (Some(pattern), false) => pattern.replace("{path}", &page.file),
            _ => String::new(),
        };
        let kind = match page.kind {
            PageKind::Home => "home",
            PageKind::Section => "section",
            PageKind::Page => "page",
        };
        let view = PageView {
            title: &self.titles[i],
            summary: page.front.summary.as_deref().unwrap_or(""),
            content: &r.html,
            kind,
            url,
            file: &page.file,
            lang,
            dir: text_dir(lang),
            toc: &r.toc,
            tags: page
                .front
                .tags
                .iter()
                .map(|t| TagView { name: t.clone(), url: links::page_href(url, &tag_url(t)) })
                .collect(),
            owner: page.front.owner.as_deref().unwrap_or(""),
            reviewed: page.front.reviewed.map(|d| d.to_string()).unwrap_or_default(),
            review_due: review.due.map(|d| d.to_string()).unwrap_or_default(),
            review_status: review.status,
            updated: String::new(),
            edit_url,
            draft: page.front.draft,
            kpis: &page.front.kpis,
            extra: &page.front.extra,
        };
        let mut ctx = self.base_context(url);
        ctx.insert("page", &view);
        ctx.insert("sidebar", &self.nav.sidebar(i, &|p| links::page_href(url, &self.pages[p].url)));
        let crumbs: Vec<LinkView> = self.nav.ancestors(i).into_iter().map(|p| self.link_view(url, p)).collect();
        ctx.insert("breadcrumbs", &crumbs);
        if let Some(p) = self.nav.prev(i) {
            ctx.insert("prev", &self.link_view(url, p));
        }
        if let Some(n) = self.nav.next(i) {
            ctx.insert("next", &self.link_view(url, n));
        }
        let children: Vec<LinkView> = self.nav.children(i).into_iter().map(|p| self.link_view(url, p)).collect();
        ctx.insert("children", &children);
        let template = match (&page.front.template, page.kind) {
            (Some(t), _) => t.clone(),
            (None, PageKind::Home) => "home.html".to_string(),
            (None, PageKind::Section) => "section.html".to_string(),
            (None, PageKind::Page) => "page.html".to_string(),
        };
        let template = if templates.has(&template) { template } else { "page.html".to_string() };
        templates.render(&template, &ctx, &page.file)
    }

    /// A generated listing page (tags) rendered with the section template.
    fn listing(
        &self,
        url: &str,
        title: &str,
        children: Vec<LinkView>,
        templates: &Templates,
    ) -> Result<String, Diagnostic> {
        let mut ctx = self.base_context(url);
        ctx.insert("page", &self.synthetic(title, url, "section"));
        let home = self.nav.order.first().copied().unwrap_or(0);
        ctx.insert("sidebar", &self.nav.sidebar(usize::MAX, &|p| links::page_href(url, &self.pages[p].url)));
        ctx.insert("breadcrumbs", &[self.link_view(url, home)]);
        ctx.insert("children", &children);
        templates.render("section.html", &ctx, url)
    }

    fn synthetic<'s>(&'s self, title: &'s str, url: &'s str, kind: &'static str) -> PageView<'s> {
        static EMPTY: std::sync::OnceLock<serde_json::Map<String, serde_json::Value>> = std::sync::OnceLock::new();
        PageView {
            title,
            summary: "",
            content: "",
            kind,
            url,
            file: "",
            lang: &self.config.language,
            dir: text_dir(&self.config.language),
            toc: &[],
            tags: Vec::new(),
            owner: "",
            reviewed: String::new(),
            review_due: String::new(),
            review_status: "none",
            updated: String::new(),
            edit_url: String::new(),
            draft: false,
            kpis: &[],
            extra: EMPTY.get_or_init(serde_json::Map::new),
        }
    }

    fn not_found(&self, templates: &Templates) -> Result<String, Diagnostic> {
        let mut ctx = self.base_context("");
        let title = if self.config.is_zh() { "页面不存在" } else { "Page not found" };
        ctx.insert("page", &self.synthetic(title, "", "404"));
        ctx.insert("sidebar", &self.nav.sidebar(usize::MAX, &|p| links::page_href("", &self.pages[p].url)));
        ctx.insert("breadcrumbs", &Vec::<LinkView>::new());
        ctx.insert("children", &Vec::<LinkView>::new());
        templates.render("404.html", &ctx, "404.html")
    }

    fn redirect(&self, alias_path: &str, page: usize, templates: &Templates) -> Result<String, Diagnostic> {
        let dir = alias_path.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
        let mut ctx = self.base_context(&dir);
        ctx.insert("page", &self.synthetic(&self.titles[page], &dir, "redirect"));
        ctx.insert("redirect_to", &links::page_href(&dir, &self.pages[page].url));
        templates.render("redirect.html", &ctx, &self.pages[page].file)
    }
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
