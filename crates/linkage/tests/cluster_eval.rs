//! Clustering and evaluation: reference checks against brute force, table
//! tests for the chain guard, and edge cases.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::time::Instant;

use firmlink_linkage::cluster::{
    ChainGuard, ClusterError, ClusterStats, ScoredEdge, cluster, connected_components,
};
use firmlink_linkage::eval::{
    DEFAULT_THRESHOLDS, EvalError, PairScope, Pairs, evaluate, threshold_table,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- helpers

/// Relabel in order of first appearance (the canonical form of a partition).
fn canonical<T: std::hash::Hash + Eq + Copy>(labels: &[T]) -> Vec<u32> {
    let mut ids = HashMap::new();
    labels
        .iter()
        .map(|l| {
            let next = ids.len() as u32;
            *ids.entry(*l).or_insert(next)
        })
        .collect()
}

/// Connected components by breadth-first search over an adjacency list.
fn bfs_components(n: usize, edges: &[ScoredEdge], threshold: f64) -> Vec<u32> {
    let mut adj = vec![Vec::new(); n];
    for &(i, j, p) in edges {
        if p >= threshold {
            adj[i as usize].push(j as usize);
            adj[j as usize].push(i as usize);
        }
    }
    let mut label = vec![u32::MAX; n];
    let mut next = 0;
    for start in 0..n {
        if label[start] != u32::MAX {
            continue;
        }
        label[start] = next;
        let mut queue = VecDeque::from([start]);
        while let Some(x) = queue.pop_front() {
            for &y in &adj[x] {
                if label[y] == u32::MAX {
                    label[y] = next;
                    queue.push_back(y);
                }
            }
        }
        next += 1;
    }
    label
}

/// `(true positives, predicted pairs, true pairs)` by enumerating pairs.
fn brute_pairs(pred: &[u32], truth: &[u32], datasets: Option<&[u16]>) -> (u64, u64, u64) {
    let (mut tp, mut predicted, mut actual) = (0, 0, 0);
    for i in 0..pred.len() {
        for j in i + 1..pred.len() {
            if datasets.is_some_and(|d| d[i] == d[j]) {
                continue;
            }
            let same_pred = pred[i] == pred[j];
            let same_true = truth[i] == truth[j];
            predicted += u64::from(same_pred);
            actual += u64::from(same_true);
            tp += u64::from(same_pred && same_true);
        }
    }
    (tp, predicted, actual)
}

/// B-cubed `(precision, recall)` record by record.
fn brute_bcubed(pred: &[u32], truth: &[u32]) -> (f64, f64) {
    let n = pred.len();
    if n == 0 {
        return (1.0, 1.0);
    }
    let (mut p, mut r) = (0.0, 0.0);
    for i in 0..n {
        let cluster = (0..n).filter(|&j| pred[j] == pred[i]).count() as f64;
        let entity = (0..n).filter(|&j| truth[j] == truth[i]).count() as f64;
        let both = (0..n)
            .filter(|&j| pred[j] == pred[i] && truth[j] == truth[i])
            .count() as f64;
        p += both / cluster;
        r += both / entity;
    }
    (p / n as f64, r / n as f64)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

/// All pairs among `records`, each with probability `p`.
fn clique(records: std::ops::Range<u32>, p: f64) -> Vec<ScoredEdge> {
    let mut edges = Vec::new();
    for i in records.clone() {
        for j in i + 1..records.end {
            edges.push((i, j, p));
        }
    }
    edges
}

/// Records 0..5 and 5..10 as two cliques of strong edges, plus `extra`.
fn two_cliques(extra: &[ScoredEdge]) -> Vec<ScoredEdge> {
    let mut edges = clique(0..5, 0.999);
    edges.extend(clique(5..10, 0.999));
    edges.extend_from_slice(extra);
    edges
}

/// Two cliques of weak (0.95) edges, plus `extra`.
fn two_weak_cliques(extra: &[ScoredEdge]) -> Vec<ScoredEdge> {
    let mut edges = clique(0..5, 0.95);
    edges.extend(clique(5..10, 0.95));
    edges.extend_from_slice(extra);
    edges
}

const GUARD: ChainGuard = ChainGuard {
    strong_threshold: 0.99,
    min_bridge_fraction: 0.5,
    max_cluster_size: None,
    split_step_bits: 1.0,
    max_split_rounds: 64,
};

fn capped(max: u32) -> ChainGuard {
    ChainGuard {
        max_cluster_size: NonZeroU32::new(max),
        ..ChainGuard::off()
    }
}

fn assert_stats_consistent(labels: &[u32], stats: &ClusterStats, guard: &ChainGuard) {
    assert_eq!(
        canonical(labels),
        labels,
        "labels are dense, by first record"
    );
    assert_eq!(stats.records, labels.len());
    assert_eq!(
        stats.edges_used + stats.edges_rejected + stats.edges_split,
        stats.edges_at_threshold
    );
    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for &l in labels {
        *sizes.entry(l).or_default() += 1;
    }
    assert_eq!(stats.clusters, sizes.len());
    assert_eq!(
        stats.singletons,
        sizes.values().filter(|&&s| s == 1).count()
    );
    assert_eq!(
        stats.largest_cluster,
        sizes.values().copied().max().unwrap_or(0)
    );
    let max = guard
        .max_cluster_size
        .map_or(usize::MAX, |m| m.get() as usize);
    assert_eq!(
        stats.oversized_unsplit,
        sizes.values().filter(|&&s| s > max).count()
    );
    if guard.max_cluster_size.is_none() {
        assert_eq!((stats.clusters_split, stats.edges_split), (0, 0));
    }
}

// ---------------------------------------------------------------- strategies

fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(0.5),
        Just(0.9),
        Just(0.95),
        Just(0.99),
        Just(1.0),
        0.0f64..=1.0,
    ]
}

