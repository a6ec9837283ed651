//! Cluster scored pairs into entities: Splink's "cluster at a threshold",
//! with a guard against chaining.
//!
//! Input is plain data: the number of records `n`, and scored edges
//! `(i, j, match_probability)` between record indices `i, j < n` (the output
//! of predict). An edge counts when its match probability is **at or above**
//! the threshold (`p >= threshold`, as in Splink). Self-loops are ignored.
//! The bridge rule below counts an unordered pair given more than once (in
//! either direction) once, at its highest probability.
//!
//! - [`connected_components`] is the plain baseline: every edge at the
//!   threshold joins its two records (union-find, no guard).
//! - [`cluster`] adds the [`ChainGuard`] and returns [`Clusters`]: a dense
//!   label per record plus [`ClusterStats`].
//!
//! Labels are dense `0..k` and assigned in order of each cluster's smallest
//! record index, so the same records, edges (in any order, either direction)
//! and settings always give the same labels, and labels stay put when the
//! record order does.
//!
//! # Why a guard, and what it does
//!
//! Connected components is transitive: if A matches B and B matches C, A and C
//! share a cluster even when nothing links them directly. That is what makes
//! it find entities whose records differ a lot (typos, moves), and also what
//! makes it fragile: **one** false match between two records of two large,
//! well-established entities merges the entities wholesale, and a few such
//! links snowball into giant clusters ("chaining"). A single weak link is
//! exactly the kind of evidence that is wrong often enough to matter (a shared
//! generic name, a shared switchboard number), while a real duplicate of a
//! multi-record entity usually links to several of its records.
//!
//! The guard works in two phases, then an optional size cap:
//!
//! 1. **Cores.** Edges with `p >= strong_threshold` are unioned without
//!    question. These are the links the model is sure about; the cores they
//!    form are what the guard protects.
//! 2. **Bridges.** The remaining edges (`threshold <= p < strong_threshold`)
//!    between different cores are grouped into *bridges*: all edges between
//!    the same two groups, with their count (distinct record pairs) and mean
//!    probability. Bridges are considered strongest first (highest mean
//!    probability, then most edges, then lowest group ids — a total order, so
//!    the outcome never depends on input order), and always between the
//!    *current* groups: once two groups merge, their bridges to a third group
//!    are added together and judged again. A bridge between groups `A` and
//!    `B` is accepted when
//!
//!    ```text
//!    min(|A|, |B|) == 1                                  (a record joins a group)
//!    or edges(A, B) >= min_bridge_fraction · min(|A|, |B|)  (the link is supported)
//!    ```
//!
//!    `|A|` counts records. So a single record may attach to a group on one
//!    weak link (that is how small entities form from medium-confidence
//!    pairs), but two groups of two or more records merge only when enough of
//!    the smaller group's records link across. A rejected bridge is
//!    reconsidered whenever it gains edges through another merge.
//!
//!    Judging current groups rather than the original cores matters: with
//!    cores `A` and `B` and a lone record `x` weakly linked to both, `x`
//!    joins the group it is linked to more strongly, and the bridge from
//!    `A ∪ {x}` to `B` is then a single edge against `min(|A|+1, |B|)` —
//!    the chain through `x` is caught. Judged core against core it would
//!    pass (one edge from `{x}` to `B`, against a minimum size of 1).
//!
//!    Every edge across two groups is below `strong_threshold` by
//!    construction (a strong edge would have put them in one core), so a
//!    rule such as "accept when the bridge's mean probability is strong" can
//!    never fire here and is deliberately absent.
//!
//!    Processing strongest bridges first means a group is assembled from its
//!    strongest links before weaker bridges to it are judged; the guard is
//!    therefore weakest when all links carry the same probability (ties are
//!    then broken by support and by group id only).
//!
//! 3. **Size cap (optional).** A cluster larger than `max_cluster_size` is
//!    split by dropping its weakest edges: it is clustered again (with the
//!    same guard) using only its own edges, at a threshold raised to
//!    `split_step_bits` match-weight bits above its weakest edge; pieces that
//!    are still too large are split again, at most `max_split_rounds` times.
//!    This is the re-filtering that the `dedupe` library applies to oversized
//!    components (there: one unit of log-odds above the component's weakest
//!    score). Clusters that stay too large (for example, held together by
//!    edges of probability 1) are kept and counted.
//!
//! With `strong_threshold <= threshold` (or `min_bridge_fraction == 0`) and
//! no size cap, [`cluster`] gives exactly the connected components.
//! [`ChainGuard::off`] is that setting.
//!
//! # Performance
//!
//! The union-find is written here over `u32` indices, with path halving and
//! union by size: for tens of millions of edges it beats the generic crates,
//! and it stores 8 bytes per record. Plain components are one pass over the
//! edges. The guard adds a parallel sort of the weak edges between cores,
//! one hash map of bridges per core (built in parallel, merged
//! small-into-large), and a queue of bridges: the initial ones sorted once,
//! only bridges changed by a merge going through a heap. A bridge the rule
//! rejects is not queued at all until it gains edges (groups only grow, so it
//! cannot become acceptable otherwise). Its cost therefore grows with the
//! number of *weak* edges between cores, and its memory is about 100 bytes
//! per such edge at the peak.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::num::NonZeroU32;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// A scored candidate pair: record index, record index, match probability.
pub type ScoredEdge = (u32, u32, f64);

