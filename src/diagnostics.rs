//! Diagnostics: every problem opsbook reports to a user.
//!
//! A diagnostic has a severity, an optional span (file, line, column, width),
//! a message and hints. Stages never print: they return diagnostics, and the
//! binary renders them like rustc does:
//!
//! ```text
//! error: unknown front matter key `titel`
//!  --> content/playbooks/okr.md:2:1
//!   |
//! 2 | titel = "OKR"
//!   | ^^^^^
//!   = help: did you mean `title`?
//! ```
//!
//! Policy: messages are lowercase, user values in backticks, no trailing
//! period. Columns count characters (1-based); carets count display width, so
//! CJK text lines up.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Where a problem is: a file relative to the site root, 1-based line and
/// column, a length in characters (at least 1) and the text of that line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub length: usize,
    #[serde(skip)]
    pub source_line: String,
}

impl Span {
    /// A span for `len` bytes at byte `offset` of `src`, the whole text of `file`.
    pub fn from_offset(file: &str, src: &str, offset: usize, len: usize) -> Span {
        let offset = floor_boundary(src, offset.min(src.len()));
        let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
        let line = src[..offset].matches('\n').count() + 1;
        let column = src[line_start..offset].chars().count() + 1;
        let end = floor_boundary(src, (offset + len).min(line_end));
        let length = src[offset..end].chars().count().max(1);
        Span {
            file: file.to_string(),
            line,
            column,
            length,
            source_line: src[line_start..line_end].trim_end_matches('\r').to_string(),
        }
    }

    /// A span covering the first occurrence of `needle` in `src`, or the first line.
    pub fn find(file: &str, src: &str, needle: &str) -> Span {
        match src.find(needle) {
            Some(at) if !needle.is_empty() => Span::from_offset(file, src, at, needle.len()),
            _ => Span::from_offset(file, src, 0, 0),
        }
    }

    /// A span for a whole file, with no line to show.
    pub fn file(file: &str) -> Span {
        Span { file: file.to_string(), line: 0, column: 0, length: 0, source_line: String::new() }
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, message: message.into(), span: None, hints: Vec::new() }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, message: message.into(), span: None, hints: Vec::new() }
    }

    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hints.push(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (&str, usize, usize, Severity, &str) {
        match &self.span {
            Some(s) => (s.file.as_str(), s.line, s.column, self.severity, self.message.as_str()),
            None => ("", 0, 0, self.severity, self.message.as_str()),
        }
    }

    /// Renders this diagnostic as text, rustc style. `color` adds ANSI colours.
    pub fn render(&self, color: bool) -> String {
        let (label, code) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let paint = |code: &str, text: &str| {
            if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
        };
        let mut out = String::new();
        let _ = writeln!(out, "{}{}", paint(code, label), paint("1", &format!(": {}", self.message)));
        if let Some(span) = &self.span {
            let gutter = " ".repeat(span.line.max(1).to_string().len());
            if span.line == 0 {
                let _ = writeln!(out, "{gutter}{} {}", paint("1;34", "-->"), span.file);
            } else {
                let _ = writeln!(out, "{gutter}{} {}:{}:{}", paint("1;34", "-->"), span.file, span.line, span.column);
                let bar = paint("1;34", "|");
                let _ = writeln!(out, "{gutter} {bar}");
                let (shown, pad, carets) = excerpt(&span.source_line, span.column, span.length);
                let _ = writeln!(out, "{} {bar} {}", paint("1;34", &span.line.to_string()), shown);
                let _ = writeln!(out, "{gutter} {bar} {}{}", " ".repeat(pad), paint(code, &"^".repeat(carets)));
            }
            for h in &self.hints {
                let _ = writeln!(out, "{gutter} {} {h}", paint("1;34", "= help:"));
            }
        } else {
            for h in &self.hints {
                let _ = writeln!(out, "  {} {h}", paint("1;34", "= help:"));
            }
        }
        out
    }
}

