//! Golden records: one per cluster, built field by field with a
//! survivorship rule, each field carrying its provenance; and the crosswalk
//! from every input record to its unified id.

use std::borrow::Cow;
use std::collections::HashMap;

use firmlink_model::{Column, StrColumn, Table};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How the value of a golden field is chosen among a cluster's records.
/// Every rule considers only records with a value; ties fall through to
/// source priority, then recency, then (source, source_id) order, so the
/// choice is deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The most trusted source (smallest `priority`) wins.
    SourcePriority,
    /// The most recently verified or updated record wins.
    MostRecent,
    /// The value held by most records wins.
    MostFrequent,
    /// The longest value wins (the most informative spelling).
    MostComplete,
    /// The smallest value (numbers and dates), e.g. first order.
    Min,
    /// The largest value, e.g. last order.
    Max,
}

impl Rule {
    pub const NAMES: [&'static str; 6] = [
        "source_priority",
        "most_recent",
        "most_frequent",
        "most_complete",
        "min",
        "max",
    ];

    pub fn parse(s: &str) -> Option<Rule> {
        Some(match s {
            "source_priority" => Rule::SourcePriority,
            "most_recent" => Rule::MostRecent,
            "most_frequent" => Rule::MostFrequent,
            "most_complete" => Rule::MostComplete,
            "min" => Rule::Min,
            "max" => Rule::Max,
            _ => return None,
        })
    }
}

/// A golden field: the output column, the rule, and optionally a date column
/// that says how fresh this field is in each record (e.g.
/// `employees_verified_at`), used by `most_recent` before the record's date.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRule {
    pub field: String,
    pub rule: Rule,
    pub date_column: Option<String>,
}

impl FieldRule {
    pub fn new(field: &str, rule: Rule) -> Self {
        FieldRule {
            field: field.to_string(),
            rule,
            date_column: None,
        }
    }

    pub fn dated(mut self, column: &str) -> Self {
        self.date_column = Some(column.to_string());
        self
    }
}

/// What golden records are built from.
pub struct GoldenInput<'a> {
    /// Normalized records of one kind (`source`, `source_id` columns required).
    pub table: &'a Table,
    /// Cluster label per record, dense `0..k`.
    pub labels: &'a [u32],
    /// Source name → priority (smaller wins).
    pub priority: &'a HashMap<String, i64>,
    /// Columns that date a record (the latest present wins).
    pub record_date_columns: &'a [&'a str],
    /// Prefix of unified ids, e.g. "acc" or "con".
    pub id_prefix: &'a str,
}

/// Golden records and the crosswalk.
///
/// The golden table is not held in memory: for a million contacts its
/// values and `__from` provenance strings would take more room than the
/// records themselves. It keeps, per field, the row of the record whose value
/// survives, and [`Golden::slice`] materializes rows from the records table
/// when they are written.
pub struct Golden {
    /// One row per input record: `source`, `source_id`, `line`, `unified_id`.
    pub crosswalk: Table,
    /// Unified id per cluster label.
    pub ids: Vec<String>,
    /// Members of cluster c: `member_rows[member_start[c]..member_start[c + 1]]`.
    member_start: Vec<u32>,
    member_rows: Vec<u32>,
    /// Per golden field: its name, its own date column if any, and the
    /// chosen record row per cluster ([`NO_VALUE`] when no member has a value).
    fields: Vec<(String, Option<String>, Vec<u32>)>,
    /// Per record: its date (the latest of `record_date_columns`), or
    /// [`NO_DATE`].
    record_date: Vec<i32>,
}

/// Marks a record without a date.
const NO_DATE: i32 = i32::MIN;

/// Marks a golden field that no record of the cluster has.
const NO_VALUE: u32 = u32::MAX;

impl Golden {
    /// Golden records (clusters).
    pub fn rows(&self) -> usize {
        self.ids.len()
    }

    fn members(&self, c: usize) -> &[u32] {
        &self.member_rows[self.member_start[c] as usize..self.member_start[c + 1] as usize]
    }

