//! Building the index: each page's tokens (`Tokens`, kept across the
//! versions of a site in a `Prepared`), their postings gathered by token in
//! blocks of pages and split into shards (`files`), or taken from the index
//! built last and renumbered (`files_from`). [`super::format`] writes the
//! files.

use std::hash::Hasher;
use std::sync::Arc;

use rayon::prelude::*;

use super::Doc;
use super::format::{SHARD_BYTES, ShardFiles, assemble, push_entry, shard_files};
use super::tokenize::{Piece, each_piece, hash, shard_key};
use crate::fasthash::{FastMap, Fx};

/// A token's count in a section's text is capped here; a weight adds
/// [`HEADING`] and [`TITLE`] (see [`super::format`]).
pub const TF_MAX: u8 = 15;
pub const HEADING: u8 = 16;
pub const TITLE: u8 = 32;

const MAX_SHARDS: usize = 4096;
/// A shard file bigger than this is cut into parts of about `SHARD_BYTES`.
const SPLIT_BYTES: usize = 2 * SHARD_BYTES;
/// Pages per block when gathering postings.
const BLOCK: usize = 256;

/// A page for the index: its text, and its tokens and chunk entry when a
/// [`super::Memo`] kept them from an earlier build (else they are made here,
/// block by block and chunk by chunk).
pub struct Indexed {
    pub doc: Arc<Doc>,
    pub prepared: Option<Arc<Prepared>>,
}

/// What the index makes of one page, kept across the versions of a site.
pub struct Prepared {
    tokens: Tokens,
    /// The page's entry in its chunk file.
    pub(super) entry: String,
}

impl Prepared {
    pub fn of(doc: &Doc) -> Prepared {
        let mut entry = String::new();
        push_entry(&mut entry, doc);
        Prepared { tokens: Tokens::of(doc), entry }
    }
}

/// Output path (under the site root) → contents.
pub fn files(docs: &[Indexed]) -> Vec<(String, String)> {
    files_cut_at(docs, SPLIT_BYTES)
}

/// [`files`], cutting shard files bigger than `split_bytes` into parts.
fn files_cut_at(docs: &[Indexed], split_bytes: usize) -> Vec<(String, String)> {
    whole(docs, split_bytes, false).0
}

/// What a build of the index keeps for the next one (`super::Memo`: the
/// versions of a site index much the same pages): its pages, in order, with
/// their section counts, and each shard's postings, sorted by token.
pub struct Built {
    pages: Vec<Arc<Prepared>>,
    sections: Vec<u32>,
    total: usize,
    shards: Vec<Vec<OwnedPostings>>,
}

/// [`files`], and what the next build may start from ([`files_from`]) when
/// every page is [`Prepared`].
pub fn files_keeping(docs: &[Indexed]) -> (Vec<(String, String)>, Option<Built>) {
    whole(docs, SPLIT_BYTES, docs.iter().all(|d| d.prepared.is_some()))
}

/// The first section id of each page, and the number of sections.
fn firsts(docs: &[Indexed]) -> (Vec<u32>, u32) {
    let mut first = Vec::with_capacity(docs.len());
    let mut next = 0u32;
    for d in docs {
        first.push(next);
        next += d.doc.sections.len() as u32;
    }
    // Some ten million pages; `Posting` has 26 bits for the section.
    assert!(next < 1 << 26, "the search index holds at most 2^26 sections, this site has {next}");
    (first, next)
}

/// The number of token shards for `total` postings.
fn shard_count(total: usize) -> usize {
    (total * 3 / SHARD_BYTES).next_power_of_two().clamp(1, MAX_SHARDS)
}

