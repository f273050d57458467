//! Strict checks of competitor notes and of `[competitors]`, each problem at
//! the line and column of the key or value it is about.
//!
//! Front matter has already been parsed (types are right); what is left is
//! meaning: scores on dimensions the site defines and inside its scale,
//! dated sources, web addresses that are web addresses, billing periods we
//! know, a `name` on every note, and competitor fields only where they are
//! used (a note inside `competitors/`).

use crate::config::Config;
use crate::content::Page;
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::frontmatter::{PriceTier, parse_period};

use super::{PERIODS, Settings, fields_used, in_section, score_text};

/// Problems in competitor notes, and competitor fields used elsewhere.
pub fn check(config: &Config, pages: &[Page]) -> Vec<Diagnostic> {
    let settings = &config.competitors;
    let mut diags = Vec::new();
    for page in pages.iter().filter(|p| !p.generated) {
        let used = fields_used(&page.front);
        if used.is_empty() {
            continue;
        }
        let front = &page.src[..page.body_start.min(page.src.len())];
        let at = Locator { file: &page.file, src: front, anchor: 0 };
        if !in_section(page) {
            let yaml = front.trim_start_matches('\u{feff}').starts_with("---");
            for key in used {
                let span = at.key(0, key).unwrap_or_else(|| at.start());
                let d = if yaml {
                    Diagnostic::warning(format!("competitor field `{key}` outside `{}` is ignored", super::SECTION))
                } else {
                    Diagnostic::error(format!("competitor field `{key}` outside `{}`", super::SECTION))
                };
                let hint = if page.rel.starts_with(super::SECTION) {
                    "the section page introduces the notes; put each competitor in its own page, such as `competitors/acme.md`"
                        .to_string()
                } else {
                    format!(
                        "move the note into `{}/{}`, or keep free-form data under `[extra]`",
                        config.content_dir,
                        super::SECTION.trim_end_matches('/')
                    )
                };
                diags.push(d.at(span).hint(hint));
            }
            continue;
        }
        note(page, &at, settings, &mut diags);
    }
    diags
}

