//! Axis layout: "nice" value ticks, date ticks that fit the width, and an
//! estimate of how wide a label is.
//!
//! plotters estimates text width from the number of bytes, which triples
//! the width of Chinese labels; we estimate per character instead (CJK is
//! one em, digits a little over half) and size every label area ourselves.

use unicode_width::UnicodeWidthChar;

use crate::metrics::format::{self, Lang};
use crate::metrics::period::{Day, Interval, civil};

/// Width of `text` in pixels at `size` pixels per em.
pub fn text_width(text: &str, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            '0'..='9' | '$' | '¥' | '+' | '\u{2212}' | '-' => 0.58,
            '.' | ',' | ':' | ' ' | '(' | ')' => 0.3,
            '%' => 0.86,
            'A'..='Z' => 0.66,
            'a'..='z' => 0.53,
            c if c.width() == Some(2) => 1.0,
            _ => 0.62,
        })
        .sum();
    ems * size
}

/// Ticks for values from `min` to `max`: about `count` round numbers
/// (1, 2, 2.5 or 5 × 10ⁿ apart) covering the range. Returns the ticks and
/// the step.
pub fn nice_ticks(min: f64, max: f64, count: usize) -> (Vec<f64>, f64) {
    let (mut lo, mut hi) = if min <= max { (min, max) } else { (max, min) };
    if !(lo.is_finite() && hi.is_finite()) {
        lo = 0.0;
        hi = 1.0;
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
        if min >= 0.0 && lo < 0.0 {
            lo = 0.0;
        }
    }
    let step = nice_step((hi - lo) / count.saturating_sub(1).max(1) as f64);
    ticks_with(lo, hi, step)
}

/// Ticks with exactly `intervals` steps covering `min..=max`, for a second
/// axis that must line up with the first axis's grid.
pub fn aligned_ticks(min: f64, max: f64, intervals: usize, zero: bool) -> (Vec<f64>, f64) {
    let (lo, hi) = (if zero { min.min(0.0) } else { min }, if zero { max.max(0.0) } else { max });
    let n = intervals.max(1) as f64;
    let mut step = nice_step(((hi - lo) / n).max(f64::MIN_POSITIVE));
    for _ in 0..40 {
        let start = (lo / step).floor() * step;
        if start + step * n >= hi - step * 1e-9 {
            let ticks = (0..=intervals).map(|i| clean(start + step * i as f64)).collect();
            return (ticks, step);
        }
        step = nice_step(step * 1.01);
    }
    ticks_with(lo, hi, step)
}

fn ticks_with(lo: f64, hi: f64, step: f64) -> (Vec<f64>, f64) {
    let first = (lo / step + 1e-9).floor();
    let last = (hi / step - 1e-9).ceil();
    let ticks = (first as i64..=last as i64).map(|i| clean(i as f64 * step)).collect();
    (ticks, step)
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 { raw } else { 1.0 };
    let magnitude = 10f64.powf(raw.log10().floor());
    let f = raw / magnitude;
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().find(|n| *n >= f - 1e-9).unwrap_or(10.0);
    nice * magnitude
}

/// Rounds away floating-point dust: `0.30000000000000004` → `0.3`.
fn clean(v: f64) -> f64 {
    let r = (v * 1e9).round() / 1e9;
    if r == 0.0 { 0.0 } else { r }
}