/// The part of a source line to show, the caret offset and the caret count,
/// all in display columns. Long lines are cut to a window around the span.
fn excerpt(line: &str, column: usize, length: usize) -> (String, usize, usize) {
    const WIDTH: usize = 100;
    let chars: Vec<char> = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
    let start = column.saturating_sub(1).min(chars.len());
    let end = (start + length).min(chars.len());
    let width = |cs: &[char]| cs.iter().map(|c| UnicodeWidthStr::width(c.to_string().as_str())).sum::<usize>();
    let carets = width(&chars[start..end]).clamp(1, WIDTH);
    if width(&chars) <= WIDTH {
        return (chars.iter().collect(), width(&chars[..start]), carets);
    }
    // Keep some context before the span, then as much as fits.
    let mut from = start;
    while from > 0 && width(&chars[from - 1..start]) < 30 {
        from -= 1;
    }
    let mut to = from;
    while to < chars.len() && width(&chars[from..=to]) < WIDTH {
        to += 1;
    }
    let mut shown = String::new();
    let mut pad = width(&chars[from..start]);
    if from > 0 {
        shown.push_str("...");
        pad += 3;
    }
    shown.extend(&chars[from..to]);
    if to < chars.len() {
        shown.push_str("...");
    }
    (shown, pad, carets.min(width(&chars[start..to.max(start)]).max(1)))
}

/// Sorts diagnostics by file, line and column and removes exact duplicates.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

/// `2 errors, 1 warning`
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| {
        if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
    };
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

/// A path shown to users: relative to `base` when possible, always with `/`.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// The closest candidate to `word` by edit distance, if it is close enough
/// to be a plausible typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates.into_iter().map(|c| (edit_distance(word, c), c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c)
}

/// Edit distance counting a swap of two neighbours as one edit (`titel`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Turns a TOML parse or schema error into a diagnostic. `offset` is where
/// the TOML text starts inside `src` (front matter sits after a `+++` line).
pub fn from_toml_error(file: &str, src: &str, offset: usize, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim().to_string();
    let span = match err.span() {
        Some(r) => Span::from_offset(file, src, offset + r.start, r.end.saturating_sub(r.start)),
        None => Span::from_offset(file, src, offset, 0),
    };
    let (message, hints) = explain_serde_message(&message);
    let mut d = Diagnostic::error(message).at(span);
    d.hints = hints;
    d
}

/// Rewrites serde's `unknown field `x`, expected one of `a`, `b`` into our
/// wording, with a did-you-mean hint.
pub fn explain_serde_message(message: &str) -> (String, Vec<String>) {
    let first = message.lines().next().unwrap_or(message).to_string();
    for (prefix, noun) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        if let Some(rest) = first.strip_prefix(prefix) {
            let Some((word, tail)) = rest.split_once('`') else {
                break;
            };
            let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
            let mut hints = Vec::new();
            if let Some(best) = did_you_mean(word, expected.iter().copied()) {
                hints.push(format!("did you mean `{best}`?"));
            } else if !expected.is_empty() {
                hints.push(format!(
                    "expected one of {}",
                    expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            return (format!("unknown {noun} `{word}`"), hints);
        }
    }
    (first, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, offset: usize, len: usize, expected: &str) {
        let d = Diagnostic::error("bad thing").at(Span::from_offset("a.md", src, offset, len)).hint("fix it");
        assert_eq!(d.render(false), expected);
    }

    #[test]
    fn renders_like_rustc() {
        check(
            "one\ntitel = 1\n",
            4,
            5,
            "error: bad thing\n --> a.md:2:1\n  |\n2 | titel = 1\n  | ^^^^^\n  = help: fix it\n",
        );
    }

    #[test]
    fn carets_count_display_width() {
        let src = "## 明确目标 x";
        let at = src.find('x').unwrap_or(0);
        check(
            src,
            at,
            1,
            "error: bad thing\n --> a.md:1:9\n  |\n1 | ## 明确目标 x\n  |             ^\n  = help: fix it\n",
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("titel", ["title", "tags"]), Some("title"));
        assert_eq!(did_you_mean("zzz", ["title"]), None);
        assert_eq!(
            summary(&[Diagnostic::error("a"), Diagnostic::warning("b"), Diagnostic::warning("c")]),
            "1 error, 2 warnings"
        );
    }
}
