//! Unsupervised training: `u` from random pairs, `m` by EM sessions on the
//! blocked pairs, and the prior from all candidate pairs.
//!
//! 1. **u.** A deterministic, seeded sample of record pairs drawn uniformly
//!    from the pairs the link type allows (every pair when there are fewer
//!    than `u_sample_pairs`) is compared; `u[k]` is the share of non-null
//!    pairs on level `k`. Random pairs are almost all non-matches. When a
//!    comparison's first level is exact on its main column, that level's
//!    `u` is computed exactly from the value counts instead (the chance
//!    that two random non-null values are equal), and the sampled levels
//!    share the rest. A level never seen in the sample gets the count of
//!    half a pair.
//! 2. **m.** One EM session per training rule (by default the blocking
//!    rules), on the candidate pairs that rule holds for. Blocking makes
//!    the rule's own columns agree on every pair, so comparisons that read
//!    any of those columns are left out of that session (Splink's
//!    practice). Inside a session `u` is re-estimated too by default
//!    ([`SessionU::Estimate`]): non-matching pairs that share, say, an
//!    email domain agree on company far more often than random pairs, and
//!    a free `u` absorbs that instead of mistaking colleagues for
//!    duplicates. Only `m` is kept. A comparison's final `m` is the average
//!    over the sessions that estimated it, weighted by their expected
//!    number of matches; sessions whose result is degenerate (no matches,
//!    or the "match" class agreeing less than random pairs) are left out;
//!    a comparison no session estimated keeps default `m` values.
//! 3. **Monotonicity.** Bayes factors are made non-increasing along each
//!    comparison's levels (pool-adjacent-violators weighted by `u`, which
//!    keeps `Σm = 1`), so a better level never weighs less than a worse one.
//! 4. **Prior.** Unless pinned, `λ` (the probability that two random records
//!    match) solves `λ·T = Σ P(match | pair, λ)` over the candidate pairs,
//!    where `T` is the number of pairs the link type allows: EM for `λ` over
//!    all pairs, taking pairs outside the candidates as non-matches (i.e.
//!    assuming blocking finds every match). The sum uses the full match
//!    weight including term-frequency adjustments, on a fine histogram of
//!    weights, solved by bisection.

use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::blocking::{self, CompiledRule};
use crate::comparison::{CompiledComparison, Ctx, Test};
use crate::compile::Compiled;
use crate::em::{self, EmOptions, EmParams, Patterns};
use crate::error::LinkageError;
use crate::linker::CandidatePairs;
use crate::params::{ComparisonParams, LevelParams, PARAMS_VERSION, Params};
use crate::predict::{Scorer, probability_from_weight};
use crate::rng::SplitMix64;
use crate::settings::{LinkType, SessionU, Settings};
use crate::table::{NULL, Table};

/// What training did, for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingReport {
    /// The `u` estimate.
    pub u: USampling,
    /// One entry per EM session.
    pub sessions: Vec<SessionReport>,
    /// Per comparison: where `m` came from and what was corrected.
    pub comparisons: Vec<ComparisonTraining>,
    /// The prior.
    pub prior: PriorReport,
    /// Wall time of training.
    pub seconds: f64,
}

/// The random-pair sample behind `u`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct USampling {
    /// Pairs compared.
    pub pairs: u64,
    /// True when every allowed pair was compared (small tables).
    pub exhaustive: bool,
    /// Wall time.
    pub seconds: f64,
}

/// One EM session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionReport {
    /// The training rule.
    pub rule: String,
    /// Pairs the rule holds for.
    pub pairs: u64,
    /// Comparisons estimated in this session.
    pub estimated: Vec<String>,
    /// Comparisons left out because they read the rule's columns.
    pub left_out: Vec<String>,
    /// Whether the session's `m` values were used, and why not.
    pub status: SessionStatus,
    /// Share of matches among the session's pairs.
    pub lambda: f64,
    /// Expected matches among the session's pairs.
    pub expected_matches: f64,
    /// EM iterations run.
    pub iterations: u32,
    /// Whether EM reached the tolerance.
    pub converged: bool,
    /// Largest parameter change in the last iteration.
    pub last_change: f64,
}

