//! When each file changed: one walk over the commits reachable from a tip,
//! newest first, diffing each commit's tree against its parents under one
//! folder and attributing the changes to the files as they are named at the
//! tip (renames followed). Never one `git log` per file.
//!
//! A merge commit changes a file only when the file differs from every
//! parent (the side that made the change is walked too), as `git log`
//! simplifies history. Diffs are cached per commit, so walking from several
//! tips (one per version) diffs each commit once.

use std::collections::BinaryHeap;
use std::sync::Arc;

use super::{EntryKind, Oid, Repo, rename};
use crate::fasthash::{FastMap, FastSet};

/// One commit as a page's history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub id: Oid,
    /// The abbreviated id, 7 hex digits.
    pub short: String,
    /// Author time, seconds since the epoch, and the author's UTC offset.
    pub time: i64,
    pub offset: i32,
    pub author: String,
    /// The first line of the message.
    pub summary: String,
}

impl Stamp {
    fn zoned(&self) -> Option<jiff::ZonedDateTime> {
        let ts = jiff::Timestamp::from_second(self.time).ok()?;
        let offset = jiff::tz::Offset::from_seconds(self.offset).unwrap_or(jiff::tz::Offset::UTC);
        Some(ts.to_zoned_datetime(jiff::tz::TimeZone::fixed(offset)))
    }

    /// The author's calendar date, in the author's time zone.
    pub fn date(&self) -> Option<jiff::civil::Date> {
        self.zoned().map(|z| z.date())
    }

    /// RFC 3339 time, for feeds.
    pub fn rfc3339(&self) -> String {
        self.zoned().map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()).unwrap_or_default()
    }
}

/// What history says about one file, as of the tip walked from. `None`
/// means unknown (the history is shallow), never a guess.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    /// The newest commit that changed the file.
    pub updated: Option<Arc<Stamp>>,
    /// The commit that added it (under any earlier name).
    pub created: Option<Arc<Stamp>>,
    /// The newest changes, newest first, at most the number asked for.
    pub history: Vec<Arc<Stamp>>,
}

/// Facts for every file under the folder, by path inside it.
#[derive(Debug, Default)]
pub struct Facts {
    pub files: FastMap<String, FileFacts>,
    /// The walk reached commits whose parents are missing (shallow clone).
    pub truncated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone)]
struct Change {
    path: String,
    kind: Kind,
    oid: Option<Oid>,
    /// For an addition: the path it was renamed from.
    from: Option<String>,
}

struct Node {
    stamp: Arc<Stamp>,
    tree: Oid,
    parents: Vec<Oid>,
    /// Sort key: committer time.
    committed: i64,
    /// Its parents are not in the repository (shallow boundary).
    boundary: bool,
}

/// History of one folder of a repository, shared by every version's walk.
pub struct History<'r> {
    repo: &'r Repo,
    dir: String,
    nodes: FastMap<Oid, Arc<Node>>,
    changes: FastMap<Oid, Arc<Vec<Change>>>,
}

impl<'r> History<'r> {
    /// History of the files under `dir` (`/`-separated, from the repository root).
    pub fn new(repo: &'r Repo, dir: &str) -> History<'r> {
        History { repo, dir: dir.trim_matches('/').to_string(), nodes: FastMap::default(), changes: FastMap::default() }
    }

    /// Walks every commit reachable from `tip` once and returns the facts for
    /// each file, with up to `keep` history entries.
    pub fn facts(&mut self, tip: Oid, keep: usize) -> Result<Facts, String> {
        let order = self.date_order(tip)?;
        let mut facts = Facts::default();
        // Older names of files, pointing at their names at the tip.
        let mut alias: FastMap<String, String> = FastMap::default();
        // Files whose creation has been seen: older events belong to another file.
        let mut closed: FastSet<String> = FastSet::default();
        for id in order {
            let node = Arc::clone(&self.nodes[&id]);
            if node.boundary {
                facts.truncated = true;
                continue;
            }
            let changes = self.changes_of(&node, id)?;
            for c in changes.iter() {
                let target = resolve(&alias, &c.path);
                if c.kind == Kind::Deleted || closed.contains(&target) {
                    continue;
                }
                let f = facts.files.entry(target.clone()).or_default();
                if f.updated.is_none() {
                    f.updated = Some(Arc::clone(&node.stamp));
                }
                if f.history.len() < keep && f.history.last().is_none_or(|s| s.id != id) {
                    f.history.push(Arc::clone(&node.stamp));
                }
                if c.kind == Kind::Added {
                    match &c.from {
                        Some(from) => {
                            alias.insert(from.clone(), target);
                        }
                        None => {
                            f.created = Some(Arc::clone(&node.stamp));
                            closed.insert(target);
                        }
                    }
                }
            }
        }
        Ok(facts)
    }

    /// Commits reachable from `tip`, children before parents, newest
    /// committer time first among those ready (`git log --date-order`).
    fn date_order(&mut self, tip: Oid) -> Result<Vec<Oid>, String> {
        let mut seen: FastSet<Oid> = FastSet::default();
        let mut stack = vec![tip];
        let mut children: FastMap<Oid, usize> = FastMap::default();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let node = self.node(id)?;
            for p in &node.parents {
                *children.entry(*p).or_insert(0) += 1;
                stack.push(*p);
            }
        }
        let mut ready: BinaryHeap<(i64, Oid)> = BinaryHeap::new();
        ready.push((self.nodes[&tip].committed, tip));
        let mut order = Vec::with_capacity(seen.len());
        while let Some((_, id)) = ready.pop() {
            order.push(id);
            for p in &self.nodes[&id].parents {
                let left = children.entry(*p).or_insert(1);
                *left -= 1;
                if *left == 0 {
                    ready.push((self.nodes[p].committed, *p));
                }
            }
        }
        Ok(order)
    }

