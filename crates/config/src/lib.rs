//! Pipeline files: TOML that data engineers write by hand, read into
//! validated settings for each stage.
//!
//! Two layers (STYLE 2): the file is walked once by [`load`], which reports
//! every problem at once in phases (syntax, schema, references; the
//! environment — files and headers — is checked by `ingest`), and produces a
//! [`Pipeline`]: resolved paths, parsed templates, canonical field slots.
//! Stages never read raw TOML.
//!
//! ```no_run
//! let pipeline = firmlink_config::load(std::path::Path::new("pipelines/demo.toml"))
//!     .unwrap_or_else(|diags| panic!("{diags}"));
//! for source in &pipeline.sources {
//!     println!("{} ({}) from {}", source.name, source.kind.as_str(), source.path.display());
//! }
//! ```

mod diag;
mod walk;

use std::ops::Range;
use std::path::{Path, PathBuf};

pub use firmlink_model::ExtraType;
use firmlink_model::{Kind, fields, slot};
use toml::de::DeTable;

pub use diag::{Diagnostic, Diagnostics, Phase, closest, locate};
use walk::{Obj, Walk};

/// A validated pipeline file.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The pipeline file as given.
    pub path: PathBuf,
    /// Its text (for diagnostics found later, e.g. missing columns).
    pub text: String,
    pub name: String,
    /// Folder that receives `runs/<run-id>/` and `latest`.
    pub output: PathBuf,
    /// Also write CSV copies of the output tables.
    pub write_csv: bool,
    /// Keep `normalized/<kind>.parquet` (every record, normalized) in the
    /// run folder: `explain` and `eval`'s threshold table read it.
    pub write_normalized: bool,
    /// Keep `pairs/<kind>.parquet` (the scored candidate pairs): `eval`'s
    /// threshold table reads it.
    pub write_pairs: bool,
    pub sources: Vec<Source>,
}

/// File format of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    Jsonl,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Jsonl => "jsonl",
        }
    }
}

/// Text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Invalid bytes quarantine the row.
    Utf8,
    /// ISO-8859-1: every byte is a character; never fails.
    Latin1,
    /// Windows-1252 (Latin-1 with “smart quotes”, € and friends in 0x80–0x9F).
    Windows1252,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    pub delimiter: u8,
    pub quote: u8,
    pub encoding: Encoding,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            quote: b'"',
            encoding: Encoding::Utf8,
        }
    }
}

/// How ambiguous dates like 03/05/2024 are read. ISO dates are always read as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Month first (US): 03/05/2024 is March 5.
    #[default]
    MonthFirst,
    /// Day first (Europe): 03/05/2024 is 3 May.
    DayFirst,
}

/// Per-source defaults used by the normalizers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    /// ISO alpha-2 country for phones and records without a country.
    pub country: Option<String>,
    /// ISO 4217 currency for amounts without one.
    pub currency: Option<String>,
    pub date_order: DateOrder,
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Column(String),
}

/// How a canonical field (or an extra column) is built from a source row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// The value of one source column.
    Column(String),
    /// Several columns and literal text, e.g. `{First Name} {Last Name}`.
    /// Empty when every referenced column is empty.
    Template(Vec<Part>),
    /// One part of a column split on a separator, e.g. part 2 of "Doe, Jane"
    /// split on ",". Parts are 1-based; -1 is the last.
    Split {
        column: String,
        separator: String,
        part: i64,
    },
}

impl Mapping {
    /// The source columns this mapping reads.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Mapping::Column(c) => vec![c.as_str()],
            Mapping::Template(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Column(c) => Some(c.as_str()),
                    Part::Text(_) => None,
                })
                .collect(),
            Mapping::Split { column, .. } => vec![column.as_str()],
        }
    }
}

/// An extra (non-canonical) column of a source: `x_<name>` in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra {
    pub name: String,
    pub mapping: Mapping,
    /// Text (default), number or date.
    pub ty: ExtraType,
    /// Where the extra is declared in the pipeline file.
    pub span: Range<usize>,
}

/// A source column named by the pipeline file, with where it was named
/// (to point at the pipeline line when the file lacks the column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    pub column: String,
    pub span: Range<usize>,
}

