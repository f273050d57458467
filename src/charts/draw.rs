//! Layout and drawing with plotters. Everything is drawn at twice the CSS
//! size (plotters snaps to whole units, so this gives half-pixel precision)
//! in the sentinel colours of [`Paint`]; `svg::finish` does the rest.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{self, DateAxis};
use super::svg::Paint;
use super::{Bands, Chart, Mark, Side};
use crate::metrics::Direction;
use crate::metrics::format::{self, Lang};

/// Internal units per CSS pixel.
pub(super) const S: f64 = 2.0;
/// Label size in CSS pixels.
const FONT: f64 = 12.0;

pub(super) fn u(v: f64) -> i32 {
    (v * S).round() as i32
}

pub(super) fn shape(paint: Paint, width_px: f64) -> ShapeStyle {
    ShapeStyle { color: paint.color().to_rgba(), filled: false, stroke_width: u(width_px).max(1) as u32 }
}

pub(super) fn fill(paint: Paint, alpha: f64) -> ShapeStyle {
    ShapeStyle { color: paint.color().mix(alpha), filled: true, stroke_width: 0 }
}

fn text_style(paint: Paint, size: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    // plotters writes font-size as size / 1.24.
    TextStyle {
        font: ("sans-serif", size * S * 1.24).into_font(),
        color: paint.color().to_backend_color(),
        pos: Pos::new(h, v),
    }
}

type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn label(root: &Root<'_>, text: &str, at: (f64, f64), paint: Paint, size: f64, h: HPos, v: VPos) {
    let _ = root.draw(&Text::new(text.to_string(), (u(at.0), u(at.1)), text_style(paint, size, h, v)));
}

/// A value axis: ticks, their labels and the range they cover.
struct ValueAxis {
    ticks: Vec<f64>,
    labels: Vec<String>,
    lo: f64,
    hi: f64,
}

impl ValueAxis {
    fn new(ticks: Vec<f64>, step: f64, unit: &str, lang: Lang) -> ValueAxis {
        let labels = format::axis_labels(&ticks, step, unit, lang);
        let lo = ticks.first().copied().unwrap_or(0.0);
        let hi = ticks.last().copied().filter(|h| *h > lo).unwrap_or(lo + 1.0);
        ValueAxis { ticks, labels, lo, hi }
    }

    fn width(&self) -> f64 {
        self.labels.iter().map(|l| axis::text_width(l, FONT)).fold(0.0, f64::max)
    }
}

/// A unit shown above its axis when tick labels do not carry it.
fn caption(unit: &str, lang: Lang) -> Option<String> {
    match unit {
        "" | "%" | "¥" | "$" => None,
        u if lang.zh() => Some(format!("单位：{u}")),
        u => Some(format!("Unit: {u}")),
    }
}