fn whole(docs: &[Indexed], split_bytes: usize, keep: bool) -> (Vec<(String, String)>, Option<Built>) {
    let (first, _) = firsts(docs);
    // Blocks of pages gather their postings by token in one pass, so only
    // one block's postings (and tokens) exist at a time per thread; then
    // each shard joins its tokens' lists block after block, so sections
    // stay in order.
    let gathered: Vec<BlockPostings> = docs
        .par_chunks(BLOCK)
        .enumerate()
        .map(|(b, block)| {
            let mut gather = Block::default();
            for (j, d) in block.iter().enumerate() {
                let first = first[b * BLOCK + j];
                match &d.prepared {
                    Some(p) => gather.add(&p.tokens, first),
                    None => gather.add(&Tokens::of(&d.doc), first),
                }
            }
            gather.into_postings()
        })
        .collect();
    crate::trace("search: postings gathered");
    let total: usize = gathered.iter().flat_map(|m| m.values()).map(Vec::len).sum();
    let shards = shard_count(total);
    let mask = shards - 1;
    let blocks: Vec<Vec<Vec<OwnedPostings>>> = gathered
        .into_par_iter()
        .map(|postings| {
            let mut by_shard = vec![Vec::new(); shards];
            for (token, list) in postings {
                by_shard[hash(shard_key(&token)) as usize & mask].push((token, list));
            }
            by_shard
        })
        .collect();
    crate::trace("search: postings split by shard");
    let made: Vec<(ShardFiles, Option<Vec<OwnedPostings>>)> = (0..shards)
        .into_par_iter()
        .map(|k| {
            let mut postings: FastMap<&Arc<str>, Vec<Posting>> = FastMap::default();
            for block in &blocks {
                for (token, list) in &block[k] {
                    postings.entry(token).or_default().extend_from_slice(list);
                }
            }
            let mut list: Vec<(&Arc<str>, Vec<Posting>)> = postings.into_iter().collect();
            list.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let files = shard_files(k, &list, split_bytes);
            (files, keep.then(|| list.into_iter().map(|(t, p)| (Arc::clone(t), p)).collect()))
        })
        .collect();
    drop(blocks);
    let (made, lists): (Vec<ShardFiles>, Vec<Option<Vec<OwnedPostings>>>) = made.into_iter().unzip();
    let built = keep
        .then(|| {
            Some(Built {
                pages: docs.iter().map(|d| d.prepared.clone()).collect::<Option<_>>()?,
                sections: docs.iter().map(|d| d.doc.sections.len() as u32).collect(),
                total,
                shards: lists.into_iter().collect::<Option<_>>()?,
            })
        })
        .flatten();
    (assemble(docs, made), built)
}

/// A section id no page has: the section of a page that is gone.
const GONE: u32 = u32::MAX;

/// [`files_keeping`] from an earlier build's postings: the postings of the
/// pages both have (the same [`Prepared`]) keep their place, renumbered,
/// and only the pages `base` lacks are gathered. The files are those
/// [`files`] makes; `None` when `base` is no help (the pages moved
/// around, or the shard count changes).
pub fn files_from(base: &Built, docs: &[Indexed]) -> Option<(Vec<(String, String)>, Built)> {
    files_from_cut_at(base, docs, SPLIT_BYTES)
}

