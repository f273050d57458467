//! Keys of finished pages: hashes of everything a page's template reads,
//! so a page is rendered again only when something it shows changed —
//! shared across versions (`page_key`) and across `serve` rebuilds
//! (`frame_key`, with the content compared by the cache itself).
//!
//! **Invariant:** whatever `SiteCtx::render_page` reads is hashed here; in
//! debug builds the versions stage renders every reused page again and
//! compares.

use std::fmt::Write as _;
use std::hash::Hasher as _;

use super::Extras;
use super::views::SiteCtx;
use crate::content::Page;
use crate::markdown::Rendered;
use crate::nav::Nav;

/// Feeds formatted text to a hasher.
struct HashWriter<'a>(&'a mut std::hash::DefaultHasher);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// The key of page `i` through its template, equal in two versions exactly
/// when the template reads the same values: `base` (config, templates, UI
/// strings, date), the page (file, URL, kind, front matter, title, rendered
/// HTML and contents), the navigation it shows (sidebar, breadcrumbs,
/// previous, next, children) and what the extras give it. Whatever
/// `SiteCtx::render_page` reads must be hashed here.
/// Without the sidebar when `sidebar` is false: the key of the page with
/// `views::sidebar_mark()` for it ([`with_sidebar_key`] adds it).
pub(super) fn page_key(
    ctx: &SiteCtx<'_>,
    base: u64,
    lists: &[u64],
    i: usize,
    extras: &dyn Extras,
    sidebar: bool,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    base.hash(&mut h);
    extras.content_key(&ctx.rendered[i], &mut h);
    frame_key(ctx, lists, i, &mut h, sidebar);
    extras.page_key(&ctx.pages[i], &mut h);
    h.finish()
}

/// The key of page `i` from the key of its skeleton (`page_key` without
/// the sidebar) and what its sidebar shows.
pub(super) fn with_sidebar_key(ctx: &SiteCtx<'_>, lists: &[u64], i: usize, skeleton: u64) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    skeleton.hash(&mut h);
    sidebar_key(ctx.nav, lists, i, &mut h);
    h.finish()
}

/// The key of a listing page (`SiteCtx::listing`: the tags, a tag's pages)
/// through its template, as [`page_key`] for a page: `base`, its address,
/// kind and title, the pages it lists, its pager, the sidebar with no page
/// open, the home page it is under and what the extras give its address.
/// Whatever `SiteCtx::listing` reads must be hashed here.
pub(super) fn listing_key(
    ctx: &SiteCtx<'_>,
    (base, lists): (u64, &[u64]),
    extras: &dyn Extras,
    listing: &super::views::Listing<'_>,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    (base, listing).hash(&mut h);
    sidebar_key(ctx.nav, lists, usize::MAX, &mut h);
    let home = ctx.nav.order.first().copied().unwrap_or(0);
    ctx.link_view(listing.url, home).hash(&mut h);
    extras.url_key(listing.url, &mut h);
    h.finish()
}

/// Hashes what a page's template reads of its rendered Markdown: the HTML
/// and the table of contents.
pub(crate) fn content_key(r: &Rendered, h: &mut std::hash::DefaultHasher) {
    use std::hash::Hash;
    r.html.hash(h);
    toc_key(r, h);
}

/// Hashes the table of contents of `r` (the rest of [`content_key`]).
pub(crate) fn toc_key(r: &Rendered, h: &mut std::hash::DefaultHasher) {
    use std::hash::Hash;
    r.toc.iter().map(|t| (t.level, &t.id, &t.title)).for_each(|t| t.hash(h));
    // The title's id, the one other thing of a rendering a template reads.
    r.h1_id.hash(h);
}

