//! Parsing and validation of metric files, one case per problem a user can
//! make, checked against the rendered diagnostics.

use super::*;
use crate::metrics::period::{day_number, iso};

fn parse(src: &str) -> Result<Metric, Vec<Diagnostic>> {
    validate::parse("metrics/m.toml", "content/metrics/m.toml", src)
}

/// Checks the diagnostics of `src` (all of them, rendered) or, for a valid
/// file, a one-line summary of what was parsed.
fn check(src: &str, expected: &str) {
    let got = match parse(src) {
        Ok(m) => summary(&m),
        Err(diags) => diags.iter().map(|d| d.render(false)).collect::<Vec<_>>().join(""),
    };
    assert_eq!(got.trim_end(), expected.trim_end(), "\n--- got ---\n{got}");
}

fn summary(m: &Metric) -> String {
    let data = match &m.data {
        Data::Dated { interval, series } => series
            .iter()
            .map(|s| {
                let first = s.points.first().map_or(String::new(), |p| iso(p.day));
                let values: Vec<String> = s.points.iter().map(|p| p.value.to_string()).collect();
                format!("{} {} from {first}: {}", s.name, interval.name(), values.join(" "))
            })
            .collect::<Vec<_>>()
            .join("; "),
        Data::Table { categories, series } => format!(
            "{} × [{}]",
            categories.join(","),
            series.iter().map(|r| format!("{}: {:?}", r.name, r.values)).collect::<Vec<_>>().join("; ")
        ),
    };
    format!(
        "ok {} `{}` unit `{}` {:?} decimals {} additive {} targets {:?} thresholds {:?}/{:?} | {data}",
        m.id,
        m.title,
        m.unit,
        m.direction,
        m.decimals,
        m.additive,
        m.targets.iter().map(|t| t.value).collect::<Vec<_>>(),
        m.thresholds.red,
        m.thresholds.amber
    )
}

const HEAD: &str = "title = \"DAU\"\nunit = \"人\"\n";

#[test]
fn valid_files() {
    check(
        &format!("{HEAD}target = 5\n[[series]]\ninterval = \"month\"\nstart = 2025-11-01\nvalues = [1, 2, 3.5]\n"),
        "ok m `DAU` unit `人` Up decimals 1 additive true targets [5.0] thresholds None/None | DAU month from 2025-11-01: 1 2 3.5",
    );
    check(
        "id = \"cac\"\ntitle = \"CAC\"\nunit = \"¥\"\ndirection = \"down\"\ndecimals = 2\n[thresholds]\nred = 45\namber = 38\n\
         [[series]]\ninterval = \"week\"\npoints = [{ date = 2026-03-02, value = 40 }, { date = 2026-03-16, value = 39 }]\n",
        "ok cac `CAC` unit `¥` Down decimals 2 additive true targets [] thresholds Some(45.0)/Some(38.0) | CAC week from 2026-03-02: 40 39",
    );
    check(
        "title = \"Funnel\"\nunit = \"人\"\ncategories = [\"a\", \"b\"]\n[[series]]\nname = \"Sep\"\nvalues = [10, 5]\n\
         [[series]]\nname = \"Oct\"\nvalues = [12, 6]\n",
        "ok m `Funnel` unit `人` Up decimals 0 additive true targets [] thresholds None/None | a,b × [Sep: [10.0, 5.0]; Oct: [12.0, 6.0]]",
    );
    check(
        "title = \"R\"\nunit = \"%\"\ntargets = [{ from = 2025-01-01, value = 20 }, { from = 2026-01-01, value = 23 }]\n\
         [[series]]\ninterval = \"quarter\"\nstart = 2025-10-01\nvalues = [20.5, 22]\n",
        "ok m `R` unit `%` Up decimals 1 additive false targets [20.0, 23.0] thresholds None/None | R quarter from 2025-10-01: 20.5 22",
    );
}

