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
//!   // { "checked": 3, "broken": 1, "skipped": 0, "not_checked": 5 }
//! }
//! ```

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
                "external links: {} checked, {} broken, {} skipped, {} https not checked\n",
                e.checked, e.broken, e.skipped, e.not_checked
            ));
        }
        if self.problems.is_empty() {
            out.push_str("check found no problems\n");
        } else {
            let ds: Vec<_> = self.problems.iter().map(|p| p.diagnostic.clone()).collect();
            out.push_str(&format!("check found {}\n", crate::diagnostics::summary(&ds)));
        }
        out
    }
}
