//! Blocking: candidate pairs from rules, without a global pair set.
//!
//! For each rule every record gets a dense key id (the interned ids of the
//! rule's columns, or of their prefixes, combined; null when any part is
//! null). Records are grouped by key with a counting sort and every pair in
//! a group that the link type allows is a candidate — unless an earlier
//! rule also holds for the pair (its key ids agree), in which case that
//! rule already produced it. This is Splink's way of taking the union
//! without double counting, and it needs only the per-record key ids.
//!
//! Groups larger than `max_block_size` records are skipped and counted per
//! rule. Before a rule generates pairs, the number it would produce is
//! summed and checked against `max_candidate_pairs`.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::error::LinkageError;
use crate::settings::LinkType;
use crate::table::{NULL, Table, Values};

/// A blocking rule resolved against a table: `(column, prefix)` keys.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub name: String,
    pub keys: Vec<(usize, Option<u32>)>,
}

impl CompiledRule {
    pub(crate) fn columns(&self) -> impl Iterator<Item = usize> + '_ {
        self.keys.iter().map(|k| k.0)
    }
}

/// What one blocking rule did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RuleReport {
    /// The rule's name.
    pub name: String,
    /// Pairs the rule holds for (outside capped blocks), including pairs an
    /// earlier rule also produced.
    pub pairs_produced: u64,
    /// Pairs no earlier rule produced: what this rule adds.
    pub pairs_new: u64,
    /// Groups of records sharing a key that yield at least one pair.
    pub blocks: u64,
    /// Groups skipped because they exceed `max_block_size`.
    pub blocks_capped: u64,
    /// Records in skipped groups.
    pub records_in_capped_blocks: u64,
    /// Records in the largest group (capped or not).
    pub largest_block: u64,
    /// The largest skipped groups (up to 5), with their key values.
    pub capped_examples: Vec<CappedBlock>,
}

/// A skipped group: its key values as text and its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CappedBlock {
    /// The key, e.g. `email_domain=gmail.com`.
    pub key: String,
    /// Records sharing it.
    pub records: u64,
}

/// Per-record key ids of every rule, row-major (`keys[r * n_rules + k]`),
/// so that checking all rules for a pair touches one cache line per record.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleKeys {
    pub n_rules: usize,
    pub keys: Vec<u32>,
}

impl RuleKeys {
    /// Bit `k` set when rule `k` holds for the pair.
    #[inline]
    pub(crate) fn mask(&self, i: usize, j: usize) -> u64 {
        let r = self.n_rules;
        let (a, b) = (&self.keys[i * r..i * r + r], &self.keys[j * r..j * r + r]);
        let mut m = 0u64;
        for k in 0..r {
            if a[k] != NULL && a[k] == b[k] {
                m |= 1 << k;
            }
        }
        m
    }
}

/// The first `chars` characters of each distinct value, interned.
fn prefix_ids(table: &Table, col: usize, chars: u32) -> Vec<u32> {
    let c = &table.columns()[col];
    let Values::Str(strs) = &c.values else {
        return c.ids.clone();
    };
    let mut map: FxHashMap<&str, u32> = FxHashMap::default();
    let per_value: Vec<u32> = (0..strs.len() as u32)
        .map(|v| {
            let s = strs.get(v);
            let end = s
                .char_indices()
                .nth(chars as usize)
                .map_or(s.len(), |(b, _)| b);
            let n = map.len() as u32;
            *map.entry(&s[..end]).or_insert(n)
        })
        .collect();
    c.ids
        .iter()
        .map(|&id| {
            if id == NULL {
                NULL
            } else {
                per_value[id as usize]
            }
        })
        .collect()
}

