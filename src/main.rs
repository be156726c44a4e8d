//! The `candour` binary: parses the command line and runs one subcommand.
//! Errors are printed as one sentence naming what failed and why; no panics.

use candour::cli;
use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("candour: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("candour: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
