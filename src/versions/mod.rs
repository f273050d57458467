//! Versions: editions of the handbook published side by side.
//!
//! The working tree (or the `default` branch) is "latest", at the output
//! root; every older version — tags matching a pattern, named branches, or
//! snapshot folders for sites outside git — is built with the current config
//! and theme under its own prefix (`v/<name>/`). Its content is read from
//! the git objects of its commit ([`source`]), never checked out.
//!
//! For every version, in order:
//! 1. [`list`] names the versions, newest first;
//! 2. [`source`] loads each one's content; [`snapshot`] keeps what the rest
//!    of this stage needs once the content is handed to the build;
//! 3. git facts per page come from one walk over history per version
//!    (`git::History`, diffs cached per commit across versions);
//! 4. [`switcher`] matches pages across versions (renames followed);
//! 5. [`changes`] says what changed against the previous version, as a
//!    generated page and entries of `changes.xml`;
//! 6. `site::build` builds each version, with [`extras`] adding dates, the
//!    switcher, and Markdown ([`cache`]) and finished pages ([`pages`])
//!    shared across versions, into a sink that prefixes paths ([`sink`]).
//!
//! **Invariant:** an older version never fails the build: its problems
//! become one warning and the version is left out, everywhere: one that
//! fails while building, after the switcher listed it, makes the build of
//! every version start again without it.
//!
//! **Invariant:** content that did not change between versions is not
//! read, parsed or rendered again, and a page whose template reads the same
//! values in two versions goes through it once.

mod cache;
pub(crate) mod changes;
mod diff;
mod extras;
mod list;
mod pages;
mod sink;
mod snapshot;
mod source;
mod switcher;

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{Content, Page, PageKind};
use crate::diagnostics::{Diagnostic, Span};
use crate::frontmatter::FrontMatter;
use crate::git::{Facts, History, Repo, Stamp};
use crate::site::{self, Sink, StaticFile, Summary};
use crate::theme::Theme;

pub use list::{Source, Version, glob, semver};

/// Everything a build of all versions reads besides the latest content.
pub struct Build<'a> {
    pub root: &'a Path,
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub statics: &'a [StaticFile],
    pub opts: &'a site::Options,
    pub drafts: bool,
    /// Build the older versions too (`check` looks at latest only).
    pub older: bool,
}

type Built = Result<(Summary, Vec<Diagnostic>), Vec<Diagnostic>>;

/// One version ready to build.
struct Edition {
    version: Version,
    content: Content,
    facts: Option<Arc<Facts>>,
    /// The commit it was built from (HEAD for the working tree).
    stamp: Option<Stamp>,
}

