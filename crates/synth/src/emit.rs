//! Writing source records: id assignment, deliberate defects, truth rows
//! and per-source counters.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::SynthError;
use crate::out::{LineWriter, push_field};
use crate::rng::Rng;
use crate::text::latin1_bytes;

/// A field value. CSV writes `Null` as an empty field; JSON as `null`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Null,
}

impl Value {
    pub fn opt(s: Option<String>) -> Value {
        s.map_or(Value::Null, Value::Str)
    }

    fn as_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        match self {
            Value::Str(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
            Value::Int(i) => std::borrow::Cow::Owned(i.to_string().into_bytes()),
            Value::Null => std::borrow::Cow::Borrowed(b""),
        }
    }

    fn json(&self, out: &mut Vec<u8>) {
        match self {
            Value::Str(s) => out.extend(serde_json::to_string(s).unwrap_or_default().bytes()),
            Value::Int(i) => out.extend(i.to_string().bytes()),
            Value::Null => out.extend_from_slice(b"null"),
        }
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

/// Which true entity a record belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Truth {
    Account(u32),
    Contact {
        person: u32,
        contact: u32,
        account: u32,
    },
}

#[derive(Debug, Clone)]
pub struct Record {
    /// Field 0 is the record id; it may be replaced at emission.
    pub fields: Vec<Value>,
    pub truth: Truth,
}

/// A deliberately broken row (recorded in `truth/bad_rows.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Defect {
    /// One field too few (truncated row) or too many (unquoted delimiter).
    WrongFieldCount,
    /// A text field in Latin-1 instead of UTF-8.
    InvalidUtf8,
    /// Empty record id.
    MissingId,
    /// The id of an earlier record of the same file.
    DuplicateId,
    /// A quoted field with stray, undoubled quotes.
    MalformedQuote,
    /// A JSON line cut off before its end.
    TruncatedJson,
}

impl Defect {
    pub fn as_str(self) -> &'static str {
        match self {
            Defect::WrongFieldCount => "wrong_field_count",
            Defect::InvalidUtf8 => "invalid_utf8",
            Defect::MissingId => "missing_id",
            Defect::DuplicateId => "duplicate_id",
            Defect::MalformedQuote => "malformed_quote",
            Defect::TruncatedJson => "truncated_json",
        }
    }
}

const CSV_DEFECTS: [Defect; 5] = [
    Defect::MissingId,
    Defect::WrongFieldCount,
    Defect::InvalidUtf8,
    Defect::DuplicateId,
    Defect::MalformedQuote,
];
const JSON_DEFECTS: [Defect; 4] = [
    Defect::TruncatedJson,
    Defect::MissingId,
    Defect::InvalidUtf8,
    Defect::DuplicateId,
];

/// How a source gets its record ids.
#[derive(Debug, Clone, Copy)]
pub enum Ids {
    /// Already in field 0.
    Given,
    /// Consecutive numbers from a start value.
    Sequential(u64),
    /// Nine-digit vendor numbers (DUNS-like), a bijection of the counter.
    Vendor,
    /// Salesforce 18-character ids with the given key prefix; record
    /// numbers start at the offset (so accounts and contacts never share one).
    Salesforce(&'static str, u64),
}

/// A growable bit set over entity indices.
#[derive(Debug, Default, Clone)]
pub struct BitSet {
    words: Vec<u64>,
    count: u64,
}

impl BitSet {
    pub fn insert(&mut self, i: u32) {
        let w = (i / 64) as usize;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let bit = 1u64 << (i % 64);
        if self.words[w] & bit == 0 {
            self.words[w] |= bit;
            self.count += 1;
        }
    }

    pub fn len(&self) -> u64 {
        self.count
    }
}

/// Counters for one source file.
#[derive(Debug, Default, Clone)]
pub struct SourceStats {
    pub records: u64,
    pub good: u64,
    pub defects: BTreeMap<&'static str, u64>,
    pub entities: BitSet,
}

/// The truth files, written as records are emitted.
pub struct TruthFiles {
    pub accounts: csv::Writer<BufWriter<File>>,
    pub contacts: csv::Writer<BufWriter<File>>,
    pub bad_rows: csv::Writer<BufWriter<File>>,
    pub counts: [u64; 3],
}

fn truth_writer(path: &Path, header: &[&str]) -> Result<csv::Writer<BufWriter<File>>, SynthError> {
    let file = File::create(path).map_err(|e| SynthError::io(path, e))?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::new(file));
    w.write_record(header)
        .map_err(|e| SynthError::csv(path, e))?;
    Ok(w)
}

