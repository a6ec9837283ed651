//! A small columnar table of plain Rust columns: what stages exchange. polars
//! stays at the edges (reading Parquet, writing output), so this type has no
//! polars in it.

use std::fmt;

/// Nullable strings stored contiguously: one buffer, 32-bit end offsets and a
/// validity bitmap, about 4 bytes per value plus the text. Much smaller than
/// `Vec<Option<String>>` for millions of short values.
///
/// One column holds at most 4 GiB of text (about 100 million 40-byte values,
/// far beyond what fits the in-memory tables of a run anyway); pushing past
/// that panics with a message saying so.
#[derive(Clone, Default, PartialEq)]
pub struct StrColumn {
    data: String,
    /// `ends[i]` is the end of value i in `data`; value i starts at `ends[i-1]`.
    ends: Vec<u32>,
    /// Bit i set: value i is not null.
    valid: Vec<u64>,
}

impl StrColumn {
    pub fn with_capacity(rows: usize) -> Self {
        StrColumn {
            data: String::new(),
            ends: Vec::with_capacity(rows),
            valid: Vec::with_capacity(rows.div_ceil(64)),
        }
    }

    /// Reserve room for `rows` more values holding `bytes` more bytes of text.
    pub fn reserve(&mut self, rows: usize, bytes: usize) {
        self.ends.reserve(rows);
        self.valid
            .reserve((self.len() + rows).div_ceil(64) - self.valid.len());
        self.data.reserve(bytes);
    }

    fn end_offset(&self) -> u32 {
        u32::try_from(self.data.len())
            .expect("a text column holds more than 4 GiB; split the input into several runs")
    }

    fn set_valid(&mut self, i: usize, valid: bool) {
        if i.is_multiple_of(64) {
            self.valid.push(0);
        }
        if valid {
            self.valid[i / 64] |= 1 << (i % 64);
        }
    }

