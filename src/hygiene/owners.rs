//! The owners index (`maintenance/owners/`): a summary table of owners with
//! their page counts (most overdue first), then each owner's pages, then
//! the pages nobody owns.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Ctx, OWNERS_URL, Row, esc};

/// The page and its table of contents: `(id, title)` of each owner.
pub fn index(ctx: &Ctx<'_>, rows: &[Row<'_>]) -> (String, Vec<(String, String)>) {
    let mut by_owner: BTreeMap<&str, Vec<&Row<'_>>> = BTreeMap::new();
    let mut unowned: Vec<&Row<'_>> = Vec::new();
    for r in rows {
        match r.owner {
            Some(o) => by_owner.entry(o).or_default().push(r),
            None => unowned.push(r),
        }
    }
    let count = |list: &[&Row<'_>], s: &str| list.iter().filter(|r| r.status == s).count();
    let mut owners: Vec<(&str, Vec<&Row<'_>>)> = by_owner.into_iter().collect();
    owners.sort_by(|(a, la), (b, lb)| {
        (count(lb, "overdue"), count(lb, "due"), lb.len(), a).cmp(&(
            count(la, "overdue"),
            count(la, "due"),
            la.len(),
            b,
        ))
    });

    let mut html = String::from("<div class=\"table-wrap\"><table class=\"hy-owners\"><thead><tr>");
    for key in ["owner", "hy_col_pages", "review_status_overdue", "review_status_due"] {
        let _ = write!(html, "<th scope=\"col\">{}</th>", esc(ctx.t(key)));
    }
    html.push_str("</tr></thead><tbody>");
    let mut toc = Vec::new();
    for (owner, list) in &owners {
        let id = Ctx::owner_anchor(owner);
        toc.push((id.clone(), owner.to_string()));
        summary_row(&mut html, &format!("<a href=\"#{}\">{}</a>", esc(&id), esc(owner)), list, &count);
    }
    if !unowned.is_empty() {
        let title = ctx.t("hy_unowned");
        toc.push(("owner-none".to_string(), title.to_string()));
        summary_row(
            &mut html,
            &format!("<a class=\"hy-missing\" href=\"#owner-none\">{}</a>", esc(title)),
            &unowned,
            &count,
        );
    }
    html.push_str("</tbody></table></div>");
    for (owner, list) in &owners {
        section(ctx, &mut html, &Ctx::owner_anchor(owner), owner, list);
    }
    if !unowned.is_empty() {
        section(ctx, &mut html, "owner-none", ctx.t("hy_unowned"), &unowned);
    }
    html.push('\n');
    (html, toc)
}

fn summary_row(html: &mut String, name: &str, list: &[&Row<'_>], count: &dyn Fn(&[&Row<'_>], &str) -> usize) {
    let cell = |n: usize, class: &str| {
        if n == 0 {
            "<td class=\"hy-num hy-zero\">0</td>".to_string()
        } else {
            format!("<td class=\"hy-num {class}\">{n}</td>")
        }
    };
    let _ = write!(
        html,
        "<tr><th scope=\"row\">{name}</th><td class=\"hy-num\">{}</td>{}{}</tr>",
        list.len(),
        cell(count(list, "overdue"), "hy-num-overdue"),
        cell(count(list, "due"), "hy-num-due")
    );
}

fn section(ctx: &Ctx<'_>, html: &mut String, id: &str, title: &str, list: &[&Row<'_>]) {
    let _ = write!(
        html,
        "<h2 class=\"hy-owner-title\" id=\"{}\">{} <span class=\"count\">{}</span></h2><ul class=\"hy-pages\">",
        esc(id),
        esc(title),
        list.len()
    );
    for r in list {
        let _ = write!(html, "<li>{} {}", ctx.chip(r), ctx.link(OWNERS_URL, r.page));
        let mut meta = Vec::new();
        if let Some(s) = ctx.section_of(r.page) {
            meta.push(s.to_string());
        }
        if let Some(due) = r.due {
            meta.push(format!("{} {due}", ctx.t("review_due")));
        }
        if let Some(d) = ctx.distance(r) {
            meta.push(d);
        }
        super::write_meta(html, &meta);
        html.push_str("</li>");
    }
    html.push_str("</ul>");
}
