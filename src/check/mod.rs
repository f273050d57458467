//! `opsbook check`: every problem in a site at once.
//!
//! Runs the whole build pipeline without writing anything, going on past
//! errors where it safely can (a broken config falls back to the defaults, a
//! page with broken front matter is still rendered so its links are
//! checked), with broken links treated as errors. On top of what a build
//! reports, an [`Audit`] inside the build adds what only a check reports:
//! overdue reviews and stale competitor notes (warnings), pages that neither
//! the navigation nor any link reaches, and, with `--external`, links to
//! other sites ([`external`]).
//!
//! Problems are sorted by file, line and column and printed as text or as
//! JSON ([`report`]). Exit codes: 0 no errors, 1 errors, 2 could not run.

pub mod external;
pub mod report;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;

use crate::content::{Page, PageKind};
use crate::diagnostics::{self, Diagnostic, Span};
use crate::markdown::{Rendered, Target};
use crate::nav::Nav;
use crate::{BuildOptions, Failure, Pipeline};

/// The `[check]` table of `opsbook.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// External URLs `--external` never checks: URL prefixes
    /// (`https://intranet.example.com/`) or host names (`example.com`,
    /// which also covers its subdomains).
    pub external_skip: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub build: BuildOptions,
    /// Also check links to other sites.
    pub external: bool,
    pub timeout: Duration,
    pub concurrency: usize,
    pub retries: u32,
}

impl CheckOptions {
    pub fn new(build: BuildOptions) -> CheckOptions {
        CheckOptions { build, external: false, timeout: Duration::from_secs(10), concurrency: 8, retries: 2 }
    }
}

/// A diagnostic and, for an external link used in several places, the
/// other places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub diagnostic: Diagnostic,
    pub also: Vec<Span>,
}

#[derive(Debug, Default)]
pub struct CheckReport {
    /// Sorted by file, line and column.
    pub problems: Vec<Problem>,
    /// Present when `--external` ran.
    pub external: Option<external::Summary>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.diagnostic.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }

    /// 0 when there is no error, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.errors() > 0)
    }
}

/// Checks the site at `opts.build.root`. `Err` only when the check could
/// not run (no site folder, no content folder).
pub fn check(opts: &CheckOptions) -> Result<CheckReport, Failure> {
    let build = BuildOptions { strict: true, ..opts.build.clone() };
    let dir = crate::open(&build, true)?;
    let mut diags = dir.diagnostics.clone();
    let audit = Arc::new(Audit::new(&dir.config));
    let run = Pipeline { keep_going: true, audit: Some(Arc::clone(&audit)), ..Pipeline::default() };
    match crate::generate(&build, &dir, &Discard, &run) {
        Ok((_, d)) => diags.extend(d),
        Err(Failure::Content(d)) => diags.extend(d),
        Err(fatal) => return Err(fatal),
    }
    diagnostics::sort(&mut diags);
    let mut problems: Vec<Problem> = diags.into_iter().map(|d| Problem { diagnostic: d, also: Vec::new() }).collect();
    let mut summary = None;
    if opts.external {
        let settings = external::Settings {
            timeout: opts.timeout,
            concurrency: opts.concurrency.max(1),
            retries: opts.retries,
            skip: dir.config.check.external_skip.clone(),
        };
        let outcome = external::check(audit.take_external(), &settings);
        problems.extend(outcome.problems);
        summary = Some(outcome.summary);
        problems.sort_by(|a, b| sort_key(&a.diagnostic).cmp(&sort_key(&b.diagnostic)));
    }
    Ok(CheckReport { problems, external: summary })
}

/// A sink that writes nothing: `check` runs the whole pipeline for its
/// diagnostics only.
pub struct Discard;

impl crate::site::Sink for Discard {
    fn write(&self, _rel: &str, _bytes: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
    fn copy(&self, _rel: &str, _from: &std::path::Path) -> std::io::Result<()> {
        Ok(())
    }
    fn defer(&self, _job: crate::site::Deferred) -> Option<crate::site::Deferred> {
        None // the search index has nothing to check
    }
}

/// What `check` looks at from inside the build, once every page is rendered
/// and the navigation is known.
pub struct Audit {
    competitors: crate::competitors::Settings,
    review: crate::hygiene::ReviewConfig,
    nav_file: Option<String>,
    external: Mutex<Vec<(String, Span)>>,
}

impl Audit {
    pub fn new(config: &crate::config::Config) -> Audit {
        Audit {
            competitors: config.competitors.clone(),
            review: config.review.clone(),
            nav_file: config.nav.clone(),
            external: Mutex::new(Vec::new()),
        }
    }

