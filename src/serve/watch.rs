//! Watching the site for changes: the config, content (pages, metrics,
//! assets), `templates/`, `static/` and `themes/`, through the operating
//! system's file events (`notify`).
//!
//! Only those paths are watched, never the whole site folder, so a big
//! `target/` or the output folder beside them costs nothing. Editor
//! droppings (hidden files, `~` backups, swap files) are ignored. Events
//! arriving together (an editor's write-then-rename save) are gathered into
//! one batch: the batch ends after a quiet spell, or at the latest after
//! [`MAX_BATCH`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::SiteDir;

const QUIET: Duration = Duration::from_millis(30);
const MAX_BATCH: Duration = Duration::from_millis(300);

/// What the serve loop waits for.
pub enum Message {
    /// A file event, or an error from the watcher.
    Fs(notify::Result<notify::Event>),
    /// Ctrl-C, or the time limit.
    Stop,
    /// The search index of the latest build is in, after this long.
    Indexed(Duration),
}

/// What the serve loop hears about while it waits for changes.
pub enum Note {
    Problem(String),
    Indexed(Duration),
}

pub struct Watcher {
    inner: notify::RecommendedWatcher,
    /// What is watched now, and how.
    watched: Vec<(PathBuf, RecursiveMode)>,
    root: PathBuf,
    /// Top-level names inside the root that matter (`opsbook.toml`, `content`, …).
    top: Vec<String>,
}

impl Watcher {
    pub fn new(root: &Path, tx: Sender<Message>) -> notify::Result<Watcher> {
        let inner = notify::recommended_watcher(move |e| {
            let _ = tx.send(Message::Fs(e));
        })?;
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        Ok(Watcher { inner, watched: Vec::new(), root, top: Vec::new() })
    }

    /// Watches what the site at `dir` is built from; call again after each
    /// build (the config may have moved the content folder, or a folder may
    /// have appeared). Returns what could not be watched.
    pub fn follow(&mut self, dir: &SiteDir) -> Vec<String> {
        let config = &dir.config;
        let mut wanted = vec![(self.root.clone(), RecursiveMode::NonRecursive)];
        let mut top = vec![crate::config::FILE_NAME.to_string()];
        for rel in [config.content_dir.as_str(), config.static_dir.as_str(), "templates", "themes"] {
            let path = self.root.join(rel);
            if let Some(first) = Path::new(rel).components().next() {
                top.push(first.as_os_str().to_string_lossy().into_owned());
            }
            // A nested folder (`docs/content`): watch its parents' entries too.
            if let Some(parent) = Path::new(rel).parent().filter(|p| !p.as_os_str().is_empty()) {
                let p = self.root.join(parent);
                if p.is_dir() {
                    wanted.push((p, RecursiveMode::NonRecursive));
                }
            }
            if path.is_dir() {
                wanted.push((path, RecursiveMode::Recursive));
            }
        }
        wanted.sort();
        wanted.dedup();
        self.top = top;
        let mut problems = Vec::new();
        for (path, mode) in std::mem::take(&mut self.watched) {
            if !wanted.contains(&(path.clone(), mode)) {
                let _ = self.inner.unwatch(&path);
            } else {
                self.watched.push((path, mode));
            }
        }
        for (path, mode) in wanted {
            if self.watched.contains(&(path.clone(), mode)) {
                continue;
            }
            match self.inner.watch(&path, mode) {
                Ok(()) => self.watched.push((path, mode)),
                Err(e) => problems.push(format!("cannot watch `{}`: {e}", path.display())),
            }
        }
        problems
    }

    /// Whether an event on `path` can change the site.
    pub fn matters(&self, path: &Path) -> bool {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        let Some(first) = parts.next() else { return false };
        if !self.top.iter().any(|t| *t == first) {
            return false;
        }
        let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        let junk = name.ends_with('~')
            || name.ends_with(".swp")
            || name.ends_with(".swx")
            || name.ends_with(".tmp")
            || name == "4913"
            || name.starts_with(".#");
        let hidden = rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        !junk && !hidden
    }
}

/// Waits for a batch of relevant changes. Returns the changed paths
/// relative to `root` (sorted), or `None` when asked to stop. Watcher
/// errors and other news go to `note`.
pub fn next_batch(rx: &Receiver<Message>, watcher: &Watcher, note: &mut dyn FnMut(Note)) -> Option<Vec<String>> {
    let mut changed = BTreeSet::new();
    let mut started: Option<Instant> = None;
    loop {
        let message = match started {
            None => rx.recv().ok()?,
            Some(t) => {
                let left = MAX_BATCH.saturating_sub(t.elapsed());
                if left.is_zero() {
                    break;
                }
                match rx.recv_timeout(QUIET.min(left)) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
        };
        match message {
            Message::Stop => return None,
            Message::Indexed(took) => note(Note::Indexed(took)),
            Message::Fs(Err(e)) => note(Note::Problem(format!("file watcher: {e}"))),
            Message::Fs(Ok(event)) => {
                if matches!(event.kind, EventKind::Access(_)) {
                    continue;
                }
                for path in event.paths.iter().filter(|p| watcher.matters(p)) {
                    let rel = path.strip_prefix(&watcher.root).unwrap_or(path);
                    changed.insert(rel.to_string_lossy().replace('\\', "/"));
                    started.get_or_insert_with(Instant::now);
                }
            }
        }
    }
    Some(changed.into_iter().collect())
}
