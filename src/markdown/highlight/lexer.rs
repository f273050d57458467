//! A one-pass lexer that highlights the languages handbooks use most (SQL,
//! shell, Python, JavaScript and TypeScript, Go, Rust, JSON, YAML, TOML,
//! and the configuration of operations: Terraform/HCL, INI, Dockerfile)
//! with the classes the theme styles. It reads each byte once and knows
//! words, strings, numbers, comments, keys and commands — what a reader's
//! eye needs — where a grammar engine also tracks every scope; in exchange
//! it is 25 to 150 times faster (`cargo bench --bench highlight`).
//!
//! **Invariant:** the output is the input, escaped, with `<span>`s around
//! some tokens: removing the tags gives back the code exactly.

use super::escape_into;
use super::langs::{Family, Lang};

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

/// A terminal session: lines starting with a `$ ` prompt are commands (with
/// their continuation lines), the others are output.
fn console(lang: &Lang, code: &str, w: &mut Writer<'_>) {
    let mut at = 0;
    let mut continued = false;
    while at < code.len() {
        let end = line_end(code, at);
        let line = &code[at..end];
        let indent = line.len() - line.trim_start().len();
        if continued {
            shell(lang, code, at, end, true, w);
        } else if line[indent..].starts_with("$ ") || &line[indent..] == "$" {
            w.span(PUNCTUATION, at + indent, at + indent + 1);
            shell(lang, code, at + indent + 1, end, true, w);
        }
        continued = (continued || line[indent..].starts_with('$')) && line.trim_end().ends_with('\\');
        at = end + 1;
    }
}

/// Shell from `start` to `end`: keywords, the command of each pipeline
/// stage, variables, strings, comments and here-documents. `command` says
/// whether the first word is a command.
fn shell(lang: &Lang, code: &str, start: usize, end: usize, mut command: bool, w: &mut Writer<'_>) {
    let bytes = code.as_bytes();
    let mut i = start;
    // The words that end here-documents opened on the current line.
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    while i < end {
        let b = bytes[i];
        match b {
            b'\n' => {
                let continued = i > start && bytes[i - 1] == b'\\';
                i += 1;
                for (word, strip) in std::mem::take(&mut heredocs) {
                    // The body runs to the line that is the word alone.
                    let body = i;
                    let mut at = i;
                    let mut last = None;
                    while at < end {
                        let e = line_end(code, at).min(end);
                        let line = if strip { code[at..e].trim_start_matches('\t') } else { &code[at..e] };
                        if line.trim_end_matches('\r') == word {
                            last = Some((at, e));
                            break;
                        }
                        at = e + 1;
                    }
                    let (stop, after) = last.unwrap_or((end, end));
                    w.span(STRING, body, stop);
                    i = after;
                }
                command |= !continued;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' if i == start || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b';' => {
                let e = line_end(code, i).min(end);
                w.span(COMMENT, i, e);
                i = e;
            }
            b'\'' => {
                let e = code[i + 1..end].find('\'').map_or(end, |e| i + 2 + e);
                w.span(STRING, i, e);
                command &= i > start && bytes[i - 1] == b'=';
                i = e;
            }
            b'"' => {
                let e = string_end(&code[..end], i, "\"", "\"", true, true);
                w.span(STRING, i, e);
                // `NAME="value" command`: the command is still to come.
                command &= i > start && bytes[i - 1] == b'=';
                i = e;
            }
            b'$' => {
                let e = variable_end(bytes, i, end);
                if e > i + 1 {
                    w.span(VARIABLE, i, e);
                    i = e;
                } else {
                    // `$(`: a command inside.
                    command = bytes.get(i + 1) == Some(&b'(');
                    i += if command { 2 } else { 1 };
                }
            }
            b'|' | b';' | b'&' | b'(' | b'`' | b'{' | b'!' => {
                command = true;
                i += 1;
            }
            b'<' if code[i..end].starts_with("<<") && !code[i..end].starts_with("<<<") => {
                let mut j = i + 2;
                let strip = bytes.get(j) == Some(&b'-') || bytes.get(j) == Some(&b'~');
                j += usize::from(strip);
                while j < end && bytes[j] == b' ' {
                    j += 1;
                }
                let quoted = j < end && matches!(bytes[j], b'\'' | b'"');
                let w_start = j + usize::from(quoted);
                let mut w_end = w_start;
                while w_end < end && (bytes[w_end].is_ascii_alphanumeric() || bytes[w_end] == b'_') {
                    w_end += 1;
                }
                if w_end > w_start {
                    heredocs.push((code[w_start..w_end].to_string(), strip));
                    i = w_end + usize::from(quoted);
                } else {
                    i += 2;
                }
            }
            _ => {
                // A word, up to a space or an operator.
                let mut e = i;
                while e < end && !matches!(bytes[e], b' ' | b'\t' | b'\n' | b'\r' | b'|' | b';' | b'&' | b'(' | b')') {
                    if matches!(bytes[e], b'\'' | b'"' | b'$' | b'`') && e > i {
                        break;
                    }
                    e += 1;
                }
                let e = e.max(i + 1);
                let word = &code[i..e];
                let assignment = word.find('=').filter(|&k| {
                    k > 0
                        && !word.as_bytes()[0].is_ascii_digit()
                        && word[..k].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                });
                if let Some(k) = assignment {
                    // `NAME=value`, before a command or after `export`.
                    w.span(VARIABLE, i, i + k);
                } else if command {
                    if has(lang.keywords, word) {
                        w.span(KEYWORD, i, e);
                        command = !matches!(word, "for" | "case" | "select" | "in" | "function");
                    } else if has(lang.builtins, word) {
                        w.span(BUILTIN, i, e);
                        command = false;
                    } else if word.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'/') {
                        w.span(FUNCTION, i, e);
                        command = false;
                    } else {
                        command = false;
                    }
                } else if word == "in" || word == "do" || word == "then" {
                    w.span(KEYWORD, i, e);
                    command = word != "in";
                }
                i = e;
            }
        }
    }
}

