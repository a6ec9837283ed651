//! Runs the stages in order, owns the run folder, the manifest and the exit
//! status.
//!
//! [`run`] takes a validated [`Pipeline`] and writes one run folder:
//!
//! ```text
//! <output>/runs/<run-id>/
//!   accounts.parquet   contacts.parquet   crosswalk.parquet
//!   normalized/<kind>.parquet   (unless write_normalized = false)
//!   pairs/<kind>.parquet        (unless write_pairs = false)
//!   params/<kind>.json   pipeline.toml   quarantine.csv   manifest.json
//!   (+ .csv copies with write_csv)
//! <output>/latest -> runs/<run-id>
//! ```
//!
//! The folder is written under a temporary name and renamed when complete,
//! so a run folder is either whole or absent. Stages: ingest and normalize,
//! overlapped (a reader thread per source feeds chunks to rayon workers);
//! then per kind dedupe, golden records and writing.

mod output;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use firmlink_config::{DateOrder, Diagnostics, Pipeline};
use firmlink_ingest::{IngestError, IngestStats};
use firmlink_model::{Kind, Quarantined, RawRecord, Table};
use firmlink_normalize::records::{self, Context};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use output::{read_parquet, write_csv, write_parquet, write_parquet_with};

/// Why a run stopped. Each maps to a documented exit code (see the CLI).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {message}")]
    Polars { path: PathBuf, message: String },
    #[error("cannot read {path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("{0}")]
    Dedupe(String),
}

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Run id; default: the UTC start time, `YYYYMMDDTHHMMSSZ`.
    pub run_id: Option<String>,
    /// Also write CSV copies of the tables (or set `write_csv` in the file).
    pub write_csv: bool,
    /// Show progress bars (when stderr is a terminal).
    pub progress: bool,
}

/// Per-source figures, as in `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    pub name: String,
    pub kind: &'static str,
    pub path: String,
    pub format: &'static str,
    #[serde(flatten)]
    pub stats: IngestStats,
    pub quarantined: u64,
    /// rows_read == records + quarantined; always true unless there is a bug.
    pub reconciled: bool,
    pub seconds: f64,
    /// Time the reader thread was busy (not waiting for the normalizers).
    pub seconds_reading: f64,
    /// Time spent normalizing (in parallel) and appending chunks.
    pub seconds_normalizing: f64,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub run_id: String,
    pub run_dir: PathBuf,
    pub sources: Vec<SourceSummary>,
    /// Account and contact records (rows that passed ingest).
    pub accounts: usize,
    pub contacts: usize,
    /// Golden records after dedupe.
    pub golden_accounts: usize,
    pub golden_contacts: usize,
    pub crosswalk_rows: usize,
    /// Heap bytes of the normalized account and contact tables after ingest.
    pub table_bytes: [usize; 2],
    /// Contacts' account references and how many named an account record.
    pub account_refs: Option<firmlink_unify::AccountRefStats>,
    /// Rows read = crosswalk rows + quarantined rows.
    pub reconciled: bool,
    pub quarantined: usize,
    pub dedupe: Vec<firmlink_unify::DedupeReport>,
    /// Values of number and date extra columns that could not be read as
    /// such (the typed column is empty there; `x_<name>_original` keeps them).
    pub unreadable_extras: Vec<UnreadableExtra>,
    /// Typed canonical fields (dates, numbers, booleans) with values that did
    /// not read and are empty in the outputs.
    pub unreadable_values: Vec<UnreadableValue>,
    pub seconds_ingest_normalize: f64,
    pub seconds_dedupe: f64,
    /// The part of `seconds_dedupe` spent choosing golden values (both kinds).
    pub seconds_golden: f64,
    pub seconds_write: f64,
    pub seconds_total: f64,
}

/// A typed extra column with values that are not numbers or dates.
#[derive(Debug, Clone, Serialize)]
pub struct UnreadableExtra {
    pub kind: &'static str,
    pub column: String,
    /// "number" or "date".
    pub expected: &'static str,
    /// Records whose value could not be read.
    pub values: usize,
    /// The first such value.
    pub example: String,
}

