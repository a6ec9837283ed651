//! Pure string measures used by comparison levels: values in, number out.
//!
//! Every function is symmetric by construction: the two strings are put in
//! a canonical order (byte-wise) before measuring, so `f(a, b) == f(b, a)`
//! even where an algorithm's tie-breaking is not. ASCII inputs are measured
//! on bytes (faster), others on `char`s. Jaro, Jaro-Winkler, Levenshtein,
//! optimal string alignment, Damerau-Levenshtein and Indel come from
//! `rapidfuzz`; the token measures are written here on top of it.
//!
//! ```
//! use firmlink_linkage::similarity;
//! assert!((similarity::jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-4);
//! assert_eq!(similarity::levenshtein("kitten", "sitting"), 3);
//! assert_eq!(similarity::jaccard("acme widgets ltd", "acme ltd"), 2.0 / 3.0);
//! assert_eq!(similarity::token_set_ratio("acme widgets ltd", "ltd acme"), 1.0);
//! ```

use std::cell::RefCell;

use rapidfuzz::distance::{damerau_levenshtein, indel, jaro, jaro_winkler, levenshtein, osa};

/// The two strings in canonical (byte-wise) order, or `None` when equal.
#[inline]
fn ordered<'a>(a: &'a str, b: &'a str) -> Option<(&'a str, &'a str)> {
    match a.cmp(b) {
        std::cmp::Ordering::Less => Some((a, b)),
        std::cmp::Ordering::Greater => Some((b, a)),
        std::cmp::Ordering::Equal => None,
    }
}

/// Jaro-Winkler similarity in `[0, 1]` (prefix weight 0.1, boost above 0.7).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    jaro_winkler_at_least(a, b, 0.0).unwrap_or(0.0)
}

/// Jaro-Winkler similarity when it is at least `cutoff`, else `None`
/// (faster than [`jaro_winkler()`] because hopeless pairs stop early).
pub fn jaro_winkler_at_least(a: &str, b: &str, cutoff: f64) -> Option<f64> {
    let Some((a, b)) = ordered(a, b) else {
        return Some(1.0);
    };
    if let Some(sim) = short_ascii_jaro_winkler(a.as_bytes(), b.as_bytes(), cutoff, true) {
        return (sim >= cutoff).then_some(sim);
    }
    let args = jaro_winkler::Args::default().score_cutoff(cutoff);
    if a.is_ascii() && b.is_ascii() {
        jaro_winkler::similarity_with_args(a.bytes(), b.bytes(), &args)
    } else {
        jaro_winkler::similarity_with_args(a.chars(), b.chars(), &args)
    }
}

/// Jaro similarity in `[0, 1]`.
pub fn jaro(a: &str, b: &str) -> f64 {
    jaro_at_least(a, b, 0.0).unwrap_or(0.0)
}

/// Jaro similarity when it is at least `cutoff`, else `None`.
pub fn jaro_at_least(a: &str, b: &str, cutoff: f64) -> Option<f64> {
    let Some((a, b)) = ordered(a, b) else {
        return Some(1.0);
    };
    if let Some(sim) = short_ascii_jaro_winkler(a.as_bytes(), b.as_bytes(), cutoff, false) {
        return (sim >= cutoff).then_some(sim);
    }
    let args = jaro::Args::default().score_cutoff(cutoff);
    if a.is_ascii() && b.is_ascii() {
        jaro::similarity_with_args(a.bytes(), b.bytes(), &args)
    } else {
        jaro::similarity_with_args(a.chars(), b.chars(), &args)
    }
}

thread_local! {
    /// Positions of each ASCII byte in the first string; all zero between
    /// calls (each call clears what it set).
    static PATTERN: RefCell<[u64; 128]> = const { RefCell::new([0; 128]) };
}

