//! The `opsbook` command: parses arguments, calls the library, prints what
//! it reports, and exits 0 (ok), 1 (problems in the content) or 2 (could
//! not run).
//!
//! Output policy: diagnostics and progress go to stderr, in colour only on
//! a terminal and without `NO_COLOR`; a spinner shows long work on a
//! terminal and nothing is animated when piped. `check` writes its report
//! to stdout (text or JSON), `completions` its script.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use opsbook::diagnostics::{self, Diagnostic};
use opsbook::serve::Event;

const EXAMPLES: &str = "\
Examples:
  opsbook init handbook            start a new site from the example handbook
  cd handbook && opsbook serve     preview at http://127.0.0.1:3000/, reloading on every save
  opsbook new playbook growth/referral
  opsbook check                    list every problem at once; exit code 1 when there are errors
  opsbook build                    build the site into public/";

#[derive(Parser)]
#[command(name = "opsbook", version, about = "Build an operations handbook into a static site", after_help = EXAMPLES)]
struct Cli {
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print each stage as it runs, and what each rebuild reused.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct SiteArgs {
    /// The site folder, holding `opsbook.toml` and `content/`.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    drafts: bool,
    /// Judge reviews against this date (YYYY-MM-DD) instead of today.
    #[arg(long)]
    today: Option<opsbook::frontmatter::Date>,
}

impl SiteArgs {
    fn options(self) -> opsbook::BuildOptions {
        opsbook::BuildOptions { root: self.root, drafts: self.drafts, today: self.today, ..Default::default() }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into `<root>/public` (atomic: a failed build keeps the old site).
    ///
    /// When nothing changed since the last build (content, config, theme,
    /// static files, git refs, options, the date, the output itself), it
    /// builds nothing and says so; `--force` builds anyway.
    #[command(
        after_help = "Examples:\n  opsbook build\n  opsbook build --root handbook --output /srv/www/handbook\n  opsbook build --force"
    )]
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Where to write the site (default: `<root>/public`).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Treat broken links and missing assets as errors.
        #[arg(long)]
        strict: bool,
        /// Build even when nothing changed since the last build.
        #[arg(long)]
        force: bool,
    },
    /// Report every problem in the site at once, without writing anything.
    ///
    /// Broken links and anchors, unknown metrics, front matter and config
    /// errors, missing images, duplicate URLs and aliases are errors;
    /// overdue reviews, stale competitor notes and pages nothing links to
    /// are warnings. Exit code 0 without errors, 1 with errors, 2 when the
    /// check could not run.
    #[command(
        after_help = "Examples:\n  opsbook check\n  opsbook check --format json > problems.json\n  opsbook check --external --timeout 5"
    )]
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// `text` for people, `json` for CI (shape documented in ARCHITECTURE.md).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also check links to other sites (http:// only; https:// is counted as not checked).
        #[arg(long)]
        external: bool,
        /// Seconds to wait for each external request.
        #[arg(long, default_value_t = 10, value_name = "SECS")]
        timeout: u64,
        /// External requests at once.
        #[arg(long, default_value_t = 8, value_name = "N")]
        concurrency: usize,
    },
    /// Build, serve on 127.0.0.1, and rebuild and live-reload open pages on every change.
    #[command(
        after_help = "Examples:\n  opsbook serve\n  opsbook serve --port 8080 --open\n  opsbook serve --bind 0.0.0.0   # let other machines see it"
    )]
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Port to listen on (default: 3000, or the next free one; 0 for any free port).
        #[arg(long, short)]
        port: Option<u16>,
        /// Address to listen on; anything but loopback exposes the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Stop by itself after this many seconds (for scripts and tests).
        #[arg(long, hide = true, value_name = "SECS")]
        stop_after: Option<u64>,
    },
    /// Create a new site from the example handbook.
    #[command(after_help = "Examples:\n  opsbook init handbook\n  opsbook init . --force")]
    Init {
        /// Folder to create the site in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write into a folder that is not empty (same-named files are replaced).
        #[arg(long)]
        force: bool,
    },
    /// Create a playbook, metric or competitor note with today's date and the right front matter.
    #[command(
        after_help = "Examples:\n  opsbook new playbook growth/referral-program\n  opsbook new metric retention_d30\n  opsbook new competitor paonar --owner 王磊"
    )]
    New {
        kind: NewKind,
        /// File name, optionally with folders below the kind's folder (`growth/referral`).
        name: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Owner written into the front matter (default: `git config user.name`).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  opsbook completions bash > ~/.local/share/bash-completion/completions/opsbook\n  opsbook completions zsh > ~/.zfunc/_opsbook\n  opsbook completions fish > ~/.config/fish/completions/opsbook.fish"
    )]
    Completions { shell: clap_complete::Shell },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum NewKind {
    Playbook,
    Metric,
    Competitor,
}

