//! Reading a git repository straight from its object database (gix): refs
//! and tags, the files under a folder at any commit, blobs, and one walk over
//! history that says when each file changed ([`History`]). No checkout, no
//! work tree needed, never a `git` process.
//!
//! **Invariant:** read-only: nothing here writes to the repository.
//!
//! **Invariant:** a shallow clone is detected; history beyond its boundary
//! is reported unknown, never guessed.

mod history;
mod rename;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

pub use history::{Facts, FileFacts, History, Stamp};
pub use rename::{match_renames, similarity};

pub type Oid = gix::ObjectId;

pub struct Repo {
    repo: gix::Repository,
    workdir: PathBuf,
    /// Commits whose parents the repository does not hold (a shallow clone).
    shallow: HashSet<Oid>,
    /// Trees already read, by id: the versions list the same trees, and the
    /// walk over history diffs them again.
    trees: std::cell::RefCell<HashMap<Oid, Rc<[Entry]>>>,
}

/// A file under a folder at some commit.
#[derive(Debug, Clone)]
pub struct TreeFile {
    /// Path inside the folder, with `/`.
    pub rel: String,
    pub oid: Oid,
}

/// A tag or branch that points at a commit.
#[derive(Debug, Clone)]
pub struct RefTarget {
    pub name: String,
    pub commit: Oid,
}

