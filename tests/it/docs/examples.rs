//! Every example of the guide, run: TOML through the real parsers,
//! Markdown and templates built into a site, commands through the real
//! CLI, invalid examples compared with the output the guide shows for them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use opsbook::diagnostics::Diagnostic;

use super::{Block, Page, blocks, docs_dir, page, pages};
use crate::harness::{Site, opsbook, repo};

/// Every block of the guide, page by page.
fn all_blocks() -> Vec<(Page, Vec<Block>)> {
    pages()
        .into_iter()
        .map(|p| {
            let b = blocks(&p);
            (p, b)
        })
        .collect()
}

fn render(diags: &[Diagnostic]) -> String {
    diags.iter().map(|d| d.render(false)).collect::<Vec<_>>().join("\n").trim_end().to_string()
}

fn metric_file(path: &str, src: &str) -> opsbook::content::DataFile {
    opsbook::content::DataFile {
        rel: path.trim_start_matches("content/").to_string(),
        file: path.to_string(),
        src: src.into(),
    }
}

#[test]
fn config_front_matter_and_metric_examples_parse() {
    let mut count = 0;
    for (_, blocks) in all_blocks() {
        for b in blocks.iter().filter(|b| b.lang() == "toml" && !b.has("invalid")) {
            let problems = if b.has("config") {
                opsbook::config::Config::parse(&b.body).err().unwrap_or_default()
            } else if b.has("page") {
                opsbook::frontmatter::parse("content/example.md", &format!("+++\n{}+++\n", b.body))
                    .err()
                    .unwrap_or_default()
            } else if b.has("metric") {
                opsbook::metrics::load(&[metric_file("content/metrics/example.toml", &b.body)]).1
            } else {
                continue;
            };
            assert!(problems.is_empty(), "{} does not parse:\n{}", b.at(), render(&problems));
            count += 1;
        }
    }
    assert!(count > 40, "only {count} TOML examples found");
}

#[test]
fn chart_sources_sit_beside_their_blocks() {
    for (_, blocks) in all_blocks() {
        for (i, b) in blocks.iter().enumerate() {
            let Some(kind) = ["chart", "kpi", "table"].into_iter().find(|k| b.lang() == "toml" && b.has(k)) else {
                continue;
            };
            let next = blocks.get(i + 1).filter(|n| n.info == kind);
            let next = next.unwrap_or_else(|| panic!("{}: the source must be followed by its ```{kind} block", b.at()));
            assert_eq!(next.body, b.body, "{}: the source shown differs from the block drawn", b.at());
        }
    }
}

/// The `opsbook.toml` of the sites examples are built in: the guide's
/// competitor dimensions, so its competitor notes are valid.
const EXAMPLES_CONFIG: &str = "title = \"Examples\"\nlanguage = \"en\"\n\n[competitors]\n\
    dimensions = [\"Ease of use\", \"Content\", \"Price\", \"Community\"]\n";

/// A site with the guide's example metrics and `files`.
fn examples_site(files: &[(String, String)]) -> Site {
    let mut site = Site::new().file("opsbook.toml", EXAMPLES_CONFIG);
    let metrics = docs_dir().join("content/metrics");
    for entry in std::fs::read_dir(&metrics).expect("the guide's metrics").filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".toml") {
            let text = std::fs::read_to_string(entry.path()).expect("read a metric");
            site = site.file(&format!("content/metrics/{name}"), &text);
        }
    }
    for (rel, text) in files {
        site = site.file(rel, text);
    }
    site
}

/// Where a `markdown` example goes: the path its info string names, or
/// one made from its page and position.
fn example_path(b: &Block, n: usize) -> String {
    match b.words().iter().skip(1).find(|w| w.ends_with(".md")) {
        Some(path) => format!("content/{path}"),
        None => format!("content/examples/{}-{n}.md", b.page.trim_end_matches(".md").replace('/', "-")),
    }
}

