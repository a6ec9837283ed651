//! `firmlink`: identity resolution and data quality for B2B customer data.
//!
//! Exit codes (also in `--help` and the README):
//! 0 success · 1 internal error · 2 usage error · 3 invalid pipeline file ·
//! 4 an input cannot be read or lacks mapped columns · 5 an output cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod eval;
mod explain;
mod generate;
mod run_folder;

const EXIT_HELP: &str = "\
Exit codes:
  0  success
  1  internal error (a bug: please report it)
  2  usage error (unknown command or flag)
  3  the pipeline file is invalid (run `firmlink validate` to see every problem)
  4  an input file cannot be read or does not match the pipeline (missing
     file, unreadable format, a mapped column not in the file)
  5  an output cannot be written
explain: 4 also for a record or cluster not in the run, or a run that did not
keep normalized/. eval leaves out its threshold table, with a note, for a run
that did not keep normalized/ or pairs/.";

/// Identity resolution and data quality for B2B customer data.
///
/// firmlink reads your CRM, marketing, ERP and enrichment exports through a
/// pipeline file, normalizes names, emails, phones, domains, company names,
/// countries, titles and industries, and writes unified tables to a run
/// folder. Bad rows are quarantined with a reason, never dropped.
///
/// Start with: firmlink run pipelines/demo.toml
#[derive(Parser)]
#[command(name = "firmlink", version, after_help = EXIT_HELP, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a pipeline: ingest, normalize, deduplicate accounts and contacts,
    /// build golden records, write a run folder.
    ///
    /// Writes <output>/runs/<run-id>/ (golden accounts.parquet and
    /// contacts.parquet, crosswalk.parquet, normalized/ and pairs/ per kind,
    /// params/ with the trained model, quarantine.csv, manifest.json,
    /// pipeline.toml) and points <output>/latest at it. The folder appears
    /// complete or not at all. Warnings (capped blocks, little training data,
    /// unchecked merges) go to stderr and do not change the exit code.
    #[command(after_help = EXIT_HELP)]
    Run {
        /// The pipeline file (TOML), e.g. pipelines/demo.toml.
        pipeline: PathBuf,
        /// Name the run folder (default: the UTC start time, YYYYMMDDTHHMMSSZ):
        /// letters, digits, '-', '_' and '.', not starting with '.'.
        #[arg(long, value_parser = parse_run_id)]
        run_id: Option<String>,
        /// Also write CSV copies of the output tables.
        #[arg(long)]
        csv: bool,
        /// No progress bars; only the summary.
        #[arg(long, short)]
        quiet: bool,
        /// Print the summary as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Write under this folder instead of the pipeline's `output`.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Check a pipeline file and the files it names; report every problem at once.
    ///
    /// Checks TOML syntax and types (with line and column), unknown keys (with
    /// the closest valid key), canonical field names, templates, that every
    /// source file exists and is readable in its format, and that it holds
    /// every mapped column. A valid file prints a summary of its sources.
    #[command(after_help = EXIT_HELP)]
    Validate {
        /// The pipeline file (TOML).
        pipeline: PathBuf,
    },
    /// List the canonical fields a source column can be mapped to.
    #[command(after_help = EXIT_HELP)]
    Fields {
        /// accounts or contacts (default: both).
        kind: Option<String>,
    },
    /// Generate synthetic multi-source B2B data with ground truth.
    ///
    /// Writes CRM accounts and contacts, marketing leads, enrichment
    /// firmographics (JSON Lines) and ERP customers, plus truth files in
    /// DIR/truth/. The same seed gives byte-identical files.
    #[command(after_help = EXIT_HELP)]
    Generate(generate::Args),
    /// Score a run's clusters against ground truth: pairwise and B-cubed
    /// precision, recall and F1, and a table over thresholds.
    ///
    /// Example: firmlink eval --run out/demo/latest --kind contacts
    ///   --truth fixtures/demo/truth/contacts_truth.csv
    #[command(after_help = EXIT_HELP)]
    Eval(eval::Args),
    /// Explain a match score as a waterfall: the prior, each comparison's
    /// level with its m, u and weight, term-frequency adjustments, the total
    /// weight and probability, and any B2B rule that forbids the pair.
    ///
    /// Example (after the demo run): firmlink explain --run out/demo/latest
    ///   --kind contacts --pair crm_contacts:0035g07Rb5suwvhAEA marketing_leads:1000501
    #[command(after_help = EXIT_HELP)]
    Explain(explain::Args),
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so `firmlink explain … | head -1` would panic on
    // the closed pipe; like other Unix tools, end quietly instead.
    #[cfg(unix)]
    // SAFETY: setting a signal's action to the default at start-up, before
    // any thread exists, has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            pipeline,
            run_id,
            csv,
            quiet,
            json,
            output,
        } => run(&pipeline, run_id, csv, quiet, json, output),
        Command::Validate { pipeline } => validate(&pipeline),
        Command::Fields { kind } => fields(kind.as_deref()),
        Command::Generate(args) => generate::main(&args),
        Command::Eval(args) => eval::main(&args),
        Command::Explain(args) => explain::main(&args),
    }
}