fn graph() -> impl Strategy<Value = (usize, Vec<ScoredEdge>)> {
    (1usize..=24).prop_flat_map(|n| {
        let node = 0..n as u32;
        (
            Just(n),
            proptest::collection::vec((node.clone(), node, probability()), 0..=3 * n),
        )
    })
}

/// Groups of 1–5 records with mostly strong edges inside, plus random weak
/// edges: graphs where the bridge rule has work to do.
fn clustered_graph() -> impl Strategy<Value = (usize, Vec<ScoredEdge>)> {
    proptest::collection::vec(1usize..=5, 1..=6).prop_flat_map(|sizes| {
        let n: usize = sizes.iter().sum();
        let mut inside = Vec::new();
        let mut start = 0u32;
        for &s in &sizes {
            inside.extend(
                clique(start..start + s as u32, 0.0)
                    .into_iter()
                    .map(|(i, j, _)| (i, j)),
            );
            start += s as u32;
        }
        let node = 0..n as u32;
        (
            Just(n),
            proptest::collection::vec(
                prop_oneof![Just(0.999), Just(0.95), Just(0.0)],
                inside.len(),
            ),
            Just(inside),
            proptest::collection::vec(
                (
                    node.clone(),
                    node,
                    prop_oneof![Just(0.6), Just(0.9), 0.5f64..0.99],
                ),
                0..=2 * n,
            ),
        )
            .prop_map(|(n, ps, inside, extra)| {
                let mut edges: Vec<ScoredEdge> = inside
                    .into_iter()
                    .zip(ps)
                    .map(|((i, j), p)| (i, j, p))
                    .collect();
                edges.extend(extra);
                (n, edges)
            })
    })
}

fn any_graph() -> impl Strategy<Value = (usize, Vec<ScoredEdge>)> {
    prop_oneof![graph(), clustered_graph()]
}

fn threshold() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(0.5), Just(0.9), Just(0.95), 0.0f64..=1.0]
}

fn guard() -> impl Strategy<Value = ChainGuard> {
    (
        prop_oneof![Just(0.0), Just(0.9), Just(0.95), Just(0.99), Just(1.0)],
        prop_oneof![Just(0.0), Just(0.3), Just(0.5), Just(1.0), Just(2.0)],
        prop_oneof![Just(None), (1u32..6).prop_map(NonZeroU32::new)],
        prop_oneof![Just(0.5), Just(1.0), Just(3.0)],
        0u32..5,
    )
        .prop_map(|(strong, fraction, max, step, rounds)| ChainGuard {
            strong_threshold: strong,
            min_bridge_fraction: fraction,
            max_cluster_size: max,
            split_step_bits: step,
            max_split_rounds: rounds,
        })
}

/// A graph, and the same edges shuffled with some directions flipped.
fn shuffled_graph() -> impl Strategy<Value = (usize, Vec<ScoredEdge>, Vec<ScoredEdge>)> {
    any_graph().prop_flat_map(|(n, edges)| {
        let flips = proptest::collection::vec(any::<bool>(), edges.len());
        (
            Just(n),
            Just(edges.clone()),
            Just(edges).prop_shuffle(),
            flips,
        )
            .prop_map(|(n, original, shuffled, flips)| {
                let flipped = shuffled
                    .into_iter()
                    .zip(flips)
                    .map(|((i, j, p), flip)| if flip { (j, i, p) } else { (i, j, p) })
                    .collect();
                (n, original, flipped)
            })
    })
}