/// Outcome of an EM session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum SessionStatus {
    /// Its `m` values were averaged in.
    Used,
    /// Not run.
    Skipped(String),
    /// Run, but the result was not credible and was left out.
    Degenerate(String),
}

/// Where a comparison's `m` came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonTraining {
    /// The comparison.
    pub name: String,
    /// Sessions whose estimate was averaged in (empty: default `m`).
    pub m_from_sessions: Vec<String>,
    /// Levels whose Bayes factors were pooled to keep them non-increasing.
    pub pooled_levels: Vec<Vec<String>>,
    /// Levels never seen among the random pairs (their `u` is a floor).
    pub levels_unseen_in_u_sample: Vec<String>,
}

/// How the prior was set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorReport {
    /// The probability that two random records match.
    pub probability: f64,
    /// True when the settings pinned it.
    pub pinned: bool,
    /// Pairs the link type allows.
    pub total_pairs: f64,
    /// Expected matches among the candidate pairs under the final model.
    pub expected_matches: f64,
}

/// Default `m` for a comparison with `levels` levels (null included): the
/// else level 0.05, the others share 0.95 halving from the best.
pub(crate) fn default_m(levels: usize) -> Vec<f64> {
    let k = levels - 1;
    let mut m = vec![0.0; levels];
    if k == 1 {
        m[1] = 1.0;
        return m;
    }
    let shares: Vec<f64> = (0..k - 1).map(|i| 0.5f64.powi(i as i32)).collect();
    let total: f64 = shares.iter().sum();
    for (i, s) in shares.iter().enumerate() {
        m[i + 1] = 0.95 * s / total;
    }
    m[k] = 0.05;
    m
}

/// Number of pairs the link type allows.
pub(crate) fn total_pairs(dataset: &[u16], link_type: LinkType) -> f64 {
    let n = dataset.len() as f64;
    let all = n * (n - 1.0) / 2.0;
    if link_type != LinkType::LinkOnly {
        return all;
    }
    let mut sizes: FxHashMap<u16, f64> = FxHashMap::default();
    for &d in dataset {
        *sizes.entry(d).or_insert(0.0) += 1.0;
    }
    all - sizes.values().map(|s| s * (s - 1.0) / 2.0).sum::<f64>()
}

/// A uniform sample of allowed pairs (or all of them when few), seeded.
pub(crate) fn sample_pairs(
    dataset: &[u16],
    link_type: LinkType,
    want: u64,
    seed: u64,
) -> (Vec<(u32, u32)>, bool) {
    let n = dataset.len();
    let total = total_pairs(dataset, link_type);
    if n < 2 || total < 1.0 {
        return (Vec::new(), true);
    }
    let link_only = link_type == LinkType::LinkOnly;
    if total <= want as f64 {
        let mut out = Vec::with_capacity(total as usize);
        for i in 0..n {
            for j in i + 1..n {
                if !link_only || dataset[i] != dataset[j] {
                    out.push((i as u32, j as u32));
                }
            }
        }
        return (out, true);
    }
    // Link-only: choose a dataset pair with probability ∝ n_d · n_e, then a
    // record of each, which is uniform over cross-dataset pairs.
    let mut by_ds: FxHashMap<u16, Vec<u32>> = FxHashMap::default();
    if link_only {
        for (r, &d) in dataset.iter().enumerate() {
            by_ds.entry(d).or_default().push(r as u32);
        }
    }
    let mut groups: Vec<(u16, Vec<u32>)> = by_ds.into_iter().collect();
    groups.sort_unstable_by_key(|g| g.0);
    let mut ds_pairs: Vec<(usize, usize)> = Vec::new();
    let mut cum: Vec<u128> = Vec::new();
    let mut acc: u128 = 0;
    for a in 0..groups.len() {
        for b in a + 1..groups.len() {
            acc += groups[a].1.len() as u128 * groups[b].1.len() as u128;
            ds_pairs.push((a, b));
            cum.push(acc);
        }
    }
    const CHUNK: u64 = 1 << 16;
    let chunks = want.div_ceil(CHUNK);
    let out: Vec<Vec<(u32, u32)>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut rng = SplitMix64::new(seed ^ c.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let len = CHUNK.min(want - c * CHUNK);
            let mut v = Vec::with_capacity(len as usize);
            for _ in 0..len {
                let (i, j) = if link_only {
                    let x = (u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64())) % acc;
                    let p = cum.partition_point(|&c| c <= x);
                    let (a, b) = ds_pairs[p];
                    let ga = &groups[a].1;
                    let gb = &groups[b].1;
                    (
                        ga[rng.below(ga.len() as u64) as usize],
                        gb[rng.below(gb.len() as u64) as usize],
                    )
                } else {
                    let i = rng.below(n as u64) as u32;
                    let mut j = rng.below(n as u64 - 1) as u32;
                    if j >= i {
                        j += 1;
                    }
                    (i, j)
                };
                v.push((i.min(j), i.max(j)));
            }
            v
        })
        .collect();
    (out.concat(), false)
}

