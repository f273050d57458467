//! The index files. Every file is a script that hands its data to
//! `opsbookIndex(name, …)`, a global set by `search-core.js`, so the index loads
//! with a `<script>` tag from `file://` and under any subpath.
//!
//! - `index.js`: `{v, build, shards, split, sections, chunks}` — the shard
//!   count, the part count of each shard cut into parts, the number of
//!   sections of each page and of pages in each chunk.
//! - `t<k>.js`: one token shard, `("t<k>", tokens, postings)`: the tokens
//!   whose [`shard_key`](super::tokenize::shard_key) hashes to `k`, sorted
//!   and joined by spaces, each written as the number of characters it
//!   shares with the one before and the rest (`留存 留言` → `0留存 1言`);
//!   and their postings, also joined by spaces. A posting is the section id
//!   as a delta from the previous one, shifted left by one; the low bit set
//!   means a weight follows, clear means the weight is 1 (the common case:
//!   the token once in the text).
//! - `t<k>-<p>.js`: part `p` of token shard `k`, when the shard is too big
//!   to load whole for one term (Chinese text piles every bigram that starts
//!   with a common character into one shard): its tokens whose
//!   [`part_key`] hashes to `p` (modulo the shard's part count, listed in
//!   `index.js` as `split`), in the same form. A term picks its part by its
//!   own part key, or loads every part when it has none (a lone CJK
//!   character, a two-letter word: prefixes of every token of the shard).
//! - `d<k>.js`: one chunk of pages, `("d<k>", [[href, title, [id, heading,
//!   text, id, heading, text, …]], …])`, loaded only to show results.
//!
//! Numbers are written in base 32, most significant digit first: the last
//! digit from [`END`], the others from [`MORE`], so a list needs no commas
//! and most numbers take one character. A weight is the section's count of
//! the token in its text (at most 15), plus
//! [`HEADING`](super::builder::HEADING) when its heading has the token, plus
//! [`TITLE`](super::builder::TITLE) (on a page's first section) when the
//! page title has it.

use std::hash::Hasher;

use rayon::prelude::*;

use super::Doc;
use super::builder::{Indexed, Posting};
use super::json::push_json;
use super::tokenize::{hash, part_key};
use crate::fasthash::Fx;

pub const END: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
pub const MORE: &[u8; 32] = b"wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
/// Version of the format; `search-core.js` refuses another.
pub const FORMAT: u32 = 2;

/// Aim for token shards of about this many bytes (a query loads one per term).
pub(super) const SHARD_BYTES: usize = 32 * 1024;
const MAX_PARTS: usize = 256;
/// Aim for page chunks of about this many bytes.
const CHUNK_BYTES: usize = 32 * 1024;

/// A shard's files and its number of parts (see [`shard_files`]).
pub(super) type ShardFiles = (Vec<(String, String)>, usize);