/// Labels over `n` records: predicted, truth and dataset.
fn labelling() -> impl Strategy<Value = (Vec<u32>, Vec<u32>, Vec<u16>)> {
    (0usize..=30).prop_flat_map(|n| {
        (
            proptest::collection::vec(0u32..6, n),
            proptest::collection::vec(0u32..6, n),
            proptest::collection::vec(0u16..3, n),
        )
    })
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn guard_off_equals_bfs_components((n, edges) in any_graph(), t in threshold()) {
        let expected = bfs_components(n, &edges, t);
        prop_assert_eq!(&connected_components(n, &edges, t).unwrap(), &expected);
        let clusters = cluster(n, &edges, t, &ChainGuard::off()).unwrap();
        prop_assert_eq!(&clusters.labels, &expected);
        prop_assert_eq!(clusters.stats.edges_rejected, 0);
        assert_stats_consistent(&clusters.labels, &clusters.stats, &ChainGuard::off());
    }

    #[test]
    fn labels_invariant_under_edge_order_and_direction(
        (n, original, shuffled) in shuffled_graph(), t in threshold(), g in guard(),
    ) {
        prop_assert_eq!(cluster(n, &original, t, &g).unwrap(), cluster(n, &shuffled, t, &g).unwrap());
    }

    #[test]
    fn guarded_clusters_refine_plain_components(
        (n, edges) in any_graph(), t in threshold(), g in guard(),
    ) {
        let plain = bfs_components(n, &edges, t);
        let guarded = cluster(n, &edges, t, &g).unwrap();
        assert_stats_consistent(&guarded.labels, &guarded.stats, &g);
        // Each guarded cluster lies inside one plain component.
        let mut inside: HashMap<u32, u32> = HashMap::new();
        for (r, &l) in guarded.labels.iter().enumerate() {
            prop_assert_eq!(*inside.entry(l).or_insert(plain[r]), plain[r]);
        }
    }

    #[test]
    fn size_cap_is_met_unless_reported((n, edges) in any_graph(), t in threshold(), max in 1u32..6) {
        let g = ChainGuard { max_split_rounds: 1000, ..capped(max) };
        let c = cluster(n, &edges, t, &g).unwrap();
        assert_stats_consistent(&c.labels, &c.stats, &g);
        // Only clusters held together by edges of probability 1 may stay big.
        for size in c.sizes() {
            prop_assert!(size <= max || c.stats.oversized_unsplit > 0);
        }
        if !edges.iter().any(|e| e.2 == 1.0) {
            prop_assert_eq!(c.stats.oversized_unsplit, 0);
        }
    }

    #[test]
    fn pairwise_matches_brute_force((pred, truth, datasets) in labelling()) {
        for (scope, d) in [(PairScope::All, None), (PairScope::CrossDataset(&datasets), Some(&datasets[..]))] {
            let report = evaluate(&pred, &truth, scope).unwrap();
            let (tp, predicted, actual) = brute_pairs(&pred, &truth, d);
            let p = &report.pairwise;
            prop_assert_eq!((p.true_positives, p.predicted_pairs, p.true_pairs), (tp, predicted, actual));
            prop_assert_eq!((p.false_positives, p.false_negatives), (predicted - tp, actual - tp));
            let precision = if predicted == 0 { 1.0 } else { tp as f64 / predicted as f64 };
            let recall = if actual == 0 { 1.0 } else { tp as f64 / actual as f64 };
            prop_assert!(close(p.precision, precision) && close(p.recall, recall));
            prop_assert_eq!(report.predicted_clusters, canonical(&pred).iter().max().map_or(0, |&m| m as usize + 1));
            prop_assert_eq!(report.true_entities, canonical(&truth).iter().max().map_or(0, |&m| m as usize + 1));
        }
    }

    #[test]
    fn bcubed_matches_brute_force((pred, truth, datasets) in labelling()) {
        let (p, r) = brute_bcubed(&pred, &truth);
        for scope in [PairScope::All, PairScope::CrossDataset(&datasets)] {
            let b = evaluate(&pred, &truth, scope).unwrap().bcubed;
            prop_assert!(close(b.precision, p), "{} vs {}", b.precision, p);
            prop_assert!(close(b.recall, r), "{} vs {}", b.recall, r);
        }
    }

    #[test]
    fn labels_are_any_u32_and_truth_any_hashable((pred, truth, _d) in labelling()) {
        let spread: Vec<u32> = pred.iter().map(|&l| l.wrapping_mul(2_654_435_761)).collect();
        let names: Vec<String> = truth.iter().map(|l| format!("entity-{l}")).collect();
        let a = evaluate(&spread, &names, PairScope::All).unwrap();
        let b = evaluate(&pred, &truth, PairScope::All).unwrap();
        prop_assert_eq!(a.pairwise, b.pairwise);
        prop_assert_eq!((a.predicted_clusters, a.true_entities), (b.predicted_clusters, b.true_entities));
        // B-cubed sums run in label order: equal up to rounding.
        prop_assert!(close(a.bcubed.precision, b.bcubed.precision) && close(a.bcubed.recall, b.bcubed.recall));
    }

    #[test]
    fn perfect_prediction_scores_one((_p, truth, datasets) in labelling()) {
        let pred = canonical(&truth);
        for scope in [PairScope::All, PairScope::CrossDataset(&datasets)] {
            let r = evaluate(&pred, &truth, scope).unwrap();
            let scores = [r.pairwise.precision, r.pairwise.recall, r.pairwise.f1, r.bcubed.precision, r.bcubed.recall, r.bcubed.f1];
            prop_assert_eq!(scores, [1.0; 6]);
            prop_assert_eq!((r.pairwise.false_positives, r.pairwise.false_negatives), (0, 0));
            prop_assert_eq!(r.predicted_clusters, r.true_entities);
        }
    }

    #[test]
    fn threshold_table_matches_clustering_at_each_threshold(
        (n, edges) in any_graph(),
        truth_seed in proptest::collection::vec(0u32..5, 30),
        g in prop_oneof![Just(ChainGuard::off()), guard()],
    ) {
        let truth = &truth_seed[..n];
        let ts = [0.95, 0.5, 0.0, 0.9, 1.0, 0.5];
        let rows = threshold_table(&edges, truth, PairScope::All, &ts, &g).unwrap();
        let listed: Vec<f64> = rows.iter().map(|r| r.threshold).collect();
        prop_assert_eq!(listed, vec![0.0, 0.5, 0.9, 0.95, 1.0]);
        for row in rows {
            let c = cluster(n, &edges, row.threshold, &g).unwrap();
            let r = evaluate(&c.labels, truth, PairScope::All).unwrap();
            prop_assert_eq!(row.clusters, c.stats.clusters);
            prop_assert_eq!(
                (row.true_positives, row.false_positives, row.false_negatives),
                (r.pairwise.true_positives, r.pairwise.false_positives, r.pairwise.false_negatives)
            );
            prop_assert!(close(row.f1, r.pairwise.f1) && close(row.bcubed_f1, r.bcubed.f1));
        }
    }
}

