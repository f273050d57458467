//! Markdown to HTML: CommonMark + GFM through pulldown-cmark, plus what a
//! handbook needs on top — heading ids and anchors, GitHub alerts, extended
//! autolinks, footnotes gathered at the end, highlighted code, tables that
//! scroll on phones, data blocks (` ```chart `, ` ```kpi `, ` ```table `) and
//! every link (Markdown or raw HTML) rewritten through the [`Host`].
//!
//! **Invariant:** rendering never fails. Problems become diagnostics and the
//! page still renders, with a visible marker where a data block failed.

mod autolink;
pub mod foreign;
pub mod highlight;
pub mod md_in_html;
mod rawhtml;
pub mod slug;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Span};
use highlight::escape;

/// What the page being rendered needs from the rest of the site.
pub trait Host {
    /// Rewrites a link or image destination written in this page.
    fn link(&self, dest: &str) -> Link;
    /// What `link` would point at, without making the href where the
    /// target fixes it (a page, an anchor, an address elsewhere, a missing
    /// one; an asset's href is made, as two paths may find one): for
    /// checking that a rendering's links still point where they did.
    fn target(&self, dest: &str) -> Link {
        self.link(dest)
    }
    /// Renders a fenced data block when `kind` is one (`chart`, `kpi`,
    /// `table`); `None` means it is ordinary code.
    fn data_block(&self, kind: &str, body: &str, at: &BlockSource) -> Option<Result<String, Vec<Diagnostic>>>;
    /// The visible title of a GitHub alert (`Note`, `注意`, …).
    fn alert_title(&self, kind: &str) -> String;
}

/// Where a data block's body sits, so its problems point at the right line.
pub struct BlockSource<'a> {
    pub file: &'a str,
    pub src: &'a str,
    /// Byte offset of the block body inside `src`.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another site, `mailto:`, or anything with a scheme.
    External,
    /// `#fragment` on this same page.
    Anchor(String),
    /// A page of this site, by index, with an optional fragment to check.
    Page { page: usize, fragment: Option<String> },
    /// A file copied to the output (image, PDF, …).
    Asset,
    /// Points inside the site but at nothing; the reason is for the warning.
    Missing(String),
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A link found in a page, kept for checking once every page is rendered.
#[derive(Debug, Clone)]
pub struct FoundLink {
    pub dest: String,
    /// The href written into the HTML for it.
    pub href: String,
    pub target: Target,
    /// Where it was written: a byte offset into the page's file, and a
    /// length ([`FoundLink::span`]). Not a [`Span`], which copies the file
    /// name and the whole line: few links are ever reported.
    pub at: usize,
    pub len: usize,
}

impl FoundLink {
    /// Where the link is in `file`, whose whole text is `src` (the page's).
    pub fn span(&self, file: &str, src: &str) -> Span {
        Span::from_offset(file, src, self.at, self.len)
    }
}

#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: std::sync::Arc<String>,
    pub toc: Vec<TocEntry>,
    /// Every id a link can point at: headings, footnotes, raw HTML ids.
    pub anchors: Vec<String>,
    /// The text of a leading `# H1`, when the page starts with one.
    pub h1: Option<String>,
    /// The id of that H1 when it was left out because the template shows
    /// it as the page title: the title carries the id, so links to it land.
    pub h1_id: Option<String>,
    pub links: Vec<FoundLink>,
    pub diagnostics: Vec<Diagnostic>,
    /// Syntax from other generators found in the page, one entry per use.
    pub foreign: Vec<foreign::Foreign>,
}

pub struct Input<'a> {
    /// Path shown in diagnostics.
    pub file: &'a str,
    /// The whole file, front matter included.
    pub src: &'a str,
    /// Where the Markdown body starts in `src`.
    pub body_start: usize,
    /// The front matter title: a leading H1 equal to it (or any leading H1
    /// when there is none) is dropped, since the template shows the title.
    pub title: Option<&'a str>,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

struct Heading<'a> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<String>,
    events: Vec<Event<'a>>,
    text: String,
    first_block: bool,
}

struct Code {
    lang: String,
    body: String,
    offset: usize,
}

