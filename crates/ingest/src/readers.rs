//! Row readers for each format. They yield the values of the columns the
//! pipeline needs (trimmed; empty and null tokens become `None`) or a
//! quarantined row, and hash the file's bytes as they go.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use firmlink_config::{Encoding, Format, Source};
use firmlink_model::{Quarantined, Reason, shorten};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::IngestError;
use crate::decode::{decode_latin1, decode_windows_1252};

/// One input row.
pub enum Row {
    /// Values of the needed columns, in the order given to `select`.
    Good {
        line: u64,
        values: Vec<Option<String>>,
    },
    /// A row that cannot become a record (source name filled in by the caller).
    Bad(Quarantined),
    /// A row whose quote was left open: it runs over `lines` lines, rows
    /// of the file swallowed into one value (quarantined like `Bad`).
    BrokenQuote(Quarantined, u64),
}

/// Strings that mean "no value" in exports, besides the empty string.
const NULL_TOKENS: &[&str] = &["NULL", "null", "\\N", "#N/A", "N/A", "n/a"];

pub(crate) fn clean(s: &str) -> Option<&str> {
    let t = s.trim();
    if t.is_empty() || NULL_TOKENS.contains(&t) {
        None
    } else {
        Some(t)
    }
}

/// A `Read` that hashes and counts what passes through, and can keep the
/// bytes read since a given offset so a reader can look back at where a
/// record started.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    /// The bytes read from file offset `tail_start` on; `None` when not kept.
    tail: Option<Vec<u8>>,
    tail_start: u64,
    /// Bytes before this offset may be dropped from `tail`.
    keep_from: u64,
}

/// How many droppable bytes `Hashing` lets pile up before dropping them, so
/// that dropping (a move of what is kept) happens rarely.
const TAIL_SLACK: usize = 1 << 16;

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        if let Some(tail) = &mut self.tail {
            tail.extend_from_slice(&buf[..n]);
            let droppable = usize::try_from(self.keep_from.saturating_sub(self.tail_start))
                .unwrap_or(usize::MAX)
                .min(tail.len());
            if droppable >= TAIL_SLACK {
                tail.drain(..droppable);
                self.tail_start += droppable as u64;
                // Give back what one giant record needed.
                if tail.capacity() > 8 * TAIL_SLACK && tail.len() < TAIL_SLACK {
                    tail.shrink_to(2 * TAIL_SLACK);
                }
            }
        }
        Ok(n)
    }
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            tail: None,
            tail_start: 0,
            keep_from: 0,
        }
    }

    fn keeping_tail(mut self) -> Self {
        self.tail = Some(Vec::with_capacity(2 * TAIL_SLACK));
        self
    }

    /// The bytes read from file offset `from` on, if still kept.
    fn kept(&self, from: u64) -> Option<&[u8]> {
        let tail = self.tail.as_ref()?;
        let i = usize::try_from(from.checked_sub(self.tail_start)?).ok()?;
        tail.get(i..)
    }

    /// Hash the rest of the input too (the reader may stop early), then finish.
    fn finish(mut self) -> std::io::Result<(u64, String)> {
        std::io::copy(
            &mut self.inner,
            &mut HashSink(&mut self.hasher, &mut self.bytes),
        )?;
        Ok((self.bytes, hex(&self.hasher.finalize())))
    }
}

struct HashSink<'a>(&'a mut Sha256, &'a mut u64);

impl std::io::Write for HashSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        *self.1 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub struct Rows {
    header: Vec<String>,
    inner: Inner,
    /// Indices (CSV, Parquet) or keys (JSONL) of the needed columns.
    needed: Vec<Needed>,
}

enum Needed {
    Index(usize),
    Key(Vec<String>),
    Missing,
}

enum Inner {
    Csv(CsvRows),
    Parquet(ParquetRows),
    Jsonl(JsonlRows),
}

/// What the first bytes say a file is, when that is not what its source's
/// format reads: (what it is, how to fix).
fn wrong_kind_of_file(format: Format, head: &[u8]) -> Option<(&'static str, &'static str)> {
    let text = format != Format::Parquet;
    if head.starts_with(b"\x1F\x8B") {
        Some((
            "gzip-compressed",
            "decompress it first (gunzip), firmlink reads plain files",
        ))
    } else if text && (head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")) {
        Some((
            "UTF-16 text",
            "re-export it as UTF-8, or convert it: iconv -f UTF-16 -t UTF-8 in.csv > out.csv",
        ))
    } else if text && head.starts_with(b"PAR1") {
        Some(("a Parquet file", "set format = \"parquet\" for this source"))
    } else if text && head.starts_with(b"PK\x03\x04") {
        Some((
            "a ZIP archive (an Excel workbook is one)",
            "save the sheet as CSV (UTF-8), or unzip the file",
        ))
    } else if !text && !head.is_empty() && !head.starts_with(b"PAR1") {
        Some((
            "not Parquet (no PAR1 magic bytes)",
            "set format = \"csv\" or \"jsonl\" for this source if it is text",
        ))
    } else {
        None
    }
}

