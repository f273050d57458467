//! Numbers and dates as readers of each site language expect them.
//!
//! zh-CN counts in 万 and 亿 (`11.4万`, `3.4亿`) and writes dates as
//! `2026年3月`; English uses k / M / B (`114k`, `340M`) and `Mar 2026`.
//! Currency symbols are prefixes (`¥31.0`), `%` is a suffix, other units
//! are shown next to the number by the caller.
//!
//! **Invariant:** formatting is deterministic: Rust's float formatting is
//! exact, and no locale of the machine is consulted.

use super::period::{Day, Interval, civil};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `zh-CN` (or any `zh…`) is Chinese; everything else is English.
    pub fn from_code(code: &str) -> Lang {
        if code.to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En }
    }

    pub fn zh(self) -> bool {
        self == Lang::Zh
    }
}

/// Units a metric may use. Symbols are prefixes (`¥`, `$`) or a suffix
/// (`%`); words are written after the number.
pub const UNITS: &[&str] = &["人", "次", "元", "¥", "$", "%", "分", "个", "单", "天", "小时", "分钟", "倍", ""];

/// Units whose values add up over time (people, money, counts): a month
/// is the sum of its days. Rates, scores and durations average instead.
pub fn is_additive(unit: &str) -> bool {
    matches!(unit, "人" | "次" | "元" | "¥" | "$" | "个" | "单")
}

const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A minus sign that lines up with `+` (U+2212).
const MINUS: char = '\u{2212}';

/// `v` rounded to `decimals`, with `,` between thousands: `123,456.7`.
pub fn grouped(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), ""), |(i, f)| (i, f));
    let mut out = String::with_capacity(text.len() + 4);
    if v < 0.0 && text.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        out.push(MINUS);
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// The scale word for a magnitude: `(10_000.0, "万")`, `(1e6, "M")`, or
/// `(1.0, "")` below ten thousand.
pub fn scale_for(magnitude: f64, lang: Lang) -> (f64, &'static str) {
    let m = magnitude.abs();
    match lang {
        Lang::Zh if m >= 1e8 => (1e8, "亿"),
        Lang::Zh if m >= 1e4 => (1e4, "万"),
        Lang::En if m >= 1e9 => (1e9, "B"),
        Lang::En if m >= 1e6 => (1e6, "M"),
        Lang::En if m >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    }
}

/// A short number for cards and captions: `11.4万`, `1.2亿`, `114k`; below
/// ten thousand, `decimals` places with grouping.
pub fn compact(v: f64, decimals: usize, lang: Lang) -> String {
    let (scale, word) = scale_for(v, lang);
    if word.is_empty() {
        return grouped(v, decimals);
    }
    let m = v / scale;
    let places = if m.abs() < 99.95 { 1 } else { 0 };
    let rounded = (m * 10f64.powi(places)).round() / 10f64.powi(places) * scale;
    if scale_for(rounded, lang).0 != scale {
        // 999,960 rounds up to the next scale: 1M, not 1,000k.
        return compact(rounded, decimals, lang);
    }
    let mut text = grouped(m, places as usize);
    if let Some(stripped) = text.strip_suffix(".0") {
        text = stripped.to_string();
    }
    text.push_str(word);
    text
}

/// Puts a unit around a formatted number: `¥31.0`, `3.98%`, `11.4万人`,
/// `12 h`. The sign stays in front of a currency symbol (`−¥3`).
pub fn with_unit(number: &str, unit: &str, lang: Lang) -> String {
    let (sign, digits) = match number.strip_prefix(['+', MINUS]) {
        Some(rest) => (&number[..number.len() - rest.len()], rest),
        None => ("", number),
    };
    match unit {
        "¥" | "$" => format!("{sign}{unit}{digits}"),
        "%" | "" => format!("{number}{unit}"),
        _ if lang.zh() => format!("{number}{unit}"),
        _ => format!("{number} {unit}"),
    }
}

