//! What a page's Markdown asks of the site while it renders: where a link
//! leads, a data block's HTML, an alert's title in the site's language.

use std::sync::Mutex;

use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::links::{self, SiteIndex};
use crate::markdown::{self, BlockSource, Link};
use crate::theme::Theme;

pub(super) struct PageHost<'a> {
    pub(super) site: &'a SiteIndex,
    pub(super) blocks: &'a BlockMemo,
    pub(super) pages: &'a [Page],
    pub(super) page: &'a Page,
    pub(super) theme: &'a Theme,
    pub(super) zh: bool,
    pub(super) metrics: &'a crate::metrics::Metrics,
    pub(super) lang: crate::metrics::format::Lang,
}

impl markdown::Host for PageHost<'_> {
    fn link(&self, dest: &str) -> Link {
        self.site.resolve(self.pages, self.page.source_dir(), &self.page.url, dest)
    }

    fn target(&self, dest: &str) -> Link {
        self.site.resolve_target(self.pages, self.page.source_dir(), &self.page.url, dest)
    }

    fn data_block(&self, kind: &str, body: &str, at: &BlockSource) -> Option<Result<String, Vec<Diagnostic>>> {
        let ctx = crate::blocks::Context { metrics: self.metrics, lang: self.lang, url: &self.page.url };
        self.blocks.render(&ctx, kind, body, || crate::blocks::render(&ctx, kind, body, at))
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

/// Data blocks (charts, KPI cards, tables) rendered once per build: a KPI
/// chart shown on many pages is drawn once. A block's HTML depends on its
/// text, the site's metrics and language (fixed for a build), and the page
/// only through its links to metric pages, which are the same for every
/// page at the same distance from `metrics/`. Pages inside `metrics/` link
/// to their neighbours by shorter paths, so they are not shared; neither
/// are blocks with errors, whose messages point into their own file.
#[derive(Default)]
pub(super) struct BlockMemo(Mutex<std::collections::HashMap<String, String>>);

impl BlockMemo {
    fn render(
        &self,
        ctx: &crate::blocks::Context<'_>,
        kind: &str,
        body: &str,
        render: impl FnOnce() -> Option<Result<String, Vec<Diagnostic>>>,
    ) -> Option<Result<String, Vec<Diagnostic>>> {
        let section = crate::blocks::pages::SECTION_URL;
        if ctx.url.starts_with(section) {
            return render();
        }
        let key = format!("{kind}\n{}\n{body}", links::relative(ctx.url, section));
        if let Some(html) = self.0.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Some(Ok(html));
        }
        let out = render();
        if let (Some(Ok(html)), Ok(mut m)) = (&out, self.0.lock()) {
            m.insert(key, html.clone());
        }
        out
    }
}
