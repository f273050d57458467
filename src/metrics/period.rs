//! Calendar arithmetic for metric series.
//!
//! Dates inside metrics are day numbers (days since 1970-01-01), so slicing,
//! grouping and plotting are integer operations. An [`Interval`] cuts time
//! into periods: days, ISO weeks (starting on Monday), calendar months and
//! calendar quarters. A data point is dated by the first day of its period.

use serde::Deserialize;

/// Days since 1970-01-01 (negative before).
pub type Day = i32;

/// The day number of a civil date. `month` is 1–12, `day` 1–31.
pub fn day_number(year: i32, month: u32, day: u32) -> Day {
    // Howard Hinnant's days_from_civil, on a calendar whose year starts in March.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day number.
pub fn civil(day: Day) -> (i32, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

pub fn from_date(date: jiff::civil::Date) -> Day {
    day_number(i32::from(date.year()), date.month() as u32, date.day() as u32)
}

/// Day of the week, 0 for Monday to 6 for Sunday.
pub fn weekday(day: Day) -> u32 {
    // 1970-01-01 was a Thursday.
    (day + 3).rem_euclid(7) as u32
}

/// `2026-03-01`
pub fn iso(day: Day) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn month_index(day: Day) -> i32 {
    let (y, m, _) = civil(day);
    y * 12 + m as i32 - 1
}

fn from_month_index(index: i32) -> Day {
    day_number(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
}

/// How often a series has a value, or how a chart groups one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    Week,
    Month,
    Quarter,
    /// Only for chart axes: label years.
    #[serde(skip)]
    Year,
}

impl Interval {
    pub fn name(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Quarter => "quarter",
            Interval::Year => "year",
        }
    }

    /// The first day of the period that holds `day`.
    pub fn start_of(self, day: Day) -> Day {
        match self {
            Interval::Day => day,
            Interval::Week => day - weekday(day) as i32,
            Interval::Month => from_month_index(month_index(day)),
            Interval::Quarter => from_month_index(month_index(day).div_euclid(3) * 3),
            Interval::Year => from_month_index(month_index(day).div_euclid(12) * 12),
        }
    }

    pub fn is_aligned(self, day: Day) -> bool {
        self.start_of(day) == day
    }

    /// The start of the `n`-th period after the one starting at `start`.
    pub fn advance(self, start: Day, n: i32) -> Day {
        match self {
            Interval::Day => start + n,
            Interval::Week => start + 7 * n,
            Interval::Month => from_month_index(month_index(start) + n),
            Interval::Quarter => from_month_index(month_index(start) + 3 * n),
            Interval::Year => from_month_index(month_index(start) + 12 * n),
        }
    }

    /// The start of the period after the one that holds `day`.
    pub fn next(self, day: Day) -> Day {
        self.advance(self.start_of(day), 1)
    }

    /// How the first day of a period is written in a hint.
    pub fn alignment_hint(self) -> &'static str {
        match self {
            Interval::Day => "any date",
            Interval::Week => "a Monday",
            Interval::Month => "the 1st of a month, such as `2026-01-01`",
            Interval::Quarter => "the 1st of January, April, July or October",
            Interval::Year => "the 1st of January",
        }
    }

    /// `daily`, `weekly`, … as used in messages.
    pub fn adjective(self) -> &'static str {
        match self {
            Interval::Day => "daily",
            Interval::Week => "weekly",
            Interval::Month => "monthly",
            Interval::Quarter => "quarterly",
            Interval::Year => "yearly",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(interval: Interval, date: &str, start: &str, next: &str) {
        let parse = |s: &str| {
            let p: Vec<u32> = s.split('-').map(|x| x.parse().unwrap_or(0)).collect();
            day_number(p[0] as i32, p[1], p[2])
        };
        let day = parse(date);
        assert_eq!(iso(interval.start_of(day)), start, "start of {date}");
        assert_eq!(iso(interval.next(day)), next, "next after {date}");
    }

    #[test]
    fn periods() {
        check(Interval::Day, "2026-02-28", "2026-02-28", "2026-03-01");
        check(Interval::Week, "2026-03-05", "2026-03-02", "2026-03-09");
        check(Interval::Week, "2026-03-02", "2026-03-02", "2026-03-09");
        check(Interval::Week, "2026-01-01", "2025-12-29", "2026-01-05");
        check(Interval::Month, "2024-02-29", "2024-02-01", "2024-03-01");
        check(Interval::Month, "2025-12-31", "2025-12-01", "2026-01-01");
        check(Interval::Quarter, "2026-05-17", "2026-04-01", "2026-07-01");
        check(Interval::Quarter, "2025-12-31", "2025-10-01", "2026-01-01");
        check(Interval::Year, "2025-07-04", "2025-01-01", "2026-01-01");
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number(1970, 1, 1), 0);
        assert_eq!(weekday(day_number(2026, 3, 2)), 0);
        for day in -800_000..800_000 {
            if day % 997 == 0 {
                let (y, m, d) = civil(day);
                assert_eq!(day_number(y, m, d), day);
            }
        }
        assert_eq!(iso(Interval::Month.advance(day_number(2025, 11, 1), 3)), "2026-02-01");
    }
}
