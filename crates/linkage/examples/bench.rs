//! Benchmark of the whole linkage on synthetic B2B contacts: build the
//! table, block, compare, train, predict, cluster (a plain union-find here)
//! and score against the generator's truth. Prints wall time per phase,
//! pairs per second and peak memory.
//!
//! ```text
//! cargo run --release -p firmlink-linkage --example bench            # 1,000,000 rows
//! cargo run --release -p firmlink-linkage --example bench -- 100000  # other sizes
//! ```
//!
//! About 30% of the rows are duplicates of another row's entity, with
//! typos, missing values, other email formats and company-name variants.

use std::collections::HashMap;
use std::time::Instant;

use firmlink_linkage::{
    BlockingRule, Column, Comparison, Level, LinkType, Linker, Settings, Table,
};

/// SplitMix64, seeded: the same data on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    /// Index from a long-tailed distribution over `n` items: half uniform,
    /// half a power law (density ∝ x^-0.8); the top item gets about
    /// 1% (surnames) to 2% (first names) of the draws.
    fn zipf(&mut self, n: usize) -> usize {
        if self.chance(0.5) {
            return self.below(n);
        }
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let x = ((n as f64).powf(0.2) * u + (1.0 - u)).powf(5.0) - 1.0;
        (x as usize).min(n - 1)
    }
}

const ONSETS: &[&str] = &[
    "b", "br", "c", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "sh", "st",
    "t", "v", "w", "z", "",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ie", "ou", "y"];
const CODAS: &[&str] = &[
    "", "n", "r", "s", "l", "th", "nd", "rt", "ck", "m", "x", "ne",
];

fn word(rng: &mut Rng, min_syllables: usize) -> String {
    let syllables = min_syllables + rng.below(2);
    let mut w = String::new();
    for _ in 0..syllables {
        w.push_str(ONSETS[rng.below(ONSETS.len())]);
        w.push_str(VOWELS[rng.below(VOWELS.len())]);
    }
    w.push_str(CODAS[rng.below(CODAS.len())]);
    w
}

fn typo(rng: &mut Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 2 {
        return s.to_owned();
    }
    let i = rng.below(c.len() - 1);
    match rng.below(4) {
        0 => c.swap(i, i + 1),
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, (b'a' + rng.below(26) as u8) as char),
        _ => c[i] = (b'a' + rng.below(26) as u8) as char,
    }
    c.into_iter().collect()
}

struct Company {
    name: String,
    domain: String,
    city: usize,
}

#[derive(Clone)]
struct Contact {
    first: Option<String>,
    last: Option<String>,
    email: Option<String>,
    company: Option<String>,
    city: Option<String>,
    phone: Option<String>,
}