/// A typed field of one source with values that did not read: they are
/// empty in the outputs (only `employees` and `revenue` keep an `_original`).
#[derive(Debug, Clone, Serialize)]
pub struct UnreadableValue {
    pub kind: &'static str,
    pub source: String,
    pub field: &'static str,
    /// "date", "number", "count", "boolean", "amount" or "employee count".
    pub expected: &'static str,
    pub values: u64,
    /// The value on the first such line of the source, and that line.
    pub example: String,
    pub line: u64,
}

/// Typed extras (`x_<name>` beside `x_<name>_original`) whose text did not
/// read as a number or date.
fn unreadable_extras(kind: Kind, t: &Table) -> Vec<UnreadableExtra> {
    let mut out = Vec::new();
    for name in t.names() {
        let Some(base) = name
            .strip_prefix("x_")
            .and_then(|n| n.strip_suffix("_original"))
        else {
            continue;
        };
        let column = format!("x_{base}");
        let (Some(original), Some(typed)) = (t.str(name), t.get(&column)) else {
            continue;
        };
        let expected = match typed {
            firmlink_model::Column::F64(_) => "number",
            firmlink_model::Column::Date(_) => "date",
            _ => continue,
        };
        let empty = |i: usize| match typed {
            firmlink_model::Column::F64(v) => v[i].is_none(),
            firmlink_model::Column::Date(v) => v[i].is_none(),
            _ => false,
        };
        let mut bad = (0..t.rows()).filter(|&i| original.get(i).is_some() && empty(i));
        if let Some(first) = bad.next() {
            out.push(UnreadableExtra {
                kind: kind.as_str(),
                column,
                expected,
                values: 1 + bad.count(),
                example: original.get(first).unwrap_or("").to_string(),
            });
        }
    }
    out
}

/// Rows per chunk handed from a reader thread to the normalizers.
const CHUNK_ROWS: usize = 32_768;