pub fn open(source: &Source) -> Result<Rows, IngestError> {
    let mut file = File::open(&source.path).map_err(|e| IngestError::Open {
        path: source.path.clone(),
        source: e,
    })?;
    let read_err = |e| IngestError::Read {
        path: source.path.clone(),
        source: e,
    };
    let mut head = [0u8; 4];
    let n = (&file).take(4).read(&mut head).map_err(read_err)?;
    std::io::Seek::rewind(&mut file).map_err(read_err)?;
    if let Some((what, help)) = wrong_kind_of_file(source.format, &head[..n]) {
        return Err(IngestError::Format {
            path: source.path.clone(),
            format: match source.format {
                Format::Csv => "CSV",
                Format::Parquet => "Parquet",
                Format::Jsonl => "JSON Lines",
            },
            message: format!("the file is {what}"),
            help: help.into(),
        });
    }
    let (header, inner) = match source.format {
        Format::Csv => {
            let r = CsvRows::new(source, file)?;
            (r.header.clone(), Inner::Csv(r))
        }
        Format::Parquet => {
            let r = ParquetRows::new(source, file)?;
            (r.names.clone(), Inner::Parquet(r))
        }
        Format::Jsonl => {
            let r = JsonlRows::new(source, file)?;
            (r.keys.clone(), Inner::Jsonl(r))
        }
    };
    Ok(Rows {
        header,
        inner,
        needed: Vec::new(),
    })
}

impl Rows {
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Choose the columns to read, in order. Returns the names not in the file.
    pub fn select(&mut self, columns: &[String]) -> Vec<String> {
        let mut missing = Vec::new();
        let jsonl = match &self.inner {
            Inner::Jsonl(j) => Some(j),
            _ => None,
        };
        // Names compare in Unicode's composed form: "Prénom" typed in the
        // pipeline file matches a header exported with a combining accent.
        let nfc = |s: &str| -> String { s.nfc().collect() };
        let header_nfc: Vec<String> = self.header.iter().map(|h| nfc(h)).collect();
        self.needed = columns
            .iter()
            .map(
                |c| match (header_nfc.iter().position(|h| *h == nfc(c)), jsonl) {
                    (Some(i), None) => Needed::Index(i),
                    (Some(i), Some(_)) => Needed::Key(vec![self.header[i].clone()]),
                    // A nested path seen in the sample, or one that may first
                    // appear after it (a key missing from the first lines of a
                    // long file is sparse, not absent: the run warns if no row
                    // has it).
                    (None, Some(j))
                        if (c.contains('.') && j.paths.contains(c.as_str()))
                            || !j.sampled_all
                            || j.ahead.is_empty() =>
                    {
                        Needed::Key(c.split('.').map(str::to_string).collect())
                    }
                    _ => {
                        missing.push(c.clone());
                        Needed::Missing
                    }
                },
            )
            .collect();
        missing
    }

    /// Selected columns that cannot be read as text: (name, what it is,
    /// how to export it instead). Parquet decimal, list, struct and map
    /// columns.
    pub fn unreadable_columns(&self) -> Vec<(String, &'static str, &'static str)> {
        let Inner::Parquet(p) = &self.inner else {
            return Vec::new();
        };
        self.needed
            .iter()
            .filter_map(|n| match n {
                Needed::Index(i) => parquet_text_support(&p.types[*i])
                    .err()
                    .map(|(what, fix)| (p.names[*i].clone(), what, fix)),
                _ => None,
            })
            .collect()
    }

    pub fn next_row(&mut self) -> Result<Option<Row>, IngestError> {
        match &mut self.inner {
            Inner::Csv(r) => r.next_row(&self.needed),
            Inner::Parquet(r) => r.next_row(&self.needed),
            Inner::Jsonl(r) => r.next_row(&self.needed),
        }
    }

    pub fn bytes_read(&self) -> u64 {
        match &self.inner {
            Inner::Csv(r) => r.reader.get_ref().bytes,
            Inner::Parquet(r) => r.bytes * r.row as u64 / r.rows.max(1) as u64,
            Inner::Jsonl(r) => r.reader.get_ref().bytes,
        }
    }

    /// Total bytes and SHA-256 of the file.
    pub fn finish(self) -> Result<(u64, String), IngestError> {
        match self.inner {
            Inner::Csv(r) => {
                let path = r.path.clone();
                r.reader
                    .into_inner()
                    .finish()
                    .map_err(|e| IngestError::Read { path, source: e })
            }
            Inner::Parquet(r) => Ok((r.bytes, r.sha256)),
            Inner::Jsonl(r) => {
                let path = r.path.clone();
                r.reader
                    .into_inner()
                    .finish()
                    .map_err(|e| IngestError::Read { path, source: e })
            }
        }
    }
}

