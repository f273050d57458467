//! `opsbook init` and `opsbook new`: a site, or one file, to start from.
//!
//! `init` writes the example handbook embedded in the binary (this
//! repository's `opsbook.toml` and `content/`) into a folder, so a new
//! user has a complete, working site to `serve` and edit. `new` writes one
//! playbook, metric or competitor note with the front matter its kind
//! needs, dated today, in the site's language.
//!
//! **Invariant:** neither command overwrites a file unless told to
//! (`init --force`); `new` never does.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

#[derive(rust_embed::Embed)]
#[folder = "content/"]
struct ExampleContent;

const EXAMPLE_CONFIG: &str = include_str!("../opsbook.toml");

/// What `init` wrote.
#[derive(Debug)]
pub struct Created {
    pub dir: PathBuf,
    pub files: usize,
}

/// Writes the example handbook into `dir` (created when missing). Refuses
/// a folder with anything in it besides `.git`, unless `force`.
pub fn init(dir: &Path, force: bool) -> Result<Created, Diagnostic> {
    let shown = dir.display();
    let fail = |what: &str, e: std::io::Error| Diagnostic::error(format!("cannot {what} in `{shown}`: {e}"));
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostic::error(format!("`{shown}` exists and is not a folder")));
    }
    if !force && dir.is_dir() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| fail("look", e))?;
        if entries.any(|e| e.is_ok_and(|e| e.file_name() != ".git")) {
            return Err(Diagnostic::error(format!("`{shown}` is not empty"))
                .hint("choose a new or empty folder, or pass `--force` to write the example site into it (files with the same names are replaced)"));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| fail("create the folder", e))?;
    let mut files = 0;
    let mut write = |rel: &str, bytes: &[u8]| -> Result<(), Diagnostic> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| fail("create a folder", e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| fail(&format!("write `{rel}`"), e))?;
        files += 1;
        Ok(())
    };
    write(crate::config::FILE_NAME, EXAMPLE_CONFIG.as_bytes())?;
    let mut names: Vec<_> = ExampleContent::iter().collect();
    names.sort();
    for name in names {
        if let Some(file) = ExampleContent::get(&name) {
            write(&format!("content/{name}"), &file.data)?;
        }
    }
    if !dir.join(".gitignore").exists() {
        write(".gitignore", b"/public\n/.public.opsbook-*\n")?;
    }
    Ok(Created { dir: dir.to_path_buf(), files })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Playbook,
    Metric,
    Competitor,
}

/// Writes a new page or metric file named `name` into the site at `root`
/// and returns its path. `owner` goes into the front matter when known.
pub fn new_file(
    root: &Path,
    kind: Kind,
    name: &str,
    today: jiff::civil::Date,
    owner: Option<&str>,
) -> Result<PathBuf, Vec<Diagnostic>> {
    let config = Config::load(root)?;
    let content = config.content_path(root);
    let zh = config.is_zh();
    let name = name.trim().trim_end_matches(".md").trim_end_matches(".toml").trim_matches('/');
    let one = |d: Diagnostic| vec![d];
    if name.is_empty() || name.split('/').any(|s| s.is_empty() || s == "." || s == ".." || s.starts_with('.')) {
        return Err(one(Diagnostic::error(format!("`{name}` is not a usable name"))
            .hint("give a name such as `referral-program` or `growth/referral-program`")));
    }
    let (rel, text) = match kind {
        Kind::Playbook => {
            let name = name.strip_prefix("playbooks/").unwrap_or(name);
            let rel = format!("playbooks/{}.md", file_name(name));
            (rel, playbook(&title_of(name), today, owner, zh))
        }
        Kind::Metric => {
            let id = name.strip_prefix("metrics/").unwrap_or(name);
            let valid = id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
            if !valid {
                return Err(one(Diagnostic::error(format!("`{id}` is not a valid metric id"))
                    .hint("metric ids are lowercase letters, digits, `_` and `-`, such as `retention_d30`")));
            }
            (format!("metrics/{id}.toml"), metric(id, today, owner, zh))
        }
        Kind::Competitor => {
            let name = name.strip_prefix("competitors/").unwrap_or(name);
            let dims = if config.competitors.dimensions.is_empty() {
                score_dimensions(&content.join("competitors"))
            } else {
                config.competitors.dimensions.clone()
            };
            let mid = config.competitors.scale.div_ceil(2).max(1);
            let text = competitor(&title_of(name), today, owner, (&dims, mid), zh);
            (format!("competitors/{}.md", file_name(name)), text)
        }
    };
    let path = content.join(&rel);
    if path.exists() {
        return Err(one(Diagnostic::error(format!("`{}/{rel}` already exists", config.content_dir))
            .hint("choose another name, or edit the existing file")));
    }
    let io = |e: std::io::Error| one(Diagnostic::error(format!("cannot write `{}/{rel}`: {e}", config.content_dir)));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&path, text).map_err(io)?;
    Ok(path)
}

/// `growth/Referral program` → `growth/Referral-program`.
fn file_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join("-")
}

/// `growth/referral-program` → `Referral program`; Chinese stays as it is.
fn title_of(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name).replace(['-', '_'], " ");
    let mut chars = last.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn owner_line(owner: Option<&str>, zh: bool) -> String {
    match owner.filter(|o| !o.trim().is_empty()) {
        Some(o) => format!("owner = {}\n", quoted(o.trim())),
        None if zh => "# owner = \"负责人\"\n".to_string(),
        None => "# owner = \"Your name\"\n".to_string(),
    }
}