/// The most records one clustering can hold (record indices are `u32`).
pub const MAX_RECORDS: usize = u32::MAX as usize;

/// Why clustering could not run. Each variant carries the offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClusterError {
    /// A threshold is not a number in `[0, 1]`.
    #[error("{name} is {value}, but it must be a number between 0 and 1")]
    InvalidThreshold {
        /// Which setting (`threshold`, `strong_threshold`).
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// `min_bridge_fraction` is negative or not finite.
    #[error("min_bridge_fraction is {value}, but it must be a finite number >= 0")]
    InvalidBridgeFraction {
        /// The value given.
        value: f64,
    },
    /// `split_step_bits` is not a finite positive number.
    #[error("split_step_bits is {value}, but it must be a finite number > 0")]
    InvalidSplitStep {
        /// The value given.
        value: f64,
    },
    /// More records than `u32` indices can address.
    #[error("{n} records is more than clustering supports ({MAX_RECORDS})")]
    TooManyRecords {
        /// The number of records given.
        n: usize,
    },
    /// An edge names a record index `>= n`.
    #[error("edge {index} ({i}, {j}) names record {record}, but there are only {n} records")]
    RecordOutOfRange {
        /// Position of the edge in the input.
        index: usize,
        /// First record of the edge.
        i: u32,
        /// Second record of the edge.
        j: u32,
        /// The index that is out of range.
        record: u32,
        /// The number of records.
        n: usize,
    },
    /// An edge's match probability is not a number in `[0, 1]`.
    #[error("edge {index} ({i}, {j}) has match probability {value}, which is not between 0 and 1")]
    InvalidProbability {
        /// Position of the edge in the input.
        index: usize,
        /// First record of the edge.
        i: u32,
        /// Second record of the edge.
        j: u32,
        /// The probability given.
        value: f64,
    },
}

/// Disjoint-set union (union-find) over `u32` element ids, with path halving
/// and union by size.
#[derive(Debug, Clone)]
pub struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    /// `n` singleton sets `{0}, {1}, …, {n-1}`.
    ///
    /// # Panics
    /// If `n` exceeds [`MAX_RECORDS`].
    pub fn new(n: usize) -> Self {
        assert!(n <= MAX_RECORDS, "{n} elements exceed {MAX_RECORDS}");
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The representative of `x`'s set (halving the path on the way).
    #[inline]
    pub fn find(&mut self, mut x: u32) -> u32 {
        let parent = &mut self.parent;
        loop {
            let p = parent[x as usize];
            if p == x {
                return x;
            }
            let g = parent[p as usize];
            parent[x as usize] = g;
            x = g;
        }
    }

    /// Join the sets of `a` and `b`; `false` if they were already one set.
    #[inline]
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        true
    }

    /// Number of elements in `x`'s set.
    pub fn set_size(&mut self, x: u32) -> u32 {
        let r = self.find(x);
        self.size[r as usize]
    }

    /// A dense label `0..k` per element, numbered in order of each set's
    /// smallest element.
    pub fn labels(&mut self) -> Vec<u32> {
        let n = self.len();
        let mut label_of_root = vec![u32::MAX; n];
        let mut labels = Vec::with_capacity(n);
        let mut next = 0u32;
        for x in 0..n as u32 {
            let r = self.find(x) as usize;
            if label_of_root[r] == u32::MAX {
                label_of_root[r] = next;
                next += 1;
            }
            labels.push(label_of_root[r]);
        }
        labels
    }
}

