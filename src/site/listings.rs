//! The pages and files made from front matter alone: the tags index, each
//! tag's list (cut into pages of `[tags] per_page`), the 404 page and the
//! redirects of aliases. They show titles and front matter, never a page's
//! HTML, so they are made beside the page writes and the search index.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::views::{LinkView, Listing, Pager, PagerLink, SiteCtx};
use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::links;
use crate::markdown;
use crate::render::Templates;

/// The address of a tag's list (its first page).
pub(super) fn tag_url(tag: &str) -> String {
    let slug = markdown::slug::slugify(tag);
    format!("tags/{}/", if slug.is_empty() { "tag".to_string() } else { slug })
}

/// Page `k` (from 0) of the list of a tag whose list starts at `first`.
fn tag_page_url(first: &str, k: usize) -> String {
    if k == 0 { first.to_string() } else { format!("{first}page/{}/", k + 1) }
}

/// The tags a page lists itself under, each once, with the number of
/// pages under each.
fn tag_counts(pages: &[Page]) -> BTreeMap<&str, usize> {
    let mut tags = BTreeMap::new();
    for t in pages.iter().flat_map(|p| &p.front.tags) {
        *tags.entry(t.as_str()).or_default() += 1;
    }
    tags
}

/// The addresses of the pages [`listings`] makes from `pages` (the tags
/// index and each tag's list, page by page), for the versions' switcher,
/// which must know every page of a version before it is built.
pub fn listing_urls(config: &crate::config::Config, pages: &[Page]) -> Vec<String> {
    let tags = tag_counts(pages);
    let per_page = config.tags.page_size();
    let lists = tags.iter().flat_map(|(t, &n)| {
        let first = tag_url(t);
        (0..n.div_ceil(per_page)).map(move |k| tag_page_url(&first, k))
    });
    (!tags.is_empty()).then(|| "tags/".to_string()).into_iter().chain(lists).collect()
}

/// The pages and files made from every page's front matter: the tag index
/// and one page per tag (URL → HTML), the 404 page and the redirects of
/// aliases (path → HTML).
#[derive(Default)]
pub(super) struct Listings {
    pub(super) pages: Vec<(String, super::Bytes)>,
    pub(super) files: Vec<(String, super::Bytes)>,
}

pub(super) fn listings(
    ctx: &SiteCtx<'_>,
    tags: &BTreeMap<String, Vec<usize>>,
    aliases: &[(String, usize)],
    templates: &Templates,
    zh: bool,
    share: (u64, &[u64]),
) -> Result<Listings, Vec<Diagnostic>> {
    type Job<'j> = Box<dyn Fn() -> Result<super::Bytes, Diagnostic> + Send + Sync + 'j>;
    let mut jobs: Vec<(String, Job<'_>)> = Vec::new();
    let mut first_pages: Vec<(String, &String, String)> = Vec::new();
    if !tags.is_empty() {
        jobs.push((
            "tags/".into(),
            Box::new(move || {
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
                let l = Listing { url: "tags/", listing: "tags", title, children: &all, pager: None };
                ctx.shared_listing(share, &l, templates)
            }),
        ));
        let per_page = ctx.config.tags.page_size();
        for (t, list) in tags {
            let first = tag_url(t);
            let count = list.len().div_ceil(per_page);
            if count > 1 {
                // `page/1/`, which a reader may well type: the first page.
                first_pages.push((format!("{first}page/1/index.html"), t, first.clone()));
            }
            let url_of = move |k: usize| tag_page_url(&first, k);
            for (k, part) in list.chunks(per_page).enumerate() {
                let at = url_of(k);
                let pager = (count > 1).then(|| Pager {
                    number: k + 1,
                    count,
                    total: list.len(),
                    prev: k.checked_sub(1).map(|p| PagerLink { number: p + 1, url: links::page_href(&at, &url_of(p)) }),
                    next: (k + 1 < count)
                        .then(|| PagerLink { number: k + 2, url: links::page_href(&at, &url_of(k + 1)) }),
                });
                jobs.push((
                    at.clone(),
                    Box::new(move || {
                        let children: Vec<LinkView> = part.iter().map(|&p| ctx.link_view(&at, p)).collect();
                        let l =
                            Listing { url: &at, listing: "tag", title: t, children: &children, pager: pager.as_ref() };
                        ctx.shared_listing(share, &l, templates)
                    }),
                ));
            }
        }
    }
    let made: Vec<Result<super::Bytes, Diagnostic>> = jobs.par_iter().map(|(_, job)| job()).collect();
    let mut errors = Vec::new();
    let mut out = Listings::default();
    for ((url, _), html) in jobs.iter().zip(made) {
        match html {
            Ok(html) => out.pages.push((url.clone(), html)),
            Err(d) => errors.push(d),
        }
    }
    match ctx.not_found(templates) {
        Ok(html) => out.files.push(("404.html".into(), Arc::new(html))),
        Err(d) => errors.push(d),
    }
    for (path, tag, first) in &first_pages {
        match ctx.redirect_to(path, tag, first, "tags", templates) {
            Ok(html) => out.files.push((path.clone(), Arc::new(html))),
            Err(d) => errors.push(d),
        }
    }
    for (alias_path, page) in aliases {
        match ctx.redirect(alias_path, *page, templates) {
            Ok(html) => out.files.push((alias_path.clone(), Arc::new(html))),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
