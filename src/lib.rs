//! opsbook turns an operations handbook kept in git — Markdown playbooks,
//! TOML metrics, competitor notes — into a static site.
//!
//! The pipeline, one stage per module: [`config`] reads `opsbook.toml`;
//! [`content`] walks the content folder into pages (with [`frontmatter`]),
//! data files and assets; [`site`] renders each page's Markdown
//! ([`markdown`], resolving links through [`links`]), builds navigation
//! ([`nav`]), checks links, and puts every page through the theme's
//! templates ([`theme`], [`render`]); [`output`] writes it all to a staging
//! folder and swaps it in atomically; [`fresh`] skips the whole build when
//! nothing changed since the last one. Problems at every stage are
//! [`diagnostics`] with file, line and column.

pub mod blocks;
pub mod cache;
pub mod charts;
pub mod check;
pub mod competitors;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod fasthash;
pub mod fresh;
pub mod frontmatter;
pub mod git;
pub mod hygiene;
pub mod links;
pub mod markdown;
pub mod metrics;
pub mod nav;
pub mod output;
pub mod reference;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod theme;
pub mod versions;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use config::Config;
use diagnostics::Diagnostic;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holds `opsbook.toml` and `content/`).
    pub root: PathBuf,
    /// Where to write the site; `<root>/public` by default.
    pub output: Option<PathBuf>,
    /// Include pages with `draft = true`.
    pub drafts: bool,
    /// Treat broken links and missing assets as errors.
    pub strict: bool,
    /// The date reviews are judged against; today by default.
    pub today: Option<frontmatter::Date>,
    /// Build even when nothing changed since the last build ([`fresh`]).
    pub force: bool,
}

#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    pub files: usize,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Vec<Diagnostic>,
    /// Nothing changed since the last build, so nothing was built: the
    /// counts and warnings are that build's ([`fresh`]).
    pub up_to_date: bool,
}

/// Why a build did not produce a site.
#[derive(Debug)]
pub enum Failure {
    /// The content has errors (exit code 1).
    Content(Vec<Diagnostic>),
    /// opsbook could not run: unreadable folders, unwritable output (exit code 2).
    Fatal(Vec<Diagnostic>),
}

impl Failure {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Failure::Content(d) | Failure::Fatal(d) => d,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Content(_) => 1,
            Failure::Fatal(_) => 2,
        }
    }
}

impl site::Sink for output::Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        output::Staging::write(self, rel, bytes)
    }
    fn copy(&self, rel: &str, from: &Path) -> std::io::Result<()> {
        output::Staging::copy(self, rel, from)
    }
    fn link(&self, rel: &str, existing: &str) -> std::io::Result<bool> {
        output::Staging::link(self, rel, existing).map(|()| true)
    }
    fn restart(&self) -> std::io::Result<()> {
        output::Staging::restart(self)
    }
}

/// How one run of the pipeline differs between `build`, `check` and `serve`.
#[derive(Clone, Default)]
pub struct Pipeline {
    /// Go on past content errors to find every problem (`check`); a build
    /// stops after the first stage with errors.
    pub keep_going: bool,
    /// What only `check` reports, gathered inside the build.
    pub audit: Option<Arc<check::Audit>>,
    /// Rendered Markdown and pages reused from earlier runs (`serve`).
    pub cache: Option<Arc<cache::Cache>>,
    /// Told the name of each stage as it starts (progress on a terminal).
    pub progress: Option<Progress>,
}

/// Told the name of each stage of the pipeline as it starts.
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

impl Pipeline {
    fn stage(&self, name: &str) {
        if let Some(p) = &self.progress {
            p(name);
        }
    }
}

/// A site folder that opened: its config, where its content lives and the
/// date reviews are judged against.
#[derive(Debug, Clone)]
pub struct SiteDir {
    pub root: PathBuf,
    pub config: Config,
    pub content_dir: PathBuf,
    pub today: jiff::civil::Date,
    /// Config problems that `open` went on past (`keep_going`): the
    /// defaults stand in for the broken config.
    pub diagnostics: Vec<Diagnostic>,
}

