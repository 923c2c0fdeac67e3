//! Synthetic storms (in progress)
use crate::error::Result;
/// Options.
pub struct DemoOptions { pub dir: std::path::PathBuf, pub seed: u64, pub frames: usize, pub storms: usize, pub threads: Option<usize>, pub quiet: bool }
/// Run.
pub fn run_demo(_o: &DemoOptions) -> Result<()> { todo!() }
