//! `firmlink eval`: a run's clusters against a truth file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use firmlink_linkage::eval::{self, DEFAULT_THRESHOLDS, PairScope};
use firmlink_model::{Column, Kind, Table};

type Fail = (String, u8);

#[derive(clap::Args)]
pub struct Args {
    /// A run folder (e.g. out/demo/latest).
    #[arg(long)]
    run: PathBuf,
    /// accounts or contacts.
    #[arg(long)]
    kind: String,
    /// Truth CSV: a record id column and an entity column. With a `source`
    /// column, records are keyed by (source, source_id); otherwise by id alone.
    #[arg(long)]
    truth: PathBuf,
    /// Column of the record id (default: `source_id`, else `rec_id`, else the first column).
    #[arg(long)]
    id_column: Option<String>,
    /// Column of the true entity (default: `entity_id`, `contact_entity_id`
    /// or `account_entity_id`, whichever exists first).
    #[arg(long)]
    entity_column: Option<String>,
    /// Count only pairs across sources (link-only evaluation, e.g. Febrl 4).
    #[arg(long)]
    link_only: bool,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    json: bool,
}

fn fail(msg: String, code: u8) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(code)
}

fn str_col<'a>(
    t: &'a Table,
    name: &str,
    file: &Path,
) -> Result<&'a firmlink_model::StrColumn, String> {
    t.str(name)
        .ok_or_else(|| format!("{} has no column {name}", file.display()))
}

pub fn main(args: &Args) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err((msg, code)) => fail(msg, code),
    }
}