fn files_from_cut_at(base: &Built, docs: &[Indexed], split_bytes: usize) -> Option<(Vec<(String, String)>, Built)> {
    let pages: Vec<Arc<Prepared>> = docs.iter().map(|d| d.prepared.clone()).collect::<Option<_>>()?;
    let (first, _) = firsts(docs);
    let at: FastMap<*const Prepared, usize> = pages.iter().enumerate().map(|(i, p)| (Arc::as_ptr(p), i)).collect();
    if at.len() != pages.len() {
        return None;
    }
    // Where each of base's sections is now; pages keep their order.
    let mut remap: Vec<u32> = Vec::with_capacity(base.sections.iter().map(|&n| n as usize).sum());
    let mut here = vec![false; pages.len()];
    let (mut last, mut total) = (None, base.total);
    for (p, &n) in base.pages.iter().zip(&base.sections) {
        match at.get(&Arc::as_ptr(p)) {
            Some(&i) => {
                if last.is_some_and(|l| l >= i) {
                    return None;
                }
                last = Some(i);
                here[i] = true;
                remap.extend((0..n).map(|s| first[i] + s));
            }
            None => {
                total -= p.tokens.postings.len();
                remap.extend(std::iter::repeat_n(GONE, n as usize));
            }
        }
    }
    let mut gather = Block::default();
    for (i, p) in pages.iter().enumerate().filter(|(i, _)| !here[*i]) {
        total += p.tokens.postings.len();
        gather.add(&p.tokens, first[i]);
    }
    let shards = shard_count(total);
    if shards != base.shards.len() {
        return None;
    }
    let mut added: Vec<Vec<OwnedPostings>> = vec![Vec::new(); shards];
    for (token, list) in gather.into_postings() {
        added[hash(shard_key(&token)) as usize & (shards - 1)].push((token, list));
    }
    let made: Vec<(ShardFiles, Vec<OwnedPostings>)> = base
        .shards
        .par_iter()
        .zip(added)
        .enumerate()
        .map(|(k, (kept, mut added))| {
            added.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let mut added = added.into_iter().peekable();
            let mut list: Vec<OwnedPostings> = Vec::with_capacity(kept.len() + added.len());
            for (token, postings) in kept {
                while let Some(a) = added.next_if(|a| a.0 < *token) {
                    list.push(a);
                }
                let moved = postings.iter().filter_map(|p| {
                    let s = remap[p.section() as usize];
                    (s != GONE).then(|| Posting::new(s, p.weight()))
                });
                let merged: Vec<Posting> = match added.next_if(|a| a.0 == *token) {
                    Some((_, new)) => merge(moved, new),
                    None => moved.collect(),
                };
                if !merged.is_empty() {
                    list.push((Arc::clone(token), merged));
                }
            }
            list.extend(added);
            (shard_files(k, &list, split_bytes), list)
        })
        .collect();
    let (made, lists): (Vec<ShardFiles>, Vec<Vec<OwnedPostings>>) = made.into_iter().unzip();
    let sections = docs.iter().map(|d| d.doc.sections.len() as u32).collect();
    Some((assemble(docs, made), Built { pages, sections, total, shards: lists }))
}

/// Two lists of postings, each by section (no section in both), as one.
fn merge(a: impl Iterator<Item = Posting>, b: Vec<Posting>) -> Vec<Posting> {
    let mut out = Vec::with_capacity(b.len() + 8);
    let mut b = b.into_iter().peekable();
    for p in a {
        while let Some(q) = b.next_if(|q| q.section() < p.section()) {
            out.push(q);
        }
        out.push(p);
    }
    out.extend(b);
    out
}

/// One block's postings by token.
type BlockPostings = FastMap<Arc<str>, Vec<Posting>>;
/// A token and its postings, owning its token: one block's share of a shard.
type OwnedPostings = (Arc<str>, Vec<Posting>);

/// A section and a token's weight in it, in one word: the section id above
/// six bits of weight (at most [`TF_MAX`] | [`HEADING`] | [`TITLE`] = 63).
/// Half the memory of a pair, and a big site holds tens of millions.
#[derive(Clone, Copy)]
pub(super) struct Posting(u32);

impl Posting {
    fn new(section: u32, weight: u8) -> Posting {
        debug_assert!(section < 1 << 26 && weight < 64);
        Posting(section << 6 | u32::from(weight))
    }

    pub(super) fn section(self) -> u32 {
        self.0 >> 6
    }

    pub(super) fn weight(self) -> u8 {
        (self.0 & 63) as u8
    }
}

/// A token of a page or block: a CJK token packed as its one or two
/// characters with [`CJK`] set, a word as its index in a list of words.
type Key = u64;
const CJK: Key = 1 << 63;

/// One page's tokens: postings `(token, section, weight)`, in section order,
/// its words listed once each (in one string, each ending at its `ends`).
#[derive(Debug, Default)]
pub struct Tokens {
    text: String,
    ends: Vec<u32>,
    postings: Vec<(Key, u32, u8)>,
}

