//! The comparison matrix on the `competitors/` section page: products as
//! columns (ours first and highlighted), then rows of scores (colour-scaled
//! cells whose numbers are always printed), the average, pricing side by
//! side by billing period, positioning, and how fresh each note is. Below
//! it, the grouped-bar score chart and a radar per competitor.
//!
//! The table scrolls sideways inside its own region on narrow screens with
//! the row labels kept in view (`competitors.css`).

use std::fmt::Write as _;

use super::{Ctx, Entry, average, chart, esc, level, price_text, score_text};
use crate::frontmatter::PriceTier;
use crate::links::page_href;

/// Ids of the headings this page gains, so links to them check out.
pub const ANCHORS: &[&str] = &["cmp-matrix", "cmp-chart", "cmp-radar"];

/// The matrix, charts and radars for the section page at `url`.
pub fn html(ctx: &Ctx<'_>, entries: &[Entry<'_>], url: &str) -> String {
    let mut html = String::from("<div class=\"cmp-overview\">");
    let _ = write!(
        html,
        "<h2 id=\"cmp-matrix\">{}</h2><p class=\"cmp-lead\">{}</p>",
        esc(ctx.t("cmp_matrix")),
        esc(&lead(ctx, entries))
    );
    let _ = write!(
        html,
        "<div class=\"cmp-scroll\" role=\"region\" aria-labelledby=\"cmp-matrix\" tabindex=\"0\">\
         <table class=\"cmp-matrix\" style=\"--cmp-cols: {}\">",
        entries.len()
    );
    head(&mut html, ctx, entries, url);
    scores(&mut html, ctx, entries);
    pricing(&mut html, ctx, entries);
    positioning(&mut html, ctx, entries);
    sources(&mut html, ctx, entries);
    html.push_str("</table></div>");
    legend_note(&mut html, ctx);
    charts(&mut html, ctx, entries);
    html.push_str("</div>\n");
    html
}

fn lead(ctx: &Ctx<'_>, entries: &[Entry<'_>]) -> String {
    let stale = entries.iter().filter(|e| e.stale).count();
    let mut text = ctx
        .t("cmp_matrix_lead")
        .replace("{count}", &entries.iter().filter(|e| !e.is_us()).count().to_string())
        .replace("{scale}", &ctx.scale_text())
        .replace("{max}", &ctx.settings.scale.to_string());
    if stale > 0 {
        text.push_str(if ctx.zh { "，" } else { ". " });
        text.push_str(
            &ctx.t("cmp_matrix_stale")
                .replace("{count}", &stale.to_string())
                .replace("{limit}", &ctx.period_words(&ctx.settings.stale_after))
                .replace("{today}", &ctx.today.to_string()),
        );
    } else {
        text.push(if ctx.zh { '。' } else { '.' });
    }
    text
}

fn col_class(e: &Entry<'_>) -> &'static str {
    if e.is_us() { " class=\"cmp-us\"" } else { "" }
}

fn head(html: &mut String, ctx: &Ctx<'_>, entries: &[Entry<'_>], url: &str) {
    let _ = write!(
        html,
        "<thead><tr><th scope=\"col\" class=\"cmp-corner\"><span class=\"cmp-corner-text\">{}</span></th>",
        esc(ctx.t("cmp_product"))
    );
    for e in entries {
        let _ = write!(html, "<th scope=\"col\"{}><span class=\"cmp-head\">", col_class(e));
        match e.page {
            Some(p) => {
                let _ =
                    write!(html, "<a class=\"cmp-name\" href=\"{}\">{}</a>", esc(&page_href(url, &p.url)), esc(e.name));
            }
            None => {
                let _ = write!(html, "<span class=\"cmp-name\">{}</span>", esc(e.name));
            }
        }
        if e.is_us() {
            let _ = write!(html, "<span class=\"cmp-badge\">{}</span>", esc(ctx.t("cmp_us")));
        }
        if e.stale {
            let _ = write!(html, "<span class=\"chip chip-amber cmp-stale\">{}</span>", esc(ctx.t("cmp_stale")));
        }
        if let Some(c) = e.category {
            let _ = write!(html, "<span class=\"cmp-cat\">{}</span>", esc(c));
        }
        html.push_str("</span></th>");
    }
    html.push_str("</tr></thead>");
}

fn group(html: &mut String, title: &str, cols: usize) {
    let _ = write!(
        html,
        "<tbody><tr class=\"cmp-group\"><th scope=\"colgroup\" colspan=\"{}\"><span>{}</span></th></tr>",
        cols + 1,
        esc(title)
    );
}

