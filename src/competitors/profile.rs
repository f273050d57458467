//! A competitor's profile, around the note's own text: before it a stale
//! warning (when the newest source is too old), the facts (website,
//! category, newest source, average score), score bars with our product's
//! score marked on each, the pricing table, strengths and weaknesses; after
//! it the dated sources, newest first.

use std::fmt::Write as _;

use super::{Ctx, Entry, average, esc, price_text, score_text};

/// Ids and UI-string keys of the profile parts that go before the note's
/// own headings in the table of contents.
pub const TOC_HEAD: &[(&str, &str)] =
    &[("cmp-scores", "cmp_scores"), ("cmp-pricing", "cmp_pricing"), ("cmp-sw", "cmp_strengths_weaknesses")];
pub const SOURCES_ID: &str = "cmp-sources";

/// `按月`, `一次性` …: a billing period in words.
pub fn period_text<'a>(ctx: &'a Ctx<'_>, period: &'a str) -> &'a str {
    match period {
        "month" => ctx.t("cmp_period_month"),
        "year" => ctx.t("cmp_period_year"),
        "once" => ctx.t("cmp_period_once"),
        "week" => ctx.t("cmp_period_week"),
        "quarter" => ctx.t("cmp_period_quarter"),
        "day" => ctx.t("cmp_period_day"),
        other => other,
    }
}

/// `(before, after)` the note's rendered Markdown.
pub fn html(ctx: &Ctx<'_>, e: &Entry<'_>, us: Option<&Entry<'_>>) -> (String, String) {
    let mut head = String::from("<div class=\"cmp-profile\">");
    if e.stale {
        let body = match e.newest {
            Some(d) => ctx
                .t("cmp_stale_body")
                .replace("{date}", &d.to_string())
                .replace("{limit}", &ctx.period_words(&ctx.settings.stale_after)),
            None => ctx.t("cmp_stale_body_none").to_string(),
        };
        let _ = write!(
            head,
            "<div class=\"cmp-stale-banner\" role=\"note\"><p class=\"cmp-stale-title\">{}</p><p>{}</p></div>",
            esc(ctx.t("cmp_stale_title")),
            esc(&body)
        );
    }
    facts(&mut head, ctx, e, us);
    let dims = &ctx.settings.dimensions;
    let has_scores = dims.iter().any(|d| e.scores.contains_key(d));
    if has_scores || !e.pricing.is_empty() {
        head.push_str("<div class=\"cmp-grid\">");
        if has_scores {
            bars(&mut head, ctx, e, us);
        }
        if !e.pricing.is_empty() {
            pricing(&mut head, ctx, e);
        }
        head.push_str("</div>");
    }
    let strengths = e.page.map_or(&[][..], |p| &p.front.strengths[..]);
    let weaknesses = e.page.map_or(&[][..], |p| &p.front.weaknesses[..]);
    if !strengths.is_empty() || !weaknesses.is_empty() {
        let _ = write!(head, "<div class=\"cmp-sw\" id=\"cmp-sw\">");
        for (items, class, key) in
            [(strengths, "cmp-strengths", "cmp_strengths"), (weaknesses, "cmp-weaknesses", "cmp_weaknesses")]
        {
            if items.is_empty() {
                continue;
            }
            let _ = write!(
                head,
                "<section class=\"cmp-card {class}\"><h3 class=\"cmp-card-title\">{}</h3><ul>",
                esc(ctx.t(key))
            );
            for item in items {
                let _ = write!(head, "<li>{}</li>", esc(item));
            }
            head.push_str("</ul></section>");
        }
        head.push_str("</div>");
    }
    head.push_str("</div>\n");
    (head, sources(ctx, e))
}

fn facts(html: &mut String, ctx: &Ctx<'_>, e: &Entry<'_>, us: Option<&Entry<'_>>) {
    html.push_str("<dl class=\"cmp-facts\">");
    if let Some(site) = e.website {
        let shown = site.split_once("://").map_or(site, |(_, rest)| rest).trim_end_matches('/');
        let _ = write!(
            html,
            "<div><dt>{}</dt><dd><a href=\"{}\" rel=\"noopener\">{}</a></dd></div>",
            esc(ctx.t("cmp_website")),
            esc(site),
            esc(shown)
        );
    }
    if let Some(c) = e.category {
        let _ = write!(html, "<div><dt>{}</dt><dd>{}</dd></div>", esc(ctx.t("cmp_category")), esc(c));
    }
    let _ = write!(html, "<div><dt>{}</dt><dd>", esc(ctx.t("cmp_newest_source")));
    match e.newest {
        Some(d) => {
            let _ = write!(html, "<time datetime=\"{d}\">{d}</time>");
        }
        None => html.push_str(&esc(ctx.t("cmp_no_sources"))),
    }
    if e.stale {
        let _ = write!(html, " <span class=\"chip chip-amber\">{}</span>", esc(ctx.t("cmp_stale")));
    }
    html.push_str("</dd></div>");
    let dims = &ctx.settings.dimensions;
    if let Some(avg) = average(e.scores, dims) {
        let _ = write!(
            html,
            "<div><dt>{}</dt><dd><strong>{avg:.1}</strong>&thinsp;/&thinsp;{}",
            esc(ctx.t("cmp_average")),
            ctx.settings.scale
        );
        if let Some(ours) = us.and_then(|u| average(u.scores, dims).map(|a| (u.name, a))) {
            let _ = write!(html, " <span class=\"cmp-vs\">{} {:.1}</span>", esc(ours.0), ours.1);
        }
        html.push_str("</dd></div>");
    }
    html.push_str("</dl>");
}