#[test]
fn toml_and_schema_errors() {
    check(
        &format!("{HEAD}titel = \"x\"\n"),
        "error: unknown key `titel`\n --> content/metrics/m.toml:3:1\n  |\n3 | titel = \"x\"\n  | ^^^^^\n  = help: did you mean `title`?",
    );
    check(
        "unit = \"人\"\n[[series]]\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [1]\n",
        "error: missing key `title`\n --> content/metrics/m.toml:1:1\n  |\n1 | unit = \"人\"\n  | ^\n  = help: every metric needs a `title`, such as `title = \"日活跃用户\"`",
    );
    check(
        &format!("{HEAD}[[series]]\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [1, \"2\", 3]\n"),
        "error: expected a number, found the text `\"2\"`\n --> content/metrics/m.toml:6:14\n  |\n6 | values = [1, \"2\", 3]\n  |              ^^^\n  = help: write numbers without quotes or unit symbols: `42`, `3.5`",
    );
    check(
        &format!("{HEAD}direction = \"upp\"\n"),
        "error: unknown value `upp`\n --> content/metrics/m.toml:3:13\n  |\n3 | direction = \"upp\"\n  |             ^^^^^\n  = help: did you mean `up`?",
    );
    check(
        &format!("{HEAD}[[series]]\ninterval = \"monthly\"\nstart = 2026-01-01\nvalues = [1]\n"),
        "error: unknown value `monthly`\n --> content/metrics/m.toml:4:12\n  |\n4 | interval = \"monthly\"\n  |            ^^^^^^^^^\n  = help: did you mean `month`?",
    );
    check(
        &format!("{HEAD}[[series]]\ninterval = \"month\"\npoints = [{{ value = 3 }}]\n"),
        "error: missing key `date`\n --> content/metrics/m.toml:5:11\n  |\n5 | points = [{ value = 3 }]\n  |           ^^^^^^^^^^^^^\n  = help: each point needs a date: `{ date = 2026-01-01, value = 42 }`",
    );
}

#[test]
fn value_errors() {
    check(
        "title = \"x\"\nunit = \"ren\"\n[[series]]\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [1]\n",
        "error: unknown unit `ren`\n --> content/metrics/m.toml:2:8\n  |\n2 | unit = \"ren\"\n  |        ^^^^^\n  = help: known units: `人` `次` `元` `¥` `$` `%` `分` `个` `单` `天` `小时` `分钟` `倍` ``",
    );
    check(
        "title = \"x\"\nunit = \"分钟s\"\n[[series]]\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [1]\n",
        "error: unknown unit `分钟s`\n --> content/metrics/m.toml:2:8\n  |\n2 | unit = \"分钟s\"\n  |        ^^^^^^^\n  = help: did you mean `分钟`?",
    );
    check(
        &format!("{HEAD}[[series]]\ninterval = \"month\"\nstart = 2026-01-15\nvalues = [1]\n"),
        "error: start `2026-01-15` is not the first day of a month\n --> content/metrics/m.toml:5:9\n  |\n5 | start = 2026-01-15\n  |         ^^^^^^^^^^\n  = help: monthly data is dated by the first day of each period: the 1st of a month, such as `2026-01-01`",
    );
    check(
        &format!(
            "{HEAD}[[series]]\ninterval = \"day\"\npoints = [\n  {{ date = 2026-01-01, value = 1 }},\n  {{ date = 2026-01-01, value = 2 }},\n]\n"
        ),
        "error: duplicate date `2026-01-01`\n --> content/metrics/m.toml:7:12\n  |\n7 |   { date = 2026-01-01, value = 2 },\n  |            ^^^^^^^^^^\n  = help: already given on line 6",
    );
    check(
        &format!(
            "{HEAD}[[series]]\ninterval = \"day\"\npoints = [\n  {{ date = 2026-01-02, value = 1 }},\n  {{ date = 2026-01-01, value = 2 }},\n]\n"
        ),
        "error: date `2026-01-01` comes after `2026-01-02` but is earlier\n --> content/metrics/m.toml:7:12\n  |\n7 |   { date = 2026-01-01, value = 2 },\n  |            ^^^^^^^^^^\n  = help: list points oldest first",
    );
    check(
        &format!(
            "{HEAD}target = 3\ntargets = [{{ from = 2026-01-01, value = 4 }}]\n[[series]]\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [1]\n"
        ),
        "error: `target` and `targets` are both set\n --> content/metrics/m.toml:4:11\n  |\n4 | targets = [{ from = 2026-01-01, value = 4 }]\n  |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = help: use `target` for one value, or `targets` for values that change over time, not both",
    );
    check(
        "title = \"T\"\nunit = \"人\"\ncategories = [\"a\", \"b\", \"c\"]\n[[series]]\nname = \"x\"\nvalues = [1, 2]\n",
        "error: `values` has 2 entries but `categories` has 3\n --> content/metrics/m.toml:6:10\n  |\n6 | values = [1, 2]\n  |          ^^^^^^\n  = help: give one value per category, in the same order",
    );
    check(
        &format!(
            "{HEAD}[thresholds]\nred = 50\namber = 40\n[[series]]\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [nan]\n"
        ),
        "error: `amber` (40) must be above `red` (50) when higher is better\n --> content/metrics/m.toml:5:9\n  |\n5 | amber = 40\n  |         ^^\n  = help: below `red` is red, between `red` and `amber` is amber; for lower-is-better set `direction = \"down\"`\n\
         error: `NaN` is not a usable number\n --> content/metrics/m.toml:9:11\n  |\n9 | values = [nan]\n  |           ^^^\n  = help: write a finite number such as `42` or `3.5`",
    );
}

