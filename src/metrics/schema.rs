//! The metric file format, exactly as written: every table refuses unknown
//! keys, and values that diagnostics may point at keep their spans.
//!
//! ```toml
//! title = "日活跃用户（DAU）"
//! unit = "人"                    # see format::UNITS
//! direction = "up"               # or "down": lower is better
//! aggregation = "average"        # or "sum"; by default sums for 人 ¥ 次 …
//! target = 120000                # or targets = [{ from = 2026-01-01, value = 23 }]
//! [thresholds]
//! red = 90000
//! amber = 105000
//! [[series]]
//! interval = "day"               # day | week | month | quarter
//! start = 2025-11-01
//! values = [86290, 85846]        # or points = [{ date = 2025-11-01, value = 86290 }]
//! ```
//!
//! A categorical table has `categories = [...]` and series with `name` and
//! `values` only. [`toml_error`] words TOML and schema errors for authors.

use serde::Deserialize;
use toml::Spanned;

use super::period::Interval;
use crate::diagnostics::{self, Diagnostic};
use crate::frontmatter::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Higher is better.
    Up,
    /// Lower is better (costs, churn, response times).
    Down,
}

/// How values of one series combine into a longer period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregation {
    Sum,
    Average,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetric {
    pub id: Option<Spanned<String>>,
    pub title: Spanned<String>,
    pub unit: Spanned<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub source: Option<String>,
    pub direction: Option<Direction>,
    pub decimals: Option<Spanned<i64>>,
    pub aggregation: Option<Aggregation>,
    pub target: Option<Spanned<f64>>,
    pub targets: Option<Spanned<Vec<Spanned<RawTarget>>>>,
    pub thresholds: Option<Spanned<RawThresholds>>,
    pub categories: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub series: Vec<Spanned<RawSeries>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub from: Spanned<Date>,
    pub value: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    pub red: Option<Spanned<f64>>,
    pub amber: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeries {
    pub name: Option<Spanned<String>>,
    pub interval: Option<Spanned<Interval>>,
    pub start: Option<Spanned<Date>>,
    pub values: Option<Spanned<Vec<Spanned<f64>>>>,
    pub points: Option<Spanned<Vec<Spanned<RawPoint>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    pub date: Spanned<Date>,
    pub value: Spanned<f64>,
}

/// A TOML or schema error in words a metric author understands.
pub fn toml_error(file: &str, src: &str, err: &toml::de::Error) -> Diagnostic {
    let mut d = diagnostics::from_toml_error(file, src, 0, err);
    if let Some(key) = d.message.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
        let key = key.to_string();
        d.message = format!("missing key `{key}`");
        d.hints.push(
            match key.as_str() {
                "title" => "every metric needs a `title`, such as `title = \"日活跃用户\"`",
                "unit" => "every metric needs a `unit`, such as `unit = \"人\"`, `\"%\"` or `\"\"` for none",
                "date" => "each point needs a date: `{ date = 2026-01-01, value = 42 }`",
                "value" => "give the value as a number: `value = 42`",
                "from" => "each dated target needs the date it applies from: `{ from = 2026-01-01, value = 42 }`",
                _ => "add the missing key",
            }
            .to_string(),
        );
    } else if let Some(rest) = d.message.strip_prefix("invalid type: ").map(str::to_string) {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest.as_str(), "another type"));
        let expected = match expected {
            "f64" | "i64" => "a number",
            "a string" => "a string in quotes",
            "a sequence" => "a list in `[...]`",
            other => other,
        };
        let found = match found.strip_prefix("string ") {
            Some(text) => format!("the text `{text}`"),
            None => found.to_string(),
        };
        d.message = format!("expected {expected}, found {found}");
        if expected == "a number" {
            d.hints.push("write numbers without quotes or unit symbols: `42`, `3.5`".to_string());
        }
    }
    d
}
