//! The columnar input of the engine: N records, the source dataset of each,
//! and named nullable columns of strings, numbers or dates.
//!
//! Every column is interned when it is built: each record holds a `u32` id
//! of its value (ids in order of first appearance, so runs are
//! reproducible), and the distinct values are stored once. Exact equality is
//! then an integer compare, blocking groups records by id, and term
//! frequencies are the per-id counts. Strings stay available for fuzzy
//! measures.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::LinkageError;

/// The id of a null value in [`Column`] id arrays.
pub(crate) const NULL: u32 = u32::MAX;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Text. Empty and whitespace-only strings are null.
    String,
    /// `f64`. `NaN` is null; `-0.0` equals `0.0`.
    Number,
    /// A date as days since 1970-01-01 (any fixed epoch works: only
    /// differences are used).
    Date,
}

impl std::fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ColumnKind::String => "string",
            ColumnKind::Number => "number",
            ColumnKind::Date => "date",
        })
    }
}

/// One value of one record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Missing.
    Null,
    /// Text (never empty).
    Str(&'a str),
    /// A number (never `NaN`).
    Num(f64),
    /// Days since the epoch.
    Date(i32),
}

impl Value<'_> {
    /// The value as text for explanations; `None` when null.
    pub fn render(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Str(s) => Some((*s).to_owned()),
            Value::Num(x) => Some(format!("{x}")),
            Value::Date(d) => Some(format_days(*d)),
        }
    }
}

