//! Singletons that name exactly one known entity.
//!
//! After clustering, a record left on its own whose key (for accounts the
//! normalized company name without spaces, `name_compact`) is carried by exactly one other
//! cluster joins that cluster, unless a B2B rule forbids it against any of
//! the cluster's records (another tax id, another country, another
//! corporate domain with a different name), or both have corporate websites
//! and share none (a namesake: "Driftwood Corp." on driftwoodgroup.com in
//! Boston is not the Driftwood Corp. of driftwood.com in Atlanta).
//!
//! Why this is not left to the scores: a CRM account row often holds
//! nothing but a typed name. Fellegi–Sunter can give such a pair only the
//! name's weight, and against a prior of a few matches per record among
//! all records that weight does not reach the threshold: the term frequency
//! of a name counts the entity's own duplicates as if they were namesakes,
//! and the level's m is diluted by pairs that also agree on country. The
//! question the scores cannot ask is "how many entities carry this name?";
//! after clustering it can be answered. When the answer is one, the bare
//! record belongs to it; when two clusters carry the name (namesakes in two
//! countries, a parent and a subsidiary, a split the rules forced) nothing
//! attaches. On generated data (seeds 2026 and 99) this joins 85 and 98
//! singletons with 4 and 2 wrong (account recall +0.02–0.03, precision
//! unchanged).
//!
//! Each singleton attaches to at most one cluster and a cluster never
//! attaches to anything, so there is no chaining. A join that would take a
//! cluster past the chain guard's `max_cluster_size` is not made.

use std::collections::HashMap;

use firmlink_model::StrColumn;
use serde::Serialize;

use crate::rules::Checker;

/// What [`attach_singletons`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AttachStats {
    /// The key column.
    pub on: String,
    /// Singletons that joined the one cluster carrying their key.
    pub attached: u64,
    /// Singletons whose key more than one other cluster carries.
    pub ambiguous: u64,
    /// Singletons a B2B rule kept out of the one cluster carrying their key.
    pub vetoed: u64,
    /// Singletons whose candidate cluster was too large to check record by record
    /// (more than `max_members` pairs).
    pub unchecked: u64,
    /// Singletons kept out because the cluster would exceed `max_cluster_size`.
    pub too_large: u64,
    /// Singletons with a corporate website of their own that no record of
    /// the cluster has, while the cluster has another: a namesake, not a
    /// bare row of the same company.
    pub other_domain: u64,
}

/// Both groups have corporate websites (or a website typed as the name)
/// and share none. The scores already weighed the two websites and kept the
/// records apart; a name alone does not overrule them (measured on
/// generated data: account precision +0.1 to +0.3 points on six seeds,
/// recall unchanged). Websites compare whole: counting acme.de and acme.com
/// as one cost 0.07–0.09 points of precision on four of six seeds and
/// gained no recall.
fn websites_disagree(check: &Checker<'_>, a: &[u32], b: &[u32]) -> bool {
    let sites = |g: &[u32]| -> Vec<&str> {
        g.iter()
            .filter_map(|&r| check.website(r as usize))
            .collect()
    };
    let (x, y) = (sites(a), sites(b));
    !x.is_empty() && !y.is_empty() && !x.iter().any(|d| y.contains(d))
}

