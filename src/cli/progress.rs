//! A progress bar on stderr, shown only on a terminal and never with --quiet/--no-progress.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A bar over `total` frames, hidden when not wanted.
pub fn frames_bar(total: usize, wanted: bool) -> ProgressBar {
    let show = wanted && std::io::stderr().is_terminal();
    let bar = ProgressBar::with_draw_target(Some(total as u64), if show { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() });
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} frames ({eta})").unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "));
    bar.set_message("detecting");
    bar
}
