//! The `stormtrack` command line. A thin adapter: it parses and validates options, then calls
//! the library. Every failure is one line on stderr and exit code 2.

mod args;
mod commands;
mod progress;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info.payload().downcast_ref::<&str>().map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        let loc = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("stormtrack: internal error: {msg}{loc}; please report it with the command that caused it");
    }));
    let cli = match args::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
                let _ = e.print();
                return ExitCode::SUCCESS;
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
            return ExitCode::from(2);
        }
    };
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("stormtrack: error: {e}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(70),
    }
}
