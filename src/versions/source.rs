//! A version's content: the content folder as it was at a commit (read from
//! git objects, no checkout) or in a snapshot folder, loaded through the same
//! per-file logic as the working tree.

use std::collections::HashMap;
use std::sync::Arc;

use crate::content::{self, Content, Origin, SourceFile};
use crate::git::{Oid, Repo};

use super::list::{Source, Version};

/// Blobs already read, by id, and the files loaded from them: most files
/// are the same in most versions, so each is read and parsed once.
#[derive(Default)]
pub struct Blobs {
    bytes: HashMap<Oid, Arc<[u8]>>,
    loaded: content::Memo,
}

impl Blobs {
    /// Takes in the working tree's content: a file whose bytes hash to a
    /// blob's id is that blob, so a version that has it reads nothing from
    /// git and parses nothing again. Most files of the newest versions are
    /// the working tree's; hashing them costs a fraction of reading the
    /// blobs (loose objects are files of their own, packed ones may be
    /// deltas). A file that git stores converted (line endings, filters)
    /// hashes to another id and is read from git as before.
    pub fn share_work_tree(&mut self, content: &Content, drafts: bool) {
        use rayon::prelude::*;
        let files = self.loaded.remember(content, drafts);
        let hashed: Vec<(Oid, Arc<[u8]>)> = files
            .into_par_iter()
            .filter_map(|(_, bytes)| {
                let id = gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, &bytes).ok()?;
                Some((id, bytes))
            })
            .collect();
        self.bytes.extend(hashed);
    }
}

/// Loads `version`'s content folder. `repo_dir` is the content folder's path
/// inside the repository; `shown` names it in diagnostics (`content`).
/// `Ok(None)` when the folder did not exist in that version.
pub fn load(
    version: &Version,
    repo: Option<&Repo>,
    repo_dir: &str,
    shown: &str,
    drafts: bool,
    blobs: &mut Blobs,
) -> Result<Option<Content>, String> {
    match &version.source {
        Source::WorkTree => Err("the working tree is loaded by the build itself".to_string()),
        Source::Snapshot(dir) => Ok(Some(content::load(dir, shown, drafts))),
        Source::Commit { id, .. } => {
            let Some(repo) = repo else {
                return Err("no git repository".to_string());
            };
            let Some(files) = repo.files(*id, repo_dir)? else {
                return Ok(None);
            };
            let mut sources = Vec::with_capacity(files.len());
            for f in files {
                let bytes = match blobs.bytes.get(&f.oid) {
                    Some(b) => Arc::clone(b),
                    None => {
                        let b: Arc<[u8]> = Arc::from(repo.blob(f.oid)?);
                        blobs.bytes.insert(f.oid, Arc::clone(&b));
                        b
                    }
                };
                sources.push(SourceFile { rel: f.rel, origin: Origin::Memory(bytes) });
            }
            Ok(Some(content::from_files_reusing(sources, shown, drafts, &blobs.loaded)))
        }
    }
}
