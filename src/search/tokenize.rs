//! Tokens for search. `themes/default/static/search-core.js` has a twin of
//! this algorithm (over a string's characters, as the plain version in this
//! file's tests), so a query is cut exactly as the index was; both run the
//! table in `tokenizer_cases.toml`.
//!
//! The algorithm, over the text's characters:
//! 1. Full-width ASCII forms (`Ａ`, `１`, `／`, `，`) become ASCII and the
//!    ideographic space a space.
//! 2. A run of CJK characters (Han, kana, Hangul) gives its character
//!    bigrams, then its last character alone (`Tail`), so every character
//!    starts some token; a lone CJK character is a `Single`. Any substring of
//!    two or more characters is then a sequence of bigrams.
//! 3. A run of other letters and digits is a word, lower-cased. Words joined
//!    by one connector (`A/B`, `on-call`, `retention_d1`, `3.2`, `1,000`)
//!    give the joined word without connectors, then each part (`Part`).
//! 4. Everything else separates. Words are cut to [`MAX_WORD`] characters.

/// Longest word token, in characters; longer words are cut (both sides).
pub const MAX_WORD: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A word, or words joined by connectors.
    Word,
    /// One word of a joined word.
    Part,
    /// Two adjacent CJK characters.
    Bigram,
    /// The last character of a CJK run of two or more.
    Tail,
    /// A CJK character standing alone.
    Single,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub kind: Kind,
}

/// How a query term finds index tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    /// Matches every token that starts with `text` (words of two or more
    /// characters, single CJK characters); otherwise only `text` itself.
    pub prefix: bool,
}

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    each_token(text, |t, kind| out.push(Token { text: t.to_string(), kind }));
    out
}

/// Calls `f` with each token of `text`, in order, without allocating one
/// string per token.
pub fn each_token(text: &str, mut f: impl FnMut(&str, Kind)) {
    let mut buf = String::new();
    each_piece(text, |piece| match piece {
        Piece::Cjk(a, b, kind) => {
            buf.clear();
            buf.push(a);
            buf.extend(b);
            f(&buf, kind);
        }
        Piece::Word(w, kind) => f(w, kind),
    });
}

/// A token as [`each_piece`] hands it out: CJK tokens as their one or two
/// characters (the index builder packs them into a number, no string), words
/// as text.
#[derive(Debug, Clone, Copy)]
pub enum Piece<'a> {
    Cjk(char, Option<char>, Kind),
    Word(&'a str, Kind),
}

/// The tokenizer itself: calls `f` with each token of `text`, in order.
///
/// It walks the text's bytes, decoding a character only where one starts
/// outside ASCII, and hands out a word that needs no change (ASCII, lower
/// case, short enough: most English words) as a slice of `text` itself.
pub fn each_piece(text: &str, mut f: impl FnMut(Piece<'_>)) {
    let b = text.as_bytes();
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut buf = String::new();
    let mut i = 0;
    while i < b.len() {
        let (c, w) = char_at(b, i);
        if is_cjk(c) {
            // Bigrams as the run goes, then its last character alone.
            let (mut prev, mut single) = (c, true);
            i += w;
            while i < b.len() {
                let (d, w) = char_at(b, i);
                if !is_cjk(d) {
                    break;
                }
                f(Piece::Cjk(prev, Some(d), Kind::Bigram));
                (prev, single) = (d, false);
                i += w;
            }
            f(Piece::Cjk(prev, None, if single { Kind::Single } else { Kind::Tail }));
        } else if is_word(c) {
            parts.clear();
            let mut last = c;
            loop {
                let start = i;
                while i < b.len() {
                    let (d, w) = char_at(b, i);
                    if !is_word(d) {
                        break;
                    }
                    (last, i) = (d, i + w);
                }
                parts.push((start, i));
                if i < b.len() {
                    let (sep, w) = char_at(b, i);
                    if i + w < b.len() && is_connector(last, sep, char_at(b, i + w).0) {
                        i += w;
                        continue;
                    }
                }
                break;
            }
            if let [(a, z)] = parts[..] {
                f(Piece::Word(word(&text[a..z], &mut buf), Kind::Word));
            } else {
                lower_into(&mut buf, parts.iter().map(|&(a, z)| &text[a..z]));
                f(Piece::Word(&buf, Kind::Word));
                for &(a, z) in &parts {
                    f(Piece::Word(word(&text[a..z], &mut buf), Kind::Part));
                }
            }
        } else {
            i += w;
        }
    }
}

/// The character starting at byte `i` of `b` (valid UTF-8), normalized, and
/// its width in bytes.
#[inline(always)]
fn char_at(b: &[u8], i: usize) -> (char, usize) {
    let x = b[i];
    let tail = |k: usize| u32::from(b[i + k] & 0x3F);
    let (code, w) = match x {
        0..0x80 => return (char::from(x), 1),
        0xC0..0xE0 => (u32::from(x & 0x1F) << 6 | tail(1), 2),
        0xE0..0xF0 => (u32::from(x & 0x0F) << 12 | tail(1) << 6 | tail(2), 3),
        _ => (u32::from(x & 0x07) << 18 | tail(1) << 12 | tail(2) << 6 | tail(3), 4),
    };
    (normalize(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)), w)
}