/// Settings of the anti-chaining guard (see the module docs for the rule).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChainGuard {
    /// Edges at or above this probability form cores without question.
    /// At or below the clustering threshold, the bridge rule is off.
    pub strong_threshold: f64,
    /// A bridge between two groups of at least two records each is accepted
    /// when it has at least this many edges per record of the smaller group.
    /// `0` turns the bridge rule off.
    pub min_bridge_fraction: f64,
    /// Clusters larger than this are split by dropping their weakest edges.
    /// `None`: no cap.
    pub max_cluster_size: Option<NonZeroU32>,
    /// How far each split round raises a piece's threshold above its weakest
    /// edge, in match-weight bits (log2 of the odds): 1 bit doubles the odds.
    pub split_step_bits: f64,
    /// At most this many split rounds for any one piece.
    pub max_split_rounds: u32,
}

impl Default for ChainGuard {
    /// Strong at 0.99, bridges need one edge per two records of the smaller
    /// group, no size cap.
    fn default() -> Self {
        Self {
            strong_threshold: 0.99,
            min_bridge_fraction: 0.5,
            max_cluster_size: None,
            split_step_bits: 1.0,
            max_split_rounds: 64,
        }
    }
}

impl ChainGuard {
    /// No guard: [`cluster`] gives plain connected components.
    pub const fn off() -> Self {
        Self {
            strong_threshold: 0.0,
            min_bridge_fraction: 0.0,
            max_cluster_size: None,
            split_step_bits: 1.0,
            max_split_rounds: 64,
        }
    }

    /// Check every setting; the error quotes the bad value.
    pub fn validate(&self) -> Result<(), ClusterError> {
        check_unit("strong_threshold", self.strong_threshold)?;
        if !self.min_bridge_fraction.is_finite() || self.min_bridge_fraction < 0.0 {
            return Err(ClusterError::InvalidBridgeFraction {
                value: self.min_bridge_fraction,
            });
        }
        if !self.split_step_bits.is_finite() || self.split_step_bits <= 0.0 {
            return Err(ClusterError::InvalidSplitStep {
                value: self.split_step_bits,
            });
        }
        Ok(())
    }

    /// Whether the bridge rule can change anything at `threshold`.
    pub fn bridges_active(&self, threshold: f64) -> bool {
        self.strong_threshold > threshold && self.min_bridge_fraction > 0.0
    }

    /// Whether clustering at `threshold` with this guard is exactly plain
    /// connected components.
    pub fn is_plain_at(&self, threshold: f64) -> bool {
        self.max_cluster_size.is_none() && !self.bridges_active(threshold)
    }
}

/// What clustering did. Edge counts are over the input edges at the
/// threshold (self-loops excluded, repeated pairs counted as given):
/// `edges_used + edges_rejected + edges_split == edges_at_threshold`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClusterStats {
    /// Number of records.
    pub records: usize,
    /// Edges with `p >= threshold` joining two different records.
    pub edges_at_threshold: usize,
    /// Of those, edges whose records share a final cluster.
    pub edges_used: usize,
    /// Of those, edges left between clusters by the bridge rule.
    pub edges_rejected: usize,
    /// Group pairs the bridge rule kept apart (one per rejected bridge).
    pub bridges_rejected: usize,
    /// Of those, edges dropped by splitting oversized clusters.
    pub edges_split: usize,
    /// Number of clusters (singletons included).
    pub clusters: usize,
    /// Clusters of one record.
    pub singletons: usize,
    /// Records in the largest cluster (0 without records).
    pub largest_cluster: usize,
    /// Oversized clusters that were split into two or more pieces.
    pub clusters_split: usize,
    /// Final clusters still above `max_cluster_size` (could not be split).
    pub oversized_unsplit: usize,
}

