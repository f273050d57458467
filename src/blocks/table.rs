//! Data as accessible HTML tables: beside every chart, for ` ```table `
//! blocks and on metric pages.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::words::words;
use super::{Prepared, esc};
use crate::metrics::format::{Lang, grouped};
use crate::metrics::{Day, Interval};

/// A column header: the name, with the unit in brackets when there is one.
pub fn header(name: &str, unit: &str, lang: Lang) -> String {
    match (unit, lang) {
        ("", _) => name.to_string(),
        (u, Lang::Zh) => format!("{name}（{u}）"),
        (u, Lang::En) => format!("{name} ({u})"),
    }
}

/// One column of numbers.
struct Column {
    name: String,
    decimals: usize,
    values: BTreeMap<i32, f64>,
}

/// The table of everything `prepared` holds: periods (or categories) down,
/// series across; a total column for a metric whose series add up.
pub fn data_table(prepared: &[Prepared<'_>], caption: Option<&str>, lang: Lang) -> String {
    let w = words(lang);
    let several = prepared.len() > 1;
    let mut columns: Vec<Column> = Vec::new();
    let mut categories: Option<&[String]> = None;
    let mut intervals: Vec<Interval> = Vec::new();
    for p in prepared {
        let m = p.metric;
        if let Some(c) = p.categories {
            categories = Some(c);
        }
        intervals.extend(p.interval);
        for (name, points) in &p.series {
            let name = if several && p.series.len() > 1 {
                format!("{} · {name}", m.title)
            } else if several {
                m.title.clone()
            } else {
                name.clone()
            };
            columns.push(Column {
                name: header(&name, &m.unit, lang),
                decimals: m.decimals,
                values: points.iter().map(|&(x, v)| (x, v)).collect(),
            });
        }
        if !several && m.additive && p.series.len() > 1 {
            let mut total: BTreeMap<i32, f64> = BTreeMap::new();
            let keys: Vec<i32> = columns.iter().flat_map(|c| c.values.keys().copied()).collect();
            for k in keys {
                if columns.iter().all(|c| c.values.contains_key(&k)) {
                    total.insert(k, columns.iter().map(|c| c.values[&k]).sum());
                }
            }
            columns.push(Column { name: header(w.total, &m.unit, lang), decimals: m.decimals, values: total });
        }
    }
    let mut rows: Vec<i32> = columns.iter().flat_map(|c| c.values.keys().copied()).collect();
    rows.sort_unstable();
    rows.dedup();
    let row_interval = match intervals.as_slice() {
        [first, rest @ ..] if rest.iter().all(|i| i == first) => *first,
        _ => Interval::Day,
    };
    let mut html = String::from("<div class=\"table-wrap\"><table class=\"data-table\">");
    if let Some(c) = caption {
        let _ = write!(html, "<caption>{}</caption>", esc(c));
    }
    let first = if categories.is_some() { w.category } else { w.period };
    let _ = write!(html, "<thead><tr><th scope=\"col\">{}</th>", esc(first));
    for c in &columns {
        let _ = write!(html, "<th scope=\"col\" class=\"num\">{}</th>", esc(&c.name));
    }
    html.push_str("</tr></thead><tbody>");
    for r in rows {
        let label = match categories {
            Some(c) => c.get(r as usize).cloned().unwrap_or_default(),
            None => crate::metrics::format::period(r as Day, row_interval, lang),
        };
        let _ = write!(html, "<tr><th scope=\"row\">{}</th>", esc(&label));
        for c in &columns {
            match c.values.get(&r) {
                Some(v) => {
                    let _ = write!(html, "<td class=\"num\">{}</td>", grouped(*v, c.decimals));
                }
                None => html.push_str("<td class=\"num\"></td>"),
            }
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    html
}