/// The characters of a word, normalized and lower-cased.
fn lower(w: &str) -> impl Iterator<Item = char> + '_ {
    w.chars().map(normalize).flat_map(char::to_lowercase)
}

/// The lower-cased word `w`, cut to [`MAX_WORD`] characters: `w` itself
/// when that changes nothing, else written into `buf`.
fn word<'a>(w: &'a str, buf: &'a mut String) -> &'a str {
    let b = w.as_bytes();
    let head = &b[..b.len().min(MAX_WORD)];
    if b.is_ascii() && !head.iter().any(u8::is_ascii_uppercase) {
        return &w[..head.len()];
    }
    lower_into(buf, std::iter::once(w));
    buf
}

/// `buf` set to `pieces` joined, lower-cased and cut to [`MAX_WORD`]
/// characters. ASCII (most words) is lower-cased byte by byte, without a
/// Unicode case-mapping iterator per character (~440 instructions a word).
fn lower_into<'s>(buf: &mut String, pieces: impl Iterator<Item = &'s str> + Clone) {
    buf.clear();
    if pieces.clone().all(str::is_ascii) {
        pieces.for_each(|p| buf.push_str(p));
        buf.truncate(MAX_WORD);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(pieces.flat_map(lower).take(MAX_WORD));
    }
}

/// The terms a query looks up: its tokens minus those another token already
/// implies (parts of a joined word, the tail of a CJK run), first occurrence
/// kept.
pub fn terms(query: &str) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    for t in tokenize(query) {
        if matches!(t.kind, Kind::Part | Kind::Tail) || out.iter().any(|o| o.text == t.text) {
            continue;
        }
        let prefix = match t.kind {
            Kind::Single => true,
            Kind::Word => t.text.chars().count() >= 2,
            _ => false,
        };
        out.push(Term { text: t.text, prefix });
    }
    out
}

/// The part of a token that picks its shard: the first character of a CJK
/// token, the first two of a word, so every token a term can match by
/// prefix lives in the term's shard.
pub fn shard_key(token: &str) -> &str {
    let mut it = token.char_indices();
    match it.next() {
        None => "",
        Some((_, c)) if is_cjk(c) => &token[..c.len_utf8()],
        Some(_) => it.next().map_or(token, |(i, c)| &token[..i + c.len_utf8()]),
    }
}

/// The part of a token that picks its part of a shard cut into parts: its
/// shard key and one character more (a CJK bigram, a word's first three
/// characters), so every token a term can match lives in the term's part.
/// `None` for a token no longer than its shard key: as a term, it needs
/// every part (a lone CJK character matches every bigram it starts).
pub fn part_key(token: &str) -> Option<&str> {
    let key = shard_key(token);
    let next = token[key.len()..].chars().next()?;
    Some(&token[..key.len() + next.len_utf8()])
}

/// FNV-1a over the code points of `s` (32 bits): the shard hash.
pub fn hash(s: &str) -> u32 {
    s.chars().fold(0x811c_9dc5_u32, |h, c| (h ^ c as u32).wrapping_mul(0x0100_0193))
}

fn normalize(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

pub fn is_cjk(c: char) -> bool {
    // Most characters of a page are below the first CJK block.
    if (c as u32) < 0x1100 {
        return false;
    }
    matches!(c as u32,
        0x1100..=0x11FF | 0x3005..=0x3007 | 0x3040..=0x30FF | 0x3130..=0x318F | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F
        | 0x20000..=0x3FFFF)
}

fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // CJK punctuation (、。「」【】…) is common in Chinese text and slow to
    // look up in Unicode's tables; none of it is a letter or digit.
    if matches!(c as u32, 0x3001..=0x3004 | 0x3008..=0x3020 | 0x3030 | 0x303D..=0x303F) {
        return false;
    }
    !is_cjk(c) && c.is_alphanumeric()
}