impl Tokens {
    /// Cuts a page's title, headings and text.
    pub fn of(doc: &Doc) -> Tokens {
        let mut words = PageWords::default();
        let mut section: FastMap<Key, u8> = FastMap::with_capacity_and_hasher(512, Default::default());
        let mut postings = Vec::new();
        for (s, sec) in doc.sections.iter().enumerate() {
            cut(&sec.text, &mut words, &mut section, count);
            cut(&sec.heading, &mut words, &mut section, |w| w | HEADING);
            if s == 0 {
                cut(&doc.title, &mut words, &mut section, |w| w | TITLE);
            }
            postings.extend(section.drain().map(|(key, w)| (key, s as u32, w)));
        }
        Tokens { text: words.text, ends: words.ends, postings }
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.text[a as usize..b as usize])
    }
}

/// Adds the tokens of `text` to a section's, changing each one's weight
/// with `update`.
fn cut(text: &str, words: &mut PageWords, section: &mut FastMap<Key, u8>, update: impl Fn(u8) -> u8) {
    each_piece(text, |piece| {
        let key = match piece {
            Piece::Cjk(a, b, _) => CJK | (a as Key) << 21 | b.map_or(0, |c| c as Key),
            Piece::Word(w, _) => words.key(w),
        };
        let w = section.entry(key).or_insert(0);
        *w = update(*w);
    });
}

/// A token once more in a section's text.
fn count(w: u8) -> u8 {
    if w & TF_MAX < TF_MAX { w + 1 } else { w }
}

/// A page's distinct words, numbered in order of appearance, kept in one
/// string: no allocation per word. Found by their hash, checked against the
/// text (a clash moves on to the next slot).
#[derive(Default)]
struct PageWords {
    by_hash: FastMap<u64, u32>,
    text: String,
    ends: Vec<u32>,
}

impl PageWords {
    fn key(&mut self, w: &str) -> Key {
        let mut h = Fx::default();
        h.write(w.as_bytes());
        let mut slot = h.finish();
        loop {
            match self.by_hash.get(&slot) {
                Some(&i) => {
                    let start = if i == 0 { 0 } else { self.ends[i as usize - 1] as usize };
                    if &self.text[start..self.ends[i as usize] as usize] == w {
                        return Key::from(i);
                    }
                    slot = slot.wrapping_add(1);
                }
                None => {
                    let i = self.ends.len() as u32;
                    self.text.push_str(w);
                    self.ends.push(self.text.len() as u32);
                    self.by_hash.insert(slot, i);
                    return Key::from(i);
                }
            }
        }
    }
}

/// One block's postings, keyed without a string per token occurrence.
#[derive(Default)]
struct Block {
    words: FastMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
    postings: FastMap<Key, Vec<Posting>>,
}

impl Block {
    /// Adds a page whose first section has the id `first`.
    fn add(&mut self, page: &Tokens, first: u32) {
        // The page's words by their index in this block.
        let ids: Vec<Key> = page.words().map(|w| intern(&mut self.words, &mut self.names, w)).collect();
        for &(key, sec, w) in &page.postings {
            let key = if key & CJK == 0 { ids[key as usize] } else { key };
            self.postings.entry(key).or_default().push(Posting::new(first + sec, w));
        }
    }

    /// The postings by token text.
    fn into_postings(self) -> BlockPostings {
        let names = self.names;
        self.postings
            .into_iter()
            .map(|(key, list)| {
                let text = if key & CJK == 0 {
                    Arc::clone(&names[key as usize])
                } else {
                    let cjk: String = [(key >> 21) & 0x1F_FFFF, key & 0x1F_FFFF]
                        .into_iter()
                        .filter(|&c| c != 0)
                        .filter_map(|c| char::from_u32(c as u32))
                        .collect();
                    Arc::from(cjk)
                };
                (text, list)
            })
            .collect()
    }
}