/// The extent of values on one side, bars stacked when they stack.
fn value_range(c: &Chart, side: Side) -> Option<(f64, f64, bool)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut zero = false;
    let mut stacks: std::collections::BTreeMap<i32, (f64, f64)> = std::collections::BTreeMap::new();
    for p in c.plots.iter().filter(|p| p.side == side) {
        zero |= p.mark == Mark::Bar;
        for &(x, v) in &p.points {
            if p.mark == Mark::Bar && c.stacked {
                let e = stacks.entry(x).or_insert((0.0, 0.0));
                if v >= 0.0 { e.1 += v } else { e.0 += v }
            } else {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    for (neg, pos) in stacks.values() {
        lo = lo.min(*neg);
        hi = hi.max(*pos);
    }
    for t in c.targets.iter().filter(|t| t.side == side) {
        for (_, v) in &t.steps {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    if zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if !zero && lo.is_finite() && hi.is_finite() {
        // Keep lines off the frame: a little room above and below.
        let pad = (hi - lo) * 0.04;
        lo = if lo >= 0.0 { (lo - pad).max(0.0) } else { lo - pad };
        hi += pad;
    }
    (lo.is_finite() && hi.is_finite()).then_some((lo, hi, zero))
}

/// Where a point sits on the x axis and the slot a bar may fill.
struct XScale {
    dates: bool,
    start: f64,
    end: f64,
}

impl XScale {
    fn of(c: &Chart) -> XScale {
        if !c.categories.is_empty() {
            return XScale { dates: false, start: 0.0, end: c.categories.len() as f64 };
        }
        let mut start = i32::MAX;
        let mut end = i32::MIN;
        for p in &c.plots {
            let Some(iv) = p.interval else { continue };
            if let (Some(first), Some(last)) = (p.points.first(), p.points.last()) {
                start = start.min(first.0);
                end = end.max(iv.next(last.0));
            }
        }
        if start >= end {
            (start, end) = (0, 1);
        }
        XScale { dates: true, start: f64::from(start), end: f64::from(end) }
    }

    /// `(slot start, slot end)` of a point.
    fn slot(&self, interval: Option<crate::metrics::Interval>, x: i32) -> (f64, f64) {
        match interval {
            Some(iv) if self.dates => (f64::from(x), f64::from(iv.next(x))),
            _ => (f64::from(x), f64::from(x) + 1.0),
        }
    }
}

pub fn chart(c: &Chart, width: u32) -> String {
    let w = f64::from(width);
    let h = f64::from(c.height.max(120));
    let lang = c.lang;
    let x = XScale::of(c);
    let has_right = c.plots.iter().any(|p| p.side == Side::Right);
    let count = if h >= 260.0 {
        6
    } else if h >= 180.0 {
        5
    } else {
        4
    };
    let (llo, lhi, _) = value_range(c, Side::Left).unwrap_or((0.0, 1.0, true));
    let (lt, lstep) = axis::nice_ticks(llo, lhi, count);
    let left = ValueAxis::new(lt, lstep, &c.left_unit, lang);
    let right = if has_right {
        let unit = c.right_unit.as_deref().unwrap_or("");
        let (rlo, rhi, rzero) = value_range(c, Side::Right).unwrap_or((0.0, 1.0, true));
        let (rt, rstep) = axis::aligned_ticks(rlo, rhi, left.ticks.len().saturating_sub(1), rzero);
        Some(ValueAxis::new(rt, rstep, unit, lang))
    } else {
        None
    };
    let left_cap = caption(&c.left_unit, lang);
    let right_cap = right.as_ref().and_then(|_| caption(c.right_unit.as_deref().unwrap_or(""), lang));

    // Frame of the plot, in CSS pixels.
    let top = if left_cap.is_some() || right_cap.is_some() { 30.0 } else { 12.0 };
    let cat_lines = if x.dates { 0 } else { 2 };
    let bottom = if x.dates || cat_lines == 2 { 42.0 } else { 28.0 };
    let x0 = 8.0 + left.width().max(axis::text_width(left_cap.as_deref().unwrap_or(""), FONT) - 8.0) + 10.0;
    let x1 = w - match &right {
        Some(r) => 8.0 + r.width() + 10.0,
        None => 16.0,
    };
    let (y0, y1) = (top, h - bottom);

    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, ((w * S) as u32, (h * S) as u32)).into_drawing_area();
        let built = ChartBuilder::on(&root)
            .margin_left(u(x0))
            .margin_right(u(w - x1))
            .margin_top(u(y0))
            .margin_bottom(u(h - y1))
            .build_cartesian_2d(x.start..x.end, left.lo..left.hi);
        let Ok(mut plot) = built else {
            return String::new();
        };
        let to_left = |side: Side, v: f64| match (&right, side) {
            (Some(r), Side::Right) => left.lo + (v - r.lo) / (r.hi - r.lo) * (left.hi - left.lo),
            _ => v,
        };
        let clamp = |v: f64| v.clamp(left.lo, left.hi);

        // Bands, grid and baseline.
        if let Some(b) = &c.bands {
            for (lo, hi, paint, alpha) in bands(b, left.lo, left.hi) {
                let rect = Rectangle::new([(x.start, hi), (x.end, lo)], fill(paint, alpha));
                let _ = plot.draw_series(std::iter::once(rect));
            }
        }
        for &t in &left.ticks {
            let paint = if (t - left.lo).abs() < 1e-12 { Paint::Axis } else { Paint::Grid };
            let line = PathElement::new(vec![(x.start, t), (x.end, t)], shape(paint, 1.0));
            let _ = plot.draw_series(std::iter::once(line));
        }

        // Bars: side by side, or stacked.
        let bars: Vec<&super::Plot> = c.plots.iter().filter(|p| p.mark == Mark::Bar).collect();
        let mut stack_pos: std::collections::HashMap<i32, (f64, f64)> = std::collections::HashMap::new();
        for (k, p) in bars.iter().enumerate() {
            let n = if c.stacked { 1.0 } else { bars.len() as f64 };
            for &(px, v) in &p.points {
                let (s0, s1) = x.slot(p.interval, px);
                let group = (s1 - s0) * if n > 1.0 { 0.78 } else { 0.62 };
                let bw = group / n;
                let gap = bw * 0.08;
                let left_edge = (s0 + s1) / 2.0 - group / 2.0 + if c.stacked { 0.0 } else { k as f64 * bw };
                let v = to_left(p.side, v);
                let (base, top) = if c.stacked {
                    let e = stack_pos.entry(px).or_insert((0.0, 0.0));
                    if v >= 0.0 {
                        e.1 += v;
                        (e.1 - v, e.1)
                    } else {
                        e.0 += v;
                        (e.0 - v, e.0)
                    }
                } else {
                    (to_left(p.side, 0.0), v)
                };
                let rect = Rectangle::new(
                    [(left_edge + gap, clamp(top)), (left_edge + bw - gap, clamp(base))],
                    fill(Paint::Series(p.color), 1.0),
                );
                let _ = plot.draw_series(std::iter::once(rect));
            }
        }

        // Areas and lines, then their markers.
        for p in c.plots.iter().filter(|p| p.mark != Mark::Bar) {
            let pts: Vec<(f64, f64)> = p
                .points
                .iter()
                .map(|&(px, v)| {
                    let (s0, s1) = x.slot(p.interval, px);
                    ((s0 + s1) / 2.0, clamp(to_left(p.side, v)))
                })
                .collect();
            let stroke = shape(Paint::Series(p.color), 2.0);
            if p.mark == Mark::Area {
                let area = AreaSeries::new(pts.clone(), left.lo, fill(Paint::Series(p.color), 0.14));
                let _ = plot.draw_series(area.border_style(stroke));
            } else {
                let _ = plot.draw_series(LineSeries::new(pts.clone(), stroke));
            }
            let dense = pts.len() > 36;
            let marked: Vec<&(f64, f64)> = if dense { pts.last().into_iter().collect() } else { pts.iter().collect() };
            let r = if dense { 3.5 } else { 3.0 };
            for &&(mx, my) in &marked {
                let _ = plot.draw_series([
                    Circle::new((mx, my), u(r + 1.5), fill(Paint::Halo, 1.0)),
                    Circle::new((mx, my), u(r), fill(Paint::Series(p.color), 1.0)),
                ]);
            }
        }

        // Target lines, labelled at the end where the data is further away.
        let mut label_ys: Vec<f64> = Vec::new();
        for t in &c.targets {
            let mut segments = Vec::new();
            for (i, &(from, value)) in t.steps.iter().enumerate() {
                let a = f64::from(from).max(x.start);
                let b = t.steps.get(i + 1).map_or(x.end, |n| f64::from(n.0).min(x.end));
                if a >= b {
                    continue;
                }
                let y = clamp(to_left(t.side, value));
                let line = PathElement::new(vec![(a, y), (b, y)], shape(Paint::Target(t.color), 1.5));
                let _ = plot.draw_series(std::iter::once(line));
                segments.push((a, y));
            }
            let Some(&(start, y)) = segments.last() else { continue };
            let gap = |first: bool| {
                c.plots
                    .iter()
                    .filter(|p| p.side == t.side)
                    .filter_map(|p| if first { p.points.first() } else { p.points.last() })
                    .map(|&(_, v)| (to_left(t.side, v) - y).abs())
                    .fold(f64::INFINITY, f64::min)
            };
            let at_left = segments.len() == 1 && start <= x.start && gap(true) > gap(false) * 1.5;
            let (_, py) = plot.backend_coord(&(x.end, y));
            let py = f64::from(py) / S;
            if label_ys.iter().any(|o| (o - py).abs() < 14.0) {
                continue;
            }
            label_ys.push(py);
            let (ly, v) = if py - y0 < 16.0 { (py + 4.0, VPos::Top) } else { (py - 4.0, VPos::Bottom) };
            let (lx, h) = if at_left { (x0 + 4.0, HPos::Left) } else { (x1 - 4.0, HPos::Right) };
            label(&root, &t.label, (lx, ly), Paint::TargetLabel, 11.0, h, v);
        }

        // Value labels and unit captions.
        for (t, text) in left.ticks.iter().zip(&left.labels) {
            let (_, py) = plot.backend_coord(&(x.start, *t));
            label(&root, text, (x0 - 8.0, f64::from(py) / S), Paint::Tick, FONT, HPos::Right, VPos::Center);
        }
        if let Some(r) = &right {
            for (t, text) in r.ticks.iter().zip(&r.labels) {
                let (_, py) = plot.backend_coord(&(x.start, to_left(Side::Right, *t)));
                label(&root, text, (x1 + 8.0, f64::from(py) / S), Paint::Tick, FONT, HPos::Left, VPos::Center);
            }
        }
        if let Some(cap) = &left_cap {
            label(&root, cap, (8.0, y0 - 12.0), Paint::Caption, FONT, HPos::Left, VPos::Bottom);
        }
        if let Some(cap) = &right_cap {
            label(&root, cap, (w - 8.0, y0 - 12.0), Paint::Caption, FONT, HPos::Right, VPos::Bottom);
        }

        // The x axis.
        let to_px = |v: f64| x0 + (v - x.start) / (x.end - x.start) * (x1 - x0);
        if x.dates {
            let finest = c.plots.iter().filter_map(|p| p.interval).max().unwrap_or(crate::metrics::Interval::Day);
            let DateAxis { labels, ticks } = axis::date_axis(x.start as i32, x.end as i32, finest, x1 - x0, FONT, lang);
            for t in ticks {
                let px = to_px(f64::from(t));
                let _ =
                    root.draw(&PathElement::new(vec![(u(px), u(y1)), (u(px), u(y1 + 4.0))], shape(Paint::Axis, 1.0)));
            }
            for l in labels {
                let half = axis::text_width(&l.text, FONT) / 2.0;
                let px = to_px(l.at).clamp(x0 + half - 6.0, x1 - half + 6.0);
                label(&root, &l.text, (px, y1 + 8.0), Paint::Tick, FONT, HPos::Center, VPos::Top);
                if let Some(year) = &l.year {
                    label(&root, year, (px, y1 + 24.0), Paint::Caption, FONT, HPos::Center, VPos::Top);
                }
            }
        } else {
            let slot = (x1 - x0) / c.categories.len().max(1) as f64;
            for (i, name) in c.categories.iter().enumerate() {
                let px = to_px(i as f64 + 0.5);
                for (k, line) in axis::wrap_label(name, slot - 6.0, FONT).iter().take(2).enumerate() {
                    let y = y1 + 8.0 + 16.0 * k as f64;
                    label(&root, line, (px, y), Paint::Tick, FONT, HPos::Center, VPos::Top);
                }
            }
        }
        let _ = root.present();
    }
    buf
}

/// `(low, high, paint, opacity)` of each band inside `lo..hi`.
fn bands(b: &Bands, lo: f64, hi: f64) -> Vec<(f64, f64, Paint, f64)> {
    let mut edges: Vec<(f64, Paint)> = Vec::new();
    // Walk from the bad end to the good end.
    let (red, amber) = (b.red, b.amber);
    let order: Vec<(Option<f64>, Paint)> = vec![(red, Paint::BandRed), (amber, Paint::BandAmber)];
    for (edge, paint) in order {
        if let Some(e) = edge {
            edges.push((e, paint));
        }
    }
    let mut out = Vec::new();
    let mut prev = match b.direction {
        Direction::Up => lo,
        Direction::Down => hi,
    };
    for (edge, paint) in edges {
        let (a, z) = if b.direction == Direction::Up { (prev, edge) } else { (edge, prev) };
        out.push((a, z, paint, if paint == Paint::BandRed { 0.10 } else { 0.12 }));
        prev = edge;
    }
    let (a, z) = if b.direction == Direction::Up { (prev, hi) } else { (lo, prev) };
    out.push((a, z, Paint::BandGreen, 0.07));
    out.into_iter()
        .filter_map(|(a, z, p, alpha)| {
            let (a, z) = (a.clamp(lo, hi), z.clamp(lo, hi));
            (z > a).then_some((a, z, p, alpha))
        })
        .collect()
}