fn bars(html: &mut String, ctx: &Ctx<'_>, e: &Entry<'_>, us: Option<&Entry<'_>>) {
    let scale = f64::from(ctx.settings.scale.max(1));
    let pct = |v: f64| format!("{:.1}%", (v / scale * 100.0).clamp(0.0, 100.0));
    let _ = write!(
        html,
        "<section class=\"cmp-card cmp-scores\"><h2 class=\"cmp-card-title\" id=\"cmp-scores\">{} <span class=\"cmp-card-meta\">{}</span></h2><ul class=\"cmp-bars\">",
        esc(ctx.t("cmp_scores")),
        esc(&ctx.scale_text())
    );
    for d in &ctx.settings.dimensions {
        let own = e.scores.get(d).copied();
        let ours = us.and_then(|u| u.scores.get(d).copied());
        let _ = write!(
            html,
            "<li><span class=\"cmp-bar-dim\">{}</span><span class=\"cmp-bar-track\" aria-hidden=\"true\">",
            esc(d)
        );
        if let Some(v) = own {
            let _ = write!(html, "<span class=\"cmp-bar sw-{}\" style=\"width: {}\"></span>", e.color % 7, pct(v));
        }
        if let Some(v) = ours {
            let _ = write!(html, "<span class=\"cmp-bar-us\" style=\"inset-inline-start: {}\"></span>", pct(v));
        }
        let _ = write!(
            html,
            "</span><span class=\"cmp-bar-value\">{}</span>",
            own.map_or_else(|| "–".to_string(), score_text)
        );
        match (us, ours) {
            (Some(u), Some(v)) => {
                let _ = write!(html, "<span class=\"cmp-bar-vs\">{} {}</span>", esc(u.name), score_text(v));
            }
            _ => html.push_str("<span class=\"cmp-bar-vs\"></span>"),
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    if let Some(u) = us {
        let _ = write!(
            html,
            "<p class=\"cmp-bars-key\" aria-hidden=\"true\"><span class=\"cmp-swatch sw-{}\"></span>{}<span class=\"cmp-us-mark\"></span>{}</p>",
            e.color % 7,
            esc(e.name),
            esc(u.name)
        );
    }
    html.push_str("</section>");
}

fn pricing(html: &mut String, ctx: &Ctx<'_>, e: &Entry<'_>) {
    let _ = write!(
        html,
        "<section class=\"cmp-card cmp-pricing\"><h2 class=\"cmp-card-title\" id=\"cmp-pricing\">{}</h2>\
         <div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"cmp-num-col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(ctx.t("cmp_pricing")),
        esc(ctx.t("cmp_tier")),
        esc(ctx.t("cmp_price")),
        esc(ctx.t("cmp_billing"))
    );
    for t in e.pricing {
        let price =
            if t.price == 0.0 { ctx.t("cmp_free").to_string() } else { price_text(&ctx.settings.currency, t.price) };
        let period = t.period.as_deref().map_or("–", |p| period_text(ctx, p));
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"cmp-num-col\">{}</td><td>{}</td></tr>",
            esc(&t.tier),
            esc(&price),
            esc(if t.price == 0.0 { "–" } else { period })
        );
    }
    html.push_str("</tbody></table></div></section>");
}

fn sources(ctx: &Ctx<'_>, e: &Entry<'_>) -> String {
    let Some(page) = e.page else { return String::new() };
    if page.front.sources.is_empty() {
        return String::new();
    }
    let mut list: Vec<&crate::frontmatter::SourceRef> = page.front.sources.iter().collect();
    list.sort_by_key(|s| std::cmp::Reverse(s.date));
    let mut html = format!("<h2 id=\"{SOURCES_ID}\">{}</h2><ol class=\"cmp-sources\">", esc(ctx.t("cmp_sources")));
    for (i, s) in list.iter().enumerate() {
        html.push_str("<li>");
        match &s.url {
            Some(url) => {
                let _ = write!(html, "<a href=\"{}\" rel=\"noopener\">{}</a>", esc(url), esc(&s.title));
            }
            None => html.push_str(&esc(&s.title)),
        }
        if let Some(d) = s.date {
            let _ = write!(html, " <time class=\"cmp-source-date\" datetime=\"{d}\">{d}</time>");
        }
        if i == 0 && e.stale {
            let _ = write!(html, " <span class=\"chip chip-amber\">{}</span>", esc(ctx.t("cmp_stale")));
        }
        html.push_str("</li>");
    }
    html.push_str("</ol>\n");
    html
}
