//! A one-pass lexer that highlights the languages handbooks use most (SQL,
//! shell, Python, JavaScript and TypeScript, Go, Rust, JSON, YAML, TOML,
//! and the configuration of operations: Terraform/HCL, INI, Dockerfile)
//! with the classes the theme styles. It reads each byte once and knows
//! words, strings, numbers, comments, keys and commands — what a reader's
//! eye needs — where a grammar engine also tracks every scope; in exchange
//! it is 25 to 150 times faster (`cargo bench --bench highlight`).
//!
//! Here: the writer, the shared scanners and the code family (words,
//! strings, numbers, comments); `shell` holds shell, terminal sessions and
//! Dockerfiles, `data` JSON, YAML, TOML and INI.
//!
//! **Invariant:** the output is the input, escaped, with `<span>`s around
//! some tokens: removing the tags gives back the code exactly.

use super::escape_into;
use super::langs::{Family, Lang};

mod data;
mod shell;
#[cfg(test)]
mod tests;

use data::{ini, json, toml, yaml};
use shell::{console, dockerfile, shell};

const KEYWORD: &str = "hl-keyword";
const STRING: &str = "hl-string";
const COMMENT: &str = "hl-comment";
const CONSTANT: &str = "hl-constant";
const FUNCTION: &str = "hl-entity hl-name hl-function";
const BUILTIN: &str = "hl-support hl-function";
const TYPE: &str = "hl-support hl-type";
const VARIABLE: &str = "hl-variable";
const KEY: &str = "hl-entity hl-name hl-tag";
const PUNCTUATION: &str = "hl-punctuation";

/// Appends `code`, highlighted as `lang`, to `out`.
pub fn highlight(lang: &Lang, code: &str, out: &mut String) {
    let mut w = Writer { out, code, done: 0 };
    match lang.family {
        Family::Code => code_tokens(lang, code, &mut w),
        Family::Shell => shell(lang, code, 0, code.len(), true, &mut w),
        Family::Console => console(lang, code, &mut w),
        Family::Json => json(lang, code, &mut w),
        Family::Yaml => yaml(lang, code, &mut w),
        Family::Toml => toml(lang, code, &mut w),
        Family::Ini => ini(lang, code, &mut w),
        Family::Dockerfile => dockerfile(lang, code, &mut w),
    }
    w.flush(code.len());
}

/// Writes the code in order: plain text up to a token, then the token in
/// its span.
struct Writer<'a> {
    out: &'a mut String,
    code: &'a str,
    /// Bytes of `code` written so far.
    done: usize,
}

impl Writer<'_> {
    fn flush(&mut self, to: usize) {
        if to > self.done {
            escape_into(self.out, &self.code[self.done..to]);
            self.done = to;
        }
    }

    fn span(&mut self, class: &str, start: usize, end: usize) {
        if end <= start {
            return;
        }
        self.flush(start);
        self.out.push_str("<span class=\"");
        self.out.push_str(class);
        self.out.push_str("\">");
        escape_into(self.out, &self.code[start..end]);
        self.out.push_str("</span>");
        self.done = end;
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn has(table: &[&str], word: &str) -> bool {
    table.binary_search(&word).is_ok()
}

/// The end of the line holding `at` (the index of its `\n`, or the end).
fn line_end(code: &str, at: usize) -> usize {
    code[at..].find('\n').map_or(code.len(), |i| at + i)
}

/// The end of a string opened at `start` by `open`, closed by `close`;
/// one that may not span lines ends unclosed at the end of its line.
fn string_end(code: &str, start: usize, open: &str, close: &str, escapes: bool, multiline: bool) -> usize {
    let bytes = code.as_bytes();
    let mut i = start + open.len();
    let single_line = !multiline;
    while i < bytes.len() {
        if escapes && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if single_line && bytes[i] == b'\n' {
            return i;
        }
        if bytes[i..].starts_with(close.as_bytes()) {
            return i + close.len();
        }
        i += 1;
    }
    bytes.len()
}

/// The end of a number starting at `start`: digits, letters (hex, suffixes,
/// exponents), `_`, a `.` before a digit, a sign after an exponent.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        let more = b.is_ascii_alphanumeric()
            || b == b'_'
            || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
            || ((b == b'+' || b == b'-')
                && matches!(bytes[i - 1], b'e' | b'E')
                && !bytes[start..i].iter().any(|c| matches!(c, b'x' | b'X')));
        if !more {
            break;
        }
        i += 1;
    }
    i
}

/// The class of a word, or `None` for a plain name.
fn word_class(lang: &Lang, word: &str) -> Option<&'static str> {
    let mut folded = [0u8; 32];
    let word = if lang.fold_case && word.len() <= folded.len() && word.bytes().any(|b| b.is_ascii_uppercase()) {
        for (f, b) in folded.iter_mut().zip(word.bytes()) {
            *f = b.to_ascii_lowercase();
        }
        std::str::from_utf8(&folded[..word.len()]).unwrap_or(word)
    } else {
        word
    };
    if has(lang.keywords, word) || has(lang.fn_defs, word) || has(lang.type_defs, word) {
        Some(KEYWORD)
    } else if has(lang.literals, word) {
        Some(CONSTANT)
    } else if has(lang.types, word) {
        Some(TYPE)
    } else if has(lang.builtins, word) {
        Some(BUILTIN)
    } else {
        None
    }
}