/// Hashes what page `i`'s template shows besides its content and the
/// extras: its own address, file, title and front matter, and the other
/// pages it lists — its sidebar, breadcrumbs, previous and next, children,
/// and on the home page the recent changes.
pub(super) fn frame_key(ctx: &SiteCtx<'_>, lists: &[u64], i: usize, h: &mut std::hash::DefaultHasher, sidebar: bool) {
    use std::hash::Hash;
    let page = &ctx.pages[i];
    (&page.url, &page.rel, &page.file, page.generated, &ctx.titles[i]).hash(h);
    // The front matter: a page made from a file has the one its text says
    // (nothing sets it otherwise, and a broken one is the default), so the
    // text stands for it; a page opsbook made up, its fields through their
    // `Debug` form (streamed, not collected into a string).
    let _ = write!(HashWriter(h), "{:?}", page.kind);
    if page.generated {
        let _ = write!(HashWriter(h), " {:?}", page.front);
    } else {
        h.write(page.src.get(..page.body_start).unwrap_or("").as_bytes());
    }
    h.write_u8(0xff);
    if sidebar {
        sidebar_key(ctx.nav, lists, i, h);
    }
    let link = |p: usize| {
        let q = &ctx.pages[p];
        (&ctx.titles[p], &q.url, &q.front.summary, &q.front.owner)
    };
    ctx.nav.ancestors(i).into_iter().map(link).collect::<Vec<_>>().hash(h);
    (ctx.nav.prev(i).map(link), ctx.nav.next(i).map(link)).hash(h);
    ctx.nav.children(i).into_iter().map(link).collect::<Vec<_>>().hash(h);
    if page.kind == crate::content::PageKind::Home {
        ctx.recent.hash(h);
    }
}

/// For each node of `nav`, a hash of the list a sidebar shows under it:
/// each child's title, page URL and whether it has children, and the list
/// under each child that is a group (groups are always shown open).
pub(super) fn nav_lists(nav: &Nav, pages: &[Page]) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let mut preorder = Vec::with_capacity(nav.nodes.len());
    let mut stack = if nav.nodes.is_empty() { Vec::new() } else { vec![0] };
    while let Some(n) = stack.pop() {
        preorder.push(n);
        stack.extend(&nav.nodes[n].children);
    }
    let mut lists = vec![0; nav.nodes.len()];
    for &n in preorder.iter().rev() {
        let mut h = std::hash::DefaultHasher::new();
        for &c in &nav.nodes[n].children {
            let child = &nav.nodes[c];
            (&child.title, child.page.map(|p| &pages[p].url), child.children.is_empty()).hash(&mut h);
            if child.page.is_none() {
                lists[c].hash(&mut h);
            }
        }
        lists[n] = h.finish();
    }
    lists
}

