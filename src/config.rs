//! Site configuration: `opsbook.toml` at the site root.
//!
//! Every key is optional: a folder of Markdown with no config is a valid
//! site. Unknown keys are errors with a did-you-mean hint, reported at their
//! line and column like any other TOML problem.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{self, Diagnostic};
use crate::frontmatter::Date;

pub const FILE_NAME: &str = "opsbook.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title, shown in the top bar and in every `<title>`.
    pub title: String,
    /// One-line description for the home page `<meta name="description">`.
    pub description: String,
    /// `zh-CN` or `en`: picks the UI strings and number formats.
    pub language: String,
    /// Absolute URL of the published site; only needed for the sitemap.
    pub base_url: Option<String>,
    /// Folder of pages, relative to the site root.
    pub content_dir: String,
    /// Folder copied verbatim to the output root.
    pub static_dir: String,
    /// A Markdown file (relative to the content folder) whose nested list of
    /// links is the sidebar, like mdBook's `SUMMARY.md`.
    pub nav: Option<String>,
    /// A theme under `themes/<name>/` to use instead of the embedded default.
    pub theme: Option<String>,
    /// "Edit this page" link; `{path}` is replaced by the page's path from the site root.
    pub edit_url: Option<String>,
    /// The build date used for review status; defaults to the real date.
    pub today: Option<Date>,
    /// `[versions]`: editions of the handbook from git tags and branches,
    /// or from snapshot folders.
    pub versions: Option<VersionsConfig>,
    /// `[check]`: settings of `opsbook check`.
    pub check: crate::check::CheckConfig,
    /// `[competitors]`: dimensions, scale and freshness of competitor notes,
    /// and our own product (`[competitors.us]`).
    pub competitors: crate::competitors::Settings,
    /// `[review]`: default review periods, site-wide and per section.
    pub review: crate::hygiene::ReviewConfig,
    /// `[tags]`: the pages listing each tag's pages.
    pub tags: TagsConfig,
    /// `[print]`: the page holding the whole handbook, for printing.
    pub print: PrintConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Handbook".to_string(),
            description: String::new(),
            language: "zh-CN".to_string(),
            base_url: None,
            content_dir: "content".to_string(),
            static_dir: "static".to_string(),
            nav: None,
            theme: None,
            edit_url: None,
            today: None,
            versions: None,
            check: crate::check::CheckConfig::default(),
            competitors: crate::competitors::Settings::default(),
            review: crate::hygiene::ReviewConfig::default(),
            tags: TagsConfig::default(),
            print: PrintConfig::default(),
        }
    }
}

/// `[tags]` in `opsbook.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TagsConfig {
    /// Pages listed on each page of a tag's list (`tags/<tag>/`, then
    /// `tags/<tag>/page/2/`, …); `0` lists them all on one page.
    pub per_page: usize,
}

impl Default for TagsConfig {
    fn default() -> Self {
        TagsConfig { per_page: 100 }
    }
}

impl TagsConfig {
    /// How many pages one page of a tag's list holds (`0`: all of them).
    pub fn page_size(&self) -> usize {
        if self.per_page == 0 { usize::MAX } else { self.per_page }
    }
}

/// `[print]` in `opsbook.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrintConfig {
    /// The print page (`print/`, every page in reading order) is made when
    /// the handbook has at most this many pages; `0` never makes it.
    pub max_pages: usize,
}

impl Default for PrintConfig {
    fn default() -> Self {
        PrintConfig { max_pages: 1000 }
    }
}

/// `[versions]` in `opsbook.toml`. The working tree is "latest", at the
/// output root; every other version is built under its own prefix.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VersionsConfig {
    /// Tags that are versions: a glob such as `v*` (`*` any run of
    /// characters, `?` one character).
    pub tags: Option<String>,
    /// Branches that are versions, by name.
    pub branches: Vec<String>,
    /// `semver` (newest version number first, the default) or `date`
    /// (newest commit first).
    pub order: VersionOrder,
    /// Labels shown in the switcher, by version name; `latest` labels the
    /// working tree.
    pub labels: std::collections::BTreeMap<String, String>,
    /// Where an older version lives in the output; `{name}` is its name.
    pub prefix: String,
    /// Build "latest" from this branch instead of the working tree.
    pub default: Option<String>,
    /// For sites outside git: a folder of snapshots, `<name>/content/` each.
    pub snapshots: String,
    /// How many changes a page's history shows.
    pub history: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionOrder {
    #[default]
    Semver,
    Date,
}

