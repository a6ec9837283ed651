//! Writing tables: Parquet through polars (the edge of the system), CSV and
//! the quarantine with the csv crate.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use firmlink_model::{Column, Quarantined, Table};
use polars::prelude::{self as pl, IntoColumn, NamedFrom};

use crate::RunError;

fn out_err(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |e| RunError::Output {
        path: path.to_path_buf(),
        source: e,
    }
}

/// A [`Table`] as a polars DataFrame.
pub fn to_dataframe(t: &Table) -> pl::PolarsResult<pl::DataFrame> {
    slice_frame(t, 0, t.rows())
}

/// Rows `start..end` of a [`Table`] as a polars DataFrame.
fn slice_frame(t: &Table, start: usize, end: usize) -> pl::PolarsResult<pl::DataFrame> {
    let mut cols = Vec::with_capacity(t.names().len());
    for (name, col) in t.columns() {
        let name: pl::PlSmallStr = name.into();
        let c = match col {
            Column::Str(c) => {
                let mut b = pl::StringChunkedBuilder::new(name, end - start);
                for i in start..end {
                    b.append_option(c.get(i));
                }
                b.finish().into_column()
            }
            Column::F64(v) => pl::Series::new(name, &v[start..end]).into_column(),
            Column::I64(v) => pl::Series::new(name, &v[start..end]).into_column(),
            Column::Bool(v) => pl::Series::new(name, &v[start..end]).into_column(),
            Column::Date(v) => pl::Int32Chunked::new(name, &v[start..end])
                .into_date()
                .into_column(),
        };
        cols.push(c);
    }
    pl::DataFrame::new(end - start, cols)
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
    write_frames(t.rows(), path, |start, end| slice_frame(t, start, end))
}

/// Write a table that is built a slice of rows at a time (`slice(start,
/// end)`), so that it never exists whole in memory.
pub fn write_parquet_with(
    rows: usize,
    path: &Path,
    slice: impl Fn(usize, usize) -> Table,
) -> Result<(), RunError> {
    write_frames(rows, path, |start, end| to_dataframe(&slice(start, end)))
}

fn write_frames(
    rows: usize,
    path: &Path,
    frame: impl Fn(usize, usize) -> pl::PolarsResult<pl::DataFrame>,
) -> Result<(), RunError> {
    let perr = |e: pl::PolarsError| RunError::Polars {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::create(path).map_err(out_err(path))?;
    let first = frame(0, rows.min(ROW_GROUP)).map_err(perr)?;
    let mut w = pl::ParquetWriter::new(BufWriter::new(file))
        .with_compression(pl::ParquetCompression::Lz4Raw)
        .batched(first.schema())
        .map_err(perr)?;
    w.write_batch(&first).map_err(perr)?;
    drop(first);
    let mut start = ROW_GROUP;
    while start < rows {
        let end = (start + ROW_GROUP).min(rows);
        w.write_batch(&frame(start, end).map_err(perr)?)
            .map_err(perr)?;
        start = end;
    }
    w.finish().map_err(perr)?;
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
