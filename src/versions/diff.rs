//! A readable diff of two texts, as an HTML table: changed lines with two
//! lines of context, old and new line numbers, and inside a changed line the
//! characters that changed marked (character by character, so Chinese text
//! without spaces shows exactly what changed).

use similar::{ChangeTag, DiffOp, TextDiff};

use crate::markdown::highlight::escape;

/// Context lines around each change.
const CONTEXT: usize = 2;
/// Rows shown per diff; the rest is summarised.
const MAX_ROWS: usize = 400;
/// Longer lines are marked as a whole.
const MAX_INLINE: usize = 2000;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub added: usize,
    pub removed: usize,
}

/// The diff of `old` and `new` as `<table class="diff">`, and line counts.
pub fn html(old: &str, new: &str, more_label: &str) -> (String, Stats) {
    let diff = TextDiff::from_lines(old, new);
    let mut stats = Stats::default();
    let mut out = String::from("<table class=\"diff\">\n");
    let mut rows = 0usize;
    let mut hidden = 0usize;
    let old_lines: Vec<&str> = diff.old_slices().to_vec();
    let new_lines: Vec<&str> = diff.new_slices().to_vec();
    for (g, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if g > 0 {
            push_row(&mut out, &mut rows, &mut hidden, "diff-gap", None, None, "⋯", "");
        }
        for op in group {
            match *op {
                DiffOp::Equal { old_index, new_index, len } => {
                    for k in 0..len {
                        let text = escape(trim_eol(old_lines[old_index + k]));
                        let (o, n) = (Some(old_index + k + 1), Some(new_index + k + 1));
                        push_row(&mut out, &mut rows, &mut hidden, "diff-ctx", o, n, " ", &text);
                    }
                }
                DiffOp::Delete { old_index, old_len, .. } => {
                    stats.removed += old_len;
                    for k in 0..old_len {
                        let text = escape(trim_eol(old_lines[old_index + k]));
                        push_row(
                            &mut out,
                            &mut rows,
                            &mut hidden,
                            "diff-del",
                            Some(old_index + k + 1),
                            None,
                            "−",
                            &text,
                        );
                    }
                }
                DiffOp::Insert { new_index, new_len, .. } => {
                    stats.added += new_len;
                    for k in 0..new_len {
                        let text = escape(trim_eol(new_lines[new_index + k]));
                        push_row(
                            &mut out,
                            &mut rows,
                            &mut hidden,
                            "diff-ins",
                            None,
                            Some(new_index + k + 1),
                            "+",
                            &text,
                        );
                    }
                }
                DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                    stats.removed += old_len;
                    stats.added += new_len;
                    let mut dels = Vec::new();
                    let mut inss = Vec::new();
                    for k in 0..old_len.max(new_len) {
                        let (a, b) = (old_lines.get(old_index + k), new_lines.get(new_index + k));
                        let (a_html, b_html) = match (k < old_len, k < new_len, a, b) {
                            (true, true, Some(a), Some(b)) => inline(trim_eol(a), trim_eol(b)),
                            (true, _, Some(a), _) => (escape(trim_eol(a)), String::new()),
                            (_, true, _, Some(b)) => (String::new(), escape(trim_eol(b))),
                            _ => (String::new(), String::new()),
                        };
                        if k < old_len {
                            dels.push((old_index + k + 1, a_html));
                        }
                        if k < new_len {
                            inss.push((new_index + k + 1, b_html));
                        }
                    }
                    for (line, text) in dels {
                        push_row(&mut out, &mut rows, &mut hidden, "diff-del", Some(line), None, "−", &text);
                    }
                    for (line, text) in inss {
                        push_row(&mut out, &mut rows, &mut hidden, "diff-ins", None, Some(line), "+", &text);
                    }
                }
            }
        }
    }
    if hidden > 0 {
        out.push_str(&format!(
            "<tr class=\"diff-gap\"><td colspan=\"4\">{}</td></tr>\n",
            escape(&more_label.replace("{count}", &hidden.to_string()))
        ));
    }
    out.push_str("</table>\n");
    (out, stats)
}

fn trim_eol(line: &str) -> &str {
    line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(line)
}

#[allow(clippy::too_many_arguments)]
fn push_row(
    out: &mut String,
    rows: &mut usize,
    hidden: &mut usize,
    class: &str,
    old: Option<usize>,
    new: Option<usize>,
    sign: &str,
    html: &str,
) {
    if *rows >= MAX_ROWS {
        *hidden += 1;
        return;
    }
    *rows += 1;
    let num = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    out.push_str(&format!(
        "<tr class=\"{class}\"><td class=\"diff-ln\">{}</td><td class=\"diff-ln\">{}</td><td class=\"diff-sign\" aria-hidden=\"true\">{sign}</td><td class=\"diff-text\">{html}</td></tr>\n",
        num(old),
        num(new)
    ));
}

/// The two lines with what differs between them wrapped in `<del>` and
/// `<ins>`.
fn inline(a: &str, b: &str) -> (String, String) {
    if a.len() > MAX_INLINE || b.len() > MAX_INLINE {
        return (escape(a), escape(b));
    }
    let diff = TextDiff::from_chars(a, b);
    let (mut old, mut new) = (String::new(), String::new());
    let run = |buf: &mut String, tag: Option<&str>, text: &str| match tag {
        Some(t) => buf.push_str(&format!("<{t}>{}</{t}>", escape(text))),
        None => buf.push_str(&escape(text)),
    };
    // Group consecutive characters with the same tag.
    let mut cur: Option<(ChangeTag, String)> = None;
    let flush = |c: Option<(ChangeTag, String)>, old: &mut String, new: &mut String| {
        if let Some((tag, text)) = c {
            match tag {
                ChangeTag::Equal => {
                    run(old, None, &text);
                    run(new, None, &text);
                }
                ChangeTag::Delete => run(old, Some("del"), &text),
                ChangeTag::Insert => run(new, Some("ins"), &text),
            }
        }
    };
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        match &mut cur {
            Some((t, text)) if *t == tag => text.push_str(change.value()),
            _ => {
                flush(cur.take(), &mut old, &mut new);
                cur = Some((tag, change.value().to_string()));
            }
        }
    }
    flush(cur, &mut old, &mut new);
    (old, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_changed_characters() {
        let (html, stats) = html("a\nb\n每周复盘\nc\n", "a\nb\n每月复盘\nc\nd\n", "{count} more");
        assert_eq!(stats, Stats { added: 2, removed: 1 });
        assert!(html.contains("每<del>周</del>复盘"), "{html}");
        assert!(html.contains("每<ins>月</ins>复盘"), "{html}");
        assert!(html.contains("<td class=\"diff-text\">d</td>"), "{html}");
    }

    #[test]
    fn identical_texts_have_no_rows() {
        let (html, stats) = html("same\n", "same\n", "");
        assert_eq!(stats, Stats::default());
        assert_eq!(html, "<table class=\"diff\">\n</table>\n");
    }
}
