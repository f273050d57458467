//! Themes: templates, static assets and UI strings.
//!
//! The default theme (`themes/default/`) is embedded in the binary. A site
//! may pick another theme under `<root>/themes/<name>/` and may override any
//! template file by file from `<root>/templates/`; later layers win.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Span};

#[derive(rust_embed::Embed)]
#[folder = "themes/default/"]
struct DefaultTheme;

pub struct Theme {
    /// Template name (`page.html`) → source, overrides applied.
    pub templates: BTreeMap<String, String>,
    /// Path under the theme's `static/` → bytes; written under `assets/`.
    pub assets: BTreeMap<String, Cow<'static, [u8]>>,
    /// UI strings for the site language.
    pub strings: BTreeMap<String, String>,
}

impl Theme {
    pub fn load(root: &Path, name: Option<&str>, language: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut theme = Theme { templates: BTreeMap::new(), assets: BTreeMap::new(), strings: BTreeMap::new() };
        let mut diags = Vec::new();
        let mut i18n_src: Option<(String, String)> = None;
        let i18n_name = format!("i18n/{language}.toml");
        for path in DefaultTheme::iter() {
            let Some(file) = DefaultTheme::get(&path) else {
                continue;
            };
            if let Some(t) = path.strip_prefix("templates/") {
                theme.templates.insert(t.to_string(), String::from_utf8_lossy(&file.data).into_owned());
            } else if let Some(a) = path.strip_prefix("static/") {
                theme.assets.insert(a.to_string(), file.data);
            } else if path == i18n_name {
                i18n_src =
                    Some((format!("themes/default/{i18n_name}"), String::from_utf8_lossy(&file.data).into_owned()));
            }
        }
        let mut layers = Vec::new();
        if let Some(name) = name {
            let dir = root.join("themes").join(name);
            if !dir.is_dir() {
                return Err(vec![
                    Diagnostic::error(format!("theme `{name}` not found"))
                        .at(Span::find(crate::config::FILE_NAME, &read(&root.join(crate::config::FILE_NAME)), name))
                        .hint(format!(
                            "create `themes/{name}/templates/`, or remove `theme` to use the built-in theme"
                        )),
                ]);
            }
            layers.push((dir.join("templates"), Some(dir.join("static")), Some(dir.join(&i18n_name))));
        }
        layers.push((root.join("templates"), None, None));
        for (templates, statics, i18n) in layers {
            for (rel, path) in files_under(&templates) {
                match std::fs::read_to_string(&path) {
                    Ok(s) => {
                        theme.templates.insert(rel, s);
                    }
                    Err(e) => diags.push(Diagnostic::error(format!("cannot read template: {e}")).at(Span::file(&rel))),
                }
            }
            for (rel, path) in statics.as_deref().map(files_under).unwrap_or_default() {
                if let Ok(bytes) = std::fs::read(&path) {
                    theme.assets.insert(rel, Cow::Owned(bytes));
                }
            }
            if let Some(i18n) = i18n.filter(|p| p.is_file()) {
                i18n_src = Some((crate::diagnostics::display_path(&i18n, root), read(&i18n)));
            }
        }
        if let Some((file, src)) = i18n_src {
            match toml::from_str::<BTreeMap<String, String>>(&src) {
                Ok(map) => theme.strings = map,
                Err(e) => diags.push(crate::diagnostics::from_toml_error(&file, &src, 0, &e)),
            }
        }
        if diags.is_empty() { Ok(theme) } else { Err(diags) }
    }

    /// A UI string, or `fallback` when the theme does not define it.
    pub fn string<'a>(&'a self, key: &str, fallback: &'a str) -> &'a str {
        self.strings.get(key).map_or(fallback, String::as_str)
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn files_under(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (crate::diagnostics::display_path(e.path(), dir), e.into_path()))
        .collect()
}