/// The index of word `w` in `names`, adding it (one string shared by both
/// lists) when it is new.
fn intern(words: &mut FastMap<Arc<str>, u32>, names: &mut Vec<Arc<str>>, w: &str) -> Key {
    if let Some(&i) = words.get(w) {
        return Key::from(i);
    }
    let i = names.len() as u32;
    let name: Arc<str> = Arc::from(w);
    words.insert(Arc::clone(&name), i);
    names.push(name);
    Key::from(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of `n` sections, prepared as a memo keeps it.
    fn prepared(name: &str, n: usize, text: &str) -> (Arc<Doc>, Arc<Prepared>) {
        let sections = (0..n)
            .map(|s| super::super::Section {
                id: format!("s{s}"),
                heading: format!("第 {s} 节 {name}"),
                text: format!("{text} {name} 复盘 review {s}"),
            })
            .collect();
        let doc = Doc { href: format!("{name}/index.html"), title: format!("页面 {name}"), sections };
        let prepared = Arc::new(Prepared::of(&doc));
        (Arc::new(doc), prepared)
    }

    fn indexed(pages: &[(Arc<Doc>, Arc<Prepared>)]) -> Vec<Indexed> {
        pages.iter().map(|(d, p)| Indexed { doc: Arc::clone(d), prepared: Some(Arc::clone(p)) }).collect()
    }

    #[test]
    fn an_index_built_from_an_earlier_one_is_the_whole_build() {
        let text = "留存率是复盘的核心，留存用户决定增长。retention weekly 每周复盘留存与活跃";
        let old: Vec<_> = (0..30).map(|i| prepared(&format!("p{i:02}"), 1 + i % 4, text)).collect();
        let (_, base) = whole(&indexed(&old), 64, true);
        let base = base.expect("every page is prepared");
        // Pages gone (the first, a middle one, the last), one changed, two
        // new (with words no page had, Hangul after every other token), the
        // rest the same.
        let mut new: Vec<_> = old[1..29].iter().filter(|(d, _)| d.href != "p10/index.html").cloned().collect();
        new[5] = prepared("p06", 3, "改过的文字 edited");
        new.insert(12, prepared("p13a", 2, "新页面 brandnew 운영"));
        new.push(prepared("p99", 1, text));
        let docs = indexed(&new);
        let (files, built) = files_from_cut_at(&base, &docs, 64).expect("the earlier index helps");
        assert_eq!(files, files_cut_at(&docs, 64));
        // And the next build from this one.
        let again = indexed(&new[2..]);
        assert_eq!(files_from_cut_at(&built, &again, 64).map(|x| x.0), Some(files_cut_at(&again, 64)));
        // Pages in another order are no help.
        let mut swapped = new.clone();
        swapped.swap(0, 1);
        assert!(files_from_cut_at(&built, &indexed(&swapped), 64).is_none());
    }

    #[test]
    fn shards_cut_into_parts_answer_every_query_as_whole_ones() {
        // Chinese text piles the bigrams of a character into its shard.
        let text = "留存率是复盘的核心，留存用户决定增长。retention review 每周复盘留存与活跃，留言区反馈留给客服。";
        let docs: Vec<Indexed> = (0..40)
            .map(|i| {
                let sections = (0..4)
                    .map(|s| super::super::Section {
                        id: format!("s{s}"),
                        heading: format!("第 {s} 节 留存"),
                        text: text.repeat(1 + (i + s) % 5),
                    })
                    .collect();
                let doc = Doc { href: format!("p{i}/index.html"), title: format!("页面 {i}"), sections };
                Indexed { doc: Arc::new(doc), prepared: None }
            })
            .collect();
        let whole = files_cut_at(&docs, usize::MAX);
        let cut = files_cut_at(&docs, 64);
        assert!(cut.iter().any(|(path, _)| path.contains('-')), "nothing was cut");
        assert!(!whole.iter().any(|(path, _)| path.contains('-')));
        let (whole, cut) = (
            super::super::query::Index::from_files(&whole).expect("whole"),
            super::super::query::Index::from_files(&cut).expect("cut"),
        );
        for q in ["留存", "留", "复盘 留存", "re", "ret", "retention", "留言区", "客服", "增长 review"] {
            assert_eq!(cut.search(q), whole.search(q), "{q}");
            assert!(!whole.search(q).is_empty(), "{q} finds nothing");
        }
    }
}