    fn node(&mut self, id: Oid) -> Result<Arc<Node>, String> {
        if let Some(n) = self.nodes.get(&id) {
            return Ok(Arc::clone(n));
        }
        let bad = |e: &dyn std::fmt::Display| format!("cannot read commit `{id}`: {e}");
        let c = self.repo.repo.find_commit(id).map_err(|e| bad(&e))?;
        let tree = c.tree_id().map_err(|e| bad(&e))?.detach();
        let stamp = self.repo.stamp(id).ok_or_else(|| bad(&"no author"))?;
        let committed = c.committer().ok().and_then(|s| s.time().ok()).map_or(stamp.time, |t| t.seconds);
        let parents: Vec<Oid> = c.parent_ids().map(|p| p.detach()).collect();
        let boundary = self.repo.is_boundary(&id) || parents.iter().any(|p| !self.repo.repo.has_object(p));
        let node = Arc::new(Node {
            stamp: Arc::new(stamp),
            tree,
            parents: if boundary { Vec::new() } else { parents },
            committed,
            boundary,
        });
        self.nodes.insert(id, Arc::clone(&node));
        Ok(node)
    }

    /// What `node` changed under the folder, renames detected.
    fn changes_of(&mut self, node: &Node, id: Oid) -> Result<Arc<Vec<Change>>, String> {
        if let Some(c) = self.changes.get(&id) {
            return Ok(Arc::clone(c));
        }
        let here = self.repo.subtree(node.tree, &self.dir)?;
        let mut parent_dirs = Vec::new();
        for p in &node.parents {
            let tree = self.node(*p)?.tree;
            parent_dirs.push(self.repo.subtree(tree, &self.dir)?);
        }
        let mut changes = Vec::new();
        match parent_dirs.split_first() {
            None => self.diff(None, here, "", &mut changes)?,
            Some((first, others)) => {
                if *first != here {
                    self.diff(*first, here, "", &mut changes)?;
                }
                for other in others {
                    if changes.is_empty() {
                        break;
                    }
                    let mut against = Vec::new();
                    if *other != here {
                        self.diff(*other, here, "", &mut against)?;
                    }
                    let differs: FastSet<&str> = against.iter().map(|c| c.path.as_str()).collect();
                    changes.retain(|c| differs.contains(c.path.as_str()));
                }
            }
        }
        self.detect_renames(&mut changes);
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        let changes = Arc::new(changes);
        self.changes.insert(id, Arc::clone(&changes));
        Ok(changes)
    }

    fn detect_renames(&self, changes: &mut [Change]) {
        let removed: Vec<(String, Oid)> = changes
            .iter()
            .filter(|c| c.kind == Kind::Deleted)
            .filter_map(|c| c.oid.map(|o| (c.path.clone(), o)))
            .collect();
        if removed.is_empty() {
            return;
        }
        let added: Vec<(String, Oid)> = changes
            .iter()
            .filter(|c| c.kind == Kind::Added)
            .filter_map(|c| c.oid.map(|o| (c.path.clone(), o)))
            .collect();
        let oid_of: FastMap<&str, Oid> = removed.iter().chain(added.iter()).map(|(p, o)| (p.as_str(), *o)).collect();
        let pairs = rename::match_renames(&removed, &added, |_, path| {
            let blob = self.repo.blob(*oid_of.get(path)?).ok()?;
            (blob.len() < 1 << 20 && !blob.contains(&0)).then_some(blob)
        });
        for (from, to) in pairs {
            if let Some(c) = changes.iter_mut().find(|c| c.path == to && c.kind == Kind::Added) {
                c.from = Some(from);
            }
        }
    }

    /// Appends the file changes between two trees (either may be absent).
    fn diff(&self, old: Option<Oid>, new: Option<Oid>, prefix: &str, out: &mut Vec<Change>) -> Result<(), String> {
        if old == new {
            return Ok(());
        }
        let a = match old {
            Some(t) => self.repo.entries(t)?,
            None => std::rc::Rc::from([]),
        };
        let b = match new {
            Some(t) => self.repo.entries(t)?,
            None => std::rc::Rc::from([]),
        };
        let join = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let ord = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.name.cmp(&y.name),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (x, y) = match ord {
                std::cmp::Ordering::Less => {
                    i += 1;
                    (a.get(i - 1), None)
                }
                std::cmp::Ordering::Greater => {
                    j += 1;
                    (None, b.get(j - 1))
                }
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    (a.get(i - 1), b.get(j - 1))
                }
            };
            let path = join(&x.or(y).map(|e| e.name.clone()).unwrap_or_default());
            let dir = |e: Option<&super::Entry>| e.filter(|e| e.kind == EntryKind::Dir).map(|e| e.oid);
            let file = |e: Option<&super::Entry>| e.filter(|e| e.kind == EntryKind::File).map(|e| e.oid);
            let (old_dir, new_dir) = (dir(x), dir(y));
            if old_dir.is_some() || new_dir.is_some() {
                self.diff(old_dir, new_dir, &path, out)?;
            }
            match (file(x), file(y)) {
                (Some(o), Some(n)) if o != n => {
                    out.push(Change { path, kind: Kind::Modified, oid: Some(n), from: None });
                }
                (Some(o), None) => out.push(Change { path, kind: Kind::Deleted, oid: Some(o), from: None }),
                (None, Some(n)) => out.push(Change { path, kind: Kind::Added, oid: Some(n), from: None }),
                _ => {}
            }
        }
        Ok(())
    }
}

/// A path's name at the tip: aliases map older names straight to it.
fn resolve(alias: &FastMap<String, String>, path: &str) -> String {
    alias.get(path).cloned().unwrap_or_else(|| path.to_string())
}