/// Opens the site folder at `opts.root` and reads its config. With
/// `keep_going`, a broken config is reported and the defaults used instead.
pub fn open(opts: &BuildOptions, keep_going: bool) -> Result<SiteDir, Failure> {
    let root = &opts.root;
    if !root.is_dir() {
        return Err(Failure::Fatal(vec![
            Diagnostic::error(format!("site folder `{}` does not exist", root.display()))
                .hint("pass the folder that holds `opsbook.toml` and `content/` with `--root`"),
        ]));
    }
    let (config, diagnostics) = match Config::load(root) {
        Ok(c) => (c, Vec::new()),
        Err(d) if keep_going => (Config::default(), d),
        Err(d) => return Err(Failure::Content(d)),
    };
    let content_dir = config.content_path(root);
    if !content_dir.is_dir() {
        if !diagnostics.is_empty() {
            return Err(Failure::Content(diagnostics));
        }
        return Err(Failure::Fatal(vec![
            Diagnostic::error(format!("content folder `{}` does not exist", content_dir.display()))
                .hint("put your Markdown pages in `content/`, or set `content_dir` in `opsbook.toml`"),
        ]));
    }
    let today = opts
        .today
        .or(config.today)
        .map(|d| d.0)
        .unwrap_or_else(|| jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
    Ok(SiteDir { root: root.clone(), config, content_dir, today, diagnostics })
}

/// Runs every stage, from loading the content to the last output file, into
/// `sink`. `build`, `check` and `serve` all go through here, so a new stage
/// belongs here too. Diagnostics come back sorted.
pub fn generate(
    opts: &BuildOptions,
    dir: &SiteDir,
    sink: &dyn site::Sink,
    run: &Pipeline,
) -> Result<(site::Summary, Vec<Diagnostic>), Failure> {
    let config = &dir.config;
    run.stage("reading content");
    let memo = run.cache.as_deref().map(|c| &c.files);
    let content = content::load_with(&dir.content_dir, &config.content_dir, opts.drafts, memo);
    if !run.keep_going && content.diagnostics.iter().any(Diagnostic::is_error) {
        let mut d = content.diagnostics;
        diagnostics::sort(&mut d);
        return Err(Failure::Content(d));
    }
    let mut diags = dir.diagnostics.clone();
    let theme = match theme::Theme::load(&dir.root, config.theme.as_deref(), &config.language) {
        Ok(theme) => theme,
        Err(d) if run.keep_going => {
            diags.extend(d);
            theme::Theme::load(&dir.root, None, &config.language).map_err(Failure::Content)?
        }
        Err(d) => return Err(Failure::Content(d)),
    };
    let statics = static_files(&dir.root.join(&config.static_dir));

    run.stage("rendering pages");
    crate::trace("content read");
    let site_opts = site::Options {
        strict: opts.strict,
        today: dir.today,
        audit: run.audit.clone(),
        cache: run.cache.clone(),
        print: true,
        reports: true,
        extras: None,
    };
    let editions = versions::Build {
        root: &dir.root,
        config,
        theme: &theme,
        statics: &statics,
        opts: &site_opts,
        drafts: opts.drafts,
        older: run.audit.is_none(),
    };
    let (summary, more) = match versions::build(&editions, content, sink) {
        Ok((summary, d)) => (Some(summary), d),
        Err(d) => (None, d),
    };
    diags.extend(more);
    diagnostics::sort(&mut diags);
    match summary {
        Some(summary) if !diags.iter().any(Diagnostic::is_error) => Ok((summary, diags)),
        _ => Err(Failure::Content(diags)),
    }
}

/// Builds the site at `opts.root`. On failure the previous output is left
/// exactly as it was. When nothing changed since the last build (and not
/// `opts.force`), nothing is built or written: the report is that build's,
/// marked `up_to_date` ([`fresh`]).
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Failure> {
    build_with(opts, &Pipeline::default())
}

/// [`build`] with pipeline options (progress reporting).
pub fn build_with(opts: &BuildOptions, run: &Pipeline) -> Result<BuildReport, Failure> {
    let dir = open(opts, false)?;
    let output = opts.output.clone().unwrap_or_else(|| dir.root.join("public"));
    output::check_target(&dir.root, &dir.content_dir, &output).map_err(|d| Failure::Fatal(vec![d]))?;
    run.stage("checking for changes");
    crate::trace("build: checking for changes");
    let mut inputs = fresh::Inputs::take(opts, &dir, &output);
    crate::trace("build: inputs fingerprinted");
    if !opts.force
        && let Some(last) = inputs.unchanged(&output)
    {
        let (pages, files, diagnostics) = (last.pages, last.files, last.diagnostics);
        return Ok(BuildReport { output, pages, files, diagnostics, up_to_date: true });
    }
    inputs.prepare(&output);
    let staging = output::Staging::new(&output).map_err(|e| {
        Failure::Fatal(vec![Diagnostic::error(format!("cannot create the output folder `{}`: {e}", output.display()))])
    })?;
    match generate(opts, &dir, &staging, run) {
        Ok((summary, diags)) => {
            run.stage("finishing");
            let staged = staging.staged_files();
            staging.commit().map_err(|e| {
                Failure::Fatal(vec![Diagnostic::error(format!("cannot replace `{}`: {e}", output.display()))])
            })?;
            // Without a manifest the next build is a full one: nothing to report.
            crate::trace("build: output in place");
            let _ = inputs.record(&output, Some(&staged), summary.pages, summary.files, &diags);
            crate::trace("build: manifest written");
            Ok(BuildReport {
                output,
                pages: summary.pages,
                files: summary.files,
                diagnostics: diags,
                up_to_date: false,
            })
        }
        Err(failure) => {
            staging.discard();
            Err(failure)
        }
    }
}

fn static_files(dir: &Path) -> Vec<site::StaticFile> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| site::StaticFile { rel: diagnostics::display_path(e.path(), dir), path: e.into_path() })
        .collect()
}

/// With `OPSBOOK_TRACE` set, prints `what` to stderr with the milliseconds
/// since the first call: timestamps of the pipeline's phases, for profiling
/// a build or a `serve` rebuild (`OPSBOOK_TRACE=1 opsbook build`).
pub fn trace(what: &str) {
    static T0: std::sync::LazyLock<std::time::Instant> = std::sync::LazyLock::new(std::time::Instant::now);
    static ON: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| std::env::var_os("OPSBOOK_TRACE").is_some());
    if *ON {
        // The process's CPU time beside the wall time: a phase whose CPU
        // grows slower than twice its wall time leaves a core idle.
        let cpu = cpu_ms().map_or_else(String::new, |ms| format!("{ms:>9.1} ms CPU"));
        eprintln!("{:>9.1} ms {cpu}  {what}", T0.elapsed().as_secs_f64() * 1000.0);
    }
}

/// User and system time of this process so far, from `/proc/self/stat`
/// (Linux; `None` elsewhere). For [`trace`] only.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // The kernel counts in clock ticks, 100 per second on Linux.
    Some(ticks * 10.0)
}