/// The lowest `n` bits set (`n ≤ 64`).
#[inline]
fn low_bits(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// Jaro (or Jaro-Winkler when `winkler`) of two ASCII strings of at most
/// 64 bytes, computed with bit flags on the stack: the same algorithm and
/// the same floating-point operations as RapidFuzz (match window
/// `max(len) / 2 − 1`, lowest free match first, half the mismatched
/// matches as transpositions, prefix weight 0.1 up to 4 characters above
/// 0.7), without building a 256-entry pattern table per call. `None` when
/// the fast path does not apply; `Some(0.0)` when the pair is certainly
/// below `cutoff`.
fn short_ascii_jaro_winkler(a: &[u8], b: &[u8], cutoff: f64, winkler: bool) -> Option<f64> {
    let (l1, l2) = (a.len(), b.len());
    if l1 > 64 || l2 > 64 || !a.is_ascii() || !b.is_ascii() {
        return None;
    }
    let prefix = if winkler {
        a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count()
    } else {
        0
    };
    let mut jaro_cutoff = cutoff;
    if winkler && jaro_cutoff > 0.7 {
        let prefix_sim = prefix as f64 * 0.1;
        jaro_cutoff = if prefix_sim >= 1.0 {
            0.7
        } else {
            0.7_f64.max((prefix_sim - jaro_cutoff) / (prefix_sim - 1.0))
        };
    }
    if l1 == 0 && l2 == 0 {
        return Some(1.0);
    }
    if l1 == 0 || l2 == 0 {
        return Some(0.0);
    }
    let min_len = l1.min(l2) as f64;
    if (min_len / l1 as f64 + min_len / l2 as f64 + 1.0) / 3.0 < jaro_cutoff {
        return Some(0.0);
    }
    let mut sim = if l1 == 1 && l2 == 1 {
        f64::from(u8::from(a[0] == b[0]))
    } else {
        let bound = l1.max(l2) / 2 - 1;
        let (mut p_flag, mut t_flag, mut common) = (0u64, 0u64, 0usize);
        PATTERN.with_borrow_mut(|pm| {
            for (i, &c) in a.iter().enumerate() {
                pm[c as usize] |= 1 << i;
            }
            // Positions of `a` within the match window of position `j`
            // of `b`: [j − bound, j + bound].
            let mut window = low_bits(bound + 1);
            for (j, &c) in b.iter().enumerate() {
                let free = pm[c as usize] & window & !p_flag;
                if free != 0 {
                    p_flag |= free & free.wrapping_neg();
                    t_flag |= 1 << j;
                    common += 1;
                }
                window = if j < bound {
                    (window << 1) | 1
                } else {
                    window << 1
                };
            }
            for &c in a {
                pm[c as usize] = 0;
            }
        });
        if common == 0 {
            return Some(0.0);
        }
        let m = common as f64;
        if (m / l1 as f64 + m / l2 as f64 + 1.0) / 3.0 < jaro_cutoff {
            return Some(0.0);
        }
        let mut transpositions = 0usize;
        while t_flag != 0 {
            let i = p_flag.trailing_zeros() as usize;
            let j = t_flag.trailing_zeros() as usize;
            transpositions += usize::from(a[i] != b[j]);
            p_flag &= p_flag - 1;
            t_flag &= t_flag - 1;
        }
        transpositions /= 2;
        let mut s = 0.0;
        s += m / l1 as f64;
        s += m / l2 as f64;
        s += (m - transpositions as f64) / m;
        s / 3.0
    };
    if winkler && sim > 0.7 {
        sim += prefix as f64 * 0.1 * (1.0 - sim);
    }
    Some(sim)
}

/// Levenshtein (or, with `transpositions`, optimal string alignment)
/// distance of two ASCII strings when the first has at most 64 bytes:
/// Hyyrö's bit-parallel algorithm (2003) on one machine word. `None` when
/// the fast path does not apply.
fn short_ascii_edit_distance(a: &[u8], b: &[u8], transpositions: bool) -> Option<usize> {
    let l1 = a.len();
    if l1 > 64 || !a.is_ascii() || !b.is_ascii() {
        return None;
    }
    if l1 == 0 {
        return Some(b.len());
    }
    let last = 1u64 << (l1 - 1);
    Some(PATTERN.with_borrow_mut(|pm| {
        for (i, &c) in a.iter().enumerate() {
            pm[c as usize] |= 1 << i;
        }
        let (mut vp, mut vn) = (low_bits(l1), 0u64);
        let (mut d0, mut pm_old) = (0u64, 0u64);
        let mut score = l1;
        for &c in b {
            let pm_j = pm[c as usize];
            let tr = if transpositions {
                ((!d0 & pm_j) << 1) & pm_old
            } else {
                0
            };
            d0 = ((((pm_j & vp).wrapping_add(vp)) ^ vp) | pm_j | vn) | tr;
            let hp = vn | !(d0 | vp);
            let hn = d0 & vp;
            if hp & last != 0 {
                score += 1;
            } else if hn & last != 0 {
                score -= 1;
            }
            let hp = (hp << 1) | 1;
            let hn = hn << 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
            pm_old = pm_j;
        }
        for &c in a {
            pm[c as usize] = 0;
        }
        score
    }))
}

/// Levenshtein distance (insertions, deletions, substitutions), in
/// characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    levenshtein_at_most(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// Levenshtein distance when it is at most `max`, else `None`.
pub fn levenshtein_at_most(a: &str, b: &str, max: usize) -> Option<usize> {
    let Some((a, b)) = ordered(a, b) else {
        return Some(0);
    };
    if let Some(d) = short_ascii_edit_distance(a.as_bytes(), b.as_bytes(), false) {
        return (d <= max).then_some(d);
    }
    let args = levenshtein::Args::default().score_cutoff(max);
    if a.is_ascii() && b.is_ascii() {
        levenshtein::distance_with_args(a.bytes(), b.bytes(), &args)
    } else {
        levenshtein::distance_with_args(a.chars(), b.chars(), &args)
    }
}

/// Optimal string alignment distance (Levenshtein plus transposition of two
/// adjacent characters, each substring edited once).
pub fn osa(a: &str, b: &str) -> usize {
    osa_at_most(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// Optimal string alignment distance when it is at most `max`, else `None`.
pub fn osa_at_most(a: &str, b: &str, max: usize) -> Option<usize> {
    let Some((a, b)) = ordered(a, b) else {
        return Some(0);
    };
    if let Some(d) = short_ascii_edit_distance(a.as_bytes(), b.as_bytes(), true) {
        return (d <= max).then_some(d);
    }
    let args = osa::Args::default().score_cutoff(max);
    if a.is_ascii() && b.is_ascii() {
        osa::distance_with_args(a.bytes(), b.bytes(), &args)
    } else {
        osa::distance_with_args(a.chars(), b.chars(), &args)
    }
}

/// Damerau-Levenshtein distance (unrestricted transpositions).
pub fn damerau_levenshtein(a: &str, b: &str) -> usize {
    damerau_levenshtein_at_most(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// Damerau-Levenshtein distance when it is at most `max`, else `None`.
pub fn damerau_levenshtein_at_most(a: &str, b: &str, max: usize) -> Option<usize> {
    let Some((a, b)) = ordered(a, b) else {
        return Some(0);
    };
    // Bounds from the fast bit-parallel distances decide most pairs: a
    // transposition is two Levenshtein edits, so DL ≥ ⌈Lev / 2⌉; DL ≤ OSA,
    // and a single edit is the same in both, so OSA = 1 ⇔ DL = 1.
    if let Some(lev) = short_ascii_edit_distance(a.as_bytes(), b.as_bytes(), false) {
        if lev.div_ceil(2) > max {
            return None;
        }
        let osa = short_ascii_edit_distance(a.as_bytes(), b.as_bytes(), true).unwrap_or(lev);
        if osa <= 1 || max <= 1 {
            return (osa <= max).then_some(osa);
        }
    }
    let args = damerau_levenshtein::Args::default().score_cutoff(max);
    if a.is_ascii() && b.is_ascii() {
        damerau_levenshtein::distance_with_args(a.bytes(), b.bytes(), &args)
    } else {
        damerau_levenshtein::distance_with_args(a.chars(), b.chars(), &args)
    }
}

/// The distinct whitespace-separated tokens of `s`, sorted byte-wise.
pub fn tokens(s: &str) -> Vec<&str> {
    let mut t: Vec<&str> = s.split_whitespace().collect();
    t.sort_unstable();
    t.dedup();
    t
}

/// Jaccard similarity of the whitespace token sets: |A ∩ B| / |A ∪ B|;
/// 1 for equal strings, 0 when either has no token.
pub fn jaccard(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (ta, tb) = (tokens(a), tokens(b));
    jaccard_sorted(ta.len(), tb.len(), |x, y| ta[x].cmp(tb[y]))
}

/// Jaccard on two sorted, distinct token lists given by their lengths and
/// an order between token `x` of the first and token `y` of the second.
pub(crate) fn jaccard_sorted(
    la: usize,
    lb: usize,
    cmp: impl Fn(usize, usize) -> std::cmp::Ordering,
) -> f64 {
    if la == 0 || lb == 0 {
        return 0.0;
    }
    let (mut x, mut y, mut common) = (0, 0, 0usize);
    while x < la && y < lb {
        match cmp(x, y) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                x += 1;
                y += 1;
            }
        }
    }
    common as f64 / (la + lb - common) as f64
}

/// Token-set ratio in `[0, 1]`, as RapidFuzz's `token_set_ratio` (divided by
/// 100): tokens are split on whitespace and deduplicated; the ratio is 1
/// when one token set contains the other, else the best normalized Indel
/// similarity among the shared tokens and each side's sorted remainder.
/// Suits company names ("acme widgets ltd" vs "acme ltd").
pub fn token_set_ratio(a: &str, b: &str) -> f64 {
    let Some((a, b)) = ordered(a, b) else {
        return 1.0;
    };
    let (ta, tb) = (tokens(a), tokens(b));
    token_set_ratio_sorted(ta.len(), tb.len(), |x| ta[x], |y| tb[y], 0.0).unwrap_or(0.0)
}

thread_local! {
    static TOKEN_BUFFERS: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
}

#[inline]
fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Indel distance (insertions and deletions only) when it is at most `max`.
fn indel_at_most(a: &str, b: &str, max: usize) -> Option<usize> {
    let (l1, l2) = (char_len(a), char_len(b));
    if l1.abs_diff(l2) > max {
        return None;
    }
    if a.len() <= 64 && a.is_ascii() && b.is_ascii() {
        let lcs = short_ascii_lcs(a.as_bytes(), b.as_bytes());
        let d = l1 + l2 - 2 * lcs;
        return (d <= max).then_some(d);
    }
    let args = indel::Args::default().score_cutoff(max);
    if a.is_ascii() && b.is_ascii() {
        indel::distance_with_args(a.bytes(), b.bytes(), &args)
    } else {
        indel::distance_with_args(a.chars(), b.chars(), &args)
    }
}

/// Length of the longest common subsequence of two ASCII strings, the first
/// at most 64 bytes (Hyyrö's bit-parallel algorithm).
fn short_ascii_lcs(a: &[u8], b: &[u8]) -> usize {
    if a.is_empty() {
        return 0;
    }
    PATTERN.with_borrow_mut(|pm| {
        for (i, &c) in a.iter().enumerate() {
            pm[c as usize] |= 1 << i;
        }
        let mut v = u64::MAX;
        for &c in b {
            let u = v & pm[c as usize];
            v = v.wrapping_add(u) | (v - u);
        }
        for &c in a {
            pm[c as usize] = 0;
        }
        (!v & low_bits(a.len())).count_ones() as usize
    })
}

/// Token-set ratio on two sorted, distinct token lists, when it is at least
/// `cutoff` (else `None`), without allocating (per-thread buffers).
pub(crate) fn token_set_ratio_sorted<'a>(
    la: usize,
    lb: usize,
    ta: impl Fn(usize) -> &'a str,
    tb: impl Fn(usize) -> &'a str,
    cutoff: f64,
) -> Option<f64> {
    token_set_ratio_indexed(
        TokenList {
            len: la,
            text: &ta,
            chars: &|x| char_len(ta(x)),
        },
        TokenList {
            len: lb,
            text: &tb,
            chars: &|y| char_len(tb(y)),
        },
        |x, y| ta(x).cmp(tb(y)),
        cutoff,
    )
}

/// A sorted, distinct token list: its length, each token's text and
/// length in characters.
pub(crate) struct TokenList<'f, 'a> {
    pub len: usize,
    pub text: &'f dyn Fn(usize) -> &'a str,
    pub chars: &'f dyn Fn(usize) -> usize,
}

/// Token-set ratio of two token lists, when at least `cutoff`; `cmp`
/// orders token `x` of the first against token `y` of the second (the
/// engine compares interned token ids, which sort like the tokens).
pub(crate) fn token_set_ratio_indexed(
    a: TokenList<'_, '_>,
    b: TokenList<'_, '_>,
    cmp: impl Fn(usize, usize) -> std::cmp::Ordering,
    cutoff: f64,
) -> Option<f64> {
    let (la, lb) = (a.len, b.len);
    let (ta, tb) = (a.text, b.text);
    if la == 0 || lb == 0 {
        return (cutoff <= 0.0).then_some(0.0);
    }
    // First pass: lengths only. The shared tokens give two ratios in
    // closed form; the remainders can only beat them (and the cutoff) when
    // their Indel distance is small, which their lengths may already rule
    // out.
    let (mut x, mut y) = (0, 0);
    let (mut sect_len, mut sect_count) = (0usize, 0usize);
    let (mut ab_len, mut ba_len, mut ab_count, mut ba_count) = (0usize, 0usize, 0usize, 0usize);
    while x < la || y < lb {
        let ord = if x == la {
            std::cmp::Ordering::Greater
        } else if y == lb {
            std::cmp::Ordering::Less
        } else {
            cmp(x, y)
        };
        match ord {
            std::cmp::Ordering::Less => {
                ab_len += (a.chars)(x);
                ab_count += 1;
                x += 1;
            }
            std::cmp::Ordering::Greater => {
                ba_len += (b.chars)(y);
                ba_count += 1;
                y += 1;
            }
            std::cmp::Ordering::Equal => {
                sect_len += (a.chars)(x);
                sect_count += 1;
                x += 1;
                y += 1;
            }
        }
    }
    if sect_count > 0 && (ab_count == 0 || ba_count == 0) {
        return Some(1.0);
    }
    // The joining spaces.
    sect_len += sect_count.saturating_sub(1);
    ab_len += ab_count.saturating_sub(1);
    ba_len += ba_count.saturating_sub(1);
    let sep = usize::from(sect_len != 0);
    let sect_ab_len = sect_len + sep + ab_len;
    let sect_ba_len = sect_len + sep + ba_len;
    let total = sect_ab_len + sect_ba_len;
    let best_sect = if sect_len == 0 {
        0.0
    } else {
        let ab = 1.0 - (sep + ab_len) as f64 / (sect_len + sect_ab_len) as f64;
        let ba = 1.0 - (sep + ba_len) as f64 / (sect_len + sect_ba_len) as f64;
        ab.max(ba)
    };
    // One distance more than the bound is allowed so that rounding never
    // hides a qualifying pair.
    let need = cutoff.max(best_sect);
    let max_dist = ((1.0 - need).max(0.0) * total as f64).floor() as usize + 1;
    let dist = if ab_len.abs_diff(ba_len) > max_dist {
        None
    } else {
        TOKEN_BUFFERS.with_borrow_mut(|(diff_ab, diff_ba)| {
            diff_ab.clear();
            diff_ba.clear();
            let (mut x, mut y) = (0, 0);
            let push = |buf: &mut String, t: &str| {
                if !buf.is_empty() {
                    buf.push(' ');
                }
                buf.push_str(t);
            };
            while x < la || y < lb {
                let ord = if x == la {
                    std::cmp::Ordering::Greater
                } else if y == lb {
                    std::cmp::Ordering::Less
                } else {
                    cmp(x, y)
                };
                match ord {
                    std::cmp::Ordering::Less => {
                        push(diff_ab, ta(x));
                        x += 1;
                    }
                    std::cmp::Ordering::Greater => {
                        push(diff_ba, tb(y));
                        y += 1;
                    }
                    std::cmp::Ordering::Equal => {
                        x += 1;
                        y += 1;
                    }
                }
            }
            indel_at_most(diff_ab, diff_ba, max_dist)
        })
    };
    let result = match dist {
        Some(d) => (1.0 - d as f64 / total as f64).max(best_sect),
        None => best_sect,
    };
    (result >= cutoff).then_some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_table() {
        for (a, b, want) in [
            ("martha", "marhta", 0.961_111),
            ("dwayne", "duane", 0.84),
            ("dixon", "dicksonx", 0.813_333),
            ("jones", "johnson", 0.832_381),
            ("abc", "xyz", 0.0),
            ("same", "same", 1.0),
            ("zoë", "zoe", 0.822_222),
        ] {
            let got = jaro_winkler(a, b);
            assert!(
                (got - want).abs() < 1e-5,
                "jw({a}, {b}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn distances_table() {
        for (a, b, lev, osa_d, dl) in [
            ("kitten", "sitting", 3, 3, 3),
            ("ca", "ac", 2, 1, 1),
            ("ca", "abc", 3, 3, 2),
            ("1234567", "1243567", 2, 1, 1),
            ("", "abc", 3, 3, 3),
            ("müller", "muller", 1, 1, 1),
        ] {
            assert_eq!(levenshtein(a, b), lev, "lev({a}, {b})");
            assert_eq!(osa(a, b), osa_d, "osa({a}, {b})");
            assert_eq!(damerau_levenshtein(a, b), dl, "dl({a}, {b})");
        }
        assert_eq!(levenshtein_at_most("kitten", "sitting", 2), None);
        assert_eq!(levenshtein_at_most("kitten", "sitting", 3), Some(3));
    }

    #[test]
    fn token_measures_table() {
        for (a, b, jac, tsr) in [
            ("acme widgets ltd", "acme ltd", 2.0 / 3.0, 1.0),
            ("acme ltd", "acme  ltd", 1.0, 1.0),
            ("acme", "globex", 0.0, 0.2),
            ("fuzzy wuzzy was a bear", "wuzzy fuzzy was a bear", 1.0, 1.0),
            ("blue acme inc", "acme red inc", 0.5, 0.8),
        ] {
            assert!(
                (jaccard(a, b) - jac).abs() < 1e-9,
                "jaccard({a}, {b}) = {}",
                jaccard(a, b)
            );
            let got = token_set_ratio(a, b);
            assert!(
                (got - tsr).abs() < 1e-9,
                "tsr({a}, {b}) = {got}, want {tsr}"
            );
        }
    }

    use proptest::prelude::*;

    fn ordered_pair<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
        if a <= b { (a, b) } else { (b, a) }
    }

    proptest! {
        // The bit-parallel fast paths give RapidFuzz's numbers exactly.
        #[test]
        fn fast_paths_agree_with_rapidfuzz(a in "[a-e ]{0,64}", b in "[a-e ]{0,64}") {
            let (x, y) = ordered_pair(&a, &b);
            let jw = rapidfuzz::distance::jaro_winkler::similarity(x.chars(), y.chars());
            prop_assert_eq!(jaro_winkler(&a, &b), jw);
            let j = rapidfuzz::distance::jaro::similarity(x.chars(), y.chars());
            prop_assert_eq!(jaro(&a, &b), j);
            prop_assert_eq!(levenshtein(&a, &b), rapidfuzz::distance::levenshtein::distance(x.chars(), y.chars()));
            prop_assert_eq!(osa(&a, &b), rapidfuzz::distance::osa::distance(x.chars(), y.chars()));
            prop_assert_eq!(levenshtein(&a, &b), strsim::levenshtein(&a, &b));
            prop_assert_eq!(osa(&a, &b), strsim::osa_distance(&a, &b));
            prop_assert_eq!(damerau_levenshtein(&a, &b), strsim::damerau_levenshtein(&a, &b));
        }

        #[test]
        fn cutoffs_never_change_a_qualifying_value(a in "[a-d]{0,12}", b in "[a-d]{0,12}", t in 0.0f64..1.0, k in 0usize..5) {
            let full = jaro_winkler(&a, &b);
            prop_assert_eq!(jaro_winkler_at_least(&a, &b, t), (full >= t).then_some(full));
            let full = jaro(&a, &b);
            prop_assert_eq!(jaro_at_least(&a, &b, t), (full >= t).then_some(full));
            let d = levenshtein(&a, &b);
            prop_assert_eq!(levenshtein_at_most(&a, &b, k), (d <= k).then_some(d));
            let d = osa(&a, &b);
            prop_assert_eq!(osa_at_most(&a, &b, k), (d <= k).then_some(d));
            let d = strsim::damerau_levenshtein(&a, &b);
            prop_assert_eq!(damerau_levenshtein_at_most(&a, &b, k), (d <= k).then_some(d));
            let full = token_set_ratio(&a.replace('d', " "), &b.replace('d', " "));
            let (ta, tb) = (a.replace('d', " "), b.replace('d', " "));
            let (x, y) = ordered_pair(&ta, &tb);
            let (tx, ty) = (tokens(x), tokens(y));
            let cut = if ta == tb { Some(1.0) } else {
                token_set_ratio_sorted(tx.len(), ty.len(), |i| tx[i], |j| ty[j], t)
            };
            prop_assert_eq!(cut, (full >= t).then_some(full));
        }

        #[test]
        fn every_measure_is_symmetric(a in "[a-cé ]{0,70}", b in "[a-cé ]{0,70}") {
            prop_assert_eq!(jaro_winkler(&a, &b), jaro_winkler(&b, &a));
            prop_assert_eq!(jaro(&a, &b), jaro(&b, &a));
            prop_assert_eq!(levenshtein(&a, &b), levenshtein(&b, &a));
            prop_assert_eq!(osa(&a, &b), osa(&b, &a));
            prop_assert_eq!(damerau_levenshtein(&a, &b), damerau_levenshtein(&b, &a));
            prop_assert_eq!(jaccard(&a, &b), jaccard(&b, &a));
            prop_assert_eq!(token_set_ratio(&a, &b), token_set_ratio(&b, &a));
        }
    }
}
