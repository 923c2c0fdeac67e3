//! The `stormtrack` binary: the command line of `stormtrack::cli`.

use std::process::ExitCode;

/// Keep freed memory for reuse instead of handing it back to the kernel. Every frame needs a
/// few buffers of several MB (the extended grid, labels, spline coefficients); by default
/// glibc maps each anew and returns it on free, so every frame paid for page faults on fresh
/// zero pages (a fifth of the run at 0.25 degrees). Peak memory is unchanged: the same
/// buffers are reused.
#[cfg(target_env = "gnu")]
fn keep_freed_memory() {
    // mallopt parameters of glibc's malloc.h
    const M_TRIM_THRESHOLD: libc::c_int = -1;
    const M_MMAP_THRESHOLD: libc::c_int = -3;
    // SAFETY: mallopt only changes allocator tuning; called before any other thread exists.
    unsafe {
        libc::mallopt(M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(M_TRIM_THRESHOLD, 1 << 30);
    }
}

fn main() -> ExitCode {
    #[cfg(target_env = "gnu")]
    keep_freed_memory();
    // `stormtrack compare a b | head -2`: end quietly when the reader goes away, as Unix tools
    // do, instead of failing to print (Rust ignores SIGPIPE by default).
    #[cfg(unix)]
    // SAFETY: restoring a signal's default disposition, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        if stormtrack::error::panic_is_guarded() {
            return; // a reader's panic on a corrupt file, reported as its error
        }
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
