//! The languages the lexer knows, as word tables. Every table is sorted
//! (binary search); SQL's are lower-case, as its words are compared folded.

/// How a language is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Words, strings, numbers and comments: SQL, Python, JavaScript, Go, Rust.
    Code,
    /// Commands and their arguments.
    Shell,
    /// A terminal session: `$ ` lines are shell, the rest is output.
    Console,
    Json,
    Yaml,
    Toml,
    /// `[section]` and `key = value` (or `key: value`) lines.
    Ini,
    /// Instructions, with shell after `RUN`, `CMD` and `ENTRYPOINT`.
    Dockerfile,
}

#[derive(Debug)]
pub struct Lang {
    pub family: Family,
    /// Line comments.
    pub comments: &'static [&'static str],
    /// Block comments, opening and closing.
    pub blocks: &'static [(&'static str, &'static str)],
    /// String delimiters, longest first: opening and closing, and whether a
    /// backslash escapes.
    pub strings: &'static [(&'static str, &'static str, bool)],
    /// Letters that may stand right before a quote to start a string
    /// (`f"…"`, `r'…'`, `b"…"`).
    pub prefixes: &'static [u8],
    pub keywords: &'static [&'static str],
    /// Words after which the next word is a function's name.
    pub fn_defs: &'static [&'static str],
    /// Words after which the next word is a type's name.
    pub type_defs: &'static [&'static str],
    pub types: &'static [&'static str],
    pub builtins: &'static [&'static str],
    pub literals: &'static [&'static str],
    /// Words compared without case (SQL).
    pub fold_case: bool,
    /// `@name` is a decorator (Python) or annotation.
    pub decorators: bool,
    /// `name!` is a macro (Rust); `'a` a lifetime.
    pub rust: bool,
    /// A name before `=` is a key (HCL's attributes).
    pub keys: bool,
}

const BASE: Lang = Lang {
    family: Family::Code,
    comments: &[],
    blocks: &[],
    strings: &[],
    prefixes: &[],
    keywords: &[],
    fn_defs: &[],
    type_defs: &[],
    types: &[],
    builtins: &[],
    literals: &[],
    fold_case: false,
    decorators: false,
    rust: false,
    keys: false,
};

/// The language a fence names, when the lexer knows it.
pub fn find(name: &str) -> Option<&'static Lang> {
    let mut lower = [0u8; 16];
    if name.len() > lower.len() {
        return None;
    }
    for (l, b) in lower.iter_mut().zip(name.bytes()) {
        *l = b.to_ascii_lowercase();
    }
    Some(match &lower[..name.len()] {
        b"sql" | b"psql" | b"postgresql" | b"postgres" | b"mysql" | b"sqlite" | b"plsql" | b"tsql" | b"bigquery"
        | b"hive" | b"presto" | b"trino" | b"clickhouse" => &SQL,
        b"python" | b"py" | b"python3" | b"py3" => &PYTHON,
        b"javascript" | b"js" | b"mjs" | b"cjs" | b"jsx" | b"typescript" | b"ts" | b"tsx" | b"mts" => &JAVASCRIPT,
        b"go" | b"golang" => &GO,
        b"rust" | b"rs" => &RUST,
        b"sh" | b"bash" | b"shell" | b"zsh" | b"ksh" | b"shellscript" => &SHELL,
        b"console" | b"shell-session" | b"shellsession" | b"terminal" | b"sh-session" => &CONSOLE,
        b"json" | b"jsonc" | b"json5" | b"geojson" => &JSON,
        b"yaml" | b"yml" => &YAML,
        b"toml" => &TOML,
        b"hcl" | b"terraform" | b"tf" | b"tfvars" => &HCL,
        b"ini" | b"cfg" | b"conf" | b"dosini" | b"editorconfig" | b"gitconfig" | b"systemd" => &INI,
        b"dockerfile" | b"docker" | b"containerfile" => &DOCKERFILE,
        _ => return None,
    })
}

