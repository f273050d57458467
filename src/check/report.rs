//! What `check` prints: rustc-style text, or JSON for CI.
//!
//! The JSON shape is stable (`"format": 1`); fields may be added, never
//! renamed or removed without bumping `format`:
//!
//! ```json
//! {
//!   "format": 1,
//!   "ok": false,                      // true when there is no error
//!   "errors": 1,
//!   "warnings": 1,
//!   "problems": [                     // sorted by file, line, column
//!     {
//!       "severity": "error",          // "error" | "warning"
//!       "message": "broken link `missing.md`",
//!       "file": "content/guide/a.md", // from the site root, `/`-separated; null when site-wide
//!       "line": 3,                    // 1-based; null when the problem is a whole file
//!       "column": 5,                  // 1-based, in characters; null with line
//!       "length": 10,                 // in characters; null with line
//!       "hints": ["there is no page `guide/missing.md`"],
//!       "also": [                     // other places with the same problem (external links)
//!         { "file": "content/b.md", "line": 7, "column": 1 }
//!       ]
//!     }
//!   ],
//!   "external": null                  // or, with --external:
//!   // { "checked": 3, "broken": 1, "skipped": 0, "not_checked": 1 }
//!   // distinct addresses; `not_checked`: schemes other than http and https
//! }
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use super::CheckReport;
use super::external::Summary;
use crate::diagnostics::{Severity, Span};

#[derive(Serialize)]
struct Json<'a> {
    format: u32,
    ok: bool,
    errors: usize,
    warnings: usize,
    problems: Vec<JsonProblem<'a>>,
    external: Option<Summary>,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    severity: Severity,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    length: Option<usize>,
    hints: &'a [String],
    also: Vec<JsonPlace<'a>>,
}

#[derive(Serialize)]
struct JsonPlace<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
}

fn place(span: Option<&Span>) -> (Option<&str>, Option<usize>, Option<usize>, Option<usize>) {
    match span {
        Some(s) if s.line > 0 => (Some(&s.file), Some(s.line), Some(s.column), Some(s.length)),
        Some(s) => (Some(&s.file), None, None, None),
        None => (None, None, None, None),
    }
}

impl CheckReport {
    /// The report as JSON (pretty-printed, with a final newline).
    pub fn to_json(&self) -> String {
        let problems = self
            .problems
            .iter()
            .map(|p| {
                let d = &p.diagnostic;
                let (file, line, column, length) = place(d.span.as_ref());
                let also = p
                    .also
                    .iter()
                    .map(|s| {
                        let (file, line, column, _) = place(Some(s));
                        JsonPlace { file: file.unwrap_or_default(), line, column }
                    })
                    .collect();
                JsonProblem {
                    severity: d.severity,
                    message: &d.message,
                    file,
                    line,
                    column,
                    length,
                    hints: &d.hints,
                    also,
                }
            })
            .collect();
        let json = Json {
            format: 1,
            ok: self.errors() == 0,
            errors: self.errors(),
            warnings: self.warnings(),
            problems,
            external: self.external,
        };
        let mut out = serde_json::to_string_pretty(&json).unwrap_or_else(|_| "{}".to_string());
        out.push('\n');
        out
    }

    /// The report as text: every problem rustc-style, then a summary.
    /// `warnings: false` leaves warnings out (`--quiet`).
    pub fn to_text(&self, color: bool, warnings: bool) -> String {
        let mut out = String::new();
        for p in self.problems.iter().filter(|p| warnings || p.diagnostic.is_error()) {
            out.push_str(&p.diagnostic.render(color));
            out.push('\n');
        }
        if let Some(e) = &self.external {
            out.push_str(&format!(
                "external links: {} checked, {} broken, {} skipped, {} not checked (not http or https)\n",
                e.checked, e.broken, e.skipped, e.not_checked
            ));
        }
        if self.problems.len() >= GROUPED {
            out.push_str(&self.by_kind(warnings));
        }
        if self.problems.is_empty() {
            out.push_str("check found no problems\n");
        } else {
            let ds: Vec<_> = self.problems.iter().map(|p| p.diagnostic.clone()).collect();
            out.push_str(&format!("check found {}\n", crate::diagnostics::summary(&ds)));
        }
        out
    }

    /// With many problems, how many of each kind, and the names (links,
    /// anchors, keys) that come up most: one broken target often accounts
    /// for dozens of problems.
    fn by_kind(&self, warnings: bool) -> String {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        for p in self.problems.iter().filter(|p| warnings || p.diagnostic.is_error()) {
            let (kind, name) = kind_and_name(&p.diagnostic.message);
            *kinds.entry(kind).or_default() += 1;
            if let Some(name) = name {
                *names.entry(name).or_default() += 1 + p.also.len();
            }
        }
        let mut kinds: Vec<(&str, usize)> = kinds.into_iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut out = String::from("by kind:\n");
        for (kind, n) in kinds {
            out.push_str(&format!("{n:>6}  {kind}\n"));
        }
        let mut names: Vec<(&str, usize)> = names.into_iter().filter(|(_, n)| *n > 1).collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        if !names.is_empty() {
            out.push_str("most repeated:\n");
            for (name, n) in names.into_iter().take(5) {
                out.push_str(&format!("{n:>6}  `{name}`\n"));
            }
        }
        out
    }
}

/// Problems shown with a count by kind from this many on.
const GROUPED: usize = 10;

/// `broken link `a.md`` → (`broken link`, `a.md`): the message up to its
/// first quoted name or colon, and the first quoted name.
fn kind_and_name(message: &str) -> (&str, Option<&str>) {
    let name = message.split('`').nth(1).filter(|n| !n.is_empty() && message.matches('`').count() >= 2);
    let end = message.find(['`', ':']).unwrap_or(message.len());
    let kind = message[..end].trim_end_matches([' ', '(']);
    (if kind.is_empty() { message } else { kind }, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_names_come_from_the_message() {
        assert_eq!(kind_and_name("broken link `a.md`"), ("broken link", Some("a.md")));
        assert_eq!(
            kind_and_name("template placeholders (`{{ x }}`): 3 uses"),
            ("template placeholders", Some("{{ x }}"))
        );
        assert_eq!(kind_and_name("page is overdue for review: due 2026-01-01"), ("page is overdue for review", None));
        assert_eq!(
            kind_and_name("competitor note is stale: its newest source is `2026-02-03`"),
            ("competitor note is stale", Some("2026-02-03"))
        );
        assert_eq!(kind_and_name("`x` is unknown"), ("`x` is unknown", Some("x")));
    }
}