/// The end of a variable at `i` (`$name`, `${…}`, `$1`, `$?`), or `i + 1`
/// when the `$` is not one.
fn variable_end(bytes: &[u8], i: usize, end: usize) -> usize {
    match bytes.get(i + 1) {
        Some(b'{') => bytes[i..end].iter().position(|&b| b == b'}').map_or(end, |e| i + e + 1),
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            let mut e = i + 1;
            while e < end && (bytes[e].is_ascii_alphanumeric() || bytes[e] == b'_') {
                e += 1;
            }
            e
        }
        Some(c) if c.is_ascii_digit() || matches!(c, b'?' | b'@' | b'*' | b'#' | b'$' | b'!' | b'-') => i + 2,
        _ => i + 1,
    }
}

fn json(lang: &Lang, code: &str, w: &mut Writer<'_>) {
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            let e = string_end(code, i, "\"", "\"", true, false);
            let after = code[e..].trim_start();
            w.span(if after.starts_with(':') { KEY } else { STRING }, i, e);
            i = e;
        } else if b == b'-' || b.is_ascii_digit() {
            let e = number_end(bytes, i + 1);
            w.span(CONSTANT, i, e);
            i = e;
        } else if b.is_ascii_alphabetic() {
            let mut e = i;
            while e < bytes.len() && bytes[e].is_ascii_alphanumeric() {
                e += 1;
            }
            if has(lang.literals, &code[i..e]) {
                w.span(CONSTANT, i, e);
            }
            i = e;
        } else if code[i..].starts_with("//") {
            let e = line_end(code, i);
            w.span(COMMENT, i, e);
            i = e;
        } else if code[i..].starts_with("/*") {
            let e = code[i + 2..].find("*/").map_or(code.len(), |e| i + 4 + e);
            w.span(COMMENT, i, e);
            i = e;
        } else {
            i += code[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
}

fn yaml(lang: &Lang, code: &str, w: &mut Writer<'_>) {
    let mut at = 0;
    // The indent of the key that opened a block scalar (`|`, `>`).
    let mut block: Option<usize> = None;
    while at < code.len() {
        let end = line_end(code, at);
        let line = &code[at..end];
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if let Some(key_indent) = block {
            if blank || indent > key_indent {
                w.span(STRING, at + indent, end);
                at = end + 1;
                continue;
            }
            block = None;
        }
        let mut i = at + indent;
        // List markers.
        while code[i..end].starts_with("- ") || &code[i..end] == "-" {
            i += 1;
            while i < end && code.as_bytes()[i] == b' ' {
                i += 1;
            }
        }
        let item_indent = i - at;
        let content = &code[i..end];
        if content.starts_with('#') {
            w.span(COMMENT, i, end);
        } else if indent == 0 && (content.starts_with("---") || content.starts_with("...")) {
            w.span(PUNCTUATION, i, i + 3);
            yaml_value(lang, code, i + 3, end, w);
        } else if let Some(colon) = yaml_key(content) {
            w.span(KEY, i, i + colon);
            if yaml_value(lang, code, i + colon + 1, end, w) {
                // The scalar's lines are indented past the key.
                block = Some(item_indent);
            }
        } else if yaml_value(lang, code, i, end, w) {
            block = Some(indent);
        }
        at = end + 1;
    }
}

/// Where the `:` of a `key:` line is, when the line starts with a key.
fn yaml_key(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    let first = *bytes.first()?;
    if first == b'"' || first == b'\'' {
        let q = first as char;
        let close = content[1..].find(q)? + 1;
        return (content[close + 1..].starts_with(':')
            && content[close + 2..].chars().next().is_none_or(char::is_whitespace))
        .then_some(close + 1);
    }
    if matches!(first, b'[' | b'{' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'#') {
        return None;
    }
    let mut from = 0;
    while let Some(k) = content[from..].find(':') {
        let k = from + k;
        if content[k + 1..].chars().next().is_none_or(char::is_whitespace) {
            return (!content[..k].contains(" #")).then_some(k);
        }
        from = k + 1;
    }
    None
}

/// A value from `i` to `end`; true when it opens a block scalar.
fn yaml_value(lang: &Lang, code: &str, mut i: usize, end: usize, w: &mut Writer<'_>) -> bool {
    let bytes = code.as_bytes();
    while i < end {
        match bytes[i] {
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' if i == 0 || bytes[i - 1] == b' ' => {
                w.span(COMMENT, i, end);
                return false;
            }
            b'"' => {
                let e = string_end(&code[..end], i, "\"", "\"", true, false);
                w.span(STRING, i, e);
                i = e;
            }
            b'\'' => {
                let e = code[i + 1..end].find('\'').map_or(end, |e| i + 2 + e);
                w.span(STRING, i, e);
                i = e;
            }
            b'&' | b'*' | b'!' => {
                let e = code[i..end].find([' ', ',', ']', '}']).map_or(end, |e| i + e);
                w.span(if bytes[i] == b'!' { KEYWORD } else { VARIABLE }, i, e);
                i = e;
            }
            b'|' | b'>' => {
                let rest =
                    code[i + 1..end].trim_start_matches(['-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
                let rest = rest.trim();
                return rest.is_empty() || rest.starts_with('#');
            }
            b'[' | b']' | b'{' | b'}' | b',' => i += 1,
            _ => {
                // A plain scalar, to a comment or the end (or a flow separator).
                let e = code[i..end]
                    .match_indices([' ', ',', ']', '}'])
                    .find(|&(k, s)| s != " " || code[i + k + 1..end].starts_with('#'))
                    .map_or(end, |(k, _)| i + k);
                let e = e.max(i + 1);
                let scalar = code[i..e].trim_end();
                let numeric = scalar.bytes().next().is_some_and(|c| c.is_ascii_digit() || c == b'-' || c == b'.')
                    && scalar
                        .bytes()
                        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'_' | b':'))
                    && scalar.bytes().any(|c| c.is_ascii_digit());
                if numeric || has(lang.literals, scalar) {
                    w.span(CONSTANT, i, i + scalar.len());
                }
                i = e;
            }
        }
    }
    false
}