/// Check everything `firmlink validate` checks, including files and headers.
pub fn check(p: &Pipeline) -> Result<(), Diagnostics> {
    let mut d = Diagnostics::default();
    match matching(p) {
        Ok(ms) => {
            // Compile each kind's settings against its column list now, so a
            // misspelt column fails validate, not a run after ingest.
            for (m, kind) in ms.iter().zip([Kind::Accounts, Kind::Contacts]) {
                if !p.sources.iter().any(|s| s.kind == kind) {
                    continue;
                }
                let mut empty = records::empty(kind, &context(p, kind));
                if kind == Kind::Contacts {
                    let accounts = records::empty(Kind::Accounts, &context(p, Kind::Accounts));
                    firmlink_unify::account_ref::attach(&mut empty, &accounts, &HashMap::new());
                }
                let k = kind.as_str();
                let at = |key: &str, message: String| {
                    let span = firmlink_config::span_of(&p.text, &format!("matching.{k}.{key}"));
                    firmlink_config::Diagnostic::at(
                        firmlink_config::Phase::Reference,
                        &p.path,
                        &p.text,
                        span,
                        format!("[matching.{k}] {message}"),
                    )
                };
                const COLUMNS_HELP: &str = "blocking rules, comparisons and survivorship may name the columns of normalized/<kind>.parquet, x_<extra> columns and (not survivorship) the derived columns listed in the README";
                // A survivorship rule for a field the records do not have
                // would silently give no golden column.
                let defaults = firmlink_unify::default_survivorship(kind);
                for rule in &m.survivorship {
                    if empty.get(&rule.field).is_some()
                        || defaults.iter().any(|r| r.field == rule.field)
                    {
                        continue;
                    }
                    let mut diag = at(
                        &format!("survivorship.{}", rule.field),
                        format!(
                            "survivorship names `{}`, which is not a column of normalized/{k}.parquet",
                            rule.field
                        ),
                    );
                    diag = match firmlink_config::closest(
                        &rule.field,
                        empty.names().iter().map(String::as_str),
                    ) {
                        Some(c) => diag.with_help(format!("did you mean `{c}`?")),
                        None => diag.with_help(COLUMNS_HELP),
                    };
                    d.push(diag);
                }
                // Golden records follow survivorship even without matching;
                // the rest is about matching.
                if !m.enabled {
                    continue;
                }
                let mut settings = m.settings.clone();
                let sources = p.sources.iter().filter(|s| s.kind == kind).count();
                if settings.link_type == firmlink_linkage::LinkType::LinkOnly && sources < 2 {
                    d.push(firmlink_config::Diagnostic::file(
                        firmlink_config::Phase::Reference,
                        &p.path,
                        format!(
                            "[matching.{}] link_type = \"link_only\" needs two or more {} sources",
                            kind.as_str(),
                            kind.as_str()
                        ),
                    ));
                    continue;
                }
                settings.link_type = firmlink_linkage::LinkType::DedupeOnly;
                if let Some(message) = firmlink_unify::attach_problem(kind, &empty, m) {
                    d.push(firmlink_config::Diagnostic::file(
                        firmlink_config::Phase::Reference,
                        &p.path,
                        format!("[matching.{}] {message}", kind.as_str()),
                    ));
                }
                // Pinned parameters must be readable and fit the comparisons,
                // or the run would stop after ingest.
                let pinned = m.params.as_ref().and_then(|path| {
                    let read = std::fs::read_to_string(path)
                        .map_err(|e| (firmlink_config::Phase::Environment, e.to_string()))
                        .and_then(|text| {
                            firmlink_linkage::Params::from_json(&text).map_err(|e| {
                                (firmlink_config::Phase::Reference, e.to_string())
                            })
                        });
                    match read {
                        Ok(params) => Some(params),
                        Err((phase, e)) => {
                            let mut diag = at(
                                "params",
                                format!("cannot read pinned parameters {}: {e}", path.display()),
                            )
                            .with_help(format!(
                                "params names a run's params/{k}.json (relative to the pipeline file); remove it to train instead"
                            ));
                            diag.phase = phase;
                            d.push(diag);
                            None
                        }
                    }
                });
                let problem = firmlink_unify::linkage_table(kind, &empty, m).and_then(|lt| {
                    let linker = firmlink_linkage::Linker::new(&lt, settings)?;
                    match &pinned {
                        Some(params) => linker.check_params(params),
                        None => Ok(()),
                    }
                });
                match problem {
                    Ok(()) => {}
                    Err(e @ firmlink_linkage::LinkageError::ParamsMismatch { .. }) => d.push(
                        at(
                            "params",
                            format!(
                                "pinned parameters {}: {e}",
                                m.params.as_deref().unwrap_or(Path::new("")).display()
                            ),
                        )
                        .with_help(format!(
                            "they were trained with other {k} comparisons: remove `params` to train again, or pin a params/{k}.json from a run with these comparisons"
                        )),
                    ),
                    // One diagnostic per problem, each at its setting.
                    Err(firmlink_linkage::LinkageError::InvalidSettings(problems)) => {
                        // Columns a setting may name, for "did you mean".
                        let derived = firmlink_unify::rules::derived_columns(kind, &empty);
                        let names = empty
                            .names()
                            .iter()
                            .map(String::as_str)
                            .chain(derived.iter().map(|(n, _)| *n));
                        let names: Vec<&str> = names.collect();
                        for sp in problems {
                            // The engine's name for the file's key.
                            let key = sp
                                .path
                                .replace("threshold_match_probability", "keep_pairs_above");
                            let about_columns = key.ends_with("column") || key.contains("keys");
                            let unknown = sp
                                .message
                                .strip_prefix("column `")
                                .and_then(|m| m.split_once('`'))
                                .map(|(c, _)| c);
                            let help = match unknown
                                .and_then(|c| firmlink_config::closest(c, names.iter().copied()))
                            {
                                Some(c) => format!("did you mean `{c}`?"),
                                None if about_columns => COLUMNS_HELP.to_string(),
                                None => "the README's pipeline reference lists the [matching.<kind>] keys and level kinds".to_string(),
                            };
                            d.push(at(&key, format!("{key}: {}", sp.message)).with_help(help));
                        }
                    }
                    Err(e) => d.push(at("", e.to_string()).with_help(COLUMNS_HELP)),
                }
            }
        }
        Err(problems) => {
            for m in problems {
                let span = m
                    .span
                    .or_else(|| firmlink_config::span_of(&p.text, m.key.as_deref()?));
                let help = unknown_key_suggestion(&m.message).unwrap_or_else(|| {
                    "the README's pipeline reference lists the [matching.<kind>] keys".into()
                });
                d.push(
                    firmlink_config::Diagnostic::at(
                        firmlink_config::Phase::Schema,
                        &p.path,
                        &p.text,
                        span,
                        m.message,
                    )
                    .with_help(help),
                );
            }
        }
    }
    for s in &p.sources {
        for diag in firmlink_ingest::check(p, s) {
            d.push(diag);
        }
    }
    d.sort();
    if d.is_empty() { Ok(()) } else { Err(d) }
}