fn is_connector(prev: char, c: char, next: char) -> bool {
    is_word(next)
        && (matches!(c, '.' | '-' | '_' | '/' | '\'' | '\u{2019}' | '+' | '&' | '@')
            || (c == ',' && prev.is_ascii_digit() && next.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Cases {
        case: Vec<Case>,
    }

    #[derive(serde::Deserialize)]
    struct Case {
        input: String,
        tokens: Vec<String>,
        terms: Vec<String>,
    }

    /// `expected` tokens; terms are checked too, `*` marking a prefix term.
    fn check(input: &str, expected: &[String], expected_terms: &[String]) {
        let got: Vec<String> = tokenize(input).into_iter().map(|t| t.text).collect();
        assert_eq!(got, expected, "tokens of {input:?}");
        let got: Vec<String> =
            terms(input).into_iter().map(|t| if t.prefix { format!("{}*", t.text) } else { t.text }).collect();
        assert_eq!(got, expected_terms, "terms of {input:?}");
    }

    /// The shared table, also run through search-core.js under node and in the browser.
    #[test]
    fn shared_table() {
        let cases: Cases = toml::from_str(include_str!("tokenizer_cases.toml")).expect("valid table");
        assert!(cases.case.len() >= 20);
        for c in &cases.case {
            check(&c.input, &c.tokens, &c.terms);
        }
    }

    #[test]
    fn cjk_punctuation_taken_out_early_has_no_letter_or_digit() {
        for cp in (0x3001..=0x3004).chain(0x3008..=0x3020).chain([0x3030]).chain(0x303D..=0x303F) {
            let c = char::from_u32(cp).expect("a character");
            assert!(!c.is_alphanumeric(), "{c:?}");
        }
    }

    /// The tokenizer as first written, over a vector of characters: what
    /// the byte walk must agree with.
    fn plain(text: &str) -> Vec<Token> {
        let chars: Vec<char> = text.chars().map(normalize).collect();
        let lower = |cs: &mut dyn Iterator<Item = &char>| -> String {
            cs.flat_map(|c| c.to_lowercase()).take(MAX_WORD).collect()
        };
        let mut out = Vec::new();
        let mut push = |text: String, kind| out.push(Token { text, kind });
        let mut i = 0;
        while i < chars.len() {
            if is_cjk(chars[i]) {
                let start = i;
                while i < chars.len() && is_cjk(chars[i]) {
                    i += 1;
                }
                let run = &chars[start..i];
                for pair in run.windows(2) {
                    push(pair.iter().collect(), Kind::Bigram);
                }
                let kind = if run.len() == 1 { Kind::Single } else { Kind::Tail };
                push(run[run.len() - 1].to_string(), kind);
            } else if is_word(chars[i]) {
                let mut parts = Vec::new();
                loop {
                    let start = i;
                    while i < chars.len() && is_word(chars[i]) {
                        i += 1;
                    }
                    parts.push(&chars[start..i]);
                    if i + 1 < chars.len() && is_connector(chars[i - 1], chars[i], chars[i + 1]) {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if parts.len() > 1 {
                    push(lower(&mut parts.iter().flat_map(|p| p.iter())), Kind::Word);
                }
                let kind = if parts.len() > 1 { Kind::Part } else { Kind::Word };
                for p in parts {
                    push(lower(&mut p.iter()), kind);
                }
            } else {
                i += 1;
            }
        }
        out
    }

    proptest::proptest! {
        /// Text from letters of every script the tokenizer treats apart
        /// (ASCII of both cases, connectors, CJK and its punctuation,
        /// full-width forms, the ideographic space, letters that change
        /// length when lower-cased), cut the same way by both.
        #[test]
        fn the_byte_walk_agrees_with_the_plain_tokenizer(
            s in "[a-zA-Z0-9 .,_/'+&@\\-留存复盘ア한、。ＡＢ１／\u{3000}\u{2019}İéÉßΣ\u{1F600}\u{20000}]{0,60}"
        ) {
            proptest::prop_assert_eq!(tokenize(&s), plain(&s));
        }
    }

    #[test]
    fn long_words_are_cut() {
        let long = "a".repeat(40);
        let got = tokenize(&long);
        assert_eq!(got[0].text.len(), MAX_WORD);
    }

    #[test]
    fn shard_keys() {
        assert_eq!(shard_key("留存"), "留");
        assert_eq!(shard_key("retention"), "re");
        assert_eq!(shard_key("r"), "r");
        assert_eq!(part_key("留存"), Some("留存"));
        assert_eq!(part_key("留"), None);
        assert_eq!(part_key("retention"), Some("ret"));
        assert_eq!(part_key("re"), None);
        // A term long enough to have a part key shares it with every token
        // it matches (itself, or a token it starts): it finds them in one part.
        for token in ["留存率", "retention", "ab", "复盘"] {
            let chars: Vec<(usize, char)> = token.char_indices().collect();
            for (i, c) in &chars {
                let term = &token[..i + c.len_utf8()];
                if let Some(key) = part_key(term) {
                    assert_eq!(part_key(token), Some(key), "{term} in {token}");
                }
            }
        }
        assert_eq!(shard_key("é7"), "é7");
        assert_eq!(shard_key(""), "");
        assert_eq!(hash(""), 0x811c_9dc5);
        assert_eq!(hash("a"), 0xe40c_292c);
    }
}