// ---------------------------------------------------------------- CSV

struct CsvRows {
    path: std::path::PathBuf,
    reader: csv::Reader<Hashing<File>>,
    header: Vec<String>,
    encoding: Encoding,
    delimiter: u8,
    quote: u8,
    record: csv::ByteRecord,
    /// Line numbers are counted here, not taken from the csv crate: it
    /// reports a record's position before the line breaks it skipped to reach
    /// it (the `\n` of a CRLF, rust-csv issue #395, and blank lines), and it
    /// ends records at a bare `\r` without counting a line. `line` is the line
    /// at file offset `counted_to`, the first byte of the last record read;
    /// `Hashing` keeps every byte from there on.
    line: u64,
    counted_to: u64,
    /// Whether a bare `\r` ends a line: decided by the line break that ends
    /// the header (old Mac exports). Elsewhere a stray `\r`, e.g. pasted into
    /// a quoted value, is no line for `grep -n` or an editor, so none here.
    bare_cr: Option<bool>,
}

impl CsvRows {
    fn new(source: &Source, file: File) -> Result<Self, IngestError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(source.csv.delimiter)
            .quote(source.csv.quote)
            .flexible(true)
            .has_headers(true)
            .from_reader(Hashing::new(file).keeping_tail());
        let fmt_err = |message: String, help: &str| IngestError::Format {
            path: source.path.clone(),
            format: "CSV",
            message,
            help: help.to_string(),
        };
        let raw = reader
            .byte_headers()
            .map_err(|e| {
                fmt_err(
                    format!("cannot read the header line: {e}"),
                    "the first line must name the columns",
                )
            })?
            .clone();
        let mut header = Vec::with_capacity(raw.len());
        for (i, field) in raw.iter().enumerate() {
            let field = if i == 0 {
                field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
            } else {
                field
            };
            let name = decode(source.csv.encoding, field).map_err(|off| {
                fmt_err(
                    format!(
                        "the header is not valid UTF-8 (column {}, byte {off} of the name)",
                        i + 1
                    ),
                    "set csv.encoding = \"latin-1\" or \"windows-1252\" if the file is not UTF-8",
                )
            })?;
            header.push(name.trim().to_string());
        }
        if header.iter().all(|h| h.is_empty()) {
            return Err(fmt_err(
                "the file is empty or its first line names no columns".into(),
                "the first line must name the columns",
            ));
        }
        if header.len() == 1 && source.csv.delimiter != b'\t' {
            let h = &header[0];
            if let Some(d) = [b';', b'|', b'\t', b',']
                .iter()
                .find(|d| **d != source.csv.delimiter && h.as_bytes().contains(d))
            {
                return Err(fmt_err(
                    format!(
                        "the header has one column \"{}\": the delimiter looks wrong",
                        shorten(h, 80)
                    ),
                    &format!(
                        "set csv = {{ delimiter = \"{}\" }} for this source",
                        if *d == b'\t' {
                            "\\t".to_string()
                        } else {
                            (*d as char).to_string()
                        }
                    ),
                ));
            }
        }
        Ok(CsvRows {
            path: source.path.clone(),
            reader,
            header,
            encoding: source.csv.encoding,
            delimiter: source.csv.delimiter,
            quote: source.csv.quote,
            record: csv::ByteRecord::new(),
            line: 1,
            counted_to: 0,
            bare_cr: None,
        })
    }

    /// The raw bytes from the last record's first byte to the end of what
    /// was read.
    fn raw_record(&self) -> Option<&[u8]> {
        self.reader.get_ref().kept(self.counted_to)
    }

    fn next_row(&mut self, needed: &[Needed]) -> Result<Option<Row>, IngestError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(io) => IngestError::Read {
                    path: self.path.clone(),
                    source: io,
                },
                other => IngestError::Format {
                    path: self.path.clone(),
                    format: "CSV",
                    message: format!("{other:?}"),
                    help: "check the file's quoting".into(),
                },
            })?;
        if !more {
            return Ok(None);
        }
        let pos = self.record.position().expect("csv records carry positions");
        let counted = self
            .reader
            .get_ref()
            .kept(self.counted_to)
            .and_then(|kept| {
                let at = usize::try_from(pos.byte().checked_sub(self.counted_to)?).ok()?;
                let skip = kept
                    .get(at..)?
                    .iter()
                    .take_while(|&&b| b == b'\r' || b == b'\n')
                    .count();
                let before = &kept[..at + skip];
                let bare_cr = *self.bare_cr.get_or_insert_with(|| ends_in_bare_cr(before));
                Some((at + skip, line_breaks(before, bare_cr)))
            });
        match counted {
            Some((first, breaks)) => {
                self.counted_to += first as u64;
                self.line += breaks;
            }
            // Not reached: `Hashing` keeps all bytes from `counted_to` on.
            None => {
                (self.counted_to, self.line) = (pos.byte(), pos.line());
            }
        }
        self.reader.get_mut().keep_from = self.counted_to;
        let line = self.line;
        // A header that ends with the delimiter names an empty last column;
        // rows without it lose nothing. (Rows that end with a delimiter the
        // header lacks are not read past: a value holding the delimiter
        // unquoted, on a row whose last value is empty, looks the same.)
        let n = self.header.len();
        if self.record.len() + 1 == n
            && n > 1
            && self.header[n - 1].is_empty()
            && self.record.get(n - 2).is_some_and(|f| !f.is_empty())
        {
            self.record.push_field(b"");
        }
        if self.record.len() != self.header.len() {
            let bare_cr = self.bare_cr.unwrap_or(false);
            let breaks = |f: &[u8]| line_breaks(f, bare_cr);
            // Still inside quotes where the file ends: a quote never closed.
            let open_at_end = self.raw_record().is_some_and(|raw| {
                walk_record(raw, self.delimiter, self.quote, |_, _| false) == At::Quoted
            });
            // Line breaks inside a record are inside quoted values.
            let spans = 1 + self.record.iter().map(breaks).sum::<u64>();
            // A quote left open swallows the next rows: a line break, then
            // delimiters. A closed multi-line value may hold a delimiter
            // ("Acme, Inc.<break>Suite 4") but rarely after its break.
            let swallowed = |f: &[u8]| {
                f.iter()
                    .position(|&b| b == b'\n' || (bare_cr && b == b'\r'))
                    .is_some_and(|p| f[p..].contains(&self.delimiter))
            };
            let swallowed_rows = self.record.iter().any(swallowed);
            let raw = self
                .record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
                .join(&(self.delimiter as char).to_string());
            let mut message = format!(
                "expected {} fields (as in the header), found {}",
                self.header.len(),
                self.record.len()
            );
            if open_at_end {
                message.push_str(&format!(
                    "; a quote is opened and not closed before the end of the file, so this row runs over the {spans} lines from line {line} to the end and none of them was read as a row — close the quote or escape it by doubling (\"\")"
                ));
            } else if swallowed_rows {
                message.push_str(&format!(
                    "; the row runs over {spans} lines, so a quote is probably not closed — close it or escape it by doubling (\"\")"
                ));
            } else if self.record.len() == self.header.len() + 1
                && self
                    .record
                    .get(self.header.len())
                    .is_some_and(<[u8]>::is_empty)
            {
                message.push_str(
                    "; the row ends with a delimiter (an empty field past the header's last column), or a value holds the delimiter unquoted — if every row ends so, add the delimiter to the end of the header line too",
                );
            } else if self.record.len() > self.header.len() {
                message.push_str(
                    "; a value probably contains the delimiter without quotes — quote that value",
                );
            } else {
                message.push_str("; values are missing or the row was cut — check the export");
            }
            let q = Quarantined {
                source: String::new(),
                line,
                reason: Reason::FieldCount,
                column: None,
                value: Some(shorten(&raw, 200)),
                message,
            };
            // A quote left open swallowed the rows after it.
            return Ok(Some(if open_at_end || swallowed_rows {
                Row::BrokenQuote(q, spans)
            } else {
                Row::Bad(q)
            }));
        }
        if let Some((bad, lines)) = self.swallowed_rows(line) {
            return Ok(Some(Row::BrokenQuote(bad, lines)));
        }
        let mut values = Vec::with_capacity(needed.len());
        for n in needed {
            let Needed::Index(i) = n else {
                values.push(None);
                continue;
            };
            let field = &self.record[*i];
            match decode(self.encoding, field) {
                Ok(s) => values.push(clean(&s).map(str::to_string)),
                Err(offset) => {
                    let in_file = self
                        .raw_record()
                        .and_then(|raw| raw_offset(raw, self.delimiter, self.quote, *i, offset))
                        .map(|at| format!(" (byte {} of the file)", self.counted_to + at as u64))
                        .unwrap_or_default();
                    return Ok(Some(Row::Bad(Quarantined {
                        source: String::new(),
                        line,
                        reason: Reason::InvalidUtf8,
                        column: Some(self.header[*i].clone()),
                        value: Some(shorten(&String::from_utf8_lossy(field), 200)),
                        message: format!(
                            "column \"{}\" is not valid UTF-8 at byte {offset} of the value{in_file}; re-export as UTF-8 or set csv.encoding = \"windows-1252\" or \"latin-1\" for this source",
                            self.header[*i]
                        ),
                    })));
                }
            }
        }
        Ok(Some(Row::Good { line, values }))
    }
}