// ---------------------------------------------------------------- chain guard, one case per line

#[test]
fn guard_table() {
    const APART: [u32; 10] = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const MERGED: [u32; 10] = [0; 10];
    #[rustfmt::skip]
    let cases: Vec<(&str, Vec<ScoredEdge>, ChainGuard, &[u32])> = vec![
        ("one weak edge keeps two cliques apart",            two_cliques(&[(4, 5, 0.9)]), GUARD, &APART),
        ("two weak edges are too few for five records",      two_cliques(&[(4, 5, 0.9), (3, 6, 0.9)]), GUARD, &APART),
        ("three weak edges are enough (3 >= 0.5 * 5)",       two_cliques(&[(4, 5, 0.9), (3, 6, 0.9), (2, 7, 0.9)]), GUARD, &MERGED),
        ("five weak edges merge the cliques",                two_cliques(&[(0, 5, 0.9), (1, 6, 0.9), (2, 7, 0.9), (3, 8, 0.9), (4, 9, 0.9)]), GUARD, &MERGED),
        ("a repeated weak edge counts once",                 two_cliques(&[(4, 5, 0.9), (5, 4, 0.9), (4, 5, 0.92)]), GUARD, &APART),
        ("one record linked to three across counts three",   two_cliques(&[(4, 5, 0.9), (4, 6, 0.9), (4, 7, 0.9)]), GUARD, &MERGED),
        ("one strong edge merges the cliques",               two_cliques(&[(4, 5, 0.995)]), GUARD, &MERGED),
        ("an edge below the threshold is ignored",           two_cliques(&[(4, 5, 0.4)]), ChainGuard::off(), &APART),
        ("without the guard one weak edge merges",           two_cliques(&[(4, 5, 0.9)]), ChainGuard::off(), &MERGED),
        ("fraction 0 turns the bridge rule off",             two_cliques(&[(4, 5, 0.9)]), ChainGuard { min_bridge_fraction: 0.0, ..GUARD }, &MERGED),
        ("fraction 1 needs one edge per record",             two_cliques(&[(0, 5, 0.9), (1, 6, 0.9), (2, 7, 0.9), (3, 8, 0.9)]), ChainGuard { min_bridge_fraction: 1.0, ..GUARD }, &APART),
        ("weak cliques joined by a weaker edge stay apart",  two_weak_cliques(&[(4, 5, 0.9)]), GUARD, &APART),
        ("weak cliques joined by three edges merge",         two_weak_cliques(&[(4, 5, 0.9), (3, 6, 0.9), (2, 7, 0.9)]), GUARD, &MERGED),
        ("a lone record joins a clique on one weak edge",    vec![(0, 1, 0.999), (1, 2, 0.999), (0, 2, 0.999), (3, 0, 0.9)], GUARD, &[0, 0, 0, 0]),
        ("fraction 2: a lone record still joins on one edge", vec![(0, 1, 0.999), (1, 2, 0.999), (0, 2, 0.999), (3, 0, 0.9)], ChainGuard { min_bridge_fraction: 2.0, ..GUARD }, &[0, 0, 0, 0]),
        ("fraction 2: two pairs need four edges",            vec![(0, 1, 0.999), (2, 3, 0.999), (1, 2, 0.9), (0, 3, 0.9), (0, 2, 0.9)], ChainGuard { min_bridge_fraction: 2.0, ..GUARD }, &[0, 0, 1, 1]),
        ("two pairs join on one weak edge (1 >= 0.5 * 2)",   vec![(0, 1, 0.999), (2, 3, 0.999), (1, 2, 0.9)], GUARD, &[0, 0, 0, 0]),
        ("a lone record between cliques joins the stronger", two_cliques(&[(4, 10, 0.95), (10, 5, 0.9)]), GUARD, &[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0]),
        ("the stronger side wins whatever the order",        two_cliques(&[(10, 5, 0.95), (4, 10, 0.9)]), GUARD, &[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]),
    ];
    for (name, edges, guard, expected) in cases {
        let n = expected.len();
        let c = cluster(n, &edges, 0.5, &guard).unwrap();
        assert_eq!(c.labels, expected, "{name}");
        assert_stats_consistent(&c.labels, &c.stats, &guard);
    }
}