impl TruthFiles {
    pub fn create(dir: &Path) -> Result<Self, SynthError> {
        Ok(TruthFiles {
            accounts: truth_writer(
                &dir.join("accounts_truth.csv"),
                &["source", "source_id", "account_entity_id"],
            )?,
            contacts: truth_writer(
                &dir.join("contacts_truth.csv"),
                &[
                    "source",
                    "source_id",
                    "person_id",
                    "contact_entity_id",
                    "account_entity_id",
                ],
            )?,
            bad_rows: truth_writer(&dir.join("bad_rows.csv"), &["source", "line", "defect"])?,
            counts: [0; 3],
        })
    }

    pub fn finish(mut self, dir: &Path) -> Result<[u64; 3], SynthError> {
        for (w, name) in [
            (&mut self.accounts, "accounts_truth.csv"),
            (&mut self.contacts, "contacts_truth.csv"),
            (&mut self.bad_rows, "bad_rows.csv"),
        ] {
            w.flush().map_err(|e| SynthError::io(&dir.join(name), e))?;
        }
        Ok(self.counts)
    }
}

/// Salesforce-style 18-character id: key prefix, instance, a 9-character
/// base-62 record number, and the 3-character case-safety suffix.
pub fn salesforce_id(prefix: &str, n: u64) -> String {
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = crate::rng::scramble62(n);
    let mut body = [b'0'; 9];
    for slot in body.iter_mut().rev() {
        *slot = B62[(x % 62) as usize];
        x /= 62;
    }
    let mut id = String::with_capacity(18);
    id.push_str(prefix);
    id.push_str("5g0");
    id.push_str(std::str::from_utf8(&body).unwrap_or("000000000"));
    let bytes = id.as_bytes().to_vec();
    for chunk in bytes.chunks(5).take(3) {
        let mut flags = 0usize;
        for (j, b) in chunk.iter().enumerate() {
            if b.is_ascii_uppercase() {
                flags |= 1 << j;
            }
        }
        id.push(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[flags] as char);
    }
    id
}

/// Writes the records of one source file.
pub struct Emitter {
    pub source: &'static str,
    out: LineWriter,
    json_keys: Option<&'static [&'static str]>,
    ids: Ids,
    counter: u64,
    rng: Rng,
    defect_rate: f64,
    next_defect: usize,
    recent_ids: Vec<String>,
    /// Field that defects garble (a name).
    text_field: usize,
    pub stats: SourceStats,
}

impl Emitter {
    #[allow(clippy::too_many_arguments)]
    pub fn csv(
        path: &Path,
        source: &'static str,
        delim: u8,
        eol: &'static [u8],
        header: &[&str],
        ids: Ids,
        text_field: usize,
        mut rng: Rng,
        defect_rate: f64,
    ) -> Result<Self, SynthError> {
        let next_defect = rng.index(CSV_DEFECTS.len());
        Ok(Emitter {
            source,
            out: LineWriter::create(path, delim, eol, Some(header))?,
            json_keys: None,
            ids,
            counter: 0,
            rng,
            defect_rate,
            next_defect,
            recent_ids: Vec::new(),
            text_field,
            stats: SourceStats::default(),
        })
    }

