//! The numbers on a KPI card: the latest value, its change against the
//! previous period, attainment against the target and a status that
//! respects whether higher or lower is better.

use super::period::{Day, Interval};
use super::{Direction, Metric, Point, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Good,
    Bad,
    Flat,
}

impl Trend {
    pub fn class(self) -> &'static str {
        match self {
            Trend::Good => "good",
            Trend::Bad => "bad",
            Trend::Flat => "flat",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub interval: Interval,
    pub latest: Point,
    /// The value of the period just before the latest, when there is one.
    pub previous: Option<Point>,
    /// `latest − previous`.
    pub change: Option<f64>,
    /// `change / |previous|`, when `previous` is not zero.
    pub change_ratio: Option<f64>,
    pub trend: Trend,
    pub target: Option<f64>,
    /// Value ÷ target (target ÷ value when lower is better).
    pub attainment: Option<f64>,
    pub status: Status,
    /// The last points, for a sparkline.
    pub recent: Vec<Point>,
}

/// How many periods a KPI card's sparkline shows.
pub fn recent_len(interval: Interval) -> usize {
    match interval {
        Interval::Day => 90,
        Interval::Week => 26,
        Interval::Month => 12,
        Interval::Quarter | Interval::Year => 8,
    }
}

/// The KPI of a dated metric; `None` for a table.
pub fn kpi(metric: &Metric) -> Option<Kpi> {
    let interval = metric.interval()?;
    let points = metric.headline();
    let latest = *points.last()?;
    let previous = points.len().checked_sub(2).map(|i| points[i]).filter(|p| interval.advance(p.day, 1) == latest.day);
    let change = previous.map(|p| latest.value - p.value);
    let change_ratio = previous.filter(|p| p.value != 0.0).map(|p| (latest.value - p.value) / p.value.abs());
    let resolution = 0.5 * 10f64.powi(-(metric.decimals as i32));
    let trend = match change {
        Some(c) if c.abs() >= resolution => {
            if (c > 0.0) == (metric.direction == Direction::Up) {
                Trend::Good
            } else {
                Trend::Bad
            }
        }
        _ => Trend::Flat,
    };
    let target = metric.target_at(latest.day);
    let attainment = target.and_then(|t| attainment_of(metric.direction, latest.value, t));
    let keep = recent_len(interval).min(points.len());
    Some(Kpi {
        interval,
        latest,
        previous,
        change,
        change_ratio,
        trend,
        target,
        attainment,
        status: metric.status(latest.value, latest.day),
        recent: points[points.len() - keep..].to_vec(),
    })
}

/// Value ÷ target, or target ÷ value when lower is better.
pub fn attainment_of(direction: Direction, value: f64, target: f64) -> Option<f64> {
    let ratio = match direction {
        Direction::Up => value / target,
        Direction::Down => target / value,
    };
    ratio.is_finite().then_some(ratio)
}

/// The latest day with data in any series of `metric`.
pub fn last_day(metric: &Metric) -> Option<Day> {
    metric.series().iter().filter_map(|s| s.points.last()).map(|p| p.day).max()
}