/// `[section]` lines, `;` and `#` comment lines, and `key = value` or
/// `key: value` lines, the value a string, number or switch when it is one.
fn ini(lang: &Lang, code: &str, w: &mut Writer<'_>) {
    let mut at = 0;
    while at < code.len() {
        let end = line_end(code, at);
        let line = &code[at..end];
        let start = at + (line.len() - line.trim_start().len());
        let content = code[start..end].trim_end();
        if content.starts_with([';', '#']) {
            w.span(COMMENT, start, end);
        } else if content.starts_with('[') {
            w.span(FUNCTION, start, start + content.len());
        } else if let Some(k) = content.find(['=', ':']) {
            w.span(KEY, start, start + content[..k].trim_end().len());
            let value = content[k + 1..].trim_start();
            let v = start + content.len() - value.len();
            let plain = value.split([' ', '\t']).next().unwrap_or("");
            if value.starts_with(['"', '\'']) {
                w.span(STRING, v, v + value.len());
            } else if !value.is_empty()
                && (value.parse::<f64>().is_ok() || has(lang.literals, &value.to_ascii_lowercase()))
            {
                w.span(CONSTANT, v, v + value.len());
            } else if plain.starts_with('$') || plain.starts_with("%(") {
                w.span(VARIABLE, v, v + plain.len());
            }
        }
        at = end + 1;
    }
}