pub fn render(input: &Input<'_>, host: &dyn Host) -> Rendered {
    // Elements marked `markdown="1"` (kramdown, MkDocs): their tag lines
    // blanked, same length, and written back as the events pass.
    let plan = md_in_html::plan(&input.src[input.body_start..]);
    let body = plan.as_ref().map_or(&input.src[input.body_start..], |p| p.body.as_str());
    let marks = plan.as_ref().map_or(&[][..], |p| p.marks.as_slice());
    let mut next_mark = 0;
    // The modes of the marked elements open here, innermost last.
    let mut marked: Vec<md_in_html::Mode> = Vec::new();
    let mut r =
        Renderer { input, host, out: Rendered::default(), slugs: slug::Slugs::default(), footnotes: Vec::new() };
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut footnotes: Vec<Event<'_>> = Vec::new();
    let mut footnote_depth = 0usize;
    let mut heading: Option<Heading<'_>> = None;
    let mut code: Option<Code> = None;
    let mut link_depth = 0usize;
    // Most runs are one event, passed on as pulldown gave it (borrowed from
    // the source): a copy only when pieces are joined.
    let mut text_run: Option<CowStr<'_>> = None;
    let mut seen_block = false;
    // Ids of the footnote definitions being rendered, for their back links.
    let mut footnote_back: Vec<String> = Vec::new();

    let parser = Parser::new_ext(body, options()).into_offset_iter();
    for (event, range) in parser {
        // Merge runs of text so autolinks spanning pulldown's splits are found.
        let event = match event {
            Event::Text(t) if code.is_none() => {
                text_run = Some(match text_run.take() {
                    None => t,
                    Some(run) => {
                        let mut joined = run.into_string();
                        joined.push_str(&t);
                        joined.into()
                    }
                });
                continue;
            }
            other => other,
        };
        if let Some(run) = text_run.take() {
            if let Some(h) = heading.as_mut() {
                h.text.push_str(&run);
            }
            let target = sink(&mut events, &mut footnotes, footnote_depth, &mut heading);
            r.text(run, link_depth > 0, target);
        }
        let offset = input.body_start + range.start;
        while let Some(mark) = marks.get(next_mark).filter(|m| m.at <= range.start) {
            next_mark += 1;
            seen_block = true;
            let html = r.raw_html(&mark.html, input.body_start + mark.at);
            sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::Html(html.into()));
            match mark.open {
                Some(mode) => marked.push(mode),
                None => {
                    marked.pop();
                }
            }
        }
        // In span mode the element holds the text itself: no paragraph.
        if marked.last() == Some(&md_in_html::Mode::Span)
            && matches!(event, Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph))
        {
            continue;
        }
        let is_block_start = matches!(
            &event,
            Event::Start(
                Tag::Paragraph
                    | Tag::Heading { .. }
                    | Tag::BlockQuote(_)
                    | Tag::CodeBlock(_)
                    | Tag::List(_)
                    | Tag::Table(_)
                    | Tag::HtmlBlock
            ) | Event::Rule
        );
        let first_block = is_block_start && !seen_block;
        if is_block_start && footnote_depth == 0 {
            seen_block = true;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => info.trim().to_string(),
                    pulldown_cmark::CodeBlockKind::Indented => String::new(),
                };
                let fence_end = body[range.clone()].find('\n').map_or(range.end, |i| range.start + i + 1);
                code = Some(Code { lang, body: String::new(), offset: input.body_start + fence_end });
            }
            Event::Text(t) => {
                if let Some(c) = code.as_mut() {
                    c.body.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(c) = code.take() {
                    let html = r.code_block(c);
                    sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::Html(html.into()));
                }
            }
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                heading = Some(Heading {
                    level,
                    id: id.map(|i| i.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    events: Vec::new(),
                    text: String::new(),
                    first_block,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take()
                    && let Some(html) = r.heading(h)
                {
                    sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::Html(html.into()));
                }
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                link_depth += 1;
                let dest_url = match link_type {
                    LinkType::Email => dest_url,
                    _ => r.link(&dest_url, offset, &body[range.clone()]).into(),
                };
                let ev = Event::Start(Tag::Link { link_type, dest_url, title, id });
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(ev);
            }
            Event::End(TagEnd::Link) => {
                link_depth = link_depth.saturating_sub(1);
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest_url = r.link(&dest_url, offset, &body[range.clone()]).into();
                let ev = Event::Start(Tag::Image { link_type, dest_url, title, id });
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(ev);
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let html = r.raw_html(&html, offset);
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::Html(html.into()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, name) = alert_kind(kind);
                let html = format!(
                    "<div class=\"markdown-alert markdown-alert-{class}\"><p class=\"markdown-alert-title\">{}</p>\n",
                    escape(&r.host.alert_title(name))
                );
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::Html(html.into()));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::Html("</div>\n".into()));
            }
            Event::Start(Tag::Table(align)) => {
                let s = sink(&mut events, &mut footnotes, footnote_depth, &mut heading);
                s.push(Event::Html("<div class=\"table-wrap\">".into()));
                s.push(Event::Start(Tag::Table(align)));
            }
            Event::End(TagEnd::Table) => {
                let s = sink(&mut events, &mut footnotes, footnote_depth, &mut heading);
                s.push(Event::End(TagEnd::Table));
                s.push(Event::Html("</div>\n".into()));
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                footnote_depth += 1;
                let (n, id) = r.footnote(&name);
                r.out.anchors.push(format!("fn-{id}"));
                let html = format!(
                    "<div class=\"footnote-definition\" id=\"fn-{id}\"><sup class=\"footnote-definition-label\">{n}</sup>"
                );
                footnote_back.push(id);
                footnotes.push(Event::Html(html.into()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let id = footnote_back.pop().unwrap_or_default();
                let back = format!(" <a class=\"footnote-backref\" href=\"#fnref-{id}\" aria-label=\"↩\">↩</a>");
                // The back link ends the note's last paragraph when it has one.
                if matches!(footnotes.last(), Some(Event::End(TagEnd::Paragraph))) {
                    let at = footnotes.len() - 1;
                    footnotes.insert(at, Event::InlineHtml(back.into()));
                    footnotes.push(Event::Html("</div>\n".into()));
                } else {
                    footnotes.push(Event::Html(format!("{back}</div>\n").into()));
                }
                footnote_depth = footnote_depth.saturating_sub(1);
            }
            Event::FootnoteReference(name) => {
                let (n, id) = r.footnote(&name);
                let html = if r.out.anchors.iter().any(|a| *a == format!("fnref-{id}")) {
                    format!("<sup class=\"footnote-reference\"><a href=\"#fn-{id}\">{n}</a></sup>")
                } else {
                    r.out.anchors.push(format!("fnref-{id}"));
                    format!("<sup class=\"footnote-reference\" id=\"fnref-{id}\"><a href=\"#fn-{id}\">{n}</a></sup>")
                };
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::InlineHtml(html.into()));
            }
            Event::Code(c) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&c);
                }
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(Event::Code(c));
            }
            Event::SoftBreak | Event::HardBreak => {
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(event);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(event);
            }
            other => sink(&mut events, &mut footnotes, footnote_depth, &mut heading).push(other),
        }
    }
    if let Some(run) = text_run.take() {
        r.text(run, link_depth > 0, &mut events);
    }
    for mark in &marks[next_mark..] {
        let html = r.raw_html(&mark.html, input.body_start + mark.at);
        events.push(Event::Html(html.into()));
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if !footnotes.is_empty() {
        html.push_str("<section class=\"footnotes\" role=\"doc-endnotes\">\n");
        pulldown_cmark::html::push_html(&mut html, footnotes.into_iter());
        html.push_str("</section>\n");
    }
    r.out.html = std::sync::Arc::new(html);
    r.out
}