/// One `[[source]]`.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub kind: Kind,
    /// Resolved against the pipeline file's folder.
    pub path: PathBuf,
    pub format: Format,
    /// Survivorship: a smaller number wins (1 = most trusted).
    pub priority: i64,
    /// Column holding the source system's own id. Rows without one get a
    /// stable id derived from their content.
    pub id: Option<String>,
    pub csv: CsvOptions,
    pub defaults: Defaults,
    /// Canonical field slot (see `firmlink_model::fields`) → mapping.
    pub columns: Vec<(usize, Mapping)>,
    /// Extra (non-canonical) columns carried as `x_<name>`.
    pub extras: Vec<Extra>,
    /// A row needs a value in at least one of these canonical slots.
    pub required_any: Vec<usize>,
    /// Every source column the file names, for header checks.
    pub column_refs: Vec<ColumnRef>,
    /// Span of the `[[source]]` table in the pipeline file.
    pub span: Range<usize>,
}

/// Default `required_any` per kind, with the reason shown to users.
pub fn default_required(kind: Kind) -> (&'static [&'static str], &'static str) {
    match kind {
        Kind::Accounts => (
            &["name", "website"],
            "an account needs a name or a website: without either it cannot be matched, resolved or activated",
        ),
        Kind::Contacts => (
            &["email", "full_name", "last_name", "first_name"],
            "a contact needs an email or a name: without either it cannot be matched to a person or an account",
        ),
    }
}

/// Read and validate a pipeline file. On failure, every problem found.
pub fn load(path: &Path) -> Result<Pipeline, Diagnostics> {
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        // The file is there but is not UTF-8: a problem of its text (exit 3
        // like a syntax error), not of its path.
        Ok(Err(e)) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            let mut d = Diagnostics::default();
            d.push(
                Diagnostic::file(
                    Phase::Syntax,
                    path,
                    format!(
                        "the pipeline file is not UTF-8: byte {at} (line {line}) is 0x{:02X}",
                        bytes[at]
                    ),
                )
                .with_help("save the file as UTF-8 (TOML files are UTF-8)"),
            );
            return Err(d);
        }
        Err(e) => {
            let mut d = Diagnostics::default();
            d.push(
                Diagnostic::file(
                    Phase::Environment,
                    path,
                    format!("cannot read the pipeline file: {e}"),
                )
                .with_help("check the path; pipeline files usually live in pipelines/"),
            );
            return Err(d);
        }
    };
    parse(path, &text)
}

/// Validate pipeline text as if read from `path` (paths resolve against its folder).
pub fn parse(path: &Path, text: &str) -> Result<Pipeline, Diagnostics> {
    let mut w = Walk {
        file: path,
        text,
        diags: Diagnostics::default(),
    };
    let (doc, errors) = DeTable::parse_recoverable(text);
    for e in &errors {
        w.error(
            Phase::Syntax,
            e.span(),
            format!("TOML syntax: {}", e.message().trim()),
        );
    }
    if !errors.is_empty() {
        w.diags.sort();
        return Err(w.diags);
    }
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    };
    let mut root = Obj::new(doc.get_ref(), "", 0..0);

    let mut name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pipeline".into());
    let mut output = base.join("../out");
    let mut write_csv = false;
    let mut write_normalized = true;
    let mut write_pairs = true;
    if let Some(mut p) = root.table(&mut w, "pipeline") {
        if let Some(n) = p.str(&mut w, "name") {
            name = n.into_inner();
        }
        if let Some(o) = p.str(&mut w, "output") {
            output = base.join(o.get_ref());
        }
        if let Some(c) = p.bool(&mut w, "write_csv") {
            write_csv = c.into_inner();
        }
        if let Some(c) = p.bool(&mut w, "write_normalized") {
            write_normalized = c.into_inner();
        }
        if let Some(c) = p.bool(&mut w, "write_pairs") {
            write_pairs = c.into_inner();
        }
        p.finish(&mut w);
    }

    let mut sources = Vec::new();
    let source_tables = root.tables(&mut w, "source");
    if source_tables.is_empty() && root_has(&doc, "source").is_none() {
        w.error(
            Phase::Schema,
            Some(0..0),
            "the pipeline declares no sources",
        )
        .help = Some("add a [[source]] table with name, kind, path and [source.columns]".into());
    }
    for st in source_tables {
        if let Some(s) = read_source(&mut w, st, &base) {
            sources.push(s);
        }
    }
    // Source names are unique: they key the quarantine, the crosswalk and exports.
    for (i, s) in sources.iter().enumerate() {
        if sources[..i].iter().any(|o| o.name == s.name) {
            w.error(
                Phase::Reference,
                Some(s.span.clone()),
                format!("two sources are named `{}`", s.name),
            )
            .help = Some("source names must be unique; rename one".into());
        }
    }
    check_extra_types(&mut w, &sources);
    // `[matching.*]` is read by the unify stage (its settings are the
    // engine's types); `firmlink validate` checks it through the pipeline crate.
    let _ = root.value("matching");
    root.finish(&mut w);

    if w.diags.is_empty() {
        Ok(Pipeline {
            path: path.to_path_buf(),
            text: text.to_string(),
            name,
            output,
            write_csv,
            write_normalized,
            write_pairs,
            sources,
        })
    } else {
        w.diags.sort();
        Err(w.diags)
    }
}