/// A number with an explicit sign: `+1.2万`, `−3.4`, `0`.
pub fn signed(v: f64, text: String) -> String {
    if text.starts_with(MINUS) || text.trim_start_matches(['0', '.', ',']).is_empty() {
        text
    } else if v > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

/// The decimals that `values` need, at most 3: `[1, 2.5]` needs 1.
pub fn needed_decimals(values: impl IntoIterator<Item = f64>) -> usize {
    let mut need = 0;
    for v in values {
        while need < 3 {
            let scaled = v * 10f64.powi(need as i32);
            if (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0) {
                break;
            }
            need += 1;
        }
    }
    need
}

/// Labels for value-axis ticks, all with the same scale word and decimals:
/// `0`, `5万`, `10万` or `37.5%`, `40%`.
pub fn axis_labels(ticks: &[f64], step: f64, unit: &str, lang: Lang) -> Vec<String> {
    let top = ticks.iter().fold(0f64, |m, t| m.max(t.abs()));
    let (scale, word) = scale_for(top, lang);
    let ratio = step / scale;
    let mut decimals = 0;
    while decimals < 4 && (ratio * 10f64.powi(decimals) - (ratio * 10f64.powi(decimals)).round()).abs() > 1e-6 {
        decimals += 1;
    }
    ticks
        .iter()
        .map(|&t| {
            let m = t / scale;
            let text =
                if m.abs() < 1e-9 { "0".to_string() } else { format!("{}{word}", grouped(m, decimals as usize)) };
            match unit {
                "¥" | "$" | "%" => with_unit(&text, unit, lang),
                _ => text,
            }
        })
        .collect()
}

/// A period for tables and sentences: `2026年3月5日`, `2026年3月2日当周`,
/// `2026年3月`, `2026年第1季度`; `Mar 5, 2026`, `Week of Mar 2, 2026`,
/// `Mar 2026`, `Q1 2026`.
pub fn period(day: Day, interval: Interval, lang: Lang) -> String {
    let (y, m, d) = civil(day);
    let mon = EN_MONTHS[(m - 1) as usize];
    let q = (m - 1) / 3 + 1;
    match (interval, lang) {
        (Interval::Day, Lang::Zh) => format!("{y}年{m}月{d}日"),
        (Interval::Week, Lang::Zh) => format!("{y}年{m}月{d}日当周"),
        (Interval::Month, Lang::Zh) => format!("{y}年{m}月"),
        (Interval::Quarter, Lang::Zh) => format!("{y}年第{q}季度"),
        (Interval::Year, Lang::Zh) => format!("{y}年"),
        (Interval::Day, Lang::En) => format!("{mon} {d}, {y}"),
        (Interval::Week, Lang::En) => format!("Week of {mon} {d}, {y}"),
        (Interval::Month, Lang::En) => format!("{mon} {y}"),
        (Interval::Quarter, Lang::En) => format!("Q{q} {y}"),
        (Interval::Year, Lang::En) => format!("{y}"),
    }
}

/// A date-axis label without the year (`3月`, `3月2日`, `Q1`; `Mar`,
/// `Mar 2`), and the year line shown under the first label of each year
/// (`2026年`, `2026`).
pub fn tick(day: Day, interval: Interval, lang: Lang) -> (String, String) {
    let (y, m, d) = civil(day);
    let mon = EN_MONTHS[(m - 1) as usize];
    let q = (m - 1) / 3 + 1;
    let year = if lang.zh() { format!("{y}年") } else { y.to_string() };
    let label = match (interval, lang) {
        (Interval::Day | Interval::Week, Lang::Zh) => format!("{m}月{d}日"),
        (Interval::Month, Lang::Zh) => format!("{m}月"),
        (Interval::Day | Interval::Week, Lang::En) => format!("{mon} {d}"),
        (Interval::Month, Lang::En) => mon.to_string(),
        (Interval::Quarter, _) => format!("Q{q}"),
        (Interval::Year, _) => return (year, String::new()),
    };
    (label, year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::period::day_number;

    fn check(v: f64, decimals: usize, zh: &str, en: &str) {
        assert_eq!(compact(v, decimals, Lang::Zh), zh, "zh {v}");
        assert_eq!(compact(v, decimals, Lang::En), en, "en {v}");
    }

    #[test]
    fn compact_numbers() {
        check(0.0, 0, "0", "0");
        check(9876.0, 0, "9,876", "9,876");
        check(12_000.0, 0, "1.2万", "12k");
        check(114_442.0, 0, "11.4万", "114k");
        check(1_234_567.0, 0, "123万", "1.2M");
        check(3_148_000.0, 0, "315万", "3.1M");
        check(340_000_000.0, 0, "3.4亿", "340M");
        check(2_500_000_000.0, 0, "25亿", "2.5B");
        check(-12_000.0, 0, "\u{2212}1.2万", "\u{2212}12k");
        check(31.04, 1, "31.0", "31.0");
        check(3.98, 2, "3.98", "3.98");
        check(999_960.0, 0, "100万", "1M");
    }

    #[test]
    fn grouping_and_units() {
        assert_eq!(grouped(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(grouped(-0.001, 1), "0.0");
        assert_eq!(grouped(123.0, 0), "123");
        assert_eq!(with_unit("31.0", "¥", Lang::Zh), "¥31.0");
        assert_eq!(with_unit("\u{2212}3", "¥", Lang::En), "\u{2212}¥3");
        assert_eq!(with_unit("+1.2万", "人", Lang::Zh), "+1.2万人");
        assert_eq!(with_unit("12", "小时", Lang::En), "12 小时");
        assert_eq!(with_unit("3.98", "%", Lang::En), "3.98%");
        assert_eq!(signed(1.0, "1.2万".into()), "+1.2万");
        assert_eq!(signed(0.0, "0.0".into()), "0.0");
        assert_eq!(needed_decimals([1.0, 2.5, 3.25]), 2);
        assert_eq!(needed_decimals([86290.0, 85846.0]), 0);
    }

    #[test]
    fn axis() {
        let labels = |ticks: &[f64], step, unit, lang| axis_labels(ticks, step, unit, lang).join(" ");
        assert_eq!(labels(&[0.0, 50_000.0, 100_000.0], 50_000.0, "人", Lang::Zh), "0 5万 10万");
        assert_eq!(labels(&[80_000.0, 90_000.0, 100_000.0], 10_000.0, "人", Lang::En), "80k 90k 100k");
        assert_eq!(labels(&[85_000.0, 87_500.0], 2_500.0, "人", Lang::Zh), "8.50万 8.75万");
        assert_eq!(labels(&[37.5, 40.0, 42.5], 2.5, "%", Lang::Zh), "37.5% 40.0% 42.5%");
        assert_eq!(labels(&[0.0, 1_000_000.0, 2_000_000.0], 1_000_000.0, "¥", Lang::Zh), "¥0 ¥100万 ¥200万");
        assert_eq!(labels(&[0.0, 1_000_000.0, 2_000_000.0], 1_000_000.0, "$", Lang::En), "$0 $1M $2M");
    }

    #[test]
    fn dates() {
        let day = day_number(2026, 3, 2);
        assert_eq!(period(day, Interval::Month, Lang::Zh), "2026年3月");
        assert_eq!(period(day, Interval::Month, Lang::En), "Mar 2026");
        assert_eq!(period(day, Interval::Week, Lang::En), "Week of Mar 2, 2026");
        assert_eq!(period(day_number(2026, 4, 1), Interval::Quarter, Lang::Zh), "2026年第2季度");
        assert_eq!(tick(day, Interval::Month, Lang::Zh), ("3月".to_string(), "2026年".to_string()));
        assert_eq!(tick(day, Interval::Day, Lang::En), ("Mar 2".to_string(), "2026".to_string()));
    }
}
