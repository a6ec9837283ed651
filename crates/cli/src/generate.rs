//! `firmlink generate`: synthetic data with ground truth.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Number of true companies (subsidiaries included).
    #[arg(long, default_value_t = 300)]
    accounts: usize,
    /// Random seed: the same seed gives byte-identical output.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Mean number of people per company.
    #[arg(long)]
    contacts_per_account: Option<f64>,
    /// Do not inject deliberately broken rows.
    #[arg(long)]
    no_defects: bool,
    /// Output folder (created if missing).
    #[arg(long)]
    output: PathBuf,
}

pub fn main(args: &Args) -> ExitCode {
    let mut opts = firmlink_synth::GenerateOptions {
        accounts: args.accounts,
        seed: args.seed,
        ..Default::default()
    };
    if let Some(c) = args.contacts_per_account {
        opts.contacts_per_account = c;
    }
    if args.no_defects {
        opts.defect_rate = 0.0;
    }
    match firmlink_synth::generate(&opts, &args.output) {
        Ok(summary) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&summary).expect("serializable")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(5)
        }
    }
}
