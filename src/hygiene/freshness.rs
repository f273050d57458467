//! The freshness report (`maintenance/freshness/`): one table of every
//! page, grouped by status with overdue pages first, and the overview on
//! `maintenance/` with the counts and the overdue pages.

use std::fmt::Write as _;

use super::{Ctx, FRESHNESS_URL, OWNERS_URL, Row, SECTION_URL, esc};
use crate::links::page_href;

/// The counts of each status as tiles.
fn stats(ctx: &Ctx<'_>, rows: &[Row<'_>], html: &mut String) {
    html.push_str("<ul class=\"hy-stats\">");
    for (status, key) in [
        ("overdue", "review_status_overdue"),
        ("due", "review_status_due"),
        ("fresh", "review_status_fresh"),
        ("none", "hy_status_none"),
    ] {
        let n = rows.iter().filter(|r| r.status == status).count();
        let _ = write!(
            html,
            "<li class=\"hy-stat hy-stat-{status}{}\"><span class=\"hy-stat-num\">{n}</span><span class=\"hy-stat-label\">{}</span></li>",
            if n == 0 { " hy-stat-zero" } else { "" },
            esc(ctx.t(key))
        );
    }
    let unowned = rows.iter().filter(|r| r.owner.is_none()).count();
    let _ = write!(
        html,
        "<li class=\"hy-stat hy-stat-unowned{}\"><span class=\"hy-stat-num\">{unowned}</span><span class=\"hy-stat-label\">{}</span></li>",
        if unowned == 0 { " hy-stat-zero" } else { "" },
        esc(ctx.t("hy_unowned"))
    );
    html.push_str("</ul>");
}

/// The `maintenance/` section page: counts, the overdue and soon-due pages,
/// and where to go next.
pub fn overview(ctx: &Ctx<'_>, rows: &[Row<'_>]) -> String {
    let mut html = format!("<p>{}</p>", esc(&ctx.t("hy_lead").replace("{today}", &ctx.today.to_string())));
    stats(ctx, rows, &mut html);
    let urgent: Vec<&Row<'_>> = rows.iter().filter(|r| r.rank() <= 1).collect();
    if urgent.is_empty() {
        let _ = write!(html, "<p class=\"hy-all-fresh\">{}</p>", esc(ctx.t("hy_all_fresh")));
    } else {
        let _ = write!(html, "<h2 id=\"hy-urgent\">{}</h2><ul class=\"hy-urgent\">", esc(ctx.t("hy_urgent")));
        for r in urgent {
            let _ = write!(html, "<li>{} {}", ctx.chip(r), ctx.link(SECTION_URL, r.page));
            let mut meta = Vec::new();
            if let Some(o) = r.owner {
                meta.push(format!("{} {}", ctx.t("owner"), o));
            }
            if let Some(d) = ctx.distance(r) {
                meta.push(d);
            }
            super::write_meta(&mut html, &meta);
            html.push_str("</li>");
        }
        html.push_str("</ul>");
    }
    let has_tags = ctx.pages.iter().any(|p| !p.front.tags.is_empty());
    let _ = write!(
        html,
        "<p class=\"hy-links\"><a href=\"{}\">{}</a> · <a href=\"{}\">{}</a>",
        page_href(SECTION_URL, FRESHNESS_URL),
        esc(ctx.t("hy_freshness_title")),
        page_href(SECTION_URL, OWNERS_URL),
        esc(ctx.t("hy_owners_title"))
    );
    if has_tags {
        let _ = write!(html, " · <a href=\"{}\">{}</a>", page_href(SECTION_URL, "tags/"), esc(ctx.t("hy_tags_index")));
    }
    html.push_str("</p>\n");
    html
}

/// The full report: one group per status, overdue first.
pub fn report(ctx: &Ctx<'_>, rows: &[Row<'_>]) -> String {
    let mut html = format!("<p>{}</p>", esc(&ctx.t("hy_report_lead").replace("{today}", &ctx.today.to_string())));
    stats(ctx, rows, &mut html);
    html.push_str(
        "<div class=\"hy-scroll\" role=\"region\" aria-labelledby=\"hy-report-caption\" tabindex=\"0\"><table class=\"hy-table\">",
    );
    let _ = write!(
        html,
        "<caption id=\"hy-report-caption\" class=\"visually-hidden\">{}</caption><thead><tr>",
        esc(ctx.t("hy_freshness_title"))
    );
    for key in ["hy_col_page", "hy_col_status", "owner", "reviewed", "hy_col_every", "review_due"] {
        let _ = write!(html, "<th scope=\"col\">{}</th>", esc(ctx.t(key)));
    }
    html.push_str("</tr></thead>");
    let groups = [
        ("overdue", "review_status_overdue"),
        ("due", "review_status_due"),
        ("fresh", "review_status_fresh"),
        ("none", "hy_status_none"),
    ];
    for (status, key) in groups {
        let group: Vec<&Row<'_>> = rows.iter().filter(|r| r.status == status).collect();
        if group.is_empty() {
            continue;
        }
        let _ = write!(
            html,
            "<tbody class=\"hy-group-{status}\"><tr class=\"hy-group\"><th scope=\"colgroup\" colspan=\"6\"><span>{} <span class=\"count\">{}</span></span></th></tr>",
            esc(ctx.t(key)),
            group.len()
        );
        for r in group {
            row(ctx, r, &mut html);
        }
        html.push_str("</tbody>");
    }
    html.push_str("</table></div>\n");
    html
}

fn row(ctx: &Ctx<'_>, r: &Row<'_>, html: &mut String) {
    let _ = write!(html, "<tr><th scope=\"row\">{}", ctx.link(FRESHNESS_URL, r.page));
    if let Some(s) = ctx.section_of(r.page) {
        let _ = write!(html, "<span class=\"hy-section\">{}</span>", esc(s));
    }
    let _ = write!(html, "</th><td>{}</td><td>", ctx.chip(r));
    match r.owner {
        Some(o) => {
            let _ = write!(
                html,
                "<a href=\"{}#{}\">{}</a>",
                page_href(FRESHNESS_URL, OWNERS_URL),
                esc(&Ctx::owner_anchor(o)),
                esc(o)
            );
        }
        None => {
            let _ = write!(html, "<span class=\"hy-missing\">{}</span>", esc(ctx.t("hy_no_owner")));
        }
    }
    html.push_str("</td><td>");
    match r.reviewed {
        Some(d) => {
            let _ = write!(html, "<time datetime=\"{d}\">{d}</time>");
        }
        None => html.push_str("<span class=\"hy-dash\">–</span>"),
    }
    html.push_str("</td><td>");
    match r.every {
        Some((every, true)) => {
            let _ = write!(
                html,
                "{} <span class=\"hy-default\">{}</span>",
                esc(&super::period_words(every, ctx.zh)),
                esc(ctx.t("hy_default"))
            );
        }
        Some((every, false)) => html.push_str(&esc(&super::period_words(every, ctx.zh))),
        None => html.push_str("<span class=\"hy-dash\">–</span>"),
    }
    html.push_str("</td><td>");
    match r.due {
        Some(d) => {
            let _ = write!(html, "<time datetime=\"{d}\">{d}</time>");
            if let Some(text) = ctx.distance(r) {
                let _ = write!(html, "<span class=\"hy-distance hy-distance-{}\">{}</span>", r.status, esc(&text));
            }
        }
        None => html.push_str("<span class=\"hy-dash\">–</span>"),
    }
    html.push_str("</td></tr>");
}
