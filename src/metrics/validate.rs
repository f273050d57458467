//! From a metric file's text to a checked [`Metric`]: TOML errors first,
//! then every value problem at once, each pointing at its line and column.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::format::{UNITS, is_additive, needed_decimals};
use super::period::{Day, Interval, from_date, iso};
use super::schema::{Aggregation, Direction, RawMetric, RawSeries, RawThresholds, toml_error};
use super::{Data, Metric, Point, Row, Series, Target, Thresholds};
use crate::diagnostics::{self, Diagnostic, Span};
use crate::frontmatter::Date;

/// Parses the metric in `src`, the text of `file` (shown in diagnostics);
/// `rel` is its path in the content folder, whose stem is the default id.
pub fn parse(rel: &str, file: &str, src: &str) -> Result<Metric, Vec<Diagnostic>> {
    let raw: RawMetric = toml::from_str(src).map_err(|e| vec![toml_error(file, src, &e)])?;
    let mut v = Check { file, src, diags: Vec::new() };
    let stem = rel.rsplit('/').next().unwrap_or(rel).trim_end_matches(".toml");
    let id = match &raw.id {
        Some(id) => {
            v.id(id.get_ref(), Some(id.span()));
            id.get_ref().clone()
        }
        None => {
            v.id(stem, None);
            stem.to_string()
        }
    };
    let unit = raw.unit.get_ref().clone();
    if !UNITS.contains(&unit.as_str()) {
        let hint = match diagnostics::did_you_mean(&unit, UNITS.iter().copied().filter(|u| !u.is_empty())) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("known units: {}", UNITS.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(" ")),
        };
        v.error(raw.unit.span(), format!("unknown unit `{unit}`"), hint);
    }
    let direction = raw.direction.unwrap_or(Direction::Up);
    let decimals = raw.decimals.as_ref().map(|d| {
        let n = *d.get_ref();
        if !(0..=6).contains(&n) {
            v.error(
                d.span(),
                format!("`decimals` must be between 0 and 6, found `{n}`"),
                "use 0 for counts, 1 or 2 for rates",
            );
        }
        n.clamp(0, 6) as usize
    });
    let targets = v.targets(&raw);
    let thresholds = raw.thresholds.as_ref().map(|t| v.thresholds(t, direction)).unwrap_or_default();
    let data = match &raw.categories {
        Some(categories) => v.table(categories, &raw.series, raw.title.get_ref()),
        None => v.dated(&raw.series, raw.title.get_ref(), raw.title.span()),
    };
    if !v.diags.is_empty() {
        return Err(v.diags);
    }
    let decimals = decimals.unwrap_or_else(|| match &data {
        Data::Dated { series, .. } => needed_decimals(series.iter().flat_map(|s| s.points.iter().map(|p| p.value))),
        Data::Table { series, .. } => needed_decimals(series.iter().flat_map(|s| s.values.iter().copied())),
    });
    let additive = match raw.aggregation {
        Some(a) => a == Aggregation::Sum,
        None => is_additive(&unit),
    };
    Ok(Metric {
        id,
        file: file.to_string(),
        rel: rel.to_string(),
        title: raw.title.into_inner(),
        unit,
        description: raw.description,
        owner: raw.owner,
        source: raw.source,
        direction,
        decimals,
        additive,
        targets,
        thresholds,
        data,
    })
}

struct Check<'a> {
    file: &'a str,
    src: &'a str,
    diags: Vec<Diagnostic>,
}