#[test]
fn markdown_and_template_examples_build() {
    let mut files: Vec<(String, String)> = Vec::new();
    for (_, blocks) in all_blocks() {
        for (n, b) in blocks.iter().enumerate().filter(|(_, b)| !b.has("invalid")) {
            match b.lang() {
                "markdown" => files.push((example_path(b, n), b.body.clone())),
                "html" => {
                    let path = b.words().get(1).copied().unwrap_or("").to_string();
                    assert!(path.starts_with("templates/"), "{}: say which template this is", b.at());
                    files.push((path, b.body.clone()));
                }
                _ => {}
            }
        }
    }
    let paths: BTreeSet<&String> = files.iter().map(|(p, _)| p).collect();
    assert_eq!(paths.len(), files.len(), "two examples claim one path");
    assert!(files.len() > 20, "only {} Markdown examples found", files.len());
    let run = examples_site(&files).build(&[]);
    run.ok();
    let stderr = run.stderr();
    let unexpected: Vec<&str> =
        stderr.lines().filter(|l| l.starts_with("warning:") && !l.starts_with("warning: broken")).collect();
    assert!(
        unexpected.is_empty(),
        "examples build with warnings other than links to pages of a real handbook:\n{stderr}"
    );
    let landing = run.read("welcome/index.html");
    assert!(landing.contains("class=\"landing\"") && landing.contains("Say hello"), "the landing template is used");
}

/// What opsbook prints for an invalid example. `expected` is the output
/// the guide shows, whose `-->` line names the file the example is in.
fn actual_output(b: &Block, expected: &str) -> String {
    let named = expected
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
        .and_then(|l| l.rsplitn(3, ':').last())
        .map(str::to_string);
    if b.lang() == "sh" {
        return run_failing_command(&b.body);
    }
    if b.has("config") {
        return render(&opsbook::config::Config::parse(&b.body).err().unwrap_or_default());
    }
    if b.has("metric") {
        let path = named.unwrap_or_else(|| "content/metrics/example.toml".into());
        return render(&opsbook::metrics::load(&[metric_file(&path, &b.body)]).1);
    }
    let src = if b.has("page") { format!("+++\n{}+++\n", b.body) } else { b.body.clone() };
    let path = named.unwrap_or_else(|| "content/playbooks/example.md".into());
    if let Err(diags) = opsbook::frontmatter::parse(&path, &src) {
        return render(&diags);
    }
    let site = examples_site(&[(path, src)]);
    let opts = opsbook::BuildOptions {
        root: site.root().to_path_buf(),
        output: Some(site.root().join("public")),
        today: "2026-06-01".parse().ok(),
        ..Default::default()
    };
    match opsbook::build(&opts) {
        Ok(report) => render(&report.diagnostics),
        Err(failure) => render(failure.diagnostics()),
    }
}

/// Runs a command that should fail, in an empty folder; its stderr.
fn run_failing_command(line: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let words = shell_words(line.trim());
    assert_eq!(words.first().map(String::as_str), Some("opsbook"), "an invalid command example runs opsbook");
    let out = opsbook().args(&words[1..]).current_dir(dir.path()).output().expect("run opsbook");
    assert!(!out.status.success(), "`{line}` succeeded");
    String::from_utf8_lossy(&out.stderr).replace(&dir.path().display().to_string(), ".").trim_end().to_string()
}

#[test]
fn invalid_examples_fail_with_the_documented_message() {
    let bless = std::env::var_os("OPSBOOK_BLESS_DOCS").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for (page, blocks) in all_blocks() {
        let mut fixes: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        for (i, b) in blocks.iter().enumerate().filter(|(_, b)| b.has("invalid")) {
            let shown = blocks.get(i + 1).filter(|n| n.info == "text");
            let shown = shown.unwrap_or_else(|| panic!("{}: an invalid example needs its ```text output next", b.at()));
            let actual = actual_output(b, &shown.body);
            count += 1;
            if actual.is_empty() {
                failures.push(format!("{}: the example is accepted", b.at()));
            } else if actual != shown.body.trim_end() {
                failures.push(format!("{}: opsbook prints\n{actual}\n", b.at()));
                let pad = " ".repeat(shown.indent);
                let text: String = actual
                    .lines()
                    .map(|l| if l.is_empty() { "\n".to_string() } else { format!("{pad}{l}\n") })
                    .collect();
                fixes.push((shown.body_range.clone(), text));
            }
        }
        if bless && !fixes.is_empty() {
            let mut src = page.src.clone();
            for (range, text) in fixes.into_iter().rev() {
                src.replace_range(range, &text);
            }
            std::fs::write(docs_dir().join("content").join(&page.rel), src).expect("bless the guide");
        }
    }
    assert!(count >= 25, "only {count} invalid examples found");
    assert!(
        failures.is_empty(),
        "invalid examples whose output differs from the guide (OPSBOOK_BLESS_DOCS=1 rewrites it):\n{}",
        failures.join("\n")
    );
}

