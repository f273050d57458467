//! The floor: parse and render every Markdown file of a corpus with bare
//! pulldown-cmark on all cores and write the HTML — no templates, links,
//! navigation or search. `cargo run --release --example floor -- <dir> <out> [--pretty]`.
//! opsbook's full build is compared against this in `bench/run.sh`.
//!
//! By default each page goes to `<path>.html`, beside the others; with
//! `--pretty`, to `<path>/index.html`, one folder per page as a site with
//! clean URLs (opsbook, Hugo, Zola) must write it. On ext4 creating those
//! ten thousand folders costs more than all the Markdown, so the runner
//! reports both.

use std::path::Path;

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: floor <corpus dir> <out dir>");
        std::process::exit(2);
    };
    let pretty = args.iter().any(|a| a == "--pretty");
    let root = Path::new(dir);
    let files: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().and_then(|x| x.to_str()) == Some("md"))
        .map(|e| e.into_path())
        .collect();
    let opts = pulldown_cmark::Options::ENABLE_TABLES
        | pulldown_cmark::Options::ENABLE_FOOTNOTES
        | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
        | pulldown_cmark::Options::ENABLE_TASKLISTS;
    files.par_iter().for_each(|path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut html = String::with_capacity(text.len() * 2);
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(&text, opts));
        let rel = path.strip_prefix(root).unwrap_or(path);
        let target = match pretty {
            true => Path::new(out).join(rel).with_extension("").join("index.html"),
            false => Path::new(out).join(rel).with_extension("html"),
        };
        if let Some(parent) = target.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(target, html);
    });
    eprintln!("rendered {} files", files.len());
}
