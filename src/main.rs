//! The `stormtrack` binary: the command line of `stormtrack::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        let loc = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("stormtrack: internal error: {msg}{loc}; please report it with the command that caused it");
    }));
    ExitCode::from(stormtrack::cli::main_from(std::env::args_os().collect()))
}
