//! A reader over a parsed TOML document that records every problem (wrong
//! type, unknown key, missing key) with its span instead of stopping at the
//! first, as serde would.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Diagnostics, Phase, closest};

/// Shared state of one walk: the file, its text and the problems found.
pub struct Walk<'t> {
    pub file: &'t Path,
    pub text: &'t str,
    pub diags: Diagnostics,
}

impl<'t> Walk<'t> {
    pub fn error(
        &mut self,
        phase: Phase,
        span: Option<Range<usize>>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::at(phase, self.file, self.text, span, msg));
        self.diags.0.last_mut().expect("just pushed")
    }
}

/// A table being read: remembers which keys were asked for so that the rest
/// can be reported as unknown.
pub struct Obj<'a, 'i> {
    table: &'a DeTable<'i>,
    /// Dotted path for messages, e.g. `source[2].csv`.
    pub path: String,
    /// Span of the table (or of its header) for "missing key" messages.
    pub span: Range<usize>,
    known: Vec<&'static str>,
}

pub type Val<'a, 'i> = &'a Spanned<DeValue<'i>>;

pub fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Obj<'a, 'i> {
    pub fn new(table: &'a DeTable<'i>, path: impl Into<String>, span: Range<usize>) -> Self {
        Obj {
            table,
            path: path.into(),
            span,
            known: Vec::new(),
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value of a key, marking the key as known.
    pub fn value(&mut self, key: &'static str) -> Option<Val<'a, 'i>> {
        self.known.push(key);
        self.table.get(key)
    }

    /// The keys of this table, in file order, with their spans.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = (&'a Spanned<std::borrow::Cow<'i, str>>, Val<'a, 'i>)> {
        self.table.iter()
    }

    pub fn str(&mut self, w: &mut Walk<'_>, key: &'static str) -> Option<Spanned<String>> {
        let v = self.value(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
            other => {
                let p = self.key_path(key);
                w.error(
                    Phase::Schema,
                    Some(v.span()),
                    format!("`{p}` must be a string, found {}", type_name(other)),
                );
                None
            }
        }
    }

    pub fn required_str(
        &mut self,
        w: &mut Walk<'_>,
        key: &'static str,
        hint: &str,
    ) -> Option<Spanned<String>> {
        let present = self.table.get(key).is_some();
        let v = self.str(w, key);
        if !present {
            let p = self.key_path(key);
            w.error(
                Phase::Schema,
                Some(self.span.clone()),
                format!("`{p}` is required"),
            )
            .help = Some(hint.to_string());
        }
        v
    }

    pub fn int(&mut self, w: &mut Walk<'_>, key: &'static str) -> Option<Spanned<i64>> {
        let v = self.value(key)?;
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        if parsed.is_none() {
            let p = self.key_path(key);
            w.error(
                Phase::Schema,
                Some(v.span()),
                format!("`{p}` must be an integer, found {}", type_name(v.get_ref())),
            );
        }
        parsed.map(|i| Spanned::new(v.span(), i))
    }

    pub fn bool(&mut self, w: &mut Walk<'_>, key: &'static str) -> Option<Spanned<bool>> {
        let v = self.value(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Spanned::new(v.span(), *b)),
            other => {
                let p = self.key_path(key);
                w.error(
                    Phase::Schema,
                    Some(v.span()),
                    format!("`{p}` must be true or false, found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// A string that must be one of `allowed`.
    pub fn choice(
        &mut self,
        w: &mut Walk<'_>,
        key: &'static str,
        allowed: &[&'static str],
    ) -> Option<Spanned<&'static str>> {
        let s = self.str(w, key)?;
        match allowed.iter().find(|a| **a == s.get_ref().as_str()) {
            Some(a) => Some(Spanned::new(s.span(), *a)),
            None => {
                let p = self.key_path(key);
                let d = w.error(
                    Phase::Schema,
                    Some(s.span()),
                    format!(
                        "`{p}` = \"{}\" is not one of: {}",
                        s.get_ref(),
                        allowed.join(", ")
                    ),
                );
                if let Some(c) = closest(s.get_ref(), allowed.iter().copied()) {
                    d.help = Some(format!("did you mean \"{c}\"?"));
                }
                None
            }
        }
    }

    pub fn table(&mut self, w: &mut Walk<'_>, key: &'static str) -> Option<Obj<'a, 'i>> {
        let v = self.value(key)?;
        let p = self.key_path(key);
        match v.get_ref() {
            DeValue::Table(t) => Some(Obj::new(t, p, v.span())),
            other => {
                w.error(
                    Phase::Schema,
                    Some(v.span()),
                    format!("`{p}` must be a table, found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// An array of tables (`[[key]]`).
    pub fn tables(&mut self, w: &mut Walk<'_>, key: &'static str) -> Vec<Obj<'a, 'i>> {
        let Some(v) = self.value(key) else {
            return Vec::new();
        };
        let p = self.key_path(key);
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item.get_ref() {
                    DeValue::Table(t) => Some(Obj::new(t, format!("{p}[{}]", i + 1), item.span())),
                    other => {
                        w.error(
                            Phase::Schema,
                            Some(item.span()),
                            format!("`{p}` must hold tables, found {}", type_name(other)),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                w.error(
                    Phase::Schema,
                    Some(v.span()),
                    format!(
                        "`{p}` must be an array of tables (write [[{key}]]), found {}",
                        type_name(other)
                    ),
                );
                Vec::new()
            }
        }
    }

    pub fn str_array(
        &mut self,
        w: &mut Walk<'_>,
        key: &'static str,
    ) -> Option<Vec<Spanned<String>>> {
        let v = self.value(key)?;
        let p = self.key_path(key);
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => out.push(Spanned::new(item.span(), s.to_string())),
                        other => {
                            w.error(
                                Phase::Schema,
                                Some(item.span()),
                                format!("`{p}` must hold strings, found {}", type_name(other)),
                            );
                        }
                    }
                }
                Some(out)
            }
            other => {
                w.error(
                    Phase::Schema,
                    Some(v.span()),
                    format!(
                        "`{p}` must be an array of strings, found {}",
                        type_name(other)
                    ),
                );
                None
            }
        }
    }

    /// Report every key that no reader asked for, suggesting the closest known key.
    pub fn finish(self, w: &mut Walk<'_>) {
        for (key, _) in self.table.iter() {
            let k: &str = key.get_ref();
            if self.known.contains(&k) {
                continue;
            }
            let p = self.key_path(k);
            let d = w.error(
                Phase::Schema,
                Some(key.span()),
                format!("unknown key `{p}`"),
            );
            d.help = Some(match closest(k, self.known.iter().copied()) {
                Some(c) => {
                    format!("did you mean `{c}`? (the README's pipeline reference lists every key)")
                }
                None => format!("valid keys here: {}", self.known.join(", ")),
            });
        }
    }
}
