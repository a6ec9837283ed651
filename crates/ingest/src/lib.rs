//! Read sources (CSV, Parquet, JSON Lines), map their columns to canonical
//! fields, and quarantine bad rows — never losing one.
//!
//! [`read`] streams a source in chunks of [`RawRecord`]s to a sink and returns
//! [`IngestStats`]: rows read, records produced, rows quarantined (with
//! reasons), and the file's checksum. Rows read always equals records plus
//! quarantined. A bad row never stops the read; an unreadable file or format
//! does ([`IngestError`]).
//!
//! [`check`] is what `firmlink validate` runs for a source: the file exists, is
//! readable in its format, and holds every column the pipeline maps.
//!
//! ```no_run
//! let pipeline = firmlink_config::load("pipelines/demo.toml".as_ref()).unwrap();
//! let source = &pipeline.sources[0];
//! let mut n = 0;
//! let stats = firmlink_ingest::read(source, 0, 65_536, &mut |chunk, _bytes| n += chunk.len()).unwrap();
//! assert_eq!(stats.rows_read, stats.records + stats.quarantined.len() as u64);
//! ```

mod decode;
mod mapper;
mod readers;

use std::path::PathBuf;

use firmlink_config::{Diagnostic, Phase, Pipeline, Source, closest};
use firmlink_model::{Quarantined, RawRecord};
use serde::Serialize;

pub use decode::decode_windows_1252;

/// What stops a source from being read at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(
        "cannot open {path}: {source}\n  = help: check the `path` of this source in the pipeline file (paths are relative to the pipeline file)"
    )]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a readable {format} file: {message}\n  = help: {help}")]
    Format {
        path: PathBuf,
        format: &'static str,
        message: String,
        help: String,
    },
    #[error(
        "{path} lacks column(s) the pipeline maps: {missing}\n  = help: run `firmlink validate` for details; the file's columns are: {found}"
    )]
    MissingColumns {
        path: PathBuf,
        missing: String,
        found: String,
    },
}

/// Counts for one source; written to `manifest.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestStats {
    pub rows_read: u64,
    pub records: u64,
    /// Rows that got a derived id because the id column was empty.
    pub derived_ids: u64,
    #[serde(skip)]
    pub quarantined: Vec<Quarantined>,
    /// Quarantined rows per reason code.
    pub quarantined_by_reason: std::collections::BTreeMap<&'static str, u64>,
    /// Rows whose quote was left open, each swallowing the lines after it
    /// into one quarantined row (CSV only).
    pub broken_quotes: Vec<BrokenQuote>,
    /// Mapped columns (or JSON Lines keys and paths) with no value in any
    /// row: a misspelt JSON Lines path reads as empty.
    pub empty_columns: Vec<String>,
    pub bytes: u64,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// A CSV row whose quote was left open, from `line` over `lines` lines.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BrokenQuote {
    pub line: u64,
    pub lines: u64,
}

impl IngestStats {
    pub(crate) fn quarantine(&mut self, q: Quarantined) {
        *self
            .quarantined_by_reason
            .entry(q.reason.as_str())
            .or_default() += 1;
        self.quarantined.push(q);
    }
}

/// Read a source, sending records in chunks of about `chunk_rows` to `sink`
/// together with the number of bytes read so far (for progress bars).
pub fn read(
    source: &Source,
    index: u16,
    chunk_rows: usize,
    sink: &mut dyn FnMut(Vec<RawRecord>, u64),
) -> Result<IngestStats, IngestError> {
    let mut rows = readers::open(source)?;
    let mut mapper = mapper::Mapper::new(source, index);
    let missing = rows.select(&mapper.needed);
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            path: source.path.clone(),
            missing: missing.join(", "),
            found: rows.header().join(", "),
        });
    }
    let mut stats = IngestStats::default();
    let mut valued = vec![false; mapper.needed.len()];
    let mut chunk = Vec::with_capacity(chunk_rows);
    while let Some(row) = rows.next_row()? {
        stats.rows_read += 1;
        match row {
            readers::Row::Bad(q) => stats.quarantine(Quarantined {
                source: source.name.clone(),
                ..q
            }),
            readers::Row::BrokenQuote(q, lines) => {
                stats.broken_quotes.push(BrokenQuote {
                    line: q.line,
                    lines,
                });
                stats.quarantine(Quarantined {
                    source: source.name.clone(),
                    ..q
                });
            }
            readers::Row::Good { line, values } => {
                for (seen, v) in valued.iter_mut().zip(&values) {
                    *seen |= v.is_some();
                }
                match mapper.map(line, values) {
                    Ok(rec) => {
                        stats.derived_ids += rec.id_derived as u64;
                        chunk.push(rec);
                    }
                    Err(q) => stats.quarantine(q),
                }
            }
        }
        if chunk.len() >= chunk_rows {
            sink(
                std::mem::replace(&mut chunk, Vec::with_capacity(chunk_rows)),
                rows.bytes_read(),
            );
        }
    }
    let (bytes, sha) = rows.finish()?;
    stats.bytes = bytes;
    stats.sha256 = sha;
    if !chunk.is_empty() {
        sink(chunk, bytes);
    }
    stats.records = stats.rows_read - stats.quarantined.len() as u64;
    if stats.records > 0 {
        stats.empty_columns = mapper
            .needed
            .iter()
            .zip(&valued)
            .filter(|(_, seen)| !**seen)
            .map(|(c, _)| c.clone())
            .collect();
    }
    Ok(stats)
}

