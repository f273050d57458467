//! Which versions a site has: tags matching the pattern and named branches
//! (read from the repository), or snapshot folders for sites outside git;
//! ordered newest first, labelled, each with its output prefix.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use crate::config::{VersionOrder, VersionsConfig};
use crate::git::{Oid, Repo};

/// Where a version's content comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The working tree: the content folder on disk.
    WorkTree,
    /// A commit (a tag or a branch).
    Commit { id: Oid, kind: RefKind },
    /// `versions/<name>/content/` beside the site.
    Snapshot(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Tag,
    Branch,
}

#[derive(Debug, Clone)]
pub struct Version {
    /// The tag, branch or folder name; `latest` for the working tree.
    pub name: String,
    pub label: String,
    /// Output folder from the site root, ending in `/`; `""` for latest.
    pub prefix: String,
    pub source: Source,
    /// Commit time (seconds since the epoch), for ordering by date.
    pub time: Option<i64>,
}

impl Version {
    pub fn is_latest(&self) -> bool {
        self.prefix.is_empty()
    }

    pub fn commit(&self) -> Option<Oid> {
        match self.source {
            Source::Commit { id, .. } => Some(id),
            _ => None,
        }
    }
}

/// The older versions, newest first. `repo` is `None` outside git.
pub fn older_versions(cfg: &VersionsConfig, repo: Option<&Repo>, site_root: &Path) -> Result<Vec<Version>, String> {
    let mut found: Vec<Version> = Vec::new();
    if let Some(repo) = repo {
        if let Some(pattern) = &cfg.tags {
            for t in repo.tags()? {
                if glob(pattern, &t.name) {
                    found.push(version(cfg, repo, &t.name, t.commit, RefKind::Tag));
                }
            }
        }
        for b in &cfg.branches {
            if cfg.default.as_deref() == Some(b.as_str()) {
                continue;
            }
            if let Some(id) = repo.branch(b) {
                found.push(version(cfg, repo, b, id, RefKind::Branch));
            }
        }
    }
    let snapshots = site_root.join(&cfg.snapshots);
    if let Ok(entries) = std::fs::read_dir(&snapshots) {
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let content = e.path().join("content");
            if !name.starts_with('.') && content.is_dir() && !found.iter().any(|v| v.name == name) {
                found.push(Version {
                    label: label(cfg, &name),
                    prefix: prefix(cfg, &name),
                    name,
                    source: Source::Snapshot(content),
                    time: None,
                });
            }
        }
    }
    found.sort_by(|a, b| newest_first(cfg.order, a, b));
    found.dedup_by(|a, b| a.prefix == b.prefix);
    Ok(found)
}

fn version(cfg: &VersionsConfig, repo: &Repo, name: &str, id: Oid, kind: RefKind) -> Version {
    Version {
        name: name.to_string(),
        label: label(cfg, name),
        prefix: prefix(cfg, name),
        source: Source::Commit { id, kind },
        time: repo.commit_time(id),
    }
}

fn label(cfg: &VersionsConfig, name: &str) -> String {
    cfg.labels.get(name).cloned().unwrap_or_else(|| name.to_string())
}

/// `v/{name}/` with the name made safe for a folder: `/` and spaces
/// become `-`.
pub fn prefix(cfg: &VersionsConfig, name: &str) -> String {
    let safe: String = name.chars().map(|c| if c == '/' || c == '\\' || c.is_whitespace() { '-' } else { c }).collect();
    let safe = if safe == "." || safe == ".." { safe.replace('.', "-") } else { safe };
    let p = cfg.prefix.replace("{name}", &safe);
    let p = p.trim_matches('/');
    format!("{p}/")
}

impl Version {
    /// A named branch: a living edition, never the "previous" of another.
    pub fn is_branch(&self) -> bool {
        matches!(self.source, Source::Commit { kind: RefKind::Branch, .. })
    }
}

/// Newest first. By version number: branches (newest commit first), then
/// tags and snapshots by number, then the rest by date.
fn newest_first(order: VersionOrder, a: &Version, b: &Version) -> Ordering {
    let by_date = || b.time.cmp(&a.time).then_with(|| b.name.cmp(&a.name));
    match order {
        VersionOrder::Date => by_date(),
        VersionOrder::Semver if a.is_branch() || b.is_branch() => b.is_branch().cmp(&a.is_branch()).then_with(by_date),
        VersionOrder::Semver => match (semver(&a.name), semver(&b.name)) {
            (Some(x), Some(y)) => y.cmp(&x).then_with(by_date),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => by_date(),
        },
    }
}

/// A version number read leniently from a name: `v1.2`, `release-2.0.1`,
/// `1.0.0-rc.1`. A pre-release sorts before its release.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SemVer {
    numbers: [u64; 3],
    /// Released versions (no pre-release) sort after pre-releases.
    released: bool,
    pre: Vec<PreId>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PreId {
    Number(u64),
    Text(String),
}

pub fn semver(name: &str) -> Option<SemVer> {
    let start = name.find(|c: char| c.is_ascii_digit())?;
    let rest = &name[start..];
    let rest = rest.split('+').next().unwrap_or(rest);
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let mut numbers = [0u64; 3];
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 {
        return None;
    }
    for (i, p) in parts.iter().enumerate() {
        numbers[i] = p.parse().ok()?;
    }
    let pre: Vec<PreId> = pre
        .map(|p| {
            p.split('.')
                .map(|id| id.parse().map(PreId::Number).unwrap_or_else(|_| PreId::Text(id.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Some(SemVer { numbers, released: pre.is_empty(), pre })
}

/// `*` matches any run of characters (`/` included), `?` one character.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        for (pattern, name, expected) in [
            ("v*", "v1.0.0", true),
            ("v*", "release-1", false),
            ("v?.*", "v1.2", true),
            ("*-lts", "2024-lts", true),
            ("release/*", "release/2026-q1", true),
            ("v*", "v", true),
            ("", "", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
        ] {
            assert_eq!(glob(pattern, name), expected, "{pattern} {name}");
        }
    }

    #[test]
    fn semver_order() {
        let mut names = vec!["v1.10.0", "v1.2.0", "v2.0.0-rc.1", "v2.0.0", "v1.2", "release-0.9", "v2.0.0-rc.2"];
        names.sort_by_key(|n| std::cmp::Reverse(semver(n)));
        assert_eq!(names, ["v2.0.0", "v2.0.0-rc.2", "v2.0.0-rc.1", "v1.10.0", "v1.2.0", "v1.2", "release-0.9"]);
        assert!(semver("latest").is_none());
        assert!(semver("1.2.3.4").is_none());
    }

    #[test]
    fn prefixes() {
        let cfg = VersionsConfig::default();
        assert_eq!(prefix(&cfg, "v1.0"), "v/v1.0/");
        assert_eq!(prefix(&cfg, "release/2026 q1"), "v/release-2026-q1/");
        let custom = VersionsConfig { prefix: "/old/{name}".into(), ..VersionsConfig::default() };
        assert_eq!(prefix(&custom, "v1"), "old/v1/");
    }
}
