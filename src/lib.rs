//! opsbook turns an operations handbook kept in git — Markdown playbooks,
//! TOML metrics, competitor notes — into a static site.
//!
//! The pipeline, one stage per module: [`config`] reads `opsbook.toml`;
//! [`content`] walks the content folder into pages (with [`frontmatter`]),
//! data files and assets; [`site`] renders each page's Markdown
//! ([`markdown`], resolving links through [`links`]), builds navigation
//! ([`nav`]), checks links, and puts every page through the theme's
//! templates ([`theme`], [`render`]); [`output`] writes it all to a staging
//! folder and swaps it in atomically. Problems at every stage are
//! [`diagnostics`] with file, line and column.

pub mod config;
pub mod content;
pub mod diagnostics;
pub mod frontmatter;
pub mod links;
pub mod markdown;
pub mod nav;
pub mod output;
pub mod render;
pub mod site;
pub mod theme;

use std::path::{Path, PathBuf};

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
}

#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    pub files: usize,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Vec<Diagnostic>,
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
}

/// Builds the site at `opts.root`. On failure the previous output is left
/// exactly as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Failure> {
    let root = &opts.root;
    if !root.is_dir() {
        return Err(Failure::Fatal(vec![
            Diagnostic::error(format!("site folder `{}` does not exist", root.display()))
                .hint("pass the folder that holds `opsbook.toml` and `content/` with `--root`"),
        ]));
    }
    let config = Config::load(root).map_err(Failure::Content)?;
    let content_dir = config.content_path(root);
    if !content_dir.is_dir() {
        return Err(Failure::Fatal(vec![
            Diagnostic::error(format!("content folder `{}` does not exist", content_dir.display()))
                .hint("put your Markdown pages in `content/`, or set `content_dir` in `opsbook.toml`"),
        ]));
    }
    let output = opts.output.clone().unwrap_or_else(|| root.join("public"));
    output::check_target(root, &content_dir, &output).map_err(|d| Failure::Fatal(vec![d]))?;

    let today = opts
        .today
        .or(config.today)
        .map(|d| d.0)
        .unwrap_or_else(|| jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
    let content = content::load(&content_dir, &config.content_dir, opts.drafts);
    if content.diagnostics.iter().any(Diagnostic::is_error) {
        let mut d = content.diagnostics;
        diagnostics::sort(&mut d);
        return Err(Failure::Content(d));
    }
    let theme = theme::Theme::load(root, config.theme.as_deref(), &config.language).map_err(Failure::Content)?;
    let statics = static_files(&root.join(&config.static_dir));

    let staging = output::Staging::new(&output).map_err(|e| {
        Failure::Fatal(vec![Diagnostic::error(format!("cannot create the output folder `{}`: {e}", output.display()))])
    })?;
    let site_opts = site::Options { strict: opts.strict, today };
    match site::build(&config, content, &theme, &statics, &site_opts, &staging) {
        Ok((summary, mut diags)) => {
            staging.commit().map_err(|e| {
                Failure::Fatal(vec![Diagnostic::error(format!("cannot replace `{}`: {e}", output.display()))])
            })?;
            diagnostics::sort(&mut diags);
            Ok(BuildReport { output, pages: summary.pages, files: summary.files, diagnostics: diags })
        }
        Err(mut diags) => {
            staging.discard();
            diagnostics::sort(&mut diags);
            Err(Failure::Content(diags))
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
