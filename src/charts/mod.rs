//! Charts: data already sliced and aggregated by the caller, drawn at
//! build time into inline SVG with plotters' SVG backend.
//!
//! A [`Chart`] is pure data — series with their marks (line, area, bar),
//! an optional target line and red / amber / green bands, the units of one
//! or two value axes. [`render`] lays it out (label areas sized from our own
//! text-width estimate, date ticks chosen to fit, numbers in 万 or k), draws
//! it with plotters ([`draw`]) in sentinel colours, and [`svg::finish`]
//! turns those into CSS classes so the theme can restyle charts for dark
//! mode. [`sparkline`] draws the small trend line of a KPI card.
//!
//! **Invariant:** rendering never fails and is deterministic: the same
//! chart gives the same bytes.

pub mod axis;
mod draw;
mod spark;
pub mod svg;

use crate::metrics::format::Lang;
use crate::metrics::period::{Day, Interval};
use crate::metrics::{Direction, Point};

/// The width, in CSS pixels, charts are laid out for on wide screens, and
/// the narrower layout used on phones.
pub const WIDE: u32 = 680;
pub const NARROW: u32 = 340;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Line,
    Area,
    Bar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// One plotted series. For a date axis `points` are `(first day of the
/// period, value)`; for categories `(index, value)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    pub name: String,
    pub mark: Mark,
    pub side: Side,
    /// Index into the palette.
    pub color: u8,
    /// The period of each point; `None` on a category axis.
    pub interval: Option<Interval>,
    pub points: Vec<(i32, f64)>,
}

/// A dashed target line; `steps` are `(from day, value)`, oldest first
/// (`Day::MIN` for "always").
#[derive(Clone, Debug, PartialEq)]
pub struct TargetLine {
    pub side: Side,
    pub color: Option<u8>,
    pub steps: Vec<(Day, f64)>,
    pub label: String,
}

/// Red / amber / green bands behind the data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bands {
    pub direction: Direction,
    pub red: Option<f64>,
    pub amber: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// For `<title>`.
    pub title: String,
    /// For `<desc>`: one sentence with the latest value, change and target.
    pub desc: String,
    pub lang: Lang,
    /// Height in CSS pixels at [`WIDE`] width.
    pub height: u32,
    /// Category names; empty for a date axis.
    pub categories: Vec<String>,
    pub plots: Vec<Plot>,
    /// Bars of several series stack instead of standing side by side.
    pub stacked: bool,
    pub targets: Vec<TargetLine>,
    pub bands: Option<Bands>,
    /// The unit of each value axis (`人`, `%`, `¥` …); `right` only when a
    /// series is on the right.
    pub left_unit: String,
    pub right_unit: Option<String>,
}

/// The chart as SVG, laid out for `width` CSS pixels.
pub fn render(chart: &Chart, width: u32) -> String {
    let raw = draw::chart(chart, width);
    svg::finish(&raw, "ob-chart", &chart.title, &chart.desc)
}

/// A small trend line for a KPI card: no axes, the last point marked.
pub fn sparkline(points: &[Point], color: u8, width: u32, height: u32, label: &str) -> String {
    let raw = spark::sparkline(points, color, width, height);
    svg::finish(&raw, "ob-spark", label, "")
}

#[cfg(test)]
mod tests;
