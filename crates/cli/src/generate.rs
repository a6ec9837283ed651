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
    /// Print the full summary as JSON.
    #[arg(long)]
    json: bool,
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
            use std::io::Write;
            let text = if args.json {
                serde_json::to_string_pretty(&summary).expect("serializable")
            } else {
                let mut text = format!("wrote {}\n", args.output.display());
                for f in &summary.files {
                    text.push_str(&format!("  {:<34} {:>9} rows\n", f.file, f.rows));
                }
                text.push_str(&format!(
                    "  truth files in {0}/truth/; details in {0}/README.md",
                    args.output.display()
                ));
                text
            };
            // A closed pipe (e.g. `| head`) is not worth a panic.
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(5)
        }
    }
}