    /// Golden rows `start..end`, built from `table` (the records table the
    /// golden records were built from): `unified_id`, `records`, `sources`,
    /// then per field `<field>`, `<field>__from` ("source:source_id" of the
    /// record the value came from) and `<field>__date` (how fresh the value
    /// is: the field's own date column in that record when it has one, else
    /// the record's date).
    pub fn slice(&self, table: &Table, start: usize, end: usize) -> Table {
        let source = str_col(table, "source");
        let source_id = str_col(table, "source_id");
        let rows = end - start;
        let mut out = Table::new(rows);
        out.push(
            "unified_id",
            Column::from_strs(self.ids[start..end].iter().map(|s| Some(s.as_str()))),
        );
        out.push(
            "records",
            Column::I64(
                (start..end)
                    .map(|c| Some(self.members(c).len() as i64))
                    .collect(),
            ),
        );
        let sources: Vec<String> = (start..end)
            .into_par_iter()
            .map(|c| {
                let mut s: Vec<&str> = self
                    .members(c)
                    .iter()
                    .filter_map(|&i| source.get(i as usize))
                    .collect();
                s.sort_unstable();
                s.dedup();
                s.join("; ")
            })
            .collect();
        out.push(
            "sources",
            Column::from_strs(sources.iter().map(|s| Some(s.as_str()))),
        );
        // Each field's value and provenance columns, fields in parallel (this
        // runs while the rows are written, on the writer's critical path).
        let columns: Vec<(Column, Column, Column)> = self
            .fields
            .par_iter()
            .map(|(field, date_column, choice)| {
                let col = table.get(field).expect("golden fields come from the table");
                let field_date = date_column.as_deref().and_then(|c| table.get(c));
                let rows: Vec<Option<usize>> = choice[start..end]
                    .iter()
                    .map(|&r| (r != NO_VALUE).then_some(r as usize))
                    .collect();
                let values = take(col, &rows);
                let mut refs = StrColumn::with_capacity(rows.len());
                let mut from = String::new();
                for r in &rows {
                    match r {
                        Some(i) => {
                            from.clear();
                            from.push_str(source.get(*i).unwrap_or(""));
                            from.push(':');
                            from.push_str(source_id.get(*i).unwrap_or(""));
                            refs.push(Some(&from));
                        }
                        None => refs.push(None),
                    }
                }
                let dates = rows
                    .iter()
                    .map(|r| {
                        Some(value_date(field_date, &self.record_date, (*r)?))
                            .filter(|&d| d != NO_DATE)
                    })
                    .collect();
                (values, Column::Str(refs), Column::Date(dates))
            })
            .collect();
        for ((field, _, _), (values, refs, dates)) in self.fields.iter().zip(columns) {
            out.push(field.clone(), values);
            out.push(format!("{field}__from"), refs);
            out.push(format!("{field}__date"), dates);
        }
        out
    }

    /// The whole golden table (for small tables and tests; the pipeline
    /// writes [`Golden::slice`]s).
    pub fn records(&self, table: &Table) -> Table {
        self.slice(table, 0, self.rows())
    }
}

fn str_col<'a>(t: &'a Table, name: &str) -> &'a StrColumn {
    t.str(name)
        .unwrap_or_else(|| panic!("table lacks string column {name}"))
}