/// P(two random non-null values of `col` are equal) over allowed pairs.
pub(crate) fn exact_agreement(table: &Table, col: usize, link_type: LinkType) -> Option<f64> {
    let c = &table.columns()[col];
    if link_type != LinkType::LinkOnly {
        let n = c.non_null() as f64;
        if n < 2.0 {
            return None;
        }
        let same: f64 = c
            .counts
            .iter()
            .map(|&k| f64::from(k) * (f64::from(k) - 1.0))
            .sum();
        return Some(same / (n * (n - 1.0)));
    }
    let mut per: FxHashMap<u64, f64> = FxHashMap::default();
    let mut sizes: FxHashMap<u16, f64> = FxHashMap::default();
    for (r, &id) in c.ids.iter().enumerate() {
        if id == NULL {
            continue;
        }
        let d = table.dataset()[r];
        *per.entry(u64::from(id) << 16 | u64::from(d)).or_insert(0.0) += 1.0;
        *sizes.entry(d).or_insert(0.0) += 1.0;
    }
    let n: f64 = sizes.values().sum();
    let total = (n * n - sizes.values().map(|s| s * s).sum::<f64>()) / 2.0;
    if total < 1.0 {
        return None;
    }
    let sq_within: f64 = per.values().map(|x| x * x).sum();
    let sq_all: f64 = c.counts.iter().map(|&k| f64::from(k) * f64::from(k)).sum();
    Some((sq_all - sq_within) / 2.0 / total)
}

/// Comparison vectors of `pairs`, flat, in parallel.
pub(crate) fn comparison_vectors(
    ctx: Ctx<'_>,
    comparisons: &[CompiledComparison],
    pairs: &[(u32, u32)],
) -> Vec<u8> {
    let c = comparisons.len();
    let mut out = vec![0u8; pairs.len() * c];
    const CHUNK: usize = 4096;
    out.par_chunks_mut(CHUNK * c)
        .zip(pairs.par_chunks(CHUNK))
        .for_each(|(g, ps)| {
            for (k, &(i, j)) in ps.iter().enumerate() {
                for (ci, cmp) in comparisons.iter().enumerate() {
                    g[k * c + ci] = cmp.gamma(ctx, i as usize, j as usize);
                }
            }
        });
    out
}