/// An extra column of one kind is one output column, so every source that
/// declares it must give it the same type; a typed extra also writes
/// `x_<name>_original` (the text as read), which no other extra may be named.
fn check_extra_types(w: &mut Walk<'_>, sources: &[Source]) {
    use std::collections::HashMap;
    // The first declaration of each extra of a kind gives its type (as the
    // normalizer reads it); later ones must agree.
    let mut first: HashMap<(Kind, &str), (&Source, &Extra)> = HashMap::new();
    for s in sources {
        for x in &s.extras {
            let (o, e) = *first.entry((s.kind, x.name.as_str())).or_insert((s, x));
            if e.ty != x.ty {
                w.error(
                    Phase::Reference,
                    Some(x.span.clone()),
                    format!(
                        "extra column `{}` is a {} here but a {} in source `{}`",
                        x.name,
                        x.ty.as_str(),
                        e.ty.as_str(),
                        o.name
                    ),
                )
                .help = Some(format!(
                    "x_{} is one column for every {} source: give it the same type everywhere, or another name",
                    x.name,
                    s.kind.as_str()
                ));
            }
        }
    }
    for s in sources {
        for x in &s.extras {
            if let Some(base) = x.name.strip_suffix("_original")
                && first
                    .get(&(s.kind, base))
                    .is_some_and(|(_, e)| e.ty != ExtraType::Text)
            {
                w.error(
                    Phase::Reference,
                    Some(x.span.clone()),
                    format!(
                        "extra column `{}` would collide with the text kept beside the typed extra `{base}` (x_{base}_original)",
                        x.name
                    ),
                )
                .help = Some("rename this extra column".into());
            }
        }
    }
}

fn root_has<'a>(
    doc: &'a toml::Spanned<DeTable<'_>>,
    key: &str,
) -> Option<&'a toml::Spanned<toml::de::DeValue<'a>>> {
    doc.get_ref().get(key)
}