#[rustfmt::skip]
pub static SQL: Lang = Lang {
    comments: &["--"],
    blocks: &[("/*", "*/")],
    strings: &[("'", "'", false), ("\"", "\"", false)],
    prefixes: b"eEnN",
    keywords: &[
        "add", "all", "alter", "analyze", "and", "any", "as", "asc", "begin", "between", "by", "cascade", "case",
        "check", "column", "commit", "constraint", "create", "cross", "cube", "default", "delete", "desc",
        "distinct", "drop", "else", "end", "escape", "except", "exists", "explain", "fetch", "filter", "first",
        "following", "for", "foreign", "from", "full", "function", "grant", "group", "grouping", "having", "if",
        "ilike", "in", "index", "inner", "insert", "intersect", "interval", "into", "is", "join", "key", "last",
        "lateral", "left", "like", "limit", "materialized", "merge", "natural", "next", "not", "nulls", "offset",
        "on", "only", "or", "order", "outer", "over", "partition", "preceding", "primary", "qualify", "range",
        "recursive", "references", "rename", "replace", "returning", "revoke", "right", "rollback", "rollup", "row",
        "rows", "select", "set", "sets", "similar", "table", "temp", "temporary", "then", "to", "top",
        "transaction", "truncate", "unbounded", "union", "unique", "update", "using", "values", "view", "when",
        "where", "window", "with", "within",
    ],
    types: &[
        "array", "bigint", "bigserial", "bit", "bool", "boolean", "bytea", "char", "date", "datetime", "decimal",
        "double", "float", "float64", "int", "int64", "integer", "json", "jsonb", "money", "numeric", "precision",
        "real", "serial", "smallint", "string", "text", "time", "timestamp", "timestamptz", "tinyint", "uuid",
        "varchar",
    ],
    builtins: &[
        "abs", "array_agg", "avg", "cast", "ceil", "coalesce", "concat", "count", "current_date",
        "current_timestamp", "date_add", "date_diff", "date_part", "date_sub", "date_trunc", "dense_rank",
        "extract", "first_value", "floor", "greatest", "lag", "last_value", "lead", "least", "length", "lower",
        "max", "median", "min", "now", "ntile", "nullif", "percentile_cont", "rank", "round", "row_number",
        "split_part", "stddev", "string_agg", "substring", "sum", "to_char", "to_date", "trim", "upper",
    ],
    literals: &["false", "null", "true", "unknown"],
    fold_case: true,
    ..BASE
};

#[rustfmt::skip]
pub static PYTHON: Lang = Lang {
    comments: &["#"],
    strings: &[("\"\"\"", "\"\"\"", true), ("'''", "'''", true), ("\"", "\"", true), ("'", "'", true)],
    prefixes: b"bBfFrRuU",
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "case", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "match", "nonlocal", "not",
        "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ],
    fn_defs: &["def"],
    type_defs: &["class"],
    types: &["bool", "bytes", "dict", "float", "frozenset", "int", "list", "object", "set", "str", "tuple"],
    builtins: &[
        "abs", "all", "any", "enumerate", "filter", "format", "getattr", "hasattr", "isinstance", "iter", "len",
        "map", "max", "min", "next", "open", "print", "range", "repr", "reversed", "round", "self", "setattr",
        "sorted", "sum", "super", "type", "zip",
    ],
    literals: &["False", "None", "NotImplemented", "True"],
    decorators: true,
    ..BASE
};

#[rustfmt::skip]
pub static JAVASCRIPT: Lang = Lang {
    comments: &["//"],
    blocks: &[("/*", "*/")],
    strings: &[("\"", "\"", true), ("'", "'", true), ("`", "`", true)],
    keywords: &[
        "abstract", "as", "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
        "declare", "default", "delete", "do", "else", "enum", "export", "extends", "finally", "for", "from",
        "function", "get", "if", "implements", "import", "in", "infer", "instanceof", "interface", "is", "keyof",
        "let", "namespace", "new", "of", "private", "protected", "public", "readonly", "return", "satisfies", "set",
        "static", "super", "switch", "this", "throw", "try", "type", "typeof", "var", "void", "while", "with",
        "yield",
    ],
    fn_defs: &["function"],
    type_defs: &["class", "enum", "interface", "type"],
    types: &["any", "bigint", "boolean", "never", "number", "object", "string", "symbol", "unknown"],
    builtins: &[
        "Array", "Date", "Error", "JSON", "Map", "Math", "Number", "Object", "Promise", "RegExp", "Set", "String",
        "console", "document", "fetch", "module", "parseFloat", "parseInt", "require", "setTimeout", "window",
    ],
    literals: &["Infinity", "NaN", "false", "null", "true", "undefined"],
    decorators: true,
    ..BASE
};

#[rustfmt::skip]
pub static GO: Lang = Lang {
    comments: &["//"],
    blocks: &[("/*", "*/")],
    strings: &[("\"", "\"", true), ("`", "`", false), ("'", "'", true)],
    keywords: &[
        "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func",
        "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct",
        "switch", "type", "var",
    ],
    fn_defs: &["func"],
    type_defs: &["type"],
    types: &[
        "any", "bool", "byte", "complex128", "complex64", "error", "float32", "float64", "int", "int16", "int32",
        "int64", "int8", "rune", "string", "uint", "uint16", "uint32", "uint64", "uint8", "uintptr",
    ],
    builtins: &[
        "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new",
        "panic", "print", "println", "real", "recover",
    ],
    literals: &["false", "iota", "nil", "true"],
    ..BASE
};

