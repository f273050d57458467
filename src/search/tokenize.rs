//! Tokens for search. `themes/default/static/search-core.js` has a line-by-line
//! twin of this file, so a query is cut exactly as the index was; both run
//! the table in `tokenizer_cases.toml`.
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
        Piece::Cjk(cs, kind) => {
            buf.clear();
            buf.extend(cs);
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
    Cjk(&'a [char], Kind),
    Word(&'a str, Kind),
}

/// The tokenizer itself: calls `f` with each token of `text`, in order.
pub fn each_piece(text: &str, mut f: impl FnMut(Piece<'_>)) {
    thread_local! {
        static CHARS: std::cell::Cell<Vec<char>> = const { std::cell::Cell::new(Vec::new()) };
    }
    // One buffer per thread, taken for the call: cutting a page calls this
    // once per section text, heading and title.
    let mut chars = CHARS.take();
    chars.clear();
    chars.reserve(text.len());
    for c in text.chars() {
        chars.push(normalize(c));
    }
    cut(&chars, &mut f);
    CHARS.set(chars);
}

fn cut(chars: &[char], f: &mut impl FnMut(Piece<'_>)) {
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut buf = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_cjk(c) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            cjk_run(&chars[start..i], f);
        } else if is_word(c) {
            parts.clear();
            loop {
                let start = i;
                while i < chars.len() && is_word(chars[i]) {
                    i += 1;
                }
                parts.push((start, i));
                if i + 1 < chars.len() && is_connector(chars[i - 1], chars[i], chars[i + 1]) {
                    i += 1;
                } else {
                    break;
                }
            }
            if let [(a, b)] = parts[..] {
                f(Piece::Word(word(&chars[a..b], &mut buf), Kind::Word));
            } else {
                word_parts(chars, &parts, &mut buf);
                f(Piece::Word(&buf, Kind::Word));
                for &(a, b) in &parts {
                    f(Piece::Word(word(&chars[a..b], &mut buf), Kind::Part));
                }
            }
        } else {
            i += 1;
        }
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

/// The lower-cased word in `buf`, cut to [`MAX_WORD`] characters.
fn word<'b>(chars: &[char], buf: &'b mut String) -> &'b str {
    buf.clear();
    if chars.iter().all(char::is_ascii) {
        buf.extend(chars.iter().take(MAX_WORD).map(char::to_ascii_lowercase));
    } else {
        buf.extend(chars.iter().flat_map(|c| c.to_lowercase()).take(MAX_WORD));
    }
    buf
}

/// The joined word of `parts` (connectors left out) in `buf`.
fn word_parts(chars: &[char], parts: &[(usize, usize)], buf: &mut String) {
    buf.clear();
    buf.extend(parts.iter().flat_map(|&(a, b)| &chars[a..b]).flat_map(|c| c.to_lowercase()).take(MAX_WORD));
}

fn cjk_run(run: &[char], f: &mut impl FnMut(Piece<'_>)) {
    if let [_] = run {
        f(Piece::Cjk(run, Kind::Single));
        return;
    }
    for pair in run.windows(2) {
        f(Piece::Cjk(pair, Kind::Bigram));
    }
    f(Piece::Cjk(&run[run.len() - 1..], Kind::Tail));
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
