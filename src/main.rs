//! The `candour` binary: parses the command line and runs one subcommand.
//! Errors are printed as one sentence naming what failed and why; no panics.

use candour::cli;
use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    if matches!(args.command, cli::Command::Serve(_)) {
        one_allocator_arena();
    }
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

/// The server runs with glibc's allocator keeping one arena
/// (`MALLOC_ARENA_MAX=1`) unless the operator chose otherwise: with one
/// arena per thread (glibc's default, up to eight a core) memory a big
/// report freed stays with the thread that freed it, and the server held
/// about twice what it uses. glibc reads the setting only as a program
/// starts, so `serve` starts itself again once with it (the same process,
/// arguments and name). See docs/BENCHMARKS.md.
#[cfg(target_os = "linux")]
fn one_allocator_arena() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let mut args = std::env::args_os();
    let name = args.next().unwrap_or_else(|| "candour".into());
    let err = std::process::Command::new("/proc/self/exe")
        .arg0(name)
        .args(args)
        .env("MALLOC_ARENA_MAX", "1")
        .exec();
    // Only reached if the program could not be started again: go on as is.
    eprintln!("candour: could not restart with one allocator arena ({err}); going on");
}

#[cfg(not(target_os = "linux"))]
fn one_allocator_arena() {}