#[rustfmt::skip]
pub static RUST: Lang = Lang {
    comments: &["//"],
    blocks: &[("/*", "*/")],
    strings: &[("\"", "\"", true)],
    prefixes: b"br",
    keywords: &[
        "Self", "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
        "static", "struct", "super", "trait", "type", "unsafe", "use", "where", "while",
    ],
    fn_defs: &["fn"],
    type_defs: &["enum", "struct", "trait", "type"],
    types: &[
        "Box", "Option", "Result", "String", "Vec", "bool", "char", "f32", "f64", "i128", "i16", "i32", "i64", "i8",
        "isize", "str", "u128", "u16", "u32", "u64", "u8", "usize",
    ],
    literals: &["Err", "None", "Ok", "Some", "false", "true"],
    rust: true,
    ..BASE
};

#[rustfmt::skip]
pub static SHELL: Lang = Lang {
    family: Family::Shell,
    keywords: &[
        "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in", "select", "then", "until",
        "while",
    ],
    builtins: &[
        "alias", "cd", "declare", "echo", "eval", "exec", "exit", "export", "local", "printf", "pwd", "read",
        "readonly", "return", "set", "shift", "source", "test", "trap", "unset",
    ],
    ..BASE
};

#[rustfmt::skip]
pub static CONSOLE: Lang = Lang { family: Family::Console, ..SHELL };

#[rustfmt::skip]
pub static JSON: Lang = Lang {
    family: Family::Json,
    comments: &["//"],
    blocks: &[("/*", "*/")],
    strings: &[("\"", "\"", true)],
    literals: &["false", "null", "true"],
    ..BASE
};

#[rustfmt::skip]
pub static YAML: Lang = Lang {
    family: Family::Yaml,
    literals: &[
        "False", "N", "NO", "Null", "OFF", "ON", "TRUE", "True", "Y", "YES", "false", "no", "null", "off", "on",
        "true", "y", "yes", "~",
    ],
    ..BASE
};

#[rustfmt::skip]
pub static TOML: Lang = Lang {
    family: Family::Toml,
    comments: &["#"],
    strings: &[("\"\"\"", "\"\"\"", true), ("'''", "'''", false), ("\"", "\"", true), ("'", "'", false)],
    literals: &["false", "inf", "nan", "true"],
    ..BASE
};

#[rustfmt::skip]
pub static HCL: Lang = Lang {
    comments: &["#", "//"],
    blocks: &[("/*", "*/")],
    strings: &[("\"", "\"", true)],
    keywords: &[
        "check", "data", "dynamic", "else", "endfor", "endif", "for", "if", "import", "in", "locals", "module",
        "moved", "output", "provider", "removed", "resource", "terraform", "variable",
    ],
    types: &["any", "bool", "list", "map", "number", "object", "set", "string", "tuple"],
    literals: &["false", "null", "true"],
    keys: true,
    ..BASE
};

pub static INI: Lang = Lang { family: Family::Ini, literals: &["false", "no", "off", "on", "true", "yes"], ..BASE };

#[rustfmt::skip]
pub static DOCKERFILE: Lang = Lang {
    family: Family::Dockerfile,
    keywords: &[
        "ADD", "ARG", "AS", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
        "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    ],
    ..BASE
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for lang in [&SQL, &PYTHON, &JAVASCRIPT, &GO, &RUST, &SHELL, &JSON, &YAML, &TOML, &HCL, &INI, &DOCKERFILE] {
            for table in [lang.keywords, lang.types, lang.builtins, lang.literals, lang.fn_defs, lang.type_defs] {
                assert!(table.windows(2).all(|w| w[0] < w[1]), "{:?} is not sorted", table);
                if lang.fold_case {
                    assert!(table.iter().all(|w| *w == w.to_ascii_lowercase()), "{table:?}");
                }
            }
        }
    }

    #[test]
    fn fence_names_find_their_language() {
        assert!(std::ptr::eq(find("SQL").unwrap_or(&YAML), &SQL));
        assert!(std::ptr::eq(find("tsx").unwrap_or(&YAML), &JAVASCRIPT));
        assert!(find("haskell").is_none());
        assert!(find("a-name-longer-than-sixteen").is_none());
    }
}