fn sink<'s, 'a>(
    events: &'s mut Vec<Event<'a>>,
    footnotes: &'s mut Vec<Event<'a>>,
    footnote_depth: usize,
    heading: &'s mut Option<Heading<'a>>,
) -> &'s mut Vec<Event<'a>> {
    if let Some(h) = heading.as_mut() {
        &mut h.events
    } else if footnote_depth > 0 {
        footnotes
    } else {
        events
    }
}

/// Whether `text` has `http` or `www.` in it, where [`autolink`] looks for
/// bare URLs: most runs have neither. The two searchers are made once;
/// `str::contains` makes one per call, and a page has hundreds of runs.
fn may_hold_url(text: &str) -> bool {
    use memchr::memmem::Finder;
    static FINDERS: std::sync::LazyLock<[Finder<'static>; 2]> =
        std::sync::LazyLock::new(|| [Finder::new("http"), Finder::new("www.")]);
    FINDERS.iter().any(|f| f.find(text.as_bytes()).is_some())
}

fn alert_kind(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "note"),
        BlockQuoteKind::Tip => ("tip", "tip"),
        BlockQuoteKind::Important => ("important", "important"),
        BlockQuoteKind::Warning => ("warning", "warning"),
        BlockQuoteKind::Caution => ("caution", "caution"),
    }
}

struct Renderer<'i, 'h> {
    input: &'i Input<'i>,
    host: &'h dyn Host,
    out: Rendered,
    slugs: slug::Slugs,
    /// Footnote labels in order of first use: their number is the position.
    footnotes: Vec<String>,
}

impl Renderer<'_, '_> {
    /// The number and id of footnote `label`, numbered by first use. Ids are
    /// prefixed (`fn-1`, `fnref-1`) so they never collide with heading ids.
    fn footnote(&mut self, label: &str) -> (usize, String) {
        let n = match self.footnotes.iter().position(|l| l == label) {
            Some(i) => i + 1,
            None => {
                self.footnotes.push(label.to_string());
                self.footnotes.len()
            }
        };
        let id: String =
            label.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
        (n, id)
    }