/// One label of a date axis, centred on `at` (a fractional day).
#[derive(Debug, Clone, PartialEq)]
pub struct DateLabel {
    pub at: f64,
    pub text: String,
    /// The year, under the first label of each year.
    pub year: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DateAxis {
    pub labels: Vec<DateLabel>,
    /// Period boundaries to mark with a small tick.
    pub ticks: Vec<Day>,
}

/// Labels for a date axis from `start` to `end` (exclusive) over `width`
/// pixels, for series no finer than `finest`. Picks the finest labelling
/// (days, weeks, months, quarters, years, every one or every few) whose
/// labels do not collide.
pub fn date_axis(start: Day, end: Day, finest: Interval, width: f64, font: f64, lang: Lang) -> DateAxis {
    let candidates: &[(Interval, i32)] = &[
        (Interval::Day, 1),
        (Interval::Day, 2),
        (Interval::Week, 1),
        (Interval::Week, 2),
        (Interval::Month, 1),
        (Interval::Month, 2),
        (Interval::Month, 3),
        (Interval::Month, 6),
        (Interval::Quarter, 1),
        (Interval::Quarter, 2),
        (Interval::Year, 1),
        (Interval::Year, 2),
        (Interval::Year, 5),
        (Interval::Year, 10),
        (Interval::Year, 25),
    ];
    let px_per_day = width / f64::from((end - start).max(1));
    let mut fallback = DateAxis::default();
    for &(unit, step) in candidates {
        // Quarter labels only for quarterly data; months read better otherwise.
        if unit < finest || (unit == Interval::Quarter && finest != Interval::Quarter) {
            continue;
        }
        let axis = label_periods(start, end, unit, step, lang);
        if axis.labels.len() > 16 {
            fallback = axis;
            continue;
        }
        let fits = axis.labels.windows(2).all(|w| {
            let need = (text_width(&w[0].text, font) + text_width(&w[1].text, font)) / 2.0 + font * 0.9;
            (w[1].at - w[0].at) * px_per_day >= need
        });
        if fits {
            return axis;
        }
        fallback = axis;
    }
    fallback
}

fn label_periods(start: Day, end: Day, unit: Interval, step: i32, lang: Lang) -> DateAxis {
    let mut axis = DateAxis::default();
    let mut p = unit.start_of(start);
    let mut index = 0;
    let mut last_year = None;
    while p < end {
        let next = unit.advance(p, 1);
        if p > start {
            axis.ticks.push(p);
        }
        let (y, m, _) = civil(p);
        let keep = match unit {
            Interval::Month => (m as i32 - 1) % step == 0,
            Interval::Quarter => ((m as i32 - 1) / 3) % step == 0,
            Interval::Year => y % step == 0,
            Interval::Day | Interval::Week => index % step == 0,
        };
        let (vis_start, vis_end) = (p.max(start), next.min(end));
        // Skip a period that is mostly outside the chart.
        if keep && f64::from(vis_end - vis_start) >= 0.45 * f64::from(next - p) {
            let (text, year) = format::tick(p, unit, lang);
            let show_year = !year.is_empty() && last_year != Some(y);
            last_year = Some(y);
            let at = f64::from(vis_start + vis_end) / 2.0;
            axis.labels.push(DateLabel { at, text, year: show_year.then_some(year) });
        }
        index += 1;
        p = next;
    }
    if axis.ticks.len() > 40 {
        // Too many to read as ticks: keep those at labelled periods.
        let labelled: Vec<Day> = axis.labels.iter().map(|l| unit.start_of(l.at.floor() as Day)).collect();
        axis.ticks.retain(|t| labelled.contains(t));
    }
    axis
}

/// Splits a category label into at most two lines that fit `width`
/// pixels: at a space when there is one, else in the middle.
pub fn wrap_label(text: &str, width: f64, font: f64) -> Vec<String> {
    if text_width(text, font) <= width {
        return vec![text.to_string()];
    }
    if let Some((a, b)) = text.split_once(' ') {
        return vec![a.to_string(), b.to_string()];
    }
    let chars: Vec<char> = text.chars().collect();
    let mid = chars.len().div_ceil(2);
    vec![chars[..mid].iter().collect(), chars[mid..].iter().collect()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::period::day_number;

    fn check(start: (i32, u32, u32), end: (i32, u32, u32), finest: Interval, width: f64, lang: Lang, expected: &str) {
        let axis = date_axis(
            day_number(start.0, start.1, start.2),
            day_number(end.0, end.1, end.2),
            finest,
            width,
            12.0,
            lang,
        );
        let got: Vec<String> = axis
            .labels
            .iter()
            .map(|l| match &l.year {
                Some(y) => format!("{}/{y}", l.text),
                None => l.text.clone(),
            })
            .collect();
        assert_eq!(got.join(" "), expected);
    }

    #[test]
    fn date_axes() {
        check(
            (2026, 1, 1),
            (2026, 11, 26),
            Interval::Day,
            640.0,
            Lang::Zh,
            "1月/2026年 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月",
        );
        check(
            (2025, 1, 1),
            (2026, 11, 1),
            Interval::Month,
            640.0,
            Lang::Zh,
            "1月/2025年 3月 5月 7月 9月 11月 1月/2026年 3月 5月 7月 9月",
        );
        check(
            (2025, 1, 1),
            (2026, 11, 1),
            Interval::Month,
            300.0,
            Lang::En,
            "Jan/2025 Apr Jul Oct Jan/2026 Apr Jul Oct",
        );
        check(
            (2026, 6, 15),
            (2026, 9, 1),
            Interval::Day,
            640.0,
            Lang::Zh,
            "6月15日/2026年 6月22日 6月29日 7月6日 7月13日 7月20日 7月27日 8月3日 8月10日 8月17日 8月24日",
        );
        check(
            (2024, 1, 1),
            (2026, 10, 1),
            Interval::Quarter,
            640.0,
            Lang::Zh,
            "Q1/2024年 Q2 Q3 Q4 Q1/2025年 Q2 Q3 Q4 Q1/2026年 Q2 Q3",
        );
        check(
            (2016, 1, 1),
            (2026, 1, 1),
            Interval::Month,
            640.0,
            Lang::En,
            "2016 2017 2018 2019 2020 2021 2022 2023 2024 2025",
        );
    }

    #[test]
    fn value_ticks() {
        assert_eq!(
            nice_ticks(76_683.0, 123_164.0, 5),
            (vec![60_000.0, 80_000.0, 100_000.0, 120_000.0, 140_000.0], 20_000.0)
        );
        assert_eq!(nice_ticks(0.0, 3.98, 5), (vec![0.0, 1.0, 2.0, 3.0, 4.0], 1.0));
        assert_eq!(nice_ticks(37.0, 45.0, 5), (vec![36.0, 38.0, 40.0, 42.0, 44.0, 46.0], 2.0));
        assert_eq!(nice_ticks(5.0, 5.0, 5).0.first(), Some(&4.5));
        assert_eq!(aligned_ticks(30.1, 45.6, 4, false), (vec![30.0, 35.0, 40.0, 45.0, 50.0], 5.0));
        assert_eq!(aligned_ticks(0.0, 1.0, 4, true).1, 0.25);
    }

    #[test]
    fn widths_and_wrapping() {
        assert_eq!(text_width("3月", 10.0), 15.8);
        assert_eq!(wrap_label("信息流广告", 40.0, 12.0), ["信息流", "广告"]);
        assert_eq!(wrap_label("打开 App", 40.0, 12.0), ["打开", "App"]);
        assert_eq!(wrap_label("老带新", 40.0, 12.0), ["老带新"]);
    }
}
