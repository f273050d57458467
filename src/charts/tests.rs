//! Snapshots of chart SVGs: one per kind of layout a reader meets.

use super::*;
use crate::metrics::period::day_number;

fn monthly(start: (i32, u32), values: &[f64]) -> Vec<(i32, f64)> {
    let first = day_number(start.0, start.1, 1);
    values.iter().enumerate().map(|(i, &v)| (Interval::Month.advance(first, i as i32), v)).collect()
}

fn base(lang: Lang) -> Chart {
    Chart {
        title: "T".into(),
        desc: "D".into(),
        lang,
        height: 240,
        categories: Vec::new(),
        plots: Vec::new(),
        stacked: false,
        targets: Vec::new(),
        bands: None,
        left_unit: "人".into(),
        right_unit: None,
    }
}

fn plot(name: &str, mark: Mark, color: u8, points: Vec<(i32, f64)>) -> Plot {
    Plot { name: name.into(), mark, side: Side::Left, color, interval: Some(Interval::Month), points }
}

#[test]
fn line_with_target_and_bands() {
    let chart = Chart {
        plots: vec![plot(
            "DAU",
            Mark::Line,
            0,
            monthly((2025, 11), &[86_000.0, 91_000.0, 97_500.0, 104_000.0, 112_000.0]),
        )],
        targets: vec![TargetLine {
            side: Side::Left,
            color: None,
            steps: vec![(Day::MIN, 120_000.0)],
            label: "目标 12万人".into(),
        }],
        bands: Some(Bands { direction: Direction::Up, red: Some(90_000.0), amber: Some(105_000.0) }),
        ..base(Lang::Zh)
    };
    let svg = render(&chart, WIDE);
    assert_eq!(svg, render(&chart, WIDE), "rendering is deterministic");
    insta::assert_snapshot!("line_target_bands_zh", svg);
}

#[test]
fn stacked_bars_in_english() {
    let chart = Chart {
        plots: vec![
            plot("Monthly plan", Mark::Bar, 0, monthly((2026, 1), &[1_190_800.0, 1_211_300.0, 1_263_800.0])),
            plot("Annual plan", Mark::Bar, 1, monthly((2026, 1), &[1_066_800.0, 560_100.0, 801_200.0])),
        ],
        stacked: true,
        left_unit: "$".into(),
        ..base(Lang::En)
    };
    insta::assert_snapshot!("stacked_bars_en", render(&chart, NARROW));
}

#[test]
fn categories_and_a_second_axis() {
    let chart = Chart {
        categories: vec!["打开 App".into(), "浏览课程".into(), "信息流广告".into()],
        plots: vec![Plot {
            name: "9月".into(),
            mark: Mark::Bar,
            side: Side::Left,
            color: 0,
            interval: None,
            points: vec![(0, 262_310.0), (1, 178_940.0), (2, 139_870.0)],
        }],
        ..base(Lang::Zh)
    };
    insta::assert_snapshot!("categories_zh", render(&chart, NARROW));
    let combo = Chart {
        plots: vec![
            plot("新增", Mark::Bar, 0, monthly((2026, 1), &[131_000.0, 81_000.0, 107_000.0])),
            Plot { side: Side::Right, ..plot("CAC", Mark::Line, 1, monthly((2026, 1), &[38.9, 34.6, 34.4])) },
        ],
        right_unit: Some("¥".into()),
        ..base(Lang::Zh)
    };
    let svg = render(&combo, WIDE);
    assert!(svg.contains(">¥40</text>"), "right axis in yuan:\n{svg}");
    assert!(svg.contains(">单位：人</text>"), "left axis caption");
    insta::assert_snapshot!("combo_two_axes_zh", svg);
}

#[test]
fn sparkline_marks_the_last_point() {
    let points: Vec<Point> =
        [3.0, 2.0, 4.0, 5.0].iter().enumerate().map(|(i, &value)| Point { day: i as i32, value }).collect();
    let svg = sparkline(&points, 0, 160, 36, "近 4 天走势");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ob-spark\" viewBox=\"0 0 320 72\""));
    assert!(svg.contains("<title>近 4 天走势</title>"));
    insta::assert_snapshot!("sparkline", svg);
}
