//! Streaming writers that know which physical line each record starts on,
//! and a bounded shuffle buffer so file order does not follow entity order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::SynthError;
use crate::rng::Rng;

/// Appends one CSV field, quoting it (RFC 4180) when it holds the delimiter,
/// a quote or a line break.
pub fn push_field(out: &mut Vec<u8>, value: &[u8], delim: u8) {
    let needs = value
        .iter()
        .any(|b| *b == delim || *b == b'"' || *b == b'\n' || *b == b'\r');
    if needs {
        out.push(b'"');
        for b in value {
            if *b == b'"' {
                out.push(b'"');
            }
            out.push(*b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

/// A delimited-text or JSON-lines file written record by record.
pub struct LineWriter {
    path: PathBuf,
    w: BufWriter<File>,
    pub delim: u8,
    eol: &'static [u8],
    /// Line number the next record starts on (1-based).
    next_line: u64,
    /// Data records written (header excluded).
    pub records: u64,
    buf: Vec<u8>,
}

impl LineWriter {
    /// Creates the file; writes `header` as line 1 when given.
    pub fn create(
        path: &Path,
        delim: u8,
        eol: &'static [u8],
        header: Option<&[&str]>,
    ) -> Result<Self, SynthError> {
        let file = File::create(path).map_err(|e| SynthError::io(path, e))?;
        let mut lw = LineWriter {
            path: path.to_path_buf(),
            w: BufWriter::with_capacity(1 << 16, file),
            delim,
            eol,
            next_line: 1,
            records: 0,
            buf: Vec::with_capacity(512),
        };
        if let Some(h) = header {
            let fields: Vec<&[u8]> = h.iter().map(|s| s.as_bytes()).collect();
            lw.write_fields(&fields)?;
            lw.records = 0;
        }
        Ok(lw)
    }

    /// Writes one record from fields; returns the line it starts on.
    pub fn write_fields(&mut self, fields: &[&[u8]]) -> Result<u64, SynthError> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                buf.push(self.delim);
            }
            push_field(&mut buf, f, self.delim);
        }
        let line = self.write_raw(&buf);
        self.buf = buf;
        line
    }

    /// Writes one record exactly as given (no quoting) plus the line end;
    /// returns the line it starts on.
    pub fn write_raw(&mut self, record: &[u8]) -> Result<u64, SynthError> {
        let line = self.next_line;
        self.w
            .write_all(record)
            .and_then(|()| self.w.write_all(self.eol))
            .map_err(|e| SynthError::io(&self.path, e))?;
        let breaks = record.iter().filter(|b| **b == b'\n').count() as u64;
        self.next_line += breaks + 1;
        self.records += 1;
        Ok(line)
    }

    pub fn finish(mut self) -> Result<(), SynthError> {
        self.w.flush().map_err(|e| SynthError::io(&self.path, e))
    }
}

/// A shuffle buffer: items come out in random order once `capacity` items
/// are held, so records of one entity end up spread over the file while
/// memory stays bounded.
pub struct Shuffler<T> {
    buf: Vec<T>,
    capacity: usize,
    rng: Rng,
}

impl<T> Shuffler<T> {
    pub fn new(capacity: usize, rng: Rng) -> Self {
        Shuffler {
            buf: Vec::with_capacity(capacity.min(1 << 16)),
            capacity: capacity.max(1),
            rng,
        }
    }

    /// Adds an item; returns one to emit when the buffer is full.
    pub fn push(&mut self, item: T) -> Option<T> {
        self.buf.push(item);
        if self.buf.len() > self.capacity {
            let i = self.rng.index(self.buf.len());
            Some(self.buf.swap_remove(i))
        } else {
            None
        }
    }

    /// Remaining items in random order.
    pub fn drain(mut self) -> Vec<T> {
        self.rng.shuffle(&mut self.buf);
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_quoting_cases() {
        for (value, want) in [
            ("plain", "plain"),
            ("Acme, Inc.", "\"Acme, Inc.\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("semi;colon", "semi;colon"),
        ] {
            let mut out = Vec::new();
            push_field(&mut out, value.as_bytes(), b',');
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    #[test]
    fn line_numbers_count_embedded_breaks() {
        let dir = std::env::temp_dir().join(format!("synth-out-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        let mut w = LineWriter::create(&path, b',', b"\n", Some(&["a", "b"])).unwrap();
        assert_eq!(w.write_fields(&[b"1", b"x"]).unwrap(), 2);
        assert_eq!(w.write_fields(&[b"2", b"two\nlines"]).unwrap(), 3);
        assert_eq!(w.write_fields(&[b"3", b"y"]).unwrap(), 5);
        assert_eq!(w.records, 3);
        w.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().nth(4), Some("3,y"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn shuffler_emits_every_item_once() {
        let mut s = Shuffler::new(10, Rng::new(1));
        let mut out = Vec::new();
        for i in 0..100 {
            out.extend(s.push(i));
        }
        out.extend(s.drain());
        let mut sorted = out.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        assert_ne!(out, sorted);
    }
}