fn load(path: &std::path::Path) -> Result<firmlink_config::Pipeline, ExitCode> {
    firmlink_config::load(path).map_err(|d| {
        eprintln!("{d}");
        // A pipeline file that cannot be read is an unreadable input (4).
        ExitCode::from(diag_code(&d))
    })
}

fn run(
    path: &std::path::Path,
    run_id: Option<String>,
    csv: bool,
    quiet: bool,
    json: bool,
    output: Option<PathBuf>,
) -> ExitCode {
    use std::io::IsTerminal;
    let mut pipeline = match load(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(o) = output {
        pipeline.output = o;
    }
    let opts = firmlink_pipeline::RunOptions {
        run_id,
        write_csv: csv,
        progress: !quiet && !json && std::io::stderr().is_terminal(),
    };
    match firmlink_pipeline::run(&pipeline, &opts) {
        Ok(summary) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&summary).expect("serializable")
                );
            } else {
                print_summary(&summary);
            }
            for w in run_warnings(&summary) {
                eprintln!("{w}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            use firmlink_pipeline::RunError;
            let code = match &e {
                RunError::Invalid(d) => diag_code(d),
                RunError::Ingest(_) | RunError::Input { .. } => 4,
                RunError::Output { .. } | RunError::Polars { .. } => 5,
                RunError::Dedupe(_) => 3,
            };
            match e {
                RunError::Invalid(d) => eprintln!("{d}"),
                other => eprintln!("error: {other}"),
            }
            ExitCode::from(code)
        }
    }
}

/// 4 when only the files are at fault (environment), else 3.
fn diag_code(d: &firmlink_config::Diagnostics) -> u8 {
    if d.0
        .iter()
        .all(|d| d.phase == firmlink_config::Phase::Environment)
    {
        4
    } else {
        3
    }
}

fn print_summary(s: &firmlink_pipeline::RunSummary) {
    println!("run {} → {}", s.run_id, s.run_dir.display());
    println!();
    println!(
        "{:<24} {:<9} {:>10} {:>10} {:>11}  reasons",
        "source", "kind", "rows read", "records", "quarantined"
    );
    for src in &s.sources {
        let reasons: Vec<String> = src
            .stats
            .quarantined_by_reason
            .iter()
            .map(|(r, n)| format!("{r}={n}"))
            .collect();
        println!(
            "{:<24} {:<9} {:>10} {:>10} {:>11}  {}",
            src.name,
            src.kind,
            src.stats.rows_read,
            src.stats.records,
            src.quarantined,
            reasons.join(" ")
        );
    }
    println!();
    println!();
    for d in &s.dedupe {
        println!(
            "dedupe {:<8} {:>9} records → {:>9} entities · {} candidate pairs · {} entities of 2+ records · largest {} · vetoed {}{} · {:.2}s",
            d.kind,
            d.records,
            d.entities,
            d.candidate_pairs,
            d.entities_with_duplicates,
            d.largest_entity,
            d.pairs_vetoed.total(),
            d.attached
                .as_ref()
                .map(|a| {
                    let apart = match (a.too_large, a.unchecked) {
                        (0, 0) => String::new(),
                        (big, 0) => format!(" ({big} kept apart: max_cluster_size)"),
                        (0, unchecked) => {
                            format!(" ({unchecked} kept apart: too large to check)")
                        }
                        (big, unchecked) => format!(
                            " ({} kept apart: max_cluster_size {big}, too large to check {unchecked})",
                            big + unchecked
                        ),
                    };
                    format!(" · {} lone records attached by {}{apart}", a.attached, a.on)
                })
                .unwrap_or_default(),
            d.timings.prepare
                + d.timings.blocking
                + d.timings.training
                + d.timings.scoring
                + d.timings.clustering,
        );
    }
    println!(
        "golden accounts {} · golden contacts {} · crosswalk {} rows · quarantined {} (see quarantine.csv) · reconciled: {}",
        s.golden_accounts,
        s.golden_contacts,
        s.crosswalk_rows,
        s.quarantined,
        if s.reconciled { "yes" } else { "NO" }
    );
    println!(
        "time: ingest+normalize {:.2}s · dedupe+golden {:.2}s · write {:.2}s · total {:.2}s",
        s.seconds_ingest_normalize, s.seconds_dedupe, s.seconds_write, s.seconds_total
    );
}

