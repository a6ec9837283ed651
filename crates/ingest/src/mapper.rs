//! Source row → [`RawRecord`]: apply the pipeline's column mapping, derive
//! missing ids, check required fields and duplicate ids.

use foldhash::HashMap;
use sha2::{Digest, Sha256};

use firmlink_config::{Mapping, Part, Source, default_required};
use firmlink_model::{Quarantined, RawRecord, Reason, fields, shorten};

use crate::readers::clean;

enum Compiled {
    Column(usize),
    Template(Vec<CPart>),
    Split {
        column: usize,
        separator: String,
        part: i64,
    },
}

enum CPart {
    Text(String),
    Column(usize),
}

pub struct Mapper {
    source: String,
    index: u16,
    kind: firmlink_model::Kind,
    /// Source columns read, in this order (see `Rows::select`).
    pub needed: Vec<String>,
    id: Option<usize>,
    fields: Vec<(usize, Compiled)>,
    /// Source columns that only one field reads as a plain column: their
    /// value is moved into the record instead of copied.
    movable: Vec<bool>,
    extras: Vec<Compiled>,
    required_any: Vec<usize>,
    /// id → first line that used it.
    seen: HashMap<String, u64>,
}

impl Mapper {
    pub fn new(source: &Source, index: u16) -> Self {
        let mut needed: Vec<String> = Vec::new();
        let mut col = |name: &str| match needed.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                needed.push(name.to_string());
                needed.len() - 1
            }
        };
        let mut compile = |m: &Mapping| match m {
            Mapping::Column(c) => Compiled::Column(col(c)),
            Mapping::Template(parts) => Compiled::Template(
                parts
                    .iter()
                    .map(|p| match p {
                        Part::Text(t) => CPart::Text(t.clone()),
                        Part::Column(c) => CPart::Column(col(c)),
                    })
                    .collect(),
            ),
            Mapping::Split {
                column,
                separator,
                part,
            } => Compiled::Split {
                column: col(column),
                separator: separator.clone(),
                part: *part,
            },
        };
        let fields_c: Vec<(usize, Compiled)> = source
            .columns
            .iter()
            .map(|(slot, m)| (*slot, compile(m)))
            .collect();
        let extras: Vec<Compiled> = source.extras.iter().map(|x| compile(&x.mapping)).collect();
        let id = source.id.as_deref().map(&mut col);
        // How often each source column is read, by any mapping or as the id.
        let mut reads = vec![0usize; needed.len()];
        let mut count = |c: &Compiled| match c {
            Compiled::Column(i) | Compiled::Split { column: i, .. } => reads[*i] += 1,
            Compiled::Template(parts) => {
                for p in parts {
                    if let CPart::Column(i) = p {
                        reads[*i] += 1;
                    }
                }
            }
        };
        fields_c.iter().for_each(|(_, c)| count(c));
        extras.iter().for_each(&mut count);
        if let Some(i) = id {
            reads[i] += 1;
        }
        let movable = reads.iter().map(|n| *n == 1).collect();
        Mapper {
            source: source.name.clone(),
            index,
            kind: source.kind,
            needed,
            id,
            fields: fields_c,
            movable,
            extras,
            required_any: source.required_any.clone(),
            seen: HashMap::default(),
        }
    }

    fn eval(c: &Compiled, values: &[Option<String>]) -> Option<String> {
        match c {
            Compiled::Column(i) => values[*i].clone(),
            Compiled::Template(parts) => {
                let mut out = String::new();
                let mut any = false;
                for p in parts {
                    match p {
                        CPart::Text(t) => out.push_str(t),
                        CPart::Column(i) => {
                            if let Some(v) = &values[*i] {
                                any = true;
                                out.push_str(v);
                            }
                        }
                    }
                }
                if !any {
                    return None;
                }
                let joined = out.split_whitespace().collect::<Vec<_>>().join(" ");
                clean(&joined).map(str::to_string)
            }
            Compiled::Split {
                column,
                separator,
                part,
            } => {
                let v = values[*column].as_deref()?;
                let parts: Vec<&str> = v.split(separator.as_str()).collect();
                let idx = if *part > 0 {
                    (*part - 1) as usize
                } else {
                    parts.len().checked_sub(part.unsigned_abs() as usize)?
                };
                parts.get(idx).and_then(|p| clean(p)).map(str::to_string)
            }
        }
    }

    pub fn map(
        &mut self,
        line: u64,
        mut values: Vec<Option<String>>,
    ) -> Result<RawRecord, Quarantined> {
        let defs = fields(self.kind);
        // The id first: a derived id hashes every value, before any is moved.
        let given = self.id.and_then(|i| values[i].clone());
        let id_derived = given.is_none();
        let id = given.unwrap_or_else(|| derive_id(&self.source, &values));
        let mut slots = vec![None; defs.len()];
        for (slot, c) in &self.fields {
            slots[*slot] = match c {
                Compiled::Column(i) if self.movable[*i] => values[*i].take(),
                c => Self::eval(c, &values),
            };
        }
        if !self.required_any.is_empty() && !self.required_any.iter().any(|s| slots[*s].is_some()) {
            // Put moved values back so that the message shows the whole row.
            for (slot, c) in &self.fields {
                if let Compiled::Column(i) = c
                    && self.movable[*i]
                {
                    values[*i] = slots[*slot].take();
                }
            }
            let names: Vec<&str> = self.required_any.iter().map(|s| defs[*s].name).collect();
            let why = if self.required_any == default_slots(self.kind) {
                default_required(self.kind).1.to_string()
            } else {
                "the pipeline's required_any for this source says so".to_string()
            };
            return Err(Quarantined {
                source: self.source.clone(),
                line,
                reason: Reason::MissingRequired,
                column: None,
                value: Some(shorten(&row_text(&self.needed, &values, self.id), 200)),
                message: format!("none of {} has a value: {why}", names.join(", ")),
            });
        }
        if let Some(first) = self.seen.get(&id) {
            let (column, message) = if id_derived {
                (
                    None,
                    format!("the row has no id and is identical to line {first}, which was kept"),
                )
            } else {
                (
                    self.needed.get(self.id.unwrap_or(0)).cloned(),
                    format!(
                        "id \"{id}\" was already used on line {first}, which was kept; ids must be unique within a source"
                    ),
                )
            };
            return Err(Quarantined {
                source: self.source.clone(),
                line,
                reason: Reason::DuplicateId,
                column,
                value: Some(shorten(&id, 200)),
                message,
            });
        }
        self.seen.insert(id.clone(), line);
        let extras = self.extras.iter().map(|c| Self::eval(c, &values)).collect();
        Ok(RawRecord {
            source: self.index,
            source_id: id,
            id_derived,
            line,
            fields: slots,
            extras,
        })
    }
}

fn default_slots(kind: firmlink_model::Kind) -> Vec<usize> {
    default_required(kind)
        .0
        .iter()
        .filter_map(|f| firmlink_model::slot(kind, f))
        .collect()
}

/// A row's non-empty values as `column=value, …`, the id column first so
/// that a shortened text still says which row it is.
fn row_text(names: &[String], values: &[Option<String>], id: Option<usize>) -> String {
    let order = id
        .into_iter()
        .chain((0..names.len().min(values.len())).filter(|&i| Some(i) != id));
    order
        .filter_map(|i| Some(format!("{}={}", names.get(i)?, values.get(i)?.as_ref()?)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A stable id for a row without one: a hash of the source name and the
/// row's values, so the same row gets the same id in every run.
fn derive_id(source: &str, values: &[Option<String>]) -> String {
    let mut h = Sha256::new();
    h.update(source.as_bytes());
    for v in values {
        h.update([0x1f]);
        if let Some(v) = v {
            h.update(v.as_bytes());
        }
    }
    let d = h.finalize();
    let hex: String = d[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("derived:{hex}")
}
