//! The reference pages against the program, in both directions: keys and
//! values against the parsers (`opsbook::reference`), YAML synonyms against
//! the front matter parser, template variables against what a real build
//! hands its templates, and commands against `--help`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use super::{Section, accepted_values, page, sections};
use crate::harness::{Site, opsbook, repo};

/// `documented` and `accepted` must be the same set; the message lists
/// what each side lacks.
#[track_caller]
fn same(what: &str, documented: &BTreeSet<String>, accepted: &BTreeSet<String>) {
    let undocumented: Vec<&String> = accepted.difference(documented).collect();
    let unknown: Vec<&String> = documented.difference(accepted).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "{what}: the reference and the program disagree\n  accepted but not documented: {undocumented:?}\n  documented but not accepted: {unknown:?}"
    );
}

/// `### key` headings of a reference page, with their sections.
fn entries(rel: &str) -> BTreeMap<String, Section> {
    sections(&page(rel))
        .into_iter()
        .filter(|s| s.level == 3)
        .map(|s| {
            let key = s.title.split(" {#").next().unwrap_or(&s.title).trim().to_string();
            (key, s)
        })
        .collect()
}

#[test]
fn reference_pages_match_the_parsers() {
    for (schema, rel) in [
        (opsbook::reference::config(), "reference/config.md"),
        (opsbook::reference::front_matter(), "reference/front-matter.md"),
        (opsbook::reference::metric(), "reference/metrics.md"),
        (opsbook::reference::blocks(), "reference/blocks.md"),
    ] {
        let documented = entries(rel);
        let keys: BTreeSet<String> = documented.keys().cloned().collect();
        same(&format!("keys of {} ({rel})", schema.name), &keys, &schema.keys.iter().cloned().collect());
        let listed: BTreeMap<String, Vec<String>> =
            documented.iter().filter_map(|(k, s)| accepted_values(&s.text).map(|v| (k.clone(), v))).collect();
        same(
            &format!("keys with `Accepted values:` in {rel}"),
            &listed.keys().cloned().collect(),
            &schema.values.keys().cloned().collect(),
        );
        for (key, values) in &schema.values {
            let documented: BTreeSet<String> = listed.get(key).cloned().unwrap_or_default().into_iter().collect();
            same(&format!("values of `{key}` in {rel}"), &documented, &values.iter().cloned().collect());
        }
    }
}