/// "did you mean `threshold`?" for serde's "unknown field `treshold`,
/// expected one of `enabled`, …" (or "unknown variant"), when one of the
/// expected names is close to the unknown one.
fn unknown_key_suggestion(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (word, expected) = rest.split_once('`')?;
    let candidates = expected.split('`').skip(1).step_by(2);
    let close = firmlink_config::closest(word, candidates)?;
    Some(format!("did you mean `{close}`?"))
}

/// The matching settings of both kinds ([accounts, contacts]).
pub fn matching(
    p: &Pipeline,
) -> Result<[firmlink_unify::Matching; 2], Vec<firmlink_unify::MatchingProblem>> {
    let base = p.path.parent().unwrap_or(Path::new("."));
    firmlink_unify::from_pipeline(&p.text, base)
}

fn context(p: &Pipeline, kind: Kind) -> Context {
    let mut ctx = Context {
        source_names: p.sources.iter().map(|s| s.name.clone()).collect(),
        default_country: p
            .sources
            .iter()
            .map(|s| s.defaults.country.clone())
            .collect(),
        default_currency: p
            .sources
            .iter()
            .map(|s| s.defaults.currency.clone())
            .collect(),
        day_first: p
            .sources
            .iter()
            .map(|s| s.defaults.date_order == DateOrder::DayFirst)
            .collect(),
        extra_names: Vec::new(),
        extra_types: Vec::new(),
        extra_slots: Vec::new(),
        unreadable: Default::default(),
    };
    for s in &p.sources {
        let mut slots = Vec::new();
        if s.kind == kind {
            // validate checked that every source gives an extra one type.
            for x in &s.extras {
                let pos = match ctx.extra_names.iter().position(|n| *n == x.name) {
                    Some(i) => i,
                    None => {
                        ctx.extra_names.push(x.name.clone());
                        ctx.extra_types.push(x.ty);
                        ctx.extra_names.len() - 1
                    }
                };
                slots.push(pos);
            }
        }
        ctx.extra_slots.push(slots);
    }
    ctx
}

fn bar(multi: &MultiProgress, len: u64, name: &str) -> ProgressBar {
    let pb = multi.add(ProgressBar::new(len));
    pb.set_style(
        ProgressStyle::with_template(
            "{prefix:>18} [{bar:30}] {bytes}/{total_bytes} {msg} ({elapsed})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    pb.set_prefix(name.to_string());
    pb
}

/// Whether `id` may name a run folder under `<output>/runs` (and nothing
/// outside it): letters, digits, '-', '_' and '.', not starting with '.'.
pub fn valid_run_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Run the pipeline and write a run folder.
pub fn run(p: &Pipeline, opts: &RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    check(p).map_err(RunError::Invalid)?;

    let runs = p.output.join("runs");
    std::fs::create_dir_all(&runs).map_err(|e| RunError::Output {
        path: runs.clone(),
        source: e,
    })?;
    let run_id = match &opts.run_id {
        Some(id) => {
            if !valid_run_id(id) {
                return Err(RunError::Output {
                    path: runs.join(id),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "a run id is letters, digits, '-', '_' and '.', not starting with '.'",
                    ),
                });
            }
            id.clone()
        }
        None => unique_id(&runs, &started_at.format("%Y%m%dT%H%M%SZ").to_string()),
    };
    let final_dir = runs.join(&run_id);
    if final_dir.exists() {
        return Err(RunError::Output {
            path: final_dir,
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a run with this id exists; choose another --run-id",
            ),
        });
    }
    let tmp_dir = runs.join(format!(".tmp-{run_id}-{}", std::process::id()));
    std::fs::create_dir_all(&tmp_dir).map_err(|e| RunError::Output {
        path: tmp_dir.clone(),
        source: e,
    })?;
    let result = run_into(p, opts, &tmp_dir, &run_id, started, started_at);
    match result {
        Ok(mut summary) => {
            if let Err(e) = std::fs::rename(&tmp_dir, &final_dir) {
                let _ = std::fs::remove_dir_all(&tmp_dir);
                return Err(RunError::Output {
                    path: final_dir.clone(),
                    source: e,
                });
            }
            point_latest(&p.output, &run_id)?;
            summary.run_dir = final_dir;
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp_dir);
            Err(e)
        }
    }
}