fn read_source(w: &mut Walk<'_>, mut t: Obj<'_, '_>, base: &Path) -> Option<Source> {
    let name = t.required_str(
        w,
        "name",
        "give each source a short unique name, e.g. name = \"crm_accounts\"",
    );
    let kind = t.choice(w, "kind", &["accounts", "contacts"]);
    if kind.is_none() && !t.entries().any(|(k, _)| k.get_ref() == "kind") {
        w.error(
            Phase::Schema,
            Some(t.span.clone()),
            format!("`{}.kind` is required", t.path),
        )
        .help = Some("kind = \"accounts\" for companies, kind = \"contacts\" for people".into());
    }
    let path = t.required_str(
        w,
        "path",
        "path = \"../fixtures/demo/crm_accounts.csv\" (relative to this pipeline file)",
    );
    let format = t.choice(w, "format", &["csv", "parquet", "jsonl"]);
    let priority = t.int(w, "priority");
    let id = t.str(w, "id");
    let required_any = t.str_array(w, "required_any");

    let mut csv = CsvOptions::default();
    if let Some(mut c) = t.table(w, "csv") {
        if let Some(d) = c.str(w, "delimiter") {
            match single_byte(d.get_ref()) {
                Some(b) => csv.delimiter = b,
                None => {
                    w.error(
                        Phase::Schema,
                        Some(d.span()),
                        format!(
                            "`{}.delimiter` must be one ASCII character, found \"{}\"",
                            c.path,
                            d.get_ref()
                        ),
                    )
                    .help = Some("use \",\", \";\", \"|\" or \"\\t\"".into());
                }
            }
        }
        if let Some(q) = c.str(w, "quote") {
            match single_byte(q.get_ref()) {
                Some(b) => csv.quote = b,
                None => {
                    w.error(
                        Phase::Schema,
                        Some(q.span()),
                        format!(
                            "`{}.quote` must be one ASCII character, found \"{}\"",
                            c.path,
                            q.get_ref()
                        ),
                    );
                }
            }
        }
        if let Some(e) = c.choice(w, "encoding", &["utf-8", "latin-1", "windows-1252"]) {
            csv.encoding = match *e.get_ref() {
                "latin-1" => Encoding::Latin1,
                "windows-1252" => Encoding::Windows1252,
                _ => Encoding::Utf8,
            };
        }
        c.finish(w);
    }

    let mut defaults = Defaults::default();
    if let Some(mut d) = t.table(w, "defaults") {
        if let Some(c) = d.str(w, "country") {
            let code = c.get_ref().trim().to_ascii_uppercase();
            if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
                defaults.country = Some(code);
            } else {
                w.error(
                    Phase::Schema,
                    Some(c.span()),
                    format!(
                        "`{}.country` must be an ISO 3166-1 alpha-2 code, found \"{}\"",
                        d.path,
                        c.get_ref()
                    ),
                )
                .help = Some("e.g. country = \"US\", \"DE\", \"GB\"".into());
            }
        }
        if let Some(c) = d.str(w, "currency") {
            let code = c.get_ref().trim().to_ascii_uppercase();
            if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
                defaults.currency = Some(code);
            } else {
                w.error(
                    Phase::Schema,
                    Some(c.span()),
                    format!(
                        "`{}.currency` must be an ISO 4217 code, found \"{}\"",
                        d.path,
                        c.get_ref()
                    ),
                )
                .help = Some("e.g. currency = \"USD\", \"EUR\"".into());
            }
        }
        if let Some(o) = d.choice(w, "date_order", &["month_first", "day_first"]) {
            defaults.date_order = if *o.get_ref() == "day_first" {
                DateOrder::DayFirst
            } else {
                DateOrder::MonthFirst
            };
        }
        d.finish(w);
    }

    let kind_v = kind.as_ref().map(|k| {
        if *k.get_ref() == "accounts" {
            Kind::Accounts
        } else {
            Kind::Contacts
        }
    });
    let mut columns = Vec::new();
    let mut refs = Vec::new();
    if let Some(id) = &id {
        refs.push(ColumnRef {
            column: id.get_ref().clone(),
            span: id.span(),
        });
    }
    match t.table(w, "columns") {
        Some(c) => {
            for (key, val) in c.entries() {
                let field: &str = key.get_ref();
                let Some((mapping, _)) =
                    read_mapping(w, &format!("{}.{field}", c.path), val, &mut refs, false)
                else {
                    continue;
                };
                let Some(kind) = kind_v else { continue };
                match slot(kind, field) {
                    Some(s) => columns.push((s, mapping)),
                    None => {
                        let valid = fields(kind).iter().map(|f| f.name);
                        let d = w.error(
                            Phase::Reference,
                            Some(key.span()),
                            format!("`{field}` is not a canonical {} field", kind.as_str()),
                        );
                        d.help = Some(match closest(field, valid) {
                            Some(c) => format!("did you mean `{c}`? Columns outside the canonical fields go in [source.extra]"),
                            None => "map it under [source.extra] to carry it as an extra column; `firmlink fields` lists the canonical fields".into(),
                        });
                    }
                }
            }
            // No `finish`: every key was checked above as a canonical field name.
        }
        None => {
            if !t.entries().any(|(k, _)| k.get_ref() == "columns") {
                w.error(Phase::Schema, Some(t.span.clone()), format!("`{}.columns` is required", t.path))
                    .help = Some("map the source's columns to canonical fields, e.g. [source.columns] name = \"Account Name\"".into());
            }
        }
    }
    let mut extras = Vec::new();
    if let Some(x) = t.table(w, "extra") {
        for (key, val) in x.entries() {
            let name: &str = key.get_ref();
            let valid_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid_name {
                w.error(Phase::Schema, Some(key.span()), format!("extra column name `{name}` must be lowercase letters, digits and _"))
                    .help = Some("the name becomes the output column `x_<name>`; e.g. segment_code = \"Segment Code\"".into());
                continue;
            }
            let span = val.span();
            let typed = read_mapping(w, &format!("{}.{name}", x.path), val, &mut refs, true);
            if let Some((mapping, ty)) = typed {
                extras.push(Extra {
                    name: name.to_string(),
                    mapping,
                    ty,
                    span,
                });
            }
        }
    }
    let span = t.span.clone();
    t.finish(w);

    let kind = kind_v?;
    let required_any = match required_any {
        Some(list) => {
            let mut slots = Vec::new();
            for f in list {
                match slot(kind, f.get_ref()) {
                    Some(s) => slots.push(s),
                    None => {
                        let valid = fields(kind).iter().map(|f| f.name);
                        let d = w.error(
                            Phase::Reference,
                            Some(f.span()),
                            format!(
                                "`{}` in required_any is not a canonical {} field",
                                f.get_ref(),
                                kind.as_str()
                            ),
                        );
                        if let Some(c) = closest(f.get_ref(), valid) {
                            d.help = Some(format!("did you mean `{c}`?"));
                        }
                    }
                }
            }
            slots
        }
        None => default_required(kind)
            .0
            .iter()
            .filter_map(|f| slot(kind, f))
            .collect(),
    };
    // A source that maps none of the fields a record needs would quarantine
    // every row as missing_required.
    let mapped = |s: &usize| columns.iter().any(|(c, _)| c == s);
    if !required_any.is_empty() && !required_any.iter().any(mapped) {
        let names: Vec<&str> = required_any
            .iter()
            .filter_map(|&s| fields(kind).get(s).map(|f| f.name))
            .collect();
        w.error(
            Phase::Reference,
            Some(span.clone()),
            format!(
                "source maps none of the fields a record needs ({}): every row would be quarantined",
                names.join(", ")
            ),
        )
        .help = Some("map at least one of them under [source.columns], or set required_any to fields the source has".into());
    }
    let path_s = path?;
    let resolved = base.join(path_s.get_ref());
    let format = match format {
        Some(f) => match *f.get_ref() {
            "parquet" => Format::Parquet,
            "jsonl" => Format::Jsonl,
            _ => Format::Csv,
        },
        None => match resolved
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("parquet") | Some("pq") => Format::Parquet,
            Some("jsonl") | Some("ndjson") => Format::Jsonl,
            Some("csv") | Some("tsv") | Some("txt") => Format::Csv,
            _ => {
                w.error(
                    Phase::Schema,
                    Some(path_s.span()),
                    format!(
                        "cannot tell the format of \"{}\" from its extension",
                        path_s.get_ref()
                    ),
                )
                .help = Some("add format = \"csv\", \"parquet\" or \"jsonl\"".into());
                return None;
            }
        },
    };
    Some(Source {
        name: name?.into_inner(),
        kind,
        path: resolved,
        format,
        priority: priority.map(|p| p.into_inner()).unwrap_or(10),
        id: id.map(|i| i.into_inner()),
        csv,
        defaults,
        columns,
        extras,
        required_any,
        column_refs: refs,
        span,
    })
}

