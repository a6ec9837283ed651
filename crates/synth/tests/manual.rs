//! Manual runs: `SYNTH_OUT=/tmp/x SYNTH_ACCOUNTS=42000 SYNTH_CPA=15 cargo test -p firmlink-synth --release --test manual -- --ignored --nocapture`

use std::time::Instant;

use firmlink_synth::{GenerateOptions, generate};

#[test]
#[ignore = "writes a data set of the size given in SYNTH_ACCOUNTS / SYNTH_CPA to SYNTH_OUT"]
fn generate_to_folder() {
    let out = std::env::var("SYNTH_OUT").expect("SYNTH_OUT");
    let mut opts = GenerateOptions::default();
    if let Ok(n) = std::env::var("SYNTH_ACCOUNTS") {
        opts.accounts = n.parse().expect("SYNTH_ACCOUNTS");
    }
    if let Ok(c) = std::env::var("SYNTH_CPA") {
        opts.contacts_per_account = c.parse().expect("SYNTH_CPA");
    }
    if let Ok(r) = std::env::var("SYNTH_DEFECTS") {
        opts.defect_rate = r.parse().expect("SYNTH_DEFECTS");
    }
    if let Ok(s) = std::env::var("SYNTH_SEED") {
        opts.seed = s.parse().expect("SYNTH_SEED");
    }
    let t = Instant::now();
    let summary = generate(&opts, std::path::Path::new(&out)).expect("generate");
    let secs = t.elapsed().as_secs_f64();
    println!("{}", serde_json::to_string_pretty(&summary).expect("json"));
    println!("generated in {secs:.2} s");
}