impl Default for VersionsConfig {
    fn default() -> Self {
        VersionsConfig {
            tags: None,
            branches: Vec::new(),
            order: VersionOrder::Semver,
            labels: Default::default(),
            prefix: "v/{name}/".to_string(),
            default: None,
            snapshots: "versions".to_string(),
            history: 5,
        }
    }
}

impl Config {
    /// Reads `<root>/opsbook.toml`, or the defaults when it does not exist.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(FILE_NAME);
        let src = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(vec![
                    Diagnostic::error(format!("cannot read `{FILE_NAME}`: {e}")).at(diagnostics::Span::file(FILE_NAME)),
                ]);
            }
        };
        Config::parse(&src)
    }

    pub fn parse(src: &str) -> Result<Config, Vec<Diagnostic>> {
        let mut config: Config =
            toml::from_str(src).map_err(|e| vec![diagnostics::from_toml_error(FILE_NAME, src, 0, &e)])?;
        let mut problems = crate::competitors::check_config(&config.competitors, src);
        problems.extend(config.review.check(src));
        for (key, value) in [("content_dir", &config.content_dir), ("static_dir", &config.static_dir)] {
            if escapes(value) {
                problems.push(
                    Diagnostic::error(format!("`{key}` points outside the site: `{value}`"))
                        .at(diagnostics::Span::find(FILE_NAME, src, value))
                        .hint("use a folder inside the site root, such as `content`"),
                );
            }
        }
        if !matches!(config.language.as_str(), "zh-CN" | "en") {
            problems.push(
                Diagnostic::error(format!("unsupported language `{}`", config.language))
                    .at(diagnostics::Span::find(FILE_NAME, src, &config.language))
                    .hint("use `zh-CN` or `en`"),
            );
        }
        if let Some(v) = &config.versions
            && (!v.prefix.contains("{name}") || escapes(&v.prefix))
        {
            problems.push(
                Diagnostic::error(format!(
                    "`prefix` must be a folder inside the site with `{{name}}` in it, found `{}`",
                    v.prefix
                ))
                .at(diagnostics::Span::find(FILE_NAME, src, &v.prefix))
                .hint("each version needs a folder of its own, such as `v/{name}/`"),
            );
        }
        if problems.is_empty() { Ok(config) } else { Err(problems) }
    }

    pub fn content_path(&self, root: &Path) -> PathBuf {
        root.join(&self.content_dir)
    }

    pub fn is_zh(&self) -> bool {
        self.language == "zh-CN"
    }
}

/// True for absolute paths and paths that climb out with `..`.
fn escapes(rel: &str) -> bool {
    let p = Path::new(rel);
    p.is_absolute()
        || p.components().any(|c| matches!(c, std::path::Component::ParentDir | std::path::Component::Prefix(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(src: &str, expected: &str) {
        let errs = Config::parse(src).err().unwrap_or_default();
        let text: String = errs.iter().map(|d| d.render(false)).collect();
        assert_eq!(text, expected);
    }

    #[test]
    fn empty_config_is_valid() {
        let c = Config::parse("").unwrap_or_default();
        assert_eq!(c.content_dir, "content");
    }

    #[test]
    fn unknown_key_has_hint() {
        check_err(
            "titel = \"x\"\n",
            "error: unknown key `titel`\n --> opsbook.toml:1:1\n  |\n1 | titel = \"x\"\n  | ^^^^^\n  = help: did you mean `title`?\n",
        );
    }

    #[test]
    fn version_prefix_needs_the_name() {
        check_err(
            "[versions]\nprefix = \"old/\"\n",
            "error: `prefix` must be a folder inside the site with `{name}` in it, found `old/`\n --> opsbook.toml:2:11\n  |\n2 | prefix = \"old/\"\n  |           ^^^^\n  = help: each version needs a folder of its own, such as `v/{name}/`\n",
        );
    }

    #[test]
    fn content_dir_must_stay_inside() {
        check_err(
            "content_dir = \"../x\"\n",
            "error: `content_dir` points outside the site: `../x`\n --> opsbook.toml:1:16\n  |\n1 | content_dir = \"../x\"\n  |                ^^^^\n  = help: use a folder inside the site root, such as `content`\n",
        );
    }
}