/// Environment checks for one source: readable, in its format, with every
/// mapped column. Problems point at the pipeline file where the column is named.
pub fn check(pipeline: &Pipeline, source: &Source) -> Vec<Diagnostic> {
    let mut rows = match readers::open(source) {
        Ok(r) => r,
        Err(e) => {
            return vec![
                Diagnostic::at(
                    Phase::Environment,
                    &pipeline.path,
                    &pipeline.text,
                    Some(source.span.start..source.span.start),
                    format!("source `{}`: {}", source.name, first_line(&e.to_string())),
                )
                .with_help(match e {
                    IngestError::Open { .. } => format!(
                        "the path resolves to {}; paths are relative to the pipeline file",
                        source.path.display()
                    ),
                    IngestError::Format { help, .. } => help,
                    _ => "check the file".into(),
                }),
            ];
        }
    };
    let mut names: Vec<String> = Vec::new();
    for r in &source.column_refs {
        if !names.contains(&r.column) {
            names.push(r.column.clone());
        }
    }
    let missing = rows.select(&names);
    let header = rows.header().to_vec();
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for r in &source.column_refs {
        if !missing.contains(&r.column) || seen.contains(&&r.column) {
            continue;
        }
        seen.push(&r.column);
        let mut d = Diagnostic::at(
            Phase::Environment,
            &pipeline.path,
            &pipeline.text,
            Some(r.span.clone()),
            format!(
                "source `{}`: column \"{}\" is not in {}",
                source.name,
                r.column,
                source.path.display()
            ),
        );
        d.help = Some(
            match closest(&r.column, header.iter().map(String::as_str)) {
                Some(c) => format!("did you mean \"{c}\"? (column names are case-sensitive)"),
                None => format!("the file's columns are: {}", header.join(", ")),
            },
        );
        out.push(d);
    }
    // Mapped columns of a type that cannot be read as text (Parquet
    // decimals, lists, structs), and header names a mapped one shares.
    let unreadable = rows.unreadable_columns();
    let mut seen = Vec::new();
    for r in &source.column_refs {
        if seen.contains(&&r.column) {
            continue;
        }
        let problem = if let Some((_, what, fix)) = unreadable.iter().find(|u| u.0 == r.column) {
            Some((
                format!(
                    "source `{}`: column \"{}\" is {what}, which firmlink does not read",
                    source.name, r.column
                ),
                format!("{fix}; or leave it unmapped"),
            ))
        } else if let same = header.iter().filter(|h| **h == r.column).count()
            && same > 1
        {
            Some((
                format!(
                    "source `{}`: {} has {same} columns named \"{}\"",
                    source.name,
                    source.path.display(),
                    r.column
                ),
                "rename the duplicates in the export: firmlink cannot tell which one is meant"
                    .to_string(),
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            seen.push(&r.column);
            out.push(
                Diagnostic::at(
                    Phase::Environment,
                    &pipeline.path,
                    &pipeline.text,
                    Some(r.span.clone()),
                    message,
                )
                .with_help(help),
            );
        }
    }
    out
}

/// The columns of a source file, for `validate`'s summary.
pub fn header(source: &Source) -> Result<Vec<String>, IngestError> {
    Ok(readers::open(source)?.header().to_vec())
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod tests;