impl CsvRows {
    /// A row with the right number of fields whose quoted value swallowed
    /// whole rows: a quote opened in column `c` of `n` on one row and closed
    /// rows later (`10,"Ann,Lee,...` … `500,Bob",Ray,...`) leaves one record
    /// with the header's field count, its value holding the rows between.
    /// Such a value has an exact shape: its first line holds the rest of its
    /// row (`n − 1 − c` delimiters), every line between holds a whole row
    /// (`n − 1` delimiters, no quote), its last line the start of the closing
    /// row (`c` delimiters), and at least one line lies between. A real
    /// multi-line value (an address or a note with commas) rarely has it.
    /// A quote closed on the very next row is not told apart.
    fn swallowed_rows(&self, line: u64) -> Option<(Quarantined, u64)> {
        memchr::memchr2(b'\n', b'\r', self.record.as_slice())?;
        let n = self.header.len();
        let delims = |l: &[u8]| memchr::memchr_iter(self.delimiter, l).count();
        let (col, field, rows, example) = self.record.iter().enumerate().find_map(|(c, f)| {
            let lines: Vec<&[u8]> = f
                .split(|&b| b == b'\n' || b == b'\r')
                .filter(|l| !l.is_empty())
                .collect();
            let (first, rest) = lines.split_first()?;
            let (last, middle) = rest.split_last()?;
            let whole_rows = !middle.is_empty()
                && middle
                    .iter()
                    .all(|l| delims(l) == n - 1 && !l.contains(&self.quote));
            (whole_rows && delims(first) == n - 1 - c && delims(last) == c)
                .then(|| (c, f, middle.len(), String::from_utf8_lossy(middle[0])))
        })?;
        let bare_cr = self.bare_cr.unwrap_or(false);
        let spans = 1 + self
            .record
            .iter()
            .map(|f| line_breaks(f, bare_cr))
            .sum::<u64>();
        let q = Quarantined {
            source: String::new(),
            line,
            reason: Reason::MalformedRow,
            column: Some(self.header[col].clone()),
            value: Some(shorten(&String::from_utf8_lossy(field), 200)),
            message: format!(
                "the value of column \"{}\" runs over lines {line}–{} and holds {rows} line(s) that look like whole rows (e.g. \"{}\"): a quote opened on line {line} is probably closed only on line {}, and the rows between were read as part of this value — close or double (\"\") the quote on line {line}; those rows are not in the outputs until the file is fixed",
                self.header[col],
                line + spans - 1,
                shorten(&example, 80),
                line + spans - 1,
            ),
        };
        Some((q, spans))
    }
}