fn unique_id(runs: &Path, base: &str) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while runs.join(&id).exists() {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Point `<output>/latest` at the run: a symlink replaced atomically (a
/// text file holding the run path on systems without symlinks).
fn point_latest(output: &Path, run_id: &str) -> Result<(), RunError> {
    let latest = output.join("latest");
    let target = Path::new("runs").join(run_id);
    let err = |e| RunError::Output {
        path: latest.clone(),
        source: e,
    };
    #[cfg(unix)]
    {
        let tmp = output.join(format!(".latest-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&target, &tmp).map_err(err)?;
        std::fs::rename(&tmp, &latest).map_err(|e| RunError::Output {
            path: latest.clone(),
            source: e,
        })?;
    }
    #[cfg(not(unix))]
    {
        std::fs::write(&latest, target.to_string_lossy().as_bytes()).map_err(err)?;
    }
    Ok(())
}

fn run_into(
    p: &Pipeline,
    opts: &RunOptions,
    dir: &Path,
    run_id: &str,
    started: Instant,
    started_at: chrono::DateTime<chrono::Utc>,
) -> Result<RunSummary, RunError> {
    let multi = MultiProgress::with_draw_target(if opts.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    // Normalized chunks per kind, stacked once ingest is done (so the big
    // tables are sized exactly instead of growing by doubling).
    let mut chunks: [Vec<Table>; 2] = [Vec::new(), Vec::new()];
    let ctxs = [context(p, Kind::Accounts), context(p, Kind::Contacts)];
    let kind_index = |k: Kind| if k == Kind::Accounts { 0 } else { 1 };
    let mut quarantine: Vec<Quarantined> = Vec::new();
    let mut sources = Vec::new();

    let t_ingest = Instant::now();
    for (index, source) in p.sources.iter().enumerate() {
        let t0 = Instant::now();
        let size = std::fs::metadata(&source.path)
            .map(|m| m.len())
            .unwrap_or(0);
        let pb = bar(&multi, size, &source.name);
        let ki = kind_index(source.kind);
        let ctx = &ctxs[ki];
        let (tx, rx) = sync_channel::<(Vec<RawRecord>, u64)>(2);
        let mut normalizing = 0.0;
        let (stats, waiting) = std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                let mut waiting = 0.0;
                let r =
                    firmlink_ingest::read(source, index as u16, CHUNK_ROWS, &mut |chunk, bytes| {
                        let t = Instant::now();
                        // The receiver only stops early if normalizing panicked.
                        let _ = tx.send((chunk, bytes));
                        waiting += t.elapsed().as_secs_f64();
                    });
                r.map(|s| (s, waiting))
            });
            for (chunk, bytes) in rx {
                let t0 = Instant::now();
                chunks[ki].extend(records::normalize_parts(source.kind, &chunk, ctx));
                normalizing += t0.elapsed().as_secs_f64();
                pb.set_position(bytes);
            }
            reader.join().expect("reader thread panicked")
        })?;
        pb.finish_with_message(format!(
            "{} records, {} quarantined",
            stats.records,
            stats.quarantined.len()
        ));
        let q = stats.quarantined.len() as u64;
        quarantine.extend(stats.quarantined.iter().cloned());
        sources.push(SourceSummary {
            name: source.name.clone(),
            kind: source.kind.as_str(),
            path: source.path.display().to_string(),
            format: source.format.as_str(),
            reconciled: stats.rows_read == stats.records + q,
            quarantined: q,
            stats,
            seconds: t0.elapsed().as_secs_f64(),
            seconds_reading: t0.elapsed().as_secs_f64() - waiting,
            seconds_normalizing: normalizing,
        });
    }
    let mut tables = chunks.map(Table::concat);
    let seconds_ingest_normalize = t_ingest.elapsed().as_secs_f64();
    let mut unreadable_values: Vec<UnreadableValue> = Vec::new();
    for (ctx, kind) in ctxs.iter().zip([Kind::Accounts, Kind::Contacts]) {
        let counted = ctx
            .unreadable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut counted: Vec<&records::UnreadableField> = counted.iter().collect();
        counted.sort_by_key(|u| (u.source, u.field));
        unreadable_values.extend(counted.into_iter().map(|u| UnreadableValue {
            kind: kind.as_str(),
            source: p.sources[u.source as usize].name.clone(),
            field: u.field,
            expected: u.expected,
            values: u.values,
            example: u.example.clone(),
            line: u.line,
        }));
    }

    let matchings = matching(p).map_err(|m| {
        let mut d = Diagnostics::default();
        for m in m {
            d.push(firmlink_config::Diagnostic::at(
                firmlink_config::Phase::Schema,
                &p.path,
                &p.text,
                m.span,
                m.message,
            ));
        }
        RunError::Invalid(d)
    })?;
    let priority: HashMap<String, i64> = p
        .sources
        .iter()
        .map(|s| (s.name.clone(), s.priority))
        .collect();
    let csv_too = opts.write_csv || p.write_csv;
    let subs = [
        ("normalized", p.write_normalized),
        ("pairs", p.write_pairs),
        ("params", true),
    ];
    for sub in subs.iter().filter(|(_, keep)| *keep).map(|(s, _)| s) {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| RunError::Output {
            path: dir.join(sub),
            source: e,
        })?;
    }
    // Contacts learn the account their source links them to (CRM contact →
    // CRM account): their employer, for matching.
    let account_refs = match &mut tables {
        [Some(accounts), Some(contacts)] => Some(firmlink_unify::account_ref::attach(
            contacts, accounts, &priority,
        )),
        _ => None,
    };
    let unreadable: Vec<UnreadableExtra> = [Kind::Accounts, Kind::Contacts]
        .iter()
        .zip(&tables)
        .filter_map(|(k, t)| Some(unreadable_extras(*k, t.as_ref()?)))
        .flatten()
        .collect();
    let table_bytes = [0, 1].map(|i| tables[i].as_ref().map_or(0, Table::heap_bytes));
    let mut rows = [0usize; 2];
    let mut golden_rows = [0usize; 2];
    let mut dedupe_reports = Vec::new();
    let mut crosswalk: Option<Table> = None;
    let mut seconds_dedupe = 0.0;
    let mut seconds_golden = 0.0;
    let mut seconds_write = 0.0;
    let mut params_written = [false; 2];
    for (ki, kind) in [Kind::Accounts, Kind::Contacts].into_iter().enumerate() {
        let k = kind.as_str();
        let table = tables[ki]
            .take()
            .unwrap_or_else(|| records::empty(kind, &ctxs[ki]));
        rows[ki] = table.rows();

        let t_dedupe = Instant::now();
        let spinner = multi.add(ProgressBar::new_spinner());
        spinner.set_message(format!(
            "matching {k}: blocking, training, scoring, clustering"
        ));
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        let m = &matchings[ki];
        let d =
            firmlink_unify::dedupe(kind, &table, m).map_err(|e| RunError::Dedupe(e.to_string()))?;
        let t_golden = Instant::now();
        let golden = firmlink_unify::build(
            &firmlink_unify::GoldenInput {
                table: &table,
                labels: &d.labels,
                priority: &priority,
                record_date_columns: &["verified_at", "updated_at", "last_activity", "created_at"],
                id_prefix: if kind == Kind::Accounts { "acc" } else { "con" },
            },
            &m.survivorship,
        );
        spinner.finish_and_clear();
        seconds_golden += t_golden.elapsed().as_secs_f64();
        seconds_dedupe += t_dedupe.elapsed().as_secs_f64();
        golden_rows[ki] = golden.rows();

        let t_write = Instant::now();
        // The records table is the big one: write it beside the others.
        let (a, b) = rayon::join(
            || {
                if p.write_normalized {
                    write_parquet(&table, &dir.join(format!("normalized/{k}.parquet")))?;
                }
                Ok::<(), RunError>(())
            },
            || {
                write_parquet_with(golden.rows(), &dir.join(format!("{k}.parquet")), |s, e| {
                    golden.slice(&table, s, e)
                })?;
                if p.write_pairs {
                    write_parquet_with(
                        d.pairs.len(),
                        &dir.join(format!("pairs/{k}.parquet")),
                        |s, e| pairs_table(&table, &d.pairs[s..e], &golden.ids, &d.labels),
                    )?;
                }
                Ok::<(), RunError>(())
            },
        );
        a?;
        b?;
        if csv_too {
            if p.write_normalized {
                write_csv(&table, &dir.join(format!("normalized/{k}.csv")))?;
            }
            output::write_csv_with(golden.rows(), &dir.join(format!("{k}.csv")), |s, e| {
                golden.slice(&table, s, e)
            })?;
        }
        if let Some(params) = &d.params {
            let json = params
                .to_json()
                .map_err(|e| RunError::Dedupe(e.to_string()))?;
            let path = dir.join(format!("params/{k}.json"));
            std::fs::write(&path, json).map_err(|e| RunError::Output { path, source: e })?;
            params_written[ki] = true;
        }
        let mut cw = Table::new(golden.crosswalk.rows());
        cw.push(
            "kind",
            firmlink_model::Column::from_strs(std::iter::repeat_n(
                Some(k),
                golden.crosswalk.rows(),
            )),
        );
        for (name, col) in golden.crosswalk.columns() {
            cw.push(name, col.clone());
        }
        match &mut crosswalk {
            Some(c) => c.append(&cw),
            None => crosswalk = Some(cw),
        }
        seconds_write += t_write.elapsed().as_secs_f64();
        if let Some(r) = d.report {
            dedupe_reports.push(r);
        }
    }
    let t_write = Instant::now();
    let crosswalk = crosswalk.expect("two kinds");
    write_parquet(&crosswalk, &dir.join("crosswalk.parquet"))?;
    if csv_too {
        write_csv(&crosswalk, &dir.join("crosswalk.csv"))?;
    }
    output::write_quarantine(&quarantine, &dir.join("quarantine.csv"))?;
    std::fs::write(dir.join("pipeline.toml"), &p.text).map_err(|e| RunError::Output {
        path: dir.join("pipeline.toml"),
        source: e,
    })?;
    seconds_write += t_write.elapsed().as_secs_f64();
    let rows_read: u64 = sources.iter().map(|s| s.stats.rows_read).sum();
    let reconciled = rows_read == crosswalk.rows() as u64 + quarantine.len() as u64;

    let summary = RunSummary {
        run_id: run_id.to_string(),
        run_dir: dir.to_path_buf(),
        sources,
        accounts: rows[0],
        contacts: rows[1],
        golden_accounts: golden_rows[0],
        golden_contacts: golden_rows[1],
        crosswalk_rows: crosswalk.rows(),
        table_bytes,
        account_refs,
        reconciled,
        quarantined: quarantine.len(),
        dedupe: dedupe_reports,
        unreadable_extras: unreadable,
        unreadable_values,
        seconds_ingest_normalize,
        seconds_dedupe,
        seconds_golden,
        seconds_write,
        seconds_total: started.elapsed().as_secs_f64(),
    };
    let manifest = serde_json::json!({
        "firmlink_version": env!("CARGO_PKG_VERSION"),
        "run_id": run_id,
        "started_at": started_at.to_rfc3339(),
        "finished_at": chrono::Utc::now().to_rfc3339(),
        "pipeline": {
            "path": p.path.display().to_string(),
            "name": p.name,
            "sha256": hex(&Sha256::digest(p.text.as_bytes())),
        },
        "inputs": summary.sources,
        "outputs": {
            "accounts": {"file": "accounts.parquet", "rows": summary.golden_accounts, "records": summary.accounts},
            "contacts": {"file": "contacts.parquet", "rows": summary.golden_contacts, "records": summary.contacts},
            "crosswalk": {"file": "crosswalk.parquet", "rows": summary.crosswalk_rows},
            "quarantine": {"file": "quarantine.csv", "rows": summary.quarantined},
            "normalized": {"folder": "normalized", "written": p.write_normalized},
            "pairs": {"folder": "pairs", "written": p.write_pairs},
        },
        "reconciliation": {
            "rows_read": rows_read,
            "crosswalk": summary.crosswalk_rows,
            "quarantined": summary.quarantined,
            "reconciled": reconciled,
        },
        "account_refs": summary.account_refs,
        "params": params_provenance(&matchings, params_written),
        "unreadable_extras": summary.unreadable_extras,
        "unreadable_values": summary.unreadable_values,
        "dedupe": summary.dedupe,
        "stages": [
            {"name": "ingest+normalize", "seconds": seconds_ingest_normalize},
            {"name": "dedupe+golden", "seconds": seconds_dedupe, "golden_seconds": seconds_golden},
            {"name": "write", "seconds": seconds_write},
        ],
    });
    output::write_json(&manifest, &dir.join("manifest.json"))?;
    Ok(summary)
}