    pub fn push(&mut self, value: Option<&str>) {
        let i = self.len();
        if let Some(v) = value {
            self.data.push_str(v);
        }
        let end = self.end_offset();
        self.ends.push(end);
        self.set_valid(i, value.is_some());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn is_valid(&self, i: usize) -> bool {
        assert!(i < self.len(), "index {i} out of range {}", self.len());
        self.valid[i / 64] >> (i % 64) & 1 == 1
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        if !self.is_valid(i) {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends[i] as usize;
        assert!(start <= end && end <= self.data.len());
        // SAFETY: `ends` only ever records `data.len()` right after whole
        // `&str`s were appended (`push`, `extend`), and `data` never shrinks,
        // so every offset is a char boundary inside `data`. Checked slicing
        // re-tested both boundaries on every read: ~5% of a whole run's CPU.
        Some(unsafe { self.data.get_unchecked(start..end) })
    }

    /// The column's text and end offsets, for bulk conversions: value i is
    /// `text[ends[i - 1]..ends[i]]` (from 0 for the first), always at char
    /// boundaries; a null value is empty (check [`StrColumn::is_valid`]).
    pub fn raw(&self) -> (&str, &[u32]) {
        (&self.data, &self.ends)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// Append all values of another column (a bulk copy, no per-value work
    /// on the text).
    pub fn extend(&mut self, other: &StrColumn) {
        let base = self.end_offset();
        self.data.push_str(&other.data);
        self.end_offset();
        self.ends.reserve(other.len());
        self.ends.extend(other.ends.iter().map(|e| e + base));
        let start = self.len() - other.len();
        if start.is_multiple_of(64) {
            let words = other.len().div_ceil(64);
            self.valid.truncate(start / 64);
            self.valid.extend_from_slice(&other.valid[..words]);
        } else {
            // Rebuild the tail bit by bit; `ends` is already extended, so
            // restore the length bookkeeping the bit setter relies on.
            self.valid.truncate(start.div_ceil(64));
            for j in 0..other.len() {
                let i = start + j;
                if i.is_multiple_of(64) {
                    self.valid.push(0);
                }
                if other.is_valid(j) {
                    self.valid[i / 64] |= 1 << (i % 64);
                }
            }
        }
    }

    pub fn null_count(&self) -> usize {
        let set: usize = self.valid.iter().map(|w| w.count_ones() as usize).sum();
        self.len() - set
    }

    /// Give back spare capacity (after a table has stopped growing).
    pub fn shrink_to_fit(&mut self) {
        self.data.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.valid.shrink_to_fit();
    }

    /// Bytes held on the heap, capacity included.
    pub fn heap_bytes(&self) -> usize {
        self.data.capacity() + self.ends.capacity() * 4 + self.valid.capacity() * 8
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

    /// Stack columns of one type (at least one), sized exactly.
    fn concat(pieces: Vec<Column>) -> Column {
        let rows: usize = pieces.iter().map(Column::len).sum();
        let bytes: usize = pieces
            .iter()
            .map(|c| match c {
                Column::Str(s) => s.data.len(),
                _ => 0,
            })
            .sum();
        let mut iter = pieces.into_iter();
        let mut out = match iter.next().expect("at least one column") {
            Column::Str(c) => {
                let mut s = StrColumn::with_capacity(rows);
                s.reserve(0, bytes);
                s.extend(&c);
                Column::Str(s)
            }
            Column::F64(mut v) => {
                v.reserve_exact(rows - v.len());
                Column::F64(v)
            }
            Column::I64(mut v) => {
                v.reserve_exact(rows - v.len());
                Column::I64(v)
            }
            Column::Bool(mut v) => {
                v.reserve_exact(rows - v.len());
                Column::Bool(v)
            }
            Column::Date(mut v) => {
                v.reserve_exact(rows - v.len());
                Column::Date(v)
            }
        };
        for piece in iter {
            out.append(&piece);
        }
        out.shrink_to_fit();
        out
    }

    /// Give back spare capacity.
    pub fn shrink_to_fit(&mut self) {
        match self {
            Column::Str(c) => c.shrink_to_fit(),
            Column::F64(c) => c.shrink_to_fit(),
            Column::I64(c) => c.shrink_to_fit(),
            Column::Bool(c) => c.shrink_to_fit(),
            Column::Date(c) => c.shrink_to_fit(),
        }
    }

    /// Bytes held on the heap, capacity included.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        match self {
            Column::Str(c) => c.heap_bytes(),
            Column::F64(c) => c.capacity() * size_of::<Option<f64>>(),
            Column::I64(c) => c.capacity() * size_of::<Option<i64>>(),
            Column::Bool(c) => c.capacity() * size_of::<Option<bool>>(),
            Column::Date(c) => c.capacity() * size_of::<Option<i32>>(),
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

    /// Give back the spare capacity of every column (after the table has
    /// stopped growing).
    pub fn shrink_to_fit(&mut self) {
        for c in &mut self.columns {
            c.shrink_to_fit();
        }
    }

    /// Bytes the columns hold on the heap, capacity included.
    pub fn heap_bytes(&self) -> usize {
        self.columns.iter().map(Column::heap_bytes).sum()
    }

    /// Remove a column and return it.
    pub fn take(&mut self, name: &str) -> Option<Column> {
        let i = self.index(name)?;
        self.names.remove(i);
        Some(self.columns.remove(i))
    }

    /// Stack tables with the same columns in the same order into one, column
    /// by column: each column is sized exactly and the parts' copy of it is
    /// freed before the next, so peak memory stays near one copy of the data.
    /// `None` for no parts.
    pub fn concat(parts: Vec<Table>) -> Option<Table> {
        let first = parts.first()?;
        let names = first.names.clone();
        for p in &parts {
            assert_eq!(
                p.names, names,
                "concatenating tables with different columns"
            );
        }
        let rows: usize = parts.iter().map(|p| p.rows).sum();
        let mut parts: Vec<std::vec::IntoIter<Column>> =
            parts.into_iter().map(|p| p.columns.into_iter()).collect();
        let pieces: Vec<Vec<Column>> = names
            .iter()
            .map(|_| {
                parts
                    .iter_mut()
                    .map(|p| p.next().expect("same column count"))
                    .collect()
            })
            .collect();
        drop(parts);
        // Columns are independent: stack them in parallel (a run's contact
        // table is ~600 MB, copied once here).
        use rayon::prelude::*;
        let columns: Vec<Column> = pieces.into_par_iter().map(Column::concat).collect();
        let mut out = Table::new(rows);
        for (name, column) in names.into_iter().zip(columns) {
            out.push(name, column);
        }
        Some(out)
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
    fn str_column_extends_across_bitmap_words() {
        // Lengths that start and end the appended part inside and on the
        // edges of 64-bit validity words.
        for (a_len, b_len) in [(0, 5), (64, 70), (3, 64), (63, 2), (65, 130), (10, 0)] {
            let value = |i: usize| (i % 3 != 0).then(|| format!("v{i}"));
            let a_vals: Vec<Option<String>> = (0..a_len).map(value).collect();
            let b_vals: Vec<Option<String>> = (100..100 + b_len).map(value).collect();
            let mut a: StrColumn = a_vals.iter().map(|v| v.as_deref()).collect();
            let b: StrColumn = b_vals.iter().map(|v| v.as_deref()).collect();
            a.extend(&b);
            let want: Vec<Option<&str>> =
                a_vals.iter().chain(&b_vals).map(|v| v.as_deref()).collect();
            assert_eq!(a.iter().collect::<Vec<_>>(), want, "{a_len} + {b_len}");
            assert_eq!(a.null_count(), want.iter().filter(|v| v.is_none()).count());
            a.push(Some("last"));
            assert_eq!(a.get(a_len + b_len), Some("last"));
        }
    }

    #[test]
    fn concat_keeps_order_and_types() {
        let part = |vals: &[Option<&str>], n: Option<f64>| {
            let mut t = Table::new(vals.len());
            t.push("s", Column::from_strs(vals.iter().copied()));
            t.push("f", Column::F64(vec![n; vals.len()]));
            t
        };
        let t = Table::concat(vec![
            part(&[Some("a"), None], Some(1.0)),
            part(&[], None),
            part(&[Some("b")], None),
        ])
        .unwrap();
        assert_eq!(t.rows(), 3);
        assert_eq!(
            t.str("s").unwrap().iter().collect::<Vec<_>>(),
            [Some("a"), None, Some("b")]
        );
        assert_eq!(
            t.get("f"),
            Some(&Column::F64(vec![Some(1.0), Some(1.0), None]))
        );
        assert!(Table::concat(Vec::new()).is_none());
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