/// Estimates `u[c][k]` (index 0 unused) from random pairs.
fn estimate_u(
    table: &Table,
    compiled: &Compiled,
    ctx: Ctx<'_>,
    settings: &Settings,
) -> (Vec<Vec<f64>>, Vec<Vec<bool>>, USampling) {
    let start = Instant::now();
    let (mut pairs, exhaustive) = sample_pairs(
        table.dataset(),
        compiled.link_type,
        settings.training.u_sample_pairs,
        settings.training.seed,
    );
    // In record order the left record's values are read sequentially, which
    // halves the cache misses of comparing random pairs; the counts do not
    // depend on the order.
    pairs.par_sort_unstable();
    let gammas = comparison_vectors(ctx, &compiled.comparisons, &pairs);
    let cn = compiled.comparisons.len();
    let mut counts: Vec<Vec<f64>> = compiled
        .comparisons
        .iter()
        .map(|c| vec![0.0; c.n_levels()])
        .collect();
    for row in gammas.chunks(cn.max(1)) {
        for (c, &g) in row.iter().enumerate() {
            counts[c][g as usize] += 1.0;
        }
    }
    let mut u = Vec::with_capacity(cn);
    let mut unseen = Vec::with_capacity(cn);
    for (c, cmp) in compiled.comparisons.iter().enumerate() {
        let levels = cmp.n_levels();
        let cnt = &counts[c];
        unseen.push((0..levels).map(|k| k > 0 && cnt[k] == 0.0).collect());
        let exact_first = match cmp.tests[0] {
            Test::Exact { col, .. } if col == cmp.column => {
                exact_agreement(table, col, compiled.link_type)
            }
            _ => None,
        };
        let mut uc = vec![0.0; levels];
        let from = if exact_first.is_some() { 2 } else { 1 };
        let rest: f64 = (from..levels).map(|k| cnt[k].max(0.5)).sum();
        let share = match exact_first {
            Some(e) => {
                uc[1] = e.clamp(em::FLOOR, 1.0 - em::FLOOR);
                1.0 - uc[1]
            }
            None => 1.0,
        };
        for k in from..levels {
            uc[k] = share * cnt[k].max(0.5) / rest;
        }
        u.push(uc);
    }
    let report = USampling {
        pairs: pairs.len() as u64,
        exhaustive,
        seconds: start.elapsed().as_secs_f64(),
    };
    (u, unseen, report)
}

/// A comparison vector and how many pairs have it.
type PatternRow = (Vec<u8>, f64);

/// Mixed-radix code of a comparison vector.
fn encode(vector: &[u8], radix: &[u128]) -> u128 {
    vector
        .iter()
        .zip(radix)
        .map(|(&g, &r)| u128::from(g) * r)
        .sum()
}

fn decode(mut code: u128, levels: &[usize], out: &mut [u8]) {
    for (c, &l) in levels.iter().enumerate() {
        out[c] = (code % l as u128) as u8;
        code /= l as u128;
    }
}

fn radix(levels: &[usize]) -> Vec<u128> {
    let mut r = Vec::with_capacity(levels.len());
    let mut acc: u128 = 1;
    for &l in levels {
        r.push(acc);
        acc = acc.saturating_mul(l as u128);
    }
    r
}

/// Candidate pairs aggregated by (comparison vector, rules that hold).
fn aggregate(candidates: &CandidatePairs, levels: &[usize]) -> Vec<(u128, u64, f64)> {
    let rad = radix(levels);
    let c = levels.len();
    const CHUNK: usize = 1 << 16;
    let map = candidates
        .pairs
        .par_chunks(CHUNK)
        .zip(candidates.gammas.par_chunks(CHUNK * c))
        .map(|(ps, gs)| {
            let mut m: FxHashMap<(u128, u64), f64> = FxHashMap::default();
            for (k, &(i, j)) in ps.iter().enumerate() {
                let code = encode(&gs[k * c..k * c + c], &rad);
                let mask = candidates.rule_keys.mask(i as usize, j as usize);
                *m.entry((code, mask)).or_insert(0.0) += 1.0;
            }
            m
        })
        .reduce(FxHashMap::default, |mut a, b| {
            if a.len() < b.len() {
                return merge(b, a);
            }
            for (k, v) in b {
                *a.entry(k).or_insert(0.0) += v;
            }
            a
        });
    let mut rows: Vec<(u128, u64, f64)> = map.into_iter().map(|((c, m), n)| (c, m, n)).collect();
    rows.sort_unstable_by_key(|a| (a.0, a.1));
    rows
}

fn merge(
    mut a: FxHashMap<(u128, u64), f64>,
    b: FxHashMap<(u128, u64), f64>,
) -> FxHashMap<(u128, u64), f64> {
    for (k, v) in b {
        *a.entry(k).or_insert(0.0) += v;
    }
    a
}