/// Whether the run of line breaks at the end of `before` (the header's and
/// any blank lines after it) holds a `\r` alone: not half of a `\r\n`, nor
/// of the `\n\r` some broken exporters write.
fn ends_in_bare_cr(before: &[u8]) -> bool {
    let run = before
        .iter()
        .rev()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let run = &before[before.len() - run..];
    run.iter().enumerate().any(|(i, &b)| {
        b == b'\r' && run.get(i + 1) != Some(&b'\n') && (i == 0 || run[i - 1] != b'\n')
    })
}

/// Line breaks in `bytes`: each `\n`, and with `bare_cr` (old Mac files,
/// where the csv reader ends records at a `\r` too) each `\r` not followed
/// by `\n`. A `\r` at the end counts, as callers pass bytes that end before
/// a record's first byte or hold one value.
fn line_breaks(bytes: &[u8], bare_cr: bool) -> u64 {
    if !bare_cr {
        return memchr::memchr_iter(b'\n', bytes).count() as u64;
    }
    memchr::memchr2_iter(b'\r', b'\n', bytes)
        .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .count() as u64
}

/// Where the csv reader is within a record's raw bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum At {
    Start,
    Plain,
    Quoted,
    AfterQuote,
}

/// Walks a record's raw bytes (from its first byte) by the csv reader's
/// rules: a value that starts with the quote is quoted up to a lone quote, a
/// doubled quote inside is one byte of the value, bytes after the closing
/// quote belong to the value too, and a line break outside quotes ends the
/// record. Calls `value_byte(i, field)` for every byte of a value until it
/// returns true; returns where the walk stopped (`Quoted` when `raw` ran out
/// inside quotes).
fn walk_record(
    raw: &[u8],
    delimiter: u8,
    quote: u8,
    mut value_byte: impl FnMut(usize, usize) -> bool,
) -> At {
    let (mut at, mut f) = (At::Start, 0);
    for (i, &b) in raw.iter().enumerate() {
        let is_value = match at {
            At::Start if b == quote => {
                at = At::Quoted;
                false
            }
            At::Quoted if b == quote => {
                at = At::AfterQuote;
                false
            }
            At::Quoted => true,
            At::AfterQuote if b == quote => {
                at = At::Quoted;
                true
            }
            _ if b == b'\r' || b == b'\n' => return at,
            _ if b == delimiter => {
                (at, f) = (At::Start, f + 1);
                false
            }
            _ => {
                at = At::Plain;
                true
            }
        };
        if is_value && value_byte(i, f) {
            return at;
        }
    }
    at
}

