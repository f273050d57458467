//! What each file format accepts — the keys of `opsbook.toml`, front
//! matter, metric files and data blocks, and the values of the options
//! that take a fixed set — read from the real parsers, so the reference in
//! `docs/` can be tested against the code in both directions.
//!
//! Nothing here lists a key by hand. Keys come from serde: a table holding
//! one key no schema uses fails with "unknown field `…`, expected one of
//! `a`, `b`", which names every field of the struct that refused it. A key
//! whose own table refuses the probe the same way is a nested table, and
//! is explored in turn (`versions.tags`, `series.points.date`). Values come
//! from the diagnostics an unknown value gets ("expected one of …", "use
//! `zh-CN` or `en`"), or from the list the validator checks against.
//!
//! **Invariant:** a function of the parsers only; no I/O.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::content::DataFile;
use crate::diagnostics::Diagnostic;

/// A key no schema uses.
const PROBE: &str = "opsbook_reference_probe";

/// The keys of one file format, and the values of its closed options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub name: &'static str,
    /// Every accepted key, nested ones with dots, sorted.
    pub keys: Vec<String>,
    /// For options with a fixed set of values: the key and its values.
    pub values: BTreeMap<String, Vec<String>>,
}

/// Every schema an author writes.
pub fn all() -> Vec<Schema> {
    vec![config(), front_matter(), metric(), blocks()]
}

/// `opsbook.toml`.
pub fn config() -> Schema {
    let parse = |src: &str| Config::parse(src).err().unwrap_or_default();
    let mut values = BTreeMap::new();
    values.insert("language".to_string(), listed(&parse(&format!("language = \"{PROBE}\""))));
    values.insert("versions.order".to_string(), listed(&parse(&format!("[versions]\norder = \"{PROBE}\""))));
    values.insert("competitors.us.pricing.period".to_string(), periods());
    Schema { name: "opsbook.toml", keys: keys::<Config>(), values }
}

/// Front matter of a page (TOML; YAML maps onto the same fields).
pub fn front_matter() -> Schema {
    let mut values = BTreeMap::new();
    values.insert("pricing.period".to_string(), periods());
    Schema { name: "front matter", keys: keys::<crate::frontmatter::FrontMatter>(), values }
}

/// A metric file in `content/metrics/`.
pub fn metric() -> Schema {
    let parse = |src: String| {
        let file =
            DataFile { rel: "metrics/probe.toml".into(), file: "content/metrics/probe.toml".into(), src: src.into() };
        crate::metrics::load(&[file]).1
    };
    let mut values = BTreeMap::new();
    values.insert("unit".to_string(), crate::metrics::format::UNITS.iter().map(|u| u.to_string()).collect());
    for key in ["direction", "aggregation"] {
        values.insert(key.to_string(), listed(&parse(format!("title = \"t\"\nunit = \"\"\n{key} = \"{PROBE}\""))));
    }
    let interval = format!("title = \"t\"\nunit = \"\"\n[[series]]\ninterval = \"{PROBE}\"");
    values.insert("series.interval".to_string(), listed(&parse(interval)));
    Schema { name: "metric file", keys: keys::<crate::metrics::schema::RawMetric>(), values }
}

/// The options of ` ```chart `, ` ```kpi ` and ` ```table ` blocks, as
/// `chart.kind` and so on.
pub fn blocks() -> Schema {
    let metrics = crate::metrics::Metrics::new(Vec::new());
    let ctx = crate::blocks::Context { metrics: &metrics, lang: crate::metrics::format::Lang::En, url: "" };
    let render = |kind: &str, body: String| {
        let at = crate::markdown::BlockSource { file: "probe.md", src: &body, offset: 0 };
        match crate::blocks::render(&ctx, kind, &body, &at) {
            Some(Err(diags)) => diags,
            _ => Vec::new(),
        }
    };
    let mut keys = Vec::new();
    let mut values = BTreeMap::new();
    for kind in ["chart", "kpi", "table"] {
        keys.extend(listed(&render(kind, format!("{PROBE} = 0\n"))).into_iter().map(|k| format!("{kind}.{k}")));
    }
    for (kind, key) in [("chart", "kind"), ("chart", "aggregate"), ("table", "aggregate")] {
        values.insert(format!("{kind}.{key}"), listed(&render(kind, format!("{key} = \"{PROBE}\"\n"))));
    }
    keys.sort();
    Schema { name: "data blocks", keys, values }
}