/// Patterns of the comparisons `active`, from `(vector, count)` rows.
fn project<'a>(
    rows: impl Iterator<Item = (&'a [u8], f64)>,
    active: &[usize],
    levels: &[usize],
) -> Patterns {
    let mut map: FxHashMap<Vec<u8>, f64> = FxHashMap::default();
    for (v, n) in rows {
        let key: Vec<u8> = active.iter().map(|&c| v[c]).collect();
        *map.entry(key).or_insert(0.0) += n;
    }
    let mut rows: Vec<(Vec<u8>, f64)> = map.into_iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let sub_levels: Vec<usize> = active.iter().map(|&c| levels[c]).collect();
    let counts = rows.iter().map(|r| r.1).collect();
    let gammas = rows.into_iter().flat_map(|r| r.0).collect();
    Patterns::new(sub_levels, gammas, counts)
}

/// Pool-adjacent-violators: makes `m[k] / u[k]` non-increasing over
/// `k ≥ 1`, pooling violators weighted by `u` (sums of `m` are kept).
/// Returns the pooled runs of levels.
pub(crate) fn enforce_monotone(m: &mut [f64], u: &[f64]) -> Vec<(usize, usize)> {
    // Blocks of (first level, last level, Σm, Σu).
    let mut blocks: Vec<(usize, usize, f64, f64)> = Vec::new();
    for k in 1..m.len() {
        blocks.push((k, k, m[k], u[k]));
        while blocks.len() >= 2 {
            let b = blocks[blocks.len() - 1];
            let a = blocks[blocks.len() - 2];
            // Violation: the earlier block's factor is below the later's.
            if a.2 * b.3 < b.2 * a.3 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (a.0, b.1, a.2 + b.2, a.3 + b.3);
            } else {
                break;
            }
        }
    }
    let mut pooled = Vec::new();
    for (a, b, sm, su) in blocks {
        if b > a {
            pooled.push((a, b));
            let bf = sm / su;
            for k in a..=b {
                m[k] = bf * u[k];
            }
        }
    }
    pooled
}

/// Expected matches among the histogram's pairs under prior `lambda`.
fn expected_matches(hist: &[f64], lo_w: f64, width: f64, lambda: f64) -> f64 {
    let pw = (lambda / (1.0 - lambda)).log2();
    hist.iter()
        .enumerate()
        .filter(|(_, n)| **n > 0.0)
        .map(|(b, n)| n * probability_from_weight(lo_w + (b as f64 + 0.5) * width + pw))
        .sum::<f64>()
}

/// Solves for the prior: the largest `λ` with `λ·T = Σ P(match)`.
fn solve_prior(hist: &[f64], lo_w: f64, width: f64, total: f64, candidates: f64) -> (f64, f64) {
    let g = |lambda: f64| expected_matches(hist, lo_w, width, lambda);
    let hi = (candidates / total).clamp(1e-300, 1.0 - 1e-12);
    let mut lo = 1e-300f64.max(hi * 1e-30);
    if g(lo) <= lo * total {
        // No evidence of any match: the smallest prior on the grid.
        return (lo, g(lo));
    }
    let mut top = hi;
    for _ in 0..200 {
        let mid = (lo.ln() * 0.5 + top.ln() * 0.5).exp();
        if g(mid) > mid * total {
            lo = mid;
        } else {
            top = mid;
        }
        if top / lo < 1.0 + 1e-9 {
            break;
        }
    }
    (lo, g(lo))
}