/// The result of [`cluster`].
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// Cluster id of each record, dense `0..k`, numbered in order of each
    /// cluster's smallest record index.
    pub labels: Vec<u32>,
    /// What clustering did.
    pub stats: ClusterStats,
}

impl Clusters {
    /// Number of clusters.
    pub fn count(&self) -> usize {
        self.stats.clusters
    }

    /// Number of records in each cluster, indexed by cluster id.
    pub fn sizes(&self) -> Vec<u32> {
        cluster_sizes(&self.labels, self.stats.clusters)
    }
}

/// Plain connected components of the edges with `p >= threshold`: a dense
/// label per record, numbered in order of each component's smallest record.
pub fn connected_components(
    n: usize,
    edges: &[ScoredEdge],
    threshold: f64,
) -> Result<Vec<u32>, ClusterError> {
    check_unit("threshold", threshold)?;
    check_edges(n, edges)?;
    Ok(plain_labels(n, edges, threshold))
}

/// Cluster `n` records by the edges with `p >= threshold`, with `guard`
/// against chaining (see the module docs).
pub fn cluster(
    n: usize,
    edges: &[ScoredEdge],
    threshold: f64,
    guard: &ChainGuard,
) -> Result<Clusters, ClusterError> {
    check_unit("threshold", threshold)?;
    guard.validate()?;
    check_edges(n, edges)?;
    Ok(cluster_unchecked(n, edges, threshold, guard))
}

/// [`cluster`] on input already validated.
pub(crate) fn cluster_unchecked(
    n: usize,
    edges: &[ScoredEdge],
    threshold: f64,
    guard: &ChainGuard,
) -> Clusters {
    let (guarded, bridges_rejected) = labels_with_guard(n, edges, threshold, guard);
    let split = guard
        .max_cluster_size
        .and_then(|max| split_oversized(&guarded, edges, threshold, guard, max.get()));
    let final_labels = split.as_ref().map_or(&guarded, |s| &s.labels);
    let edge_counts = tally_edges(edges, threshold, &guarded, final_labels);
    let (labels, clusters_split, oversized_unsplit) = match split {
        Some(s) => (s.labels, s.clusters_split, s.oversized_unsplit),
        None => (guarded, 0, 0),
    };
    let clusters = labels.iter().max().map_or(0, |&m| m as usize + 1);
    let sizes = cluster_sizes(&labels, clusters);
    let stats = ClusterStats {
        records: n,
        edges_at_threshold: edge_counts[0],
        edges_used: edge_counts[1],
        edges_rejected: edge_counts[2],
        bridges_rejected,
        edges_split: edge_counts[3],
        clusters,
        singletons: sizes.iter().filter(|&&s| s == 1).count(),
        largest_cluster: sizes.iter().copied().max().unwrap_or(0) as usize,
        clusters_split,
        oversized_unsplit,
    };
    Clusters { labels, stats }
}

/// Labels after cores and bridges (no size cap), and the number of bridges
/// the rule rejected.
fn labels_with_guard(
    n: usize,
    edges: &[ScoredEdge],
    threshold: f64,
    guard: &ChainGuard,
) -> (Vec<u32>, usize) {
    if guard.bridges_active(threshold) {
        guarded_labels(n, edges, threshold, guard)
    } else {
        (plain_labels(n, edges, threshold), 0)
    }
}

pub(crate) fn check_unit(name: &'static str, value: f64) -> Result<(), ClusterError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(ClusterError::InvalidThreshold { name, value })
    }
}

pub(crate) fn check_edges(n: usize, edges: &[ScoredEdge]) -> Result<(), ClusterError> {
    if n > MAX_RECORDS {
        return Err(ClusterError::TooManyRecords { n });
    }
    let bad = edges.par_iter().position_first(|&(i, j, p)| {
        i as usize >= n || j as usize >= n || !(0.0..=1.0).contains(&p)
    });
    let Some(index) = bad else { return Ok(()) };
    let (i, j, value) = edges[index];
    Err(if i as usize >= n || j as usize >= n {
        let record = if i as usize >= n { i } else { j };
        ClusterError::RecordOutOfRange {
            index,
            i,
            j,
            record,
            n,
        }
    } else {
        ClusterError::InvalidProbability { index, i, j, value }
    })
}

