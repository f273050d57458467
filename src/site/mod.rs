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
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{Content, Page, PageKind};
use crate::diagnostics::{Diagnostic, Span};
use crate::links::SiteIndex;
use crate::markdown::{self, Rendered, Target};
use crate::nav::{self, Nav};
use crate::render::Templates;
use crate::theme::Theme;

mod api;
mod checks;
mod host;
mod keys;
pub(crate) use keys::toc_key;
mod listings;
mod print;
mod views;

use checks::{check_links, collect_aliases, foreign_syntax_warnings};
use keys::{frame_key, nav_lists};
use listings::{Listings, listings};
use views::{SiteCtx, sitemap};

pub use api::{Bytes, Deferred, Extras, Options, Sink, StaticFile, Summary};
pub use listings::listing_urls;
pub use views::{Review, review};

/// Builds every page of the site into `sink`.
pub fn build(
    config: &Config,
    content: Content,
    theme: &Theme,
    statics: &[StaticFile],
    opts: &Options,
    sink: &dyn Sink,
) -> Result<(Summary, Vec<Diagnostic>), Vec<Diagnostic>> {
    crate::trace("build: started");
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
    let (hygiene_pages, hygiene_diags) = match opts.reports {
        true => crate::hygiene::pages(config, theme, &pages, opts.today),
        false => (Vec::new(), Vec::new()),
    };
    diags.extend(hygiene_diags);
    pages.extend(hygiene_pages);
    pages.sort_by(|a, b| a.url.cmp(&b.url));
    let files = assets.iter().map(|a| a.rel.clone()).chain(statics.iter().map(|s| s.rel.clone()));
    let index = SiteIndex::new(&pages, files);

    crate::trace("build: metrics and generated pages listed");
    // 1. Markdown, in parallel.
    let blocks = host::BlockMemo::default();
    let mut rendered: Vec<Arc<Rendered>> = pages
        .par_iter()
        .map(|page| {
            if let Some(html) = &page.prebuilt {
                return Arc::new(Rendered { html: Arc::new(html.clone()), ..Rendered::default() });
            }
            let host = host::PageHost {
                site: &index,
                blocks: &blocks,
                pages: &pages,
                page,
                theme,
                zh,
                metrics: &metrics,
                lang,
            };
            let input = markdown::Input {
                file: &page.file,
                src: &page.src,
                body_start: page.body_start,
                title: page.front.title.as_deref(),
            };
            let render = || match &opts.extras {
                Some(x) => x.markdown(page, &pages, &input, &host),
                None => Arc::new(markdown::render(&input, &host)),
            };
            match &memo {
                Some(m) => m.markdown(page, render),
                None => render(),
            }
        })
        .collect();

    if let Some(i) = index.page_by_url(crate::blocks::pages::SECTION_URL).filter(|&i| pages[i].prebuilt.is_none()) {
        let listing = crate::blocks::pages::listing(&metrics, &pages[i].url, lang);
        Arc::make_mut(&mut Arc::make_mut(&mut rendered[i]).html).push_str(&listing);
    }

    crate::trace("build: Markdown rendered");
    // 2. Titles and the tree.
    let titles: Vec<String> = pages.par_iter().zip(&rendered).map(|(p, r)| title_of(p, r, config)).collect();
    let home = index.page_by_url("").unwrap_or(0);
    // Everything a page's template shows of the others (see `cache`).
    let shell =
        memo.as_ref().map(|m| m.shell(&pages, &titles, &|h| crate::cache::template_inputs(h, config, theme, opts)));
    // The navigation and the upkeep reports read the same pages and titles:
    // one is made while the other is.
    let parents: Vec<Option<usize>> =
        pages.par_iter().map(|p| p.parent_url().and_then(|u| index.page_by_url(&u))).collect();
    let navigation = || {
        let mut nav_diags = Vec::new();
        let mut nav = match &config.nav {
            Some(nav_file) => nav_from_file(config, nav_file, &pages, &index, home, &mut nav_diags),
            None => {
                let entries: Vec<nav::Entry<'_>> = pages
                    .iter()
                    .enumerate()
                    .map(|(i, p)| nav::Entry {
                        title: &titles[i],
                        weight: p.front.weight,
                        url: &p.url,
                        parent: parents[i],
                    })
                    .collect();
                Nav::from_sections(&entries, home)
            }
        };
        nav.set_titles(&|p| titles[p].clone());
        (nav, nav_diags)
    };
    let upkeep = || {
        let make = || crate::hygiene::render(config, theme, opts.today, &pages, &titles, &parents);
        match (&memo, shell) {
            (Some(m), Some(shell)) => m.derived(shell, "upkeep", make),
            _ => Arc::new(make()),
        }
    };
    let ((nav, nav_diags), upkeep) = rayon::join(navigation, upkeep);
    diags.extend(nav_diags);
    crate::competitors::render(config, theme, opts.today, &pages, &mut rendered);
    for (i, r) in upkeep.iter() {
        rendered[*i] = Arc::clone(r);
    }

    crate::trace("build: navigation and generated pages done");
    // 3. Links and anchors, now that every page's ids are known.
    check_links(&pages, &mut rendered, opts.strict, &mut diags);
    diags.extend(foreign_syntax_warnings(&pages, &rendered));
    if let Some(audit) = &opts.audit {
        audit.inspect(&pages, &rendered, &nav, opts.today, &mut diags);
    }

    crate::trace("build: links checked");
    // 4. Aliases and tags.
    let aliases = collect_aliases(&pages, &mut diags);
    let mut tags: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        for t in &p.front.tags {
            tags.entry(t.clone()).or_default().push(i);
        }
    }
    let printed = print::chapters(&pages, &nav, config.print.max_pages, opts.print, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }

    let print_href = format!("{}index.html", print::URL);
    let site_view = crate::render::SiteView {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        base_url: config.base_url.as_deref(),
        print: printed.is_some().then_some(print_href.as_str()),
    };
    let templates = Templates::new(theme, &site_view)?;
    let errors = Mutex::new(Vec::new());
    let fail = |d: Diagnostic| errors.lock().map(|mut e| e.push(d)).unwrap_or(());
    let io_fail = |rel: &str, e: std::io::Error| fail(Diagnostic::error(format!("cannot write `{rel}`: {e}")));

    // The search index needs only the rendered pages: it is built beside
    // the page writes (which wait on the disk much of the time), unless the
    // sink defers it (`serve` builds it after reloading pages). The pages'
    // HTML is held by both and freed when both are done with it, before
    // the index gathers its postings: a big site's peak memory is lower,
    // and the postings reuse the memory instead of faulting in new pages.
    let shared = Arc::new((pages, titles));
    let (pages, titles) = (&shared.0, &shared.1);
    let html = Arc::new(rendered);
    let for_search = (Arc::clone(&shared), Arc::clone(&html));
    let seen = opts.extras.as_ref().and_then(|x| x.search_memo());
    let search: Deferred = Box::new(move || {
        let (shared, html) = for_search;
        let docs = crate::search::docs(&shared.0, &html, &shared.1, seen.as_deref());
        drop_aside(html);
        let files = crate::search::index_files(&docs, seen.as_deref());
        // Every section's text: freed while the build goes on.
        drop_aside(docs);
        files
    });
    let search = sink.defer(search);
    let html = Mutex::new(Some(html));

    // 5. Pages, in parallel.
    // Listings show titles and front matter, never a page's HTML.
    let sidebars = nav::Sidebars::default();
    let recent = views::recent(pages, titles, opts.extras.as_deref(), RECENT);
    let ctx = SiteCtx { config, pages, rendered: &[], titles, nav: &nav, opts, sidebars: &sidebars, recent: &recent };
    // Pages shared across versions (`Extras::page`): the key of each.
    let base = {
        use std::hash::Hash;
        let mut h = std::hash::DefaultHasher::new();
        crate::cache::site_templates(&mut h, config, theme, opts);
        // Every page links to the print page when there is one.
        printed.is_some().hash(&mut h);
        std::hash::Hasher::finish(&h)
    };
    let lists = if opts.extras.is_some() || memo.is_some() { nav_lists(&nav, pages) } else { Vec::new() };
    // `serve`: what every page's template reads (`base` and, for a site in
    // git, the version's facts); each page adds what it shows of the site.
    let inputs = {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        base.hash(&mut h);
        if let Some(x) = &opts.extras {
            x.fingerprint(&mut h);
        }
        h.finish()
    };
    let write_pages = || {
        // Taken, so the HTML goes when this is done (and the index is too).
        let held = html.lock().ok().and_then(|mut h| h.take());
        let rendered: &[Arc<Rendered>] = held.as_deref().map_or(&[], Vec::as_slice);
        let ctx = SiteCtx { rendered, ..ctx };
        let ctx = &ctx;
        let print_page = || {
            let Some(order) = &printed else { return };
            let rel = print_href.as_str();
            let book = print::book(pages, rendered, titles, &nav, order);
            let title = theme.string("print_title", "The whole handbook");
            match ctx.print_page(title, &book, order.len(), &templates) {
                Ok(html) => {
                    if let Err(e) = sink.write(rel, &html) {
                        io_fail(rel, e);
                    }
                }
                Err(d) => fail(d),
            }
        };
        let each_page = || {
            (0..pages.len()).into_par_iter().for_each(|i| {
                let rel = format!("{}index.html", pages[i].url);
                let written = match (&memo, shell, &opts.extras) {
                    (Some(m), Some(_), _) => {
                        let key = m.frame(inputs, &|h| frame_key(ctx, &lists, i, h, true));
                        m.page(key, &pages[i], &rendered[i], || ctx.render_page(i, &templates))
                            .map(|html| sink.write_shared(&rel, html))
                    }
                    (None, _, Some(x)) => ctx
                        .shared_page(x.as_ref(), base, &lists, i, &templates)
                        .map(|html| sink.write_shared(&rel, html)),
                    _ => ctx.render_page(i, &templates).map(|html| sink.write(&rel, &html)),
                };
                match written {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => io_fail(&rel, e),
                    Err(d) => fail(d),
                }
            })
        };
        rayon::join(each_page, print_page);
        drop_aside(held);
    };
    // 6. Tags, 404 and redirects, made beside the pages and the index (a
    // few big tag pages would otherwise keep one core busy and the other
    // idle after them).
    let make_listings = || {
        let make = || listings(&ctx, &tags, &aliases, &templates, zh, (base, &lists));
        match (&memo, shell) {
            // They show only titles and front matter: the shell's inputs.
            (Some(m), Some(shell)) => m.derived(shell, "listings", make),
            _ => Arc::new(make()),
        }
    };
    let pages_and_listings = || rayon::join(write_pages, make_listings).1;
    let (listed, search_files) = match search {
        Some(job) => rayon::join(pages_and_listings, job),
        None => (pages_and_listings(), Vec::new()),
    };
    crate::trace("build: pages written, search index made");
    // 7. Everything else: the listings' files, sitemap, assets.
    let none = Listings::default();
    let extra = match listed.as_ref() {
        Ok(extra) => extra,
        Err(d) => {
            d.iter().cloned().for_each(fail);
            &none
        }
    };
    for (url, html) in &extra.pages {
        let rel = format!("{url}index.html");
        if let Err(e) = sink.write_shared(&rel, Arc::clone(html)) {
            io_fail(&rel, e);
        }
    }
    for (rel, html) in &extra.files {
        if let Err(e) = sink.write_shared(rel, Arc::clone(html)) {
            io_fail(rel, e);
        }
    }
    let written = pages.len() + extra.pages.len() + usize::from(printed.is_some());
    // The 404 page, aliases and the tag lists' `page/1/`.
    let extra_files = extra.files.len();
    if let Some(base) = &config.base_url {
        let xml =
            sitemap(base, pages.iter().map(|p| p.url.as_str()).chain(extra.pages.iter().map(|(u, _)| u.as_str())));
        if let Err(e) = sink.write("sitemap.xml", xml.as_bytes()) {
            io_fail("sitemap.xml", e);
        }
    }
    crate::trace("build: listings written");
    search_files.par_iter().for_each(|(rel, body)| {
        if let Err(e) = sink.write(rel, body.as_bytes()) {
            io_fail(rel, e);
        }
    });
    crate::trace("build: search index written");
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
    crate::trace("build: assets written");
    let errors = errors.into_inner().unwrap_or_default();
    if !errors.is_empty() {
        diags.extend(errors);
        return Err(diags);
    }
    let files = written + assets.len() + statics.len() + theme.assets.len() + extra_files + search_files.len();
    // Freeing every page's text and HTML takes a noticeable share of a big
    // build; nothing waits for it.
    let garbage = (shared, html, search_files, index, assets);
    std::thread::spawn(move || drop(garbage));
    Ok((Summary { pages: written, files }, diags))
}

/// How many pages the home page lists as changed last.
const RECENT: usize = 8;

/// Drops `x` on a thread of its own: freeing every page's HTML (or every
/// section's text) is ~1–2 % of a big build's CPU, which would otherwise
/// hold up the work that waits for the one letting go of it.
pub(crate) fn drop_aside<T: Send + 'static>(x: T) {
    // Without a thread to spare, `x` is dropped here, as it would have been.
    let _ = std::thread::Builder::new().name("opsbook-free".into()).spawn(move || drop(x));
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
