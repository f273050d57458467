//! The index files. Every file is a script that hands its data to
//! `opsbookIndex(name, …)`, a global set by `search-core.js`, so the index loads
//! with a `<script>` tag from `file://` and under any subpath.
//!
//! - `index.js`: `{v, build, shards, sections, chunks}` — the shard count,
//!   the number of sections of each page and of pages in each chunk.
//! - `t<k>.js`: one token shard, `("t<k>", tokens, postings)`: the tokens
//!   whose [`shard_key`] hashes to `k`, sorted and joined by spaces, each
//!   written as the number of characters it shares with the one before and
//!   the rest (`留存 留言` → `0留存 1言`); and their postings, also joined by
//!   spaces. A posting is the section id as
//!   a delta from the previous one, shifted left by one; the low bit set
//!   means a weight follows, clear means the weight is 1 (the common case:
//!   the token once in the text).
//! - `d<k>.js`: one chunk of pages, `("d<k>", [[href, title, [id, heading,
//!   text, id, heading, text, …]], …])`, loaded only to show results.
//!
//! Numbers are written in base 32, most significant digit first: the last
//! digit from [`END`], the others from [`MORE`], so a list needs no commas
//! and most numbers take one character. A weight is the section's count of
//! the token in its text (at most 15), plus [`HEADING`] when its heading
//! has the token, plus [`TITLE`] (on a page's first section) when the page
//! title has it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::Doc;
use super::tokenize::{each_token, hash, shard_key};

pub const END: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
pub const MORE: &[u8; 32] = b"wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
pub const TF_MAX: u8 = 15;
pub const HEADING: u8 = 16;
pub const TITLE: u8 = 32;
/// Version of the format; `search-core.js` refuses another.
pub const FORMAT: u32 = 1;

/// Aim for token shards of about this many bytes (a query loads one per term).
const SHARD_BYTES: usize = 32 * 1024;
const MAX_SHARDS: usize = 4096;
/// Pages per block when gathering postings.
const BLOCK: usize = 256;
/// Aim for page chunks of about this many bytes.
const CHUNK_BYTES: usize = 32 * 1024;