fn playbook(title: &str, today: jiff::civil::Date, owner: Option<&str>, zh: bool) -> String {
    let (summary, body) = if zh {
        (
            "一句话说明这篇手册解决什么问题",
            "## 目标\n\n这篇手册要达成什么，用哪个指标衡量。\n\n## 适用场景\n\n## 步骤\n\n1. 第一步\n2. 第二步\n\n## 复盘\n\n做完之后看什么数据，怎么判断做得好不好。\n",
        )
    } else {
        (
            "One sentence on the problem this playbook solves",
            "## Goal\n\nWhat this playbook achieves, and which metric shows it.\n\n## When to use it\n\n## Steps\n\n1. First step\n2. Second step\n\n## Review\n\nWhat to look at afterwards, and how to tell whether it worked.\n",
        )
    };
    format!(
        "+++\ntitle = {}\nsummary = {}\ntags = []\n{}reviewed = {today}\nreview_every = \"90d\"\nkpis = []\n+++\n\n{body}",
        quoted(title),
        quoted(summary),
        owner_line(owner, zh)
    )
}

fn metric(id: &str, today: jiff::civil::Date, owner: Option<&str>, zh: bool) -> String {
    let (title, description, unit, source) = if zh {
        (id.to_string(), "口径说明：分子、分母、去重方式和时间切分。", "人", "数据来源（表名或报表）")
    } else {
        (
            title_of(id),
            "Definition: numerator, denominator, deduplication and time cut-off.",
            "人",
            "Where the numbers come from",
        )
    };
    format!(
        "title = {}\nunit = \"{unit}\"            # 人 次 元 ¥ $ % 分 个 单 天 小时 分钟 倍\ndescription = {}\n{}source = {}\ndirection = \"up\"        # up: higher is better; down: lower is better\ndecimals = 0\n# target = 100\n\n# [thresholds]\n# red = 50\n# amber = 80\n\n[[series]]\nname = {}\ninterval = \"day\"        # day | week | month | quarter\nstart = {today}\nvalues = [0]\n",
        quoted(&title),
        quoted(description),
        owner_line(owner, zh),
        quoted(source),
        quoted(&title),
    )
}

/// `scores`: the dimensions, and the score each starts at.
fn competitor(name: &str, today: jiff::civil::Date, owner: Option<&str>, scores: (&[String], u32), zh: bool) -> String {
    let (dims, mid) = scores;
    let (free, first_source, body) = if zh {
        ("免费版", "官网", "## 定位与用户\n\n## 产品与内容\n\n## 商业化\n\n## 对我们的启发\n")
    } else {
        (
            "Free",
            "Website",
            "## Positioning and users\n\n## Product and content\n\n## Business model\n\n## What it means for us\n",
        )
    };
    let mut scores = String::new();
    if !dims.is_empty() {
        scores.push_str("\n[scores]\n");
        for d in dims {
            scores.push_str(&format!("{} = {mid}\n", quoted(d)));
        }
    }
    format!(
        "+++\nname = {}\nsummary = \"\"\n# website = \"https://\"\ncategory = \"\"\n{}reviewed = {today}\nstrengths = []\nweaknesses = []\n\n[[pricing]]\ntier = {}\nprice = 0\nperiod = \"month\"\n\n[[sources]]\ntitle = {}\n# url = \"https://\"\ndate = {today}\n{scores}+++\n\n{body}",
        quoted(name),
        owner_line(owner, zh),
        quoted(free),
        quoted(first_source),
    )
}

/// The score dimensions the site's other competitor notes use, in the
/// order they first appear.
fn score_dimensions(dir: &Path) -> Vec<String> {
    let mut dims: Vec<String> = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return dims };
    let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "md")) {
        let src = std::fs::read_to_string(path).unwrap_or_default();
        let Ok(parsed) = crate::frontmatter::parse("", &src) else { continue };
        // `scores` is a map, so its order is lost: read the keys as written.
        let front = &src[..parsed.body_start];
        let Some(table) = front.find("[scores]") else { continue };
        for line in front[table + 8..].lines() {
            let line = line.trim();
            if line.starts_with('[') || line == "+++" {
                break;
            }
            if let Some((key, _)) = line.split_once('=') {
                let key = key.trim().trim_matches('"').to_string();
                if parsed.front.scores.contains_key(&key) && !dims.contains(&key) {
                    dims.push(key);
                }
            }
        }
    }
    dims
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_file_names() {
        assert_eq!(title_of("growth/referral-program"), "Referral program");
        assert_eq!(title_of("裂变活动"), "裂变活动");
        assert_eq!(file_name("growth/Referral program"), "growth/Referral-program");
    }

    #[test]
    fn scaffolds_parse() {
        let today = jiff::civil::date(2026, 11, 24);
        for zh in [true, false] {
            let page = playbook("A \"quoted\" title", today, Some("林晓"), zh);
            let parsed = crate::frontmatter::parse("p.md", &page).map(|p| p.front);
            assert!(parsed.as_ref().is_ok_and(|f| f.title.as_deref() == Some("A \"quoted\" title")), "{page}");
            let dims = vec!["产品体验".to_string()];
            let note = competitor("跑哪儿", today, None, (&dims, 3), zh);
            let parsed = crate::frontmatter::parse("c.md", &note).map(|p| p.front);
            assert!(parsed.is_ok_and(|f| f.scores.len() == 1 && f.sources.len() == 1), "{note}");
            let m = metric("retention_d30", today, None, zh);
            let file =
                crate::content::DataFile { rel: "metrics/retention_d30.toml".into(), file: "m".into(), src: m.into() };
            let (metrics, diags) = crate::metrics::load(&[file]);
            assert!(diags.is_empty(), "{diags:?}");
            assert_eq!(metrics.len(), 1);
        }
    }
}
