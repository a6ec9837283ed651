//! What `eval` and `explain` read from a run folder besides its tables.

use std::path::Path;

use firmlink_model::Kind;
use firmlink_unify::Matching;

/// `--kind` as a kind; exit code 2 (usage) otherwise.
pub fn kind(arg: &str) -> Result<Kind, (String, u8)> {
    match arg {
        "accounts" => Ok(Kind::Accounts),
        "contacts" => Ok(Kind::Contacts),
        other => Err((
            format!("--kind must be accounts or contacts, found {other}"),
            2,
        )),
    }
}

/// The matching settings of `kind` as the run used them (its copy of the
/// pipeline file): exit code 4 when the file cannot be read, 3 when its
/// `[matching]` sections are invalid.
pub fn matching(run: &Path, kind: Kind) -> Result<Matching, (String, u8)> {
    let path = run.join("pipeline.toml");
    let text =
        std::fs::read_to_string(&path).map_err(|e| (format!("{}: {e}", path.display()), 4))?;
    let [accounts, contacts] = firmlink_unify::from_pipeline(&text, run).map_err(|p| {
        let msgs: Vec<String> = p.into_iter().map(|m| m.message).collect();
        (msgs.join("; "), 3)
    })?;
    Ok(match kind {
        Kind::Accounts => accounts,
        Kind::Contacts => contacts,
    })
}

/// A table the run may not have kept: `normalized/<kind>.parquet` or
/// `pairs/<kind>.parquet`. `None` when the file is absent and the run's
/// manifest says it was left out on purpose (`write_normalized = false` /
/// `write_pairs = false`); an error (exit code 4) naming the file otherwise.
pub fn optional_table(
    run: &Path,
    folder: &str,
    kind: Kind,
) -> Result<Option<firmlink_model::Table>, (String, u8)> {
    let path = table_path(run, folder, kind);
    if !path.exists() && !written(run, folder) {
        return Ok(None);
    }
    firmlink_pipeline::read_parquet(&path)
        .map(Some)
        .map_err(|e| (e.to_string(), 4))
}

/// `<run>/<folder>/<kind>.parquet`.
pub fn table_path(run: &Path, folder: &str, kind: Kind) -> std::path::PathBuf {
    run.join(format!("{folder}/{}.parquet", kind.as_str()))
}

/// Whether the run's manifest says it wrote `folder` (runs from before the
/// `write_*` settings existed always did).
fn written(run: &Path, folder: &str) -> bool {
    std::fs::read_to_string(run.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["outputs"][folder]["written"].as_bool())
        .unwrap_or(true)
}

/// Why a table is missing and how to get it.
pub fn not_kept(run: &Path, folder: &str, kind: Kind, needed_for: &str) -> String {
    format!(
        "{} has no {folder}/{}.parquet: its pipeline set `write_{folder} = false`; {needed_for} \
         needs it, so run again with `write_{folder} = true` (the default) in `[pipeline]`",
        run.display(),
        kind.as_str()
    )
}
