//! Navigation: the sidebar tree, breadcrumbs and reading order.
//!
//! The tree comes from the section folders (children ordered by `weight`,
//! then title) or, when the config names one, from a Markdown nav file whose
//! nested list of links is the tree (the shape of mdBook's `SUMMARY.md`).
//!
//! **Invariant:** a page's sidebar holds the top level plus the children of
//! each section on the path to that page, never the whole tree, so output
//! grows linearly with the number of pages.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Span};
use crate::links;
use crate::markdown::highlight::escape_into;

#[derive(Debug, Clone)]
pub struct Node {
    pub title: String,
    pub page: Option<usize>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Nav {
    /// Node 0 is the root: the home page.
    pub nodes: Vec<Node>,
    /// For each page, its node (pages left out of a nav file have none).
    pub node_of: Vec<Option<usize>>,
    /// Pages in reading order, for previous / next.
    pub order: Vec<usize>,
    /// Position of each page in `order`.
    position: Vec<Option<usize>>,
}

/// Sidebars made once for pages that show the same one (see
/// [`Nav::sidebar_for`]), by parent node and parent folder.
#[derive(Default)]
pub struct Sidebars(Mutex<HashMap<(usize, String), Arc<Shared>>>);

struct Shared {
    html: String,
    /// Where the head of each item lies in `html`, by node.
    items: HashMap<usize, std::ops::Range<usize>>,
    /// The address of every page it links to, sorted.
    targets: Vec<String>,
}

/// What the tree needs to know about a page.
pub struct Entry<'a> {
    pub title: &'a str,
    pub weight: Option<i64>,
    pub url: &'a str,
    /// The section page this page belongs to (none for home).
    pub parent: Option<usize>,
}