#[test]
fn guard_stats_count_the_rejected_bridge() {
    let edges = two_cliques(&[(4, 5, 0.9), (3, 6, 0.9)]);
    let c = cluster(10, &edges, 0.5, &GUARD).unwrap();
    let expected = ClusterStats {
        records: 10,
        edges_at_threshold: 22,
        edges_used: 20,
        edges_rejected: 2,
        bridges_rejected: 1,
        edges_split: 0,
        clusters: 2,
        singletons: 0,
        largest_cluster: 5,
        clusters_split: 0,
        oversized_unsplit: 0,
    };
    assert_eq!(c.stats, expected);
}

/// Name, records, edges, max size, expected labels, clusters split, left oversized.
type SizeCapCase = (
    &'static str,
    usize,
    Vec<ScoredEdge>,
    u32,
    &'static [u32],
    usize,
    usize,
);

#[test]
fn size_cap_table() {
    #[rustfmt::skip]
    let cases: Vec<SizeCapCase> = vec![
        ("a chain is cut at its weakest link",   6, vec![(0, 1, 0.999), (1, 2, 0.999), (2, 3, 0.6), (3, 4, 0.999), (4, 5, 0.999)], 3, &[0, 0, 0, 1, 1, 1], 1, 0),
        ("cut again until every piece fits",     6, vec![(0, 1, 0.999), (1, 2, 0.8), (2, 3, 0.6), (3, 4, 0.999), (4, 5, 0.9)], 2, &[0, 0, 1, 2, 2, 3], 1, 0),
        ("a cluster within the cap is kept",     3, vec![(0, 1, 0.6), (1, 2, 0.6)], 3, &[0, 0, 0], 0, 0),
        ("edges of probability 1 cannot be cut", 4, vec![(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)], 2, &[0, 0, 0, 0], 0, 1),
    ];
    for (name, n, edges, max, expected, split, unsplit) in cases {
        let guard = capped(max);
        let c = cluster(n, &edges, 0.5, &guard).unwrap();
        assert_eq!(c.labels, expected, "{name}");
        assert_eq!(
            (c.stats.clusters_split, c.stats.oversized_unsplit),
            (split, unsplit),
            "{name}"
        );
        assert_stats_consistent(&c.labels, &c.stats, &guard);
    }
}

