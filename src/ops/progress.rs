//! Progress of long runs over frames. The CLI draws a bar, Python calls back; the operations
//! only report.

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

/// Run `work` between `start(total)` and `finish()`, handing it the callback the pipeline
/// functions take.
pub(crate) fn reporting<T>(progress: &dyn Progress, total: usize, work: impl FnOnce(&(dyn Fn(usize) + Sync)) -> T) -> T {
    progress.start(total);
    let out = work(&|n| progress.set(n));
    progress.finish();
    out
}
