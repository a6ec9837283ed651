//! Writing tables: Parquet through polars' Parquet layer (the edge of the
//! system; reading back through polars), CSV and the quarantine with the csv
//! crate.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use firmlink_model::{Column, Quarantined, StrColumn, Table};
use polars::prelude as pl;
use polars_arrow::array::{Array, BooleanArray, PrimitiveArray, Utf8ViewArray, View};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field};
use polars_parquet::write::{
    CompressedPage, CompressionOptions, DynIter, DynStreamingIterator, Encoding, FileWriter,
    StatisticsOptions, Version, WriteOptions, array_to_columns, compress,
    fallible_streaming_iterator, get_dtype_encoding,
};

use crate::RunError;

fn out_err(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |e| RunError::Output {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Read a Parquet file written by [`write_parquet`] back into a [`Table`].
pub fn read_parquet(path: &Path) -> Result<Table, RunError> {
    let perr = |e: pl::PolarsError| RunError::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(|e| RunError::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    use pl::SerReader;
    let df = pl::ParquetReader::new(file).finish().map_err(perr)?;
    let mut t = Table::new(df.height());
    for c in df.columns() {
        let name = c.name().to_string();
        let col = match c.dtype() {
            pl::DataType::String => Column::Str(c.str().map_err(perr)?.iter().collect()),
            pl::DataType::Float64 => Column::F64(c.f64().map_err(perr)?.iter().collect()),
            pl::DataType::Int64 => Column::I64(c.i64().map_err(perr)?.iter().collect()),
            pl::DataType::Boolean => Column::Bool(c.bool().map_err(perr)?.iter().collect()),
            pl::DataType::Date => {
                let phys = c.cast(&pl::DataType::Int32).map_err(perr)?;
                Column::Date(phys.i32().map_err(perr)?.iter().collect())
            }
            other => {
                return Err(RunError::Input {
                    path: path.to_path_buf(),
                    message: format!("column {name} has unsupported type {other}"),
                });
            }
        };
        t.push(name, col);
    }
    Ok(t)
}

/// Rows per Parquet row group: converting a slice at a time keeps peak
/// memory near the table's own size.
const ROW_GROUP: usize = 65_536;

pub fn write_parquet(t: &Table, path: &Path) -> Result<(), RunError> {
    write_slices(t.rows(), path, |start, end| (Cow::Borrowed(t), start, end))
}

/// Write a table that is built a slice of rows at a time (`slice(start,
/// end)`), so that it never exists whole in memory.
pub fn write_parquet_with(
    rows: usize,
    path: &Path,
    slice: impl Fn(usize, usize) -> Table,
) -> Result<(), RunError> {
    write_slices(rows, path, |start, end| {
        let t = slice(start, end);
        let n = t.rows();
        (Cow::Owned(t), 0, n)
    })
}

/// Values sampled per text column to choose its encoding.
const ENCODING_SAMPLE: usize = 4096;

/// Encoding of a column, chosen once per file from its first rows. Text whose
/// sampled values are mostly distinct (ids, names, emails, provenance) is
/// written plain: polars' default path would first estimate the cardinality
/// of every chunk with a HyperLogLog over every value (a fifth of all
/// Parquet-writing time here) only to find a dictionary not worth it. Every
/// other column keeps polars' default. Text stays a string view array either
/// way, so a file's schema never depends on its data.
fn encoding(col: &Column, start: usize, end: usize) -> Vec<Encoding> {
    if let Column::Str(c) = col {
        let mut seen = std::collections::HashSet::with_capacity(ENCODING_SAMPLE);
        let mut n = 0usize;
        for v in (start..end).filter_map(|i| c.get(i)).take(ENCODING_SAMPLE) {
            seen.insert(v);
            n += 1;
        }
        if n >= 64 && seen.len() * 2 > n {
            return vec![Encoding::Plain];
        }
    }
    get_dtype_encoding(&arrow_type(col))
}

fn arrow_type(col: &Column) -> ArrowDataType {
    match col {
        Column::Str(_) => ArrowDataType::Utf8View,
        Column::F64(_) => ArrowDataType::Float64,
        Column::I64(_) => ArrowDataType::Int64,
        Column::Bool(_) => ArrowDataType::Boolean,
        Column::Date(_) => ArrowDataType::Date32,
    }
}

/// Rows `start..end` of one column as an arrow array.
fn arrow_array(col: &Column, start: usize, end: usize) -> Box<dyn Array> {
    match col {
        Column::Str(c) => str_view_array(c, start, end).boxed(),
        Column::F64(v) => PrimitiveArray::<f64>::from(&v[start..end]).boxed(),
        Column::I64(v) => PrimitiveArray::<i64>::from(&v[start..end]).boxed(),
        Column::Bool(v) => BooleanArray::from(&v[start..end]).boxed(),
        Column::Date(v) => PrimitiveArray::<i32>::from(&v[start..end])
            .to(ArrowDataType::Date32)
            .boxed(),
    }
}

/// Rows `start..end` of a text column as a string view array: the rows'
/// text is copied once into the array's one data buffer and each view is
/// computed from the column's offsets (pushing value by value into a
/// growing view array cost about 4% of a whole run's CPU).
fn str_view_array(c: &StrColumn, start: usize, end: usize) -> Utf8ViewArray {
    let (text, ends) = c.raw();
    let offset = |i: usize| if i == 0 { 0 } else { ends[i - 1] as usize };
    let (lo, hi) = (offset(start), offset(end));
    let bytes = &text.as_bytes()[lo..hi];
    let mut views = Vec::with_capacity(end - start);
    let mut from = 0;
    for &e in &ends[start..end] {
        let to = e as usize - lo;
        // A null's range is empty: the all-zero view a null gets anyway.
        views.push(View::new_from_bytes(&bytes[from..to], 0, from as u32));
        from = to;
    }
    let validity = (start..end)
        .any(|i| !c.is_valid(i))
        .then(|| Bitmap::from_iter((start..end).map(|i| c.is_valid(i))));
    // SAFETY: every view lies inside buffer 0 (offsets from `ends`, which
    // stay within the text), or is inline; each value's bytes are a whole
    // `&str` of the column, so valid UTF-8; the validity has one bit per view.
    unsafe {
        Utf8ViewArray::new_unchecked(
            ArrowDataType::Utf8View,
            views.into(),
            vec![bytes.to_vec().into()].into(),
            validity,
            Some(bytes.len()),
            bytes.len(),
        )
    }
}

/// Write Parquet a row group at a time: `slice(start, end)` gives a table
/// and the rows of it to write. Every column of a row group is encoded and
/// compressed in parallel, then written in column order.
fn write_slices<'t>(
    rows: usize,
    path: &Path,
    slice: impl Fn(usize, usize) -> (Cow<'t, Table>, usize, usize),
) -> Result<(), RunError> {
    use rayon::prelude::*;
    let perr = |e: pl::PolarsError| RunError::Polars {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::create(path).map_err(out_err(path))?;
    let (first, s0, e0) = slice(0, rows.min(ROW_GROUP));
    let encodings: Vec<Vec<Encoding>> = first.columns().map(|(_, c)| encoding(c, s0, e0)).collect();
    let names: Vec<String> = first.names().to_vec();
    let types: Vec<ArrowDataType> = first.columns().map(|(_, c)| arrow_type(c)).collect();
    let schema: ArrowSchema = names
        .iter()
        .zip(&types)
        .map(|(name, t)| Field::new(name.into(), t.clone(), true))
        .collect();
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        version: Version::V1,
        compression: CompressionOptions::Lz4Raw,
        data_page_size: None,
    };
    let mut w = FileWriter::try_new(BufWriter::new(file), schema, options).map_err(perr)?;
    let fields = w.parquet_schema().fields().to_vec();
    let mut write = |t: &Table, start: usize, end: usize| -> pl::PolarsResult<()> {
        if end == start {
            return Ok(());
        }
        // Every slice must have the first one's columns: pages of another
        // type would make a corrupt file without any error from the encoder.
        let same = t.names() == names.as_slice()
            && t.columns()
                .zip(&types)
                .all(|((_, c), ty)| arrow_type(c) == *ty);
        if !same {
            let got: Vec<String> = t
                .columns()
                .map(|(n, c)| format!("{n}: {}", c.type_name()))
                .collect();
            return Err(pl::PolarsError::SchemaMismatch(
                format!(
                    "rows {start}..{end} have columns {got:?}, unlike the file's first rows \
                     ({names:?} of types {types:?})"
                )
                .into(),
            ));
        }
        let cols: Vec<&Column> = t.columns().map(|(_, c)| c).collect();
        let columns: Vec<Vec<Vec<CompressedPage>>> = cols
            .par_iter()
            .zip(fields.par_iter().zip(&encodings))
            .map(|(col, (type_, encoding))| {
                let array = arrow_array(col, start, end);
                array_to_columns(&array, type_.clone(), options, encoding)?
                    .into_iter()
                    .map(|pages| {
                        pages
                            .map(|page| Ok(compress(page?, Vec::new(), options.compression)?))
                            .collect::<pl::PolarsResult<Vec<_>>>()
                    })
                    .collect()
            })
            .collect::<pl::PolarsResult<_>>()?;
        let group = DynIter::new(columns.iter().flatten().map(|pages| {
            Ok(DynStreamingIterator::new(
                fallible_streaming_iterator::convert(pages.iter().map(Ok::<_, pl::PolarsError>)),
            ))
        }));
        w.write((end - start) as u64, group)
    };
    write(&first, s0, e0).map_err(perr)?;
    drop(first);
    let mut start = ROW_GROUP;
    while start < rows {
        let end = (start + ROW_GROUP).min(rows);
        let (t, s, e) = slice(start, end);
        write(&t, s, e).map_err(perr)?;
        start = end;
    }
    w.end(None).map_err(perr)?;
    Ok(())
}

type CsvOut = csv::Writer<BufWriter<File>>;

fn csv_writer(path: &Path) -> Result<CsvOut, RunError> {
    Ok(csv::Writer::from_writer(BufWriter::new(
        File::create(path).map_err(out_err(path))?,
    )))
}

/// Write the rows of `t` (and first its header).
fn csv_rows(w: &mut CsvOut, t: &Table, header: bool, path: &Path) -> Result<(), RunError> {
    let err = out_err(path);
    let to_io = |e: csv::Error| std::io::Error::other(e.to_string());
    if header {
        w.write_record(t.names()).map_err(to_io).map_err(&err)?;
    }
    let cols: Vec<&Column> = t.columns().map(|(_, c)| c).collect();
    let mut row: Vec<String> = Vec::with_capacity(cols.len());
    for i in 0..t.rows() {
        row.clear();
        row.extend(cols.iter().map(|c| c.display(i).unwrap_or_default()));
        w.write_record(&row).map_err(to_io).map_err(&err)?;
    }
    Ok(())
}

pub fn write_csv(t: &Table, path: &Path) -> Result<(), RunError> {
    let mut w = csv_writer(path)?;
    csv_rows(&mut w, t, true, path)?;
    w.flush().map_err(out_err(path))
}

/// CSV of a table built a slice of rows at a time (see [`write_parquet_with`]).
pub fn write_csv_with(
    rows: usize,
    path: &Path,
    slice: impl Fn(usize, usize) -> Table,
) -> Result<(), RunError> {
    let mut w = csv_writer(path)?;
    let mut start = 0;
    loop {
        let end = (start + ROW_GROUP).min(rows);
        csv_rows(&mut w, &slice(start, end), start == 0, path)?;
        start = end;
        if start >= rows {
            break;
        }
    }
    w.flush().map_err(out_err(path))
}

pub fn write_quarantine(rows: &[Quarantined], path: &Path) -> Result<(), RunError> {
    let err = out_err(path);
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(path).map_err(&err)?));
    let to_io = |e: csv::Error| std::io::Error::other(e.to_string());
    w.write_record(["source", "line", "reason", "column", "value", "message"])
        .map_err(to_io)
        .map_err(&err)?;
    for q in rows {
        w.write_record([
            q.source.as_str(),
            &q.line.to_string(),
            q.reason.as_str(),
            q.column.as_deref().unwrap_or(""),
            q.value.as_deref().unwrap_or(""),
            &q.message,
        ])
        .map_err(to_io)
        .map_err(&err)?;
    }
    w.flush().map_err(&err)?;
    Ok(())
}

pub fn write_json(value: &serde_json::Value, path: &Path) -> Result<(), RunError> {
    let err = out_err(path);
    let mut f = BufWriter::new(File::create(path).map_err(&err)?);
    serde_json::to_writer_pretty(&mut f, value)
        .map_err(std::io::Error::other)
        .map_err(&err)?;
    f.write_all(b"\n").map_err(&err)?;
    f.flush().map_err(&err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use firmlink_model::StrColumn;

    /// More rows than one row group, every column type, nulls, a column of
    /// distinct strings (written plain) and one of a few values (dictionary).
    #[test]
    fn parquet_round_trip_with_chosen_encodings() {
        let n = ROW_GROUP + 1000;
        let mut t = Table::new(n);
        // Short values live in the views, longer ones (> 12 bytes) in the
        // data buffer: both, with nulls, across two row groups.
        let ids: StrColumn = (0..n)
            .map(|i| {
                (i % 7 != 0).then(|| match i % 3 {
                    0 => format!("a longer identifier, number {i}"),
                    1 => format!("id-{i}"),
                    _ => format!("ünïcode-{i}"),
                })
            })
            .collect::<Vec<_>>()
            .iter()
            .map(|v| v.as_deref())
            .collect();
        t.push("id", Column::Str(ids));
        t.push(
            "country",
            Column::from_strs((0..n).map(|i| Some(["DE", "FR", "US"][i % 3]))),
        );
        t.push(
            "score",
            Column::F64(
                (0..n)
                    .map(|i| (i % 5 != 0).then_some(i as f64 / 2.0))
                    .collect(),
            ),
        );
        t.push(
            "count",
            Column::I64((0..n).map(|i| Some(i as i64)).collect()),
        );
        t.push(
            "flag",
            Column::Bool((0..n).map(|i| Some(i % 2 == 0)).collect()),
        );
        t.push(
            "day",
            Column::Date((0..n).map(|i| (i % 3 != 0).then_some(i as i32)).collect()),
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write_parquet(&t, &path).unwrap();

        let back = read_parquet(&path).unwrap();
        assert_eq!(back.names(), t.names());
        for (name, col) in t.columns() {
            let got = back.get(name).unwrap();
            for i in 0..n {
                assert_eq!(got.display(i), col.display(i), "{name} row {i}");
            }
        }

        let mut f = File::open(&path).unwrap();
        let meta = polars_parquet::read::_read_metadata(&mut f).unwrap();
        assert_eq!(meta.row_groups.len(), 2);
        let dictionary = |c: usize| {
            meta.row_groups[0].parquet_columns()[c]
                .dictionary_page_offset()
                .is_some()
        };
        assert!(!dictionary(0), "distinct ids are written plain");
        assert!(dictionary(1), "three countries get a dictionary");
    }

    #[test]
    fn a_slice_with_other_columns_is_an_error_not_a_corrupt_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let err = write_parquet_with(ROW_GROUP + 10, &path, |start, end| {
            let mut t = Table::new(end - start);
            if start == 0 {
                t.push("x", Column::I64(vec![Some(1); end - start]));
            } else {
                t.push("x", Column::from_strs((start..end).map(|_| Some("a"))));
            }
            t
        })
        .unwrap_err();
        assert!(err.to_string().contains("have columns"), "{err}");
    }
}
