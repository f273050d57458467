//! What templates see: the page view, links, breadcrumbs and the contexts
//! of generated pages (tags, 404, alias redirects), plus the sitemap.

use serde::Serialize;

use crate::config::Config;
use crate::content::{Page, PageKind};
use crate::diagnostics::Diagnostic;
use crate::links;
use crate::markdown::{self, Rendered, TocEntry};
use crate::nav::Nav;
use crate::render::Templates;

use super::listings::tag_url;
use super::{Options, keys};

/// What stands for a page's sidebar in a page rendered without it (see
/// `Extras::splice_sidebar`): private-use characters around a name and a
/// number drawn once per process. A page's own text goes into the page
/// as it is, so a fixed mark that a page happened to quote would be
/// replaced by the sidebar; this one no page can know.
pub(super) fn sidebar_mark() -> &'static str {
    static MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MARK.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let drawn = std::collections::hash_map::RandomState::new().build_hasher().finish();
        format!("\u{E000}opsbook-sidebar-{drawn:016x}\u{E000}")
    })
}

/// `html` with every `mark` replaced by `parts`, one after the other; `None`
/// when it holds no `mark`. Text too big to go through the template engine
/// (the print page's chapters, which it would copy twice) or shared across
/// versions without it (a page without its sidebar) is put in after it.
fn put_in<S: AsRef<str>>(html: &[u8], mark: &str, parts: &[S]) -> Option<Vec<u8>> {
    let mut found = memchr::memmem::find_iter(html, mark.as_bytes()).peekable();
    found.peek()?;
    let size: usize = parts.iter().map(|p| p.as_ref().len()).sum();
    let mut out = Vec::with_capacity(html.len() + size);
    let mut last = 0;
    for at in found {
        out.extend_from_slice(&html[last..at]);
        parts.iter().for_each(|p| out.extend_from_slice(p.as_ref().as_bytes()));
        last = at + mark.len();
    }
    out.extend_from_slice(&html[last..]);
    Some(out)
}

/// What `print.html` shows besides the site.
#[derive(Serialize)]
struct PrintView<'a> {
    /// The table of contents, an `<ol>` of links to the chapters.
    toc: &'a str,
    /// Every printed page, a `<section>` each.
    chapters: &'a str,
    count: usize,
    /// The build date, `YYYY-MM-DD`.
    date: String,
}

/// A generated listing page: the tags index (`listing` "tags") or a tag's
/// pages ("tag"), with `pager` when the list is cut into several pages.
#[derive(Clone, Copy, Hash)]
pub(super) struct Listing<'a> {
    pub(super) url: &'a str,
    pub(super) listing: &'a str,
    pub(super) title: &'a str,
    pub(super) children: &'a [LinkView],
    pub(super) pager: Option<&'a Pager>,
}

#[derive(Serialize, Hash)]
pub(super) struct LinkView {
    pub(super) title: String,
    pub(super) url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(super) summary: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(super) owner: String,
}

/// Where a page of a list cut into pages stands: `number` of `count`
/// pages, listing `total` entries in all, with links to its neighbours.
#[derive(Serialize, Hash)]
pub(super) struct Pager {
    pub(super) number: usize,
    pub(super) count: usize,
    pub(super) total: usize,
    pub(super) prev: Option<PagerLink>,
    pub(super) next: Option<PagerLink>,
}

#[derive(Serialize, Hash)]
pub(super) struct PagerLink {
    pub(super) number: usize,
    pub(super) url: String,
}

#[derive(Serialize)]
pub(super) struct TagView {
    name: String,
    url: String,
}

#[derive(Serialize)]
pub(super) struct PageView<'a> {
    title: &'a str,
    /// The id of the page's leading `# H1`, which the title stands for.
    title_id: &'a str,
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

pub(super) fn sitemap<'a>(base: &str, urls: impl Iterator<Item = &'a str>) -> String {
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

pub(super) struct SiteCtx<'a> {
    pub(super) config: &'a Config,
    pub(super) pages: &'a [Page],
    pub(super) rendered: &'a [std::sync::Arc<Rendered>],
    pub(super) titles: &'a [String],
    pub(super) nav: &'a Nav,
    pub(super) opts: &'a Options,
    /// Sidebars shared by the pages that show the same one.
    pub(super) sidebars: &'a crate::nav::Sidebars,
    /// The pages changed last, newest first (`recent` on the home page).
    pub(super) recent: &'a [RecentView],
}

/// A page on the home page's list of recent changes.
#[derive(Serialize, Hash)]
pub(super) struct RecentView {
    title: String,
    /// From the home page.
    url: String,
    /// `YYYY-MM-DD`, in the author's time zone.
    date: String,
    author: String,
    summary: String,
    commit: String,
}

