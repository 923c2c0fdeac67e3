//! Progress of long runs. The CLI draws a bar on stderr, shown only on a terminal and never
//! with --quiet/--no-progress; the Python package reports to a callback instead.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::OnceLock;

/// Receives progress over frames. `set` is called from worker threads.
pub trait Progress: Sync {
    /// The run will process `total` frames.
    fn start(&self, total: usize);
    /// `done` frames are finished.
    fn set(&self, done: usize);
    /// The run is over (success or not).
    fn finish(&self);
}

/// No progress report.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: usize) {}
    fn set(&self, _done: usize) {}
    fn finish(&self) {}
}

/// The CLI's bar over frames, hidden when not wanted or not on a terminal.
pub struct BarProgress {
    wanted: bool,
    bar: OnceLock<ProgressBar>,
}

impl BarProgress {
    pub fn new(wanted: bool) -> Self {
        BarProgress { wanted, bar: OnceLock::new() }
    }
}

impl Progress for BarProgress {
    fn start(&self, total: usize) {
        let show = self.wanted && std::io::stderr().is_terminal();
        let bar = ProgressBar::with_draw_target(Some(total as u64), if show { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() });
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} frames ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message("detecting");
        let _ = self.bar.set(bar);
    }

    fn set(&self, done: usize) {
        if let Some(b) = self.bar.get() {
            b.set_position(done as u64);
        }
    }

    fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}
