//! Dedupe one kind: normalized records → linkage table (with derived B2B
//! columns) → candidate pairs, training, scores → B2B rules → clusters.

use std::time::Instant;

use firmlink_linkage::cluster::{self, ClusterError, ClusterStats, Clusters};
use firmlink_linkage::{self as linkage, LinkType, Linker, Params, TrainingReport};
use firmlink_model::{Column, Kind, StrColumn, Table};
use serde::Serialize;

use crate::attach::{AttachStats, attach_singletons};
use crate::matching::Matching;
use crate::rules;

/// Why dedupe could not run.
#[derive(Debug, thiserror::Error)]
pub enum DedupeError {
    #[error("matching {kind}: {source}")]
    Linkage {
        kind: &'static str,
        source: linkage::LinkageError,
    },
    #[error("matching {kind}: clustering: {source}")]
    Cluster {
        kind: &'static str,
        source: ClusterError,
    },
    #[error("matching {kind}: {message}")]
    Attach { kind: &'static str, message: String },
    #[error("cannot read pinned parameters {path}: {message}")]
    Params { path: String, message: String },
}

/// One scored pair that survived the B2B rules (record indices into the table).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pair {
    pub left: u32,
    pub right: u32,
    pub match_weight: f64,
    pub match_probability: f64,
}

/// Seconds per phase.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub prepare: f64,
    pub blocking: f64,
    pub training: f64,
    pub scoring: f64,
    pub clustering: f64,
}

/// What dedupe produced and how.
#[derive(Debug, Clone, Serialize)]
pub struct DedupeReport {
    pub kind: &'static str,
    pub records: usize,
    pub candidate_pairs: u64,
    pub blocking: linkage::BlockingReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training: Option<TrainingReport>,
    pub scored_pairs_kept: usize,
    /// Entities after clustering (guard and B2B rules), with 2+ records, and the largest.
    pub entities: usize,
    pub entities_with_duplicates: usize,
    pub largest_entity: usize,
    pub pairs_vetoed: rules::VetoCounts,
    pub threshold: f64,
    pub clusters: ClusterStats,
    /// Merges refused by the B2B rules inside the guard's clusters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constrained: Option<rules::ConstrainedStats>,
    /// Lone records attached to the one cluster carrying their key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attached: Option<AttachStats>,
    pub timings: Timings,
}

pub struct Dedupe {
    /// Cluster label per record, dense.
    pub labels: Vec<u32>,
    pub pairs: Vec<Pair>,
    pub params: Option<Params>,
    pub report: Option<DedupeReport>,
}

/// Build the engine's table: the columns the settings name, plus derived
/// B2B columns. `dataset` is the record's source index.
pub fn linkage_table(
    kind: Kind,
    t: &Table,
    m: &Matching,
) -> Result<linkage::Table, linkage::LinkageError> {
    linkage_table_with(kind, t, m, &rules::derived_columns(kind, t))
}