/// What the word just read makes of the next one.
#[derive(Clone, Copy, PartialEq)]
enum Next {
    Plain,
    Function,
    Type,
}

fn code_tokens(lang: &Lang, code: &str, w: &mut Writer<'_>) {
    let bytes = code.as_bytes();
    let mut i = 0;
    let mut next = Next::Plain;
    'outer: while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        for c in lang.comments {
            if rest.starts_with(c) {
                let end = line_end(code, i);
                w.span(COMMENT, i, end);
                i = end;
                continue 'outer;
            }
        }
        for (open, close) in lang.blocks {
            if let Some(inside) = rest.strip_prefix(open) {
                let end = inside.find(close).map_or(code.len(), |e| i + open.len() + e + close.len());
                w.span(COMMENT, i, end);
                i = end;
                continue 'outer;
            }
        }
        if lang.rust && b == b'\'' {
            // A character literal, else a lifetime or a label.
            let literal = match code[i + 1..].chars().next() {
                Some('\\') => code.get(i + 2..).and_then(|r| r.find('\'')).map(|e| i + e + 3).filter(|&e| e - i <= 12),
                Some(c) if code[i + 1 + c.len_utf8()..].starts_with('\'') => Some(i + c.len_utf8() + 2),
                _ => None,
            };
            let end = literal.unwrap_or_else(|| {
                let mut e = i + 1;
                while e < bytes.len() && is_ident(bytes[e]) {
                    e += 1;
                }
                e
            });
            w.span(if literal.is_some() { STRING } else { KEYWORD }, i, end);
            i = end;
            continue;
        }
        if let Some(end) = string_at(lang, code, i) {
            w.span(STRING, i, end);
            i = end;
            next = Next::Plain;
            continue;
        }
        if b.is_ascii_digit() || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let end = number_end(bytes, i);
            w.span(CONSTANT, i, end);
            i = end;
            continue;
        }
        if b == b'@' && lang.decorators && bytes.get(i + 1).is_some_and(|&c| is_ident_start(c)) {
            let mut e = i + 1;
            while e < bytes.len() && (is_ident(bytes[e]) || bytes[e] == b'.') {
                e += 1;
            }
            w.span(BUILTIN, i, e);
            i = e;
            continue;
        }
        if is_ident_start(b) {
            let mut e = i + 1;
            while e < bytes.len() && is_ident(bytes[e]) {
                e += 1;
            }
            let word = &code[i..e];
            if lang.rust && bytes.get(e) == Some(&b'!') && bytes.get(e + 1) != Some(&b'=') {
                w.span(FUNCTION, i, e + 1);
                i = e + 1;
                continue;
            }
            let class = match next {
                Next::Function => Some(FUNCTION),
                Next::Type => Some(TYPE),
                Next::Plain => word_class(lang, word),
            };
            next = if has(lang.fn_defs, word) {
                Next::Function
            } else if has(lang.type_defs, word) {
                Next::Type
            } else {
                Next::Plain
            };
            let class = class.or_else(|| (bytes.get(e) == Some(&b'(')).then_some(FUNCTION)).or_else(|| {
                let after = code[e..].trim_start_matches([' ', '\t']).as_bytes();
                (lang.keys && after.first() == Some(&b'=') && !matches!(after.get(1), Some(b'=' | b'>'))).then_some(KEY)
            });
            if let Some(class) = class {
                w.span(class, i, e);
            }
            i = e;
            continue;
        }
        next = Next::Plain;
        // Step over one character, whole.
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
}

/// The end of a string starting at `i` (after an optional prefix letter or
/// two, as in `rb"…"`), if one does.
fn string_at(lang: &Lang, code: &str, i: usize) -> Option<usize> {
    let bytes = code.as_bytes();
    let mut q = i;
    while q < i + 2 && q < bytes.len() && lang.prefixes.contains(&bytes[q]) {
        q += 1;
    }
    if q > i && i > 0 && is_ident(bytes[i - 1]) {
        return None;
    }
    if lang.rust && bytes.get(q) == Some(&b'#') && q > i {
        // A raw string: r#"…"#.
        let hashes = code[q..].bytes().take_while(|&b| b == b'#').count();
        if bytes.get(q + hashes) == Some(&b'"') {
            let close = format!("\"{}", "#".repeat(hashes));
            let from = q + hashes + 1;
            return Some(code[from..].find(&close).map_or(code.len(), |e| from + e + close.len()));
        }
        return None;
    }
    let rest = &code[q..];
    let &(open, close, escapes) = lang.strings.iter().find(|(open, _, _)| rest.starts_with(open))?;
    let raw = q > i && bytes[i..q].iter().any(|b| matches!(b, b'r' | b'R'));
    let multiline = open.len() == 3 || open == "`" || lang.rust;
    Some(string_end(code, q, open, close, escapes && !raw, multiline))
}