/// Formats days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian).
pub fn format_days(days: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date, or `None` when the
/// date does not exist (e.g. February 30th).
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Option<i32> {
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_len = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if day > month_len[(month - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Interned strings: one arena and offsets by id.
#[derive(Debug, Clone, Default)]
pub(crate) struct StrValues {
    arena: String,
    offsets: Vec<usize>,
}

impl StrValues {
    fn new() -> Self {
        StrValues {
            arena: String::new(),
            offsets: vec![0],
        }
    }

    #[inline]
    pub(crate) fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let (start, end) = (self.offsets[id], self.offsets[id + 1]);
        assert!(start <= end && end <= self.arena.len());
        // SAFETY: offsets are only recorded by `push`, right after a whole
        // `&str` was appended, and the arena never shrinks: both are char
        // boundaries inside it (the checked slice re-tested them per read).
        unsafe { self.arena.get_unchecked(start..end) }
    }

    fn push(&mut self, s: &str) {
        self.arena.push_str(s);
        self.offsets.push(self.arena.len());
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Values {
    Str(StrValues),
    Num(Vec<f64>),
    Date(Vec<i32>),
}

/// One named column: an interned id per record plus the distinct values.
#[derive(Debug, Clone)]
pub struct Column {
    name: String,
    pub(crate) ids: Vec<u32>,
    pub(crate) counts: Vec<u32>,
    non_null: usize,
    pub(crate) values: Values,
}

impl Column {
    /// A string column. `None`, empty and whitespace-only strings are null;
    /// other values are kept exactly as given (normalise before).
    pub fn strings<I, S>(name: impl Into<String>, values: I) -> Column
    where
        I: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let hasher = foldhash::fast::FixedState::with_seed(0x5eed);
        let mut heads: FxHashMap<u64, u32> = FxHashMap::default();
        let mut chain: Vec<u32> = Vec::new();
        let mut strs = StrValues::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut ids = Vec::new();
        let mut non_null = 0;
        for v in values {
            let s = match &v {
                Some(s) if !s.as_ref().trim().is_empty() => s.as_ref(),
                _ => {
                    ids.push(NULL);
                    continue;
                }
            };
            non_null += 1;
            let h = hasher.hash_one(s);
            let mut found = NULL;
            if let Some(&head) = heads.get(&h) {
                let mut id = head;
                loop {
                    if strs.get(id) == s {
                        found = id;
                        break;
                    }
                    id = chain[id as usize];
                    if id == NULL {
                        break;
                    }
                }
            }
            if found == NULL {
                found = counts.len() as u32;
                strs.push(s);
                counts.push(0);
                chain.push(heads.insert(h, found).unwrap_or(NULL));
            }
            counts[found as usize] += 1;
            ids.push(found);
        }
        Column {
            name: name.into(),
            ids,
            counts,
            non_null,
            values: Values::Str(strs),
        }
    }

    /// A number column. `None` and `NaN` are null.
    pub fn numbers<I>(name: impl Into<String>, values: I) -> Column
    where
        I: IntoIterator<Item = Option<f64>>,
    {
        let mut map: FxHashMap<u64, u32> = FxHashMap::default();
        let mut distinct = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut ids = Vec::new();
        let mut non_null = 0;
        for v in values {
            let Some(x) = v.filter(|x| !x.is_nan()) else {
                ids.push(NULL);
                continue;
            };
            let x = if x == 0.0 { 0.0 } else { x };
            non_null += 1;
            let id = *map.entry(x.to_bits()).or_insert_with(|| {
                distinct.push(x);
                counts.push(0);
                (distinct.len() - 1) as u32
            });
            counts[id as usize] += 1;
            ids.push(id);
        }
        Column {
            name: name.into(),
            ids,
            counts,
            non_null,
            values: Values::Num(distinct),
        }
    }

    /// A date column of days since 1970-01-01 (see [`days_from_civil`]).
    pub fn dates<I>(name: impl Into<String>, values: I) -> Column
    where
        I: IntoIterator<Item = Option<i32>>,
    {
        let mut map: FxHashMap<i32, u32> = FxHashMap::default();
        let mut distinct = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut ids = Vec::new();
        let mut non_null = 0;
        for v in values {
            let Some(d) = v else {
                ids.push(NULL);
                continue;
            };
            non_null += 1;
            let id = *map.entry(d).or_insert_with(|| {
                distinct.push(d);
                counts.push(0);
                (distinct.len() - 1) as u32
            });
            counts[id as usize] += 1;
            ids.push(id);
        }
        Column {
            name: name.into(),
            ids,
            counts,
            non_null,
            values: Values::Date(distinct),
        }
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the column holds.
    pub fn kind(&self) -> ColumnKind {
        match self.values {
            Values::Str(_) => ColumnKind::String,
            Values::Num(_) => ColumnKind::Number,
            Values::Date(_) => ColumnKind::Date,
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the column has no records.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Number of non-null records.
    pub fn non_null(&self) -> usize {
        self.non_null
    }

    /// Number of distinct non-null values.
    pub fn distinct(&self) -> usize {
        self.counts.len()
    }

    /// The value of `record`.
    ///
    /// # Panics
    /// When `record` is out of range.
    pub fn value(&self, record: usize) -> Value<'_> {
        self.value_of_id(self.ids[record])
    }

    pub(crate) fn value_of_id(&self, id: u32) -> Value<'_> {
        if id == NULL {
            return Value::Null;
        }
        match &self.values {
            Values::Str(s) => Value::Str(s.get(id)),
            Values::Num(v) => Value::Num(v[id as usize]),
            Values::Date(v) => Value::Date(v[id as usize]),
        }
    }

    /// How many records hold the same value as `record` (0 when null).
    pub fn frequency(&self, record: usize) -> u32 {
        match self.ids[record] {
            NULL => 0,
            id => self.counts[id as usize],
        }
    }

    pub(crate) fn strs(&self) -> Option<&StrValues> {
        match &self.values {
            Values::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The records to link: the source dataset of each record (for link types)
/// and named columns of equal length.
///
/// ```
/// use firmlink_linkage::{Column, Table};
/// let mut table = Table::new(vec![0, 0, 1]);
/// table.add_column(Column::strings("surname", [Some("smith"), Some("smyth"), None::<&str>]))?;
/// table.add_column(Column::numbers("revenue", [Some(1.0e6), None, Some(2.0e6)]))?;
/// assert_eq!(table.len(), 3);
/// assert_eq!(table.column("surname").unwrap().distinct(), 2);
/// # Ok::<(), firmlink_linkage::LinkageError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    dataset: Vec<u16>,
    columns: Vec<Column>,
    index: HashMap<String, usize>,
    /// `(column, sources)`: records that agree on every source agree on the
    /// column (see [`Table::computed_from`]).
    computed: Vec<(String, Vec<String>)>,
}

impl Table {
    /// An empty table of `dataset.len()` records; `dataset[r]` names the
    /// source table of record `r` (only link types look at it).
    pub fn new(dataset: Vec<u16>) -> Table {
        Table {
            dataset,
            columns: Vec::new(),
            index: HashMap::new(),
            computed: Vec::new(),
        }
    }

    /// A table of `len` records that all come from dataset 0.
    pub fn single_dataset(len: usize) -> Table {
        Table::new(vec![0; len])
    }

    /// A table from columns built elsewhere (e.g. in parallel).
    pub fn from_columns(dataset: Vec<u16>, columns: Vec<Column>) -> Result<Table, LinkageError> {
        let mut t = Table::new(dataset);
        for c in columns {
            t.add_column(c)?;
        }
        Ok(t)
    }

    /// Adds a column; it must have one value per record and a new name.
    pub fn add_column(&mut self, column: Column) -> Result<&mut Table, LinkageError> {
        if self.dataset.len() >= NULL as usize {
            return Err(LinkageError::TooManyRecords {
                records: self.dataset.len(),
                max: NULL as usize - 1,
            });
        }
        if column.len() != self.dataset.len() {
            return Err(LinkageError::ColumnLength {
                column: column.name.clone(),
                expected: self.dataset.len(),
                found: column.len(),
            });
        }
        if self.index.contains_key(&column.name) {
            return Err(LinkageError::DuplicateColumn {
                column: column.name.clone(),
            });
        }
        self.index.insert(column.name.clone(), self.columns.len());
        self.columns.push(column);
        Ok(self)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.dataset.len()
    }

    /// True when the table has no records.
    pub fn is_empty(&self) -> bool {
        self.dataset.is_empty()
    }

    /// The source dataset of each record.
    pub fn dataset(&self) -> &[u16] {
        &self.dataset
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.index.get(name).map(|&i| &self.columns[i])
    }

    /// All columns, in the order they were added.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub(crate) fn column_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Declares that `column` is computed from `sources`: two records that
    /// agree on every source agree on `column` (a folded or phonetic key of
    /// a name, the domain of an email, an email kept only when it is
    /// personal). A training session blocked on the sources then leaves out
    /// the comparisons that read `column`, as it leaves out those reading
    /// the rule's own columns: every pair it trains on agrees there, so it
    /// would learn an `m` near 1 from the blocking rule instead of from the
    /// data. Names need not be columns of the table: chains pass through
    /// them (`first_name` → `first_name_key` → `first_name_phonetic`).
    pub fn computed_from<I, S>(&mut self, column: impl Into<String>, sources: I) -> &mut Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let sources: Vec<String> = sources.into_iter().map(Into::into).collect();
        if !sources.is_empty() {
            self.computed.push((column.into(), sources));
        }
        self
    }

    /// Names of the columns on which records agree whenever they agree on
    /// `keys`: the keys and, transitively, what is computed from them.
    pub(crate) fn agreeing_with<'a>(&'a self, keys: &[&'a str]) -> Vec<&'a str> {
        let mut known: Vec<&str> = keys.to_vec();
        loop {
            let before = known.len();
            for (column, sources) in &self.computed {
                if !known.contains(&column.as_str())
                    && sources.iter().all(|s| known.contains(&s.as_str()))
                {
                    known.push(column);
                }
            }
            if known.len() == before {
                return known;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_interned_in_first_appearance_order() {
        let c = Column::strings("s", [Some("b"), Some("a"), None, Some("b"), Some("  ")]);
        assert_eq!(c.ids, vec![0, 1, NULL, 0, NULL]);
        assert_eq!(c.counts, vec![2, 1]);
        assert_eq!(c.non_null(), 3);
        assert_eq!(c.value(1), Value::Str("a"));
        assert_eq!(c.value(2), Value::Null);
    }

    #[test]
    fn numbers_treat_nan_as_null_and_negative_zero_as_zero() {
        let c = Column::numbers(
            "n",
            [Some(0.0), Some(-0.0), Some(f64::NAN), None, Some(2.5)],
        );
        assert_eq!(c.ids, vec![0, 0, NULL, NULL, 1]);
        assert_eq!(c.frequency(1), 2);
    }

    #[test]
    fn dates_round_trip_through_civil_days() {
        for (y, m, d, days) in [
            (1970, 1, 1, 0),
            (2000, 2, 29, 11_016),
            (1956, 4, 9, -5_015),
            (2024, 12, 31, 20_088),
        ] {
            assert_eq!(days_from_civil(y, m, d), Some(days), "{y}-{m}-{d}");
            assert_eq!(format_days(days), format!("{y:04}-{m:02}-{d:02}"));
        }
        assert_eq!(days_from_civil(1999, 2, 29), None);
        assert_eq!(days_from_civil(2000, 13, 1), None);
        assert_eq!(days_from_civil(2000, 4, 31), None);
    }

    #[test]
    fn table_rejects_wrong_length_and_duplicate_names() {
        let mut t = Table::single_dataset(2);
        let err = t.add_column(Column::strings("a", [Some("x")])).unwrap_err();
        assert!(matches!(
            err,
            LinkageError::ColumnLength {
                found: 1,
                expected: 2,
                ..
            }
        ));
        t.add_column(Column::strings("a", [Some("x"), None::<&str>]))
            .unwrap();
        let err = t
            .add_column(Column::dates("a", [None, Some(1)]))
            .unwrap_err();
        assert!(matches!(err, LinkageError::DuplicateColumn { .. }));
    }
}