/// Dense key ids of a rule for every record (null when any part is null).
pub(crate) fn rule_key_ids(table: &Table, rule: &CompiledRule) -> Vec<u32> {
    let part = |&(col, prefix): &(usize, Option<u32>)| -> Vec<u32> {
        match prefix {
            Some(p) => prefix_ids(table, col, p),
            None => table.columns()[col].ids.clone(),
        }
    };
    let mut key = part(&rule.keys[0]);
    for k in &rule.keys[1..] {
        let next = part(k);
        let mut map: FxHashMap<u64, u32> = FxHashMap::default();
        for (a, &b) in key.iter_mut().zip(&next) {
            if *a == NULL || b == NULL {
                *a = NULL;
                continue;
            }
            let n = map.len() as u32;
            *a = *map.entry(u64::from(*a) << 32 | u64::from(b)).or_insert(n);
        }
    }
    key
}

/// Whether `rule` holds for records `a` and `b` (every key non-null and
/// equal, on the leading characters for prefix keys).
pub(crate) fn rule_holds(table: &Table, rule: &CompiledRule, a: usize, b: usize) -> bool {
    rule.keys.iter().all(|&(col, prefix)| {
        let c = &table.columns()[col];
        let (x, y) = (c.ids[a], c.ids[b]);
        if x == NULL || y == NULL {
            return false;
        }
        match (prefix, &c.values) {
            (Some(p), Values::Str(s)) if x != y => {
                let p = p as usize;
                s.get(x).chars().take(p).eq(s.get(y).chars().take(p))
            }
            _ => x == y,
        }
    })
}

/// Records grouped by key: `members[starts[g]..starts[g + 1]]`, ascending.
fn groups(key: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let n_keys = key
        .iter()
        .filter(|&&k| k != NULL)
        .map(|&k| k + 1)
        .max()
        .unwrap_or(0) as usize;
    let mut starts = vec![0u32; n_keys + 1];
    for &k in key {
        if k != NULL {
            starts[k as usize + 1] += 1;
        }
    }
    for g in 0..n_keys {
        starts[g + 1] += starts[g];
    }
    let mut fill = starts.clone();
    let mut members = vec![0u32; starts[n_keys] as usize];
    for (r, &k) in key.iter().enumerate() {
        if k != NULL {
            members[fill[k as usize] as usize] = r as u32;
            fill[k as usize] += 1;
        }
    }
    (starts, members)
}

/// Pairs a group yields under the link type.
fn group_pairs(members: &[u32], dataset: &[u16], link_type: LinkType) -> u64 {
    let s = members.len() as u64;
    let all = s * s.saturating_sub(1) / 2;
    if link_type != LinkType::LinkOnly {
        return all;
    }
    let mut ds: Vec<u16> = members.iter().map(|&r| dataset[r as usize]).collect();
    ds.sort_unstable();
    let mut same = 0u64;
    let mut run = 1u64;
    for w in ds.windows(2) {
        if w[0] == w[1] {
            run += 1;
        } else {
            same += run * (run - 1) / 2;
            run = 1;
        }
    }
    same += run * (run - 1) / 2;
    all - same
}

