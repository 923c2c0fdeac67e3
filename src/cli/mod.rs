//! The `stormtrack` command line. A thin adapter: it parses its arguments into the options of
//! an operation ([`crate::ops`]) and runs it. Every failure is one line on stderr and exit
//! code 2, with the options named by their flags.

pub mod args;
mod commands;
mod grid;
mod metrics;
#[cfg(feature = "plot")]
mod pictures;
mod progress;
#[cfg(feature = "datafusion")]
mod sql;
mod track_files;

use clap::{CommandFactory, Parser};
use std::collections::BTreeSet;
use std::ffi::OsString;

/// Run the command line on `args` (the program name first) and return the exit code: 0 on
/// success, 2 for any error (one line on stderr), 70 for an internal error. Used by the
/// `stormtrack` binary and by the Python package's `stormtrack` script.
pub fn main_from(args: Vec<OsString>) -> u8 {
    main_with(args, None)
}

/// [`main_from`], with `runner` detecting the frames of `--dask-scheduler` runs (the Python
/// package's Dask adapter; docs/distributed.md).
pub fn main_with(args: Vec<OsString>, runner: Option<&dyn crate::ops::distributed::BlockRunner>) -> u8 {
    let cli = match args::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
                let _ = e.print();
                return 0;
            }
            // clap's message spans lines (names of missing arguments, tips, usage): keep the
            // message and its details on one line, drop the usage block
            let text = e.render().to_string();
            let parts: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let message = parts.join(" ").trim_start_matches("error: ").to_string();
            eprintln!("stormtrack: error: {message} (see stormtrack --help)");
            return 2;
        }
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| commands::run(cli, runner))) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            eprintln!("stormtrack: error: {}", e.message_with(&flag_of));
            2
        }
        Err(_) => 70,
    }
}

/// The flag of an option field name (`max_link_km` -> `--max-link-km`), when some command has
/// it; the library names options by their field names ([`crate::Error::message_with`]).
fn flag_of(name: &str) -> Option<String> {
    static FLAGS: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    let flags = FLAGS.get_or_init(|| {
        let mut set = BTreeSet::new();
        let cli = args::Cli::command();
        for sub in cli.get_subcommands() {
            set.extend(sub.get_arguments().filter_map(|a| a.get_long()).map(str::to_string));
        }
        set
    });
    let long = match name {
        "outputs" => "output".to_string(),
        "reports" => "output-report".to_string(),
        other => other.replace('_', "-"),
    };
    flags.contains(&long).then(|| format!("--{long}"))
}

/// What a Dask worker of `stormtrack track|detect ... --dask-scheduler` runs: frames `frames`
/// of the command line's input detected with its options, as one block's Arrow IPC bytes; an
/// error is the one line the command would print.
pub fn detect_block_from(args: Vec<OsString>, frames: std::ops::Range<usize>) -> Result<Vec<u8>, String> {
    let cli = args::Cli::try_parse_from(args).map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())?;
    let (field, detection) = commands::block_options(cli).map_err(|e| e.message_with(&flag_of))?;
    crate::ops::distributed::detect_block(&field, &detection, frames, 0).map_err(|e| e.message_with(&flag_of))
}