/// Builds latest from `content` and every older version, into `sink`.
pub fn build(b: &Build<'_>, content: Content, sink: &dyn Sink) -> Built {
    let mut diags = Vec::new();
    let cfg = b.config.versions.as_ref();
    let repo = match Repo::discover(b.root) {
        Ok(r) => r,
        Err(e) => {
            diags.push(Diagnostic::warning(format!("git dates and versions left out: {e}")));
            None
        }
    };
    let content_dir = b.root.join(&b.config.content_dir);
    let in_repo = repo.as_ref().and_then(|r| dir_in_repo(r, &content_dir).map(|d| (r, d)));
    if cfg.is_none() && in_repo.is_none() {
        return site::build(b.config, content, b.theme, b.statics, b.opts, sink).map(|(s, mut d)| {
            d.extend(diags);
            (s, d)
        });
    }
    if let Some((r, _)) = &in_repo
        && r.is_shallow()
    {
        diags.push(
            Diagnostic::warning(
                "the git repository is a shallow clone: page dates older than its history are left out",
            )
            .hint("fetch the whole history (`git fetch --unshallow`; in CI, a checkout depth of 0)"),
        );
    }
    let first = editions(b, cfg, in_repo.clone(), content, &mut diags, &[]);
    let result = match build_editions(b, cfg, first, sink, true) {
        Attempt::Done(result) => result,
        Attempt::LeftOut(names, warnings) => {
            // An older version failed to build after the switcher and the
            // "what changed" pages had listed it: build everything again
            // without it, from an empty output, so no page links to it.
            diags.extend(warnings);
            if let Err(e) = sink.restart() {
                diags.push(Diagnostic::error(format!("cannot start the output again: {e}")));
                return Err(diags);
            }
            let again = crate::content::load(&content_dir, &b.config.content_dir, b.drafts);
            let editions = editions(b, cfg, in_repo, again, &mut Vec::new(), &names);
            match build_editions(b, cfg, editions, sink, false) {
                Attempt::Done(result) => result,
                Attempt::LeftOut(_, more) => Err(more),
            }
        }
    };
    match result {
        Ok((summary, more)) => {
            diags.extend(more);
            Ok((summary, diags))
        }
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}

/// The content folder's path inside the repository (`""` at its root).
fn dir_in_repo(repo: &Repo, content_dir: &Path) -> Option<String> {
    let dir = content_dir.canonicalize().ok()?;
    let work = repo.workdir().canonicalize().ok()?;
    let rel = dir.strip_prefix(&work).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// Latest and every older version that loaded, newest first, with facts.
fn editions(
    b: &Build<'_>,
    cfg: Option<&crate::config::VersionsConfig>,
    in_repo: Option<(&Repo, String)>,
    latest_content: Content,
    diags: &mut Vec<Diagnostic>,
    left_out: &[String],
) -> Vec<Edition> {
    let repo = in_repo.as_ref().map(|(r, _)| *r);
    let repo_dir = in_repo.as_ref().map(|(_, d)| d.as_str()).unwrap_or("");
    let mut latest_source = Source::WorkTree;
    if let Some(branch) = cfg.and_then(|c| c.default.as_deref()) {
        match repo.and_then(|r| r.branch(branch)) {
            Some(id) => latest_source = Source::Commit { id, kind: list::RefKind::Branch },
            None => diags.push(
                Diagnostic::warning(format!("default branch `{branch}` not found; latest is the working tree"))
                    .at(Span::file(crate::config::FILE_NAME)),
            ),
        }
    }
    let latest_label = cfg
        .and_then(|c| c.labels.get("latest").cloned())
        .unwrap_or_else(|| b.theme.string("version_latest", "Latest").to_string());
    let mut versions = vec![Version {
        name: "latest".to_string(),
        label: latest_label,
        prefix: String::new(),
        source: latest_source,
        time: None,
    }];
    if let Some(cfg) = cfg
        && b.older
    {
        match list::older_versions(cfg, repo, b.root) {
            Ok(v) => versions.extend(v.into_iter().filter(|v| !left_out.contains(&v.name))),
            Err(e) => diags.push(Diagnostic::warning(format!("cannot list versions: {e}"))),
        }
    }
    let keep = cfg.map_or(5, |c| c.history);
    let mut history = repo.map(|r| History::new(r, repo_dir));
    let mut latest_content = Some(latest_content);
    let mut blobs = source::Blobs::default();
    if versions.iter().any(|v| matches!(v.source, Source::Commit { .. }))
        && let Some(c) = &latest_content
        && versions.first().is_some_and(|v| matches!(v.source, Source::WorkTree))
    {
        blobs.share_work_tree(c, b.drafts);
    }
    let mut out = Vec::new();
    for v in versions {
        let content = match &v.source {
            Source::WorkTree => latest_content.take(),
            _ => match source::load(&v, repo, repo_dir, &b.config.content_dir, b.drafts, &mut blobs) {
                Ok(Some(c)) if !c.diagnostics.iter().any(Diagnostic::is_error) => Some(c),
                Ok(Some(c)) => {
                    skipped(diags, &v, c.diagnostics.iter().find(|d| d.is_error()).map(|d| d.render(false)));
                    None
                }
                Ok(None) => {
                    skipped(diags, &v, Some(format!("it has no `{}` folder", b.config.content_dir)));
                    None
                }
                Err(e) => {
                    skipped(diags, &v, Some(e));
                    None
                }
            },
        };
        // Latest from the working tree takes its dates from HEAD.
        let tip = match &v.source {
            Source::WorkTree => repo.and_then(Repo::head),
            _ => v.commit(),
        };
        crate::trace("versions: content");
        let facts = match (&mut history, tip) {
            (Some(h), Some(tip)) => match h.facts(tip, keep) {
                Ok(f) => Some(Arc::new(f)),
                Err(e) => {
                    diags.push(Diagnostic::warning(format!("git dates of `{}` left out: {e}", v.name)));
                    None
                }
            },
            _ => None,
        };
        crate::trace("versions: facts");
        let stamp = tip.and_then(|t| repo.and_then(|r| r.stamp(t)));
        match content {
            Some(content) => out.push(Edition { version: v, content, facts, stamp }),
            None if v.is_latest() => {
                // Latest from a branch that failed: fall back to the working tree.
                if let Some(c) = latest_content.take() {
                    let version = Version { source: Source::WorkTree, ..v };
                    out.push(Edition { version, content: c, facts, stamp });
                }
            }
            None => {}
        }
    }
    out
}

fn skipped(diags: &mut Vec<Diagnostic>, v: &Version, why: Option<String>) {
    let mut d = Diagnostic::warning(format!("version `{}` left out", v.name));
    if let Some(why) = why {
        d = d.hint(format!("because: {}", why.lines().next().unwrap_or("").trim_start_matches("error: ")));
    }
    diags.push(d);
}

/// How a build of every edition ended.
enum Attempt {
    Done(Built),
    /// These older versions failed (with these warnings) and may be retried
    /// without them; nothing else is final.
    LeftOut(Vec<String>, Vec<Diagnostic>),
}

fn build_editions(
    b: &Build<'_>,
    cfg: Option<&crate::config::VersionsConfig>,
    mut editions: Vec<Edition>,
    sink: &dyn Sink,
    may_retry: bool,
) -> Attempt {
    crate::trace("versions: loaded");
    let hashes = snapshot::TextHashes::of(editions.iter().map(|e| &e.content));
    let snapshots: Vec<snapshot::Snapshot> = editions
        .par_iter()
        .map(|e| snapshot::Snapshot::of(&e.content, &hashes, b.config, b.opts.reports && e.version.is_latest()))
        .collect();
    drop(hashes);
    crate::trace("versions: snapshots");
    let mut switcher = cfg.map(|_| {
        let list = editions
            .iter()
            .zip(&snapshots)
            .map(|(e, s)| {
                let mut ed = switcher::Edition::new(&e.version.name, &e.version.label, &e.version.prefix, s);
                if let Some(st) = &e.stamp {
                    ed.commit = Some(st.short.clone());
                    ed.date = st.date().map(|d| d.to_string());
                    ed.date_time = Some(st.rfc3339());
                }
                ed
            })
            .collect();
        let snaps: Vec<&snapshot::Snapshot> = snapshots.iter().collect();
        switcher::Switcher::new(list, &snaps, b.config.base_url.as_deref())
    });
    crate::trace("versions: switcher");
    let lang = crate::metrics::format::Lang::from_code(&b.config.language);
    let mut feed = Vec::new();
    if let Some(sw) = &mut switcher {
        // Each edition against the one before it, on every core (diffing
        // the changed pages is most of it); then the pages are added.
        let title = b.theme.string("changes_title", "What changed").to_string();
        let made: Vec<Option<(&str, String, Option<changes::FeedEntry>)>> = (0..editions.len())
            .into_par_iter()
            .map(|i| {
                if editions.len() < 2 {
                    return None;
                }
                let url = if editions[i].content.pages.iter().any(|p| p.url == changes::URL) {
                    changes::FALLBACK_URL
                } else {
                    changes::URL
                };
                // The previous edition: the next older one that is not a branch.
                let Some(p) = (i + 1..editions.len()).find(|&j| !editions[j].version.is_branch()) else {
                    return Some((url, changes::first_html(b.theme), None));
                };
                let (new, old) = (&snapshots[i], &snapshots[p]);
                let c = changes::compare(old, new, &sw.renames(p, i), lang);
                let prev = &editions[p].version;
                let prev_date = sw.editions[p].date.as_deref();
                let places = changes::Places { here: &editions[i].version.prefix, prev: &prev.prefix, page_url: url };
                let html = changes::html(&c, (&prev.label, prev_date), &places, b.theme);
                let entry = (!c.is_empty()).then(|| feed_entry(b, &editions[i], &editions[p], sw, i, url, &c));
                Some((url, html, entry))
            })
            .collect();
        for (i, made) in made.into_iter().enumerate() {
            let Some((url, html, entry)) = made else { continue };
            feed.extend(entry);
            let pages = &mut editions[i].content.pages;
            pages.push(changes_page(url, title.clone(), html));
            pages.sort_by(|x, y| x.url.cmp(&y.url));
            sw.editions[i].add_changes_page(url);
        }
    }
    crate::trace("versions: changes");
    let common = Arc::new(extras::Shared {
        markdown: cache::MarkdownCache::default(),
        pages: pages::PageCache::default(),
        digests: pages::Digests::default(),
        switcher,
        reads_current: pages::may_read_current(b.theme.templates.values().map(String::as_str)),
        skeletons: pages::PageCache::default(),
        splice_sidebar: pages::sidebar_printed_raw(b.theme.templates.values().map(String::as_str)),
        several: editions.len() > 1,
        search: (editions.len() > 1).then(Default::default),
    });
    let shared = sink::Shared::new(sink);
    let mut total = Summary::default();
    let mut diags = Vec::new();
    // Latest first: its errors fail the build before anything else runs.
    // Then the older versions side by side (their output does not depend on
    // the order; only which files end up shared does).
    let one = |i: usize, e: Edition| {
        let latest = e.version.is_latest();
        let extras = extras::VersionExtras::new(Arc::clone(&common), i, e.facts.clone());
        let opts = site::Options {
            strict: b.opts.strict && latest,
            audit: if latest { b.opts.audit.clone() } else { None },
            // The print page is made for the version at the root only.
            print: b.opts.print && latest,
            reports: b.opts.reports && latest,
            extras: Some(Arc::new(extras)),
            ..b.opts.clone()
        };
        let target = sink::Prefixed { prefix: &e.version.prefix, shared: &shared };
        (e.version.clone(), site::build(b.config, e.content, b.theme, b.statics, &opts, &target))
    };
    let mut editions = editions.into_iter().enumerate();
    let Some((version, first)) = editions.next().map(|(i, e)| one(i, e)) else {
        return Attempt::Done(Ok((total, diags)));
    };
    match first {
        Ok((summary, d)) if version.is_latest() => {
            total.pages += summary.pages;
            total.files += summary.files;
            diags.extend(d);
        }
        Err(d) if version.is_latest() => return Attempt::Done(Err(d)),
        _ => {}
    }
    let older = build_older(editions.collect(), &one);
    let mut failed = Vec::new();
    let mut warnings = Vec::new();
    for (version, built) in older {
        match built {
            Ok((summary, _)) => {
                total.pages += summary.pages;
                total.files += summary.files;
            }
            Err(d) => {
                skipped(&mut warnings, &version, d.iter().find(|d| d.is_error()).map(|d| d.render(false)));
                failed.push(version.name.clone());
            }
        }
    }
    if !failed.is_empty() && may_retry {
        return Attempt::LeftOut(failed, warnings);
    }
    diags.extend(warnings);
    if let Some(sw) = &common.switcher {
        let mut extra = vec![("versions.json".to_string(), sw.json())];
        // Latest's pages link to the feed when it has a "what changed" page:
        // the feed exists then, without entries when nothing changed.
        if sw.editions.first().is_some_and(|e| e.changes_url.is_some()) {
            let title = b.theme.string("changes_title", "What changed");
            let fallback = sw.editions[0].date_time.clone().unwrap_or_else(|| format!("{}T00:00:00Z", b.opts.today));
            extra.push((
                "changes.xml".to_string(),
                changes::atom(&b.config.title, title, b.config.base_url.as_deref(), &feed, &fallback),
            ));
        }
        for (rel, text) in extra {
            if let Err(e) = sink.write(&rel, text.as_bytes()) {
                return Attempt::Done(Err(vec![Diagnostic::error(format!("cannot write `{rel}`: {e}"))]));
            }
            total.files += 1;
        }
    }
    if std::env::var_os("OPSBOOK_TRACE").is_some() {
        use std::sync::atomic::Ordering::Relaxed;
        eprintln!(
            "versions: markdown {} rendered {} reused; pages {} made {} reused; skeletons {} rendered {} reused",
            common.markdown.rendered.load(Relaxed),
            common.markdown.reused.load(Relaxed),
            common.pages.rendered.load(Relaxed),
            common.pages.reused.load(Relaxed),
            common.skeletons.rendered.load(Relaxed),
            common.skeletons.reused.load(Relaxed)
        );
    }
    // The caches hold every version's pages: freeing them takes a while,
    // and nothing waits for it.
    site::drop_aside(common);
    Attempt::Done(Ok((total, diags)))
}

/// Builds the older versions, newest first. No page of the newest older
/// version equals latest's (the banner, `noindex` and canonical link are on
/// every page), so it goes through every template: it is built alone, on
/// every core. The others mostly share its pages and are built side by
/// side, each thread taking the next newest, so a version is built while
/// or after the one before it, whose pages it likely shares — never with
/// a run of unbuilt versions between them (which would render again what
/// they changed).
fn build_older<F>(editions: Vec<(usize, Edition)>, one: &F) -> Vec<(Version, Built)>
where
    F: Fn(usize, Edition) -> (Version, Built) + Sync,
{
    let mut editions = editions.into_iter();
    let Some((i, e)) = editions.next() else {
        return Vec::new();
    };
    let first = one(i, e);
    // In the order spawned: the next free thread takes the next newest.
    let mut built: Vec<Option<(Version, Built)>> = (0..editions.len()).map(|_| None).collect();
    rayon::scope_fifo(|s| {
        for (slot, (i, e)) in built.iter_mut().zip(editions) {
            s.spawn_fifo(move |_| *slot = Some(one(i, e)));
        }
    });
    std::iter::once(first).chain(built.into_iter().flatten()).collect()
}

fn changes_page(url: &str, title: String, html: String) -> Page {
    Page {
        rel: url.to_string(),
        file: url.to_string(),
        url: url.to_string(),
        kind: PageKind::Page,
        src: "".into(),
        body_start: 0,
        front: FrontMatter { title: Some(title), ..FrontMatter::default() },
        generated: true,
        prebuilt: Some(html),
    }
}

fn feed_entry(
    b: &Build<'_>,
    here: &Edition,
    prev: &Edition,
    sw: &switcher::Switcher,
    i: usize,
    url: &str,
    c: &changes::Changes<'_>,
) -> changes::FeedEntry {
    let base = b.config.base_url.as_deref().map(|u| u.trim_end_matches('/'));
    let abs = |path: &str| match base {
        Some(base) => {
            format!("{base}/{}", path.split('/').map(crate::links::encode_segment).collect::<Vec<_>>().join("/"))
        }
        None => path.split('/').map(crate::links::encode_segment).collect::<Vec<_>>().join("/"),
    };
    let link = abs(&format!("{}{url}", here.version.prefix));
    let page_url = |p: &snapshot::PageInfo, new: bool| {
        let prefix = if new { &here.version.prefix } else { &prev.version.prefix };
        abs(&format!("{prefix}{}", p.url))
    };
    let title = b
        .theme
        .string("changes_since", "{version}: changes since {previous}")
        .replace("{version}", &here.version.label)
        .replace("{previous}", &prev.version.label);
    let stamp = sw.editions[i].date_time.clone();
    let id = match (base, &sw.editions[i].commit) {
        (Some(_), Some(commit)) => format!("{link}#{commit}"),
        (Some(_), None) => link.clone(),
        (None, commit) => format!(
            "urn:opsbook:{}:{}",
            changes::urn_part(&here.version.name),
            commit.as_deref().unwrap_or(&prev.version.name)
        ),
    };
    changes::FeedEntry {
        title,
        id,
        link,
        updated: stamp.unwrap_or_else(|| format!("{}T00:00:00Z", b.opts.today)),
        html: changes::feed_html(c, page_url, b.theme),
    }
}

/// For tests and tools: the versions a site would build, newest first.
pub fn list(root: &Path, config: &Config) -> Result<Vec<Version>, String> {
    let Some(cfg) = &config.versions else {
        return Ok(Vec::new());
    };
    let repo = Repo::discover(root)?;
    list::older_versions(cfg, repo.as_ref(), root)
}