fn run(args: &Args) -> Result<(), (String, u8)> {
    let input = |m: String| (m, 4u8);
    let kind = crate::run_folder::kind(&args.kind)?;
    let cw_path = args.run.join("crosswalk.parquet");
    let crosswalk = firmlink_pipeline::read_parquet(&cw_path).map_err(|e| input(e.to_string()))?;
    // The records of this kind, in record order: the crosswalk lists them in
    // the order of normalized/<kind>.parquet and the pairs' indices.
    let cw_kind = str_col(&crosswalk, "kind", &cw_path).map_err(input)?;
    let cw_uid = str_col(&crosswalk, "unified_id", &cw_path).map_err(input)?;
    let source = str_col(&crosswalk, "source", &cw_path).map_err(input)?;
    let source_id = str_col(&crosswalk, "source_id", &cw_path).map_err(input)?;
    let rows: Vec<usize> = (0..crosswalk.rows())
        .filter(|&i| cw_kind.get(i) == Some(args.kind.as_str()))
        .collect();
    let uids: Vec<&str> = rows.iter().map(|&i| cw_uid.get(i).unwrap_or("")).collect();
    let n_records = rows.len();
    // The threshold table re-clusters the scored pairs with the B2B rules,
    // which read the normalized records: both are optional outputs.
    // Pairs first: without them the (large) records are not needed.
    let pairs = crate::run_folder::optional_table(&args.run, "pairs", kind)?;
    let records = match pairs {
        Some(_) => crate::run_folder::optional_table(&args.run, "normalized", kind)?,
        None => None,
    };
    if let Some(r) = &records
        && r.rows() != n_records
    {
        return Err(input(format!(
            "{} and {} disagree on the number of {} ({} vs {})",
            cw_path.display(),
            crate::run_folder::table_path(&args.run, "normalized", kind).display(),
            args.kind,
            n_records,
            r.rows()
        )));
    }

    // Truth.
    let mut rdr = csv::Reader::from_path(&args.truth)
        .map_err(|e| input(format!("{}: {e}", args.truth.display())))?;
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| input(format!("{}: {e}", args.truth.display())))?
        .iter()
        .map(str::to_string)
        .collect();
    let pos = |n: &str| header.iter().position(|h| h == n);
    let id_col = match &args.id_column {
        Some(c) => {
            pos(c).ok_or_else(|| input(format!("{} has no column {c}", args.truth.display())))?
        }
        None => pos("source_id").or(pos("rec_id")).unwrap_or(0),
    };
    let ent_col = match &args.entity_column {
        Some(c) => {
            pos(c).ok_or_else(|| input(format!("{} has no column {c}", args.truth.display())))?
        }
        None => pos("entity_id")
            .or(pos("contact_entity_id"))
            .or(pos("account_entity_id"))
            .ok_or_else(|| {
                input(format!(
                    "{} has no entity column; pass --entity-column",
                    args.truth.display()
                ))
            })?,
    };
    let src_col = pos("source");
    let mut truth: HashMap<(String, String), String> = HashMap::new();
    for (line, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| input(format!("{}:{}: {e}", args.truth.display(), line + 2)))?;
        let src = src_col.and_then(|c| rec.get(c)).unwrap_or("").to_string();
        let key = (src, rec.get(id_col).unwrap_or("").to_string());
        let entity = rec.get(ent_col).unwrap_or("").to_string();
        if let Some(prev) = truth.insert(key.clone(), entity.clone())
            && prev != entity
        {
            return Err(input(format!(
                "{}:{}: record {}{} has two true entities ({prev} and {entity}); {}",
                args.truth.display(),
                line + 2,
                if key.0.is_empty() {
                    String::new()
                } else {
                    format!("{}:", key.0)
                },
                key.1,
                if src_col.is_none() {
                    "without a source column, ids must be unique across sources"
                } else {
                    "fix the truth file"
                }
            )));
        }
    }

    // Records with a truth entry, in record order.
    let mut keep: Vec<usize> = Vec::new();
    let mut truth_labels: Vec<&str> = Vec::new();
    for (i, &row) in rows.iter().enumerate() {
        let s = if src_col.is_some() {
            source.get(row).unwrap_or("")
        } else {
            ""
        };
        if let Some(e) = truth.get(&(s.to_string(), source_id.get(row).unwrap_or("").to_string())) {
            keep.push(i);
            truth_labels.push(e.as_str());
        }
    }
    let without_truth = n_records - keep.len();
    if keep.is_empty() {
        return Err(input(format!(
            "no {} record of the run has an entry in {} (id column `{}`{}): check --id-column and --kind",
            args.kind,
            args.truth.display(),
            header[id_col],
            if src_col.is_some() {
                ", keyed with `source`"
            } else {
                ""
            }
        )));
    }
    let mut new_index = vec![u32::MAX; n_records];
    for (k, &i) in keep.iter().enumerate() {
        new_index[i] = k as u32;
    }
    let mut uid_num: HashMap<&str, u32> = HashMap::new();
    let predicted: Vec<u32> = keep
        .iter()
        .map(|&i| {
            let n = uid_num.len() as u32;
            *uid_num.entry(uids[i]).or_insert(n)
        })
        .collect();
    let datasets: Vec<u16> = {
        let mut names: Vec<&str> = Vec::new();
        keep.iter()
            .map(|&i| {
                let s = source.get(rows[i]).unwrap_or("");
                match names.iter().position(|n| *n == s) {
                    Some(p) => p as u16,
                    None => {
                        names.push(s);
                        (names.len() - 1) as u16
                    }
                }
            })
            .collect()
    };
    let scope = if args.link_only {
        PairScope::CrossDataset(&datasets)
    } else {
        PairScope::All
    };

    let report =
        eval::evaluate(&predicted, &truth_labels, scope).map_err(|e| (e.to_string(), 1))?;
    let normalized_kept = crate::run_folder::table_path(&args.run, "normalized", kind).exists();
    let missing: Vec<&str> = [("pairs", pairs.is_some()), ("normalized", normalized_kept)]
        .into_iter()
        .filter(|(_, kept)| !kept)
        .map(|(f, _)| f)
        .collect();
    let table = match (records, pairs) {
        (Some(records), Some(pairs)) => {
            let ctx = Thresholds {
                run: &args.run,
                kind,
                keep: &keep,
                new_index: &new_index,
                truth_labels: &truth_labels,
                scope,
            };
            ctx.table(&records, &pairs)?
        }
        _ => {
            for folder in &missing {
                eprintln!(
                    "note: no threshold table: {}",
                    crate::run_folder::not_kept(&args.run, folder, kind, "the threshold table")
                );
            }
            Vec::new()
        }
    };
    let report = report.with_thresholds(table);
    if args.json {
        let mut v = serde_json::to_value(&report).expect("serializable");
        if !missing.is_empty() {
            let why: Vec<String> = missing
                .iter()
                .map(|f| format!("{f}/{}.parquet (write_{f} = false)", args.kind))
                .collect();
            v["thresholds_missing_because"] =
                serde_json::json!(format!("the run did not keep {}", why.join(" and ")));
        }
        v["records_without_truth"] = serde_json::json!(without_truth);
        v["kind"] = serde_json::json!(args.kind);
        println!(
            "{}",
            serde_json::to_string_pretty(&v).expect("serializable")
        );
    } else {
        println!(
            "{} {}: {} records evaluated ({} without a truth entry, e.g. quarantined or unlabelled, left out)",
            args.run.display(),
            args.kind,
            keep.len(),
            without_truth
        );
        println!("{}", report.render_table());
    }
    Ok(())
}