/// Hashes what `Nav::sidebar` shows on page `i`, without writing it: the
/// top level and, for each node on the way down to the page (which child of
/// its parent it is), the list under it (see [`nav_lists`]). This follows
/// the sidebar's rule (the top level and the open path, groups always open):
/// a sidebar that shows more must hash more here.
fn sidebar_key(nav: &Nav, lists: &[u64], i: usize, h: &mut std::hash::DefaultHasher) {
    use std::hash::Hash;
    lists.first().hash(h);
    let mut path = Vec::new();
    let mut node = nav.node_of.get(i).copied().flatten();
    while let Some(n) = node {
        path.push(n);
        node = nav.nodes[n].parent;
    }
    for &n in path.iter().rev() {
        let at = nav.nodes[n].parent.and_then(|p| nav.nodes[p].children.iter().position(|&c| c == n));
        (at, lists[n]).hash(h);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::links;
    use crate::nav;

    /// Sites as (file, title), home first: the sidebar key of a page is the
    /// same in two sites exactly when its sidebar is.
    #[test]
    fn sidebar_key_tells_sidebars_apart_exactly() {
        let base = [("_index.md", "Home"), ("a/_index.md", "A"), ("a/x.md", "X"), ("a/y.md", "Y"), ("b/z.md", "Z")];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut site: Vec<(&str, &str)> = base.to_vec();
            for &(rel, title) in extra {
                match site.iter_mut().find(|(r, _)| *r == rel) {
                    Some(entry) => entry.1 = title,
                    None => site.push((rel, title)),
                }
            }
            site
        };
        let sites = [
            with(&[]),
            with(&[("a/w.md", "W")]),
            with(&[("b/v.md", "V")]),
            with(&[("a/x.md", "X2")]),
            with(&[("a/_index.md", "A2")]),
            with(&[("a/deep/d.md", "D")]),
            with(&[("c.md", "C")]),
        ];
        let mut seen: Vec<(String, u64, String)> = Vec::new();
        for site in &sites {
            let mut pages: Vec<Page> = site.iter().map(|(rel, _)| Page::sample(rel, "")).collect();
            pages.extend(
                ["b/", "a/deep/"]
                    .iter()
                    .filter(|u| pages.iter().any(|p| p.url.starts_with(*u)) && !pages.iter().any(|p| p.url == **u))
                    .map(|u| Page { rel: u.to_string(), generated: true, ..Page::sample(&format!("{u}_index.md"), "") })
                    .collect::<Vec<_>>(),
            );
            let title =
                |p: &Page| site.iter().find(|(rel, _)| *rel == p.rel).map_or(p.url.clone(), |(_, t)| t.to_string());
            let titles: Vec<String> = pages.iter().map(title).collect();
            let parent =
                |p: &Page| p.parent_url().and_then(|u| pages.iter().position(|q| q.url == u && q.url != p.url));
            let entries: Vec<nav::Entry<'_>> = pages
                .iter()
                .enumerate()
                .map(|(i, p)| nav::Entry { title: &titles[i], weight: None, url: &p.url, parent: parent(p) })
                .collect();
            let nav = Nav::from_sections(&entries, 0);
            let lists = nav_lists(&nav, &pages);
            for (i, page) in pages.iter().enumerate() {
                let mut h = std::hash::DefaultHasher::new();
                sidebar_key(&nav, &lists, i, &mut h);
                let html = nav.sidebar(i, &|p| links::page_href(&page.url, &pages[p].url));
                seen.push((page.url.clone(), std::hash::Hasher::finish(&h), html));
            }
        }
        for (url, key, html) in &seen {
            for (_, other_key, other_html) in seen.iter().filter(|(u, ..)| u == url) {
                assert_eq!(key == other_key, html == other_html, "`{url}`:\n{html}\n{other_html}");
            }
        }
        assert!(seen.iter().filter(|(u, ..)| u == "a/x/").map(|(_, k, _)| k).collect::<HashSet<_>>().len() > 3);

        // Groups of a nav file are always open.
        let pages: Vec<Page> = ["_index.md", "a.md", "b.md", "c.md"].iter().map(|r| Page::sample(r, "")).collect();
        let mut seen: Vec<(u64, String)> = Vec::new();
        for summary in [
            "- [A](a.md)\n- Group\n  - [B](b.md)\n  - [C](c.md)\n",
            "- [A](a.md)\n- Group\n  - [B2](b.md)\n  - [C](c.md)\n",
            "- [A](a.md)\n- Group 2\n  - [B](b.md)\n  - [C](c.md)\n",
            "- [A](a.md)\n- Group\n  - [B](b.md)\n- [C](c.md)\n",
        ] {
            let resolve = |dest: &str| pages.iter().position(|p| p.rel == dest);
            let (nav, _) = Nav::from_file("SUMMARY.md", summary, pages.len(), 0, resolve);
            let lists = nav_lists(&nav, &pages);
            let mut h = std::hash::DefaultHasher::new();
            sidebar_key(&nav, &lists, 1, &mut h);
            seen.push((std::hash::Hasher::finish(&h), nav.sidebar(1, &|p| links::page_href("a/", &pages[p].url))));
        }
        for (key, html) in &seen {
            for (other_key, other_html) in &seen {
                assert_eq!(key == other_key, html == other_html, "{html}\n{other_html}");
            }
        }
    }
}