/// Output path (under the site root) → contents.
pub fn files(docs: &[Doc]) -> Vec<(String, String)> {
    let mut first = Vec::with_capacity(docs.len());
    let mut next = 0u32;
    for d in docs {
        first.push(next);
        next += d.sections.len() as u32;
    }
    // Blocks of pages are tokenised and gather their postings by token in
    // one pass, so only one block's per-page token lists exist at a time;
    // then each shard joins its tokens' lists block after block, so sections
    // stay in order.
    let gathered: Vec<FastMap<String, Vec<(u32, u8)>>> = docs
        .par_chunks(BLOCK)
        .enumerate()
        .map(|(b, block)| {
            let mut postings: FastMap<String, Vec<(u32, u8)>> = FastMap::default();
            for (j, doc) in block.iter().enumerate() {
                let tokens = doc_tokens(doc);
                let base = first[b * BLOCK + j];
                for &(id, sec, w) in &tokens.postings {
                    let name = &tokens.names[id as usize];
                    match postings.get_mut(name.as_str()) {
                        Some(list) => list.push((base + sec, w)),
                        None => {
                            postings.insert(name.clone(), vec![(base + sec, w)]);
                        }
                    }
                }
            }
            postings
        })
        .collect();
    let total: usize = gathered.iter().flat_map(|m| m.values()).map(Vec::len).sum();
    let shards = (total * 3 / SHARD_BYTES).next_power_of_two().clamp(1, MAX_SHARDS);
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
    let mut out: Vec<(String, String)> = (0..shards)
        .into_par_iter()
        .map(|k| {
            let mut postings: FastMap<&str, Vec<(u32, u8)>> = FastMap::default();
            for block in &blocks {
                for (token, list) in &block[k] {
                    postings.entry(token.as_str()).or_default().extend_from_slice(list);
                }
            }
            let mut list: Vec<TokenPostings<'_>> = postings.into_iter().collect();
            list.sort_unstable_by(|a, b| a.0.cmp(b.0));
            (format!("assets/search/t{k}.js"), shard_file(k, &list))
        })
        .collect();
    drop(blocks);
    let (chunk_files, chunk_sizes) = chunks(docs);
    out.extend(chunk_files);
    let hashes: Vec<u32> = out.par_iter().map(|(_, body)| fnv(0x811c_9dc5, body.as_bytes())).collect();
    let build = hashes.iter().fold(0x811c_9dc5, |h, x| fnv(h, &x.to_le_bytes()));
    let mut sections = String::new();
    for d in docs {
        push_number(&mut sections, d.sections.len() as u32);
    }
    let mut chunk_list = String::new();
    for n in chunk_sizes {
        push_number(&mut chunk_list, n);
    }
    let manifest = serde_json::json!({
        "v": FORMAT,
        "build": format!("{build:08x}"),
        "shards": shards,
        "sections": sections,
        "chunks": chunk_list,
    });
    out.push(("assets/search/index.js".into(), format!("opsbookIndex(\"index\",{manifest});\n")));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A hash map with a fast hasher for short keys (our own tokens, so no
/// flooding to fear): building the index hashes every token of the site.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

#[derive(Default)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(last));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn fnv(h: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(h, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// A token and its postings, `(section, weight)` by section.
type TokenPostings<'a> = (&'a str, Vec<(u32, u8)>);
/// The same, owning its token: one block's share of a shard.
type OwnedPostings = (String, Vec<(u32, u8)>);

/// One page's tokens: their texts by page-local id, and postings
/// `(id, section, weight)` in section order.
struct DocTokens {
    names: Vec<String>,
    postings: Vec<(u32, u32, u8)>,
}

/// Counts a page's tokens section by section without a string per token.
#[derive(Default)]
struct Counter {
    ids: FastMap<String, u32>,
    weights: Vec<u8>,
    touched: Vec<u32>,
}

impl Counter {
    fn bump(&mut self, token: &str, update: fn(u8) -> u8) {
        let id = match self.ids.get(token) {
            Some(&id) => id as usize,
            None => {
                self.ids.insert(token.to_string(), self.weights.len() as u32);
                self.weights.push(0);
                self.weights.len() - 1
            }
        };
        if self.weights[id] == 0 {
            self.touched.push(id as u32);
        }
        self.weights[id] = update(self.weights[id]);
    }

    fn flush(&mut self, sec: u32, out: &mut Vec<(u32, u32, u8)>) {
        for &id in &self.touched {
            out.push((id, sec, std::mem::take(&mut self.weights[id as usize])));
        }
        self.touched.clear();
    }
}

fn doc_tokens(doc: &Doc) -> DocTokens {
    let mut c = Counter::default();
    let mut postings = Vec::new();
    for (s, section) in doc.sections.iter().enumerate() {
        each_token(&section.text, |t, _| c.bump(t, |w| if w & TF_MAX < TF_MAX { w + 1 } else { w }));
        each_token(&section.heading, |t, _| c.bump(t, |w| w | HEADING));
        if s == 0 {
            each_token(&doc.title, |t, _| c.bump(t, |w| w | TITLE));
        }
        c.flush(s as u32, &mut postings);
    }
    let mut names = vec![String::new(); c.weights.len()];
    for (name, id) in c.ids {
        names[id as usize] = name;
    }
    DocTokens { names, postings }
}

fn shard_file(k: usize, list: &[TokenPostings<'_>]) -> String {
    let mut tokens = String::new();
    let mut postings = String::new();
    let mut prev = "";
    for (i, (token, list)) in list.iter().enumerate() {
        if i > 0 {
            tokens.push(' ');
            postings.push(' ');
        }
        let shared: Vec<(usize, char)> =
            token.char_indices().zip(prev.chars()).take_while(|((_, a), b)| a == b).map(|(c, _)| c).collect();
        push_number(&mut tokens, shared.len() as u32);
        tokens.push_str(&token[shared.last().map_or(0, |(i, c)| i + c.len_utf8())..]);
        prev = token;
        let mut last = 0;
        for &(sec, w) in list {
            push_number(&mut postings, ((sec - last) << 1) | u32::from(w != 1));
            if w != 1 {
                push_number(&mut postings, u32::from(w));
            }
            last = sec;
        }
    }
    let tokens = serde_json::Value::String(tokens);
    format!("opsbookIndex(\"t{k}\",{tokens},\"{postings}\");\n")
}

/// The page chunks and how many pages each holds.
fn chunks(docs: &[Doc]) -> (Vec<(String, String)>, Vec<u32>) {
    let mut bounds = vec![0];
    let mut size = 0;
    for (i, d) in docs.iter().enumerate() {
        size += d.href.len() + d.title.len() + 16;
        size += d.sections.iter().map(|s| s.id.len() + s.heading.len() + s.text.len() + 12).sum::<usize>();
        if size >= CHUNK_BYTES {
            bounds.push(i + 1);
            size = 0;
        }
    }
    if bounds.last() != Some(&docs.len()) || docs.is_empty() {
        bounds.push(docs.len());
    }
    let files = bounds
        .par_windows(2)
        .enumerate()
        .map(|(k, w)| {
            let mut body = format!("opsbookIndex(\"d{k}\",[");
            for (i, d) in docs[w[0]..w[1]].iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                let fields: Vec<&str> =
                    d.sections.iter().flat_map(|s| [s.id.as_str(), s.heading.as_str(), s.text.as_str()]).collect();
                body.push_str(&serde_json::to_string(&(&d.href, &d.title, fields)).unwrap_or_default());
            }
            body.push_str("]);\n");
            (format!("assets/search/d{k}.js"), body)
        })
        .collect();
    (files, bounds.windows(2).map(|w| (w[1] - w[0]) as u32).collect())
}

pub fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 7];
    let mut k = 0;
    loop {
        digits[k] = (n % 32) as u8;
        k += 1;
        n /= 32;
        if n == 0 {
            break;
        }
    }
    for j in (1..k).rev() {
        out.push(MORE[digits[j] as usize] as char);
    }
    out.push(END[digits[0] as usize] as char);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(n: u32, expected: &str) {
        let mut s = String::new();
        push_number(&mut s, n);
        assert_eq!(s, expected, "{n}");
        assert_eq!(super::super::query::numbers(&s), vec![n]);
    }

    #[test]
    fn numbers() {
        check(0, "0");
        check(31, "v");
        check(32, "x0");
        check(1023, "_v");
        check(1024, "xw0");
        check(u32::MAX, "z_____v");
    }
}
