//! Comparisons compiled against a table, and the hot loop that turns a
//! record pair into a comparison vector (one level index per comparison).
//!
//! A compiled comparison has levels `0 = null`, `1..=k` the configured
//! levels in order, and `k + 1 = else`. The null level is decided by the
//! main column alone, before any level is tried; the first configured level
//! that matches wins; else always matches.
//!
//! The loop is tight: exact levels are integer compares of interned ids;
//! equal ids match every level without measuring; a fuzzy measure is
//! computed at most once per pair and column, with the loosest threshold of
//! the levels that use it as cutoff, and reused by the stricter levels.
//!
//! [`level_matches`] is the same decision as a pure function of two values
//! (what a UDF on a distributed engine would call); tests check the two
//! agree.

use rustc_hash::FxHashMap;

use crate::settings::Level;
use crate::similarity::{self, TokenList};
use crate::table::{NULL, StrValues, Table, Value, Values};

/// Most distinct fuzzy measures (measure × column) one comparison may use.
pub(crate) const MAX_SLOTS: usize = 16;

/// A string measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    JaroWinkler,
    Jaro,
    Levenshtein,
    DamerauLevenshtein,
    Osa,
    Jaccard,
    TokenSet,
}

impl Measure {
    fn is_similarity(self) -> bool {
        matches!(
            self,
            Measure::JaroWinkler | Measure::Jaro | Measure::Jaccard | Measure::TokenSet
        )
    }
    pub(crate) fn uses_tokens(self) -> bool {
        matches!(self, Measure::Jaccard | Measure::TokenSet)
    }
}

/// A measure on one column, computed at most once per pair.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub col: usize,
    pub measure: Measure,
    /// Similarity: the lowest threshold; distance: the largest maximum.
    pub cutoff: f64,
}

/// The test of one configured level (or else).
#[derive(Debug, Clone)]
pub(crate) enum Test {
    Exact { col: usize, tf: Option<TfSpec> },
    AtLeast { slot: usize, threshold: f64 },
    AtMost { slot: usize, max: f64 },
    AbsDiff { col: usize, max: f64 },
    RelDiff { col: usize, max: f64 },
    DateDiff { col: usize, max_days: f64 },
    Else,
}

/// Term-frequency adjustment of an exact level.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TfSpec {
    pub min_u: f64,
}

/// A comparison resolved against a table.
#[derive(Debug, Clone)]
pub(crate) struct CompiledComparison {
    pub name: String,
    pub column: usize,
    pub column_name: String,
    /// One test per non-null level; the last is `Else`.
    pub tests: Vec<Test>,
    /// Labels of all levels, `null` first.
    pub labels: Vec<String>,
    /// The column each configured level reads, in level order (the null and
    /// else levels read none).
    pub level_columns: Vec<String>,
    /// What each configured level tests, with its threshold (`jaccard >=
    /// 0.25`, `exact (tf)`), whatever its label: pinned parameters are
    /// checked against it.
    pub level_tests: Vec<String>,
    pub slots: Vec<Slot>,
    /// Every column the comparison reads.
    pub columns: Vec<usize>,
}

/// Pre-tokenised values of a string column, for token measures: each
/// distinct value's distinct tokens as ids, sorted; token ids are in
/// byte-wise order of the tokens.
#[derive(Debug, Clone)]
pub(crate) struct TokenIndex {
    starts: Vec<u32>,
    toks: Vec<u32>,
    strs: Vec<String>,
    /// Length of each token in characters.
    chars: Vec<u32>,
}

impl TokenIndex {
    pub(crate) fn build(values: &StrValues) -> TokenIndex {
        let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut first: Vec<&str> = Vec::new();
        let mut per_value: Vec<Vec<u32>> = Vec::with_capacity(values.len());
        for v in 0..values.len() as u32 {
            let toks = similarity::tokens(values.get(v))
                .into_iter()
                .map(|t| {
                    *ids.entry(t).or_insert_with(|| {
                        first.push(t);
                        (first.len() - 1) as u32
                    })
                })
                .collect();
            per_value.push(toks);
        }
        let mut order: Vec<u32> = (0..first.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| first[a as usize].cmp(first[b as usize]));
        let mut rank = vec![0u32; first.len()];
        for (r, &t) in order.iter().enumerate() {
            rank[t as usize] = r as u32;
        }
        let strs: Vec<String> = order
            .iter()
            .map(|&t| first[t as usize].to_owned())
            .collect();
        let chars = strs.iter().map(|t| t.chars().count() as u32).collect();
        let mut starts = Vec::with_capacity(per_value.len() + 1);
        let mut toks = Vec::new();
        starts.push(0);
        for mut v in per_value {
            for t in &mut v {
                *t = rank[*t as usize];
            }
            v.sort_unstable();
            toks.extend_from_slice(&v);
            starts.push(toks.len() as u32);
        }
        TokenIndex {
            starts,
            toks,
            strs,
            chars,
        }
    }