/// Words of a shell line: double and single quotes group, `#` starts a
/// comment.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, '#') if !started => break,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// The commands of a shell example: one per line and per `&&`, without
/// redirections.
fn commands(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .flat_map(|l| l.split("&&"))
        .map(|c| {
            let mut words = shell_words(c);
            if let Some(i) = words.iter().position(|w| w == ">" || w == "2>") {
                words.truncate(i);
            }
            words
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The command lines of a CI file: `- run: …` and `- …` script steps.
fn ci_commands(yaml: &str) -> Vec<Vec<String>> {
    let lines: Vec<String> = yaml
        .lines()
        .map(|l| l.trim().trim_start_matches("- ").trim_start_matches("run: ").to_string())
        .filter(|l| l.starts_with("opsbook ") || l.starts_with("cargo "))
        .collect();
    commands(&lines.join("\n"))
}

/// `opsbook …` parsed by the real CLI (with `--help`, so nothing runs).
#[track_caller]
fn parses(words: &[String], at: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = opsbook().args(&words[1..]).arg("--help").current_dir(dir.path()).output().expect("run opsbook");
    assert!(
        out.status.success(),
        "{at}: `{}` is not a valid command:\n{}",
        words.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Programs besides opsbook that command examples may use.
const OTHER_PROGRAMS: &[&str] = &["cargo", "cd", "python3"];

#[test]
fn command_examples_parse_with_the_real_cli() {
    let mut count = 0;
    for (_, blocks) in all_blocks() {
        for b in &blocks {
            let cmds = match (b.lang(), b.has("invalid")) {
                ("sh", false) => commands(&b.body),
                ("yaml", _) if b.has("ci") => {
                    let parsed: Result<serde_json::Value, _> = serde_saphyr::from_str(&b.body);
                    assert!(parsed.is_ok(), "{}: not valid YAML: {parsed:?}", b.at());
                    ci_commands(&b.body)
                }
                _ => continue,
            };
            for words in cmds {
                match words[0].as_str() {
                    "opsbook" => {
                        parses(&words, &b.at());
                        count += 1;
                    }
                    other => assert!(OTHER_PROGRAMS.contains(&other), "{}: unexpected program `{other}`", b.at()),
                }
            }
        }
    }
    assert!(count > 30, "only {count} commands found");
}

#[test]
fn getting_started_runs() {
    let guide = page("getting-started.md");
    let blocks = blocks(&guide);
    let first = |lang: &str, tag: &str| {
        blocks.iter().find(|b| b.lang() == lang && (tag.is_empty() || b.has(tag))).map(|b| b.body.clone())
    };
    let playbook = first("markdown", "").expect("the first playbook");
    let metric = first("toml", "metric").expect("the first metric");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cwd: PathBuf = dir.path().to_path_buf();
    for b in blocks.iter().filter(|b| b.lang() == "sh") {
        for words in commands(&b.body) {
            match words[0].as_str() {
                "cd" => cwd = cwd.join(&words[1]),
                "opsbook" if words.get(1).is_some_and(|w| w == "serve") => parses(&words, &b.at()),
                "opsbook" => {
                    let out = opsbook().args(&words[1..]).current_dir(&cwd).output().expect("run opsbook");
                    assert!(
                        out.status.success(),
                        "{}: `{}` failed:\n{}{}",
                        b.at(),
                        words.join(" "),
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                    // The guide then replaces the new files' placeholders with its examples.
                    match (words.get(1).map(String::as_str), words.get(2).map(String::as_str), words.get(3)) {
                        (Some("new"), Some("playbook"), Some(name)) => {
                            write(&cwd.join(format!("content/playbooks/{name}.md")), &playbook);
                        }
                        (Some("new"), Some("metric"), Some(name)) => {
                            write(&cwd.join(format!("content/metrics/{name}.toml")), &metric);
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    assert!(cwd.join("public/index.html").is_file(), "the first site is built");
    assert!(cwd.join("public/metrics/weekly_signups/index.html").is_file(), "the first metric has its page");
}

#[track_caller]
fn write(path: &Path, text: &str) {
    assert!(path.is_file(), "{} was not created", path.display());
    std::fs::write(path, text).expect("write");
}

#[test]
fn check_json_example_has_the_real_shape() {
    let shown = pages()
        .iter()
        .flat_map(blocks)
        .find(|b| b.lang() == "json" && b.has("check"))
        .expect("a JSON example of check");
    let shown: serde_json::Value = serde_json::from_str(&shown.body).expect("the JSON example parses");
    let site = Site::new().file("content/a.md", "See [the plan](plan.md).\n");
    let out =
        opsbook().args(["check", "--format", "json", "--root"]).arg(site.root()).output().expect("run opsbook check");
    let real: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check prints JSON");
    let keys = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
    };
    assert_eq!(keys(&shown), keys(&real), "top-level keys");
    assert_eq!(keys(&shown["problems"][0]), keys(&real["problems"][0]), "keys of a problem");
    assert_eq!(shown["format"], real["format"], "format number");
}

/// Every string literal in the source: the messages opsbook can print,
/// with `{…}` as wildcards.
fn message_patterns() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(repo().join("src")).into_iter().filter_map(Result::ok) {
        if entry.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let src = std::fs::read_to_string(entry.path()).expect("read source");
        let mut rest = src.as_str();
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            // A `'"'` character, or a raw string whose end is `"#`.
            if rest[..start].ends_with('\'') || rest[..start].ends_with("'\\") {
                rest = after;
                continue;
            }
            if rest[..start].ends_with("r#") {
                rest = after.split_once("\"#").map_or("", |(_, r)| r);
                continue;
            }
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else { break };
            let literal = after[..end].replace("\\\"", "\"");
            out.push(literal.split(['{', '}']).step_by(2).map(str::to_string).collect());
            rest = &after[end + 1..];
        }
    }
    out
}

/// Does `text` fit `pieces`, with anything between them?
fn fits(pieces: &[String], text: &str) -> bool {
    let Some((first, rest)) = pieces.split_first() else { return false };
    let Some(mut tail) = text.strip_prefix(first.as_str()) else { return false };
    for (i, piece) in rest.iter().enumerate() {
        if i + 1 == rest.len() {
            return tail.ends_with(piece.as_str());
        }
        match tail.find(piece.as_str()) {
            Some(at) => tail = &tail[at + piece.len()..],
            None => return false,
        }
    }
    tail.is_empty()
}

#[test]
fn messages_shown_in_the_guide_exist() {
    let patterns = message_patterns();
    let mut invented = Vec::new();
    for (_, blocks) in all_blocks() {
        for (i, b) in blocks.iter().enumerate() {
            let after_invalid = i > 0 && blocks[i - 1].has("invalid");
            if b.info != "text" || after_invalid {
                continue;
            }
            for line in b.body.lines() {
                let Some(message) = line.strip_prefix("error: ").or_else(|| line.strip_prefix("warning: ")) else {
                    continue;
                };
                if !patterns.iter().any(|p| fits(p, message)) {
                    invented.push(format!("{}: {line}", b.at()));
                }
            }
        }
    }
    assert!(invented.is_empty(), "messages in the guide that opsbook never prints:\n{}", invented.join("\n"));
}

#[test]
fn every_metric_of_the_guide_is_drawn_somewhere() {
    let used: BTreeMap<String, usize> = all_blocks()
        .iter()
        .flat_map(|(_, b)| b.clone())
        .filter(|b| matches!(b.info.as_str(), "chart" | "kpi" | "table"))
        .flat_map(|b| b.body.split('"').skip(1).step_by(2).map(str::to_string).collect::<Vec<_>>())
        .fold(BTreeMap::new(), |mut m, id| {
            *m.entry(id).or_default() += 1;
            m
        });
    for entry in std::fs::read_dir(docs_dir().join("content/metrics")).expect("metrics").filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".toml") {
            assert!(used.contains_key(id), "the example metric `{id}` is never drawn in the guide");
        }
    }
}
