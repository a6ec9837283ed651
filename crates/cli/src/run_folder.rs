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