/// Solve (or take the pinned) prior for `params` over the candidate pairs.
fn solve_prior_for(
    params: &Params,
    comps: &[CompiledComparison],
    table: &Table,
    candidates: &CandidatePairs,
    tr: &crate::settings::TrainingSettings,
    total: f64,
) -> PriorReport {
    let cn = comps.len();
    // Histogram of the pairs' evidence (match weight without the prior),
    // in 0.01-bit bins: the prior is solved on it.
    let scorer = Scorer::new(params, comps, table, true);
    const LO: f64 = -200.0;
    const WIDTH: f64 = 0.01;
    const BINS: usize = 40_000;
    const CHUNK: usize = 1 << 15;
    let hist = candidates
        .pairs
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(ch, ps)| {
            let mut h = vec![0.0f64; BINS];
            for (k, &(i, _)) in ps.iter().enumerate() {
                let idx = ch * CHUNK + k;
                let g = &candidates.gammas[idx * cn..idx * cn + cn];
                let w = scorer.evidence(table, g, i as usize);
                let b = ((w - LO) / WIDTH).floor().clamp(0.0, (BINS - 1) as f64) as usize;
                h[b] += 1.0;
            }
            h
        })
        .reduce(
            || vec![0.0; BINS],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    match tr.probability_two_random_records_match {
        Some(p) => PriorReport {
            probability: p,
            pinned: true,
            total_pairs: total,
            expected_matches: expected_matches(&hist, LO, WIDTH, p),
        },
        None => {
            let (lambda, expected) = solve_prior(
                &hist,
                LO,
                WIDTH,
                total.max(1.0),
                candidates.pairs.len() as f64,
            );
            PriorReport {
                probability: lambda,
                pinned: false,
                total_pairs: total,
                expected_matches: expected,
            }
        }
    }
}

