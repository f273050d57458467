//! Templates: the theme's tera templates turned into HTML pages.
//!
//! Templates are compiled once per build; site-wide values (`site`, `t`)
//! live in tera's global context so each page only adds its own. A template
//! error is reported with its whole cause chain.

use std::collections::BTreeMap;
use std::error::Error as _;

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Span};
use crate::theme::Theme;

pub struct Templates {
    tera: tera::Tera,
}

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    /// Absolute URL of the published site, when configured (the 404 page uses it).
    pub base_url: Option<&'a str>,
    /// The print page's path from the site root, when the site has one.
    pub print: Option<&'a str>,
}

impl Templates {
    pub fn new(theme: &Theme, site: &SiteView<'_>) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        let sources: Vec<(&str, &str)> = theme.templates.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if let Err(e) = tera.add_raw_templates(sources) {
            return Err(vec![template_error("cannot compile the theme's templates", &e)]);
        }
        let strings: BTreeMap<&str, &str> = theme.strings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let globals = tera.global_context();
        globals.insert("site", site);
        globals.insert("t", &strings);
        Ok(Templates { tera })
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// The page's bytes: templates are UTF-8 and so is everything they are
    /// given, so the output is not checked again.
    pub fn render(&self, name: &str, ctx: &tera::Context, page_file: &str) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(name, ctx, &mut out)
            .map_err(|e| template_error(&format!("cannot render template `{name}`"), &e).at(Span::file(page_file)))?;
        Ok(out)
    }
}

fn template_error(what: &str, err: &tera::Error) -> Diagnostic {
    let mut d = Diagnostic::error(format!("{what}: {err}"));
    let mut source = err.source();
    while let Some(cause) = source {
        d = d.hint(format!("caused by: {cause}"));
        source = cause.source();
    }
    d.hint("check the template named above; a site's `templates/` folder overrides the theme file by file")
}