pub(crate) fn plain_labels(n: usize, edges: &[ScoredEdge], threshold: f64) -> Vec<u32> {
    let mut sets = DisjointSets::new(n);
    for &(i, j, p) in edges {
        if p >= threshold {
            sets.union(i, j);
        }
    }
    sets.labels()
}

fn cluster_sizes(labels: &[u32], clusters: usize) -> Vec<u32> {
    let mut sizes = vec![0u32; clusters];
    for &l in labels {
        sizes[l as usize] += 1;
    }
    sizes
}

/// Renumber labels densely in order of first appearance.
fn relabel_dense(labels: &mut [u32], bound: usize) {
    let mut map = vec![u32::MAX; bound];
    let mut next = 0u32;
    for l in labels.iter_mut() {
        let m = &mut map[*l as usize];
        if *m == u32::MAX {
            *m = next;
            next += 1;
        }
        *l = *m;
    }
}

/// `[at threshold, used, rejected by bridges, dropped by split]`.
fn tally_edges(edges: &[ScoredEdge], threshold: f64, guarded: &[u32], fin: &[u32]) -> [usize; 4] {
    edges
        .par_iter()
        .fold(
            || [0usize; 4],
            |mut acc, &(i, j, p)| {
                if i != j && p >= threshold {
                    let (i, j) = (i as usize, j as usize);
                    acc[0] += 1;
                    if fin[i] == fin[j] {
                        acc[1] += 1;
                    } else if guarded[i] != guarded[j] {
                        acc[2] += 1;
                    } else {
                        acc[3] += 1;
                    }
                }
                acc
            },
        )
        .reduce(
            || [0usize; 4],
            |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]],
        )
}

/// Aggregate of the edges between two groups.
#[derive(Debug, Clone, Copy)]
struct Link {
    count: u32,
    sum: f64,
}

/// A bridge waiting in the heap; valid while both ends are still group
/// representatives and the bridge still has `count` edges.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    mean: f64,
    count: u32,
    a: u32,
    b: u32,
}

impl Candidate {
    fn new(x: u32, y: u32, link: Link) -> Self {
        let (a, b) = if x < y { (x, y) } else { (y, x) };
        Self {
            mean: link.sum / f64::from(link.count),
            count: link.count,
            a,
            b,
        }
    }
}

