//! The `opsbook` command: parses arguments, calls the library, prints
//! diagnostics, and exits 0 (ok), 1 (problems in the content) or 2 (could
//! not run).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use opsbook::diagnostics::{self, Diagnostic};

#[derive(Parser)]
#[command(name = "opsbook", version, about = "Build an operations handbook into a static site")]
struct Cli {
    /// Print only errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into `<root>/public` (atomic: a failed build keeps the old site).
    #[command(after_help = "Examples:\n  opsbook build\n  opsbook build --root handbook --output /srv/www/handbook")]
    Build {
        /// The site folder, holding `opsbook.toml` and `content/`.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site (default: `<root>/public`).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Include pages marked `draft = true`.
        #[arg(long)]
        drafts: bool,
        /// Treat broken links and missing assets as errors.
        #[arg(long)]
        strict: bool,
        /// Judge reviews against this date (YYYY-MM-DD) instead of today.
        #[arg(long)]
        today: Option<opsbook::frontmatter::Date>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match cli.command {
        Command::Build { root, output, drafts, strict, today } => {
            let opts = opsbook::BuildOptions { root, output, drafts, strict, today };
            let started = std::time::Instant::now();
            match opsbook::build(&opts) {
                Ok(report) => {
                    if !cli.quiet {
                        print_all(&report.diagnostics, color);
                        eprintln!(
                            "built {} pages ({} files) into {} in {:.2}s{}",
                            report.pages,
                            report.files,
                            report.output.display(),
                            started.elapsed().as_secs_f64(),
                            if report.diagnostics.is_empty() {
                                String::new()
                            } else {
                                format!("; {}", diagnostics::summary(&report.diagnostics))
                            }
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    let shown: Vec<Diagnostic> =
                        failure.diagnostics().iter().filter(|d| !cli.quiet || d.is_error()).cloned().collect();
                    print_all(&shown, color);
                    eprintln!(
                        "build failed: {}; the previous output was left untouched",
                        diagnostics::summary(failure.diagnostics())
                    );
                    ExitCode::from(failure.exit_code() as u8)
                }
            }
        }
    }
}

fn print_all(diags: &[Diagnostic], color: bool) {
    for d in diags {
        eprintln!("{}", d.render(color));
    }
}
