//! Front matter: TOML between `+++` lines or YAML between `---` lines.
//!
//! TOML front matter is strict: an unknown key is an error with a hint, and
//! free-form data goes under `[extra]`. YAML front matter is how people arrive
//! from Jekyll, Hugo and MkDocs, so it is lenient: the common synonyms
//! (`description`, `order`, `redirect_from`, …) map onto our fields and any
//! other key is kept under `extra` for templates.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::diagnostics::{self, Diagnostic, Span};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub reviewed: Option<Date>,
    pub review_every: Option<String>,
    pub kpis: Vec<String>,
    pub aliases: Vec<String>,
    pub template: Option<String>,
    /// Language of this page when it differs from the site's (`lang = "ar"`).
    pub lang: Option<String>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    // Competitor notes (pages under `competitors/`): see `competitors`.
    pub name: Option<String>,
    pub website: Option<String>,
    pub category: Option<String>,
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    pub pricing: Vec<PriceTier>,
    pub sources: Vec<SourceRef>,
    pub scores: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTier {
    pub tier: String,
    pub price: f64,
    #[serde(default)]
    pub period: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    pub date: Option<Date>,
}

/// A calendar date, written `2026-09-15` in TOML (a date literal) or YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub jiff::civil::Date);

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        let s = s.trim();
        let day = s.get(..10).unwrap_or(s);
        day.parse::<jiff::civil::Date>().map(Date).map_err(|_| format!("`{s}` is not a date; write it as YYYY-MM-DD"))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as 2026-09-15")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
                let dt = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match dt.date {
                    Some(d) => jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8)
                        .map(Date)
                        .map_err(de::Error::custom),
                    None => Err(de::Error::custom("expected a date such as 2026-09-15, found a time")),
                }
            }
        }
        d.deserialize_any(DateVisitor)
    }
}

/// Parses `90d`, `2w`, `6m`, `1y` into a span of calendar time.
pub fn parse_period(text: &str) -> Option<jiff::Span> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let n: i64 = text[..text.len() - unit.len_utf8()].trim().parse().ok()?;
    if !(1..=100_000).contains(&n) {
        return None;
    }
    match unit {
        'd' => jiff::Span::new().try_days(n).ok(),
        'w' => jiff::Span::new().try_weeks(n).ok(),
        'm' => jiff::Span::new().try_months(n).ok(),
        'y' => jiff::Span::new().try_years(n).ok(),
        _ => None,
    }
}

/// A page split into its front matter and body.
#[derive(Debug)]
pub struct Parsed {
    pub front: FrontMatter,
    /// Byte offset of the body inside the file.
    pub body_start: usize,
}

/// Splits and parses the front matter of `src`, the whole text of `file`.
pub fn parse(file: &str, src: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let bom = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &src[bom..];
    let fence = if text.starts_with("+++") {
        "+++"
    } else if text.starts_with("---") {
        "---"
    } else {
        return Ok(Parsed { front: FrontMatter::default(), body_start: bom });
    };
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if !text[..first_line_end].trim_end().eq(fence) {
        // `---` followed by text is a thematic break, not front matter.
        return Ok(Parsed { front: FrontMatter::default(), body_start: bom });
    }
    let inner_start = bom + first_line_end;
    let mut pos = inner_start;
    let mut close = None;
    for line in src[inner_start..].split_inclusive('\n') {
        if line.trim_end() == fence {
            close = Some((pos, pos + line.len()));
            break;
        }
        pos += line.len();
    }
    let Some((inner_end, body_start)) = close else {
        return Err(vec![
            Diagnostic::error(format!("front matter opened with `{fence}` is never closed"))
                .at(Span::from_offset(file, src, bom, 3))
                .hint(format!("add a line with just `{fence}` after the front matter")),
        ]);
    };
    let inner = &src[inner_start..inner_end];
    let front = if fence == "+++" {
        parse_toml(file, src, inner_start, inner)?
    } else {
        parse_yaml(file, src, inner_start, inner)?
    };
    Ok(Parsed { front, body_start })
}

fn parse_toml(file: &str, src: &str, offset: usize, inner: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
    toml::from_str::<FrontMatter>(inner).map_err(|e| {
        let mut d = diagnostics::from_toml_error(file, src, offset, &e);
        if d.message.starts_with("unknown key") {
            d = d.hint("free-form data goes under `[extra]`");
        }
        vec![d]
    })
}

/// YAML keys from other generators that mean one of ours.
const YAML_SYNONYMS: &[(&str, &str)] = &[
    ("description", "summary"),
    ("order", "weight"),
    ("nav_order", "weight"),
    ("sidebar_position", "weight"),
    ("redirect_from", "aliases"),
    ("author", "owner"),
    ("layout", "template"),
];

const KNOWN_KEYS: &[&str] = &[
    "title",
    "summary",
    "weight",
    "draft",
    "tags",
    "owner",
    "reviewed",
    "review_every",
    "kpis",
    "aliases",
    "template",
    "lang",
    "extra",
    "name",
    "website",
    "category",
    "strengths",
    "weaknesses",
    "pricing",
    "sources",
    "scores",
];

