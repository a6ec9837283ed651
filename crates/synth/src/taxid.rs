//! VAT numbers and other company tax ids, with the real check digits where
//! the scheme has them, and the ways people write them.

use crate::rng::Rng;

fn digits(rng: &mut Rng, n: usize) -> Vec<u32> {
    (0..n).map(|_| rng.below(10) as u32).collect()
}

fn join(d: &[u32]) -> String {
    d.iter().map(|x| char::from(b'0' + *x as u8)).collect()
}

/// Luhn check digit for `d` (the digit to append).
pub fn luhn_digit(d: &[u32]) -> u32 {
    let mut sum = 0;
    for (i, x) in d.iter().rev().enumerate() {
        let mut v = *x;
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    (10 - sum % 10) % 10
}

/// ISO 7064 MOD 11,10 (German USt-IdNr.).
pub fn mod11_10(d: &[u32]) -> u32 {
    let mut product = 10;
    for x in d {
        let mut sum = (x + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    (11 - product) % 10
}

fn weighted_sum(d: &[u32], w: &[u32]) -> u32 {
    d.iter().zip(w).map(|(a, b)| a * b).sum()
}

/// A tax id in compact canonical form ("DE123456789").
pub fn generate(iso2: &str, rng: &mut Rng) -> String {
    loop {
        if let Some(id) = attempt(iso2, rng) {
            return id;
        }
    }
}

fn attempt(iso2: &str, rng: &mut Rng) -> Option<String> {
    Some(match iso2 {
        "DE" => {
            let mut d = digits(rng, 8);
            d[0] = 1 + rng.below(9) as u32;
            let c = mod11_10(&d);
            format!("DE{}{}", join(&d), c)
        }
        "AT" => {
            let d = digits(rng, 7);
            let s = |x: u32| (2 * x) / 10 + (2 * x) % 10;
            let r = s(d[1]) + s(d[3]) + s(d[5]);
            let c = (10 - (r + d[0] + d[2] + d[4] + d[6] + 4) % 10) % 10;
            format!("ATU{}{}", join(&d), c)
        }
        "FR" => {
            let mut siren = digits(rng, 8);
            siren[0] = 1 + rng.below(9) as u32;
            siren.push(luhn_digit(&siren));
            let n: u64 = join(&siren).parse().ok()?;
            let key = (12 + 3 * (n % 97)) % 97;
            format!("FR{key:02}{}", join(&siren))
        }
        "BE" => {
            let mut d = digits(rng, 8);
            d[0] = rng.below(2) as u32;
            if d[0] == 0 && d[1] == 0 {
                d[1] = 4;
            }
            let n: u64 = join(&d).parse().ok()?;
            let c = 97 - n % 97;
            format!("BE{}{c:02}", join(&d))
        }
        "NL" => {
            let d = digits(rng, 8);
            let c = weighted_sum(&d, &[9, 8, 7, 6, 5, 4, 3, 2]) % 11;
            if c == 10 {
                return None;
            }
            format!("NL{}{}B01", join(&d), c)
        }
        "IT" => {
            let mut d = digits(rng, 7);
            d.extend([0, 0, 1 + rng.below(9) as u32]);
            let c = luhn_digit(&d);
            format!("IT{}{}", join(&d), c)
        }
        "ES" => {
            let letter = if rng.chance(0.75) { 'B' } else { 'A' };
            let d = digits(rng, 7);
            let mut sum = 0;
            for (i, x) in d.iter().enumerate() {
                if i % 2 == 0 {
                    let v = 2 * x;
                    sum += v / 10 + v % 10;
                } else {
                    sum += x;
                }
            }
            let c = (10 - sum % 10) % 10;
            format!("ES{letter}{}{c}", join(&d))
        }
        "SE" => {
            let mut d = digits(rng, 9);
            d[0] = 5;
            d[1] = 5;
            d[2] = 6;
            d.push(luhn_digit(&d));
            format!("SE{}01", join(&d))
        }
        "DK" => {
            let mut d = digits(rng, 7);
            d[0] = 1 + rng.below(9) as u32;
            let s = weighted_sum(&d, &[2, 7, 6, 5, 4, 3, 2]) % 11;
            let c = (11 - s) % 11;
            if c == 10 {
                return None;
            }
            format!("DK{}{}", join(&d), c)
        }
        "PL" => {
            let mut d = digits(rng, 9);
            d[0] = 1 + rng.below(9) as u32;
            let c = weighted_sum(&d, &[6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
            if c == 10 {
                return None;
            }
            format!("PL{}{}", join(&d), c)
        }
        "IE" => {
            let d = digits(rng, 7);
            let r = weighted_sum(&d, &[8, 7, 6, 5, 4, 3, 2]) % 23;
            let letter = b"WABCDEFGHIJKLMNOPQRSTUV"[r as usize] as char;
            format!("IE{}{letter}", join(&d))
        }
        "GB" => {
            let mut d = digits(rng, 7);
            d[0] = 1 + rng.below(9) as u32;
            let s = weighted_sum(&d, &[8, 7, 6, 5, 4, 3, 2]);
            let c = (97 - s % 97) % 97;
            format!("GB{}{c:02}", join(&d))
        }
        "CH" => {
            let d = digits(rng, 8);
            let s = weighted_sum(&d, &[5, 4, 3, 2, 7, 6, 5, 4]) % 11;
            let c = (11 - s) % 11;
            if c == 10 {
                return None;
            }
            format!("CHE{}{}", join(&d), c)
        }
        "US" => {
            const PREFIXES: [u32; 12] = [10, 12, 20, 26, 27, 30, 45, 46, 47, 81, 84, 94];
            let p = PREFIXES[rng.index(PREFIXES.len())];
            format!("{p}{}", join(&digits(rng, 7)))
        }
        "CA" => {
            let mut d = digits(rng, 8);
            d[0] = 1 + rng.below(9) as u32;
            d.push(luhn_digit(&d));
            format!("{}RT0001", join(&d))
        }
        "JP" => {
            let mut base = digits(rng, 12);
            base[0] = 1 + rng.below(9) as u32;
            // Check digit: 9 - (Σ P_n × Q_n mod 9), n counted from the right,
            // Q_n = 1 for odd n and 2 for even n.
            let s: u32 = base
                .iter()
                .rev()
                .enumerate()
                .map(|(i, p)| p * if i % 2 == 0 { 1 } else { 2 })
                .sum();
            let c = 9 - s % 9;
            format!("T{c}{}", join(&base))
        }
        "AU" => {
            let rest = digits(rng, 9);
            const W: [u32; 11] = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
            let s_rest: u32 = rest.iter().zip(&W[2..]).map(|(a, b)| a * b).sum();
            // Choose the first two digits (10..=99) so the weighted sum,
            // with 1 subtracted from the first digit, is divisible by 89.
            let lead = (10..=99u32)
                .find(|n| (((n / 10 - 1) * 10 + n % 10) + s_rest).is_multiple_of(89))?;
            format!("{lead}{}", join(&rest))
        }
        "BR" => {
            let mut d = digits(rng, 8);
            d.extend([0, 0, 0, 1]);
            let check = |d: &[u32], w: &[u32]| {
                let r = weighted_sum(d, w) % 11;
                if r < 2 { 0 } else { 11 - r }
            };
            let c1 = check(&d, &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
            d.push(c1);
            let c2 = check(&d, &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
            d.push(c2);
            join(&d)
        }
        "IN" => {
            const ALPHA: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
            let state = 1 + rng.below(36);
            let letters: String = (0..3)
                .map(|_| (b'A' + rng.below(26) as u8) as char)
                .collect();
            let pan = format!(
                "{letters}C{}{}{}",
                (b'A' + rng.below(26) as u8) as char,
                join(&digits(rng, 4)),
                (b'A' + rng.below(26) as u8) as char
            );
            let body = format!("{state:02}{pan}1Z");
            let mut sum = 0u32;
            for (i, ch) in body.bytes().enumerate() {
                let v = ALPHA.iter().position(|a| *a == ch)? as u32;
                let p = v * if i % 2 == 0 { 1 } else { 2 };
                sum += p / 36 + p % 36;
            }
            let c = ALPHA[((36 - sum % 36) % 36) as usize] as char;
            format!("{body}{c}")
        }
        "SG" => {
            let year = 1990 + rng.below(35);
            let letter = b"CDEGHKMNRWZ"[rng.index(11)] as char;
            format!("{year}{}{letter}", join(&digits(rng, 5)))
        }
        _ => return None,
    })
}

/// The tax id as one source writes it: compact, grouped, with or without the
/// country prefix. `style` picks the habit (0 = compact canonical).
pub fn render(id: &str, iso2: &str, style: u32) -> String {
    let (prefix, body) = split_prefix(id, iso2);
    match (iso2, style % 4) {
        (_, 0) => id.to_string(),
        ("DE", 1) => format!("DE {} {} {}", &body[..3], &body[3..6], &body[6..]),
        ("GB", 1) => format!("GB {} {} {}", &body[..3], &body[3..7], &body[7..]),
        ("FR", 1) => format!("FR {} {}", &body[..2], &body[2..]),
        ("BE", 1) => format!("BE {}.{}.{}", &body[..4], &body[4..7], &body[7..]),
        ("CH", 1) => format!("CHE-{}.{}.{} MWST", &body[..3], &body[3..6], &body[6..]),
        ("CH", 2) => format!("CHE-{}.{}.{}", &body[..3], &body[3..6], &body[6..]),
        ("NL", 1) => format!("NL {}", body),
        ("US", _) => format!("{}-{}", &id[..2], &id[2..]),
        ("AU", 1 | 2) => format!("{} {} {} {}", &id[..2], &id[2..5], &id[5..8], &id[8..]),
        ("BR", 1 | 2) => format!(
            "{}.{}.{}/{}-{}",
            &id[..2],
            &id[2..5],
            &id[5..8],
            &id[8..12],
            &id[12..]
        ),
        ("JP", 1) => id[1..].to_string(),
        ("CA", 1) => format!("{} {}", &id[..9], &id[9..]),
        ("CA", 2) => id[..9].to_string(),
        (_, 2) if !prefix.is_empty() => body.to_string(),
        (_, 3) if !prefix.is_empty() => format!("{prefix} {body}"),
        _ => id.to_string(),
    }
}

fn split_prefix<'a>(id: &'a str, iso2: &str) -> (&'a str, &'a str) {
    let n = match iso2 {
        "AT" | "CH" => 3,
        "US" | "CA" | "JP" | "AU" | "BR" | "IN" | "SG" => 0,
        _ => 2,
    };
    (&id[..n], &id[n..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_reference_values() {
        // Published examples.
        assert_eq!(luhn_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
        // DE136695976 is a documented valid German VAT number.
        assert_eq!(mod11_10(&[1, 3, 6, 6, 9, 5, 9, 7]), 6);
    }

    #[test]
    fn every_country_generates_and_renders() {
        let d = crate::data::data();
        let mut rng = Rng::new(9);
        for c in &d.countries {
            for style in 0..4 {
                let id = generate(c.iso2, &mut rng);
                assert!(id.is_ascii() && id.len() >= 8, "{} {id}", c.iso2);
                let r = render(&id, c.iso2, style);
                assert!(!r.is_empty());
            }
        }
    }

    #[test]
    fn australian_abn_checksum_holds() {
        let mut rng = Rng::new(11);
        for _ in 0..50 {
            let id = generate("AU", &mut rng);
            let d: Vec<u32> = id.chars().map(|c| c.to_digit(10).unwrap()).collect();
            let w = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
            let s: u32 = d
                .iter()
                .enumerate()
                .map(|(i, x)| (if i == 0 { x - 1 } else { *x }) * w[i])
                .sum();
            assert_eq!(s % 89, 0, "{id}");
        }
    }
}