/// Where byte `offset` of value `field` sits in a record's raw bytes `raw`.
fn raw_offset(raw: &[u8], delimiter: u8, quote: u8, field: usize, offset: usize) -> Option<usize> {
    let (mut found, mut n) = (None, 0);
    walk_record(raw, delimiter, quote, |i, f| {
        if f == field {
            if n == offset {
                found = Some(i);
                return true;
            }
            n += 1;
        }
        f > field
    });
    found
}

/// Decode a field; on invalid UTF-8, the byte offset of the first bad byte.
fn decode(encoding: Encoding, bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, usize> {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|e| e.valid_up_to()),
        Encoding::Latin1 => Ok(decode_latin1(bytes)),
        Encoding::Windows1252 => Ok(decode_windows_1252(bytes)),
    }
}

// ---------------------------------------------------------------- Parquet

struct ParquetRows {
    path: std::path::PathBuf,
    names: Vec<String>,
    /// Each column's type as stored, for checks and messages.
    types: Vec<polars::prelude::ArrowDataType>,
    /// The file, until the needed columns are read (only those: columns the
    /// pipeline does not map are never decoded, whatever their type).
    reader: Option<polars::prelude::ParquetReader<std::io::Cursor<Vec<u8>>>>,
    /// Text of each needed column, by file column index.
    columns: Vec<Option<Vec<Option<String>>>>,
    rows: usize,
    row: usize,
    bytes: u64,
    sha256: String,
}

/// Whether a Parquet column of this type can be read as text; if not, what
/// it is and how to export it instead.
fn parquet_text_support(
    t: &polars::prelude::ArrowDataType,
) -> Result<(), (&'static str, &'static str)> {
    use polars::prelude::ArrowDataType as A;
    match t {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64
        | A::Float32
        | A::Float64
        | A::Timestamp(..)
        | A::Date32
        | A::Date64
        | A::Time32(_)
        | A::Time64(_)
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View
        | A::Binary
        | A::LargeBinary
        | A::BinaryView => Ok(()),
        A::Dictionary(_, v, _) => parquet_text_support(v),
        A::Decimal(..) | A::Decimal32(..) | A::Decimal64(..) | A::Decimal256(..) => Err((
            "a decimal column",
            "export it as a double or as text (e.g. CAST(x AS DOUBLE) or CAST(x AS VARCHAR))",
        )),
        A::List(_) | A::LargeList(_) | A::FixedSizeList(..) => Err((
            "a list column",
            "join its items into one text value in the export (e.g. array_join(x, '; ')), or map a column that holds one value",
        )),
        A::Struct(_) | A::Map(..) => Err((
            "a nested column",
            "export the field you need as its own column (e.g. x.field AS x_field)",
        )),
        _ => Err((
            "a duration, interval or other non-scalar column",
            "export it as text, a number, a date or a boolean",
        )),
    }
}