fn parse_yaml(file: &str, src: &str, offset: usize, inner: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
    if inner.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let value: serde_json::Value = serde_saphyr::from_str(inner).map_err(|e| {
        let (line, col) = e.location().map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
        let at = line_col_offset(inner, line, col);
        let msg = e.to_string();
        let first = msg.lines().next().unwrap_or("invalid YAML");
        // Drop the library's own "error: line 1 column 8: " prefix: the span says where.
        let first =
            first.find("column ").and_then(|i| first[i..].find(": ").map(|j| &first[i + j + 2..])).unwrap_or(first);
        vec![
            Diagnostic::error(format!("invalid YAML front matter: {first}"))
                .at(Span::from_offset(file, src, offset + at, 1))
                .hint("check indentation and quoting; values with `:` or `#` need quotes"),
        ]
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(vec![
            Diagnostic::error("YAML front matter must be a mapping of keys to values")
                .at(Span::from_offset(file, src, offset, 1)),
        ]);
    };
    let mut known = serde_json::Map::new();
    let mut extra = serde_json::Map::new();
    for (key, value) in map {
        let target = YAML_SYNONYMS.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).unwrap_or(key.as_str());
        if value.is_null() {
            continue;
        }
        if KNOWN_KEYS.contains(&target) && !known.contains_key(target) {
            let value = match (target, value) {
                // Jekyll accepts a single string where a list is expected.
                ("aliases" | "tags", serde_json::Value::String(s)) => serde_json::Value::Array(vec![s.into()]),
                (_, v) => v,
            };
            known.insert(target.to_string(), value);
        } else if let Some(best) = diagnostics::did_you_mean(&key, KNOWN_KEYS.iter().copied()).filter(|b| *b != key) {
            return Err(vec![
                Diagnostic::error(format!("unknown key `{key}`"))
                    .at(yaml_key_span(file, src, offset, inner, &key))
                    .hint(format!("did you mean `{best}`?")),
            ]);
        } else {
            extra.insert(key, value);
        }
    }
    let fields: Vec<String> = known.keys().cloned().collect();
    let mut front: FrontMatter = serde_json::from_value(serde_json::Value::Object(known)).map_err(|e| {
        let msg = e.to_string();
        let key = fields.iter().find(|k| msg.contains(k.as_str())).cloned().unwrap_or_default();
        vec![
            Diagnostic::error(format!("invalid front matter: {msg}")).at(yaml_key_span(file, src, offset, inner, &key)),
        ]
    })?;
    front.extra.extend(extra);
    Ok(front)
}

fn yaml_key_span(file: &str, src: &str, offset: usize, inner: &str, key: &str) -> Span {
    let mut pos = 0;
    for line in inner.split_inclusive('\n') {
        if !key.is_empty() && line.starts_with(key) && line[key.len()..].trim_start().starts_with(':') {
            return Span::from_offset(file, src, offset + pos, key.len());
        }
        pos += line.len();
    }
    Span::from_offset(file, src, offset, 0)
}

fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let mut pos = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return pos + l.char_indices().nth(col.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
        }
        pos += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(src: &str, expected: &str) {
        let errs = parse("p.md", src).err().unwrap_or_default();
        let text: String = errs.iter().map(|d| d.render(false)).collect();
        assert_eq!(text, expected);
    }

    #[test]
    fn toml_front_matter() {
        let p = parse("p.md", "+++\ntitle = \"目标\"\nreviewed = 2026-09-15\ntags = [\"a\"]\n+++\n# Body\n").ok();
        let p = p.as_ref().map(|p| (p.front.title.clone(), p.front.reviewed.map(|d| d.to_string()), p.body_start));
        assert_eq!(p, Some((Some("目标".into()), Some("2026-09-15".into()), 60)));
    }

    #[test]
    fn yaml_front_matter_maps_synonyms_and_keeps_unknown_keys() {
        let p =
            parse("p.md", "---\ntitle: Hi\ndescription: Sum\norder: 3\nclass: x\nredirect_from: /old/\n---\nbody").ok();
        let f = p.map(|p| p.front).unwrap_or_default();
        assert_eq!(f.summary.as_deref(), Some("Sum"));
        assert_eq!(f.weight, Some(3));
        assert_eq!(f.aliases, vec!["/old/".to_string()]);
        assert_eq!(f.extra.get("class"), Some(&serde_json::Value::String("x".into())));
    }

    #[test]
    fn unknown_toml_key() {
        check_err(
            "+++\ntitle = \"a\"\nownr = \"b\"\n+++\n",
            "error: unknown key `ownr`\n --> p.md:3:1\n  |\n3 | ownr = \"b\"\n  | ^^^^\n  = help: did you mean `owner`?\n  = help: free-form data goes under `[extra]`\n",
        );
    }

    #[test]
    fn unclosed_front_matter() {
        check_err(
            "+++\ntitle = \"a\"\n",
            "error: front matter opened with `+++` is never closed\n --> p.md:1:1\n  |\n1 | +++\n  | ^^^\n  = help: add a line with just `+++` after the front matter\n",
        );
    }

    #[test]
    fn bad_date() {
        check_err(
            "+++\nreviewed = \"2026-13-01\"\n+++\n",
            "error: `2026-13-01` is not a date; write it as YYYY-MM-DD\n --> p.md:2:12\n  |\n2 | reviewed = \"2026-13-01\"\n  |            ^^^^^^^^^^^^\n",
        );
    }

    #[test]
    fn periods() {
        assert!(parse_period("90d").is_some());
        assert!(parse_period("6m").is_some());
        assert!(parse_period("6 months").is_none());
        assert!(parse_period("").is_none());
    }
}