/// `("description", "summary")` pairs of `YAML_SYNONYMS` in the source.
fn synonyms_in_source() -> BTreeSet<(String, String)> {
    let src = std::fs::read_to_string(repo().join("src/frontmatter.rs")).expect("read src/frontmatter.rs");
    let start = src.find("const YAML_SYNONYMS").expect("YAML_SYNONYMS in src/frontmatter.rs");
    let table = &src[start..start + src[start..].find("];").expect("end of YAML_SYNONYMS")];
    table
        .lines()
        .filter_map(|l| {
            let quoted: Vec<&str> = l.split('"').skip(1).step_by(2).collect();
            match quoted.as_slice() {
                [from, to] => Some((from.to_string(), to.to_string())),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn yaml_synonyms_are_documented_and_work() {
    let guide = sections(&page("writing/front-matter.md"));
    let section = guide.iter().find(|s| s.title == "YAML front matter").expect("a YAML front matter section");
    let mut documented = BTreeSet::new();
    for row in section.text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').collect();
        let [from, to] = cells.as_slice() else { continue };
        let to = to.trim().trim_matches('`').to_string();
        for yaml in from.split('`').skip(1).step_by(2) {
            documented.insert((yaml.to_string(), to.clone()));
        }
    }
    same(
        "YAML synonyms",
        &documented.iter().map(|(a, b)| format!("{a} → {b}")).collect(),
        &synonyms_in_source().iter().map(|(a, b)| format!("{a} → {b}")).collect(),
    );
    for (yaml, ours) in &documented {
        let value = if ours == "weight" { "3" } else { "/x/" };
        let src = format!("---\n{yaml}: {value}\n---\n");
        let parsed = opsbook::frontmatter::parse("p.md", &src).unwrap_or_else(|d| panic!("{yaml}: {d:?}"));
        let f = parsed.front;
        let set = match ours.as_str() {
            "summary" => f.summary.as_deref() == Some(value),
            "weight" => f.weight == Some(3),
            "aliases" => f.aliases == [value],
            "owner" => f.owner.as_deref() == Some(value),
            "template" => f.template.as_deref() == Some(value),
            other => panic!("no check for the field `{other}`"),
        };
        assert!(set, "YAML `{yaml}` does not set `{ours}`");
    }
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Lin Xiao")
        .env("GIT_AUTHOR_EMAIL", "lin@example.com")
        .env("GIT_COMMITTER_NAME", "Lin Xiao")
        .env("GIT_COMMITTER_EMAIL", "lin@example.com")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The names a template loop prints for each object of `list` (`{{ k }}` of
/// every `for k, v in …`), and a line for every top-level name.
fn dump_template(top_level: &BTreeSet<String>) -> String {
    let keys = |label: &str, expr: &str| format!("{label}:{{% for k, v in {expr} %}}{{{{ k }}}} {{% endfor %}}\n");
    let each = |label: &str, list: &str| {
        format!("{label}:{{% for x in {list} %}}{{% for k, v in x %}}{{{{ k }}}} {{% endfor %}}{{% endfor %}}\n")
    };
    let mut t = String::from("{% extends \"base.html\" %}\n{% block main %}<pre id=\"dump\">\n");
    t.push_str("top:");
    for name in top_level {
        t.push_str(&format!("{{% if {name} is defined %}}{name} {{% endif %}}"));
    }
    t.push('\n');
    t.push_str(&keys("page", "page"));
    t.push_str(&keys("site", "site"));
    t.push_str(&each("page.toc", "page.toc"));
    t.push_str(&each("page.tags", "page.tags"));
    // Not on the print page; whether a page has them is checked by `top`.
    for list in ["breadcrumbs", "children"] {
        t.push_str(&format!("{{% if {list} is defined %}}{}{{% endif %}}", each("link", list)));
    }
    for one in ["prev", "next"] {
        t.push_str(&format!("{{% if {one} is defined %}}{}{{% endif %}}", keys("link", one)));
    }
    t.push_str(&format!("{{% if pager is defined %}}{}{{% endif %}}", keys("pager", "pager")));
    t.push_str(&format!("{{% if print is defined %}}{}{{% endif %}}", keys("print", "print")));
    t.push_str(&format!("{{% if recent is defined %}}{}{{% endif %}}", each("recent", "recent")));
    t.push_str(&format!(
        "{{% if versions is defined %}}{}{}{{% endif %}}",
        keys("versions", "versions"),
        each("versions.items", "versions.items")
    ));
    t.push_str(&format!(
        "{{% if git is defined %}}{}{}{{% endif %}}",
        keys("git", "git"),
        each("git.history", "git.history")
    ));
    // `section.html` extends `page.html` and fills this block.
    t.push_str("</pre>{% block after_content %}{% endblock after_content %}{% endblock main %}\n");
    t
}

#[test]
fn template_variables_are_documented() {
    let documented = entries("reference/templates.md");
    let top: BTreeSet<String> =
        documented.keys().filter(|k| !k.contains('.') && *k != "redirect_to").cloned().collect();
    // Only on the tags pages (`pager`: when cut into pages), the print page
    // (`print`) and the home page (`recent`): checked below.
    let on_pages: BTreeSet<String> =
        top.iter().filter(|k| !["pager", "listing", "print", "recent"].contains(&k.as_str())).cloned().collect();
    let page_md = "+++\ntitle = \"Alpha\"\nsummary = \"S\"\nowner = \"O\"\ntags = [\"t\"]\nreviewed = 2026-01-05\nreview_every = \"90d\"\n+++\n\n## One\n\ntext\n";
    let site = Site::new()
        .file("opsbook.toml", "title = \"T\"\nlanguage = \"en\"\n\n[versions]\n\n[tags]\nper_page = 2\n")
        .file("content/_index.md", "+++\ntitle = \"Home\"\nsummary = \"H\"\nowner = \"O\"\n+++\n")
        .file("content/sec/_index.md", "+++\ntitle = \"Sec\"\nsummary = \"S\"\nowner = \"O\"\n+++\n")
        .file("content/sec/a.md", page_md)
        .file("content/sec/b.md", page_md.replace("Alpha", "Beta").as_str())
        .file("content/sec/c.md", page_md.replace("Alpha", "Gamma").as_str())
        .file("versions/old/content/_index.md", "# Old\n")
        .file("templates/page.html", &dump_template(&top))
        .file("templates/print.html", &dump_template(&top))
        .file("templates/home.html", &dump_template(&top));
    let in_git = git(site.root(), &["init", "-q"])
        && git(site.root(), &["add", "-A"])
        && git(site.root(), &["commit", "-q", "-m", "First"]);
    assert!(in_git || std::env::var_os("CI").is_none(), "CI must install git");
    let run = site.build(&[]);
    run.ok();
    let dump = |rel: &str| {
        let html = run.read(rel);
        let dump = html.split("<pre id=\"dump\">").nth(1).and_then(|d| d.split("</pre>").next()).expect("the dump");
        let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for line in dump.lines() {
            if let Some((label, names)) = line.split_once(':') {
                seen.entry(label.to_string()).or_default().extend(names.split_whitespace().map(str::to_string));
            }
        }
        seen
    };
    let mut seen = dump("sec/b/index.html");
    let mut given = seen.remove("top").unwrap_or_default();
    if !in_git {
        given.insert("git".into());
    }
    same("top-level template variables on a page", &on_pages, &given);
    // Three pages tagged `t`, two a page: the second page of the list.
    let mut list = dump("tags/t/page/2/index.html");
    let top_of_list = list.remove("top").unwrap_or_default();
    assert!(
        top_of_list.contains("pager") && top_of_list.contains("listing"),
        "on a tag list's second page: {top_of_list:?}"
    );
    seen.extend(list.remove("pager").map(|fields| ("pager".to_string(), fields)));
    let mut print = dump("print/index.html");
    assert!(print.remove("top").unwrap_or_default().contains("print"), "the print page has `print`");
    seen.extend(print.remove("print").map(|fields| ("print".to_string(), fields)));
    if in_git {
        let mut home = dump("index.html");
        assert!(home.remove("top").unwrap_or_default().contains("recent"), "the home page has `recent`");
        seen.extend(home.remove("recent").map(|fields| ("recent".to_string(), fields)));
    }
    for (object, fields) in seen {
        let prefix = format!("{object}.");
        let documented: BTreeSet<String> = documented
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|rest| !rest.contains('.'))
            .map(str::to_string)
            .collect();
        same(&format!("fields of `{object}`"), &documented, &fields);
    }
    // Every name the code puts in a template context is documented.
    let mut inserted = BTreeSet::new();
    for entry in walkdir::WalkDir::new(repo().join("src")).into_iter().filter_map(Result::ok) {
        if entry.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let src = std::fs::read_to_string(entry.path()).expect("read source");
        for (i, _) in src.match_indices(".insert(\"") {
            let before = &src[src[..i].rfind(char::is_whitespace).map_or(0, |s| s + 1)..i];
            if before == "ctx" || before == "globals" {
                let rest = &src[i + ".insert(\"".len()..];
                inserted.insert(rest[..rest.find('"').unwrap_or(0)].to_string());
            }
        }
    }
    let all_documented: BTreeSet<String> = documented.keys().filter(|k| !k.contains('.')).cloned().collect();
    let missing: Vec<&String> = inserted.difference(&all_documented).collect();
    assert!(missing.is_empty(), "template variables the code sets but the reference lacks: {missing:?}");
}

/// Options and arguments in `--help` output: `--root`, `DIR`, with the
/// possible values each lists.
fn help_entries(args: &[&str]) -> BTreeMap<String, Vec<String>> {
    let out = opsbook().args(args).arg("--help").output().expect("run opsbook --help");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut entries = BTreeMap::new();
    let mut section = "";
    let mut last = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if !line.starts_with(' ') {
            section = if line.starts_with("Arguments:") {
                "args"
            } else if line.starts_with("Options:") {
                "options"
            } else {
                ""
            };
            continue;
        }
        let trimmed = line.trim_start();
        let name = match section {
            "options" if trimmed.starts_with('-') => trimmed
                .split([' ', ','])
                .find(|w| w.starts_with("--"))
                .map(|w| w.split('<').next().unwrap_or(w).to_string()),
            "args" if trimmed.starts_with(['<', '[']) && line.len() - trimmed.len() <= 2 => {
                trimmed.split_whitespace().next().map(|w| w.trim_matches(['<', '>', '[', ']']).to_string())
            }
            _ => None,
        };
        if let Some(name) = name {
            last = name.clone();
            entries.insert(name, Vec::new());
        }
        if let Some(values) = line.split("[possible values: ").nth(1) {
            let values = values.trim_end_matches(']').split(", ").map(str::to_string).collect();
            entries.insert(last.clone(), values);
        }
    }
    entries.remove("--help");
    entries.remove("--version");
    entries
}

#[test]
fn commands_match_the_cli() {
    let sections = sections(&page("reference/commands.md"));
    let mut documented: BTreeMap<String, BTreeMap<String, Option<Vec<String>>>> = BTreeMap::new();
    let mut current = String::new();
    for s in &sections {
        match s.level {
            2 => current = s.title.clone(),
            3 => {
                documented.entry(current.clone()).or_default().insert(s.title.clone(), accepted_values(&s.text));
            }
            _ => {}
        }
    }
    let global = help_entries(&[]);
    let global_names: BTreeSet<String> = global.keys().cloned().collect();
    same(
        "global options",
        &documented.get("Global options").map(|m| m.keys().cloned().collect()).unwrap_or_default(),
        &global_names,
    );
    let help = String::from_utf8_lossy(&opsbook().arg("--help").output().expect("run opsbook").stdout).into_owned();
    let commands: BTreeSet<String> = help
        .split("Commands:")
        .nth(1)
        .unwrap_or("")
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(|c| format!("opsbook {c}"))
        .collect();
    same("commands", &documented.keys().filter(|k| k.starts_with("opsbook ")).cloned().collect(), &commands);
    for command in &commands {
        let sub = command.trim_start_matches("opsbook ");
        let actual: BTreeMap<String, Vec<String>> =
            help_entries(&[sub]).into_iter().filter(|(k, _)| !global_names.contains(k)).collect();
        let doc = documented.get(command).cloned().unwrap_or_default();
        same(&format!("options of `{command}`"), &doc.keys().cloned().collect(), &actual.keys().cloned().collect());
        for (name, values) in &actual {
            let listed = doc.get(name).cloned().flatten().unwrap_or_default();
            assert_eq!(&listed, values, "accepted values of `{command} {name}`");
        }
    }
}