/// How much to print, and how.
#[derive(Clone, Copy)]
struct Out {
    quiet: bool,
    verbose: bool,
    color: bool,
    terminal: bool,
}

fn main() -> ExitCode {
    // A panic is a bug in opsbook, never the user's fault: say so plainly and,
    // on the main thread, exit 2 ("could not run"), not Rust's 101. The
    // previous output is intact because nothing is swapped in before a build
    // completes.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("error: opsbook hit an internal error{at}: {what}");
        eprintln!("  = help: this is a bug in opsbook; please report it with the file that triggered it");
        // Worker threads unwind as usual: a build's panic reaches the main
        // thread through rayon, and a preview server outlives one bad request.
        if std::thread::current().name() == Some("main") {
            eprintln!("  = note: the previous output was left untouched");
            std::process::exit(2);
        }
    }));
    let cli = Cli::parse();
    let terminal = std::io::stderr().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let out = Out { quiet: cli.quiet, verbose: cli.verbose, color: terminal && !no_color, terminal };
    let code = match cli.command {
        Command::Build { site, output, strict, force } => {
            build(opsbook::BuildOptions { output, strict, force, ..site.options() }, out)
        }
        Command::Check { site, format, external, timeout, concurrency } => {
            let mut opts = opsbook::check::CheckOptions::new(site.options());
            opts.external = external;
            opts.timeout = Duration::from_secs(timeout.max(1));
            opts.concurrency = concurrency;
            let color = std::io::stdout().is_terminal() && !no_color;
            check(&opts, format, Out { color, ..out })
        }
        Command::Serve { site, port, bind, open, stop_after } => {
            let opts = opsbook::serve::ServeOptions {
                build: site.options(),
                bind,
                port,
                stop_after: stop_after.map(Duration::from_secs),
            };
            serve(&opts, open, out)
        }
        Command::Init { dir, force } => match opsbook::scaffold::init(&dir, force) {
            Ok(created) => {
                if !out.quiet {
                    let cd = if dir == std::path::Path::new(".") {
                        String::new()
                    } else {
                        format!("cd {} && ", dir.display())
                    };
                    eprintln!(
                        "created a site with the example handbook in {} ({} files)\nnext: {cd}opsbook serve",
                        created.dir.display(),
                        created.files
                    );
                }
                0
            }
            Err(d) => {
                print_all(&[d], out.color);
                2
            }
        },
        Command::New { kind, name, root, owner } => {
            let kind = match kind {
                NewKind::Playbook => opsbook::scaffold::Kind::Playbook,
                NewKind::Metric => opsbook::scaffold::Kind::Metric,
                NewKind::Competitor => opsbook::scaffold::Kind::Competitor,
            };
            let owner = owner.or_else(git_user);
            let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
            match opsbook::scaffold::new_file(&root, kind, &name, today, owner.as_deref()) {
                Ok(path) => {
                    if !out.quiet {
                        eprintln!("created {}", path.display());
                    }
                    0
                }
                Err(diags) => {
                    print_all(&diags, out.color);
                    2
                }
            }
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "opsbook", &mut script);
            stdout(&script);
            0
        }
    };
    ExitCode::from(code)
}

/// A spinner on a terminal, stage lines with `--verbose`, nothing otherwise.
fn progress(out: Out) -> (Option<indicatif::ProgressBar>, opsbook::Pipeline) {
    let started = Instant::now();
    if out.verbose {
        let report = move |stage: &str| eprintln!("[{:>6.2}s] {stage}", started.elapsed().as_secs_f64());
        return (None, opsbook::Pipeline { progress: Some(Arc::new(report)), ..Default::default() });
    }
    if out.quiet || !out.terminal {
        return (None, opsbook::Pipeline::default());
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(100));
    let shown = bar.clone();
    let report = move |stage: &str| shown.set_message(stage.to_string());
    (Some(bar), opsbook::Pipeline { progress: Some(Arc::new(report)), ..Default::default() })
}

fn build(opts: opsbook::BuildOptions, out: Out) -> u8 {
    let started = Instant::now();
    let (bar, run) = progress(out);
    let result = opsbook::build_with(&opts, &run);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            if !out.quiet {
                print_all(&report.diagnostics, out.color);
                let warnings = if report.diagnostics.is_empty() {
                    String::new()
                } else {
                    format!("; {}", diagnostics::summary(&report.diagnostics))
                };
                if report.up_to_date {
                    eprintln!(
                        "up to date: {} pages in {} (nothing changed since the last build){warnings}",
                        report.pages,
                        report.output.display(),
                    );
                } else {
                    eprintln!(
                        "built {} pages ({} files) into {} in {:.2}s{warnings}",
                        report.pages,
                        report.files,
                        report.output.display(),
                        started.elapsed().as_secs_f64(),
                    );
                }
            }
            0
        }
        Err(failure) => {
            let shown: Vec<Diagnostic> =
                failure.diagnostics().iter().filter(|d| !out.quiet || d.is_error()).cloned().collect();
            print_all(&shown, out.color);
            eprintln!(
                "build failed: {}; the previous output was left untouched",
                diagnostics::summary(failure.diagnostics())
            );
            failure.exit_code() as u8
        }
    }
}