/// What the threshold table needs besides the run's tables.
struct Thresholds<'a> {
    run: &'a Path,
    kind: Kind,
    /// Records with a truth entry, in record order.
    keep: &'a [usize],
    /// Record index → index among `keep` (`u32::MAX`: no truth entry).
    new_index: &'a [u32],
    truth_labels: &'a [&'a str],
    scope: PairScope<'a>,
}

impl Thresholds<'_> {
    /// The run's scored pairs clustered at each threshold as the run does
    /// (its chain guard, B2B rules and attaching, read from the run's
    /// pipeline.toml); without a readable pipeline.toml, with the default
    /// guard alone.
    fn table(&self, records: &Table, pairs: &Table) -> Result<Vec<eval::ThresholdRow>, Fail> {
        let pairs_path = self
            .run
            .join(format!("pairs/{}.parquet", self.kind.as_str()));
        let (l, r, p) = match (
            pairs.get("left"),
            pairs.get("right"),
            pairs.get("match_probability"),
        ) {
            (Some(Column::I64(l)), Some(Column::I64(r)), Some(Column::F64(p))) => (l, r, p),
            _ => {
                return Err((
                    format!(
                        "{} lacks left/right/match_probability",
                        pairs_path.display()
                    ),
                    4,
                ));
            }
        };
        let matching = crate::run_folder::matching(self.run, self.kind).ok();
        match matching {
            Some(m) if m.enabled => {
                let all_edges: Vec<(u32, u32, f64)> = (0..pairs.rows())
                    .filter_map(|k| Some((l[k]? as u32, r[k]? as u32, p[k].unwrap_or(0.0))))
                    .collect();
                let labels = firmlink_unify::dedupe::recluster(
                    self.kind,
                    records,
                    &m,
                    &all_edges,
                    &DEFAULT_THRESHOLDS,
                )
                .map_err(|e| (e.to_string(), 1))?;
                let clusterings: Vec<(f64, Vec<u32>)> = DEFAULT_THRESHOLDS
                    .iter()
                    .zip(labels)
                    .map(|(t, l)| (*t, self.keep.iter().map(|&i| l[i]).collect()))
                    .collect();
                eval::threshold_rows(&clusterings, self.truth_labels, self.scope)
                    .map_err(|e| (e.to_string(), 1))
            }
            _ => {
                eprintln!(
                    "note: {} has no usable pipeline.toml: the threshold table uses the default chain guard only, without the B2B rules",
                    self.run.display()
                );
                // Edges between records with a truth entry, in their numbering.
                let edges: Vec<(u32, u32, f64)> = (0..pairs.rows())
                    .filter_map(|k| {
                        let a = self.new_index[l[k]? as usize];
                        let b = self.new_index[r[k]? as usize];
                        (a != u32::MAX && b != u32::MAX).then(|| (a, b, p[k].unwrap_or(0.0)))
                    })
                    .collect();
                let guard = firmlink_linkage::cluster::ChainGuard::default();
                eval::threshold_table(
                    &edges,
                    self.truth_labels,
                    self.scope,
                    &DEFAULT_THRESHOLDS,
                    &guard,
                )
                .map_err(|e| (e.to_string(), 1))
            }
        }
    }
}