fn note(page: &Page, at: &Locator<'_>, s: &Settings, diags: &mut Vec<Diagnostic>) {
    let f = &page.front;
    if f.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        diags.push(
            Diagnostic::error("competitor note has no `name`")
                .at(at.key(0, "name").unwrap_or_else(|| at.fence()))
                .hint("add `name = \"…\"` to the front matter: the matrix, the chart and the profile show it"),
        );
    }
    if let Some(url) = &f.website {
        url_problem(url, at.value_of(0, "website", url), diags);
    }
    scores(&f.scores, at, "scores", s, ScoreOwner::Note, diags);
    pricing(&f.pricing, at, diags);
    let sources_at = at.key_offset(0, "sources").unwrap_or(0);
    let mut from = sources_at;
    for source in &f.sources {
        let title_at = at.find(from, &source.title);
        if let Some(off) = title_at {
            from = off + source.title.len();
        }
        let span = title_at.map_or_else(|| at.start(), |off| at.span(off, source.title.len()));
        if source.date.is_none() {
            diags.push(
                Diagnostic::error(format!("source `{}` has no date", source.title)).at(span.clone()).hint(format!(
                    "add `date = YYYY-MM-DD`, the day you read it: a note whose newest source is older than `{}` is flagged as stale",
                    s.stale_after
                )),
            );
        }
        if let Some(url) = &source.url {
            let span = at.find(title_at.unwrap_or(sources_at), url).map_or(span, |off| at.span(off, url.len()));
            url_problem(url, span, diags);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum ScoreOwner {
    Note,
    Us,
}

fn scores(
    scores: &std::collections::BTreeMap<String, f64>,
    at: &Locator<'_>,
    table: &str,
    s: &Settings,
    owner: ScoreOwner,
    diags: &mut Vec<Diagnostic>,
) {
    let table_at = at.key_offset(at.anchor, table).unwrap_or(at.anchor);
    let mut unknown = false;
    for (dim, &value) in scores {
        let key_at = at.key_offset(table_at, dim).or_else(|| at.find(table_at, dim));
        let key_span = key_at.map_or_else(|| at.start(), |off| at.span(off, dim.len()));
        if !s.dimensions.iter().any(|d| d == dim) {
            let mut d = Diagnostic::error(format!("unknown dimension `{dim}`")).at(key_span.clone());
            if s.dimensions.is_empty() {
                d = d.hint(
                    "define the dimensions in `opsbook.toml`: `[competitors]` then `dimensions = [\"…\", \"…\"]`",
                );
            } else if let Some(best) = did_you_mean(dim, s.dimensions.iter().map(String::as_str)) {
                d = d.hint(format!("did you mean `{best}`?"));
            } else {
                let list: Vec<String> = s.dimensions.iter().map(|d| format!("`{d}`")).collect();
                d = d.hint(format!("the dimensions in `opsbook.toml` are {}", list.join(", ")));
            }
            diags.push(d);
            unknown = true;
            continue;
        }
        let scale = f64::from(s.scale.max(1));
        if !value.is_finite() || value < 1.0 || value > scale {
            let shown = score_text(value);
            let span = key_at.and_then(|off| at.value_after(off)).unwrap_or(key_span);
            diags.push(
                Diagnostic::error(format!("score `{shown}` for `{dim}` is outside the scale 1–{}", s.scale))
                    .at(span)
                    .hint(format!("scores run from 1 to {}, set by `scale` under `[competitors]`", s.scale)),
            );
        }
    }
    if owner == ScoreOwner::Note && !s.dimensions.is_empty() && !unknown {
        let missing: Vec<String> =
            s.dimensions.iter().filter(|d| !scores.contains_key(*d)).map(|d| format!("`{d}`")).collect();
        if !missing.is_empty() && !scores.is_empty() {
            diags.push(
                Diagnostic::warning(format!("no score for {}", missing.join(", ")))
                    .at(at.key(at.anchor, table).unwrap_or_else(|| at.fence()))
                    .hint("the matrix shows `–` for a dimension without a score"),
            );
        }
    }
}

fn pricing(tiers: &[PriceTier], at: &Locator<'_>, diags: &mut Vec<Diagnostic>) {
    let mut from = at.key_offset(at.anchor, "pricing").unwrap_or(at.anchor);
    for tier in tiers {
        let tier_at = at.find(from, &tier.tier);
        if let Some(off) = tier_at {
            from = off + tier.tier.len();
        }
        let tier_span = tier_at.map_or_else(|| at.start(), |off| at.span(off, tier.tier.len()));
        if let Some(period) = &tier.period
            && !PERIODS.contains(&period.as_str())
        {
            let span = at.find(from, period).map_or(tier_span.clone(), |off| at.span(off, period.len()));
            let mut d = Diagnostic::error(format!("unknown billing period `{period}`")).at(span);
            d = match did_you_mean(period, PERIODS.iter().copied()) {
                Some(best) => d.hint(format!("did you mean `{best}`?")),
                None => d.hint(format!(
                    "use one of {}",
                    PERIODS.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                )),
            };
            diags.push(d);
        }
        if !tier.price.is_finite() || tier.price < 0.0 {
            diags.push(
                Diagnostic::error(format!("price of `{}` is negative", tier.tier))
                    .at(tier_span)
                    .hint("write the price a customer pays, such as `price = 25`; a free tier is `price = 0`"),
            );
        }
    }
}

/// Problems in `[competitors]`, located in `opsbook.toml` (`src`).
pub fn check_config(s: &Settings, src: &str) -> Vec<Diagnostic> {
    let file = crate::config::FILE_NAME;
    let mut at = Locator { file, src, anchor: 0 };
    at.anchor = src.find("[competitors").unwrap_or(0);
    let mut diags = Vec::new();
    if s.scale < 2 || s.scale > 100 {
        diags.push(
            Diagnostic::error(format!("`scale` must be between 2 and 100, found `{}`", s.scale))
                .at(at.key(at.anchor, "scale").unwrap_or_else(|| at.start()))
                .hint("`scale = 5` scores each dimension from 1 to 5"),
        );
    }
    if parse_period(&s.stale_after).is_none() {
        diags.push(
            Diagnostic::error(format!("`stale_after` must be a period such as `180d`, found `{}`", s.stale_after))
                .at(at.value_of(at.anchor, "stale_after", &s.stale_after))
                .hint("use a number followed by d (days), w (weeks), m (months) or y (years)"),
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for d in &s.dimensions {
        let name = d.trim();
        if name.is_empty() || seen.contains(&name) {
            let what = if name.is_empty() {
                "an empty dimension name".to_string()
            } else {
                format!("dimension `{name}` twice")
            };
            diags.push(
                Diagnostic::error(format!("`dimensions` has {what}"))
                    .at(at.key(at.anchor, "dimensions").unwrap_or_else(|| at.start()))
                    .hint("give every dimension a distinct name"),
            );
        }
        seen.push(name);
    }
    if let Some(us) = &s.us {
        let us_at = src.find("[competitors.us").or_else(|| at.key_offset(at.anchor, "us")).unwrap_or(at.anchor);
        let at = Locator { anchor: us_at, ..at };
        scores(&us.scores, &at, "scores", s, ScoreOwner::Us, &mut diags);
        pricing(&us.pricing, &at, &mut diags);
        if let Some(url) = &us.website {
            url_problem(url, at.value_of(us_at, "website", url), &mut diags);
        }
    }
    diags
}

fn url_problem(url: &str, span: Span, diags: &mut Vec<Diagnostic>) {
    if is_web_address(url) {
        return;
    }
    let hint = match url.split_once("://") {
        None if !url.contains(char::is_whitespace) && url.contains('.') => {
            format!("write the whole address, such as `https://{}`", url.trim_start_matches('/'))
        }
        _ => "write an absolute address that starts with `https://`".to_string(),
    };
    diags.push(Diagnostic::error(format!("`{url}` is not a web address")).at(span).hint(hint));
}

/// `http(s)://host[:port][/…]` with a host that has a dot (or is `localhost`).
fn is_web_address(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = host.split(':').next().unwrap_or("");
    !url.contains(char::is_whitespace)
        && !name.is_empty()
        && (name.contains('.') || name == "localhost")
        && !name.starts_with('.')
        && !name.ends_with('.')
        && name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

/// Finds keys and values in front matter or config text (TOML or YAML)
/// without a second parser: keys at the start of a line, table headers,
/// and plain text after an anchor.
#[derive(Clone, Copy)]
struct Locator<'a> {
    file: &'a str,
    src: &'a str,
    /// Where searches that belong to one table start.
    anchor: usize,
}

impl Locator<'_> {
    fn span(&self, offset: usize, len: usize) -> Span {
        Span::from_offset(self.file, self.src, offset, len)
    }

    fn start(&self) -> Span {
        self.span(self.anchor, 0)
    }

    /// The opening `+++` / `---` of front matter.
    fn fence(&self) -> Span {
        let off = usize::from(self.src.starts_with('\u{feff}')) * 3;
        self.span(off, 3)
    }

    fn find(&self, from: usize, needle: &str) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        self.src.get(from..)?.find(needle).map(|i| from + i)
    }

    /// The offset of `key` where it is defined at or after `from`: `key =`,
    /// `"key" =`, `key:` at the start of a line, or a `[key]`, `[[key]]`,
    /// `[a.key]` header.
    fn key_offset(&self, from: usize, key: &str) -> Option<usize> {
        let mut pos = 0;
        for line in self.src.split_inclusive('\n') {
            let start = pos;
            pos += line.len();
            if start + line.len() <= from || key.is_empty() {
                continue;
            }
            let body = line.trim_start().trim_start_matches("- ");
            let lead = line.len() - body.len();
            let (quote, rest) = match body.chars().next() {
                Some(q @ ('"' | '\'')) => (q.len_utf8(), &body[q.len_utf8()..]),
                _ => (0, body),
            };
            if let Some(after) = rest.strip_prefix(key) {
                let after = after.strip_prefix(['"', '\'']).filter(|_| quote > 0).unwrap_or(after);
                if after.trim_start().starts_with(['=', ':']) {
                    return Some(start + lead + quote);
                }
            }
            let header = body.trim_end().trim_start_matches('[').trim_end_matches(']');
            if body.starts_with('[') && header.rsplit('.').next().map(|k| k.trim().trim_matches('"')) == Some(key) {
                let at = body.rfind(key).unwrap_or(0);
                return Some(start + lead + at);
            }
        }
        None
    }

    fn key(&self, from: usize, key: &str) -> Option<Span> {
        self.key_offset(from, key).map(|off| self.span(off, key.len()))
    }

    /// The value written after the key at `key_at`, up to a comment or the
    /// end of the line.
    fn value_after(&self, key_at: usize) -> Option<Span> {
        let line_end = self.src[key_at..].find('\n').map_or(self.src.len(), |i| key_at + i);
        let line = &self.src[key_at..line_end];
        let sep = line.find(['=', ':'])?;
        let value = &line[sep + 1..];
        let trimmed = value.trim_start();
        let start = key_at + sep + 1 + (value.len() - trimmed.len());
        let text = trimmed.split(" #").next().unwrap_or(trimmed);
        // In an inline table (`{ a = 3, b = 6 }`) the value ends at `,` or `}`.
        let text = text[..text.find([',', '}']).unwrap_or(text.len())].trim_end();
        (!text.is_empty()).then(|| self.span(start, text.len()))
    }

    /// The span of `value` written for `key`, or of the key, or the anchor.
    fn value_of(&self, from: usize, key: &str, value: &str) -> Span {
        match self.key_offset(from, key) {
            Some(off) => self.find(off, value).map_or_else(|| self.span(off, key.len()), |v| self.span(v, value.len())),
            None => self.find(from, value).map_or_else(|| self.start(), |v| self.span(v, value.len())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, expected: bool) {
        assert_eq!(is_web_address(url), expected, "{url}");
    }

    #[test]
    fn web_addresses() {
        check("https://paonar.example.com", true);
        check("http://localhost:8080/a", true);
        check("https://例子.中国/路径", true);
        check("paonar.example.com", false);
        check("https://", false);
        check("https://exa mple.com", false);
        check("ftp://example.com", false);
        check("https://.com", false);
    }

    #[test]
    fn keys_and_values_are_located() {
        let src = "+++\nname = \"A\"\n[scores]\n\"产品体验\" = 7 # too high\n+++\n";
        let at = Locator { file: "a.md", src, anchor: 0 };
        let table = at.key_offset(0, "scores");
        assert_eq!(table, Some(16));
        let key = at.key_offset(16, "产品体验");
        let value = key.and_then(|k| at.value_after(k)).map(|s| (s.line, s.column, s.length));
        assert_eq!(value, Some((4, 10, 1)));
        let yaml = "---\nscores:\n  产品体验: 4\n---\n";
        let at = Locator { file: "a.md", src: yaml, anchor: 0 };
        assert_eq!(at.key(0, "产品体验").map(|s| (s.line, s.column)), Some((3, 3)));
    }
}