/// [`linkage_table`] with the derived columns already computed.
fn linkage_table_with(
    kind: Kind,
    t: &Table,
    m: &Matching,
    derived: &[(&'static str, StrColumn)],
) -> Result<linkage::Table, linkage::LinkageError> {
    let source = t.str("source").expect("source column");
    let mut names: Vec<String> = Vec::new();
    for s in source.iter().flatten() {
        if !names.iter().any(|n| n == s) {
            names.push(s.to_string());
        }
    }
    let dataset: Vec<u16> = source
        .iter()
        .map(|s| {
            names
                .iter()
                .position(|n| Some(n.as_str()) == s)
                .unwrap_or(0) as u16
        })
        .collect();
    let mut lt = linkage::Table::new(dataset);
    let mut wanted: Vec<&str> = Vec::new();
    for r in m
        .settings
        .blocking_rules
        .iter()
        .chain(&m.settings.training.blocking_rules)
    {
        for k in &r.keys {
            wanted.push(&k.column);
        }
    }
    for c in &m.settings.comparisons {
        wanted.push(&c.column);
        for l in &c.levels {
            if let Some(col) = l.column() {
                wanted.push(col);
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    // Each column is interned on its own: in parallel, then added in order.
    use rayon::prelude::*;
    let built: Vec<Option<linkage::Column>> = wanted
        .par_iter()
        .map(|&name| {
            if let Some((_, col)) = derived.iter().find(|(n, _)| *n == name) {
                return Some(linkage::Column::strings(name, col.iter()));
            }
            Some(match t.get(name)? {
                Column::Str(c) => linkage::Column::strings(name, c.iter()),
                Column::F64(v) => linkage::Column::numbers(name, v.iter().copied()),
                Column::I64(v) => {
                    linkage::Column::numbers(name, v.iter().map(|x| x.map(|x| x as f64)))
                }
                Column::Date(v) => linkage::Column::dates(name, v.iter().copied()),
                Column::Bool(v) => {
                    let s: Vec<Option<&str>> = v
                        .iter()
                        .map(|b| b.map(|b| if b { "true" } else { "false" }))
                        .collect();
                    linkage::Column::strings(name, s)
                }
            })
        })
        .collect();
    // Unknown columns (None) are reported by Linker::new with the list of columns.
    for col in built.into_iter().flatten() {
        lt.add_column(col)?;
    }
    for (column, sources) in rules::computed_from(kind) {
        lt.computed_from(*column, sources.iter().copied());
    }
    Ok(lt)
}

/// The most record pairs the B2B rules check before two groups merge (or a
/// lone record attaches); larger merges are made unchecked and counted
/// (`merges_unchecked`), larger attachments are not made (`unchecked`).
pub const MAX_CHECKED_PAIRS: usize = 10_000;

/// Clusters made from scored pairs, and what each step did.
struct Clustered {
    labels: Vec<u32>,
    stats: ClusterStats,
    constrained: Option<rules::ConstrainedStats>,
    attached: Option<AttachStats>,
}

/// Scored (non-vetoed) pairs → clusters, as a run makes them: the chain
/// guard (no weak bridge between dense groups), then the B2B rules as
/// cannot-link constraints within what the guard allowed, then lone records
/// attached on `key` (see [`crate::attach`]).
fn cluster_scored(
    n: usize,
    edges: &[(u32, u32, f64)],
    threshold: f64,
    m: &Matching,
    check: &rules::Checker<'_>,
    key: Option<(&StrColumn, &str)>,
) -> Result<Clustered, ClusterError> {
    let Clusters { labels, stats } = cluster::cluster(n, edges, threshold, &m.guard)?;
    let (labels, constrained) = if m.b2b_rules {
        let kept: Vec<(u32, u32, f64)> = edges
            .iter()
            .copied()
            .filter(|e| labels[e.0 as usize] == labels[e.1 as usize])
            .collect();
        let (l, s) = rules::constrained_clusters(n, &kept, threshold, check, MAX_CHECKED_PAIRS);
        (l, Some(s))
    } else {
        (labels, None)
    };
    let (labels, attached) = match key {
        Some((col, on)) => {
            let max_size = m.guard.max_cluster_size.map(|n| n.get() as usize);
            let (l, s) = attach_singletons(&labels, col, on, check, MAX_CHECKED_PAIRS, max_size);
            (l, Some(s))
        }
        None => (labels, None),
    };
    Ok(Clustered {
        labels,
        stats,
        constrained,
        attached,
    })
}

/// The B2B checker of a table and, when lone records attach on a derived
/// column, that column (a table column is borrowed from the table instead):
/// both from derived columns computed once.
fn rules_for<'t>(
    kind: Kind,
    t: &'t Table,
    m: &Matching,
    derived: Vec<(&'static str, StrColumn)>,
) -> Result<(rules::Checker<'t>, Option<StrColumn>), DedupeError> {
    if let Some(message) = attach_problem(kind, t, m) {
        return Err(DedupeError::Attach {
            kind: kind.as_str(),
            message,
        });
    }
    let derived_key = m.attach_on.as_deref().and_then(|c| {
        derived
            .iter()
            .find(|(n, _)| *n == c)
            .map(|(_, col)| col.clone())
    });
    Ok((
        rules::Checker::from_derived(kind, t, m.b2b_rules, derived),
        derived_key,
    ))
}

/// The attach column and its name, if lone records attach.
fn attach_key<'a>(
    t: &'a Table,
    m: &'a Matching,
    derived_key: &'a Option<StrColumn>,
) -> Option<(&'a StrColumn, &'a str)> {
    let on = m.attach_on.as_deref()?;
    let col = derived_key
        .as_ref()
        .or_else(|| t.str(on))
        .expect("attach column checked by rules_for");
    Some((col, on))
}

/// Cluster labels of every record of `t` at each threshold, made from a
/// run's scored pairs (`pairs/<kind>.parquet`: record indices and match
/// probability) exactly as the run clusters: guard, B2B rules, attaching.
/// For `firmlink eval`'s threshold table.
pub fn recluster(
    kind: Kind,
    t: &Table,
    m: &Matching,
    edges: &[(u32, u32, f64)],
    thresholds: &[f64],
) -> Result<Vec<Vec<u32>>, DedupeError> {
    use rayon::prelude::*;
    let k = kind.as_str();
    let (check, derived_key) = rules_for(kind, t, m, rules::derived_columns(kind, t))?;
    let key = attach_key(t, m, &derived_key);
    thresholds
        .par_iter()
        .map(|&th| {
            cluster_scored(t.rows(), edges, th, m, &check, key)
                .map(|c| c.labels)
                .map_err(|e| DedupeError::Cluster { kind: k, source: e })
        })
        .collect()
}

/// Why `attach_singletons` cannot run on this table, if it cannot: the
/// column must be a text column of the normalized table or a derived column.
pub fn attach_problem(kind: Kind, t: &Table, m: &Matching) -> Option<String> {
    let col = m.attach_on.as_deref()?;
    let derived = rules::derived_columns(kind, &Table::new(0));
    match t.get(col) {
        _ if derived.iter().any(|(n, _)| *n == col) => None,
        Some(Column::Str(_)) => None,
        Some(_) => Some(format!(
            "attach_singletons = \"{col}\": the column is not text"
        )),
        None => Some(format!(
            "attach_singletons = \"{col}\": no such column in normalized/{}.parquet or the derived columns",
            kind.as_str()
        )),
    }
}

/// The engine settings for a table: `link_and_dedupe` over a single source
/// is plain dedupe (the engine insists on several datasets for it).
pub fn engine_settings(m: &Matching, lt: &linkage::Table) -> linkage::Settings {
    let mut settings = m.settings.clone();
    let mut datasets: Vec<u16> = lt.dataset().to_vec();
    datasets.sort_unstable();
    datasets.dedup();
    if settings.link_type == LinkType::LinkAndDedupe && datasets.len() < 2 {
        settings.link_type = LinkType::DedupeOnly;
    }
    settings
}

/// Dedupe one kind's records.
pub fn dedupe(kind: Kind, t: &Table, m: &Matching) -> Result<Dedupe, DedupeError> {
    let k = kind.as_str();
    let n = t.rows();
    if !m.enabled || n == 0 {
        return Ok(Dedupe {
            labels: (0..n as u32).collect(),
            pairs: Vec::new(),
            params: None,
            report: None,
        });
    }
    let le = |e| DedupeError::Linkage { kind: k, source: e };
    let mut timings = Timings::default();
    let t0 = Instant::now();
    // Derived columns are computed once: for the engine and for the B2B rules.
    let derived = rules::derived_columns(kind, t);
    let lt = linkage_table_with(kind, t, m, &derived).map_err(le)?;
    let linker = Linker::new(&lt, engine_settings(m, &lt)).map_err(le)?;
    timings.prepare = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let candidates = linker.block().map_err(le)?;
    timings.blocking = t1.elapsed().as_secs_f64();

    let t2 = Instant::now();
    let (params, training) = match &m.params {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| DedupeError::Params {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            let p = Params::from_json(&text).map_err(|e| DedupeError::Params {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            (p, None)
        }
        None => {
            let (p, r) = linker.train(&candidates).map_err(le)?;
            (p, Some(r))
        }
    };
    timings.training = t2.elapsed().as_secs_f64();

    let t3 = Instant::now();
    let predictions = linker.predict(&candidates, &params).map_err(le)?;
    let (check, derived_key) = rules_for(kind, t, m, derived)?;
    let mut vetoed = rules::VetoCounts::default();
    let mut pairs = Vec::with_capacity(predictions.len());
    // The vetoes are independent per pair (millions of them): check them in
    // parallel, then count and keep the rest in pair order.
    let vetoes: Vec<Option<rules::Veto>> = {
        use rayon::prelude::*;
        predictions
            .left()
            .par_iter()
            .zip(predictions.right())
            .map(|(&i, &j)| check.veto(i as usize, j as usize))
            .collect()
    };
    for (p, veto) in predictions.iter().zip(vetoes) {
        if let Some(reason) = veto {
            if p.match_probability >= m.threshold {
                vetoed.add(reason);
            }
            continue;
        }
        pairs.push(Pair {
            left: p.left,
            right: p.right,
            match_weight: p.match_weight,
            match_probability: p.match_probability,
        });
    }
    timings.scoring = t3.elapsed().as_secs_f64();

    let t4 = Instant::now();
    let edges: Vec<(u32, u32, f64)> = pairs
        .iter()
        .map(|p| (p.left, p.right, p.match_probability))
        .collect();
    let key = attach_key(t, m, &derived_key);
    let Clustered {
        labels,
        stats,
        constrained,
        attached,
    } = cluster_scored(n, &edges, m.threshold, m, &check, key)
        .map_err(|e| DedupeError::Cluster { kind: k, source: e })?;
    timings.clustering = t4.elapsed().as_secs_f64();

    let mut sizes = vec![0usize; labels.iter().map(|l| *l as usize + 1).max().unwrap_or(0)];
    for l in &labels {
        sizes[*l as usize] += 1;
    }
    let report = DedupeReport {
        entities: sizes.len(),
        entities_with_duplicates: sizes.iter().filter(|s| **s > 1).count(),
        largest_entity: sizes.iter().copied().max().unwrap_or(0),
        kind: k,
        records: n,
        candidate_pairs: candidates.len() as u64,
        blocking: candidates.report().clone(),
        training,
        scored_pairs_kept: pairs.len(),
        pairs_vetoed: vetoed,
        threshold: m.threshold,
        clusters: stats,
        constrained,
        attached,
        timings,
    };
    Ok(Dedupe {
        labels,
        pairs,
        params: Some(params),
        report: Some(report),
    })
}