impl ParquetRows {
    fn new(source: &Source, mut file: File) -> Result<Self, IngestError> {
        use polars::prelude::*;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| IngestError::Read {
                path: source.path.clone(),
                source: e,
            })?;
        let sha256 = hex(&Sha256::digest(&bytes));
        let n_bytes = bytes.len() as u64;
        let not_parquet = |e: PolarsError| IngestError::Format {
            path: source.path.clone(),
            format: "Parquet",
            message: e.to_string(),
            help: "check that the file is Parquet, or set format = \"csv\" / \"jsonl\"".into(),
        };
        let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
        let schema = reader.schema().map_err(not_parquet)?;
        let rows = reader.num_rows().map_err(not_parquet)?;
        let (names, types) = schema
            .iter()
            .map(|(name, field)| (name.to_string(), field.dtype().clone()))
            .unzip();
        Ok(ParquetRows {
            path: source.path.clone(),
            columns: vec![None; schema.len()],
            names,
            types,
            reader: Some(reader),
            rows,
            row: 0,
            bytes: n_bytes,
            sha256,
        })
    }

    /// Read the needed columns (only those) and convert each to text once.
    fn read_columns(&mut self, needed: &[Needed]) -> Result<(), IngestError> {
        use polars::prelude::*;
        let Some(reader) = self.reader.take() else {
            return Ok(());
        };
        let mut wanted: Vec<usize> = needed
            .iter()
            .filter_map(|n| match n {
                Needed::Index(i) => Some(*i),
                _ => None,
            })
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        for &i in &wanted {
            if let Err((what, fix)) = parquet_text_support(&self.types[i]) {
                return Err(IngestError::Format {
                    path: self.path.clone(),
                    format: "Parquet",
                    message: format!(
                        "column \"{}\" is {what}, which firmlink does not read",
                        self.names[i]
                    ),
                    help: format!("{fix}; or leave it unmapped"),
                });
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let df = reader
            .with_projection(Some(wanted.clone()))
            .finish()
            .map_err(|e| IngestError::Format {
                path: self.path.clone(),
                format: "Parquet",
                message: e.to_string(),
                help: "check that the file is Parquet, or set format = \"csv\" / \"jsonl\"".into(),
            })?;
        for (col, &i) in df.columns().iter().zip(&wanted) {
            self.columns[i] = Some(parquet_text(col).map_err(|e| IngestError::Format {
                path: self.path.clone(),
                format: "Parquet",
                message: format!(
                    "column \"{}\" of type {} cannot be read as text: {e}",
                    col.name(),
                    col.dtype()
                ),
                help: "map a column of text, number, date, time or boolean type, or leave it unmapped".into(),
            })?);
        }
        Ok(())
    }

    fn next_row(&mut self, needed: &[Needed]) -> Result<Option<Row>, IngestError> {
        if self.row >= self.rows {
            return Ok(None);
        }
        if self.row == 0 {
            self.read_columns(needed)?;
        }
        let r = self.row;
        self.row += 1;
        let values = needed
            .iter()
            .map(|n| match n {
                Needed::Index(i) => self.columns[*i].as_mut().and_then(|c| c[r].take()),
                _ => None,
            })
            .collect();
        Ok(Some(Row::Good {
            line: r as u64 + 1,
            values,
        }))
    }
}

/// A float as an export writes it: a whole number without ".0" (an id
/// 1.0 is "1", as in a CSV of the same table), else in full.
/// `exact_below` is where the type stops holding every whole number.
fn float_text<F: Copy + Into<f64> + std::fmt::Display>(v: F, exact_below: f64) -> String {
    let x: f64 = v.into();
    if x.fract() == 0.0 && x.abs() < exact_below {
        format!("{}", x as i64)
    } else {
        format!("{v}")
    }
}

/// A Parquet column as text: whole floats without a fractional part ("1"
/// as a CSV export writes it, not "1.0"), NaN as no value, timestamps with
/// a time zone in UTC with a "Z".
fn parquet_text(
    col: &polars::prelude::Column,
) -> polars::prelude::PolarsResult<Vec<Option<String>>> {
    use polars::prelude::*;
    let text = |v: Option<&str>| v.and_then(clean).map(str::to_string);
    match col.dtype() {
        DataType::Float64 => Ok(col
            .f64()?
            .iter()
            .map(|v| v.filter(|x| x.is_finite()).map(|x| float_text(x, 9.0e15)))
            .collect()),
        // As f32 prints it (0.1, not 0.10000000149011612).
        DataType::Float32 => Ok(col
            .f32()?
            .iter()
            .map(|v| v.filter(|x| x.is_finite()).map(|x| float_text(x, 1.0e7)))
            .collect()),
        DataType::Datetime(unit, Some(_)) => {
            let naive = col.cast(&DataType::Datetime(*unit, None))?;
            let s = naive.cast(&DataType::String)?;
            Ok(s.str()?
                .iter()
                .map(|v| text(v).map(|t| format!("{}Z", t.replacen(' ', "T", 1))))
                .collect())
        }
        _ => {
            let s = col.cast(&DataType::String)?;
            Ok(s.str()?.iter().map(text).collect())
        }
    }
}

// ---------------------------------------------------------------- JSON Lines

/// Lines sampled for the key list (the "header") of a JSON Lines file.
const JSONL_SAMPLE: usize = 1000;

struct JsonlRows {
    path: std::path::PathBuf,
    reader: BufReader<Hashing<File>>,
    keys: Vec<String>,
    /// Dotted paths to the values nested in the sampled objects
    /// (`company.name`), for checking mapped paths.
    paths: std::collections::HashSet<String>,
    /// Whether the sample holds the whole file: then a key or path not in
    /// it is in no row.
    sampled_all: bool,
    /// Lines read ahead while sampling keys: (line number, bytes).
    ahead: VecDeque<(u64, Vec<u8>)>,
    line: u64,
}

/// Dotted paths of the values nested in `map` (`company.name`,
/// `org.info.name`), up to four keys deep, each under `prefix`.
fn nested_paths(
    map: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
    depth: usize,
    out: &mut std::collections::HashSet<String>,
) {
    for (k, v) in map {
        let path = format!("{prefix}{k}");
        if let serde_json::Value::Object(inner) = v
            && depth < 3
        {
            nested_paths(inner, &format!("{path}."), depth + 1, out);
        }
        if depth > 0 {
            out.insert(path);
        }
    }
}

impl JsonlRows {
    fn new(source: &Source, file: File) -> Result<Self, IngestError> {
        let mut r = JsonlRows {
            path: source.path.clone(),
            reader: BufReader::with_capacity(1 << 20, Hashing::new(file)),
            keys: Vec::new(),
            paths: Default::default(),
            sampled_all: false,
            ahead: VecDeque::new(),
            line: 0,
        };
        while r.ahead.len() < JSONL_SAMPLE {
            match r.read_line()? {
                Some(l) => {
                    if let Ok(serde_json::Value::Object(map)) =
                        serde_json::from_slice::<serde_json::Value>(&l.1)
                    {
                        for k in map.keys() {
                            if !r.keys.contains(k) {
                                r.keys.push(k.clone());
                            }
                        }
                        nested_paths(&map, "", 0, &mut r.paths);
                    }
                    r.ahead.push_back(l);
                }
                None => {
                    r.sampled_all = true;
                    break;
                }
            }
        }
        // Lines, but not one object among them, and the first one opens an
        // array or an object it does not close: not JSON Lines at all.
        // (Lines that fail one by one, with NaN or single quotes, are
        // quarantined row by row as invalid_json.)
        let first = r.ahead.front().map(|l| String::from_utf8_lossy(&l.1));
        if r.keys.is_empty()
            && let Some(first) = first
            && let t = first.trim()
            && (t.starts_with('[') || (t.starts_with('{') && !t.ends_with('}')))
        {
            let looks = if t.starts_with('[') {
                "a JSON array (or one array per line)"
            } else {
                "JSON written over several lines (pretty-printed)"
            };
            return Err(IngestError::Format {
                path: source.path.clone(),
                format: "JSON Lines",
                message: format!(
                    "{} a JSON object; the file looks like {looks} (line 1: {})",
                    match r.ahead.len() {
                        1 => "its one line is not".to_string(),
                        n => format!("none of its first {n} lines is"),
                    },
                    shorten(first.trim_end(), 60)
                ),
                help: "write one JSON object per line (from an array: jq -c '.[]' in.json > out.jsonl), or set format = \"csv\" if it is CSV".into(),
            });
        }
        Ok(r)
    }

    /// The next non-blank line.
    fn read_line(&mut self) -> Result<Option<(u64, Vec<u8>)>, IngestError> {
        loop {
            let mut buf = Vec::new();
            let n = self
                .reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| IngestError::Read {
                    path: self.path.clone(),
                    source: e,
                })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            // A UTF-8 byte order mark (Windows tools write one) is no part
            // of the first object.
            if self.line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some((self.line, buf)));
        }
    }

    fn next_row(&mut self, needed: &[Needed]) -> Result<Option<Row>, IngestError> {
        let next = match self.ahead.pop_front() {
            Some(l) => Some(l),
            None => self.read_line()?,
        };
        let Some((line, bytes)) = next else {
            return Ok(None);
        };
        let bad = |reason, value: String, message: String| {
            Ok(Some(Row::Bad(Quarantined {
                source: String::new(),
                line,
                reason,
                column: None,
                value: Some(shorten(&value, 200)),
                message,
            })))
        };
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t,
            Err(e) => {
                return bad(
                    Reason::InvalidUtf8,
                    String::from_utf8_lossy(&bytes).trim_end().to_string(),
                    format!(
                        "the line is not valid UTF-8 at byte {} of the line; JSON Lines must be UTF-8",
                        e.valid_up_to()
                    ),
                );
            }
        };
        let map = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(other) => {
                return bad(
                    Reason::InvalidJson,
                    text.trim_end().to_string(),
                    format!(
                        "expected a JSON object per line, found {}",
                        json_type(&other)
                    ),
                );
            }
            Err(e) => {
                return bad(
                    Reason::InvalidJson,
                    text.trim_end().to_string(),
                    format!("not valid JSON: {e} (each line must be one complete JSON object)"),
                );
            }
        };
        let values = needed
            .iter()
            .map(|n| match n {
                Needed::Key(path) => lookup(&map, path).and_then(scalar_text),
                _ => None,
            })
            .collect();
        Ok(Some(Row::Good { line, values }))
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn lookup<'a>(
    map: &'a serde_json::Map<String, serde_json::Value>,
    path: &[String],
) -> Option<&'a serde_json::Value> {
    let (first, rest) = path.split_first()?;
    let mut v = map.get(first)?;
    for key in rest {
        v = v.as_object()?.get(key)?;
    }
    Some(v)
}

/// JSON value as field text: strings as is, numbers and booleans printed,
/// arrays joined with "; ", objects as JSON.
fn scalar_text(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null => None,
        Value::String(s) => clean(s).map(str::to_string),
        // Integers as written; floats without a ".0" when whole. (Integers
        // beyond 64 bits arrive as floats and lose digits: quote such ids.)
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if n.is_f64() => float_text(f, 9.0e15),
            _ => n.to_string(),
        }),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(scalar_text).collect();
            if parts.is_empty() {
                None
            } else {
                Some(parts.join("; "))
            }
        }
        Value::Object(_) => Some(v.to_string()),
    }
}