/// Random pairs below which `u` estimates are too coarse to trust.
const FEW_U_PAIRS: u64 = 10_000;

/// A run id names a folder under `<output>/runs`: nothing that leaves it.
fn parse_run_id(id: &str) -> Result<String, String> {
    if firmlink_pipeline::valid_run_id(id) {
        Ok(id.to_string())
    } else {
        Err("a run id is letters, digits, '-', '_' and '.', not starting with '.'".into())
    }
}

/// Warnings about what the run could not do well, printed to stderr at the
/// end (the manifest holds the same figures): a blocking rule that skipped
/// blocks (the pairs inside them were never compared, so duplicates there
/// stay apart), a model trained on too little data, broken quoting,
/// sources mostly quarantined, JSON Lines keys no row has.
fn run_warnings(s: &firmlink_pipeline::RunSummary) -> Vec<String> {
    let mut out = Vec::new();
    for src in &s.sources {
        let broken = &src.stats.broken_quotes;
        if let Some(first) = broken.first() {
            let lines: u64 = broken.iter().map(|b| b.lines).sum();
            out.push(format!(
                "warning: source {}: {} row(s) with a quote left open cover {} line(s) of {} (the first from line {} over {} lines); the rows on those lines are not in the outputs. Fix the quoting (see quarantine.csv, reason malformed_row or field_count) and run again",
                src.name,
                broken.len(),
                lines,
                src.path,
                first.line,
                first.lines
            ));
        }
        // JSON Lines keys are checked against the first lines only: a
        // misspelt path or a key that never comes reads as empty.
        if src.format == "jsonl" && !src.stats.empty_columns.is_empty() {
            out.push(format!(
                "warning: source {}: no row has a value for {}; check the key names and dotted paths (case-sensitive) against {}",
                src.name,
                src.stats
                    .empty_columns
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                src.path
            ));
        }
        // Most of a source quarantined: the file or its settings are wrong,
        // not a few of its rows.
        if src.stats.rows_read >= 2 && src.quarantined * 2 > src.stats.rows_read {
            let top = src
                .stats
                .quarantined_by_reason
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(r, n)| format!("{r} {n}"))
                .unwrap_or_default();
            out.push(format!(
                "warning: source {}: {} of {} rows quarantined (most: {top}); check the file's format and the source's settings (delimiter, encoding, columns) against quarantine.csv",
                src.name, src.quarantined, src.stats.rows_read
            ));
        }
    }
    for u in &s.unreadable_values {
        out.push(format!(
            "warning: source {} {}: {} value(s) are not {} {}, e.g. \"{}\" (line {}); {} is empty there{}. Fix the source, or map another column",
            u.source,
            u.field,
            u.values,
            if u.expected.starts_with(['a', 'e']) {
                "an"
            } else {
                "a"
            },
            u.expected,
            u.example,
            u.line,
            u.field,
            if matches!(u.field, "employees" | "revenue") {
                format!(" and {}_original keeps the text", u.field)
            } else {
                String::new()
            }
        ));
    }
    for x in &s.unreadable_extras {
        out.push(format!(
            "warning: {} {}: {} value(s) are not a {}, e.g. \"{}\"; {} is empty there and {}_original keeps the text. Fix the source, or declare the extra as text",
            x.kind,
            x.column,
            x.values,
            x.expected,
            x.example,
            x.column,
            x.column
        ));
    }
    for d in &s.dedupe {
        // Nothing was scored: no model to doubt.
        if let Some(t) = d.training.as_ref().filter(|_| d.candidate_pairs > 0) {
            use firmlink_linkage::train::SessionStatus;
            // Comparisons left at the default m, by why: no session estimates
            // them (every training rule reads their column or one it is computed from), or every session
            // that does was too small, or none gave a credible estimate.
            let (mut left_out, mut too_few, mut not_credible) = (vec![], vec![], vec![]);
            for c in t
                .comparisons
                .iter()
                .filter(|c| c.m_from_sessions.is_empty())
            {
                let sessions: Vec<_> = t
                    .sessions
                    .iter()
                    .filter(|s| s.estimated.contains(&c.name))
                    .collect();
                if sessions.is_empty() {
                    left_out.push(c.name.as_str());
                } else if sessions
                    .iter()
                    .all(|s| matches!(s.status, SessionStatus::Skipped(_)))
                {
                    too_few.push(c.name.as_str());
                } else {
                    not_credible.push(c.name.as_str());
                }
            }
            let mut little = Vec::new();
            if t.u.pairs < FEW_U_PAIRS {
                little.push(format!(
                    "u probabilities come from only {} record pairs",
                    t.u.pairs
                ));
            }
            if !too_few.is_empty() {
                little.push(format!(
                    "no EM session that estimates {} had min_session_pairs candidate pairs, so their m are built-in defaults",
                    too_few.join(", ")
                ));
            }
            if !little.is_empty() {
                out.push(format!(
                    "warning: {} model trained on little data: {}. Scores may be off; pin parameters trained on a larger run of the same kind of data ([matching.{}] params = \"<run>/params/{}.json\")",
                    d.kind,
                    little.join("; "),
                    d.kind,
                    d.kind
                ));
            }
            if !left_out.is_empty() {
                out.push(format!(
                    "warning: {} m for {} stays at the built-in default: every EM session's training rule reads that column or one it is computed from. Add a training rule that does not ([matching.{}.training] blocking_rules), e.g. one on names to train email",
                    d.kind,
                    left_out.join(", "),
                    d.kind
                ));
            }
            if !not_credible.is_empty() {
                out.push(format!(
                    "warning: {} m for {} stays at the built-in default: the EM sessions that estimate it were too small or gave no credible result (see dedupe[].training.sessions in manifest.json)",
                    d.kind,
                    not_credible.join(", ")
                ));
            }
        }
        if let Some(c) = d.constrained.as_ref().filter(|c| c.merges_unchecked > 0) {
            out.push(format!(
                "warning: {} clustering made {} merge(s) of groups too large to check pair by pair against the B2B rules (over {} record pairs): records a rule keeps apart may share an entity. Lower [matching.{}.chain_guard] max_cluster_size (e.g. 200) so that groups stay small enough to check, or raise threshold",
                d.kind,
                c.merges_unchecked,
                firmlink_unify::dedupe::MAX_CHECKED_PAIRS,
                d.kind
            ));
        }
        for r in d.blocking.rules.iter().filter(|r| r.blocks_capped > 0) {
            let examples = r
                .capped_examples
                .iter()
                .map(|b| format!("{} ({} records)", b.key, b.records))
                .collect::<Vec<_>>()
                .join(", ");
            out.push(format!(
                "warning: {} blocking rule \"{}\" skipped {} block(s) larger than max_block_size, {} records in all, e.g. {examples}; pairs inside them were not compared by this rule. If these keys are real (not placeholders such as a shared switchboard number), raise [matching.{}] max_block_size or add a rule with a finer key",
                d.kind, r.name, r.blocks_capped, r.records_in_capped_blocks, d.kind
            ));
        }
    }
    out
}

