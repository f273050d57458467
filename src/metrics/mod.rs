//! Metrics: the TOML files under `content/metrics/`, parsed once per build
//! into checked, in-memory series that charts, KPI cards and metric pages
//! read.
//!
//! A metric has an id (the file name unless `id` is set), a title, a unit, a
//! direction (is higher better?), optional targets and red / amber
//! thresholds, and either dated series (daily, weekly, monthly or quarterly)
//! or a table of categories (channels, funnel steps). See [`schema`] for the
//! file format, [`validate`] for the checks, [`series`] for slicing and
//! aggregation, [`kpi`] for the numbers on a KPI card and [`format`] for
//! writing numbers and dates in the site language.
//!
//! **Invariant:** a metric that loaded is valid: series are non-empty,
//! dated points are aligned to their interval, strictly increasing and
//! finite; table rows have one value per category. Every problem is a
//! diagnostic at the file, line and column of the value.

pub mod format;
pub mod kpi;
pub mod period;
pub mod schema;
pub mod series;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::content::DataFile;
use crate::diagnostics::{Diagnostic, Span};
pub use period::{Day, Interval};
pub use schema::Direction;

#[derive(Debug, Clone)]
pub struct Metric {
    pub id: String,
    /// The file, as shown in diagnostics.
    pub file: String,
    /// The file from the content folder (`metrics/dau.toml`): the key of its
    /// git history.
    pub rel: String,
    pub title: String,
    pub unit: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub source: Option<String>,
    pub direction: Direction,
    /// Decimals shown in tables and cards.
    pub decimals: usize,
    /// True when values add up over time (a month is the sum of its days).
    pub additive: bool,
    /// Oldest first; a single `target` has no `from`.
    pub targets: Vec<Target>,
    pub thresholds: Thresholds,
    pub data: Data,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub from: Option<Day>,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Thresholds {
    pub red: Option<f64>,
    pub amber: Option<f64>,
}

#[derive(Debug, Clone)]
pub enum Data {
    /// Dated series sharing one interval.
    Dated { interval: Interval, series: Vec<Series> },
    /// A table: one value per category in every row.
    Table { categories: Vec<String>, series: Vec<Row> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The first day of the point's period.
    pub day: Day,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub values: Vec<f64>,
}

/// Red, amber or green against thresholds (or the target), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Green,
    Amber,
    Red,
    None,
}

impl Status {
    pub fn class(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Amber => "amber",
            Status::Red => "red",
            Status::None => "none",
        }
    }
}

impl Metric {
    /// The interval of a dated metric; `None` for a table.
    pub fn interval(&self) -> Option<Interval> {
        match &self.data {
            Data::Dated { interval, .. } => Some(*interval),
            Data::Table { .. } => None,
        }
    }

    pub fn series(&self) -> &[Series] {
        match &self.data {
            Data::Dated { series, .. } => series,
            Data::Table { .. } => &[],
        }
    }

    /// The target in force on `day`.
    pub fn target_at(&self, day: Day) -> Option<f64> {
        self.targets.iter().rev().find(|t| t.from.is_none_or(|f| f <= day)).map(|t| t.value)
    }

    /// The one series a KPI card shows: the only series, the sum of all
    /// series for additive metrics (dates every series has), or the first.
    pub fn headline(&self) -> Vec<Point> {
        let series = self.series();
        match series {
            [] => Vec::new(),
            [only] => only.points.clone(),
            [first, rest @ ..] if self.additive => {
                let mut sums: Vec<Point> = first.points.clone();
                for s in rest {
                    let by_day: HashMap<Day, f64> = s.points.iter().map(|p| (p.day, p.value)).collect();
                    sums.retain_mut(|p| match by_day.get(&p.day) {
                        Some(v) => {
                            p.value += v;
                            true
                        }
                        None => false,
                    });
                }
                sums
            }
            [first, ..] => first.points.clone(),
        }
    }

    /// Red / amber / green for `value` on `day`. Thresholds decide when
    /// set; otherwise meeting the target is green and missing it amber.
    pub fn status(&self, value: f64, day: Day) -> Status {
        let worse = |a: f64, b: f64| match self.direction {
            Direction::Up => a < b,
            Direction::Down => a > b,
        };
        let Thresholds { red, amber } = self.thresholds;
        if red.is_some() || amber.is_some() {
            if red.is_some_and(|r| worse(value, r)) {
                return Status::Red;
            }
            if amber.is_some_and(|a| worse(value, a)) {
                return Status::Amber;
            }
            return Status::Green;
        }
        match self.target_at(day) {
            Some(t) if worse(value, t) => Status::Amber,
            Some(_) => Status::Green,
            None => Status::None,
        }
    }
}

/// Every metric of the site, by id.
#[derive(Debug, Default)]
pub struct Metrics {
    list: Vec<Metric>,
    by_id: HashMap<String, usize>,
    /// Ids (file stems) of metric files that had errors, with their file.
    broken: HashMap<String, String>,
}

impl Metrics {
    pub fn new(mut list: Vec<Metric>) -> Metrics {
        list.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id = list.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
        Metrics { list, by_id, broken: HashMap::new() }
    }

    pub fn get(&self, id: &str) -> Option<&Metric> {
        self.by_id.get(id).map(|&i| &self.list[i])
    }

    /// All metrics, sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = &Metric> {
        self.list.iter()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|m| m.id.as_str())
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The diagnostic for an unknown metric id written at `at`.
    pub fn unknown(&self, id: &str, at: Span) -> Diagnostic {
        if let Some(file) = self.broken.get(id) {
            return Diagnostic::error(format!("metric `{id}` could not be loaded"))
                .at(at)
                .hint(format!("fix the errors reported in `{file}` first"));
        }
        let d = Diagnostic::error(format!("unknown metric `{id}`")).at(at);
        match crate::diagnostics::did_you_mean(id, self.ids()) {
            Some(best) => d.hint(format!("did you mean `{best}`?")),
            None if self.is_empty() => d.hint("there are no metrics yet: add TOML files under `content/metrics/`"),
            None => {
                let some: Vec<String> = self.ids().take(8).map(|i| format!("`{i}`")).collect();
                let more = if self.len() > 8 { ", …" } else { "" };
                d.hint(format!("known metrics: {}{more}", some.join(", ")))
            }
        }
    }
}

/// Parses every metric file. Files with problems are left out and their
/// problems returned; two files with one id are an error.
pub fn load(files: &[DataFile]) -> (Metrics, Vec<Diagnostic>) {
    let results: Vec<Result<Metric, Vec<Diagnostic>>> =
        files.par_iter().map(|f| validate::parse(&f.rel, &f.file, &f.src)).collect();
    let mut list: Vec<Metric> = Vec::with_capacity(results.len());
    let mut diags = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut broken = HashMap::new();
    for (file, result) in files.iter().zip(results) {
        match result {
            Ok(m) => {
                if let Some(first) = seen.get(&m.id) {
                    diags.push(
                        Diagnostic::error(format!("metric id `{}` is also used by `{first}`", m.id))
                            .at(Span::file(&m.file))
                            .hint("rename one of the files, or set a different `id` in it"),
                    );
                    continue;
                }
                seen.insert(m.id.clone(), m.file.clone());
                list.push(m);
            }
            Err(d) => {
                let stem = file.rel.rsplit('/').next().unwrap_or(&file.rel).trim_end_matches(".toml");
                broken.insert(stem.to_string(), file.file.clone());
                diags.extend(d);
            }
        }
    }
    let mut metrics = Metrics::new(list);
    metrics.broken = broken;
    (metrics, diags)
}
