//! The query side, in Rust: reads the index files back and ranks pages
//! exactly as `search-core.js` does, so the query set can be checked without a
//! browser (the browser test then checks the same set in Chromium).
//!
//! Ranking: each query term scores a section by the weight of each token it
//! matches — 10 for the page title, 5 for the heading, 2 − 1/n for n times
//! in the text — times the term's inverse section frequency (all the tokens
//! it matches counted), times 0.6 when a word matched only as a prefix. A page needs every term somewhere (when
//! no page has them all, pages with the most terms come first); its score
//! is the sum of its best score per term plus half its best section's. Its
//! link goes to the section whose heading and text match best.

use std::collections::HashMap;

use super::builder::{HEADING, TF_MAX, TITLE};
use super::format::{END, FORMAT, MORE};
use super::tokenize::{Term, hash, is_cjk, shard_key, terms};

pub const TITLE_SCORE: f64 = 10.0;
pub const HEADING_SCORE: f64 = 5.0;
pub const PREFIX_FACTOR: f64 = 0.6;

/// A token and its postings, `(section, weight)` by section.
type TokenPostings = (String, Vec<(u32, u8)>);

pub struct Index {
    shards: Vec<Vec<TokenPostings>>,
    /// First section id of each page, and one past the last.
    first: Vec<u32>,
    pages: Vec<Page>,
}

struct Page {
    href: String,
    title: String,
    /// `(id, heading)` of each section.
    sections: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub href: String,
    pub title: String,
    pub score: f64,
    /// The heading id the result links to (empty: the top of the page).
    pub target: String,
    /// Other matching sections, best first: `(id, heading)`.
    pub sections: Vec<(String, String)>,
}

impl Hit {
    /// The link, relative to the site root.
    pub fn url(&self) -> String {
        if self.target.is_empty() { self.href.clone() } else { format!("{}#{}", self.href, self.target) }
    }
}

impl Index {
    /// Reads the files `builder::files` wrote, by output path.
    pub fn from_files(files: &[(String, String)]) -> Result<Index, String> {
        let mut args: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
        for (path, body) in files {
            let inner = body
                .trim_end()
                .strip_prefix("opsbookIndex(")
                .and_then(|b| b.strip_suffix(");"))
                .ok_or_else(|| format!("`{path}` is not an index script"))?;
            let list: Vec<serde_json::Value> =
                serde_json::from_str(&format!("[{inner}]")).map_err(|e| format!("`{path}`: {e}"))?;
            let name = list.first().and_then(|n| n.as_str()).ok_or_else(|| format!("`{path}` has no name"))?;
            args.insert(name.to_string(), list[1..].to_vec());
        }
        let manifest = args.get("index").and_then(|a| a.first()).ok_or("no index.js")?;
        if manifest["v"].as_u64() != Some(u64::from(FORMAT)) {
            return Err("unknown index format".into());
        }
        let shard_count = manifest["shards"].as_u64().ok_or("no shard count")? as usize;
        let counts = numbers(manifest["sections"].as_str().unwrap_or(""));
        let mut first = vec![0u32];
        for c in &counts {
            first.push(first.last().copied().unwrap_or(0) + c);
        }
        let mut shards = Vec::with_capacity(shard_count);
        for k in 0..shard_count {
            // A shard cut into parts is read whole: every token a term can
            // match is in the term's part, so the rest changes nothing.
            let names: Vec<String> = match manifest["split"][k.to_string()].as_u64() {
                Some(parts) => (0..parts).map(|p| format!("t{k}-{p}")).collect(),
                None => vec![format!("t{k}")],
            };
            let mut list: Vec<TokenPostings> = Vec::new();
            for name in names {
                let a = args.get(&name).ok_or_else(|| format!("no shard {name}"))?;
                let tokens = a.first().and_then(|t| t.as_str()).unwrap_or("");
                let lists = a.get(1).and_then(|t| t.as_str()).unwrap_or("");
                if tokens.is_empty() {
                    continue;
                }
                let start = list.len();
                for (coded, p) in tokens.split(' ').zip(lists.split(' ')) {
                    let cut = coded.find(|c: char| c.is_ascii() && END.contains(&(c as u8))).map_or(0, |i| i + 1);
                    let shared = numbers(&coded[..cut]).first().copied().unwrap_or(0) as usize;
                    let prev = if list.len() > start { list[list.len() - 1].0.as_str() } else { "" };
                    let token: String = prev.chars().take(shared).chain(coded[cut..].chars()).collect();
                    list.push((token, postings(&numbers(p))));
                }
            }
            shards.push(list);
        }
        let mut pages = Vec::new();
        for k in 0.. {
            let Some(a) = args.get(&format!("d{k}")) else { break };
            for entry in a.first().and_then(|e| e.as_array()).into_iter().flatten() {
                let s = |i: usize| entry[i].as_str().unwrap_or("").to_string();
                let fields: Vec<String> = entry[2]
                    .as_array()
                    .map(|f| f.iter().map(|v| v.as_str().unwrap_or("").to_string()).collect())
                    .unwrap_or_default();
                let sections = fields.chunks(3).map(|c| (c[0].clone(), c[1].clone())).collect();
                pages.push(Page { href: s(0), title: s(1), sections });
            }
        }
        if pages.len() != counts.len() {
            return Err(format!("{} pages in chunks, {} in index.js", pages.len(), counts.len()));
        }
        Ok(Index { shards, first, pages })
    }

