//! Contacts and accounts through `linkage`; survivorship into golden
//! records; the crosswalk; unified ids that stay stable across runs.
//!
//! Flow for one kind: [`matching`] gives the settings (B2B defaults,
//! overridden by the pipeline's `[matching.<kind>]`), [`dedupe()`] builds the
//! engine's table with the derived columns of [`rules`], blocks, trains,
//! scores, applies the B2B vetoes and clusters; [`golden::build`] turns the
//! clusters into golden records with per-field provenance and the crosswalk.

pub mod account_ref;
pub mod attach;
pub mod dedupe;
pub mod golden;
pub mod matching;
pub mod rules;

pub use account_ref::AccountRefStats;
pub use dedupe::{
    Dedupe, DedupeError, DedupeReport, Pair, attach_problem, dedupe, engine_settings, linkage_table,
};
pub use golden::{FieldRule, Golden, GoldenInput, Rule, build, unified_id};
pub use matching::{Matching, MatchingProblem, default_survivorship, from_pipeline};