/// Stable unified id of a cluster: a hash of its anchor member, the smallest
/// (source, source_id). It stays the same across runs as long as that record
/// stays in the cluster.
pub fn unified_id(prefix: &str, source: &str, source_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(source.as_bytes());
    h.update([0x1f]);
    h.update(source_id.as_bytes());
    let d = h.finalize();
    let hex: String = d[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_{hex}")
}

/// Days value of a date column at row i (or None).
fn date_at(c: Option<&Column>, i: usize) -> Option<i32> {
    match c {
        Some(Column::Date(v)) => v[i],
        _ => None,
    }
}

/// How fresh record i's value of a field is: the field's own date column
/// when the record has it, else the record's date (or [`NO_DATE`]).
fn value_date(field_date: Option<&Column>, record_date: &[i32], i: usize) -> i32 {
    date_at(field_date, i).unwrap_or(record_date[i])
}

fn num_at(c: &Column, i: usize) -> Option<f64> {
    match c {
        Column::F64(v) => v[i],
        Column::I64(v) => v[i].map(|x| x as f64),
        Column::Date(v) => v[i].map(f64::from),
        _ => None,
    }
}

fn has_value(c: &Column, i: usize) -> bool {
    match c {
        Column::Str(s) => s.is_valid(i),
        Column::F64(v) => v[i].is_some(),
        Column::I64(v) => v[i].is_some(),
        Column::Bool(v) => v[i].is_some(),
        Column::Date(v) => v[i].is_some(),
    }
}

/// Build a column from the chosen row of each cluster.
fn take(c: &Column, rows: &[Option<usize>]) -> Column {
    match c {
        Column::Str(s) => Column::Str(rows.iter().map(|r| r.and_then(|i| s.get(i))).collect()),
        Column::F64(v) => Column::F64(rows.iter().map(|r| r.and_then(|i| v[i])).collect()),
        Column::I64(v) => Column::I64(rows.iter().map(|r| r.and_then(|i| v[i])).collect()),
        Column::Bool(v) => Column::Bool(rows.iter().map(|r| r.and_then(|i| v[i])).collect()),
        Column::Date(v) => Column::Date(rows.iter().map(|r| r.and_then(|i| v[i])).collect()),
    }
}

/// Build golden records for the rules whose field exists in the table.
pub fn build(input: &GoldenInput<'_>, rules: &[FieldRule]) -> Golden {
    let t = input.table;
    let n = t.rows();
    assert_eq!(input.labels.len(), n, "one label per record");
    let k = input
        .labels
        .iter()
        .map(|l| *l as usize + 1)
        .max()
        .unwrap_or(0);
    let source = str_col(t, "source");
    let source_id = str_col(t, "source_id");

    // Members per cluster, in row order.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); k];
    for (i, l) in input.labels.iter().enumerate() {
        members[*l as usize].push(i as u32);
    }
    let prio: Vec<i64> = (0..n)
        .map(|i| {
            source
                .get(i)
                .and_then(|s| input.priority.get(s))
                .copied()
                .unwrap_or(i64::MAX)
        })
        .collect();
    let date_cols: Vec<&Column> = input
        .record_date_columns
        .iter()
        .filter_map(|c| t.get(c))
        .collect();
    let record_date: Vec<i32> = (0..n)
        .map(|i| {
            date_cols
                .iter()
                .filter_map(|c| date_at(Some(c), i))
                .max()
                .unwrap_or(NO_DATE)
        })
        .collect();
    let key = |i: usize| (source.get(i).unwrap_or(""), source_id.get(i).unwrap_or(""));

    // Anchor (smallest source, source_id) → id.
    let ids: Vec<String> = members
        .par_iter()
        .map(|m| {
            let anchor = m
                .iter()
                .map(|&i| key(i as usize))
                .min()
                .expect("clusters are not empty");
            unified_id(input.id_prefix, anchor.0, anchor.1)
        })
        .collect();

    let mut fields = Vec::new();
    for rule in rules {
        let Some(col) = t.get(&rule.field) else {
            continue;
        };
        let field_date = rule.date_column.as_deref().and_then(|c| t.get(c));
        let choice: Vec<u32> = members
            .par_iter()
            .map(|m| {
                choose(col, m, rule.rule, &prio, &record_date, field_date, &key)
                    .map_or(NO_VALUE, |i| i as u32)
            })
            .collect();
        fields.push((rule.field.clone(), rule.date_column.clone(), choice));
    }

    let mut crosswalk = Table::new(n);
    crosswalk.push("source", Column::Str(source.clone()));
    crosswalk.push("source_id", Column::Str(source_id.clone()));
    if let Some(line) = t.get("line") {
        crosswalk.push("line", line.clone());
    }
    crosswalk.push(
        "unified_id",
        Column::from_strs(input.labels.iter().map(|l| Some(ids[*l as usize].as_str()))),
    );
    let mut member_start = Vec::with_capacity(k + 1);
    let mut member_rows = Vec::with_capacity(n);
    member_start.push(0);
    for m in &members {
        member_rows.extend_from_slice(m);
        member_start.push(member_rows.len() as u32);
    }
    Golden {
        crosswalk,
        ids,
        member_start,
        member_rows,
        fields,
        record_date,
    }
}

/// The row whose value survives, among the cluster members with a value.
fn choose<'a>(
    col: &Column,
    members: &[u32],
    rule: Rule,
    prio: &[i64],
    record_date: &[i32],
    field_date: Option<&Column>,
    key: &impl Fn(usize) -> (&'a str, &'a str),
) -> Option<usize> {
    // Most clusters are single records: nothing to choose.
    if let [only] = members {
        return has_value(col, *only as usize).then_some(*only as usize);
    }
    let candidates: Vec<usize> = members
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| has_value(col, i))
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let fresh = |i: usize| value_date(field_date, record_date, i);
    // Tie-break order shared by every rule: priority, then recency, then key.
    let tie = |a: usize, b: usize| {
        prio[a]
            .cmp(&prio[b])
            .then(fresh(b).cmp(&fresh(a)))
            .then(key(a).cmp(&key(b)))
    };
    let best_by = |cmp: &dyn Fn(usize, usize) -> std::cmp::Ordering| {
        candidates
            .iter()
            .copied()
            .min_by(|&a, &b| cmp(a, b).then(tie(a, b)))
    };
    // The candidate with the largest `score` (computed once per candidate),
    // ties broken as for every rule.
    let most = |score: Vec<usize>| {
        (0..candidates.len())
            .min_by(|&x, &y| {
                score[y]
                    .cmp(&score[x])
                    .then(tie(candidates[x], candidates[y]))
            })
            .map(|x| candidates[x])
    };
    match rule {
        Rule::SourcePriority => best_by(&|_, _| std::cmp::Ordering::Equal),
        Rule::MostRecent => best_by(&|a, b| fresh(b).cmp(&fresh(a))),
        Rule::MostComplete => most(
            candidates
                .iter()
                .map(|&i| text_at(col, i).map_or(0, |s| s.chars().count()))
                .collect(),
        ),
        Rule::MostFrequent => {
            let values: Vec<Cow<'_, str>> = candidates
                .iter()
                .map(|&i| text_at(col, i).unwrap_or_default())
                .collect();
            // Clusters are small: count by comparing; a map for big ones.
            let counts: Vec<usize> = if values.len() <= 32 {
                values
                    .iter()
                    .map(|v| values.iter().filter(|w| *w == v).count())
                    .collect()
            } else {
                let mut by_value: HashMap<&str, usize> = HashMap::new();
                for v in &values {
                    *by_value.entry(v).or_default() += 1;
                }
                values.iter().map(|v| by_value[v.as_ref()]).collect()
            };
            most(counts)
        }
        Rule::Min | Rule::Max => {
            let v = |i: usize| num_at(col, i).unwrap_or(f64::NAN);
            if rule == Rule::Min {
                best_by(&|a, b| v(a).total_cmp(&v(b)))
            } else {
                best_by(&|a, b| v(b).total_cmp(&v(a)))
            }
        }
    }
}