fn err(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

impl Repo {
    /// The repository whose work tree holds `path`; `Ok(None)` when `path` is
    /// not inside one.
    pub fn discover(path: &Path) -> Result<Option<Repo>, String> {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        if !absolute.ancestors().any(|dir| dir.join(".git").exists()) {
            return Ok(None);
        }
        let repo = gix::discover(&absolute).map_err(|e| err("cannot open the git repository", e))?;
        let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
            return Ok(None);
        };
        let shallow = match repo.shallow_commits() {
            Ok(Some(list)) => list.iter().copied().collect(),
            Ok(None) => HashSet::new(),
            Err(e) => return Err(err("cannot read the shallow-clone list", e)),
        };
        Ok(Some(Repo { repo, workdir, shallow, trees: Default::default() }))
    }

    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// True for a shallow clone: history stops before the first commit.
    pub fn is_shallow(&self) -> bool {
        !self.shallow.is_empty()
    }

    fn is_boundary(&self, id: &Oid) -> bool {
        self.shallow.contains(id)
    }

    /// The commit checked out, if any.
    pub fn head(&self) -> Option<Oid> {
        self.repo.head_id().ok().map(|id| id.detach())
    }

    /// The committer time of a commit, seconds since the epoch.
    pub fn commit_time(&self, id: Oid) -> Option<i64> {
        let c = self.repo.find_commit(id).ok()?;
        c.committer().ok()?.time().ok().map(|t| t.seconds)
    }

    /// A commit as history shows it: short id, author, date, summary.
    pub fn stamp(&self, id: Oid) -> Option<Stamp> {
        let c = self.repo.find_commit(id).ok()?;
        let author = c.author().ok()?;
        let time = author.time().ok()?;
        let summary = c.message().map(|m| m.summary().to_string()).unwrap_or_default();
        Some(Stamp {
            id,
            short: id.to_hex_with_len(7).to_string(),
            time: time.seconds,
            offset: time.offset,
            author: author.name.to_string().trim().to_string(),
            summary: summary.trim().to_string(),
        })
    }

    /// Every tag that leads to a commit (annotated tags peeled), by name.
    pub fn tags(&self) -> Result<Vec<RefTarget>, String> {
        let refs = self.repo.references().map_err(|e| err("cannot read tags", e))?;
        let mut out = Vec::new();
        for r in refs.tags().map_err(|e| err("cannot read tags", e))? {
            let Ok(mut r) = r else { continue };
            let name = r.name().shorten().to_string();
            if let Some(commit) = self.peel_to_commit(&mut r) {
                out.push(RefTarget { name, commit });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The commit of branch `name`: the local branch, else `origin/<name>`
    /// (CI checkouts often have remote branches only).
    pub fn branch(&self, name: &str) -> Option<Oid> {
        for full in [format!("refs/heads/{name}"), format!("refs/remotes/origin/{name}")] {
            if let Ok(Some(mut r)) = self.repo.try_find_reference(full.as_str())
                && let Some(id) = self.peel_to_commit(&mut r)
            {
                return Some(id);
            }
        }
        None
    }

    fn peel_to_commit(&self, r: &mut gix::Reference<'_>) -> Option<Oid> {
        let id = r.peel_to_id().ok()?.detach();
        let object = self.repo.try_find_object(id).ok()??;
        match object.kind {
            gix::object::Kind::Commit => Some(id),
            _ => None,
        }
    }

    /// Every file under `dir` (a `/`-separated path from the repository root,
    /// `""` for the root) at `commit`, sorted by path. Hidden files and
    /// folders, symbolic links and submodules are left out, as on disk.
    /// `Ok(None)` when the folder does not exist at that commit.
    pub fn files(&self, commit: Oid, dir: &str) -> Result<Option<Vec<TreeFile>>, String> {
        let tree = self.commit_tree(commit)?;
        let Some(root) = self.subtree(tree, dir)? else {
            return Ok(None);
        };
        let mut files = Vec::new();
        let mut stack = vec![(String::new(), root)];
        while let Some((prefix, id)) = stack.pop() {
            for e in self.entries(id)?.iter() {
                let rel = if prefix.is_empty() { e.name.clone() } else { format!("{prefix}/{}", e.name) };
                match e.kind {
                    EntryKind::Dir => stack.push((rel, e.oid)),
                    EntryKind::File => files.push(TreeFile { rel, oid: e.oid }),
                    EntryKind::Other => {}
                }
            }
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        Ok(Some(files))
    }

    /// The bytes of a blob.
    pub fn blob(&self, id: Oid) -> Result<Vec<u8>, String> {
        let mut blob = self.repo.find_blob(id).map_err(|e| err(&format!("cannot read git object `{id}`"), e))?;
        Ok(blob.take_data())
    }

    fn commit_tree(&self, commit: Oid) -> Result<Oid, String> {
        let c = self.repo.find_commit(commit).map_err(|e| err(&format!("cannot read commit `{commit}`"), e))?;
        c.tree_id().map(|id| id.detach()).map_err(|e| err(&format!("cannot read commit `{commit}`"), e))
    }

    /// The tree at `dir` inside `tree`, if there is one.
    fn subtree(&self, tree: Oid, dir: &str) -> Result<Option<Oid>, String> {
        let mut id = tree;
        for seg in dir.split('/').filter(|s| !s.is_empty()) {
            let entries = self.entries(id)?;
            match entries.iter().find(|e| e.name == seg) {
                Some(e) if e.kind == EntryKind::Dir => id = e.oid,
                _ => return Ok(None),
            }
        }
        Ok(Some(id))
    }

    /// The visible entries of a tree, sorted by name.
    fn entries(&self, tree: Oid) -> Result<Rc<[Entry]>, String> {
        if let Some(known) = self.trees.borrow().get(&tree) {
            return Ok(Rc::clone(known));
        }
        let read: Rc<[Entry]> = self.read_entries(tree)?.into();
        self.trees.borrow_mut().insert(tree, Rc::clone(&read));
        Ok(read)
    }

    fn read_entries(&self, tree: Oid) -> Result<Vec<Entry>, String> {
        let t = self.repo.find_tree(tree).map_err(|e| err(&format!("cannot read tree `{tree}`"), e))?;
        let decoded = t.decode().map_err(|e| err(&format!("cannot read tree `{tree}`"), e))?;
        let mut out: Vec<Entry> = decoded
            .entries
            .iter()
            .filter(|e| !e.filename.starts_with(b"."))
            .map(|e| {
                let kind = if e.mode.is_tree() {
                    EntryKind::Dir
                } else if e.mode.is_blob() {
                    EntryKind::File
                } else {
                    EntryKind::Other
                };
                Entry { name: String::from_utf8_lossy(e.filename).into_owned(), kind, oid: e.oid.to_owned() }
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Dir,
    File,
    /// Symbolic links and submodules.
    Other,
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    kind: EntryKind,
    oid: Oid,
}
