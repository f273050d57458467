//! Sparklines: the small trend line of a KPI card — no axes, a light
//! area under the line, the last point marked.

use plotters::prelude::*;

use super::draw::{S, fill, shape, u};
use super::svg::Paint;
use crate::metrics::Point;

pub fn sparkline(points: &[Point], color: u8, width: u32, height: u32) -> String {
    let (w, h) = (f64::from(width), f64::from(height));
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, ((w * S) as u32, (h * S) as u32)).into_drawing_area();
        let lo = points.iter().map(|p| p.value).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(|p| p.value).fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > lo { (lo, hi) } else { (lo.min(0.0) - 1.0, hi.max(0.0) + 1.0) };
        let pad = (hi - lo) * 0.08;
        let n = points.len().max(2) as f64 - 1.0;
        let built = ChartBuilder::on(&root)
            .margin_left(u(2.0))
            .margin_right(u(5.0))
            .margin_top(u(5.0))
            .margin_bottom(u(3.0))
            .build_cartesian_2d(0.0..n, (lo - pad)..(hi + pad));
        if let Ok(mut plot) = built {
            let pts: Vec<(f64, f64)> = points.iter().enumerate().map(|(i, p)| (i as f64, p.value)).collect();
            let area = AreaSeries::new(pts.clone(), lo - pad, fill(Paint::Series(color), 0.12))
                .border_style(shape(Paint::Series(color), 1.5));
            let _ = plot.draw_series(area);
            if let Some(&last) = pts.last() {
                let _ = plot.draw_series([
                    Circle::new(last, u(3.5), fill(Paint::Halo, 1.0)),
                    Circle::new(last, u(2.5), fill(Paint::Series(color), 1.0)),
                ]);
            }
        }
        let _ = root.present();
    }
    buf
}