fn single_byte(s: &str) -> Option<u8> {
    match s {
        "\\t" | "tab" => Some(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Some(s.as_bytes()[0]),
        _ => None,
    }
}

/// A mapping value: "Column", { template = "…" } or { column, split, part }.
/// A mapping (column, template or split); `typed` (extras only) also
/// reads an optional `type` ("text", "number" or "date").
fn read_mapping(
    w: &mut Walk<'_>,
    path: &str,
    val: walk::Val<'_, '_>,
    refs: &mut Vec<ColumnRef>,
    typed: bool,
) -> Option<(Mapping, ExtraType)> {
    let mut ty = ExtraType::Text;
    let m = read_mapping_with(w, path, val, refs, typed.then_some(&mut ty))?;
    Some((m, ty))
}

fn read_mapping_with(
    w: &mut Walk<'_>,
    path: &str,
    val: walk::Val<'_, '_>,
    refs: &mut Vec<ColumnRef>,
    ty: Option<&mut ExtraType>,
) -> Option<Mapping> {
    use toml::de::DeValue;
    match val.get_ref() {
        DeValue::String(s) => {
            if s.trim().is_empty() {
                w.error(
                    Phase::Schema,
                    Some(val.span()),
                    format!("`{path}` names an empty column"),
                );
                return None;
            }
            refs.push(ColumnRef {
                column: s.to_string(),
                span: val.span(),
            });
            Some(Mapping::Column(s.to_string()))
        }
        DeValue::Table(t) => {
            let mut o = Obj::new(t, path.to_string(), val.span());
            let template = o.str(w, "template");
            let column = o.str(w, "column");
            let split = o.str(w, "split");
            let part = o.int(w, "part");
            if let Some(ty) = ty
                && let Some(t) = o.choice(w, "type", &ExtraType::NAMES)
            {
                *ty = ExtraType::parse(t.get_ref()).expect("one of NAMES");
            }
            o.finish(w);
            match (template, column) {
                (Some(tpl), None) => match parse_template(tpl.get_ref()) {
                    Ok(parts) => {
                        for p in &parts {
                            if let Part::Column(c) = p {
                                refs.push(ColumnRef {
                                    column: c.clone(),
                                    span: tpl.span(),
                                });
                            }
                        }
                        Some(Mapping::Template(parts))
                    }
                    Err(e) => {
                        w.error(Phase::Reference, Some(tpl.span()), format!("`{path}.template`: {e}"))
                            .help = Some("write columns in braces, e.g. template = \"{First Name} {Last Name}\"; use {{ and }} for literal braces".into());
                        None
                    }
                },
                (None, Some(col)) => {
                    refs.push(ColumnRef {
                        column: col.get_ref().clone(),
                        span: col.span(),
                    });
                    match split {
                        Some(sep) if !sep.get_ref().is_empty() => {
                            let part = part.map(|p| p.into_inner()).unwrap_or(1);
                            if part == 0 {
                                w.error(Phase::Schema, Some(val.span()), format!("`{path}.part` is 1-based (or -1 for the last part), found 0"));
                                return None;
                            }
                            Some(Mapping::Split {
                                column: col.into_inner(),
                                separator: sep.into_inner(),
                                part,
                            })
                        }
                        Some(sep) => {
                            w.error(
                                Phase::Schema,
                                Some(sep.span()),
                                format!("`{path}.split` must not be empty"),
                            );
                            None
                        }
                        None => Some(Mapping::Column(col.into_inner())),
                    }
                }
                (Some(_), Some(_)) => {
                    w.error(
                        Phase::Schema,
                        Some(val.span()),
                        format!("`{path}` has both `template` and `column`"),
                    )
                    .help = Some(
                        "use either a template or a column (with optional split and part)".into(),
                    );
                    None
                }
                (None, None) => {
                    w.error(Phase::Schema, Some(val.span()), format!("`{path}` needs `template` or `column`"))
                        .help = Some("e.g. { template = \"{First} {Last}\" } or { column = \"Name\", split = \",\", part = 2 }".into());
                    None
                }
            }
        }
        other => {
            w.error(
                Phase::Schema,
                Some(val.span()),
                format!(
                    "`{path}` must be a column name or a table, found {}",
                    walk::type_name(other)
                ),
            );
            None
        }
    }
}

/// Parse `{Column} literal {Other}`; `{{`/`}}` are literal braces.
pub fn parse_template(s: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut col = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') => return Err(format!("nested '{{' in \"{s}\"")),
                        Some(c) => col.push(c),
                        None => return Err(format!("unclosed '{{' in \"{s}\"")),
                    }
                }
                if col.trim().is_empty() {
                    return Err(format!("empty column name in \"{s}\""));
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Column(col));
            }
            '}' => return Err(format!("unmatched '}}' in \"{s}\"")),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    if !parts.iter().any(|p| matches!(p, Part::Column(_))) {
        return Err(format!("\"{s}\" names no column"));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests;

/// Where a setting is in the pipeline text: `path` is dotted keys with
/// array indices, e.g. `matching.contacts.comparisons[6].column` (counted
/// from 0, as settings problems name them). The span of the deepest part of
/// the path that exists, so a problem with a setting the file does not
/// spell out points at the nearest table that does; `None` when the file
/// lacks even the first two parts (`[matching.contacts]` for a default
/// setting of contacts: pointing at another section would mislead).
pub fn span_of(text: &str, path: &str) -> Option<std::ops::Range<usize>> {
    enum Seg<'p> {
        Key(&'p str),
        Index(usize),
    }
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segs.push(Seg::Key(key));
        }
        while let Some(end) = rest.find(']') {
            segs.push(Seg::Index(rest[1..end].parse().ok()?));
            rest = &rest[end + 1..];
        }
    }
    let (doc, _) = DeTable::parse_recoverable(text);
    let mut found = None;
    let mut value: Option<&toml::Spanned<toml::de::DeValue<'_>>> = None;
    let mut table = Some(doc.get_ref());
    let mut depth = 0;
    for seg in segs {
        let next = match (seg, table, value) {
            (Seg::Key(k), Some(t), _) => t.get(k),
            (Seg::Index(i), _, Some(v)) => match v.get_ref() {
                toml::de::DeValue::Array(a) => a.get(i),
                _ => None,
            },
            _ => None,
        };
        let Some(v) = next else { break };
        depth += 1;
        found = Some(v.span());
        value = Some(v);
        table = match v.get_ref() {
            toml::de::DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    found.filter(|_| depth >= 2)
}