/// Billing periods of price tiers, as the validator checks them.
fn periods() -> Vec<String> {
    crate::competitors::PERIODS.iter().map(|p| p.to_string()).collect()
}

/// Every key `T` accepts, nested tables included, sorted.
pub fn keys<T: DeserializeOwned>() -> Vec<String> {
    let mut out = Vec::new();
    explore::<T>(&[], &mut out);
    out.sort();
    out
}

/// Adds the fields of the table at `path` (each level a table or an array
/// of tables), and of the tables inside it.
fn explore<T: DeserializeOwned>(path: &[(String, bool)], out: &mut Vec<String>) {
    let Some(names) = fields::<T>(path) else { return };
    for field in names {
        let dotted: Vec<&str> = path.iter().map(|(k, _)| k.as_str()).chain([field.as_str()]).collect();
        out.push(dotted.join("."));
        if path.len() >= 4 {
            continue;
        }
        for array in [false, true] {
            let mut deeper = path.to_vec();
            deeper.push((field.clone(), array));
            if fields::<T>(&deeper).is_some() {
                explore::<T>(&deeper, out);
                break;
            }
        }
    }
}

/// The fields of the table at `path`, when it is a struct that refuses
/// unknown keys; `None` for anything else (a string, a map, a date).
fn fields<T: DeserializeOwned>(path: &[(String, bool)]) -> Option<Vec<String>> {
    let mut doc = String::new();
    for i in 0..path.len() {
        let dotted: Vec<&str> = path[..=i].iter().map(|(k, _)| k.as_str()).collect();
        let (open, close) = if path[i].1 { ("[[", "]]") } else { ("[", "]") };
        doc.push_str(&format!("{open}{}{close}\n", dotted.join(".")));
    }
    doc.push_str(&format!("{PROBE} = 0\n"));
    let err = toml::from_str::<T>(&doc).err()?;
    let message = err.message();
    let rest = message.strip_prefix(&format!("unknown field `{PROBE}`"))?;
    let fields: Vec<String> = backticked(rest).into_iter().filter(|f| !f.starts_with('$')).collect();
    (!fields.is_empty()).then_some(fields)
}

/// The values a diagnostic's hints offer: "expected one of `a`, `b`" or
/// "use `a` or `b`".
fn listed(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .flat_map(|d| &d.hints)
        .find(|h| h.starts_with("expected one of") || h.starts_with("use `"))
        .map(|h| backticked(h))
        .unwrap_or_default()
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_and_values_are_found() {
        let c = config();
        for key in ["title", "versions.tags", "competitors.us.pricing.tier", "review.sections"] {
            assert!(c.keys.iter().any(|k| k == key), "{key} missing from {:?}", c.keys);
        }
        assert!(!c.keys.iter().any(|k| k.starts_with("today.")), "a date is not a table: {:?}", c.keys);
        assert_eq!(c.values.get("language").map(Vec::len), Some(2));
        let m = metric();
        assert!(m.keys.iter().any(|k| k == "series.points.date"), "{:?}", m.keys);
        assert_eq!(m.values.get("direction"), Some(&vec!["up".to_string(), "down".to_string()]));
        let b = blocks();
        assert!(b.keys.iter().any(|k| k == "kpi.metrics"), "{:?}", b.keys);
        assert!(b.values.get("chart.kind").is_some_and(|v| v.iter().any(|k| k == "stacked-bar")));
    }
}
