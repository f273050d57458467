//! Heading ids by GitHub's rules, Unicode kept: lowercase, drop punctuation
//! other than `-` and `_`, spaces become `-`. `## 明确目标` → `明确目标`,
//! `## SMART 原则` → `smart-原则`. Repeats get `-1`, `-2`, … like GitHub.

use std::collections::HashSet;

pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' || is_mark(c) {
            out.extend(c.to_lowercase());
        } else if c == ' ' {
            out.push('-');
        }
    }
    out
}

/// Combining marks and joiners that GitHub keeps inside words (Indic vowel
/// signs, the Persian ZWNJ).
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0DFF | 0x200C | 0x200D | 0x064B..=0x065F) && !c.is_whitespace()
}

/// Hands out unique ids within one page.
#[derive(Default)]
pub struct Slugs {
    used: HashSet<String>,
}

impl Slugs {
    /// Reserves an explicit id (`{#custom-id}`) as given.
    pub fn reserve(&mut self, id: &str) -> String {
        self.used.insert(id.to_string());
        id.to_string()
    }

    pub fn unique(&mut self, text: &str) -> String {
        let base = slugify(text);
        let base = if base.is_empty() { "section".to_string() } else { base };
        if self.used.insert(base.clone()) {
            return base;
        }
        (1..).map(|n| format!("{base}-{n}")).find(|candidate| self.used.insert(candidate.clone())).unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(slugify(input), expected, "{input}");
    }

    #[test]
    fn github_rules() {
        check("明确目标", "明确目标");
        check("SMART 原则", "smart-原则");
        check("1. Why? (and how)", "1-why-and-how");
        check("A/B 测试：怎么做", "ab-测试怎么做");
        check("snake_case-and-dash", "snake_case-and-dash");
        check("  padded  ", "padded");
    }

    #[test]
    fn duplicates_are_numbered() {
        let mut s = Slugs::default();
        let got: Vec<String> = ["复盘", "复盘", "复盘"].iter().map(|t| s.unique(t)).collect();
        assert_eq!(got, ["复盘", "复盘-1", "复盘-2"]);
    }
}
