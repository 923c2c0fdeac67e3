//! The CLI's progress bar over frames, on stderr, shown only on a terminal and never with
//! --quiet/--no-progress.

use crate::ops::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::OnceLock;

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