impl Check<'_> {
    fn span(&self, at: Range<usize>) -> Span {
        Span::from_offset(self.file, self.src, at.start, at.end.saturating_sub(at.start))
    }

    fn error(&mut self, at: Range<usize>, message: impl Into<String>, hint: impl Into<String>) {
        let d = Diagnostic::error(message).at(self.span(at)).hint(hint);
        self.diags.push(d);
    }

    fn id(&mut self, id: &str, at: Option<Range<usize>>) {
        let ok =
            !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !ok {
            let message = format!("metric id `{id}` may only use a-z, 0-9, `_` and `-`");
            match at {
                Some(at) => self.error(at, message, "the id is part of the metric page's URL"),
                None => self.diags.push(
                    Diagnostic::error(message)
                        .at(Span::file(self.file))
                        .hint("rename the file, or set `id = \"...\"` in it"),
                ),
            }
        }
    }

    fn number(&mut self, v: &Spanned<f64>) -> f64 {
        let n = *v.get_ref();
        if !n.is_finite() {
            self.error(
                v.span(),
                format!("`{n}` is not a usable number"),
                "write a finite number such as `42` or `3.5`",
            );
        }
        n
    }

    fn targets(&mut self, raw: &RawMetric) -> Vec<Target> {
        match (&raw.target, &raw.targets) {
            (Some(_), Some(list)) => {
                self.error(
                    list.span(),
                    "`target` and `targets` are both set",
                    "use `target` for one value, or `targets` for values that change over time, not both",
                );
                Vec::new()
            }
            (Some(t), None) => vec![Target { from: None, value: self.number(t) }],
            (None, Some(list)) => {
                if list.get_ref().is_empty() {
                    self.error(list.span(), "`targets` is empty", "add `{ from = 2026-01-01, value = 42 }`");
                }
                let mut out: Vec<Target> = Vec::new();
                for t in list.get_ref() {
                    let t = t.get_ref();
                    let from = from_date(t.from.get_ref().0);
                    if let Some(prev) = out.last().and_then(|p| p.from).filter(|p| *p >= from) {
                        let message = if prev == from {
                            format!("two targets start on `{}`", iso(from))
                        } else {
                            format!("target from `{}` comes after one from `{}`", iso(prev), iso(from))
                        };
                        self.error(t.from.span(), message, "list targets once each, oldest first");
                    }
                    let value = self.number(&t.value);
                    out.push(Target { from: Some(from), value });
                }
                out
            }
            (None, None) => Vec::new(),
        }
    }

    fn thresholds(&mut self, t: &Spanned<RawThresholds>, direction: Direction) -> Thresholds {
        let t = t.get_ref();
        let red = t.red.as_ref().map(|r| self.number(r));
        let amber = t.amber.as_ref().map(|a| self.number(a));
        if let (Some(r), Some(a), Some(at)) = (red, amber, t.amber.as_ref().map(Spanned::span)) {
            match direction {
                Direction::Up if a <= r => self.error(
                    at,
                    format!("`amber` ({a}) must be above `red` ({r}) when higher is better"),
                    "below `red` is red, between `red` and `amber` is amber; for lower-is-better set `direction = \"down\"`",
                ),
                Direction::Down if a >= r => self.error(
                    at,
                    format!("`amber` ({a}) must be below `red` ({r}) when lower is better"),
                    "above `red` is red, between `amber` and `red` is amber",
                ),
                _ => {}
            }
        }
        Thresholds { red, amber }
    }

    fn table(
        &mut self,
        categories: &Spanned<Vec<Spanned<String>>>,
        series: &[Spanned<RawSeries>],
        title: &str,
    ) -> Data {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for c in categories.get_ref() {
            if seen.insert(c.get_ref().as_str(), ()).is_some() {
                self.error(c.span(), format!("category `{}` is listed twice", c.get_ref()), "list each category once");
            }
        }
        let n = categories.get_ref().len();
        if n == 0 {
            self.error(
                categories.span(),
                "`categories` is empty",
                "list the categories: `categories = [\"A\", \"B\"]`",
            );
        }
        if series.is_empty() {
            self.error(
                categories.span(),
                "a table needs at least one `[[series]]`",
                "add `[[series]]` with `name` and `values`",
            );
        }
        let mut rows = Vec::new();
        for s in series {
            let raw = s.get_ref();
            let not_here =
                "a table's series have only `name` and `values`; remove it, or remove `categories` for a dated series";
            if let Some(i) = &raw.interval {
                self.error(i.span(), "`interval` does not apply to a table of categories", not_here);
            }
            if let Some(st) = &raw.start {
                self.error(st.span(), "`start` does not apply to a table of categories", not_here);
            }
            if let Some(p) = &raw.points {
                self.error(p.span(), "`points` do not apply to a table of categories", not_here);
            }
            let Some(values) = &raw.values else {
                self.error(s.span(), "series has no `values`", format!("give one value per category ({n} in all)"));
                continue;
            };
            if values.get_ref().len() != n {
                self.error(
                    values.span(),
                    format!("`values` has {} entries but `categories` has {n}", values.get_ref().len()),
                    "give one value per category, in the same order",
                );
            }
            let values = values.get_ref().iter().map(|v| self.number(v)).collect();
            rows.push(Row { name: self.name(raw, series.len(), s.span(), title), values });
        }
        self.unique_names(series);
        Data::Table { categories: categories.get_ref().iter().map(|c| c.get_ref().clone()).collect(), series: rows }
    }

    fn name(&mut self, raw: &RawSeries, count: usize, at: Range<usize>, title: &str) -> String {
        match &raw.name {
            Some(n) => n.get_ref().clone(),
            None if count == 1 => title.to_string(),
            None => {
                self.error(
                    at,
                    "series has no `name`",
                    "a metric with several series names each one: `name = \"自然新增\"`",
                );
                String::new()
            }
        }
    }

    fn unique_names(&mut self, series: &[Spanned<RawSeries>]) {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for n in series.iter().filter_map(|s| s.get_ref().name.as_ref()) {
            if seen.insert(n.get_ref().as_str(), ()).is_some() {
                self.error(
                    n.span(),
                    format!("two series are named `{}`", n.get_ref()),
                    "give each series its own name",
                );
            }
        }
    }

    fn dated(&mut self, series: &[Spanned<RawSeries>], title: &str, title_at: Range<usize>) -> Data {
        if series.is_empty() {
            self.error(
                title_at,
                "metric has no data",
                "add a `[[series]]` with `interval`, `start` and `values`, or `categories` for a table",
            );
        }
        let mut interval: Option<(Interval, String)> = None;
        let mut out = Vec::new();
        for s in series {
            let raw = s.get_ref();
            let name = self.name(raw, series.len(), s.span(), title);
            let Some(iv) = &raw.interval else {
                self.error(
                    s.span(),
                    "series has no `interval`",
                    "add `interval = \"day\"`, `\"week\"`, `\"month\"` or `\"quarter\"`",
                );
                continue;
            };
            let this = *iv.get_ref();
            match &interval {
                Some((first, first_name)) if *first != this => {
                    let message =
                        format!("series `{name}` is {} but `{first_name}` is {}", this.adjective(), first.adjective());
                    self.error(
                        iv.span(),
                        message,
                        "all series of a metric share one interval; put the others in their own file",
                    );
                }
                Some(_) => {}
                None => interval = Some((this, name.clone())),
            }
            let points = self.points(raw, this, s.span());
            out.push(Series { name, points });
        }
        self.unique_names(series);
        Data::Dated { interval: interval.map_or(Interval::Day, |(i, _)| i), series: out }
    }

    fn aligned(&mut self, date: &Spanned<Date>, interval: Interval, what: &str) -> Day {
        let day = from_date(date.get_ref().0);
        if !interval.is_aligned(day) {
            self.error(
                date.span(),
                format!("{what} `{}` is not the first day of a {}", iso(day), interval.name()),
                format!(
                    "{} data is dated by the first day of each period: {}",
                    interval.adjective(),
                    interval.alignment_hint()
                ),
            );
        }
        day
    }

    fn points(&mut self, raw: &RawSeries, interval: Interval, at: Range<usize>) -> Vec<Point> {
        match (&raw.start, &raw.values, &raw.points) {
            (Some(_), _, Some(points)) | (_, Some(_), Some(points)) => {
                self.error(
                    points.span(),
                    "series has both `points` and `start` / `values`",
                    "write the series either as `start` + `values` or as dated `points`",
                );
                Vec::new()
            }
            (Some(start), Some(values), None) => {
                let first = self.aligned(start, interval, "start");
                if values.get_ref().is_empty() {
                    self.error(values.span(), "`values` is empty", "list at least one value");
                }
                let mut day = first;
                let mut out = Vec::with_capacity(values.get_ref().len());
                for v in values.get_ref() {
                    out.push(Point { day, value: self.number(v) });
                    day = interval.advance(day, 1);
                }
                out
            }
            (Some(start), None, None) => {
                self.error(
                    start.span(),
                    "`start` without `values`",
                    "add `values = [...]`, one per period from `start`",
                );
                Vec::new()
            }
            (None, Some(values), None) => {
                self.error(
                    values.span(),
                    "`values` without `start`",
                    "add the date of the first value: `start = 2026-01-01`",
                );
                Vec::new()
            }
            (None, None, Some(points)) => {
                if points.get_ref().is_empty() {
                    self.error(points.span(), "`points` is empty", "add `{ date = 2026-01-01, value = 42 }`");
                }
                let mut out: Vec<Point> = Vec::with_capacity(points.get_ref().len());
                let mut lines: HashMap<Day, usize> = HashMap::new();
                for p in points.get_ref() {
                    let p = p.get_ref();
                    let day = self.aligned(&p.date, interval, "date");
                    let line = self.span(p.date.span()).line;
                    if let Some(first) = lines.get(&day) {
                        self.error(
                            p.date.span(),
                            format!("duplicate date `{}`", iso(day)),
                            format!("already given on line {first}"),
                        );
                    } else if let Some(prev) = out.last().filter(|prev| prev.day > day) {
                        let message = format!("date `{}` comes after `{}` but is earlier", iso(day), iso(prev.day));
                        self.error(p.date.span(), message, "list points oldest first");
                    }
                    lines.entry(day).or_insert(line);
                    out.push(Point { day, value: self.number(&p.value) });
                }
                out
            }
            (None, None, None) => {
                self.error(at, "series has no data", "add `start` and `values`, or dated `points`");
                Vec::new()
            }
        }
    }
}