pub(crate) fn train(
    table: &Table,
    compiled: &Compiled,
    settings: &Settings,
    ctx: Ctx<'_>,
    candidates: &CandidatePairs,
) -> Result<(Params, TrainingReport), LinkageError> {
    let start = Instant::now();
    let tr = &settings.training;
    let comps = &compiled.comparisons;
    let levels: Vec<usize> = comps.iter().map(CompiledComparison::n_levels).collect();
    let cn = comps.len();

    let (u, unseen, u_report) = estimate_u(table, compiled, ctx, settings);

    // Sessions: (rule, patterns of all comparisons).
    let mut session_inputs: Vec<(CompiledRule, Vec<PatternRow>)> = Vec::new();
    if compiled.training_rules.is_empty() {
        let rows = aggregate(candidates, &levels);
        for (r, rule) in compiled.rules.iter().enumerate() {
            let mut v = vec![0u8; cn];
            let mine: Vec<(Vec<u8>, f64)> = rows
                .iter()
                .filter(|row| row.1 & (1 << r) != 0)
                .map(|row| {
                    decode(row.0, &levels, &mut v);
                    (v.clone(), row.2)
                })
                .collect();
            session_inputs.push((rule.clone(), mine));
        }
    } else {
        for rule in &compiled.training_rules {
            let pairs = blocking::block(
                table,
                std::slice::from_ref(rule),
                compiled.link_type,
                settings.max_block_size,
                settings.max_candidate_pairs,
            )?
            .pairs;
            let gammas = comparison_vectors(ctx, comps, &pairs);
            let p = Patterns::from_vectors(levels.clone(), &gammas);
            let rows = (0..p.len())
                .map(|k| (p.vector(k).to_vec(), p.count(k)))
                .collect();
            session_inputs.push((rule.clone(), rows));
        }
    }

    let opts = EmOptions {
        max_iterations: tr.em_max_iterations,
        tolerance: tr.em_tolerance,
        estimate_u: tr.session_u == SessionU::Estimate,
        pseudo_count: 0.5,
    };
    let mut sessions = Vec::new();
    // Per comparison: (Σ weight·m, Σ weight, sessions used).
    let mut acc_m: Vec<Vec<f64>> = levels.iter().map(|&l| vec![0.0; l]).collect();
    let mut acc_w = vec![0.0; cn];
    let mut used_by: Vec<Vec<String>> = vec![Vec::new(); cn];
    for (rule, rows) in &session_inputs {
        // Columns every pair of the session agrees on: the rule's columns
        // (a prefix key counts, though only its own column) and what is
        // computed from the columns it matches exactly.
        let exact: Vec<&str> = rule
            .keys
            .iter()
            .filter(|k| k.1.is_none())
            .map(|k| table.columns()[k.0].name())
            .collect();
        let mut rule_cols: Vec<usize> = table
            .agreeing_with(&exact)
            .into_iter()
            .filter_map(|name| table.column_index(name))
            .collect();
        rule_cols.extend(rule.columns());
        let active: Vec<usize> = (0..cn)
            .filter(|&c| !comps[c].columns.iter().any(|col| rule_cols.contains(col)))
            .collect();
        let pairs: f64 = rows.iter().map(|r| r.1).sum();
        let mut report = SessionReport {
            rule: rule.name.clone(),
            pairs: pairs as u64,
            estimated: active.iter().map(|&c| comps[c].name.clone()).collect(),
            left_out: (0..cn)
                .filter(|c| !active.contains(c))
                .map(|c| comps[c].name.clone())
                .collect(),
            status: SessionStatus::Used,
            lambda: 0.0,
            expected_matches: 0.0,
            iterations: 0,
            converged: false,
            last_change: 0.0,
        };
        if active.is_empty() {
            report.status = SessionStatus::Skipped(
                "every comparison reads a column of the rule or one computed from it".into(),
            );
            sessions.push(report);
            continue;
        }
        if (pairs as u64) < tr.min_session_pairs {
            report.status = SessionStatus::Skipped(format!(
                "{} pairs, fewer than min_session_pairs = {}",
                pairs as u64, tr.min_session_pairs
            ));
            sessions.push(report);
            continue;
        }
        let patterns = project(rows.iter().map(|r| (r.0.as_slice(), r.1)), &active, &levels);
        let start_params = EmParams {
            lambda: 0.1,
            m: active.iter().map(|&c| default_m(levels[c])).collect(),
            u: active.iter().map(|&c| u[c].clone()).collect(),
        };
        let out = em::expectation_maximisation(&patterns, start_params, &opts);
        report.lambda = out.params.lambda;
        report.expected_matches = out.expected_matches;
        report.iterations = out.iterations;
        report.converged = out.converged;
        report.last_change = out.last_change;
        let inverted = active
            .iter()
            .enumerate()
            .filter(|&(a, &c)| out.params.m[a][1] < u[c][1])
            .count();
        if out.expected_matches < 1.0 {
            report.status = SessionStatus::Degenerate(format!(
                "EM found {:.2} expected matches among {} pairs",
                out.expected_matches, pairs as u64
            ));
        } else if inverted * 2 > active.len() {
            report.status = SessionStatus::Degenerate(format!(
                "the match class agrees less often than random pairs on {inverted} of {} comparisons",
                active.len()
            ));
        } else {
            for (a, &c) in active.iter().enumerate() {
                for (acc, m) in acc_m[c].iter_mut().zip(&out.params.m[a]).skip(1) {
                    *acc += out.expected_matches * m;
                }
                acc_w[c] += out.expected_matches;
                used_by[c].push(rule.name.clone());
            }
        }
        sessions.push(report);
    }

    let mut comparisons = Vec::with_capacity(cn);
    let mut training = Vec::with_capacity(cn);
    for c in 0..cn {
        let mut m = if acc_w[c] > 0.0 {
            acc_m[c].iter().map(|x| x / acc_w[c]).collect()
        } else {
            default_m(levels[c])
        };
        // Floors, then renormalise, then monotone Bayes factors.
        let norm = |v: &mut Vec<f64>| {
            for x in v[1..].iter_mut() {
                *x = x.max(em::FLOOR);
            }
            let s: f64 = v[1..].iter().sum();
            for x in v[1..].iter_mut() {
                *x /= s;
            }
        };
        norm(&mut m);
        let mut uc = u[c].clone();
        norm(&mut uc);
        let pooled = enforce_monotone(&mut m, &uc);
        let labels = &comps[c].labels;
        comparisons.push(ComparisonParams {
            name: comps[c].name.clone(),
            levels: (1..levels[c])
                .map(|k| LevelParams {
                    label: labels[k].clone(),
                    column: comps[c].level_columns.get(k - 1).cloned(),
                    test: comps[c].level_tests.get(k - 1).cloned(),
                    m: m[k],
                    u: uc[k],
                })
                .collect(),
        });
        training.push(ComparisonTraining {
            name: comps[c].name.clone(),
            m_from_sessions: used_by[c].clone(),
            pooled_levels: pooled
                .iter()
                .map(|&(a, b)| labels[a..=b].to_vec())
                .collect(),
            levels_unseen_in_u_sample: (1..levels[c])
                .filter(|&k| unseen[c][k])
                .map(|k| labels[k].clone())
                .collect(),
        });
    }

    let total = total_pairs(table.dataset(), compiled.link_type);
    let mut params = Params {
        version: PARAMS_VERSION,
        probability_two_random_records_match: 0.5,
        comparisons,
        tf_tables: Default::default(),
    };
    let mut prior = solve_prior_for(&params, comps, table, candidates, tr, total);
    if tr.correct_u_for_matches && prior.probability > 0.0 && prior.probability < 1.0 {
        let lambda = prior.probability;
        for (c, cp) in params.comparisons.iter_mut().enumerate() {
            let mut uc: Vec<f64> = std::iter::once(0.0)
                .chain(
                    cp.levels
                        .iter()
                        .map(|l| ((l.u - lambda * l.m).max(l.u * 0.1)) / (1.0 - lambda)),
                )
                .collect();
            let s: f64 = uc[1..].iter().sum();
            for x in uc[1..].iter_mut() {
                *x /= s;
            }
            let mut m: Vec<f64> = std::iter::once(0.0)
                .chain(cp.levels.iter().map(|l| l.m))
                .collect();
            let pooled = enforce_monotone(&mut m, &uc);
            if !pooled.is_empty() {
                let labels = &comps[c].labels;
                training[c].pooled_levels = pooled
                    .iter()
                    .map(|&(a, b)| labels[a..=b].to_vec())
                    .collect();
            }
            for (k, l) in cp.levels.iter_mut().enumerate() {
                l.u = uc[k + 1];
                l.m = m[k + 1];
            }
        }
        prior = solve_prior_for(&params, comps, table, candidates, tr, total);
    }
    params.probability_two_random_records_match = prior.probability;
    Ok((
        params,
        TrainingReport {
            u: u_report,
            sessions,
            comparisons: training,
            prior,
            seconds: start.elapsed().as_secs_f64(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_m_sums_to_one() {
        for levels in 2..10 {
            let m = default_m(levels);
            let s: f64 = m[1..].iter().sum();
            assert!((s - 1.0).abs() < 1e-12, "{levels}: {m:?}");
            assert!(m[1..].windows(2).all(|w| w[0] >= w[1] || w[1] == 0.05));
        }
    }

    #[test]
    fn monotone_pools_violators_and_keeps_sums() {
        let u = vec![0.0, 0.01, 0.02, 0.97];
        let mut m = vec![0.0, 0.1, 0.5, 0.4];
        let pooled = enforce_monotone(&mut m, &u);
        assert_eq!(pooled, vec![(1, 2)]);
        assert!((m[1] / u[1] - m[2] / u[2]).abs() < 1e-9);
        assert!((m[1..].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mut ok = vec![0.0, 0.9, 0.05, 0.05];
        assert!(enforce_monotone(&mut ok, &u).is_empty());
    }

    #[test]
    fn sample_is_seeded_and_respects_link_only() {
        let ds: Vec<u16> = (0..1000).map(|r| (r % 3) as u16).collect();
        let (a, ex) = sample_pairs(&ds, LinkType::LinkOnly, 5000, 7);
        let (b, _) = sample_pairs(&ds, LinkType::LinkOnly, 5000, 7);
        assert!(!ex);
        assert_eq!(a, b);
        assert_eq!(a.len(), 5000);
        assert!(
            a.iter()
                .all(|&(i, j)| i < j && ds[i as usize] != ds[j as usize])
        );
        let (all, ex) = sample_pairs(&ds[..30], LinkType::LinkOnly, 5000, 7);
        assert!(ex);
        assert_eq!(all.len() as f64, total_pairs(&ds[..30], LinkType::LinkOnly));
    }
}