impl Nav {
    /// The tree of section folders. `home` is the home page's index.
    pub fn from_sections(entries: &[Entry<'_>], home: usize) -> Nav {
        let mut nav = Nav { node_of: vec![None; entries.len()], ..Nav::default() };
        let mut kids: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
        for (i, e) in entries.iter().enumerate() {
            if let Some(p) = e.parent {
                kids[p].push(i);
            }
        }
        for list in &mut kids {
            list.sort_by(|&a, &b| {
                let (ea, eb) = (&entries[a], &entries[b]);
                (ea.weight.is_none(), ea.weight, ea.title, ea.url).cmp(&(
                    eb.weight.is_none(),
                    eb.weight,
                    eb.title,
                    eb.url,
                ))
            });
        }
        // Iterative depth-first walk, so deep trees cannot overflow the stack.
        let mut stack = vec![(home, None)];
        while let Some((page, parent)) = stack.pop() {
            let id = nav.nodes.len();
            nav.nodes.push(Node {
                title: entries[page].title.to_string(),
                page: Some(page),
                parent,
                children: Vec::new(),
            });
            nav.node_of[page] = Some(id);
            if let Some(p) = parent {
                nav.nodes[p].children.push(id);
            }
            for &k in kids[page].iter().rev() {
                stack.push((k, Some(id)));
            }
        }
        nav.finish(entries.len());
        nav
    }

    /// The tree written in a nav file: nested lists of `[title](page.md)`;
    /// an item without a link is a group heading. `resolve` maps a link
    /// destination to a page.
    pub fn from_file(
        file: &str,
        src: &str,
        page_count: usize,
        home: usize,
        resolve: impl Fn(&str) -> Option<usize>,
    ) -> (Nav, Vec<Diagnostic>) {
        let mut nav = Nav { node_of: vec![None; page_count], ..Nav::default() };
        let mut diags = Vec::new();
        nav.nodes.push(Node { title: String::new(), page: Some(home), parent: None, children: Vec::new() });
        nav.node_of[home] = Some(0);
        // Open list items, innermost last; a list attaches to the item around it.
        let mut items: Vec<usize> = Vec::new();
        let mut lists: Vec<usize> = Vec::new();
        for (event, range) in Parser::new(src).into_offset_iter() {
            match event {
                Event::Start(Tag::List(_)) => lists.push(items.last().copied().unwrap_or(0)),
                Event::End(TagEnd::List(_)) => {
                    lists.pop();
                }
                Event::Start(Tag::Item) => {
                    let parent = lists.last().copied().unwrap_or(0);
                    let id = nav.nodes.len();
                    nav.nodes.push(Node {
                        title: String::new(),
                        page: None,
                        parent: Some(parent),
                        children: Vec::new(),
                    });
                    nav.nodes[parent].children.push(id);
                    items.push(id);
                }
                Event::End(TagEnd::Item) => {
                    items.pop();
                }
                Event::Start(Tag::Link { dest_url, .. }) => {
                    let Some(&c) = items.last() else { continue };
                    match resolve(&dest_url) {
                        Some(page) if nav.node_of[page].is_none() => {
                            nav.nodes[c].page = Some(page);
                            nav.node_of[page] = Some(c);
                        }
                        Some(_) => {}
                        None => diags.push(
                            Diagnostic::warning(format!("nav entry `{dest_url}` is not a page"))
                                .at(Span::from_offset(file, src, range.start, range.len()))
                                .hint("link to a `.md` file in the content folder"),
                        ),
                    }
                }
                Event::Text(t) | Event::Code(t) => {
                    if let Some(&c) = items.last() {
                        nav.nodes[c].title.push_str(&t);
                    }
                }
                _ => {}
            }
        }
        nav.finish(page_count);
        (nav, diags)
    }

    fn finish(&mut self, page_count: usize) {
        let mut stack = vec![0usize];
        while let Some(n) = stack.pop() {
            if let Some(p) = self.nodes[n].page {
                self.order.push(p);
            }
            for &c in self.nodes[n].children.iter().rev() {
                stack.push(c);
            }
        }
        self.position = vec![None; page_count];
        for (pos, &p) in self.order.iter().enumerate() {
            self.position[p] = Some(pos);
        }
    }

    pub fn prev(&self, page: usize) -> Option<usize> {
        let pos = self.position.get(page).copied().flatten()?;
        pos.checked_sub(1).map(|p| self.order[p])
    }

    pub fn next(&self, page: usize) -> Option<usize> {
        let pos = self.position.get(page).copied().flatten()?;
        self.order.get(pos + 1).copied()
    }

    /// Ancestor pages of `page`, from the home page down to its parent.
    pub fn ancestors(&self, page: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut node = self.node_of.get(page).copied().flatten().and_then(|n| self.nodes[n].parent);
        while let Some(n) = node {
            if let Some(p) = self.nodes[n].page {
                out.push(p);
            }
            node = self.nodes[n].parent;
        }
        out.reverse();
        out
    }

    /// Child pages of `page` in the tree.
    pub fn children(&self, page: usize) -> Vec<usize> {
        let Some(n) = self.node_of.get(page).copied().flatten() else {
            return Vec::new();
        };
        self.nodes[n].children.iter().filter_map(|&c| self.nodes[c].page).collect()
    }

    /// The sidebar for `page`: the top level, and the children of every node
    /// on the way down to it. `href` gives the link to a page from `page`.
    pub fn sidebar(&self, page: usize, href: &dyn Fn(usize) -> String) -> String {
        let mut open = vec![false; self.nodes.len()];
        let current = self.node_of.get(page).copied().flatten();
        let mut n = current;
        while let Some(id) = n {
            open[id] = true;
            n = self.nodes[id].parent;
        }
        let mut out = String::with_capacity(4096);
        self.write_tree(0, current, &open, href, &mut out, &mut |_, _| {});
        out
    }

    /// [`Nav::sidebar`] for `page`, whose address is `url(page)`, linking
    /// with [`links::page_href`] — made once for all the pages that share
    /// their place in the tree and their parent folder, then given each
    /// page's own item. A page with a sidebar of its own (a section, open
    /// below it; a page out of the tree; a page with a link under its own
    /// folder) gets [`Nav::sidebar`].
    ///
    /// Pages without children that share a parent node show the same tree,
    /// open down to that parent; from any folder beside theirs every other
    /// link is the same path. Only their own item differs: its link and
    /// its marking as the current page.
    pub fn sidebar_for<'u>(&self, page: usize, url: &dyn Fn(usize) -> &'u str, memo: &Sidebars) -> String {
        let own = |page: usize| {
            let at = url(page);
            self.sidebar(page, &|p| links::page_href(at, url(p)))
        };
        let Some(node) = self.node_of.get(page).copied().flatten() else { return own(page) };
        let (Some(parent), true) = (self.nodes[node].parent, self.nodes[node].children.is_empty()) else {
            return own(page);
        };
        let at = url(page);
        let folder = match at.trim_end_matches('/').rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => String::new(),
        };
        let key = (parent, folder);
        let cached = memo.0.lock().ok().and_then(|m| m.get(&key).cloned());
        let shared = match cached {
            Some(s) => s,
            None => {
                // Links as from a folder beside the page's that no page has.
                let beside = format!("{}\u{0}/", key.1);
                let made = Arc::new(self.shared_sidebar(parent, &|p| links::page_href(&beside, url(p)), url));
                if let Ok(mut m) = memo.0.lock() {
                    m.entry(key).or_insert_with(|| Arc::clone(&made));
                }
                made
            }
        };
        // A link to a page inside this page's folder is a path of its own.
        let inside = shared.targets.partition_point(|t| t.as_str() <= at);
        let Some(range) =
            shared.items.get(&node).filter(|_| shared.targets.get(inside).is_none_or(|t| !t.starts_with(at)))
        else {
            return own(page);
        };
        let mut out = String::with_capacity(shared.html.len() + 64);
        out.push_str(&shared.html[..range.start]);
        self.write_item_head(node, Some(node), false, &links::page_href(at, at), &mut out);
        out.push_str(&shared.html[range.end..]);
        out
    }

    /// The sidebar of the children of `parent` with none of them current,
    /// where each child's item head lies, and every page it links to.
    fn shared_sidebar<'u>(
        &self,
        parent: usize,
        href: &dyn Fn(usize) -> String,
        url: &dyn Fn(usize) -> &'u str,
    ) -> Shared {
        let mut open = vec![false; self.nodes.len()];
        let mut n = Some(parent);
        while let Some(id) = n {
            open[id] = true;
            n = self.nodes[id].parent;
        }
        let mut html = String::with_capacity(4096);
        let mut items = HashMap::new();
        let mut targets = Vec::new();
        self.write_tree(0, None, &open, href, &mut html, &mut |node, range| {
            if self.nodes[node].parent == Some(parent) {
                items.insert(node, range);
            }
            if let Some(p) = self.nodes[node].page {
                targets.push(url(p).to_string());
            }
        });
        targets.sort_unstable();
        Shared { html, items, targets }
    }

    /// Writes the list under `node`, telling `seen` where each item's head
    /// (up to its link or group name) went.
    fn write_tree(
        &self,
        node: usize,
        current: Option<usize>,
        open: &[bool],
        href: &dyn Fn(usize) -> String,
        out: &mut String,
        seen: &mut dyn FnMut(usize, std::ops::Range<usize>),
    ) {
        out.push_str("<ul class=\"nav-tree\">");
        for &c in &self.nodes[node].children {
            let n = &self.nodes[c];
            let has_kids = !n.children.is_empty();
            let expand = has_kids && open[c];
            let start = out.len();
            let link = n.page.map(href).unwrap_or_default();
            self.write_item_head(c, current, expand, &link, out);
            seen(c, start..out.len());
            if expand || (has_kids && n.page.is_none()) {
                self.write_tree(c, current, open, href, out, seen);
            }
            let _ = write!(out, "</li>");
        }
        out.push_str("</ul>");
    }

    /// An item's `<li>` and its link (`link`) or group name.
    fn write_item_head(&self, c: usize, current: Option<usize>, expand: bool, link: &str, out: &mut String) {
        let n = &self.nodes[c];
        out.push_str("<li class=\"nav-item");
        if !n.children.is_empty() {
            out.push_str(" is-section");
        }
        if expand {
            out.push_str(" is-open");
        }
        if Some(c) == current {
            out.push_str(" is-active\" aria-current=\"page");
        }
        out.push_str("\">");
        match n.page {
            Some(_) => {
                out.push_str("<a href=\"");
                escape_into(out, link);
                out.push_str("\">");
                escape_into(out, &n.title);
                out.push_str("</a>");
            }
            None => {
                out.push_str("<span class=\"nav-group\">");
                escape_into(out, &n.title);
                out.push_str("</span>");
            }
        }
    }

    /// Sets a node's title (titles are known after Markdown is rendered).
    pub fn set_titles(&mut self, title: &dyn Fn(usize) -> String) {
        for n in &mut self.nodes {
            if let (Some(p), true) = (n.page, n.title.is_empty()) {
                n.title = title(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry<'static>> {
        vec![
            Entry { title: "Home", weight: None, url: "", parent: None },
            Entry { title: "B section", weight: Some(2), url: "b/", parent: Some(0) },
            Entry { title: "A section", weight: Some(1), url: "a/", parent: Some(0) },
            Entry { title: "a2", weight: None, url: "a/2/", parent: Some(2) },
            Entry { title: "a1", weight: None, url: "a/1/", parent: Some(2) },
            Entry { title: "b1", weight: None, url: "b/1/", parent: Some(1) },
        ]
    }

    #[test]
    fn orders_by_weight_then_title() {
        let nav = Nav::from_sections(&entries(), 0);
        assert_eq!(nav.order, vec![0, 2, 4, 3, 1, 5]);
        assert_eq!(nav.prev(1), Some(3));
        assert_eq!(nav.next(3), Some(1));
        assert_eq!(nav.ancestors(4), vec![0, 2]);
    }

    #[test]
    fn sidebar_expands_only_the_current_path() {
        let nav = Nav::from_sections(&entries(), 0);
        let html = nav.sidebar(4, &|p| format!("p{p}"));
        assert_eq!(
            html,
            "<ul class=\"nav-tree\"><li class=\"nav-item is-section is-open\"><a href=\"p2\">A section</a><ul class=\"nav-tree\"><li class=\"nav-item is-active\" aria-current=\"page\"><a href=\"p4\">a1</a></li><li class=\"nav-item\"><a href=\"p3\">a2</a></li></ul></li><li class=\"nav-item is-section\"><a href=\"p1\">B section</a></li></ul>"
        );
    }

    #[test]
    fn shared_sidebars_are_each_page_s_own() {
        let same = |nav: &Nav, urls: &[&str]| {
            let memo = Sidebars::default();
            for round in 0..2 {
                for (page, at) in urls.iter().enumerate() {
                    let own = nav.sidebar(page, &|p| links::page_href(at, urls[p]));
                    assert_eq!(nav.sidebar_for(page, &|p| urls[p], &memo), own, "page {page} ({at}), round {round}");
                }
            }
            assert!(!memo.0.lock().expect("memo").is_empty(), "some pages shared a sidebar");
        };
        let urls: Vec<&str> = entries().iter().map(|e| e.url).collect();
        same(&Nav::from_sections(&entries(), 0), &urls);
        // A nav file: siblings in different folders, a leaf whose folder
        // holds a page shown elsewhere, names that need escaping.
        let src = "- [A](a.md)\n  - [A1](a1.md)\n  - [Deep](deep.md)\n- Group\n  - [B & \"b\"](b.md)\n  - [Under A1](under.md)\n";
        let files = ["home", "a.md", "a1.md", "deep.md", "b.md", "under.md"];
        let urls = ["", "a/", "a/1/", "x/y/deep/", "b c/", "a/1/under/"];
        let (nav, _) = Nav::from_file("SUMMARY.md", src, files.len(), 0, |d| files.iter().position(|f| *f == d));
        same(&nav, &urls);
    }

    #[test]
    fn nav_file() {
        let src = "# Summary\n\n- [A](a.md)\n  - [A1](a1.md)\n- Group\n  - [B](b.md)\n- [Nope](nope.md)\n";
        let pages = ["home", "a.md", "a1.md", "b.md"];
        let (nav, diags) = Nav::from_file("SUMMARY.md", src, 4, 0, |d| pages.iter().position(|p| *p == d));
        assert_eq!(nav.order, vec![0, 1, 2, 3]);
        assert_eq!(nav.ancestors(2), vec![0, 1]);
        assert_eq!(diags.len(), 1);
        let titles: Vec<&str> = nav.nodes.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["", "A", "A1", "Group", "B", "Nope"]);
    }
}