/// A value as text, borrowed from text columns (no copy per comparison).
fn text_at(c: &Column, i: usize) -> Option<Cow<'_, str>> {
    match c {
        Column::Str(s) => s.get(i).map(Cow::Borrowed),
        _ => c.display(i).map(Cow::Owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = Table::new(4);
        t.push(
            "source",
            Column::from_strs([Some("crm"), Some("vendor"), Some("crm"), Some("erp")]),
        );
        t.push(
            "source_id",
            Column::from_strs([Some("1"), Some("v1"), Some("2"), Some("e1")]),
        );
        t.push(
            "name",
            Column::from_strs([Some("Acme"), Some("ACME Incorporated"), Some("Beta"), None]),
        );
        t.push(
            "employees",
            Column::F64(vec![Some(100.0), Some(250.0), None, Some(250.0)]),
        );
        t.push(
            "verified_at",
            Column::Date(vec![Some(100), Some(200), None, Some(50)]),
        );
        t
    }

    fn golden(rules: &[FieldRule], labels: &[u32]) -> Table {
        golden_of(&table(), rules, labels).records(&table())
    }

    fn golden_of(t: &Table, rules: &[FieldRule], labels: &[u32]) -> Golden {
        let priority: HashMap<String, i64> = [
            ("crm".to_string(), 1),
            ("vendor".to_string(), 2),
            ("erp".to_string(), 3),
        ]
        .into();
        build(
            &GoldenInput {
                table: t,
                labels,
                priority: &priority,
                record_date_columns: &["verified_at"],
                id_prefix: "acc",
            },
            rules,
        )
    }

    #[test]
    fn rules_choose_the_expected_record() {
        let labels = [0, 0, 1, 0];
        let cases = [
            (Rule::SourcePriority, "name", Some("Acme"), "crm:1"),
            (
                Rule::MostComplete,
                "name",
                Some("ACME Incorporated"),
                "vendor:v1",
            ),
            (Rule::MostRecent, "employees", Some("250"), "vendor:v1"),
            (Rule::MostFrequent, "employees", Some("250"), "vendor:v1"),
            (Rule::Min, "employees", Some("100"), "crm:1"),
            (Rule::Max, "verified_at", Some("1970-07-20"), "vendor:v1"),
        ];
        for (rule, field, value, from) in cases {
            let g = golden(&[FieldRule::new(field, rule)], &labels);
            assert_eq!(
                g.get(field).unwrap().display(0).as_deref(),
                value,
                "{rule:?}"
            );
            assert_eq!(
                g.str(&format!("{field}__from")).unwrap().get(0),
                Some(from),
                "{rule:?}"
            );
        }
    }

    #[test]
    fn ids_are_stable_and_the_crosswalk_covers_every_record() {
        let t = table();
        let g = golden_of(
            &t,
            &[FieldRule::new("name", Rule::SourcePriority)],
            &[0, 0, 1, 0],
        );
        assert_eq!(g.rows(), 2);
        assert_eq!(g.records(&t).rows(), 2);
        assert_eq!(g.crosswalk.rows(), 4);
        assert_eq!(g.ids[0], unified_id("acc", "crm", "1"));
        // Relabelling clusters does not change ids.
        let h = golden_of(
            &t,
            &[FieldRule::new("name", Rule::SourcePriority)],
            &[1, 1, 0, 1],
        );
        assert_eq!(h.ids[1], g.ids[0]);
        let records = g.records(&t);
        assert_eq!(
            records.str("sources").unwrap().get(0),
            Some("crm; erp; vendor")
        );
        assert_eq!(
            records.get("records").unwrap().display(0).as_deref(),
            Some("3")
        );
        // Slices are rows of the whole table.
        let tail = g.slice(&t, 1, 2);
        assert_eq!(tail.rows(), 1);
        assert_eq!(
            tail.str("unified_id").unwrap().get(0),
            records.str("unified_id").unwrap().get(1)
        );
        assert_eq!(tail.str("name__from").unwrap().get(0), Some("crm:2"));
    }

    #[test]
    fn each_value_carries_the_date_of_its_record_or_its_own_date() {
        let mut t = table();
        t.push(
            "employees_at",
            Column::Date(vec![Some(7), None, None, Some(300)]),
        );
        let g = golden_of(
            &t,
            &[
                FieldRule::new("name", Rule::SourcePriority),
                FieldRule::new("employees", Rule::SourcePriority).dated("employees_at"),
            ],
            &[0, 0, 1, 0],
        )
        .records(&t);
        // name from crm:1 (verified day 100); Beta's record has no date.
        assert_eq!(dates_of(&g, "name__date"), [Some(100), None]);
        // employees from crm:1, dated by its own column (day 7), not the
        // record's; the second cluster has no employees value at all.
        assert_eq!(dates_of(&g, "employees__date"), [Some(7), None]);
        let g = golden_of(
            &t,
            &[FieldRule::new("employees", Rule::MostRecent).dated("employees_at")],
            &[0, 0, 1, 0],
        )
        .records(&t);
        // most_recent: erp:e1 (own date, day 300) beats vendor:v1 (no own
        // date; its record's, day 200) and crm:1 (own date, day 7).
        assert_eq!(g.str("employees__from").unwrap().get(0), Some("erp:e1"));
        assert_eq!(dates_of(&g, "employees__date"), [Some(300), None]);
    }

    fn dates_of(g: &Table, c: &str) -> Vec<Option<i32>> {
        match g.get(c) {
            Some(Column::Date(v)) => v.clone(),
            other => panic!("{c}: {other:?}"),
        }
    }

    #[test]
    fn a_field_no_record_has_stays_empty() {
        let g = golden(
            &[FieldRule::new("name", Rule::SourcePriority)],
            &[0, 1, 2, 3],
        );
        assert_eq!(g.str("name").unwrap().get(3), None);
        assert_eq!(g.str("name__from").unwrap().get(3), None);
    }
}
