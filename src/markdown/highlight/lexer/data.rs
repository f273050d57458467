//! Data and configuration: JSON, YAML, TOML and INI.

use super::super::langs::Lang;
use super::{
    COMMENT, CONSTANT, FUNCTION, KEY, KEYWORD, PUNCTUATION, STRING, VARIABLE, Writer, has, line_end, number_end,
    string_at, string_end,
};

pub(super) fn json(lang: &Lang, code: &str, w: &mut Writer<'_>) {
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

pub(super) fn yaml(lang: &Lang, code: &str, w: &mut Writer<'_>) {
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
pub(super) fn ini(lang: &Lang, code: &str, w: &mut Writer<'_>) {
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

pub(super) fn toml(lang: &Lang, code: &str, w: &mut Writer<'_>) {
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
                // Only the next character on the line is read: a line of many
                // strings must not be scanned once per string.
                let is_key = key_next && code[e..].trim_start_matches([' ', '\t']).starts_with(['=', '.']);
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
