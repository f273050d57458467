//! Shell scripts, terminal sessions and Dockerfiles.

use super::super::langs::{self, Lang};
use super::{BUILTIN, COMMENT, FUNCTION, KEYWORD, PUNCTUATION, STRING, VARIABLE, Writer, has, line_end, string_end};

/// A terminal session: lines starting with a `$ ` prompt are commands (with
/// their continuation lines), the others are output.
pub(super) fn console(lang: &Lang, code: &str, w: &mut Writer<'_>) {
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
pub(super) fn shell(lang: &Lang, code: &str, start: usize, end: usize, mut command: bool, w: &mut Writer<'_>) {
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
        // `${…}` ends at `}`, or unclosed at the end of its line.
        Some(b'{') => match bytes[i..end].iter().position(|&b| b == b'}' || b == b'\n') {
            Some(e) if bytes[i + e] == b'}' => i + e + 1,
            Some(e) => i + e,
            None => end,
        },
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

/// Each instruction's word, then shell for `RUN`, `CMD` and `ENTRYPOINT`
/// (continued lines included) and the rest read as shell arguments.
pub(super) fn dockerfile(lang: &Lang, code: &str, w: &mut Writer<'_>) {
    let mut at = 0;
    let mut continued = false;
    while at < code.len() {
        let end = line_end(code, at);
        let line = &code[at..end];
        let start = at + (line.len() - line.trim_start().len());
        let content = &code[start..end];
        if continued {
            // Arguments go on; `&&` or `|` starts the next command.
            shell(&langs::SHELL, code, at, end, false, w);
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
                    shell(&langs::SHELL, code, rest, end, command, w);
                }
            }
        }
        continued = line.trim_end().ends_with('\\') && !content.starts_with('#');
        at = end + 1;
    }
}