    /// Adds the audit's warnings to `diags` and keeps external links for
    /// `--external`.
    pub fn inspect(
        &self,
        pages: &[Page],
        rendered: &[std::sync::Arc<Rendered>],
        nav: &Nav,
        today: jiff::civil::Date,
        diags: &mut Vec<Diagnostic>,
    ) {
        for page in pages.iter().filter(|p| !p.generated) {
            overdue_review(page, self.review.every_for(&page.rel), today, diags);
            stale_sources(page, today, &self.competitors, diags);
        }
        self.unreachable(pages, rendered, nav, diags);
        let mut external = Vec::new();
        for (page, r) in pages.iter().zip(rendered) {
            for link in &r.links {
                let lower = link.dest.trim().to_ascii_lowercase();
                // Addresses of other sites (`https://`, `ftp://`), not `mailto:`.
                if link.target == Target::External && lower.contains("://") {
                    external.push((link.dest.trim().to_string(), link.span(&page.file, &page.src)));
                }
            }
        }
        if let Ok(mut all) = self.external.lock() {
            all.extend(external);
        }
    }

    fn take_external(&self) -> Vec<(String, Span)> {
        self.external.lock().map(|mut e| std::mem::take(&mut *e)).unwrap_or_default()
    }

    /// Pages that neither the navigation nor a link from a reachable page
    /// leads to.
    fn unreachable(
        &self,
        pages: &[Page],
        rendered: &[std::sync::Arc<Rendered>],
        nav: &Nav,
        diags: &mut Vec<Diagnostic>,
    ) {
        let mut seen = vec![false; pages.len()];
        let mut queue: Vec<usize> = nav.order.clone();
        if let Some(home) = pages.iter().position(|p| p.kind == PageKind::Home) {
            queue.push(home);
        }
        for &p in &queue {
            seen[p] = true;
        }
        while let Some(p) = queue.pop() {
            for link in &rendered[p].links {
                if let Target::Page { page, .. } = link.target
                    && !seen[page]
                {
                    seen[page] = true;
                    queue.push(page);
                }
            }
        }
        for (i, page) in pages.iter().enumerate() {
            if seen[i] || page.generated || self.nav_file.as_deref() == Some(page.rel.as_str()) {
                continue;
            }
            let hint = match &self.nav_file {
                Some(nav) => {
                    format!("add it to the nav file `{nav}`, or link to it from a page that readers can reach")
                }
                None => "link to it from a page that readers can reach".to_string(),
            };
            diags.push(
                Diagnostic::warning("page is not reachable from the navigation or any link")
                    .at(Span::file(&page.file))
                    .hint(hint),
            );
        }
    }
}

/// The order `diagnostics::sort` uses: file, line, column, severity, message.
fn sort_key(d: &Diagnostic) -> (&str, usize, usize, diagnostics::Severity, &str) {
    match &d.span {
        Some(s) => (s.file.as_str(), s.line, s.column, d.severity, d.message.as_str()),
        None => ("", 0, 0, d.severity, d.message.as_str()),
    }
}

fn front(page: &Page) -> &str {
    &page.src[..page.body_start.min(page.src.len())]
}

fn overdue_review(page: &Page, default_every: Option<&str>, today: jiff::civil::Date, diags: &mut Vec<Diagnostic>) {
    let review = crate::site::review(page, default_every, today);
    if review.status != "overdue" {
        return;
    }
    let due = review.due.map(|d| d.to_string()).unwrap_or_default();
    let reviewed = page.front.reviewed.map(|d| d.to_string()).unwrap_or_default();
    diags.push(
        Diagnostic::warning(format!("review is overdue: due {due}, last reviewed {reviewed}"))
            .at(Span::find(&page.file, front(page), &reviewed))
            .hint(format!("review the page and set `reviewed = {today}`, or change `review_every`")),
    );
}

fn stale_sources(
    page: &Page,
    today: jiff::civil::Date,
    settings: &crate::competitors::Settings,
    diags: &mut Vec<Diagnostic>,
) {
    if !page.rel.starts_with(crate::competitors::SECTION) || page.kind != PageKind::Page {
        return;
    }
    let (newest, stale) = crate::competitors::freshness(&page.front, settings, today);
    if !stale {
        return;
    }
    let limit = &settings.stale_after;
    let hint = "look at the competitor again and add a dated source; the limit is `stale_after` under `[competitors]`";
    let d = match newest {
        Some(newest) => Diagnostic::warning(format!(
            "competitor note is stale: its newest source is from {newest}, older than `{limit}`"
        ))
        .at(Span::find(&page.file, front(page), &newest.to_string())),
        None => Diagnostic::warning("competitor note is stale: it has no dated source").at(Span::file(&page.file)),
    };
    diags.push(d.hint(hint));
}