    /// Emits a run of text, turning bare URLs into links outside links.
    fn text<'e>(&mut self, run: CowStr<'e>, in_link: bool, sink: &mut Vec<Event<'e>>) {
        foreign::in_text(&run, &mut self.out.foreign);
        if in_link || !may_hold_url(&run) {
            sink.push(Event::Text(run));
            return;
        }
        for (piece, href) in autolink::split(&run) {
            match href {
                Some(href) => {
                    // A bare URL: kept for `check --external`, at its first use in the page.
                    let body = &self.input.src[self.input.body_start..];
                    let at = self.input.body_start + body.find(piece).unwrap_or(0);
                    self.out.links.push(FoundLink {
                        dest: href.clone(),
                        href: href.clone(),
                        target: Target::External,
                        at,
                        len: piece.len(),
                    });
                    let tag = Tag::Link {
                        link_type: LinkType::Autolink,
                        dest_url: href.into(),
                        title: CowStr::Borrowed(""),
                        id: CowStr::Borrowed(""),
                    };
                    sink.push(Event::Start(tag));
                    sink.push(Event::Text(piece.to_string().into()));
                    sink.push(Event::End(TagEnd::Link));
                }
                None => sink.push(Event::Text(piece.to_string().into())),
            }
        }
    }

    fn heading(&mut self, h: Heading<'_>) -> Option<String> {
        let text = h.text.trim().to_string();
        if h.level == HeadingLevel::H1 && h.first_block && self.out.h1.is_none() {
            self.out.h1 = Some(text.clone());
            if self.input.title.is_none_or(|t| t.trim() == text) {
                // The template shows it as the page title, with this id.
                let id = h.id.clone().unwrap_or_else(|| self.slugs.unique(&text));
                self.out.anchors.push(id.clone());
                self.out.h1_id = Some(id);
                return None;
            }
        }
        let id = match &h.id {
            Some(id) => self.slugs.reserve(id),
            None => self.slugs.unique(&text),
        };
        self.out.anchors.push(id.clone());
        let level = h.level as u8;
        if level == 2 || level == 3 {
            self.out.toc.push(TocEntry { level, id: id.clone(), title: text });
        }
        let mut inner = String::new();
        pulldown_cmark::html::push_html(&mut inner, h.events.into_iter());
        let class =
            if h.classes.is_empty() { String::new() } else { format!(" class=\"{}\"", escape(&h.classes.join(" "))) };
        let id = escape(&id);
        Some(format!(
            "<h{level} id=\"{id}\"{class}>{inner} <a class=\"heading-anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n"
        ))
    }

    fn code_block(&mut self, c: Code) -> String {
        let kind = c.lang.split_whitespace().next().unwrap_or("");
        let at = BlockSource { file: self.input.file, src: self.input.src, offset: c.offset };
        match self.host.data_block(kind, &c.body, &at) {
            Some(Ok(html)) => html,
            Some(Err(diags)) => {
                let first = diags.first().map(|d| d.message.clone()).unwrap_or_default();
                self.out.diagnostics.extend(diags);
                format!(
                    "<div class=\"data-error\" role=\"alert\"><strong>{}</strong> {}</div>\n",
                    escape(kind),
                    escape(&first)
                )
            }
            None => highlight::code_block(&c.lang, &c.body),
        }
    }

    /// Rewrites one destination written at `offset`; `written` is the source
    /// text of the link, used to point the span at the destination itself.
    fn link(&mut self, dest: &str, offset: usize, written: &str) -> String {
        let link = self.host.link(dest);
        let found = written.find(dest);
        let at = found.map_or(offset, |i| offset + i);
        let len = if found.is_some() { dest.len() } else { written.len().min(1) };
        self.out.links.push(FoundLink {
            dest: dest.to_string(),
            href: link.href.clone(),
            target: link.target,
            at,
            len,
        });
        link.href
    }

    fn raw_html(&mut self, html: &str, offset: usize) -> String {
        self.collect_ids(html);
        foreign::in_html(html, &mut self.out.foreign);
        foreign::in_text(html, &mut self.out.foreign);
        let attrs = rawhtml::url_attributes(html);
        if attrs.is_empty() {
            return html.to_string();
        }
        let mut out = String::with_capacity(html.len() + 16);
        let mut last = 0;
        for (start, end) in attrs {
            out.push_str(&html[last..start]);
            let value = &html[start..end];
            let decoded = value.replace("&amp;", "&");
            let href = self.link(&decoded, offset + start, value);
            out.push_str(&href.replace('&', "&amp;").replace('"', "&quot;"));
            last = end;
        }
        out.push_str(&html[last..]);
        out
    }

    fn collect_ids(&mut self, html: &str) {
        let mut rest = html;
        while let Some(i) = rest.find(" id=") {
            let after = &rest[i + 4..];
            let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
            if let Some(q) = quote
                && let Some(end) = after[1..].find(q)
            {
                self.out.anchors.push(after[1..1 + end].to_string());
            }
            rest = after;
        }
    }
}