fn generate(rows: usize) -> (Vec<Contact>, Vec<u32>) {
    let mut rng = Rng(20_261_123);
    let firsts: Vec<String> = (0..3_000).map(|_| word(&mut rng, 1)).collect();
    let lasts: Vec<String> = (0..60_000).map(|_| word(&mut rng, 2)).collect();
    let cities: Vec<String> = (0..2_000).map(|_| word(&mut rng, 1)).collect();
    let suffixes = ["inc", "ltd", "gmbh", "llc", "corp", "sa", "bv", "plc"];
    let companies: Vec<Company> = (0..(rows / 20).max(10))
        .map(|_| {
            let base = format!("{} {}", word(&mut rng, 1), word(&mut rng, 1));
            let domain = format!("{}.com", base.replace(' ', ""));
            Company {
                name: format!("{base} {}", suffixes[rng.below(suffixes.len())]),
                domain,
                city: rng.zipf(cities.len()),
            }
        })
        .collect();
    let entities = rows * 7 / 10;
    let mut out = Vec::with_capacity(rows);
    let mut truth = Vec::with_capacity(rows);
    let mut used = std::collections::HashSet::new();
    for e in 0..entities {
        let first = firsts[rng.zipf(firsts.len())].clone();
        let last = lasts[rng.zipf(lasts.len())].clone();
        let co = &companies[rng.zipf(companies.len())];
        let local = match rng.below(3) {
            0 => format!("{first}.{last}"),
            1 => format!("{}{last}", &first[..1]),
            _ => format!("{first}{}", rng.below(100)),
        };
        // An address belongs to one person.
        let mut email = format!("{local}@{}", co.domain);
        let mut k = 2;
        while !used.insert(email.clone()) {
            email = format!("{local}{k}@{}", co.domain);
            k += 1;
        }
        out.push(Contact {
            email: Some(email),
            first: Some(first),
            last: Some(last),
            company: Some(co.name.clone()),
            city: Some(cities[co.city].clone()),
            phone: (!rng.chance(0.2)).then(|| format!("{:010}", rng.next() % 10_000_000_000)),
        });
        truth.push(e as u32);
    }
    while out.len() < rows {
        let e = rng.below(entities);
        let mut c = out[e].clone();
        if rng.chance(0.3) {
            c.first = c.first.map(|f| typo(&mut rng, &f));
        }
        if rng.chance(0.05) {
            c.first = None;
        }
        if rng.chance(0.2) {
            c.last = c.last.map(|l| typo(&mut rng, &l));
        }
        if rng.chance(0.3) {
            c.email = None;
        } else if rng.chance(0.15) {
            let (f, l) = (
                c.first.clone().unwrap_or_default(),
                c.last.clone().unwrap_or_default(),
            );
            c.email = Some(format!("{f}.{l}{}@gmail.com", rng.below(100)));
        }
        if rng.chance(0.3) {
            c.phone = None;
        } else if rng.chance(0.1) {
            c.phone = c.phone.map(|p| typo(&mut rng, &p));
        }
        if rng.chance(0.3) {
            c.company = c
                .company
                .map(|n| n.rsplit_once(' ').map_or(n.clone(), |(b, _)| b.to_owned()));
        }
        if rng.chance(0.1) {
            c.company = None;
        }
        if rng.chance(0.1) {
            c.city = None;
        }
        out.push(c);
        truth.push(e as u32);
    }
    (out, truth)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    println!("threads: {}", rayon::current_num_threads());
    let t = Instant::now();
    let (contacts, truth) = generate(rows);
    println!(
        "generate {rows} rows: {:.2}s (not counted)",
        t.elapsed().as_secs_f64()
    );

    let total = Instant::now();
    let t = Instant::now();
    let email_local: Vec<Option<String>> = contacts
        .iter()
        .map(|c| {
            c.email
                .as_ref()
                .and_then(|e| e.split_once('@'))
                .map(|(l, _)| l.to_owned())
        })
        .collect();
    type Get = fn(&Contact) -> &Option<String>;
    let specs: Vec<(&str, Get)> = vec![
        ("first_name", |c| &c.first),
        ("last_name", |c| &c.last),
        ("email", |c| &c.email),
        ("company", |c| &c.company),
        ("city", |c| &c.city),
        ("phone", |c| &c.phone),
    ];
    let mut columns: Vec<Column> = {
        use rayon::prelude::*;
        specs
            .par_iter()
            .map(|(name, get)| Column::strings(*name, contacts.iter().map(|c| get(c).as_deref())))
            .collect()
    };
    columns.push(Column::strings(
        "email_local",
        email_local.iter().map(Option::as_deref),
    ));
    let table = Table::from_columns(vec![0; rows], columns).unwrap();
    let t_table = t.elapsed().as_secs_f64();

    let exact_only = std::env::var("EXACT_ONLY").is_ok();
    let settings = Settings::new(
        LinkType::DedupeOnly,
        vec![
            BlockingRule::on(["email"]),
            BlockingRule::on(["last_name"]).and_prefix("first_name", 2),
            BlockingRule::on(["phone"]),
            BlockingRule::on(["company", "first_name"]),
        ],
        vec![
            Comparison::name("first_name"),
            Comparison::name("last_name"),
            Comparison::new("email")
                .level(Level::exact())
                .level(Level::exact().on("email_local"))
                .level(Level::jaro_winkler(0.88).on("email_local")),
            Comparison::new("company")
                .level(Level::exact().with_tf_adjustment())
                .level(Level::token_set(0.9))
                .level(Level::jaccard(0.5)),
            Comparison::exact("city"),
            Comparison::new("phone")
                .level(Level::exact())
                .level(Level::levenshtein(1)),
        ],
    );
    let mut settings = settings;
    if exact_only {
        for c in &mut settings.comparisons {
            c.levels.retain(|l| matches!(l, Level::Exact { .. }));
        }
    }
    let t = Instant::now();
    let linker = Linker::new(&table, settings).unwrap();
    let t_compile = t.elapsed().as_secs_f64();
    let candidates = linker.block().unwrap();
    let rep = candidates.report();
    let (params, training) = linker.train(&candidates).unwrap();
    let predictions = linker.predict(&candidates, &params).unwrap();

    let t = Instant::now();
    let mut parent: Vec<u32> = (0..rows as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for s in predictions.iter().filter(|s| s.match_probability >= 0.9) {
        let (a, b) = (find(&mut parent, s.left), find(&mut parent, s.right));
        if a != b {
            parent[a.max(b) as usize] = a.min(b);
        }
    }
    let labels: Vec<u32> = (0..rows as u32).map(|x| find(&mut parent, x)).collect();
    let t_cluster = t.elapsed().as_secs_f64();
    let wall = total.elapsed().as_secs_f64();

    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let mut cells: HashMap<(u32, u32), u64> = HashMap::new();
    let mut by_c: HashMap<u32, u64> = HashMap::new();
    let mut by_e: HashMap<u32, u64> = HashMap::new();
    for (&c, &e) in labels.iter().zip(&truth) {
        *cells.entry((c, e)).or_default() += 1;
        *by_c.entry(c).or_default() += 1;
        *by_e.entry(e).or_default() += 1;
    }
    let tp: u64 = cells.values().map(|&n| pairs(n)).sum();
    let pred: u64 = by_c.values().map(|&n| pairs(n)).sum();
    let tru: u64 = by_e.values().map(|&n| pairs(n)).sum();
    let (p, r) = (
        tp as f64 / pred.max(1) as f64,
        tp as f64 / tru.max(1) as f64,
    );

    println!("table build (intern 7 columns)   {t_table:>7.2}s");
    println!("compile settings                 {t_compile:>7.2}s");
    println!(
        "blocking                         {:>7.2}s  {} candidate pairs",
        rep.blocking_seconds, rep.candidate_pairs
    );
    for r in &rep.rules {
        println!(
            "    {:<32} produced {:>10} new {:>10} capped blocks {} ({} records)",
            r.name, r.pairs_produced, r.pairs_new, r.blocks_capped, r.records_in_capped_blocks
        );
    }
    println!(
        "comparison vectors               {:>7.2}s  {:.2} M pairs/s",
        rep.comparing_seconds,
        rep.candidate_pairs as f64 / rep.comparing_seconds / 1e6
    );
    println!(
        "train: u sample                  {:>7.2}s  {} pairs",
        training.u.seconds, training.u.pairs
    );
    println!(
        "train: EM sessions + prior       {:>7.2}s  prior {:.3e}",
        training.seconds - training.u.seconds,
        params.probability_two_random_records_match
    );
    for s in &training.sessions {
        println!(
            "    {:<32} {:?} λ {:.4} iterations {} converged {}",
            s.rule, s.status, s.lambda, s.iterations, s.converged
        );
    }
    println!(
        "predict                          {:>7.2}s  {} kept of {}",
        predictions.seconds,
        predictions.len(),
        predictions.pairs_scored
    );
    println!("cluster (union-find at 0.9)      {t_cluster:>7.2}s");
    println!("TOTAL wall (table..cluster)      {wall:>7.2}s");
    println!("peak RSS                         {:>7.0} MB", peak_rss_mb());
    println!("pairwise precision {p:.4} recall {r:.4} (threshold 0.9)");
    if std::env::var("SHOW_ERRORS").is_ok() {
        let mut shown = 0;
        for s in predictions.iter() {
            if s.match_probability >= 0.9 && truth[s.left as usize] != truth[s.right as usize] {
                println!(
                    "{}",
                    linker
                        .explain_pair(&params, s.left, s.right)
                        .unwrap()
                        .render()
                );
                shown += 1;
                if shown == 4 {
                    break;
                }
            }
        }
        println!("{}", params.to_json().unwrap());
    }
}
