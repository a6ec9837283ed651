//! Phone numbers: digits per country and city, and the many ways they are
//! written (see `data/phone_formats.tsv` for the pattern tokens).

use crate::data::{Country, data};
use crate::rng::Rng;

/// A number as digits: area code (or mobile prefix) and subscriber number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub country: u16,
    pub area: String,
    pub subscriber: String,
}

fn subscriber(rng: &mut Rng, len: usize) -> String {
    let mut s = String::with_capacity(len);
    for i in 0..len {
        // No leading 0 or 1 in a subscriber number (trunk and service codes).
        let d = if i == 0 {
            2 + rng.below(8)
        } else {
            rng.below(10)
        };
        s.push(char::from(b'0' + d as u8));
    }
    s
}

/// A landline in `city` (an index into the city table).
pub fn landline(city: usize, rng: &mut Rng) -> Phone {
    let d = data();
    let c = &d.cities[city];
    let country = &d.countries[c.country];
    let area = rng.pick(&c.area_codes).to_string();
    let len = country.nsn_len.saturating_sub(area.len()).max(4);
    Phone {
        country: c.country as u16,
        area,
        subscriber: subscriber(rng, len),
    }
}

/// A mobile number in the country of `city`.
pub fn mobile(city: usize, rng: &mut Rng) -> Phone {
    let d = data();
    let c = &d.cities[city];
    let country = &d.countries[c.country];
    let prefix = rng.pick(&country.mobile_prefixes);
    let area = match *prefix {
        "A" => rng.pick(&c.area_codes).to_string(),
        "A9" => format!("{}9", rng.pick(&c.area_codes)),
        p => p.to_string(),
    };
    let len = country.mobile_nsn_len.saturating_sub(area.len()).max(4);
    Phone {
        country: c.country as u16,
        area,
        subscriber: subscriber(rng, len),
    }
}

/// A different line at the same site: same area, same leading digits of the
/// subscriber number (a direct dial next to the switchboard).
pub fn direct_line(main: &Phone, rng: &mut Rng) -> Phone {
    let keep = main.subscriber.len().saturating_sub(3);
    let mut s: String = main.subscriber[..keep].to_string();
    for _ in keep..main.subscriber.len() {
        s.push(char::from(b'0' + rng.below(10) as u8));
    }
    Phone {
        country: main.country,
        area: main.area.clone(),
        subscriber: s,
    }
}

fn halves(s: &str, sep: char) -> String {
    let mid = s.len() / 2;
    format!("{}{sep}{}", &s[..mid], &s[mid..])
}

fn pairs(s: &str, sep: char) -> String {
    let mut out = String::new();
    // Odd lengths keep a group of three at the start.
    let start = if s.len() % 2 == 1 {
        3.min(s.len())
    } else {
        2.min(s.len())
    };
    out.push_str(&s[..start]);
    let mut i = start;
    while i < s.len() {
        out.push(sep);
        out.push_str(&s[i..(i + 2).min(s.len())]);
        i += 2;
    }
    out
}

/// Renders `phone` with a pattern; tokens as documented in
/// `data/phone_formats.tsv`.
pub fn render_pattern(phone: &Phone, country: &Country, pattern: &str) -> String {
    let pattern = if country.trunk.is_empty() {
        pattern.replace("(T)", "")
    } else {
        pattern.to_string()
    };
    let sub = phone.subscriber.as_bytes();
    let mut pos = 0;
    let mut out = String::with_capacity(24);
    for ch in pattern.chars() {
        match ch {
            'C' => out.push_str(country.phone_cc),
            'T' => out.push_str(country.trunk),
            'A' => out.push_str(&phone.area),
            '#' => {
                if pos < sub.len() {
                    out.push(sub[pos] as char);
                    pos += 1;
                }
            }
            '*' | '~' | '%' | '^' | '&' => {
                let rest = std::str::from_utf8(&sub[pos..]).unwrap_or("");
                let r = match ch {
                    '*' => halves(rest, ' '),
                    '~' => halves(rest, '-'),
                    '^' => pairs(rest, ' '),
                    '&' => pairs(rest, '.'),
                    _ => rest.to_string(),
                };
                out.push_str(&r);
                pos = sub.len();
            }
            c => out.push(c),
        }
    }
    if pos < sub.len() {
        out.push_str(std::str::from_utf8(&sub[pos..]).unwrap_or(""));
    }
    out
}

/// How a source writes numbers.
#[derive(Debug, Clone, Copy)]
pub struct Habit {
    /// Share of numbers written in international form.
    pub international: f64,
    /// Share of numbers followed by an extension (only for landlines).
    pub extension: f64,
}

/// Renders `phone` the way a person of that source would type it.
pub fn render(phone: &Phone, habit: Habit, rng: &mut Rng) -> String {
    let d = data();
    let country = &d.countries[phone.country as usize];
    let pattern = if rng.chance(habit.international) {
        *country.phone_intl.pick(rng)
    } else {
        *country.phone_nat.pick(rng)
    };
    let mut s = render_pattern(phone, country, pattern);
    if rng.chance(habit.extension) {
        let ext = rng.range(10, 4999);
        let style = match country.iso2 {
            "DE" | "AT" => rng.below(6),
            "FR" => 6 + rng.below(2),
            _ => rng.below(4),
        };
        match style {
            0 => s.push_str(&format!(" ext. {ext}")),
            1 => s.push_str(&format!(" x{ext}")),
            2 => s.push_str(&format!(" ext {ext}")),
            3 => s.push_str(&format!(" (ext. {ext})")),
            4 | 5 => s.push_str(&format!("-{ext}")),
            6 => s.push_str(&format!(" poste {ext}")),
            _ => s.push_str(&format!(" x{ext}")),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(iso: &str, area: &str, sub: &str) -> (Phone, &'static Country) {
        let d = data();
        let ci = d.country_by_iso(iso).unwrap();
        (
            Phone {
                country: ci as u16,
                area: area.into(),
                subscriber: sub.into(),
            },
            &d.countries[ci],
        )
    }

    #[test]
    fn pattern_cases() {
        for (iso, area, sub, pattern, want) in [
            (
                "US",
                "415",
                "5550100",
                "+1 (A) ###-####",
                "+1 (415) 555-0100",
            ),
            ("US", "415", "5550100", "A.###.####", "415.555.0100"),
            ("DE", "30", "1234567", "TA/%", "030/1234567"),
            ("DE", "30", "1234567", "00C A %", "0049 30 1234567"),
            ("GB", "20", "79460000", "+C (T)A *", "+44 (0)20 7946 0000"),
            ("FR", "1", "42685300", "TA ^", "01 42 68 53 00"),
            ("FR", "1", "42685300", "TA.&", "01.42.68.53.00"),
            ("JP", "3", "12345678", "TA-~", "03-1234-5678"),
            ("ES", "91", "1234567", "+C (T)A *", "+34 91 123 4567"),
            ("SG", "6", "1234567", "A### ####", "6123 4567"),
        ] {
            let (p, c) = phone(iso, area, sub);
            assert_eq!(render_pattern(&p, c, pattern), want, "{iso} {pattern}");
        }
    }

    #[test]
    fn generated_numbers_have_the_national_length() {
        let d = data();
        let mut rng = Rng::new(4);
        for (i, city) in d.cities.iter().enumerate() {
            let c = &d.countries[city.country];
            let p = landline(i, &mut rng);
            assert_eq!(
                p.area.len() + p.subscriber.len(),
                c.nsn_len.max(p.area.len() + 4)
            );
            let m = mobile(i, &mut rng);
            assert!(m.subscriber.len() >= 4);
        }
    }
}