/// The index's files from its shards' files: with the page chunks and the
/// manifest, sorted by path.
pub(super) fn assemble(docs: &[Indexed], made: Vec<ShardFiles>) -> Vec<(String, String)> {
    let shards = made.len();
    let mut split = serde_json::Map::new();
    let mut out: Vec<(String, String)> = Vec::with_capacity(made.len());
    for (k, (files, parts)) in made.into_iter().enumerate() {
        if parts > 1 {
            split.insert(k.to_string(), parts.into());
        }
        out.extend(files);
    }
    crate::trace("search: shard files made");
    let (chunk_files, chunk_sizes) = chunks(docs);
    crate::trace("search: chunk files made");
    out.extend(chunk_files);
    // The build id only has to change when a file does: a word-at-a-time
    // hash, since it reads every byte of the index.
    let hashes: Vec<u64> = out
        .par_iter()
        .map(|(_, body)| {
            let mut h = Fx::default();
            h.write(body.as_bytes());
            h.finish()
        })
        .collect();
    let mut h = Fx::default();
    hashes.iter().for_each(|&x| h.write_u64(x));
    let build = (h.finish() ^ (h.finish() >> 32)) as u32;
    let mut sections = String::new();
    for d in docs {
        push_number(&mut sections, d.doc.sections.len() as u32);
    }
    let mut chunk_list = String::new();
    for n in chunk_sizes {
        push_number(&mut chunk_list, n);
    }
    let manifest = serde_json::json!({
        "v": FORMAT,
        "build": format!("{build:08x}"),
        "shards": shards,
        "split": split,
        "sections": sections,
        "chunks": chunk_list,
    });
    out.push(("assets/search/index.js".into(), format!("opsbookIndex(\"index\",{manifest});\n")));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The files of shard `k` (one, or its parts when it is bigger than
/// `split_bytes`) and how many parts it has (1: not cut).
pub(super) fn shard_files<T: AsRef<str>>(k: usize, list: &[(T, Vec<Posting>)], split_bytes: usize) -> ShardFiles {
    // About the file's size (a posting takes one or two characters), not
    // the file itself: most shards are small, and a big one is not written
    // twice.
    let bytes: usize = list.iter().map(|(token, postings)| token.as_ref().len() + 1 + postings.len() * 3 / 2).sum();
    if bytes <= split_bytes {
        let all: Vec<&(T, Vec<Posting>)> = list.iter().collect();
        return (vec![(format!("assets/search/t{k}.js"), shard_file(&format!("t{k}"), &all))], 1);
    }
    let parts = (bytes / SHARD_BYTES).next_power_of_two().clamp(2, MAX_PARTS);
    let mut lists: Vec<Vec<&(T, Vec<Posting>)>> = vec![Vec::new(); parts];
    for entry in list {
        let token = entry.0.as_ref();
        let key = part_key(token).unwrap_or(token);
        lists[hash(key) as usize & (parts - 1)].push(entry);
    }
    let files = lists
        .iter()
        .enumerate()
        .map(|(p, part)| (format!("assets/search/t{k}-{p}.js"), shard_file(&format!("t{k}-{p}"), part)))
        .collect();
    (files, parts)
}

fn shard_file<T: AsRef<str>>(name: &str, list: &[&(T, Vec<Posting>)]) -> String {
    let mut tokens = String::with_capacity(list.iter().map(|(t, _)| t.as_ref().len() + 2).sum());
    let mut postings: Vec<u8> = Vec::with_capacity(list.iter().map(|(_, p)| p.len() * 2 + 1).sum());
    let mut prev = "";
    for (i, (token, list)) in list.iter().enumerate() {
        let token = token.as_ref();
        if i > 0 {
            tokens.push(' ');
            postings.push(b' ');
        }
        // The characters it shares with the token before: equal bytes, cut
        // back to a whole character.
        let mut cut = token.bytes().zip(prev.bytes()).take_while(|(a, b)| a == b).count();
        while !token.is_char_boundary(cut) {
            cut -= 1;
        }
        push_number(&mut tokens, token[..cut].chars().count() as u32);
        tokens.push_str(&token[cut..]);
        prev = token;
        let mut last = 0;
        for (sec, w) in list.iter().map(|p| (p.section(), p.weight())) {
            push_digits(&mut postings, ((sec - last) << 1) | u32::from(w != 1));
            if w != 1 {
                push_digits(&mut postings, u32::from(w));
            }
            last = sec;
        }
    }
    let mut file = String::with_capacity(tokens.len() + postings.len() + name.len() + 32);
    file.push_str("opsbookIndex(\"");
    file.push_str(name);
    file.push_str("\",");
    push_json(&mut file, &tokens);
    file.push_str(",\"");
    // Digits from `END` and `MORE`, and spaces: ASCII.
    file.push_str(simdutf8::basic::from_utf8(&postings).unwrap_or_default());
    file.push_str("\");\n");
    file
}

/// The page chunks and how many pages each holds.
fn chunks(docs: &[Indexed]) -> (Vec<(String, String)>, Vec<u32>) {
    let mut bounds = vec![0];
    let mut size = 0;
    for (i, d) in docs.iter().map(|d| &d.doc).enumerate() {
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
                match &d.prepared {
                    Some(p) => body.push_str(&p.entry),
                    None => push_entry(&mut body, &d.doc),
                }
            }
            body.push_str("]);\n");
            (format!("assets/search/d{k}.js"), body)
        })
        .collect();
    (files, bounds.windows(2).map(|w| (w[1] - w[0]) as u32).collect())
}

/// A page's entry in its chunk: `[href,title,[id,heading,text,…]]`, as
/// serde_json writes it.
pub(super) fn push_entry(body: &mut String, d: &Doc) {
    body.push('[');
    push_json(body, &d.href);
    body.push(',');
    push_json(body, &d.title);
    body.push_str(",[");
    for (k, field) in d.sections.iter().flat_map(|s| [&s.id, &s.heading, &s.text]).enumerate() {
        if k > 0 {
            body.push(',');
        }
        push_json(body, field);
    }
    body.push_str("]]");
}

pub fn push_number(out: &mut String, n: u32) {
    let (digits, len) = digits(n);
    out.extend(digits[..len].iter().map(|&d| char::from(d)));
}

/// [`push_number`] into bytes, the common one- and two-digit numbers (a
/// posting's gap and weight) without a loop.
fn push_digits(out: &mut Vec<u8>, n: u32) {
    match n {
        0..32 => out.push(END[n as usize]),
        32..1024 => out.extend_from_slice(&[MORE[(n >> 5) as usize], END[(n & 31) as usize]]),
        _ => {
            let (digits, len) = digits(n);
            out.extend_from_slice(&digits[..len]);
        }
    }
}

/// The digits of `n`, most significant first, and how many there are.
fn digits(mut n: u32) -> ([u8; 7], usize) {
    let mut rev = [0u8; 7];
    let mut k = 0;
    loop {
        rev[k] = (n % 32) as u8;
        k += 1;
        n /= 32;
        if n == 0 {
            break;
        }
    }
    let mut out = [0u8; 7];
    for (j, d) in rev[..k].iter().rev().enumerate() {
        out[j] = if j + 1 == k { END[*d as usize] } else { MORE[*d as usize] };
    }
    (out, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(n: u32, expected: &str) {
        let mut s = String::new();
        push_number(&mut s, n);
        assert_eq!(s, expected, "{n}");
        assert_eq!(super::super::query::numbers(&s), vec![n]);
        let mut b = Vec::new();
        push_digits(&mut b, n);
        assert_eq!(b, expected.as_bytes(), "{n}");
    }

    #[test]
    fn numbers() {
        check(0, "0");
        check(31, "v");
        check(32, "x0");
        check(1023, "_v");
        check(1024, "xw0");
        check(1025, "xw1");
        check(u32::MAX, "z_____v");
    }
}