/// Scored pairs with the records' ids, for review, `explain` and `eval`.
fn pairs_table(t: &Table, pairs: &[firmlink_unify::Pair], ids: &[String], labels: &[u32]) -> Table {
    use firmlink_model::Column;
    let source = t.str("source").expect("source");
    let sid = t.str("source_id").expect("source_id");
    let mut out = Table::new(pairs.len());
    out.push(
        "left",
        Column::I64(pairs.iter().map(|p| Some(p.left as i64)).collect()),
    );
    out.push(
        "right",
        Column::I64(pairs.iter().map(|p| Some(p.right as i64)).collect()),
    );
    out.push(
        "left_source",
        Column::from_strs(pairs.iter().map(|p| source.get(p.left as usize))),
    );
    out.push(
        "left_source_id",
        Column::from_strs(pairs.iter().map(|p| sid.get(p.left as usize))),
    );
    out.push(
        "right_source",
        Column::from_strs(pairs.iter().map(|p| source.get(p.right as usize))),
    );
    out.push(
        "right_source_id",
        Column::from_strs(pairs.iter().map(|p| sid.get(p.right as usize))),
    );
    out.push(
        "match_weight",
        Column::F64(pairs.iter().map(|p| Some(p.match_weight)).collect()),
    );
    out.push(
        "match_probability",
        Column::F64(pairs.iter().map(|p| Some(p.match_probability)).collect()),
    );
    out.push(
        "same_cluster",
        Column::Bool(
            pairs
                .iter()
                .map(|p| Some(labels[p.left as usize] == labels[p.right as usize]))
                .collect(),
        ),
    );
    out.push(
        "left_unified_id",
        Column::from_strs(
            pairs
                .iter()
                .map(|p| Some(ids[labels[p.left as usize] as usize].as_str())),
        ),
    );
    out
}

