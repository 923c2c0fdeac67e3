//! The `stormtrack` command line. A thin adapter: it parses and validates options, then calls
//! the library. Every failure is one line on stderr and exit code 2.

pub mod args;
pub mod commands;
mod grid;
pub mod hodges;
pub mod metrics;
pub mod progress;
#[cfg(feature = "datafusion")]
mod sql;
pub mod track_files;

use clap::Parser;
use std::ffi::OsString;

/// Run the command line on `args` (the program name first) and return the exit code: 0 on
/// success, 2 for any error (one line on stderr), 70 for an internal error. Used by the
/// `stormtrack` binary and by the Python package's `stormtrack` script.
pub fn main_from(args: Vec<OsString>) -> u8 {
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
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            eprintln!("stormtrack: error: {e}");
            2
        }
        Err(_) => 70,
    }
}
