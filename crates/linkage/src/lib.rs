//! The matching engine of firmlink: probabilistic record linkage in the
//! Fellegi–Sunter model, in [Splink]'s vocabulary, on plain Rust columns.
//!
//! # How data flows
//!
//! 1. A [`Table`] holds N records: the source dataset of each (a `u16`, for
//!    link types) and named nullable [`Column`]s of strings, numbers or
//!    dates. Columns are interned on construction, so exact equality is an
//!    integer compare. Callers precompute derived columns (folded names,
//!    phonetic keys, nickname-formal keys, email domains, company token
//!    strings); the engine only compares columns.
//! 2. [`Settings`] (serde, unknown keys rejected) name the [`LinkType`],
//!    the [`BlockingRule`]s, and the [`Comparison`]s with their ordered
//!    [`Level`]s. [`Linker::new`] checks them against the table, reporting
//!    every problem at once, and compiles them.
//! 3. [`Linker::block`] generates candidate pairs: records sharing a rule's
//!    key, the union over rules without double counting (a pair is
//!    produced by the first rule that holds for it), oversized blocks
//!    skipped and counted. Each candidate's comparison vector (a level per
//!    comparison: null, the configured levels best first, else) is computed
//!    once, in parallel.
//! 4. [`Linker::train`] estimates [`Params`] without labels: `u` from a
//!    seeded sample of random pairs, `m` by expectation-maximisation on
//!    the blocked pairs (one session per rule, on aggregated patterns), the
//!    prior from all candidates; see [`train`] for the method and its
//!    guards. Parameters are JSON ([`Params::to_json`],
//!    [`Params::from_json`]); pinned parameters skip training.
//! 5. [`Linker::predict`] scores every candidate — match weight (log2
//!    Bayes factors plus the prior, with term-frequency adjustments) and
//!    match probability — and keeps those at or above the threshold, in a
//!    deterministic order, as [`Predictions`] columns.
//! 6. [`Linker::explain_pair`] shows any pair's score step by step as an
//!    [`Explanation`] (serde, and [`Explanation::render`] for a terminal).
//!
//! Clustering the predictions and scoring them against labels live in
//! [`cluster`] and [`eval`].
//!
//! # Example
//!
//! ```
//! use firmlink_linkage::{
//!     BlockingRule, Column, Comparison, Level, LinkType, Linker, Settings, Table,
//! };
//!
//! let first = ["anna", "anna", "bob", "bob", "carl", "dora", "dora", "ed"];
//! let last = ["smith", "smith", "jones", "jones", "berg", "lind", "lindh", "moss"];
//! let city = ["oslo", "oslo", "rome", "roma", "kiev", "lima", "lima", "oslo"];
//! let mut table = Table::single_dataset(first.len());
//! table.add_column(Column::strings("first", first.map(Some)))?;
//! table.add_column(Column::strings("last", last.map(Some)))?;
//! table.add_column(Column::strings("city", city.map(Some)))?;
//!
//! let mut settings = Settings::new(
//!     LinkType::DedupeOnly,
//!     vec![BlockingRule::on(["first"]), BlockingRule::on(["city"])],
//!     vec![
//!         Comparison::name("first"),
//!         Comparison::new("last").level(Level::exact()).level(Level::jaro_winkler(0.9)),
//!         Comparison::jaro_winkler("city", &[0.8]),
//!     ],
//! );
//! settings.training.min_session_pairs = 1;
//! settings.threshold_match_probability = 0.0;
//! let linker = Linker::new(&table, settings)?;
//! let candidates = linker.block()?;
//! let (params, _report) = linker.train(&candidates)?;
//! let predictions = linker.predict(&candidates, &params)?;
//! assert_eq!(predictions.len(), candidates.len());
//! let best = predictions
//!     .iter()
//!     .max_by(|a, b| a.match_weight.total_cmp(&b.match_weight))
//!     .unwrap();
//! println!("{}", linker.explain_pair(&params, best.left, best.right)?.render());
//! let saved = params.to_json()?;
//! assert_eq!(firmlink_linkage::Params::from_json(&saved)?, params);
//! # Ok::<(), firmlink_linkage::LinkageError>(())
//! ```
//!
//! # Speed, memory, reproducibility
//!
//! Blocking sorts record indices by interned key ids (a counting sort per
//! rule) and checks earlier rules on the pair's key ids, so no set of pairs
//! is ever built. Comparison vectors are one byte per comparison and pair;
//! exact levels are integer compares, fuzzy measures run only when values
//! differ, once per pair and column, through bit-parallel Jaro-Winkler,
//! Levenshtein and OSA on the stack for ASCII strings up to 64 bytes
//! (RapidFuzz otherwise). EM iterates over distinct comparison vectors with
//! counts. Blocking, comparing, sampling and scoring run on rayon's pool.
//! Every random choice is seeded and every reduction is order-independent,
//! so the same input and settings give the same parameters and the same
//! predictions in the same order, on any number of threads.
//! `examples/bench.rs` times each phase on synthetic contacts.
//!
//! # Scope of the public surface
//!
//! The re-exports below are the API. The modules [`similarity`] (pure
//! string measures), [`em`] (EM on pattern counts) and [`train`] (training
//! reports) are public for callers that want the pieces, e.g. to run
//! comparisons as UDFs on a distributed engine: every level decision is
//! also available as the pure function [`level_matches`].
//!
//! [Splink]: https://moj-analytical-services.github.io/splink/

mod blocking;
pub mod cluster;
mod comparison;
mod compile;
pub mod em;
mod error;
pub mod eval;
mod explain;
mod linker;
mod params;
mod predict;
mod rng;
mod settings;
pub mod similarity;
mod table;
pub mod train;

pub use blocking::{CappedBlock, RuleReport};
pub use comparison::level_matches;
pub use error::{LinkageError, SettingsProblem};
pub use explain::{ComparisonExplanation, Explanation, TfAdjustment};
pub use linker::{BlockingReport, CandidatePairs, ComparisonInfo, LinkageRun, Linker};
pub use params::{ComparisonParams, LevelParams, PARAMS_VERSION, Params, TfTable};
pub use predict::{Predictions, ScoredPair, probability_from_weight};
pub use settings::{
    BlockingKey, BlockingRule, Comparison, DateUnit, Level, LinkType, SessionU, Settings,
    TrainingSettings,
};
pub use table::{Column, ColumnKind, Table, Value, days_from_civil, format_days};
pub use train::TrainingReport;