    pub fn jsonl(
        path: &Path,
        source: &'static str,
        keys: &'static [&'static str],
        ids: Ids,
        text_field: usize,
        mut rng: Rng,
        defect_rate: f64,
    ) -> Result<Self, SynthError> {
        let next_defect = rng.index(JSON_DEFECTS.len());
        Ok(Emitter {
            source,
            out: LineWriter::create(path, b',', b"\n", None)?,
            json_keys: Some(keys),
            ids,
            counter: 0,
            rng,
            defect_rate,
            next_defect,
            recent_ids: Vec::new(),
            text_field,
            stats: SourceStats::default(),
        })
    }

    fn next_id(&mut self) -> Option<String> {
        let n = self.counter;
        self.counter += 1;
        match self.ids {
            Ids::Given => None,
            Ids::Sequential(start) => Some((start + n).to_string()),
            Ids::Vendor => Some((100_000_000 + (n * 104_729 + 12_345) % 900_000_000).to_string()),
            Ids::Salesforce(prefix, offset) => Some(salesforce_id(prefix, offset + n)),
        }
    }

    fn decide_defect(&mut self) -> Option<Defect> {
        if self.defect_rate <= 0.0 || !self.rng.chance(self.defect_rate) {
            return None;
        }
        let kinds: &[Defect] = if self.json_keys.is_some() {
            &JSON_DEFECTS
        } else {
            &CSV_DEFECTS
        };
        let mut kind = kinds[self.next_defect % kinds.len()];
        self.next_defect += 1;
        if kind == Defect::DuplicateId && self.recent_ids.is_empty() {
            kind = Defect::MissingId;
        }
        Some(kind)
    }

    /// Writes a record (with a defect, at the configured rate) and its
    /// truth row.
    pub fn emit(&mut self, mut rec: Record, truth: &mut TruthFiles) -> Result<(), SynthError> {
        if let Some(id) = self.next_id() {
            rec.fields[0] = Value::Str(id);
        }
        let defect = self.decide_defect();
        let id = match &rec.fields[0] {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Null => String::new(),
        };
        let line = match defect {
            None => self.write_clean(&rec.fields)?,
            Some(d) => self.write_broken(&mut rec.fields, d)?,
        };
        self.stats.records += 1;
        match defect {
            Some(d) => {
                *self.stats.defects.entry(d.as_str()).or_default() += 1;
                truth
                    .bad_rows
                    .write_record([self.source, &line.to_string(), d.as_str()])
                    .map_err(|e| SynthError::csv(Path::new("truth/bad_rows.csv"), e))?;
                truth.counts[2] += 1;
            }
            None => {
                self.stats.good += 1;
                if self.recent_ids.len() < 64 {
                    self.recent_ids.push(id.clone());
                } else {
                    let i = self.rng.index(64);
                    self.recent_ids[i] = id.clone();
                }
                match rec.truth {
                    Truth::Account(a) => {
                        self.stats.entities.insert(a);
                        truth
                            .accounts
                            .write_record([self.source, &id, &crate::company::entity_id(a)])
                            .map_err(|e| {
                                SynthError::csv(Path::new("truth/accounts_truth.csv"), e)
                            })?;
                        truth.counts[0] += 1;
                    }
                    Truth::Contact {
                        person,
                        contact,
                        account,
                    } => {
                        self.stats.entities.insert(contact);
                        truth
                            .contacts
                            .write_record([
                                self.source,
                                &id,
                                &crate::person::person_id(person),
                                &crate::contacts::contact_entity_id(contact),
                                &crate::company::entity_id(account),
                            ])
                            .map_err(|e| {
                                SynthError::csv(Path::new("truth/contacts_truth.csv"), e)
                            })?;
                        truth.counts[1] += 1;
                    }
                }
            }
        }
        Ok(())
    }

    fn json_line(&self, fields: &[Value], raw: Option<(usize, &[u8])>) -> Vec<u8> {
        let keys = self.json_keys.unwrap_or(&[]);
        let mut out = Vec::with_capacity(256);
        out.push(b'{');
        for (i, (k, v)) in keys.iter().zip(fields).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend(serde_json::to_string(k).unwrap_or_default().bytes());
            out.push(b':');
            match raw {
                Some((ri, bytes)) if ri == i => {
                    out.push(b'"');
                    for b in bytes {
                        if *b == b'"' || *b == b'\\' {
                            out.push(b'\\');
                        }
                        out.push(*b);
                    }
                    out.push(b'"');
                }
                _ => v.json(&mut out),
            }
        }
        out.push(b'}');
        out
    }

    fn write_clean(&mut self, fields: &[Value]) -> Result<u64, SynthError> {
        if self.json_keys.is_some() {
            let line = self.json_line(fields, None);
            self.out.write_raw(&line)
        } else {
            let bytes: Vec<std::borrow::Cow<'_, [u8]>> =
                fields.iter().map(Value::as_bytes).collect();
            let refs: Vec<&[u8]> = bytes.iter().map(|b| b.as_ref()).collect();
            self.out.write_fields(&refs)
        }
    }

    fn text_of(&self, fields: &[Value]) -> String {
        match &fields[self.text_field] {
            Value::Str(s) if !s.is_empty() => s.clone(),
            _ => "Unknown".to_string(),
        }
    }

    fn invalid_utf8(text: &str) -> Vec<u8> {
        let mut b = latin1_bytes(text);
        if std::str::from_utf8(&b).is_ok() {
            match b.iter().position(|c| *c == b'e') {
                Some(i) => b[i] = 0xE9,
                None => b.push(0xE9),
            }
        }
        if std::str::from_utf8(&b).is_ok() {
            b.push(0xFF);
        }
        b
    }

    fn write_broken(&mut self, fields: &mut [Value], defect: Defect) -> Result<u64, SynthError> {
        match defect {
            Defect::MissingId => {
                fields[0] = Value::Null;
                self.write_clean(fields)
            }
            Defect::DuplicateId => {
                fields[0] = Value::Str(self.rng.pick(&self.recent_ids).clone());
                self.write_clean(fields)
            }
            Defect::TruncatedJson => {
                let line = self.json_line(fields, None);
                let text = String::from_utf8_lossy(&line).into_owned();
                let mut cut = (text.len() as f64 * self.rng.uniform(0.3, 0.85)) as usize;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                self.out.write_raw(&line[..cut])
            }
            Defect::InvalidUtf8 => {
                let bad = Self::invalid_utf8(&self.text_of(fields));
                if self.json_keys.is_some() {
                    let line = self.json_line(fields, Some((self.text_field, &bad)));
                    self.out.write_raw(&line)
                } else {
                    let delim = self.out.delim;
                    let mut rec = Vec::new();
                    for (i, f) in fields.iter().enumerate() {
                        if i > 0 {
                            rec.push(delim);
                        }
                        if i == self.text_field {
                            push_field(&mut rec, &bad, delim);
                        } else {
                            push_field(&mut rec, &f.as_bytes(), delim);
                        }
                    }
                    self.out.write_raw(&rec)
                }
            }
            Defect::WrongFieldCount => {
                let delim = self.out.delim;
                let text = self.text_of(fields).replace(['"', '\n', '\r'], " ");
                let mut rec = Vec::new();
                let truncate = self.rng.chance(0.5);
                let n = if truncate {
                    fields.len() - 1
                } else {
                    fields.len()
                };
                for (i, f) in fields.iter().take(n).enumerate() {
                    if i > 0 {
                        rec.push(delim);
                    }
                    if i == self.text_field && !truncate {
                        // An unquoted delimiter inside the name adds a field.
                        let t = text.replace(char::from(delim), " ");
                        let (a, b) = t.split_once(' ').unwrap_or((&t, "Ltd"));
                        rec.extend_from_slice(a.as_bytes());
                        rec.push(delim);
                        rec.push(b' ');
                        rec.extend_from_slice(b.as_bytes());
                    } else {
                        push_field(&mut rec, &f.as_bytes(), delim);
                    }
                }
                self.out.write_raw(&rec)
            }
            Defect::MalformedQuote => {
                let delim = self.out.delim;
                let text = self
                    .text_of(fields)
                    .replace(['"', '\n', '\r'], " ")
                    .replace(char::from(delim), " ");
                let broken = match text.split_once(' ') {
                    Some((a, b)) => format!("\"{a} \"{b}\" Inc\""),
                    None => format!("\"{text}\"x"),
                };
                let mut rec = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        rec.push(delim);
                    }
                    if i == self.text_field {
                        rec.extend_from_slice(broken.as_bytes());
                    } else {
                        push_field(&mut rec, &f.as_bytes(), delim);
                    }
                }
                self.out.write_raw(&rec)
            }
        }
    }

    pub fn finish(self) -> Result<SourceStats, SynthError> {
        self.out.finish()?;
        Ok(self.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_ids_have_valid_suffix() {
        let id = salesforce_id("001", 0);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("0015g0"));
        let mut seen = std::collections::HashSet::new();
        for n in 0..10_000 {
            let id = salesforce_id("003", n);
            // Recompute the case-safety suffix.
            let b = id.as_bytes();
            for (k, chunk) in b[..15].chunks(5).enumerate() {
                let flags: usize = chunk
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_ascii_uppercase())
                    .map(|(j, _)| 1 << j)
                    .sum();
                assert_eq!(b[15 + k], b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[flags]);
            }
            assert!(seen.insert(id[..15].to_string()));
        }
    }

    #[test]
    fn invalid_utf8_is_invalid() {
        for s in ["Müller", "Acme", "xyz", ""] {
            assert!(
                std::str::from_utf8(&Emitter::invalid_utf8(s)).is_err(),
                "{s}"
            );
        }
    }
}
