//! Micro benchmark of the string measures: ns per call on name-like pairs.
//! `cargo run --release -p firmlink-linkage --example measures`

use std::hint::black_box;
use std::time::Instant;

use firmlink_linkage::similarity as s;

fn main() {
    let words = [
        "mitchell",
        "michell",
        "green",
        "grene",
        "harley",
        "mccarthy",
        "maccarthy",
        "madeline",
        "madaline",
        "isabelle",
        "isabel",
        "pridham street",
        "pridhamstreet",
        "wallaby place",
        "1804974",
        "1804947",
        "19560409",
        "19560490",
        "acme widgets ltd",
        "acme ltd",
    ];
    let pairs: Vec<(&str, &str)> = words
        .iter()
        .flat_map(|a| words.iter().map(move |b| (*a, *b)))
        .filter(|(a, b)| a != b)
        .collect();
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20_000);
    let bench = |name: &str, f: &dyn Fn(&str, &str) -> f64| {
        let t = Instant::now();
        let mut acc = 0.0;
        for _ in 0..reps {
            for &(a, b) in &pairs {
                acc += f(black_box(a), black_box(b));
            }
        }
        let ns = t.elapsed().as_nanos() as f64 / (reps * pairs.len()) as f64;
        println!("{name:<28} {ns:8.1} ns/pair   (checksum {acc:.1})");
    };
    bench("jaro_winkler", &|a, b| s::jaro_winkler(a, b));
    bench("jaro_winkler >= 0.88", &|a, b| {
        s::jaro_winkler_at_least(a, b, 0.88).unwrap_or(0.0)
    });
    bench("jaro", &|a, b| s::jaro(a, b));
    bench("levenshtein <= 2", &|a, b| {
        s::levenshtein_at_most(a, b, 2).map_or(9.0, |d| d as f64)
    });
    bench("osa <= 2", &|a, b| {
        s::osa_at_most(a, b, 2).map_or(9.0, |d| d as f64)
    });
    bench("damerau <= 2", &|a, b| {
        s::damerau_levenshtein_at_most(a, b, 2).map_or(9.0, |d| d as f64)
    });
    bench("strsim jaro_winkler", &|a, b| strsim::jaro_winkler(a, b));
    bench("strsim damerau", &|a, b| {
        strsim::damerau_levenshtein(a, b) as f64
    });
    bench("strsim osa", &|a, b| strsim::osa_distance(a, b) as f64);
    bench("jaccard", &|a, b| s::jaccard(a, b));
    bench("token_set_ratio", &|a, b| s::token_set_ratio(a, b));
}