    pub fn search(&self, query: &str) -> Vec<Hit> {
        let terms = terms(query);
        if terms.is_empty() || self.pages.is_empty() {
            return Vec::new();
        }
        let n = f64::from(*self.first.last().unwrap_or(&0));
        // Per term: section → (score, score without the title).
        let per_term: Vec<HashMap<u32, (f64, f64)>> = terms.iter().map(|t| self.term_scores(t, n)).collect();
        let mut by_page: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut sec_sum: HashMap<u32, f64> = HashMap::new();
        for (ti, m) in per_term.iter().enumerate() {
            let mut secs: Vec<&u32> = m.keys().collect();
            secs.sort_unstable();
            for &sec in secs {
                let page = self.first.partition_point(|&f| f <= sec) - 1;
                let list = by_page.entry(page).or_default();
                if list.last() != Some(&ti) {
                    list.push(ti);
                }
                *sec_sum.entry(sec).or_insert(0.0) += m[&sec].1;
            }
        }
        let mut hits: Vec<(usize, usize, f64, Hit)> = Vec::new();
        for (&page, matched) in &by_page {
            let (lo, hi) = (self.first[page], self.first[page + 1]);
            let mut score = 0.0;
            for m in &per_term {
                score += (lo..hi).filter_map(|s| m.get(&s)).map(|v| v.0).fold(0.0, f64::max);
            }
            let mut ranked: Vec<(u32, f64)> = (lo..hi).map(|s| (s, sec_sum.get(&s).copied().unwrap_or(0.0))).collect();
            let best = ranked.iter().map(|r| r.1).fold(0.0, f64::max);
            score += 0.5 * best;
            ranked.retain(|r| r.1 > 0.0);
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let target = ranked.first().map_or(lo, |r| r.0);
            let p = &self.pages[page];
            let id = |s: u32| p.sections[(s - lo) as usize].clone();
            let sections = ranked.iter().filter(|r| r.0 != target && r.0 != lo).take(3).map(|r| id(r.0)).collect();
            let hit = Hit { href: p.href.clone(), title: p.title.clone(), score, target: id(target).0, sections };
            hits.push((matched.len(), page, score, hit));
        }
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.total_cmp(&a.2)).then(a.1.cmp(&b.1)));
        let all = terms.len();
        if hits.first().is_some_and(|h| h.0 == all) {
            hits.retain(|h| h.0 == all);
        }
        hits.into_iter().map(|h| h.3).collect()
    }

    fn term_scores(&self, term: &Term, n: f64) -> HashMap<u32, (f64, f64)> {
        let mut out: HashMap<u32, (f64, f64)> = HashMap::new();
        if self.shards.is_empty() {
            return out;
        }
        let shard = &self.shards[hash(shard_key(&term.text)) as usize & (self.shards.len() - 1)];
        let cjk = term.text.chars().next().is_some_and(is_cjk);
        let matching: Vec<&TokenPostings> = shard
            .iter()
            .filter(|(token, _)| *token == term.text || (term.prefix && token.starts_with(&term.text)))
            .collect();
        // One frequency for the whole term, so a rare word that merely
        // starts with it does not outweigh the word itself.
        let df: usize = matching.iter().map(|(_, p)| p.len()).sum();
        let idf = (1.0 + n / df as f64).ln();
        for (token, postings) in matching {
            let factor = if *token == term.text || cjk { 1.0 } else { PREFIX_FACTOR };
            for &(sec, w) in postings {
                let (c, s) = weight_scores(w, idf * factor);
                let e = out.entry(sec).or_insert((0.0, 0.0));
                e.0 = e.0.max(s);
                e.1 = e.1.max(c);
            }
        }
        out
    }
}

/// `(score without title, score)` of a posting with weight `w`.
fn weight_scores(w: u8, scale: f64) -> (f64, f64) {
    let tf = w & TF_MAX;
    let body = if tf == 0 { 0.0 } else { 2.0 - 1.0 / f64::from(tf) };
    let heading = if w & HEADING != 0 { HEADING_SCORE } else { 0.0 };
    let title = if w & TITLE != 0 { TITLE_SCORE } else { 0.0 };
    let c = (heading + body) * scale;
    (c, c + title * scale)
}

/// `(section, weight)` pairs from a token's numbers.
fn postings(nums: &[u32]) -> Vec<(u32, u8)> {
    let mut out = Vec::new();
    let mut sec = 0u32;
    let mut i = 0;
    while i < nums.len() {
        sec += nums[i] >> 1;
        let w = if nums[i] & 1 == 1 {
            i += 1;
            nums.get(i).copied().unwrap_or(1) as u8
        } else {
            1
        };
        out.push((sec, w));
        i += 1;
    }
    out
}

/// Decodes a list of numbers written by `format::push_number`.
pub fn numbers(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut v = 0u32;
    for b in s.bytes() {
        if let Some(d) = END.iter().position(|&e| e == b) {
            out.push(v.wrapping_mul(32).wrapping_add(d as u32));
            v = 0;
        } else if let Some(d) = MORE.iter().position(|&m| m == b) {
            v = v.wrapping_mul(32).wrapping_add(d as u32);
        }
    }
    out
}
