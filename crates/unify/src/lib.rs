//! Contacts and accounts through `linkage`; survivorship into golden
//! records; the crosswalk; unified ids that stay stable across runs.

pub mod golden;

pub use golden::{FieldRule, Golden, GoldenInput, Rule, build, unified_id};