/// The clusters of `labels` with qualifying singletons attached; labels are
/// dense and numbered in order of each cluster's first record, as the other
/// clustering steps number them. A join that would need more than
/// `max_members` record pairs checked is not made (counted as unchecked),
/// nor one that would make a cluster larger than `max_size` (too large).
pub fn attach_singletons(
    labels: &[u32],
    key: &StrColumn,
    on: &str,
    check: &Checker<'_>,
    max_members: usize,
    max_size: Option<usize>,
) -> (Vec<u32>, AttachStats) {
    let clusters = labels.iter().map(|l| *l as usize + 1).max().unwrap_or(0);
    // Records per cluster; `group` grows as singletons attach, `size`
    // keeps the sizes clustering left.
    let mut group: Vec<Vec<u32>> = vec![Vec::new(); clusters];
    for (i, l) in labels.iter().enumerate() {
        group[*l as usize].push(i as u32);
    }
    let size: Vec<usize> = group.iter().map(Vec::len).collect();
    // Key → the first two distinct clusters carrying it, and whether more do.
    let mut holders: HashMap<&str, (u32, Option<u32>, bool)> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        let Some(k) = key.get(i) else { continue };
        holders
            .entry(k)
            .and_modify(|(a, b, more)| {
                if *a != *l && b.is_none() {
                    *b = Some(*l);
                } else if *a != *l && *b != Some(*l) {
                    *more = true;
                }
            })
            .or_insert((*l, None, false));
    }
    let mut stats = AttachStats {
        on: on.to_string(),
        ..AttachStats::default()
    };
    // Union over cluster labels: a singleton's label joins its target's.
    // `group` holds the records of each root, attached singletons included,
    // so a second singleton is checked against the first one too.
    let mut parent: Vec<u32> = (0..clusters as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let p = parent[x as usize];
            parent[x as usize] = parent[p as usize];
            x = p;
        }
        x
    }
    for (i, &own) in labels.iter().enumerate() {
        if size[own as usize] != 1 {
            continue;
        }
        let Some(k) = key.get(i) else { continue };
        let (a, b, more) = holders[k];
        let Some(b) = b else { continue };
        if more {
            stats.ambiguous += 1;
            continue;
        }
        // Exactly two clusters carry the key, this one and the target.
        let target = if a == own { b } else { a };
        let (ro, rt) = (find(&mut parent, own), find(&mut parent, target));
        if ro == rt {
            // The target was a singleton that already attached to this one.
            stats.attached += 1;
            continue;
        }
        let (from, to) = (&group[ro as usize], &group[rt as usize]);
        if max_size.is_some_and(|max| from.len() + to.len() > max) {
            stats.too_large += 1;
            continue;
        }
        if from.len() * to.len() > max_members {
            stats.unchecked += 1;
            continue;
        }
        if from.iter().any(|&x| {
            to.iter()
                .any(|&y| check.veto(x as usize, y as usize).is_some())
        }) {
            stats.vetoed += 1;
            continue;
        }
        if websites_disagree(check, from, to) {
            stats.other_domain += 1;
            continue;
        }
        let (keep, gone) = (ro.min(rt), ro.max(rt));
        let moved = std::mem::take(&mut group[gone as usize]);
        group[keep as usize].extend(moved);
        parent[gone as usize] = keep;
        stats.attached += 1;
    }
    let mut label_of = vec![u32::MAX; clusters];
    let mut next = 0u32;
    let out = labels
        .iter()
        .map(|l| {
            let r = find(&mut parent, *l) as usize;
            if label_of[r] == u32::MAX {
                label_of[r] = next;
                next += 1;
            }
            label_of[r]
        })
        .collect();
    (out, stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use firmlink_model::{Column, Kind, Table};

    fn run(keys: &[Option<&str>], labels: &[u32], tax: &[Option<&str>]) -> (Vec<u32>, AttachStats) {
        run_capped(keys, labels, tax, None)
    }

    fn run_capped(
        keys: &[Option<&str>],
        labels: &[u32],
        tax: &[Option<&str>],
        max_size: Option<usize>,
    ) -> (Vec<u32>, AttachStats) {
        let mut t = Table::new(keys.len());
        t.push("tax_id", Column::from_strs(tax.iter().copied()));
        let check = Checker::new(Kind::Accounts, &t, true);
        let key: StrColumn = keys.iter().copied().collect();
        attach_singletons(labels, &key, "name_key", &check, 100, max_size)
    }

    #[test]
    fn no_cluster_grows_past_the_size_cap() {
        // 0,1,2 = cluster "acme"; 3 = a bare "acme". A cap of 3 keeps it out,
        // a cap of 4 lets it in.
        let keys = [Some("acme"); 4];
        let (labels, stats) = run_capped(&keys, &[0, 0, 0, 1], &[None; 4], Some(3));
        assert_eq!(labels, [0, 0, 0, 1]);
        assert_eq!((stats.attached, stats.too_large), (0, 1));
        let (labels, stats) = run_capped(&keys, &[0, 0, 0, 1], &[None; 4], Some(4));
        assert_eq!(labels, [0, 0, 0, 0]);
        assert_eq!((stats.attached, stats.too_large), (1, 0));
    }

    #[test]
    fn a_singleton_joins_the_only_cluster_with_its_name() {
        // 0,1 = cluster "acme"; 2 = a bare "acme"; 3 = "zeta" alone.
        let (labels, stats) = run(
            &[Some("acme"), Some("acme"), Some("acme"), Some("zeta")],
            &[0, 0, 1, 2],
            &[None; 4],
        );
        assert_eq!(labels, [0, 0, 0, 1]);
        assert_eq!(stats.attached, 1);
    }

    #[test]
    fn two_clusters_with_the_name_attach_nothing() {
        let (labels, stats) = run(
            &[Some("acme"), Some("acme"), Some("acme")],
            &[0, 1, 2],
            &[None; 3],
        );
        // Three singletons carry "acme": each sees two other clusters.
        assert_eq!(labels, [0, 1, 2]);
        assert_eq!(stats.ambiguous, 3);
        let (labels, _) = run(
            &[Some("acme"), Some("acme"), Some("acme"), Some("acme")],
            &[0, 0, 1, 2],
            &[None; 4],
        );
        assert_eq!(labels, [0, 0, 1, 2]);
    }

    #[test]
    fn two_singletons_with_one_name_pair_up_and_vetoes_hold() {
        let (labels, stats) = run(&[Some("acme"), Some("acme")], &[0, 1], &[None; 2]);
        assert_eq!(labels, [0, 0]);
        assert_eq!(stats.attached, 2);
        let (labels, stats) = run(
            &[Some("acme"), Some("acme"), Some("acme")],
            &[0, 0, 1],
            &[Some("DE1"), None, Some("DE2")],
        );
        assert_eq!(labels, [0, 0, 1]);
        assert_eq!(stats.vetoed, 1);
    }

    #[test]
    fn a_namesake_with_a_website_of_its_own_stays_apart() {
        // 0,1 = a cluster "driftwood"; 2 = a lone "driftwood".
        let run_sites = |sites: [Option<&str>; 3]| {
            let mut t = Table::new(3);
            t.push("domain", Column::from_strs(sites));
            let check = Checker::new(Kind::Accounts, &t, true);
            let key: StrColumn = [Some("driftwood"); 3].into_iter().collect();
            attach_singletons(&[0, 0, 1], &key, "name_key", &check, 100, None)
        };
        let (labels, stats) = run_sites([Some("driftwood.com"), None, Some("driftwoodgroup.com")]);
        assert_eq!(labels, [0, 0, 1]);
        assert_eq!((stats.attached, stats.other_domain), (0, 1));
        // A bare row, a row on the cluster's website, or a cluster without
        // one: nothing disagrees.
        for sites in [
            [Some("driftwood.com"), None, None],
            [Some("driftwood.com"), None, Some("driftwood.com")],
            [None, None, Some("driftwoodgroup.com")],
        ] {
            let (labels, stats) = run_sites(sites);
            assert_eq!(labels, [0, 0, 0], "{sites:?}");
            assert_eq!((stats.attached, stats.other_domain), (1, 0));
        }
    }

    #[test]
    fn a_website_typed_as_the_name_counts_as_the_website() {
        // 0,1 = a cluster "acme" on acme.com; 2 = a lone "acme" whose website
        // is `site` or whose name is `name`.
        let run_one = |site: Option<&str>, name: Option<&str>| {
            let mut t = Table::new(3);
            t.push(
                "domain",
                Column::from_strs([Some("acme.com"), Some("acme.com"), site]),
            );
            t.push(
                "name",
                Column::from_strs([Some("Acme"), Some("Acme Inc"), name]),
            );
            let check = Checker::new(Kind::Accounts, &t, true);
            let key: StrColumn = [Some("acme"); 3].into_iter().collect();
            attach_singletons(&[0, 0, 1], &key, "name_compact", &check, 100, None).1
        };
        // A website typed as the name counts as the record's website.
        assert_eq!(run_one(None, Some("acme-corp.com")).other_domain, 1);
        assert_eq!(run_one(None, Some("www.acme.com")).attached, 1);
        // Websites compare whole (see `websites_disagree`).
        assert_eq!(run_one(Some("acme.de"), Some("Acme GmbH")).other_domain, 1);
        assert_eq!(run_one(Some("acme.com"), Some("Acme GmbH")).attached, 1);
    }

    #[test]
    fn records_without_a_key_and_clusters_stay_put() {
        let (labels, stats) = run(
            &[None, None, Some("a"), Some("a")],
            &[0, 1, 2, 2],
            &[None; 4],
        );
        assert_eq!(labels, [0, 1, 2, 2]);
        assert_eq!(stats.attached, 0);
    }

    #[test]
    fn two_singletons_joining_one_cluster_are_checked_against_each_other() {
        // 0,1 = one cluster carrying "acme widgets" and "acme widget"; 2 and
        // 3 = bare records of those names with two different tax ids.
        let (labels, stats) = run(
            &[
                Some("acme widgets"),
                Some("acme widget"),
                Some("acme widgets"),
                Some("acme widget"),
            ],
            &[0, 0, 1, 2],
            &[None, None, Some("US111111111"), Some("US222222222")],
        );
        assert_eq!(labels, [0, 0, 0, 1]);
        assert_eq!((stats.attached, stats.vetoed), (1, 1));
    }
}
