//! A small columnar table of plain Rust columns: what stages exchange. polars
//! stays at the edges (reading Parquet, writing output), so this type has no
//! polars in it.

use std::fmt;

/// Nullable strings stored contiguously: one buffer plus offsets. Much smaller
/// than `Vec<Option<String>>` for millions of short values.
#[derive(Clone, Default, PartialEq)]
pub struct StrColumn {
    data: String,
    /// `ends[i]` is the end of value i in `data`; value i starts at `ends[i-1]`.
    ends: Vec<u64>,
    valid: Vec<bool>,
}

impl StrColumn {
    pub fn with_capacity(rows: usize) -> Self {
        StrColumn {
            data: String::new(),
            ends: Vec::with_capacity(rows),
            valid: Vec::with_capacity(rows),
        }
    }

    pub fn push(&mut self, value: Option<&str>) {
        if let Some(v) = value {
            self.data.push_str(v);
        }
        self.ends.push(self.data.len() as u64);
        self.valid.push(value.is_some());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        if !self.valid[i] {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.data[start..self.ends[i] as usize])
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// Append all values of another column.
    pub fn extend(&mut self, other: &StrColumn) {
        for v in other.iter() {
            self.push(v);
        }
    }

    pub fn null_count(&self) -> usize {
        self.valid.iter().filter(|v| !**v).count()
    }
}

impl fmt::Debug for StrColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> FromIterator<Option<&'a str>> for StrColumn {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(iter: I) -> Self {
        let mut c = StrColumn::default();
        for v in iter {
            c.push(v);
        }
        c
    }
}

/// One typed, nullable column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Str(StrColumn),
    F64(Vec<Option<f64>>),
    I64(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
    /// Days since 1970-01-01.
    Date(Vec<Option<i32>>),
}

impl Column {
    pub fn from_strs<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        Column::Str(values.into_iter().collect())
    }

    pub fn len(&self) -> usize {
        match self {
            Column::Str(c) => c.len(),
            Column::F64(c) => c.len(),
            Column::I64(c) => c.len(),
            Column::Bool(c) => c.len(),
            Column::Date(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Append another column of the same type; panics on a type mismatch,
    /// which is a programming error.
    pub fn append(&mut self, other: &Column) {
        match (self, other) {
            (Column::Str(a), Column::Str(b)) => a.extend(b),
            (Column::F64(a), Column::F64(b)) => a.extend_from_slice(b),
            (Column::I64(a), Column::I64(b)) => a.extend_from_slice(b),
            (Column::Bool(a), Column::Bool(b)) => a.extend_from_slice(b),
            (Column::Date(a), Column::Date(b)) => a.extend_from_slice(b),
            (a, b) => panic!("cannot append {} to {}", b.type_name(), a.type_name()),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Column::Str(_) => "str",
            Column::F64(_) => "f64",
            Column::I64(_) => "i64",
            Column::Bool(_) => "bool",
            Column::Date(_) => "date",
        }
    }

    /// The value at `i` rendered as text (dates as ISO), for CSV output and explain.
    pub fn display(&self, i: usize) -> Option<String> {
        match self {
            Column::Str(c) => c.get(i).map(str::to_string),
            Column::F64(c) => c[i].map(|v| {
                if v.fract() == 0.0 && v.abs() < 1e15 {
                    format!("{}", v as i64)
                } else {
                    format!("{v}")
                }
            }),
            Column::I64(c) => c[i].map(|v| v.to_string()),
            Column::Bool(c) => c[i].map(|v| v.to_string()),
            Column::Date(c) => c[i].map(format_days),
        }
    }
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian).
pub fn format_days(days: i32) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Named columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    rows: usize,
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Table {
    pub fn new(rows: usize) -> Self {
        Table {
            rows,
            names: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// Add a column; panics if its length differs from the table's or the
    /// name is taken (programming errors).
    pub fn push(&mut self, name: impl Into<String>, column: Column) {
        let name = name.into();
        assert_eq!(
            column.len(),
            self.rows,
            "column {name} has the wrong length"
        );
        assert!(self.index(&name).is_none(), "column {name} added twice");
        self.names.push(name);
        self.columns.push(column);
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn columns(&self) -> impl Iterator<Item = (&str, &Column)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.columns.iter())
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    pub fn get(&self, name: &str) -> Option<&Column> {
        self.index(name).map(|i| &self.columns[i])
    }

    pub fn str(&self, name: &str) -> Option<&StrColumn> {
        match self.get(name) {
            Some(Column::Str(c)) => Some(c),
            _ => None,
        }
    }

    /// Append the rows of a table with the same columns in the same order.
    pub fn append(&mut self, other: &Table) {
        assert_eq!(
            self.names, other.names,
            "appending tables with different columns"
        );
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            a.append(b);
        }
        self.rows += other.rows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_column_round_trips() {
        let values = [Some("a"), None, Some(""), Some("Müller"), None];
        let c: StrColumn = values.iter().copied().collect();
        assert_eq!(c.iter().collect::<Vec<_>>(), values);
        assert_eq!(c.null_count(), 2);
    }

    #[test]
    fn dates_format_as_iso() {
        assert_eq!(format_days(0), "1970-01-01");
        assert_eq!(format_days(19_723), "2024-01-01");
        assert_eq!(format_days(-1), "1969-12-31");
        assert_eq!(format_days(11_016), "2000-02-29");
    }

    #[test]
    fn append_tables() {
        let mut a = Table::new(1);
        a.push("x", Column::from_strs([Some("1")]));
        let b = a.clone();
        a.append(&b);
        assert_eq!(a.rows(), 2);
        assert_eq!(a.get("x").unwrap().display(1).as_deref(), Some("1"));
    }
}