#[test]
fn split_round_limit_is_respected() {
    let edges = vec![(0, 1, 0.999), (1, 2, 0.999), (2, 3, 0.6), (3, 4, 0.999)];
    let guard = ChainGuard {
        max_split_rounds: 0,
        ..capped(2)
    };
    let c = cluster(5, &edges, 0.5, &guard).unwrap();
    assert_eq!(c.labels, [0; 5]);
    assert_eq!(c.stats.oversized_unsplit, 1);
}

// ---------------------------------------------------------------- evaluation

#[test]
fn hand_computed_example() {
    // truth a a a b b c; prediction {0,1} {2,3,4} {5}
    let truth = ["a", "a", "a", "b", "b", "c"];
    let pred = [0, 0, 1, 1, 1, 2];
    let r = evaluate(&pred, &truth, PairScope::All).unwrap();
    let p = r.pairwise;
    assert_eq!(
        (p.true_positives, p.false_positives, p.false_negatives),
        (2, 2, 2)
    );
    assert_eq!((p.precision, p.recall, p.f1), (0.5, 0.5, 0.5));
    assert!(close(r.bcubed.precision, 14.0 / 18.0));
    assert!(close(r.bcubed.recall, 14.0 / 18.0));
    assert_eq!((r.predicted_clusters, r.true_entities), (3, 3));
}