/// Each instruction's word, then shell for `RUN`, `CMD` and `ENTRYPOINT`
/// (continued lines included) and the rest read as shell arguments.
fn dockerfile(lang: &Lang, code: &str, w: &mut Writer<'_>) {
    let mut at = 0;
    let mut continued = false;
    while at < code.len() {
        let end = line_end(code, at);
        let line = &code[at..end];
        let start = at + (line.len() - line.trim_start().len());
        let content = &code[start..end];
        if continued {
            // Arguments go on; `&&` or `|` starts the next command.
            shell(&super::langs::SHELL, code, at, end, false, w);
        } else if content.starts_with('#') {
            w.span(COMMENT, start, end);
        } else {
            let word_end = content.find([' ', '\t']).unwrap_or(content.len());
            let word = content[..word_end].to_ascii_uppercase();
            if has(lang.keywords, &word) {
                w.span(KEYWORD, start, start + word_end);
                let command = matches!(word.as_str(), "RUN" | "CMD" | "ENTRYPOINT");
                let rest = start + word_end;
                // `FROM image AS name`: the stage's name.
                if word == "FROM" {
                    if let Some(k) = content.to_ascii_uppercase().find(" AS ") {
                        w.span(KEYWORD, start + k + 1, start + k + 3);
                    }
                } else {
                    shell(&super::langs::SHELL, code, rest, end, command, w);
                }
            }
        }
        continued = line.trim_end().ends_with('\\') && !content.starts_with('#');
        at = end + 1;
    }
}