fn check(opts: &opsbook::check::CheckOptions, format: Format, out: Out) -> u8 {
    let bar = (out.terminal && !out.quiet).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(100));
        bar.set_message(if opts.external { "checking, links to other sites too" } else { "checking" });
        bar
    });
    let result = opsbook::check::check(opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            match format {
                Format::Json => stdout(report.to_json().as_bytes()),
                Format::Text => stdout(report.to_text(out.color, !out.quiet).as_bytes()),
            }
            report.exit_code() as u8
        }
        Err(failure) => {
            if let Format::Json = format {
                let problems = failure.diagnostics().iter().cloned();
                let problems = problems.map(|d| opsbook::check::Problem { diagnostic: d, also: Vec::new() });
                let report = opsbook::check::CheckReport { problems: problems.collect(), external: None };
                stdout(report.to_json().as_bytes());
            }
            print_all(failure.diagnostics(), out.color);
            failure.exit_code() as u8
        }
    }
}

fn serve(opts: &opsbook::serve::ServeOptions, open: bool, out: Out) -> u8 {
    if !opts.bind.is_loopback() && !out.quiet {
        eprintln!("warning: listening on {}: anyone on the network can read this preview", opts.bind);
    }
    let last_warnings: Mutex<Vec<Diagnostic>> = Mutex::new(Vec::new());
    let first = AtomicBool::new(true);
    let report = |event: Event<'_>| match event {
        Event::Listening { url } => {
            if !out.quiet {
                eprintln!("serving at {url} (press Ctrl-C to stop)");
            }
            if open && !opsbook::serve::open_browser(url) {
                eprintln!("warning: could not open a browser; open {url} yourself");
            }
        }
        Event::Changed { files } => {
            if out.verbose {
                eprintln!("changed: {}", files.join(", "));
            }
        }
        Event::Built { pages, took, changed, stats, warnings } => {
            if let Ok(mut last) = last_warnings.lock()
                && !out.quiet
                && *last != warnings
            {
                print_all(warnings, out.color);
                *last = warnings.to_vec();
            }
            if out.quiet {
                return;
            }
            let ms = took.as_millis();
            if first.swap(false, Ordering::SeqCst) {
                eprintln!("built {pages} pages in {ms} ms");
            } else {
                let files = if changed == 1 { "1 file".to_string() } else { format!("{changed} files") };
                eprintln!("rebuilt in {ms} ms: {files} changed");
            }
            if out.verbose {
                eprintln!(
                    "  markdown: {} rendered, {} reused; pages: {} rendered, {} reused",
                    stats.markdown_rendered, stats.markdown_reused, stats.pages_rendered, stats.pages_reused
                );
            }
        }
        Event::Failed { diagnostics: diags } => {
            first.store(false, Ordering::SeqCst);
            print_all(diags, out.color);
            eprintln!(
                "build failed: {}; still serving the last good site, the error is shown on open pages",
                diagnostics::summary(diags)
            );
        }
        Event::Indexed { took } => {
            if out.verbose {
                eprintln!("search index rebuilt in {} ms", took.as_millis());
            }
        }
        Event::Problem { message } => eprintln!("warning: {message}"),
        Event::Stopping => {
            if !out.quiet {
                eprintln!("stopped");
            }
        }
    };
    match opsbook::serve::serve(opts, &report) {
        Ok(()) => 0,
        Err(failure) => {
            print_all(failure.diagnostics(), out.color);
            failure.exit_code() as u8
        }
    }
}

/// `git config user.name`, when git is there and knows it.
fn git_user() -> Option<String> {
    let out = std::process::Command::new("git").args(["config", "user.name"]).output().ok()?;
    let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !name.is_empty()).then_some(name)
}

/// Writes to stdout; a closed pipe (`opsbook check | head`) is not an error.
fn stdout(bytes: &[u8]) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

fn print_all(diags: &[Diagnostic], color: bool) {
    for d in diags {
        eprintln!("{}", d.render(color));
    }
}

/// jemalloc instead of the system's allocator: a build allocates and frees
/// millions of small strings on every core (see ARCHITECTURE.md).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