/// Per kind, where the run's model came from: `{"trained": "params/<kind>.json"}`
/// or `{"pinned": <path>, "sha256": …}`; null when no model was used
/// (matching off, or no records of the kind). A pinned run can be traced to
/// the exact file it used.
fn params_provenance(
    matchings: &[firmlink_unify::Matching; 2],
    written: [bool; 2],
) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (m, written) in matchings.iter().zip(written) {
        let k = m.kind.as_str();
        let v = match (&m.params, written) {
            (_, false) => serde_json::Value::Null,
            (None, true) => serde_json::json!({ "trained": format!("params/{k}.json") }),
            (Some(path), true) => serde_json::json!({
                "pinned": std::path::absolute(path).unwrap_or_else(|_| path.clone()).display().to_string(),
                "sha256": std::fs::read(path).ok().map(|b| hex(&Sha256::digest(&b))),
            }),
        };
        out.insert(k.to_string(), v);
    }
    serde_json::Value::Object(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_keys_get_a_suggestion() {
        let m = "unknown field `treshold`, expected one of `enabled`, `threshold`, `params`";
        assert_eq!(
            super::unknown_key_suggestion(m).as_deref(),
            Some("did you mean `threshold`?")
        );
        let m = "unknown variant `jaro_winkle`, expected one of `exact`, `jaro_winkler`";
        assert_eq!(
            super::unknown_key_suggestion(m).as_deref(),
            Some("did you mean `jaro_winkler`?")
        );
        assert_eq!(
            super::unknown_key_suggestion("unknown field `zzzz`, expected `a`"),
            None
        );
        assert_eq!(super::unknown_key_suggestion("missing field `name`"), None);
    }
}