fn toml(lang: &Lang, code: &str, w: &mut Writer<'_>) {
    let bytes = code.as_bytes();
    let mut i = 0;
    // The open `[` (arrays) and `{` (inline tables) around `i`.
    let mut open: Vec<u8> = Vec::new();
    // Where a table header may stand: first on a line, outside brackets.
    let mut line_start = true;
    // Where a key may stand: at a line's start or inside `{ … }` after `{` or `,`.
    let mut key_next = true;
    while i < bytes.len() {
        let b = bytes[i];
        let was_line_start = std::mem::replace(&mut line_start, false);
        match b {
            b'\n' => {
                i += 1;
                line_start = true;
                key_next = open.last().is_none_or(|&o| o == b'{');
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                line_start = was_line_start;
            }
            b'#' => {
                let e = line_end(code, i);
                w.span(COMMENT, i, e);
                i = e;
            }
            b'[' if was_line_start && open.is_empty() => {
                let e = line_end(code, i);
                let close = code[i..e].rfind(']').map_or(e, |k| i + k + 1);
                w.span(FUNCTION, i, close);
                i = close;
            }
            b'[' | b'{' => {
                open.push(b);
                key_next = b == b'{';
                i += 1;
            }
            b']' | b'}' => {
                open.pop();
                i += 1;
            }
            b',' => {
                key_next = open.last() == Some(&b'{');
                i += 1;
            }
            b'=' => {
                key_next = false;
                i += 1;
            }
            b'"' | b'\'' => {
                let e = string_at(lang, code, i).unwrap_or(i + 1);
                let is_key = key_next && code[e..line_end(code, e)].trim_start().starts_with(['=', '.']);
                w.span(if is_key { KEY } else { STRING }, i, e);
                i = e;
            }
            b'.' if key_next => i += 1,
            _ if key_next && (b.is_ascii_alphanumeric() || b == b'_' || b == b'-') => {
                let mut e = i;
                while e < bytes.len() && (bytes[e].is_ascii_alphanumeric() || matches!(bytes[e], b'_' | b'-')) {
                    e += 1;
                }
                w.span(KEY, i, e);
                i = e;
            }
            _ if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'+' => {
                // A number, date, time or boolean.
                let value = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'+' | b':' | b'.');
                let mut e = i;
                while e < bytes.len() && value(bytes[e]) {
                    e += 1;
                }
                if bytes.get(e) == Some(&b' ')
                    && bytes.get(e + 1).is_some_and(u8::is_ascii_digit)
                    && code[i..e].contains('-')
                {
                    // `1979-05-27 07:32:00`: a date, a space, a time.
                    e += 1;
                    while e < bytes.len() && value(bytes[e]) {
                        e += 1;
                    }
                }
                let token = code[i..e].trim_start_matches(['+', '-']);
                if token.bytes().next().is_some_and(|c| c.is_ascii_digit()) || has(lang.literals, token) {
                    w.span(CONSTANT, i, e);
                }
                i = e;
            }
            _ => i += code[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::langs::{self, Lang};
    use super::*;
    use proptest::prelude::*;

    fn html(lang: &Lang, code: &str) -> String {
        let mut out = String::new();
        highlight(lang, code, &mut out);
        out
    }

    /// The highlighted tokens: (class, text), in order.
    fn spans(lang: &Lang, code: &str) -> Vec<(String, String)> {
        let html = html(lang, code);
        let mut out = Vec::new();
        let mut rest = html.as_str();
        while let Some(i) = rest.find("<span class=\"") {
            let after = &rest[i + 13..];
            let q = after.find('"').unwrap_or(0);
            let close = after.find("</span>").unwrap_or(after.len());
            out.push((after[..q].to_string(), unescape(&after[q + 2..close])));
            rest = &after[close..];
        }
        out
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
    }

    fn strip(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..i]);
            rest = rest[i..].find('>').map_or("", |e| &rest[i + e + 1..]);
        }
        out.push_str(rest);
        unescape(&out)
    }

    fn has(spans: &[(String, String)], class: &str, text: &str) -> bool {
        spans.iter().any(|(c, t)| c == class && t == text)
    }

    #[track_caller]
    fn expect(lang: &Lang, code: &str, wanted: &[(&str, &str)]) {
        let got = spans(lang, code);
        for (class, text) in wanted {
            assert!(has(&got, class, text), "{text:?} should be {class} in {code:?}; got {got:?}");
        }
        assert_eq!(strip(&html(lang, code)), code);
    }

    #[test]
    fn sql() {
        expect(
            &langs::SQL,
            "SELECT channel, count(*) FROM signups\nWHERE day >= '2026-03-01' -- spring\nGROUP BY channel LIMIT 10;",
            &[
                (KEYWORD, "SELECT"),
                (BUILTIN, "count"),
                (KEYWORD, "FROM"),
                (STRING, "'2026-03-01'"),
                (COMMENT, "-- spring"),
                (KEYWORD, "BY"),
                (CONSTANT, "10"),
            ],
        );
        expect(
            &langs::SQL,
            "select /* all */ null::text",
            &[(COMMENT, "/* all */"), (CONSTANT, "null"), (TYPE, "text")],
        );
        // A name is plain, even when it contains a keyword.
        assert!(spans(&langs::SQL, "select selection").len() == 1);
    }

    #[test]
    fn python() {
        expect(
            &langs::PYTHON,
            "@cache\ndef retention(users, day=1):\n    \"\"\"Share kept.\n    \"\"\"\n    return len(kept) / max(n, 1)  # never 0\nclass Report(Base): pass\nx = f'{a}' + rb\"raw\\\"",
            &[
                (BUILTIN, "@cache"),
                (KEYWORD, "def"),
                (FUNCTION, "retention"),
                (STRING, "\"\"\"Share kept.\n    \"\"\""),
                (BUILTIN, "len"),
                (COMMENT, "# never 0"),
                (TYPE, "Report"),
                (STRING, "f'{a}'"),
                (STRING, "rb\"raw\\\""),
            ],
        );
        // An apostrophe that never closes ends its string at the line's end.
        expect(&langs::PYTHON, "s = 'open\nreturn 1", &[(STRING, "'open"), (KEYWORD, "return")]);
    }

    #[test]
    fn javascript_go_and_rust() {
        expect(
            &langs::JAVASCRIPT,
            "export function rate(kept) {\n  const s = `${kept}\n%`; // template\n  return kept.length / 2.5e-3;\n}",
            &[
                (KEYWORD, "export"),
                (FUNCTION, "rate"),
                (STRING, "`${kept}\n%`"),
                (COMMENT, "// template"),
                (CONSTANT, "2.5e-3"),
            ],
        );
        expect(
            &langs::GO,
            "func (s *Store) Get(id int) error {\n\treturn fmt.Errorf(`no %d`, id)\n}",
            &[(KEYWORD, "func"), (FUNCTION, "Get"), (TYPE, "int"), (TYPE, "error"), (STRING, "`no %d`")],
        );
        expect(
            &langs::RUST,
            "fn first<'a>(s: &'a str) -> Option<char> {\n    println!(\"{}\", r#\"a \"b\"\"#);\n    s.chars().next().or(Some('\\n'))\n}",
            &[
                (KEYWORD, "fn"),
                (FUNCTION, "first"),
                (KEYWORD, "'a"),
                (TYPE, "str"),
                (FUNCTION, "println!"),
                (STRING, "r#\"a \"b\"\"#"),
                (CONSTANT, "Some"),
                (STRING, "'\\n'"),
            ],
        );
    }

    #[test]
    fn shell_and_console() {
        expect(
            &langs::SHELL,
            "# daily export\nexport DAY=$(date +%F)\nfor f in logs/*.gz; do\n  zcat \"$f\" | grep -c ERROR >> \"${DAY}.txt\"\ndone\nLANG=C sort -u out # done\ncat <<EOF\nnot $highlighted\nEOF\necho ok",
            &[
                (COMMENT, "# daily export"),
                (BUILTIN, "export"),
                (VARIABLE, "DAY"),
                (FUNCTION, "date"),
                (KEYWORD, "for"),
                (KEYWORD, "in"),
                (KEYWORD, "do"),
                (FUNCTION, "zcat"),
                (STRING, "\"$f\""),
                (FUNCTION, "grep"),
                (KEYWORD, "done"),
                (VARIABLE, "LANG"),
                (FUNCTION, "sort"),
                (COMMENT, "# done"),
                (STRING, "not $highlighted\n"),
                (BUILTIN, "echo"),
            ],
        );
        // Arguments are not commands; `#` inside a word is not a comment.
        let s = spans(&langs::SHELL, "git log a#b --format=x");
        assert_eq!(s, vec![(FUNCTION.to_string(), "git".to_string())]);
        expect(
            &langs::CONSOLE,
            "$ opsbook build \\\n    --strict\nbuilt 12 pages\n$ echo $?",
            &[(PUNCTUATION, "$"), (FUNCTION, "opsbook"), (BUILTIN, "echo"), (VARIABLE, "$?")],
        );
        assert!(!html(&langs::CONSOLE, "built 12 pages\n").contains("<span"));
    }

    #[test]
    fn data_formats() {
        expect(
            &langs::JSON,
            "{\"name\": \"dau\", \"points\": [1, -2.5e3], \"ok\": true, \"none\": null}",
            &[(KEY, "\"name\""), (STRING, "\"dau\""), (CONSTANT, "-2.5e3"), (CONSTANT, "true"), (CONSTANT, "null")],
        );
        expect(
            &langs::YAML,
            "---\n# ci\njobs:\n  test:\n    - run: |\n        cargo test # not a comment\n      env: {a: 1}\n    - name: \"build\"\n      count: 3\n      on: yes\n      ref: *base\nurl: http://x:80/a",
            &[
                (PUNCTUATION, "---"),
                (COMMENT, "# ci"),
                (KEY, "jobs"),
                (KEY, "run"),
                (STRING, "cargo test # not a comment"),
                (KEY, "env"),
                (STRING, "\"build\""),
                (CONSTANT, "3"),
                (CONSTANT, "yes"),
                (VARIABLE, "*base"),
                (KEY, "url"),
            ],
        );
        expect(
            &langs::TOML,
            "# metric\n[metric]\nid = \"dau\"\ntargets = [\n  { from = 2026-01-01, value = 1_200 },\n]\n\"quoted key\".x = '''\nmany\n'''\nat = 1979-05-27 07:32:00Z\n[[series]]\nok = true",
            &[
                (COMMENT, "# metric"),
                (FUNCTION, "[metric]"),
                (KEY, "id"),
                (STRING, "\"dau\""),
                (KEY, "from"),
                (CONSTANT, "2026-01-01"),
                (CONSTANT, "1_200"),
                (KEY, "\"quoted key\""),
                (KEY, "x"),
                (STRING, "'''\nmany\n'''"),
                (CONSTANT, "1979-05-27 07:32:00Z"),
                (FUNCTION, "[[series]]"),
                (CONSTANT, "true"),
            ],
        );
    }

    #[test]
    fn operations_configuration() {
        expect(
            &langs::HCL,
            "# state\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"ops-logs\"\n  count  = var.enabled ? 1 : 0\n  tags   = merge(local.tags, { team = \"ops\" })\n}",
            &[
                (COMMENT, "# state"),
                (KEYWORD, "resource"),
                (STRING, "\"aws_s3_bucket\""),
                (KEY, "bucket"),
                (KEY, "count"),
                (CONSTANT, "1"),
                (FUNCTION, "merge"),
                (KEY, "team"),
            ],
        );
        // `==` compares; it does not make a key.
        assert!(!spans(&langs::HCL, "x == y").iter().any(|(c, _)| c == KEY));
        expect(
            &langs::INI,
            "; service\n[Unit]\nDescription=Nightly export\nRestart = on\nTimeoutSec: 30\nUser = \"ops\"\nPath=$HOME/bin",
            &[
                (COMMENT, "; service"),
                (FUNCTION, "[Unit]"),
                (KEY, "Description"),
                (CONSTANT, "on"),
                (KEY, "TimeoutSec"),
                (CONSTANT, "30"),
                (STRING, "\"ops\""),
                (VARIABLE, "$HOME/bin"),
            ],
        );
        expect(
            &langs::DOCKERFILE,
            "# build\nFROM rust:1.95 AS build\nENV PATH=/app/bin:$PATH\nRUN apt-get update \\\n    && apt-get install -y git\nCMD [\"opsbook\", \"serve\"]",
            &[
                (COMMENT, "# build"),
                (KEYWORD, "FROM"),
                (KEYWORD, "AS"),
                (KEYWORD, "ENV"),
                (VARIABLE, "PATH"),
                (VARIABLE, "$PATH"),
                (KEYWORD, "RUN"),
                (FUNCTION, "apt-get"),
                (KEYWORD, "CMD"),
                (STRING, "\"opsbook\""),
            ],
        );
        // On a continued line, a command comes after `&&`; the rest are arguments.
        let s = spans(&langs::DOCKERFILE, "RUN a \\\n  && b \\\n  c\n");
        assert!(has(&s, FUNCTION, "b") && !has(&s, FUNCTION, "c"), "{s:?}");
    }

    proptest! {
        /// Any input, in any language: no panic, and the text comes back
        /// exactly once the tags are taken out.
        #[test]
        fn output_is_the_code_escaped_with_spans_around_tokens(
            code in "[a-z0-9 \\n\\t'\"`$#@!&|;(){}\\[\\]<>=:,./\\\\*-]{0,80}|.{0,40}",
        ) {
            for lang in [
                &langs::SQL, &langs::PYTHON, &langs::JAVASCRIPT, &langs::GO, &langs::RUST,
                &langs::SHELL, &langs::CONSOLE, &langs::JSON, &langs::YAML, &langs::TOML,
                &langs::HCL, &langs::INI, &langs::DOCKERFILE,
            ] {
                let out = html(lang, &code);
                prop_assert_eq!(strip(&out), code.clone());
                prop_assert_eq!(out.matches("<span").count(), out.matches("</span>").count());
            }
        }
    }
}