fn scores(html: &mut String, ctx: &Ctx<'_>, entries: &[Entry<'_>]) {
    let dims = &ctx.settings.dimensions;
    if dims.is_empty() {
        return;
    }
    group(html, &format!("{} ({})", ctx.t("cmp_scores"), ctx.scale_text()), entries.len());
    for d in dims {
        let _ = write!(html, "<tr><th scope=\"row\">{}</th>", esc(d));
        for e in entries {
            match e.scores.get(d) {
                Some(&v) => {
                    let _ = write!(
                        html,
                        "<td{}><span class=\"cmp-score cmp-l{}\">{}</span></td>",
                        col_class(e),
                        level(v, ctx.settings.scale),
                        score_text(v)
                    );
                }
                None => {
                    let _ = write!(
                        html,
                        "<td{}><span class=\"cmp-score cmp-none\" title=\"{t}\">–<span class=\"visually-hidden\">{t}</span></span></td>",
                        col_class(e),
                        t = esc(ctx.t("cmp_not_scored"))
                    );
                }
            }
        }
        html.push_str("</tr>");
    }
    let _ = write!(html, "<tr class=\"cmp-avg\"><th scope=\"row\">{}</th>", esc(ctx.t("cmp_average")));
    for e in entries {
        let text = average(e.scores, dims).map_or_else(|| "–".to_string(), |v| format!("{v:.1}"));
        let _ = write!(html, "<td{}><span class=\"cmp-avg-value\">{text}</span></td>", col_class(e));
    }
    html.push_str("</tr></tbody>");
}

/// Which pricing row a tier belongs to.
fn row_of(t: &PriceTier) -> &'static str {
    if t.price == 0.0 {
        return "free";
    }
    match t.period.as_deref() {
        Some("month") => "month",
        Some("year") => "year",
        Some("once") => "once",
        _ => "other",
    }
}

fn pricing(html: &mut String, ctx: &Ctx<'_>, entries: &[Entry<'_>]) {
    let rows = [
        ("free", "cmp_price_free"),
        ("month", "cmp_price_month"),
        ("year", "cmp_price_year"),
        ("once", "cmp_price_once"),
        ("other", "cmp_price_other"),
    ];
    let present: Vec<_> =
        rows.iter().filter(|(row, _)| entries.iter().any(|e| e.pricing.iter().any(|t| row_of(t) == *row))).collect();
    if present.is_empty() {
        return;
    }
    group(html, ctx.t("cmp_pricing"), entries.len());
    for (row, key) in present {
        let _ = write!(html, "<tr class=\"cmp-price-row\"><th scope=\"row\">{}</th>", esc(ctx.t(key)));
        for e in entries {
            let tiers: Vec<&PriceTier> = e.pricing.iter().filter(|t| row_of(t) == *row).collect();
            let _ = write!(html, "<td{}>", col_class(e));
            if tiers.is_empty() {
                html.push_str("<span class=\"cmp-dash\">–</span>");
            }
            for t in tiers {
                let price = price_text(&ctx.settings.currency, t.price);
                let period = match (row, t.period.as_deref()) {
                    (&"other", Some(p)) => format!(" / {}", super::profile::period_text(ctx, p)),
                    _ => String::new(),
                };
                let _ = write!(
                    html,
                    "<span class=\"cmp-tier\"><span class=\"cmp-price\">{}{}</span><span class=\"cmp-tier-name\">{}</span></span>",
                    esc(&price),
                    esc(&period),
                    esc(&t.tier)
                );
            }
            html.push_str("</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody>");
}

fn positioning(html: &mut String, ctx: &Ctx<'_>, entries: &[Entry<'_>]) {
    if entries.iter().all(|e| e.summary.is_none()) {
        return;
    }
    group(html, ctx.t("cmp_positioning"), entries.len());
    let _ = write!(html, "<tr class=\"cmp-text-row\"><th scope=\"row\">{}</th>", esc(ctx.t("cmp_summary")));
    for e in entries {
        let _ = write!(html, "<td{}>{}</td>", col_class(e), esc(e.summary.unwrap_or("–")));
    }
    html.push_str("</tr></tbody>");
}

fn sources(html: &mut String, ctx: &Ctx<'_>, entries: &[Entry<'_>]) {
    group(html, ctx.t("cmp_research"), entries.len());
    let _ = write!(html, "<tr><th scope=\"row\">{}</th>", esc(ctx.t("cmp_newest_source")));
    for e in entries {
        let _ = write!(html, "<td{}>", col_class(e));
        match (e.is_us(), e.newest) {
            (true, _) => html.push_str("<span class=\"cmp-dash\">–</span>"),
            (false, Some(d)) => {
                let class = if e.stale { "cmp-date cmp-date-stale" } else { "cmp-date" };
                let _ = write!(html, "<time class=\"{class}\" datetime=\"{d}\">{d}</time>");
            }
            (false, None) => {
                let _ = write!(html, "<span class=\"cmp-date cmp-date-stale\">{}</span>", esc(ctx.t("cmp_no_sources")));
            }
        }
        html.push_str("</td>");
    }
    let _ = write!(html, "</tr><tr><th scope=\"row\">{}</th>", esc(ctx.t("owner")));
    for e in entries {
        let owner = e.page.and_then(|p| p.front.owner.as_deref()).unwrap_or("–");
        let _ = write!(html, "<td{}>{}</td>", col_class(e), esc(owner));
    }
    html.push_str("</tr></tbody>");
}