fn render_key(table: &Table, rule: &CompiledRule, record: usize) -> String {
    rule.keys
        .iter()
        .map(|&(col, prefix)| {
            let c = &table.columns()[col];
            let v = c.value(record).render().unwrap_or_default();
            match prefix {
                Some(p) => format!(
                    "{}[..{p}]={}",
                    c.name(),
                    v.chars().take(p as usize).collect::<String>()
                ),
                None => format!("{}={v}", c.name()),
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// What [`block`] returns: the pairs, every record's rule keys, and what
/// each rule did.
pub(crate) struct Blocked {
    pub pairs: Vec<(u32, u32)>,
    pub rule_keys: RuleKeys,
    pub reports: Vec<RuleReport>,
}

/// Candidate pairs of `rules` (in order, each pair once) and what each rule
/// did. Pairs are `(i, j)` with `i < j`, ordered by rule, then group, then
/// `(i, j)`.
pub(crate) fn block(
    table: &Table,
    rules: &[CompiledRule],
    link_type: LinkType,
    max_block_size: u32,
    max_pairs: u64,
) -> Result<Blocked, LinkageError> {
    let n = table.len();
    let r = rules.len();
    let per_rule: Vec<Vec<u32>> = rules
        .par_iter()
        .map(|rule| rule_key_ids(table, rule))
        .collect();
    let mut keys = vec![NULL; n * r];
    for (k, col) in per_rule.iter().enumerate() {
        for (rec, &id) in col.iter().enumerate() {
            keys[rec * r + k] = id;
        }
    }
    let rule_keys = RuleKeys { n_rules: r, keys };
    let dataset = table.dataset();
    let link_only = link_type == LinkType::LinkOnly;

    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut reports = Vec::with_capacity(r);
    for (k, rule) in rules.iter().enumerate() {
        let (starts, members) = groups(&per_rule[k]);
        let mut report = RuleReport {
            name: rule.name.clone(),
            ..RuleReport::default()
        };
        // Work list: (group, pairs in it), capped groups noted.
        let mut work: Vec<(u32, u64)> = Vec::new();
        let mut capped: Vec<(u64, usize)> = Vec::new();
        for g in 0..starts.len() - 1 {
            let m = &members[starts[g] as usize..starts[g + 1] as usize];
            let size = m.len() as u64;
            if size < 2 {
                continue;
            }
            report.largest_block = report.largest_block.max(size);
            if size > u64::from(max_block_size) {
                report.blocks_capped += 1;
                report.records_in_capped_blocks += size;
                capped.push((size, m[0] as usize));
                continue;
            }
            let gp = group_pairs(m, dataset, link_type);
            if gp > 0 {
                report.blocks += 1;
                report.pairs_produced += gp;
                work.push((g as u32, gp));
            }
        }
        capped.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        report.capped_examples = capped
            .iter()
            .take(5)
            .map(|&(size, rec)| CappedBlock {
                key: render_key(table, rule, rec),
                records: size,
            })
            .collect();
        let so_far = pairs.len() as u64;
        if so_far + report.pairs_produced > max_pairs {
            return Err(LinkageError::TooManyPairs {
                rule: k,
                name: rule.name.clone(),
                pairs: report.pairs_produced,
                so_far,
                limit: max_pairs,
            });
        }
        // Chunks of whole groups with about `target` pairs each.
        let target = (report.pairs_produced / 64).clamp(1 << 14, 1 << 20);
        let mut chunks: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        let mut acc = 0;
        for (w, &(_, gp)) in work.iter().enumerate() {
            acc += gp;
            if acc >= target {
                chunks.push((start, w + 1));
                start = w + 1;
                acc = 0;
            }
        }
        if start < work.len() {
            chunks.push((start, work.len()));
        }
        let rk = &rule_keys;
        let produced: Vec<Vec<(u32, u32)>> = chunks
            .par_iter()
            .map(|&(a, b)| {
                let mut out = Vec::new();
                for &(g, _) in &work[a..b] {
                    let g = g as usize;
                    let m = &members[starts[g] as usize..starts[g + 1] as usize];
                    for (x, &i) in m.iter().enumerate() {
                        let iu = i as usize;
                        let ki = &rk.keys[iu * r..iu * r + k];
                        for &j in &m[x + 1..] {
                            let ju = j as usize;
                            if link_only && dataset[iu] == dataset[ju] {
                                continue;
                            }
                            let kj = &rk.keys[ju * r..ju * r + k];
                            if ki.iter().zip(kj).any(|(&a, &b)| a != NULL && a == b) {
                                continue;
                            }
                            out.push((i, j));
                        }
                    }
                }
                out
            })
            .collect();
        let added: usize = produced.iter().map(Vec::len).sum();
        report.pairs_new = added as u64;
        pairs.reserve(added);
        for v in produced {
            pairs.extend_from_slice(&v);
        }
        reports.push(report);
    }
    Ok(Blocked {
        pairs,
        rule_keys,
        reports,
    })
}