    #[inline]
    fn of(&self, id: u32) -> &[u32] {
        &self.toks[self.starts[id as usize] as usize..self.starts[id as usize + 1] as usize]
    }
}

/// What the hot loop reads: the table and token indexes by column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub table: &'a Table,
    pub tokens: &'a [Option<TokenIndex>],
}

impl CompiledComparison {
    /// Number of levels including null and else.
    pub fn n_levels(&self) -> usize {
        self.tests.len() + 1
    }

    /// The level of the pair `(i, j)`.
    #[inline]
    pub fn gamma(&self, ctx: Ctx<'_>, i: usize, j: usize) -> u8 {
        let cols = ctx.table.columns();
        let main = &cols[self.column].ids;
        if main[i] == NULL || main[j] == NULL {
            return 0;
        }
        let mut cache = [f64::NAN; MAX_SLOTS];
        for (k, test) in self.tests.iter().enumerate() {
            let hit = match *test {
                Test::Exact { col, .. } => {
                    let ids = &cols[col].ids;
                    ids[i] != NULL && ids[i] == ids[j]
                }
                Test::AtLeast { slot, threshold } => {
                    if cache[slot].is_nan() {
                        cache[slot] = self.measure(ctx, slot, i, j);
                    }
                    cache[slot] >= threshold
                }
                Test::AtMost { slot, max } => {
                    if cache[slot].is_nan() {
                        cache[slot] = self.measure(ctx, slot, i, j);
                    }
                    cache[slot] <= max
                }
                Test::AbsDiff { col, max } => match num_pair(ctx.table, col, i, j) {
                    Some((a, b)) => abs_within(a, b, max),
                    None => false,
                },
                Test::RelDiff { col, max } => match num_pair(ctx.table, col, i, j) {
                    Some((a, b)) => rel_within(a, b, max),
                    None => false,
                },
                Test::DateDiff { col, max_days } => match date_pair(ctx.table, col, i, j) {
                    Some((a, b)) => date_within(a, b, max_days),
                    None => false,
                },
                Test::Else => true,
            };
            if hit {
                return (k + 1) as u8;
            }
        }
        unreachable!("the else level always matches")
    }

    /// A slot's measure for the pair: the similarity (−1 when null or below
    /// the cutoff) or the distance (+∞ when null or above the cutoff).
    fn measure(&self, ctx: Ctx<'_>, slot: usize, i: usize, j: usize) -> f64 {
        let s = &self.slots[slot];
        let sim = s.measure.is_similarity();
        let (worst, best) = if sim {
            (-1.0, 1.0)
        } else {
            (f64::INFINITY, 0.0)
        };
        let col = &ctx.table.columns()[s.col];
        let (a, b) = (col.ids[i], col.ids[j]);
        if a == NULL || b == NULL {
            return worst;
        }
        if a == b {
            return best;
        }
        let Values::Str(strs) = &col.values else {
            return worst;
        };
        let (sa, sb) = (strs.get(a), strs.get(b));
        let max = s.cutoff as usize;
        let got = match s.measure {
            Measure::JaroWinkler => similarity::jaro_winkler_at_least(sa, sb, s.cutoff),
            Measure::Jaro => similarity::jaro_at_least(sa, sb, s.cutoff),
            Measure::Levenshtein => similarity::levenshtein_at_most(sa, sb, max).map(|d| d as f64),
            Measure::DamerauLevenshtein => {
                similarity::damerau_levenshtein_at_most(sa, sb, max).map(|d| d as f64)
            }
            Measure::Osa => similarity::osa_at_most(sa, sb, max).map(|d| d as f64),
            Measure::Jaccard | Measure::TokenSet => {
                let Some(ti) = &ctx.tokens[s.col] else {
                    return worst;
                };
                let (ta, tb) = (ti.of(a), ti.of(b));
                let v = if s.measure == Measure::Jaccard {
                    similarity::jaccard_sorted(ta.len(), tb.len(), |x, y| ta[x].cmp(&tb[y]))
                } else {
                    let text_a = |x: usize| ti.strs[ta[x] as usize].as_str();
                    let text_b = |y: usize| ti.strs[tb[y] as usize].as_str();
                    let chars_a = |x: usize| ti.chars[ta[x] as usize] as usize;
                    let chars_b = |y: usize| ti.chars[tb[y] as usize] as usize;
                    return similarity::token_set_ratio_indexed(
                        TokenList {
                            len: ta.len(),
                            text: &text_a,
                            chars: &chars_a,
                        },
                        TokenList {
                            len: tb.len(),
                            text: &text_b,
                            chars: &chars_b,
                        },
                        |x, y| ta[x].cmp(&tb[y]),
                        s.cutoff,
                    )
                    .unwrap_or(worst);
                };
                Some(v)
            }
        };
        got.unwrap_or(worst)
    }
}

