//! The lexer against hand-checked tokens in every language, and a
//! property test of its invariant.

use super::super::langs::{self, Lang};
use super::*;
use proptest::prelude::*;

fn html(lang: &Lang, code: &str) -> String {
    let mut out = String::new();
    highlight(lang, code, &mut out);
    out
}

/// The highlighted tokens: (class, text), in order.
fn spans(lang: &Lang, code: &str) -> Vec<(String, String)> {
    let html = html(lang, code);
    let mut out = Vec::new();
    let mut rest = html.as_str();
    while let Some(i) = rest.find("<span class=\"") {
        let after = &rest[i + 13..];
        let q = after.find('"').unwrap_or(0);
        let close = after.find("</span>").unwrap_or(after.len());
        out.push((after[..q].to_string(), unescape(&after[q + 2..close])));
        rest = &after[close..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

fn strip(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = rest[i..].find('>').map_or("", |e| &rest[i + e + 1..]);
    }
    out.push_str(rest);
    unescape(&out)
}

fn has(spans: &[(String, String)], class: &str, text: &str) -> bool {
    spans.iter().any(|(c, t)| c == class && t == text)
}

#[track_caller]
fn expect(lang: &Lang, code: &str, wanted: &[(&str, &str)]) {
    let got = spans(lang, code);
    for (class, text) in wanted {
        assert!(has(&got, class, text), "{text:?} should be {class} in {code:?}; got {got:?}");
    }
    assert_eq!(strip(&html(lang, code)), code);
}

#[test]
fn sql() {
    expect(
        &langs::SQL,
        "SELECT channel, count(*) FROM signups\nWHERE day >= '2026-03-01' -- spring\nGROUP BY channel LIMIT 10;",
        &[
            (KEYWORD, "SELECT"),
            (BUILTIN, "count"),
            (KEYWORD, "FROM"),
            (STRING, "'2026-03-01'"),
            (COMMENT, "-- spring"),
            (KEYWORD, "BY"),
            (CONSTANT, "10"),
        ],
    );
    expect(&langs::SQL, "select /* all */ null::text", &[(COMMENT, "/* all */"), (CONSTANT, "null"), (TYPE, "text")]);
    // A name is plain, even when it contains a keyword.
    assert!(spans(&langs::SQL, "select selection").len() == 1);
}

#[test]
fn python() {
    expect(
        &langs::PYTHON,
        "@cache\ndef retention(users, day=1):\n    \"\"\"Share kept.\n    \"\"\"\n    return len(kept) / max(n, 1)  # never 0\nclass Report(Base): pass\nx = f'{a}' + rb\"raw\\\"",
        &[
            (BUILTIN, "@cache"),
            (KEYWORD, "def"),
            (FUNCTION, "retention"),
            (STRING, "\"\"\"Share kept.\n    \"\"\""),
            (BUILTIN, "len"),
            (COMMENT, "# never 0"),
            (TYPE, "Report"),
            (STRING, "f'{a}'"),
            (STRING, "rb\"raw\\\""),
        ],
    );
    // An apostrophe that never closes ends its string at the line's end.
    expect(&langs::PYTHON, "s = 'open\nreturn 1", &[(STRING, "'open"), (KEYWORD, "return")]);
}

#[test]
fn javascript_go_and_rust() {
    expect(
        &langs::JAVASCRIPT,
        "export function rate(kept) {\n  const s = `${kept}\n%`; // template\n  return kept.length / 2.5e-3;\n}",
        &[
            (KEYWORD, "export"),
            (FUNCTION, "rate"),
            (STRING, "`${kept}\n%`"),
            (COMMENT, "// template"),
            (CONSTANT, "2.5e-3"),
        ],
    );
    expect(
        &langs::GO,
        "func (s *Store) Get(id int) error {\n\treturn fmt.Errorf(`no %d`, id)\n}",
        &[(KEYWORD, "func"), (FUNCTION, "Get"), (TYPE, "int"), (TYPE, "error"), (STRING, "`no %d`")],
    );
    expect(
        &langs::RUST,
        "fn first<'a>(s: &'a str) -> Option<char> {\n    println!(\"{}\", r#\"a \"b\"\"#);\n    s.chars().next().or(Some('\\n'))\n}",
        &[
            (KEYWORD, "fn"),
            (FUNCTION, "first"),
            (KEYWORD, "'a"),
            (TYPE, "str"),
            (FUNCTION, "println!"),
            (STRING, "r#\"a \"b\"\"#"),
            (CONSTANT, "Some"),
            (STRING, "'\\n'"),
        ],
    );
}

#[test]
fn shell_and_console() {
    expect(
        &langs::SHELL,
        "# daily export\nexport DAY=$(date +%F)\nfor f in logs/*.gz; do\n  zcat \"$f\" | grep -c ERROR >> \"${DAY}.txt\"\ndone\nLANG=C sort -u out # done\ncat <<EOF\nnot $highlighted\nEOF\necho ok",
        &[
            (COMMENT, "# daily export"),
            (BUILTIN, "export"),
            (VARIABLE, "DAY"),
            (FUNCTION, "date"),
            (KEYWORD, "for"),
            (KEYWORD, "in"),
            (KEYWORD, "do"),
            (FUNCTION, "zcat"),
            (STRING, "\"$f\""),
            (FUNCTION, "grep"),
            (KEYWORD, "done"),
            (VARIABLE, "LANG"),
            (FUNCTION, "sort"),
            (COMMENT, "# done"),
            (STRING, "not $highlighted\n"),
            (BUILTIN, "echo"),
        ],
    );
    // Arguments are not commands; `#` inside a word is not a comment.
    let s = spans(&langs::SHELL, "git log a#b --format=x");
    assert_eq!(s, vec![(FUNCTION.to_string(), "git".to_string())]);
    expect(
        &langs::CONSOLE,
        "$ opsbook build \\\n    --strict\nbuilt 12 pages\n$ echo $?",
        &[(PUNCTUATION, "$"), (FUNCTION, "opsbook"), (BUILTIN, "echo"), (VARIABLE, "$?")],
    );
    assert!(!html(&langs::CONSOLE, "built 12 pages\n").contains("<span"));
}

#[test]
fn data_formats() {
    expect(
        &langs::JSON,
        "{\"name\": \"dau\", \"points\": [1, -2.5e3], \"ok\": true, \"none\": null}",
        &[(KEY, "\"name\""), (STRING, "\"dau\""), (CONSTANT, "-2.5e3"), (CONSTANT, "true"), (CONSTANT, "null")],
    );
    expect(
        &langs::YAML,
        "---\n# ci\njobs:\n  test:\n    - run: |\n        cargo test # not a comment\n      env: {a: 1}\n    - name: \"build\"\n      count: 3\n      on: yes\n      ref: *base\nurl: http://x:80/a",
        &[
            (PUNCTUATION, "---"),
            (COMMENT, "# ci"),
            (KEY, "jobs"),
            (KEY, "run"),
            (STRING, "cargo test # not a comment"),
            (KEY, "env"),
            (STRING, "\"build\""),
            (CONSTANT, "3"),
            (CONSTANT, "yes"),
            (VARIABLE, "*base"),
            (KEY, "url"),
        ],
    );
    expect(
        &langs::TOML,
        "# metric\n[metric]\nid = \"dau\"\ntargets = [\n  { from = 2026-01-01, value = 1_200 },\n]\n\"quoted key\".x = '''\nmany\n'''\nat = 1979-05-27 07:32:00Z\n[[series]]\nok = true",
        &[
            (COMMENT, "# metric"),
            (FUNCTION, "[metric]"),
            (KEY, "id"),
            (STRING, "\"dau\""),
            (KEY, "from"),
            (CONSTANT, "2026-01-01"),
            (CONSTANT, "1_200"),
            (KEY, "\"quoted key\""),
            (KEY, "x"),
            (STRING, "'''\nmany\n'''"),
            (CONSTANT, "1979-05-27 07:32:00Z"),
            (FUNCTION, "[[series]]"),
            (CONSTANT, "true"),
        ],
    );
}

#[test]
fn operations_configuration() {
    expect(
        &langs::HCL,
        "# state\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"ops-logs\"\n  count  = var.enabled ? 1 : 0\n  tags   = merge(local.tags, { team = \"ops\" })\n}",
        &[
            (COMMENT, "# state"),
            (KEYWORD, "resource"),
            (STRING, "\"aws_s3_bucket\""),
            (KEY, "bucket"),
            (KEY, "count"),
            (CONSTANT, "1"),
            (FUNCTION, "merge"),
            (KEY, "team"),
        ],
    );
    // `==` compares; it does not make a key.
    assert!(!spans(&langs::HCL, "x == y").iter().any(|(c, _)| c == KEY));
    expect(
        &langs::INI,
        "; service\n[Unit]\nDescription=Nightly export\nRestart = on\nTimeoutSec: 30\nUser = \"ops\"\nPath=$HOME/bin",
        &[
            (COMMENT, "; service"),
            (FUNCTION, "[Unit]"),
            (KEY, "Description"),
            (CONSTANT, "on"),
            (KEY, "TimeoutSec"),
            (CONSTANT, "30"),
            (STRING, "\"ops\""),
            (VARIABLE, "$HOME/bin"),
        ],
    );
    expect(
        &langs::DOCKERFILE,
        "# build\nFROM rust:1.95 AS build\nENV PATH=/app/bin:$PATH\nRUN apt-get update \\\n    && apt-get install -y git\nCMD [\"opsbook\", \"serve\"]",
        &[
            (COMMENT, "# build"),
            (KEYWORD, "FROM"),
            (KEYWORD, "AS"),
            (KEYWORD, "ENV"),
            (VARIABLE, "PATH"),
            (VARIABLE, "$PATH"),
            (KEYWORD, "RUN"),
            (FUNCTION, "apt-get"),
            (KEYWORD, "CMD"),
            (STRING, "\"opsbook\""),
        ],
    );
    // On a continued line, a command comes after `&&`; the rest are arguments.
    let s = spans(&langs::DOCKERFILE, "RUN a \\\n  && b \\\n  c\n");
    assert!(has(&s, FUNCTION, "b") && !has(&s, FUNCTION, "c"), "{s:?}");
}

proptest! {
    /// Any input, in any language: no panic, and the text comes back
    /// exactly once the tags are taken out.
    #[test]
    fn output_is_the_code_escaped_with_spans_around_tokens(
        code in "[a-z0-9 \\n\\t'\"`$#@!&|;(){}\\[\\]<>=:,./\\\\*-]{0,80}|.{0,40}",
    ) {
        for lang in [
            &langs::SQL, &langs::PYTHON, &langs::JAVASCRIPT, &langs::GO, &langs::RUST,
            &langs::SHELL, &langs::CONSOLE, &langs::JSON, &langs::YAML, &langs::TOML,
            &langs::HCL, &langs::INI, &langs::DOCKERFILE,
        ] {
            let out = html(lang, &code);
            prop_assert_eq!(strip(&out), code.clone());
            prop_assert_eq!(out.matches("<span").count(), out.matches("</span>").count());
        }
    }
}