fn legend_note(html: &mut String, ctx: &Ctx<'_>) {
    let scale = ctx.settings.scale.max(2);
    html.push_str("<div class=\"cmp-key\" aria-hidden=\"true\">");
    let _ = write!(html, "<span class=\"cmp-key-label\">{}</span>", esc(ctx.t("cmp_key_low")));
    for v in 1..=scale.min(10) {
        let v = if scale > 10 { 1 + (scale - 1) * (v - 1) / 9 } else { v };
        let _ = write!(html, "<span class=\"cmp-score cmp-l{}\">{v}</span>", level(f64::from(v), scale));
    }
    let _ = write!(html, "<span class=\"cmp-key-label\">{}</span>", esc(ctx.t("cmp_key_high")));
    html.push_str("</div>");
}

fn charts(html: &mut String, ctx: &Ctx<'_>, entries: &[Entry<'_>]) {
    let dims = &ctx.settings.dimensions;
    let scored: Vec<Entry<'_>> = entries.iter().filter(|e| !e.scores.is_empty()).copied().collect();
    if dims.is_empty() || scored.is_empty() {
        return;
    }
    let _ = write!(
        html,
        "<h2 id=\"cmp-chart\">{}</h2><figure class=\"chart cmp-chart\"><figcaption><span class=\"chart-title\">{}</span>\
         <span class=\"chart-meta\">{}</span></figcaption><ul class=\"cmp-legend\">",
        esc(ctx.t("cmp_scores_chart")),
        esc(ctx.t("cmp_scores_chart_caption")),
        esc(&ctx.t("cmp_scale_note").replace("{scale}", &ctx.scale_text()))
    );
    for e in &scored {
        let _ = write!(
            html,
            "<li{}><span class=\"cmp-swatch sw-{}\" aria-hidden=\"true\"></span>{}</li>",
            if e.is_us() { " class=\"cmp-legend-us\"" } else { "" },
            e.color % 7,
            esc(e.name)
        );
    }
    html.push_str("</ul>");
    let _ = write!(
        html,
        "<div class=\"cmp-canvas\"><div class=\"cmp-wide\">{}</div><div class=\"cmp-narrow\">{}</div></div></figure>",
        chart::bars(ctx, &scored, crate::charts::WIDE + 140, 320),
        chart::bars(ctx, &scored, crate::charts::NARROW, 300)
    );
    let us = entries.iter().find(|e| e.is_us());
    let radars: Vec<(String, &Entry<'_>)> =
        scored.iter().filter(|e| !e.is_us()).filter_map(|e| chart::radar(ctx, e, us).map(|svg| (svg, e))).collect();
    if radars.is_empty() {
        return;
    }
    let heading = match us {
        Some(us) => ctx.t("cmp_radar_heading").replace("{us}", us.name),
        None => ctx.t("cmp_radar_heading_alone").to_string(),
    };
    let _ = write!(html, "<h2 id=\"cmp-radar\">{}</h2><div class=\"cmp-radars\">", esc(&heading));
    for (svg, e) in radars {
        let _ = write!(
            html,
            "<figure class=\"cmp-radar\"><figcaption><span class=\"cmp-swatch sw-{}\" aria-hidden=\"true\"></span>{}",
            e.color % 7,
            esc(e.name)
        );
        if let Some(avg) = average(e.scores, dims) {
            let _ = write!(html, "<span class=\"cmp-radar-avg\">{} {avg:.1}</span>", esc(ctx.t("cmp_average")));
        }
        let _ = write!(html, "</figcaption>{svg}</figure>");
    }
    if let Some(us) = us {
        let _ = write!(
            html,
            "</div><p class=\"cmp-radar-key\"><span class=\"cmp-dashed sw-{}\" aria-hidden=\"true\"></span>{}</p>",
            us.color % 7,
            esc(&ctx.t("cmp_radar_key").replace("{us}", us.name))
        );
    } else {
        html.push_str("</div>");
    }
}