#[inline]
fn num_pair(table: &Table, col: usize, i: usize, j: usize) -> Option<(f64, f64)> {
    let c = &table.columns()[col];
    let (a, b) = (c.ids[i], c.ids[j]);
    if a == NULL || b == NULL {
        return None;
    }
    match &c.values {
        Values::Num(v) => Some((v[a as usize], v[b as usize])),
        _ => None,
    }
}

#[inline]
fn date_pair(table: &Table, col: usize, i: usize, j: usize) -> Option<(i32, i32)> {
    let c = &table.columns()[col];
    let (a, b) = (c.ids[i], c.ids[j]);
    if a == NULL || b == NULL {
        return None;
    }
    match &c.values {
        Values::Date(v) => Some((v[a as usize], v[b as usize])),
        _ => None,
    }
}

#[inline]
fn abs_within(a: f64, b: f64, max: f64) -> bool {
    (a - b).abs() <= max
}

#[inline]
fn rel_within(a: f64, b: f64, max: f64) -> bool {
    (a - b).abs() <= max * a.abs().max(b.abs())
}

#[inline]
fn date_within(a: i32, b: i32, max_days: f64) -> bool {
    (i64::from(a) - i64::from(b)).unsigned_abs() as f64 <= max_days
}

/// Whether `level` matches the two values, as a pure function: the same
/// decision the engine takes for a pair whose level column holds `a` and
/// `b` (null on either side never matches; equal values match every kind;
/// a value of the wrong kind never matches). Symmetric in `a` and `b`.
///
/// ```
/// use firmlink_linkage::{Level, Value, level_matches};
/// let jw = Level::jaro_winkler(0.9);
/// assert!(level_matches(&jw, Value::Str("martha"), Value::Str("marhta")));
/// assert!(!level_matches(&jw, Value::Str("martha"), Value::Null));
/// ```
pub fn level_matches(level: &Level, a: Value<'_>, b: Value<'_>) -> bool {
    if matches!(a, Value::Null) || matches!(b, Value::Null) {
        return false;
    }
    match (level, a, b) {
        (Level::Exact { .. }, a, b) => a == b,
        (Level::JaroWinkler { threshold, .. }, Value::Str(a), Value::Str(b)) => {
            similarity::jaro_winkler_at_least(a, b, *threshold).is_some()
        }
        (Level::Jaro { threshold, .. }, Value::Str(a), Value::Str(b)) => {
            similarity::jaro_at_least(a, b, *threshold).is_some()
        }
        (Level::Levenshtein { max_distance, .. }, Value::Str(a), Value::Str(b)) => {
            similarity::levenshtein_at_most(a, b, *max_distance as usize).is_some()
        }
        (Level::DamerauLevenshtein { max_distance, .. }, Value::Str(a), Value::Str(b)) => {
            similarity::damerau_levenshtein_at_most(a, b, *max_distance as usize).is_some()
        }
        (Level::Osa { max_distance, .. }, Value::Str(a), Value::Str(b)) => {
            similarity::osa_at_most(a, b, *max_distance as usize).is_some()
        }
        (Level::Jaccard { threshold, .. }, Value::Str(a), Value::Str(b)) => {
            similarity::jaccard(a, b) >= *threshold
        }
        (Level::TokenSet { threshold, .. }, Value::Str(a), Value::Str(b)) => {
            similarity::token_set_ratio(a, b) >= *threshold
        }
        (Level::AbsoluteDifference { max, .. }, Value::Num(a), Value::Num(b)) => {
            abs_within(a, b, *max)
        }
        (Level::RelativeDifference { max, .. }, Value::Num(a), Value::Num(b)) => {
            rel_within(a, b, *max)
        }
        (Level::DateDifference { max, unit, .. }, Value::Date(a), Value::Date(b)) => {
            date_within(a, b, max * unit.days())
        }
        _ => false,
    }
}