impl Ord for Candidate {
    /// Max-heap order: highest mean, then most edges, then lowest ids.
    fn cmp(&self, other: &Self) -> Ordering {
        self.mean
            .total_cmp(&other.mean)
            .then(self.count.cmp(&other.count))
            .then(other.a.cmp(&self.a))
            .then(other.b.cmp(&self.b))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

/// A weak edge between two cores: `cores` packs `(core a, core b)` with
/// `a < b`, `records` packs the record in `a` and the record in `b`.
#[derive(Debug, Clone, Copy)]
struct WeakEdge {
    cores: u64,
    records: u64,
    p: f64,
}

/// Cores from strong edges, then bridges judged strongest first.
fn guarded_labels(
    n: usize,
    edges: &[ScoredEdge],
    threshold: f64,
    guard: &ChainGuard,
) -> (Vec<u32>, usize) {
    let strong = guard.strong_threshold;
    let mut sets = DisjointSets::new(n);
    for &(i, j, p) in edges {
        if p >= strong {
            sets.union(i, j);
        }
    }
    let core = sets.labels();
    drop(sets);
    let cores = core.iter().max().map_or(0, |&m| m as usize + 1);

    let mut weak: Vec<WeakEdge> = edges
        .par_iter()
        .filter_map(|&(i, j, p)| {
            if p < threshold || p >= strong {
                return None;
            }
            let (ci, cj) = (core[i as usize], core[j as usize]);
            let ((a, ra), (b, rb)) = match ci.cmp(&cj) {
                Ordering::Less => ((ci, i), (cj, j)),
                Ordering::Greater => ((cj, j), (ci, i)),
                Ordering::Equal => return None,
            };
            Some(WeakEdge {
                cores: u64::from(a) << 32 | u64::from(b),
                records: u64::from(ra) << 32 | u64::from(rb),
                p,
            })
        })
        .collect();
    if weak.is_empty() {
        return (core, 0);
    }
    // Highest probability first within a repeated record pair, so that the
    // first of a run is the one kept.
    weak.par_sort_unstable_by(|x, y| {
        x.cores
            .cmp(&y.cores)
            .then(x.records.cmp(&y.records))
            .then(y.p.total_cmp(&x.p))
    });

    // Aggregate edges into bridges between cores.
    let mut bridges: Vec<(u32, u32, Link)> = Vec::new();
    let mut last_records = u64::MAX;
    for (k, e) in weak.iter().enumerate() {
        let same_bridge = k > 0 && weak[k - 1].cores == e.cores;
        if same_bridge && e.records == last_records {
            continue;
        }
        last_records = e.records;
        if same_bridge {
            let link = &mut bridges.last_mut().expect("bridge started").2;
            link.count += 1;
            link.sum += e.p;
        } else {
            let (a, b) = ((e.cores >> 32) as u32, e.cores as u32);
            bridges.push((a, b, Link { count: 1, sum: e.p }));
        }
    }
    drop(weak);

    let fraction = guard.min_bridge_fraction;
    let mut group = Groups::new(&core, cores, &bridges, fraction);
    // Only bridges acceptable now go in the queue: groups only grow, so a
    // bridge rejected now stays rejected until it gains edges, and then it
    // is pushed again (see `Groups::merge`).
    let mut initial: Vec<Candidate> = bridges
        .par_iter()
        .filter(|&&(a, b, link)| group.acceptable(a, b, link.count))
        .map(|&(a, b, link)| Candidate::new(a, b, link))
        .collect();
    initial.par_sort_unstable_by(|x, y| y.cmp(x));
    let mut queue = Queue {
        sorted: initial,
        next: 0,
        heap: BinaryHeap::new(),
    };
    drop(bridges);

    while let Some(c) = queue.pop() {
        if !group.is_rep(c.a) || !group.is_rep(c.b) {
            continue;
        }
        match group.adj[c.a as usize].get(&c.b) {
            Some(link) if link.count == c.count => {}
            _ => continue,
        }
        if !group.acceptable(c.a, c.b, c.count) {
            continue;
        }
        group.merge(c.a, c.b, &mut queue.heap);
    }

    let rejected = (0..cores as u32)
        .filter(|&g| group.is_rep(g))
        .map(|g| group.adj[g as usize].len())
        .sum::<usize>()
        / 2;
    let mut labels: Vec<u32> = core.iter().map(|&c| group.find(c)).collect();
    relabel_dense(&mut labels, cores);
    (labels, rejected)
}

/// Groups of cores during bridge agglomeration: a union-find whose
/// representative keeps the adjacency (bridges to other groups).
struct Groups {
    parent: Vec<u32>,
    /// Records per group (valid at representatives).
    size: Vec<u32>,
    /// Bridges of each representative, keyed by the other representative.
    adj: Vec<FxHashMap<u32, Link>>,
    /// `min_bridge_fraction`.
    fraction: f64,
}

impl Groups {
    fn new(core: &[u32], cores: usize, bridges: &[(u32, u32, Link)], fraction: f64) -> Self {
        let mut size = vec![0u32; cores];
        for &c in core {
            size[c as usize] += 1;
        }
        // `bridges` is sorted by (a, b): each core's bridges to higher cores
        // are one run. A copy sorted by (b, a) gives the runs to lower
        // cores; then every core's map is built from its two runs, in
        // parallel and without jumping around memory.
        let mut lower: Vec<(u32, u32, Link)> =
            bridges.par_iter().map(|&(a, b, l)| (b, a, l)).collect();
        lower.par_sort_unstable_by_key(|&(b, a, _)| (b, a));
        let starts = |runs: &[(u32, u32, Link)]| {
            let mut start = vec![0usize; cores + 1];
            for &(x, _, _) in runs {
                start[x as usize + 1] += 1;
            }
            for c in 0..cores {
                start[c + 1] += start[c];
            }
            start
        };
        let (up, down) = (starts(bridges), starts(&lower));
        let adj: Vec<FxHashMap<u32, Link>> = (0..cores)
            .into_par_iter()
            .map(|c| {
                let (ups, downs) = (&bridges[up[c]..up[c + 1]], &lower[down[c]..down[c + 1]]);
                let mut map = FxHashMap::with_capacity_and_hasher(
                    ups.len() + downs.len(),
                    Default::default(),
                );
                for &(_, other, link) in ups.iter().chain(downs) {
                    map.insert(other, link);
                }
                map
            })
            .collect();
        Self {
            parent: (0..cores as u32).collect(),
            size,
            adj,
            fraction,
        }
    }

    /// The bridge rule for representatives `a` and `b` joined by `count`
    /// edges.
    fn acceptable(&self, a: u32, b: u32, count: u32) -> bool {
        let smaller = self.size[a as usize].min(self.size[b as usize]);
        // The epsilon keeps e.g. 0.3 · 10 = 3.0000000000000004 from
        // demanding a fourth edge.
        smaller < 2 || f64::from(count) + 1e-9 >= self.fraction * f64::from(smaller)
    }

    fn is_rep(&self, g: u32) -> bool {
        self.parent[g as usize] == g
    }

    fn find(&mut self, mut x: u32) -> u32 {
        loop {
            let p = self.parent[x as usize];
            if p == x {
                return x;
            }
            let g = self.parent[p as usize];
            self.parent[x as usize] = g;
            x = g;
        }
    }

    /// Merge the groups of representatives `a` and `b`; the one with more
    /// bridges stays representative (small-into-large), and every bridge
    /// that changed goes back on the heap.
    fn merge(&mut self, a: u32, b: u32, heap: &mut BinaryHeap<Candidate>) {
        let (la, lb) = (self.adj[a as usize].len(), self.adj[b as usize].len());
        let (keep, gone) = if la > lb || (la == lb && a < b) {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[gone as usize] = keep;
        self.size[keep as usize] += self.size[gone as usize];
        self.adj[keep as usize].remove(&gone);
        let moved = std::mem::take(&mut self.adj[gone as usize]);
        for (other, link) in moved {
            if other == keep {
                continue;
            }
            self.adj[other as usize].remove(&gone);
            let merged = {
                let e = self.adj[keep as usize]
                    .entry(other)
                    .or_insert(Link { count: 0, sum: 0.0 });
                e.count += link.count;
                e.sum += link.sum;
                *e
            };
            self.adj[other as usize].insert(keep, merged);
            if self.acceptable(keep, other, merged.count) {
                heap.push(Candidate::new(keep, other, merged));
            }
        }
    }
}

/// Bridges in judging order: the initial ones sorted once, those changed by
/// merges in a (much smaller) heap.
struct Queue {
    /// Initial candidates, best first.
    sorted: Vec<Candidate>,
    next: usize,
    heap: BinaryHeap<Candidate>,
}

impl Queue {
    fn pop(&mut self) -> Option<Candidate> {
        match (self.sorted.get(self.next), self.heap.peek()) {
            (Some(s), Some(h)) if h > s => self.heap.pop(),
            (Some(&s), _) => {
                self.next += 1;
                Some(s)
            }
            (None, _) => self.heap.pop(),
        }
    }
}

struct Split {
    labels: Vec<u32>,
    clusters_split: usize,
    oversized_unsplit: usize,
}

/// A piece of an oversized cluster: its records (ascending) and its edges in
/// local indices (positions in `members`), all at or above `threshold`.
struct Piece {
    members: Vec<u32>,
    edges: Vec<ScoredEdge>,
    threshold: f64,
    rounds: u32,
}

/// Split clusters above `max` records; `None` when none is that large.
fn split_oversized(
    labels: &[u32],
    edges: &[ScoredEdge],
    threshold: f64,
    guard: &ChainGuard,
    max: u32,
) -> Option<Split> {
    let clusters = labels.iter().max().map_or(0, |&m| m as usize + 1);
    let sizes = cluster_sizes(labels, clusters);
    let mut slot_of = vec![u32::MAX; clusters];
    let mut slots = 0u32;
    for (l, &s) in sizes.iter().enumerate() {
        if s > max {
            slot_of[l] = slots;
            slots += 1;
        }
    }
    if slots == 0 {
        return None;
    }
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); slots as usize];
    let mut local = vec![u32::MAX; labels.len()];
    for (r, &l) in labels.iter().enumerate() {
        let slot = slot_of[l as usize];
        if slot != u32::MAX {
            let m = &mut members[slot as usize];
            local[r] = m.len() as u32;
            m.push(r as u32);
        }
    }
    let mut piece_edges: Vec<Vec<ScoredEdge>> = vec![Vec::new(); slots as usize];
    for &(i, j, p) in edges {
        let (li, lj) = (labels[i as usize], labels[j as usize]);
        if i != j && p >= threshold && li == lj {
            let slot = slot_of[li as usize];
            if slot != u32::MAX {
                piece_edges[slot as usize].push((local[i as usize], local[j as usize], p));
            }
        }
    }
    drop(local);

    // Pieces get labels above every existing one, then all are renumbered.
    let mut out = labels.to_vec();
    let mut next_label = clusters as u64;
    let mut clusters_split = 0;
    let mut oversized_unsplit = 0;
    for (members, edges) in members.into_iter().zip(piece_edges) {
        let mut stack = vec![Piece {
            members,
            edges,
            threshold,
            rounds: 0,
        }];
        let mut pieces = 0usize;
        while let Some(piece) = stack.pop() {
            match split_piece(piece, guard, max) {
                Ok(sub) => stack.extend(sub),
                Err(done) => {
                    if done.members.len() > max as usize {
                        oversized_unsplit += 1;
                    }
                    for &r in &done.members {
                        out[r as usize] = next_label as u32;
                    }
                    next_label += 1;
                    pieces += 1;
                }
            }
        }
        if pieces > 1 {
            clusters_split += 1;
        }
    }
    relabel_dense(&mut out, next_label as usize);
    Some(Split {
        labels: out,
        clusters_split,
        oversized_unsplit,
    })
}

/// One split round: `Ok(pieces)` to look at again, or `Err(piece)` when the
/// piece is final (small enough, or cannot be split further).
fn split_piece(piece: Piece, guard: &ChainGuard, max: u32) -> Result<Vec<Piece>, Piece> {
    if piece.members.len() <= max as usize || piece.rounds >= guard.max_split_rounds {
        return Err(piece);
    }
    let weakest = piece
        .edges
        .iter()
        .map(|e| e.2)
        .fold(f64::INFINITY, f64::min);
    let raised = raise_by_bits(weakest, guard.split_step_bits);
    if raised <= weakest || raised <= piece.threshold {
        return Err(piece);
    }
    let m = piece.members.len();
    let (sub, _) = labels_with_guard(m, &piece.edges, raised, guard);
    let count = sub.iter().max().map_or(0, |&x| x as usize + 1);
    let kept: Vec<ScoredEdge> = piece.edges.into_iter().filter(|e| e.2 >= raised).collect();
    if count == 1 {
        return Ok(vec![Piece {
            members: piece.members,
            edges: kept,
            threshold: raised,
            rounds: piece.rounds + 1,
        }]);
    }
    let mut pieces: Vec<Piece> = (0..count)
        .map(|_| Piece {
            members: Vec::new(),
            edges: Vec::new(),
            threshold: raised,
            rounds: piece.rounds + 1,
        })
        .collect();
    let mut local = vec![0u32; m];
    for (x, &l) in sub.iter().enumerate() {
        let p = &mut pieces[l as usize];
        local[x] = p.members.len() as u32;
        p.members.push(piece.members[x]);
    }
    for (i, j, p) in kept {
        let (li, lj) = (sub[i as usize], sub[j as usize]);
        if li == lj {
            pieces[li as usize]
                .edges
                .push((local[i as usize], local[j as usize], p));
        }
    }
    Ok(pieces)
}

/// The probability `bits` match-weight bits (log2 odds) above `p`.
fn raise_by_bits(p: f64, bits: f64) -> f64 {
    if p >= 1.0 {
        return 1.0;
    }
    let weight = if p <= 0.0 {
        -64.0
    } else {
        (p / (1.0 - p)).log2().max(-64.0)
    };
    1.0 / (1.0 + (-(weight + bits)).exp2())
}