/// The `count` pages whose last commit is the newest, newest first (pages
/// changed by the same commit by address): from git, so empty for a site
/// outside git or pages whose dates a shallow clone does not know.
pub(super) fn recent(
    pages: &[Page],
    titles: &[String],
    extras: Option<&dyn super::Extras>,
    count: usize,
) -> Vec<RecentView> {
    let Some(x) = extras else { return Vec::new() };
    let mut changed: Vec<(usize, std::sync::Arc<crate::git::Stamp>)> =
        pages.iter().enumerate().filter_map(|(i, p)| x.last_change(p).map(|s| (i, s))).collect();
    changed.sort_by(|a, b| b.1.time.cmp(&a.1.time).then_with(|| pages[a.0].url.cmp(&pages[b.0].url)));
    changed
        .into_iter()
        .take(count)
        .map(|(i, s)| RecentView {
            title: titles[i].clone(),
            url: links::page_href("", &pages[i].url),
            date: s.date().map(|d| d.to_string()).unwrap_or_default(),
            author: s.author.clone(),
            summary: s.summary.clone(),
            commit: s.short.clone(),
        })
        .collect()
}

impl SiteCtx<'_> {
    pub(super) fn link_view(&self, from_url: &str, p: usize) -> LinkView {
        let page = &self.pages[p];
        LinkView {
            title: self.titles[p].clone(),
            url: links::page_href(from_url, &page.url),
            summary: page.front.summary.clone().unwrap_or_default(),
            owner: page.front.owner.clone().unwrap_or_default(),
        }
    }

    pub(super) fn base_context(&self, url: &str) -> tera::Context {
        self.context_of(url, None)
    }

    /// [`Self::base_context`] of a page made from the file `rel`.
    fn context_of(&self, url: &str, rel: Option<&str>) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("root", &links::root_prefix(url));
        if let Some(x) = &self.opts.extras {
            x.context(url, rel, &mut ctx);
        }
        ctx
    }

    pub(super) fn render_page(&self, i: usize, templates: &Templates) -> Result<Vec<u8>, Diagnostic> {
        self.render_page_with(i, templates, None)
    }

    /// The sidebar of page `i`.
    fn sidebar(&self, i: usize) -> String {
        self.nav.sidebar_for(i, &|p| self.pages[p].url.as_str(), self.sidebars)
    }

    /// Page `i` as another version may already have made it
    /// (`Extras::page`, under the key of everything its template reads).
    /// When the templates print the sidebar only as it is, the page without
    /// its sidebar ([`sidebar_mark`] in its place) is shared too, under a
    /// key without the sidebar, so a page whose sidebar alone differs takes
    /// a copy instead of a template.
    pub(super) fn shared_page(
        &self,
        x: &dyn super::Extras,
        base: u64,
        lists: &[u64],
        i: usize,
        templates: &Templates,
    ) -> Result<super::Bytes, Diagnostic> {
        let url = &self.pages[i].url;
        if !x.splice_sidebar() {
            let key = || keys::page_key(self, base, lists, i, x, true);
            return x.page(url, &key, &|| self.render_page(i, templates));
        }
        let keys = std::cell::OnceCell::new();
        let keys = || {
            *keys.get_or_init(|| {
                let skeleton = keys::page_key(self, base, lists, i, x, false);
                (skeleton, keys::with_sidebar_key(self, lists, i, skeleton))
            })
        };
        let render = || {
            let skeleton = || self.render_page_with(i, templates, Some(sidebar_mark()));
            let skeleton = x.skeleton(url, &|| keys().0, &skeleton)?;
            let page = put_in(&skeleton, sidebar_mark(), &[self.sidebar(i)]).unwrap_or_else(|| skeleton.to_vec());
            if cfg!(debug_assertions) {
                assert!(
                    page == self.render_page(i, templates)?,
                    "page `{url}` with its sidebar put in differs from its own rendering"
                );
            }
            Ok(page)
        };
        x.page(url, &|| keys().1, &render)
    }

    /// Page `i` through its template, with `sidebar` for its sidebar when
    /// given (see `Extras::splice_sidebar`).
    pub(super) fn render_page_with(
        &self,
        i: usize,
        templates: &Templates,
        sidebar: Option<&str>,
    ) -> Result<Vec<u8>, Diagnostic> {
        let page = &self.pages[i];
        let r = &self.rendered[i];
        let url = page.url.as_str();
        let review = review(page, self.config.review.every_for(&page.rel), self.opts.today);
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
            title_id: r.h1_id.as_deref().unwrap_or(""),
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
            updated: self.opts.extras.as_ref().and_then(|x| x.updated(page)).unwrap_or_default(),
            edit_url,
            draft: page.front.draft,
            kpis: &page.front.kpis,
            extra: &page.front.extra,
        };
        let mut ctx = self.context_of(url, Some(&page.rel));
        ctx.insert("page", &view);
        if page.kind == PageKind::Home {
            ctx.insert("recent", self.recent);
        }
        match sidebar {
            Some(s) => ctx.insert("sidebar", s),
            None => ctx.insert("sidebar", &self.sidebar(i)),
        }
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

    /// A generated listing page rendered with the section template.
    fn listing(&self, l: &Listing<'_>, templates: &Templates) -> Result<Vec<u8>, Diagnostic> {
        let Listing { url, listing, title, children, pager } = *l;
        let mut ctx = self.base_context(url);
        ctx.insert("listing", listing);
        ctx.insert("page", &self.synthetic(title, url, "section"));
        let home = self.nav.order.first().copied().unwrap_or(0);
        ctx.insert("sidebar", &self.nav.sidebar(usize::MAX, &|p| links::page_href(url, &self.pages[p].url)));
        ctx.insert("breadcrumbs", &[self.link_view(url, home)]);
        ctx.insert("children", children);
        if let Some(pager) = pager {
            ctx.insert("pager", pager);
        }
        templates.render("section.html", &ctx, url)
    }

    /// A listing page through its template, shared across versions like a
    /// page (`Extras::page`) under the key of everything it shows.
    pub(super) fn shared_listing(
        &self,
        share: (u64, &[u64]),
        l: &Listing<'_>,
        templates: &Templates,
    ) -> Result<super::Bytes, Diagnostic> {
        let render = || self.listing(l, templates);
        match self.opts.extras.as_deref() {
            Some(x) => x.page(l.url, &|| keys::listing_key(self, share, x, l), &render),
            None => render().map(std::sync::Arc::new),
        }
    }

    /// The print page: the whole handbook, `count` pages, for printing.
    pub(super) fn print_page(
        &self,
        title: &str,
        book: &super::print::Book,
        count: usize,
        templates: &Templates,
    ) -> Result<Vec<u8>, Diagnostic> {
        let url = super::print::URL;
        let mut ctx = self.base_context(url);
        ctx.insert("page", &self.synthetic(title, url, "print"));
        let chapters = super::print::CHAPTERS;
        ctx.insert("print", &PrintView { toc: &book.toc, chapters, count, date: self.opts.today.to_string() });
        let html = templates.render("print.html", &ctx, url)?;
        // The chapters go where the template printed their stand-in.
        Ok(put_in(&html, chapters, &book.chapters).unwrap_or(html))
    }

    pub(super) fn synthetic<'s>(&'s self, title: &'s str, url: &'s str, kind: &'static str) -> PageView<'s> {
        static EMPTY: std::sync::OnceLock<serde_json::Map<String, serde_json::Value>> = std::sync::OnceLock::new();
        PageView {
            title,
            title_id: "",
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

    pub(super) fn not_found(&self, templates: &Templates) -> Result<Vec<u8>, Diagnostic> {
        let mut ctx = self.base_context("");
        let title = if self.config.is_zh() { "页面不存在" } else { "Page not found" };
        ctx.insert("page", &self.synthetic(title, "", "404"));
        ctx.insert("sidebar", &self.nav.sidebar(usize::MAX, &|p| links::page_href("", &self.pages[p].url)));
        ctx.insert("breadcrumbs", &Vec::<LinkView>::new());
        ctx.insert("children", &Vec::<LinkView>::new());
        templates.render("404.html", &ctx, "404.html")
    }

    pub(super) fn redirect(&self, alias_path: &str, page: usize, templates: &Templates) -> Result<Vec<u8>, Diagnostic> {
        let (title, to) = (&self.titles[page], &self.pages[page]);
        self.redirect_to(alias_path, title, &to.url, &to.file, templates)
    }

    /// A redirect page at `alias_path` to the page at `to_url` titled
    /// `title`; `source` names what asked for it in errors.
    pub(super) fn redirect_to(
        &self,
        alias_path: &str,
        title: &str,
        to_url: &str,
        source: &str,
        templates: &Templates,
    ) -> Result<Vec<u8>, Diagnostic> {
        let dir = alias_path.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
        let mut ctx = self.base_context(&dir);
        ctx.insert("page", &self.synthetic(title, &dir, "redirect"));
        ctx.insert("redirect_to", &links::page_href(&dir, to_url));
        templates.render("redirect.html", &ctx, source)
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
    let every = page.front.review_every.as_deref().or(default_every).and_then(crate::frontmatter::parse_period);
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

#[cfg(test)]
mod tests {
    use super::{put_in, text_dir};

    #[test]
    fn right_to_left_languages() {
        assert_eq!(text_dir("ar"), "rtl");
        assert_eq!(text_dir("fa-IR"), "rtl");
        assert_eq!(text_dir("zh-CN"), "ltr");
    }

    #[test]
    fn put_in_replaces_every_mark_and_leaves_a_page_without_one() {
        let got = put_in(b"<a>@@</a><b>@@</b>", "@@", &["1", "2"]).map(String::from_utf8);
        assert_eq!(got, Some(Ok("<a>12</a><b>12</b>".to_string())));
        assert_eq!(put_in(b"<a>@</a>", "@@", &["x"]), None);
    }
}
