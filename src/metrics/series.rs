//! Slicing a series to a window of time and aggregating it into longer
//! periods: sums for additive metrics (people, money), averages for rates
//! and scores.

use super::Point;
use super::period::{Day, Interval};

/// The points dated from `since` to `until`, both included.
pub fn slice(points: &[Point], since: Option<Day>, until: Option<Day>) -> &[Point] {
    let from = since.map_or(0, |s| points.partition_point(|p| p.day < s));
    let to = until.map_or(points.len(), |u| points.partition_point(|p| p.day <= u));
    if from >= to { &[] } else { &points[from..to] }
}

/// Groups `points` (oldest first) into periods of `to`, each dated by its
/// first day: the sum of its values when `additive`, else their mean.
pub fn aggregate(points: &[Point], to: Interval, additive: bool) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::new();
    let mut count = 0usize;
    for p in points {
        let start = to.start_of(p.day);
        match out.last_mut() {
            Some(last) if last.day == start => {
                last.value += p.value;
                count += 1;
            }
            _ => {
                finish(out.last_mut(), count, additive);
                out.push(Point { day: start, value: p.value });
                count = 1;
            }
        }
    }
    finish(out.last_mut(), count, additive);
    out
}

/// For sums: removes a first or last period that `source` (the points
/// before aggregation, of interval `from`) covers only in part — a quarter
/// holding one month of data is no quarter's total. Keeps everything when
/// nothing would be left. True when a period was removed.
pub fn drop_partial_ends(source: &[Point], from: Interval, to: Interval, groups: &mut Vec<Point>) -> bool {
    let covered = |g: &Point| {
        let end = to.next(g.day);
        let mut p = if from.is_aligned(g.day) { g.day } else { from.next(g.day) };
        let mut expected = 0;
        while p < end {
            expected += 1;
            p = from.advance(p, 1);
        }
        let from_i = source.partition_point(|x| x.day < g.day);
        let to_i = source.partition_point(|x| x.day < end);
        to_i - from_i >= expected
    };
    let keep_first = groups.first().is_none_or(covered);
    let keep_last = groups.len() < 2 || groups.last().is_none_or(covered);
    let removed = usize::from(!keep_first) + usize::from(!keep_last);
    if removed == 0 || removed >= groups.len() {
        return false;
    }
    if !keep_last {
        groups.pop();
    }
    if !keep_first {
        groups.remove(0);
    }
    true
}

fn finish(last: Option<&mut Point>, count: usize, additive: bool) {
    if let Some(last) = last
        && !additive
        && count > 1
    {
        last.value /= count as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::period::{day_number, iso};

    fn daily(start: Day, values: &[f64]) -> Vec<Point> {
        values.iter().enumerate().map(|(i, &value)| Point { day: start + i as i32, value }).collect()
    }

    fn check(points: &[Point], to: Interval, additive: bool, expected: &str) {
        let got: Vec<String> =
            aggregate(points, to, additive).iter().map(|p| format!("{} {}", iso(p.day), p.value)).collect();
        assert_eq!(got.join(", "), expected);
    }

    #[test]
    fn aggregation() {
        // 2026-03-01 is a Sunday: it belongs to the week of Feb 23.
        let days = daily(day_number(2026, 3, 1), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        check(&days, Interval::Week, true, "2026-02-23 1, 2026-03-02 35");
        check(&days, Interval::Week, false, "2026-02-23 1, 2026-03-02 5");
        check(&days, Interval::Month, true, "2026-03-01 36");
        check(
            &days,
            Interval::Day,
            true,
            &days.iter().map(|p| format!("{} {}", iso(p.day), p.value)).collect::<Vec<_>>().join(", "),
        );
        let months: Vec<Point> = (0..7)
            .map(|i| Point { day: Interval::Month.advance(day_number(2025, 11, 1), i), value: f64::from(i + 1) })
            .collect();
        check(&months, Interval::Quarter, true, "2025-10-01 3, 2026-01-01 12, 2026-04-01 13");
        check(&months, Interval::Quarter, false, "2025-10-01 1.5, 2026-01-01 4, 2026-04-01 6.5");
        check(&[], Interval::Month, true, "");
    }

    #[test]
    fn partial_periods_are_not_totals() {
        let months: Vec<Point> =
            (0..7).map(|i| Point { day: Interval::Month.advance(day_number(2025, 12, 1), i), value: 1.0 }).collect();
        let mut quarters = aggregate(&months, Interval::Quarter, true);
        assert!(drop_partial_ends(&months, Interval::Month, Interval::Quarter, &mut quarters));
        let got: Vec<String> = quarters.iter().map(|p| format!("{} {}", iso(p.day), p.value)).collect();
        assert_eq!(got, ["2026-01-01 3", "2026-04-01 3"]);
        let days = daily(day_number(2026, 3, 2), &[1.0; 14]);
        let mut weeks = aggregate(&days, Interval::Week, true);
        assert!(!drop_partial_ends(&days, Interval::Day, Interval::Week, &mut weeks));
        assert_eq!(weeks.len(), 2);
    }

    #[test]
    fn slicing() {
        let days = daily(day_number(2026, 1, 1), &[1.0, 2.0, 3.0, 4.0]);
        let got = |since, until| slice(&days, since, until).iter().map(|p| p.value).collect::<Vec<_>>();
        assert_eq!(got(Some(day_number(2026, 1, 2)), None), [2.0, 3.0, 4.0]);
        assert_eq!(got(None, Some(day_number(2026, 1, 2))), [1.0, 2.0]);
        assert_eq!(got(Some(day_number(2026, 1, 3)), Some(day_number(2026, 1, 2))), Vec::<f64>::new());
        assert_eq!(got(Some(day_number(2027, 1, 1)), None), Vec::<f64>::new());
    }
}