#[test]
fn series_shape_errors() {
    check(
        &format!(
            "{HEAD}[[series]]\nname = \"a\"\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [1]\n[[series]]\nname = \"b\"\ninterval = \"week\"\nstart = 2026-01-05\nvalues = [1]\n"
        ),
        "error: series `b` is weekly but `a` is daily\n  --> content/metrics/m.toml:10:12\n   |\n10 | interval = \"week\"\n   |            ^^^^^^\n   = help: all series of a metric share one interval; put the others in their own file",
    );
    check(
        &format!(
            "{HEAD}[[series]]\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [1]\n[[series]]\ninterval = \"day\"\nstart = 2026-01-01\nvalues = [2]\n"
        ),
        "error: series has no `name`\n --> content/metrics/m.toml:3:1\n  |\n3 | [[series]]\n  | ^^^^^^^^^^\n  = help: a metric with several series names each one: `name = \"自然新增\"`\n\
         error: series has no `name`\n --> content/metrics/m.toml:7:1\n  |\n7 | [[series]]\n  | ^^^^^^^^^^\n  = help: a metric with several series names each one: `name = \"自然新增\"`",
    );
    check(
        &format!("{HEAD}[[series]]\ninterval = \"day\"\nvalues = [1]\n"),
        "error: `values` without `start`\n --> content/metrics/m.toml:5:10\n  |\n5 | values = [1]\n  |          ^^^\n  = help: add the date of the first value: `start = 2026-01-01`",
    );
    check(
        &format!("{HEAD}[[series]]\nstart = 2026-01-01\nvalues = [1]\n"),
        "error: series has no `interval`\n --> content/metrics/m.toml:3:1\n  |\n3 | [[series]]\n  | ^^^^^^^^^^\n  = help: add `interval = \"day\"`, `\"week\"`, `\"month\"` or `\"quarter\"`",
    );
    check(
        HEAD,
        "error: metric has no data\n --> content/metrics/m.toml:1:9\n  |\n1 | title = \"DAU\"\n  |         ^^^^^\n  = help: add a `[[series]]` with `interval`, `start` and `values`, or `categories` for a table",
    );
    check(
        "title = \"T\"\nunit = \"人\"\ncategories = [\"a\"]\n[[series]]\ninterval = \"day\"\nvalues = [1]\n",
        "error: `interval` does not apply to a table of categories\n --> content/metrics/m.toml:5:12\n  |\n5 | interval = \"day\"\n  |            ^^^^^\n  = help: a table's series have only `name` and `values`; remove it, or remove `categories` for a dated series",
    );
}

#[test]
fn headline_status_and_targets() {
    let m = match parse(
        "title = \"N\"\nunit = \"人\"\ntargets = [{ from = 2026-02-01, value = 10 }]\n[thresholds]\nred = 5\namber = 8\n\
         [[series]]\nname = \"a\"\ninterval = \"month\"\nstart = 2026-01-01\nvalues = [1, 2, 3]\n\
         [[series]]\nname = \"b\"\ninterval = \"month\"\nstart = 2026-02-01\nvalues = [5, 6]\n",
    ) {
        Ok(m) => m,
        Err(d) => panic!("{d:?}"),
    };
    let headline: Vec<(String, f64)> = m.headline().iter().map(|p| (iso(p.day), p.value)).collect();
    assert_eq!(headline, [("2026-02-01".to_string(), 7.0), ("2026-03-01".to_string(), 9.0)]);
    assert_eq!(m.target_at(day_number(2026, 1, 1)), None);
    assert_eq!(m.target_at(day_number(2026, 3, 1)), Some(10.0));
    let day = day_number(2026, 3, 1);
    assert_eq!(
        [4.0, 5.0, 7.9, 8.0].map(|v| m.status(v, day)),
        [Status::Red, Status::Amber, Status::Amber, Status::Green]
    );
    let k = kpi::kpi(&m).unwrap_or_else(|| panic!("no kpi"));
    assert_eq!((k.change, k.trend, k.status), (Some(2.0), kpi::Trend::Good, Status::Green));
    assert_eq!(k.attainment, Some(0.9));
}