/// Name, prediction, (tp, fp, fn).
type LinkOnlyCase = (&'static str, [u32; 6], (u64, u64, u64));

#[test]
fn link_only_ignores_pairs_within_a_dataset() {
    // Febrl 4 shape: 0,1,2 in dataset a; 3,4,5 in b; truth 0~3, 1~4, 2~5.
    let truth = [0, 1, 2, 0, 1, 2];
    let datasets = [0, 0, 0, 1, 1, 1];
    #[rustfmt::skip]
    let cases: &[LinkOnlyCase] = &[
        // (tp, fp, fn) over cross-dataset pairs only
        ("perfect",                        [0, 1, 2, 0, 1, 2], (3, 0, 0)),
        ("two entities merged: 2 fp",      [0, 0, 2, 0, 0, 2], (3, 2, 0)),
        ("an extra a record: 1 fp, 1 fn",  [0, 0, 2, 0, 1, 2], (2, 1, 1)),
        ("everything merged",              [0, 0, 0, 0, 0, 0], (3, 6, 0)),
        ("all singletons",                 [0, 1, 2, 3, 4, 5], (0, 0, 3)),
    ];
    for (name, pred, expected) in cases {
        let p = evaluate(pred, &truth, PairScope::CrossDataset(&datasets))
            .unwrap()
            .pairwise;
        assert_eq!(
            (p.true_positives, p.false_positives, p.false_negatives),
            *expected,
            "{name}"
        );
    }
}

/// Name, prediction, truth, pairwise [precision, recall, f1].
type ConventionCase = (&'static str, &'static [u32], &'static [u32], [f64; 3]);

#[test]
fn empty_denominator_conventions() {
    #[rustfmt::skip]
    let cases: &[ConventionCase] = &[
        ("no records",                         &[],        &[],        [1.0, 1.0, 1.0]),
        ("all singletons, no true pairs",      &[0, 1, 2], &[0, 1, 2], [1.0, 1.0, 1.0]),
        ("all singletons, true pairs missed",  &[0, 1, 2], &[0, 0, 1], [1.0, 0.0, 0.0]),
        ("one wrong pair, no true pairs",      &[0, 0, 1], &[0, 1, 2], [0.0, 1.0, 0.0]),
    ];
    for (name, pred, truth, expected) in cases {
        let p = evaluate(pred, truth, PairScope::All).unwrap().pairwise;
        assert_eq!([p.precision, p.recall, p.f1], *expected, "{name}");
    }
    let empty = evaluate(&[], &[0u32; 0], PairScope::All).unwrap();
    assert_eq!(
        (empty.bcubed.precision, empty.bcubed.recall, empty.bcubed.f1),
        (1.0, 1.0, 1.0)
    );
    assert_eq!(
        (empty.records, empty.predicted_clusters, empty.true_entities),
        (0, 0, 0)
    );
}

#[test]
fn bad_input_is_an_error() {
    let e = |what, expected, got| EvalError::LengthMismatch {
        what,
        expected,
        got,
    };
    assert_eq!(
        evaluate(&[0, 1], &[0], PairScope::All),
        Err(e("truth", 2, 1))
    );
    assert_eq!(
        evaluate(&[0, 1], &[0, 1], PairScope::CrossDataset(&[0])),
        Err(e("dataset", 2, 1))
    );
    assert_eq!(
        threshold_table(
            &[],
            &[0, 1],
            PairScope::CrossDataset(&[0, 0, 0]),
            &[0.5],
            &ChainGuard::off()
        ),
        Err(e("dataset", 2, 3))
    );
    let bad_t = ClusterError::InvalidThreshold {
        name: "threshold",
        value: 1.5,
    };
    assert_eq!(connected_components(2, &[], 1.5), Err(bad_t.clone()));
    assert_eq!(
        threshold_table(
            &[],
            &[0, 1],
            PairScope::All,
            &[0.5, 1.5],
            &ChainGuard::off()
        ),
        Err(EvalError::Cluster(bad_t))
    );
    assert_eq!(
        cluster(2, &[(0, 1, 0.9), (1, 2, 0.9)], 0.5, &GUARD),
        Err(ClusterError::RecordOutOfRange {
            index: 1,
            i: 1,
            j: 2,
            record: 2,
            n: 2
        })
    );
    assert!(matches!(
        connected_components(2, &[(0, 1, f64::NAN)], 0.5),
        Err(ClusterError::InvalidProbability {
            index: 0,
            i: 0,
            j: 1,
            ..
        })
    ));
    assert!(matches!(
        cluster(2, &[], f64::NAN, &GUARD),
        Err(ClusterError::InvalidThreshold {
            name: "threshold",
            ..
        })
    ));
    let bad_guards = [
        ChainGuard {
            strong_threshold: -0.1,
            ..GUARD
        },
        ChainGuard {
            min_bridge_fraction: f64::INFINITY,
            ..GUARD
        },
        ChainGuard {
            split_step_bits: 0.0,
            ..GUARD
        },
    ];
    for g in bad_guards {
        assert!(cluster(2, &[], 0.5, &g).is_err(), "{g:?}");
    }
}

#[test]
fn empty_and_edgeless_clustering() {
    let c = cluster(0, &[], 0.5, &GUARD).unwrap();
    assert_eq!((c.labels.len(), c.stats), (0, ClusterStats::default()));
    let c = cluster(3, &[(1, 1, 0.99)], 0.5, &GUARD).unwrap();
    assert_eq!(c.labels, [0, 1, 2]);
    assert_eq!(
        (
            c.stats.clusters,
            c.stats.singletons,
            c.stats.edges_at_threshold
        ),
        (3, 3, 0)
    );
    assert_eq!(
        connected_components(0, &[], 0.0).unwrap(),
        Vec::<u32>::new()
    );
    let rows =
        threshold_table(&[], &[0u32; 0], PairScope::All, &DEFAULT_THRESHOLDS, &GUARD).unwrap();
    assert_eq!(rows.len(), DEFAULT_THRESHOLDS.len());
    assert!(
        threshold_table(&[], &[0, 1], PairScope::All, &[], &GUARD)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn report_json_and_table() {
    let truth = ["a", "a", "a", "b", "b", "c"];
    let edges = [(0, 1, 0.99), (1, 2, 0.7), (2, 3, 0.6), (3, 4, 0.95)];
    let c = cluster(6, &edges, 0.8, &ChainGuard::off()).unwrap();
    let rows = threshold_table(
        &edges,
        &truth,
        PairScope::All,
        &[0.5, 0.65, 0.8],
        &ChainGuard::off(),
    )
    .unwrap();
    let report = evaluate(&c.labels, &truth, PairScope::All)
        .unwrap()
        .with_thresholds(rows);

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["pairwise"]["precision"], 1.0);
    assert_eq!(json["pairwise"]["recall"], 0.5);
    assert_eq!(json["bcubed"]["precision"], 1.0);
    assert!(json["bcubed"]["recall"].is_f64() && json["bcubed"]["f1"].is_f64());
    assert_eq!(json["pairs"], "all");
    assert_eq!(json["thresholds"].as_array().unwrap().len(), 3);
    assert_eq!(json["thresholds"][0]["clusters"], 2);
    assert_eq!(json["thresholds"][2]["threshold"], 0.8);

    let expected = "\
records 6, predicted clusters 4, true entities 3 (all pairs)

           precision    recall        f1            tp            fp            fn
pairwise      1.0000    0.5000    0.6667             2             0             2
b-cubed       1.0000    0.7778    0.8750

threshold  precision    recall        f1     b3 f1  clusters            fp            fn
0.5           0.4000    1.0000    0.5714    0.7500         2             6             0
0.65          1.0000    1.0000    1.0000    1.0000         3             0             0
0.8           1.0000    0.5000    0.6667    0.8750         4             0             2
";
    assert_eq!(report.render_table(), expected);
    assert_eq!(report.to_string(), expected);
    assert_eq!(report.pairs, Pairs::All);
}

// ---------------------------------------------------------------- scale (by hand)

/// SplitMix64: a tiny deterministic generator for the scale run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 1M records in entities of 1–6 records (strong edges inside, some
/// weak), plus random noise edges up to 10M in total. Run by hand:
/// `cargo test -p firmlink-linkage --release --test cluster_eval -- --ignored --nocapture`
#[test]
#[ignore = "timing run, by hand"]
fn scale_one_million_records_ten_million_edges() {
    let n = 1_000_000usize;
    let mut rng = SplitMix(7);
    let mut truth = Vec::with_capacity(n);
    let mut edges: Vec<ScoredEdge> = Vec::with_capacity(10_000_000);
    let mut entity = 0u32;
    while truth.len() < n {
        let size = (1 + rng.next() % 6).min((n - truth.len()) as u64) as u32;
        let first = truth.len() as u32;
        for k in 0..size {
            truth.push(entity);
            for other in first..first + k {
                let p = if rng.unit() < 0.8 { 0.999 } else { 0.9 };
                edges.push((other, first + k, p));
            }
        }
        entity += 1;
    }
    let true_edges = edges.len();
    while edges.len() < 10_000_000 {
        let (i, j) = (
            (rng.next() % n as u64) as u32,
            (rng.next() % n as u64) as u32,
        );
        edges.push((i, j, rng.unit() * 0.98));
    }
    println!(
        "{n} records, {} edges ({true_edges} within entities)",
        edges.len()
    );

    let t = Instant::now();
    let plain = connected_components(n, &edges, 0.95).unwrap();
    println!("connected_components @0.95: {:?}", t.elapsed());

    for (name, threshold, guard) in [
        ("cluster guard off @0.95", 0.95, ChainGuard::off()),
        ("cluster default guard @0.95", 0.95, ChainGuard::default()),
        ("cluster default guard @0.5", 0.5, ChainGuard::default()),
        (
            "cluster guard + cap 50 @0.5",
            0.5,
            ChainGuard {
                max_cluster_size: NonZeroU32::new(50),
                ..ChainGuard::default()
            },
        ),
    ] {
        let t = Instant::now();
        let c = cluster(n, &edges, threshold, &guard).unwrap();
        let elapsed = t.elapsed();
        assert_stats_consistent(&c.labels, &c.stats, &guard);
        if guard == ChainGuard::off() {
            assert_eq!(c.labels, plain);
        }
        let f1 = evaluate(&c.labels, &truth, PairScope::All)
            .unwrap()
            .pairwise
            .f1;
        println!("{name}: {elapsed:?}, f1 {f1:.4}, {:?}", c.stats);
    }

    let t = Instant::now();
    let report = evaluate(&plain, &truth, PairScope::All).unwrap();
    println!("evaluate: {:?}", t.elapsed());
    let t = Instant::now();
    let rows = threshold_table(
        &edges,
        &truth,
        PairScope::All,
        &DEFAULT_THRESHOLDS,
        &ChainGuard::off(),
    )
    .unwrap();
    println!(
        "threshold_table (plain sweep, 8 thresholds): {:?}",
        t.elapsed()
    );
    let t = Instant::now();
    let guarded = threshold_table(
        &edges,
        &truth,
        PairScope::All,
        &DEFAULT_THRESHOLDS,
        &ChainGuard::default(),
    )
    .unwrap();
    println!("threshold_table (guarded, 8 thresholds): {:?}", t.elapsed());
    println!("{}", report.with_thresholds(rows).render_table());
    println!("{}", report_rows(&guarded));
}

fn report_rows(rows: &[firmlink_linkage::eval::ThresholdRow]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "{:<8} p {:.4} r {:.4} f1 {:.4} b3 {:.4} clusters {}\n",
                r.threshold, r.precision, r.recall, r.f1, r.bcubed_f1, r.clusters
            )
        })
        .collect()
}
