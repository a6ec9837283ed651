//! Shared record types of firmlink: canonical fields, the columnar [`Table`]
//! that stages hand to each other, and [`Quarantined`] rows. No logic beyond
//! building and reading these values.
//!
//! Data flows as follows: `ingest` turns each source row into a [`RawRecord`]
//! (canonical field values as text, in the slot order of [`fields`] for the
//! source's [`Kind`], plus named extra columns) or a [`Quarantined`] row;
//! `normalize` (driven by `pipeline`) turns raw records into a [`Table`] of
//! typed, normalized columns; later stages read and extend tables.
//!
//! ```
//! use firmlink_model::{Column, Table};
//! let mut t = Table::new(2);
//! t.push("name", Column::from_strs([Some("Acme"), None]));
//! t.push("employees", Column::F64(vec![Some(120.0), None]));
//! assert_eq!(t.str("name").unwrap().get(0), Some("Acme"));
//! ```

mod fields;
mod table;

pub use fields::{ACCOUNT_FIELDS, CONTACT_FIELDS, FieldDef, FieldType, Kind, fields, slot};
pub use table::{Column, StrColumn, Table, format_days};

use serde::Serialize;

/// One source row mapped to canonical fields, before normalization.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    /// Index of the source in the pipeline file (order of `[[source]]`).
    pub source: u16,
    /// The row's id in its source system, or a derived id (see `id_derived`).
    pub source_id: String,
    /// True when the row had no id and `source_id` was derived from its content.
    pub id_derived: bool,
    /// 1-based line of the row in its file (header = line 1); for Parquet the
    /// 1-based row number.
    pub line: u64,
    /// Canonical field values in the slot order of [`fields`]`(kind)`.
    pub fields: Vec<Option<String>>,
    /// Values of the source's extra columns, in the order the pipeline declares them.
    pub extras: Vec<Option<String>>,
}

/// What an extra column (`[source.extra]`) holds: text as read (the
/// default), a number or a date, so comparisons can use numeric and date
/// levels on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtraType {
    #[default]
    Text,
    Number,
    Date,
}

impl ExtraType {
    pub const NAMES: [&'static str; 3] = ["text", "number", "date"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(ExtraType::Text),
            "number" => Some(ExtraType::Number),
            "date" => Some(ExtraType::Date),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExtraType::Text => "text",
            ExtraType::Number => "number",
            ExtraType::Date => "date",
        }
    }
}

/// Why a row was quarantined. Codes are stable: they appear in `quarantine.csv`
/// and in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The CSV parser could not read the row (e.g. broken quoting).
    MalformedRow,
    /// The row has more or fewer fields than the header.
    FieldCount,
    /// A field is not valid text in the declared encoding.
    InvalidUtf8,
    /// A JSON Lines row is not a JSON object.
    InvalidJson,
    /// None of the fields required to identify a record has a value.
    MissingRequired,
    /// Another row of the same source already has this id.
    DuplicateId,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::MalformedRow,
        Reason::FieldCount,
        Reason::InvalidUtf8,
        Reason::InvalidJson,
        Reason::MissingRequired,
        Reason::DuplicateId,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::MalformedRow => "malformed_row",
            Reason::FieldCount => "field_count",
            Reason::InvalidUtf8 => "invalid_utf8",
            Reason::InvalidJson => "invalid_json",
            Reason::MissingRequired => "missing_required",
            Reason::DuplicateId => "duplicate_id",
        }
    }
}

/// A rejected input row: where it was, why, and the offending value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quarantined {
    /// Source name from the pipeline file.
    pub source: String,
    /// 1-based line (or row number for Parquet).
    pub line: u64,
    pub reason: Reason,
    /// The column concerned, when one is.
    pub column: Option<String>,
    /// The offending value (lossily decoded, shortened to 200 characters).
    pub value: Option<String>,
    /// A sentence saying what is wrong and what would fix it.
    pub message: String,
}

/// Shorten a value for quarantine output, on a character boundary.
pub fn shorten(value: &str, max_chars: usize) -> String {
    match value.char_indices().nth(max_chars) {
        Some((idx, _)) => format!("{}…", &value[..idx]),
        None => value.to_string(),
    }
}
