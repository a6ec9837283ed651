//! Runs the stages in order, owns the run folder, the manifest and the exit
//! status.
//!
//! [`run`] takes a validated [`Pipeline`] and writes one run folder:
//!
//! ```text
//! <output>/runs/<run-id>/
//!   accounts.parquet   contacts.parquet   (+ .csv with write_csv)
//!   quarantine.csv     manifest.json
//! <output>/latest -> runs/<run-id>
//! ```
//!
//! The folder is written under a temporary name and renamed when complete,
//! so a run folder is either whole or absent. Stages that exist now: ingest
//! and normalize, overlapped (a reader thread per source feeds chunks to
//! rayon workers).

mod output;

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

pub use output::{read_parquet, to_dataframe, write_csv, write_parquet};

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
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub run_id: String,
    pub run_dir: PathBuf,
    pub sources: Vec<SourceSummary>,
    pub accounts: usize,
    pub contacts: usize,
    pub quarantined: usize,
    pub seconds_ingest_normalize: f64,
    pub seconds_write: f64,
    pub seconds_total: f64,
}

/// Rows per chunk handed from a reader thread to the normalizers.
const CHUNK_ROWS: usize = 32_768;

/// Check everything `firmlink validate` checks, including files and headers.
pub fn check(p: &Pipeline) -> Result<(), Diagnostics> {
    let mut d = Diagnostics::default();
    for s in &p.sources {
        for diag in firmlink_ingest::check(p, s) {
            d.push(diag);
        }
    }
    d.sort();
    if d.is_empty() { Ok(()) } else { Err(d) }
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
        extra_slots: Vec::new(),
    };
    for s in &p.sources {
        let mut slots = Vec::new();
        if s.kind == kind {
            for (name, _) in &s.extras {
                let pos = match ctx.extra_names.iter().position(|n| n == name) {
                    Some(i) => i,
                    None => {
                        ctx.extra_names.push(name.clone());
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
        Some(id) => id.clone(),
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
            std::fs::rename(&tmp_dir, &final_dir).map_err(|e| RunError::Output {
                path: final_dir.clone(),
                source: e,
            })?;
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
    let mut tables: [Option<Table>; 2] = [None, None];
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
        let stats = std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                firmlink_ingest::read(source, index as u16, CHUNK_ROWS, &mut |chunk, bytes| {
                    // The receiver only stops early if normalizing panicked.
                    let _ = tx.send((chunk, bytes));
                })
            });
            for (chunk, bytes) in rx {
                let t = records::normalize(source.kind, &chunk, ctx);
                match &mut tables[ki] {
                    Some(acc) => acc.append(&t),
                    slot @ None => *slot = Some(t),
                }
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
        });
    }
    let seconds_ingest_normalize = t_ingest.elapsed().as_secs_f64();

    let t_write = Instant::now();
    let spinner = multi.add(ProgressBar::new_spinner());
    spinner.set_message("writing tables");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let csv_too = opts.write_csv || p.write_csv;
    let mut rows = [0usize; 2];
    for (ki, kind) in [Kind::Accounts, Kind::Contacts].into_iter().enumerate() {
        let table = tables[ki]
            .take()
            .unwrap_or_else(|| records::empty(kind, &ctxs[ki]));
        rows[ki] = table.rows();
        write_parquet(&table, &dir.join(format!("{}.parquet", kind.as_str())))?;
        if csv_too {
            write_csv(&table, &dir.join(format!("{}.csv", kind.as_str())))?;
        }
    }
    output::write_quarantine(&quarantine, &dir.join("quarantine.csv"))?;
    spinner.finish_and_clear();
    let seconds_write = t_write.elapsed().as_secs_f64();

    let summary = RunSummary {
        run_id: run_id.to_string(),
        run_dir: dir.to_path_buf(),
        sources,
        accounts: rows[0],
        contacts: rows[1],
        quarantined: quarantine.len(),
        seconds_ingest_normalize,
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
            "accounts": {"file": "accounts.parquet", "rows": summary.accounts},
            "contacts": {"file": "contacts.parquet", "rows": summary.contacts},
            "quarantine": {"file": "quarantine.csv", "rows": summary.quarantined},
        },
        "stages": [
            {"name": "ingest+normalize", "seconds": seconds_ingest_normalize},
            {"name": "write", "seconds": seconds_write},
        ],
    });
    output::write_json(&manifest, &dir.join("manifest.json"))?;
    Ok(summary)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