fn validate(path: &std::path::Path) -> ExitCode {
    let pipeline = match load(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Err(d) = firmlink_pipeline::check(&pipeline) {
        eprintln!("{d}");
        return ExitCode::from(diag_code(&d));
    }
    println!(
        "{}: valid — {} source(s)",
        path.display(),
        pipeline.sources.len()
    );
    for s in &pipeline.sources {
        let fields = firmlink_model::fields(s.kind);
        let mapped: Vec<&str> = s
            .columns
            .iter()
            .map(|(slot, _)| fields[*slot].name)
            .collect();
        let header = firmlink_ingest::header(s).map(|h| h.len()).unwrap_or(0);
        println!(
            "  {} ({}, {}, priority {}): {}",
            s.name,
            s.kind.as_str(),
            s.format.as_str(),
            s.priority,
            s.path.display()
        );
        println!(
            "    {} columns in the file; maps {}",
            header,
            mapped.join(", ")
        );
        if !s.extras.is_empty() {
            let extras: Vec<String> = s
                .extras
                .iter()
                .map(|x| match x.ty {
                    firmlink_config::ExtraType::Text => format!("x_{}", x.name),
                    ty => format!("x_{} ({})", x.name, ty.as_str()),
                })
                .collect();
            println!("    extra columns: {}", extras.join(", "));
        }
        match &s.id {
            Some(id) => println!("    id column: {id}"),
            None => println!("    no id column: ids are derived from row content"),
        }
    }
    ExitCode::SUCCESS
}

fn fields(kind: Option<&str>) -> ExitCode {
    use firmlink_model::Kind;
    let kinds = match kind {
        None => vec![Kind::Accounts, Kind::Contacts],
        Some("accounts") => vec![Kind::Accounts],
        Some("contacts") => vec![Kind::Contacts],
        Some(other) => {
            eprintln!("error: unknown kind \"{other}\"; use accounts or contacts");
            return ExitCode::from(2);
        }
    };
    for k in kinds {
        println!("{}:", k.as_str());
        for f in firmlink_model::fields(k) {
            println!(
                "  {:<24} {:<7} {}",
                f.name,
                format!("{:?}", f.ty).to_lowercase(),
                f.doc
            );
        }
    }
    ExitCode::SUCCESS
}
