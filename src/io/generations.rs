//! Generations of a dataset directory: every write is a new, complete generation made visible
//! by one atomic rename, under a writer lock (docs/formats.md#atomic-datasets).
//!
//! ```text
//! <dir>/.lock                          flock(2) held by the one writer
//! <dir>/.generations/g000007/          a complete dataset (descriptor and three tables)
//! <dir>/.current -> .generations/g000007   switched by rename(2): the commit point
//! <dir>/_stormtrack.json -> .current/_stormtrack.json
//! <dir>/centers -> .current/centers   (and track_points, tracks): fixed links, so that every
//!                                      engine reading <dir>/<table>/ sees the current generation
//! ```
//! A process killed at any moment leaves either the old `.current` or the new one; an
//! unfinished generation is never linked and is removed by the next writer. The previous
//! generation is kept until the next write, so a reader that resolved `.current` just before a
//! switch finishes on the snapshot it started with ([`snapshot`]).

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The symbolic link naming the current generation.
pub const CURRENT: &str = ".current";
/// The directory holding the generations.
pub const GENERATIONS: &str = ".generations";
/// The writer's lock file.
pub const LOCK: &str = ".lock";

/// The directory a reader should read: the current generation of a dataset written with
/// generations (resolved once, so the whole read sees one snapshot), else `dir` itself.
pub fn snapshot(dir: &Path) -> PathBuf {
    match std::fs::read_link(dir.join(CURRENT)) {
        Ok(target) => dir.join(target),
        Err(_) => dir.to_path_buf(),
    }
}

/// The exclusive writer lock of a dataset, released when dropped or when the process dies.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

impl WriterLock {
    /// Take the lock of `dir` (created if needed), or fail at once when another process holds it.
    pub fn acquire(dir: &Path) -> Result<WriterLock> {
        let path = dir.join(LOCK);
        let file =
            File::options().create(true).truncate(false).write(true).open(&path).map_err(|e| Error::Unwritable { path: dir.into(), detail: e.to_string() })?;
        match file.try_lock() {
            Ok(()) => Ok(WriterLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Unwritable {
                path: dir.into(),
                detail: format!("another process is writing this dataset (it holds {}); wait for it to finish", path.display()),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::Unwritable { path: dir.into(), detail: format!("cannot lock {}: {e}", path.display()) }),
        }
    }
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix('g').and_then(|n| n.parse().ok())
}

/// The generation `.current` points to, if any.
pub fn current_generation(dir: &Path) -> Option<u64> {
    let target = std::fs::read_link(dir.join(CURRENT)).ok()?;
    generation_number(&target.file_name()?.to_string_lossy())
}

fn generations(dir: &Path) -> Vec<u64> {
    let Ok(entries) = std::fs::read_dir(dir.join(GENERATIONS)) else { return Vec::new() };
    let mut out: Vec<u64> = entries.filter_map(|e| e.ok()).filter_map(|e| generation_number(&e.file_name().to_string_lossy())).collect();
    out.sort_unstable();
    out
}

fn relative(n: u64) -> PathBuf {
    Path::new(GENERATIONS).join(format!("g{n:06}"))
}

fn unwritable(dir: &Path, e: impl ToString) -> Error {
    Error::Unwritable { path: dir.into(), detail: e.to_string() }
}

/// A new, empty generation directory to fill (numbered after every existing one, so an
/// unfinished generation of a killed writer is never reused). Call it holding the lock: it
/// first removes what killed writers left (unfinished generations after the current one,
/// older ones a killed commit did not collect), keeping the current one and the one before.
pub fn new_generation(dir: &Path) -> Result<(u64, PathBuf)> {
    let all = generations(dir);
    let current = current_generation(dir);
    let previous = current.and_then(|c| all.iter().rev().find(|&&g| g < c).copied());
    if let Some(c) = current {
        collect_garbage(dir, c, previous);
    } else {
        // generation 0 holds the tables of a dataset written before generations (adopt_legacy)
        all.iter().filter(|&&g| g > 0).for_each(|&g| {
            let _ = std::fs::remove_dir_all(dir.join(relative(g)));
        });
    }
    let n = all.last().copied().unwrap_or(0) + 1;
    let path = dir.join(relative(n));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).map_err(|e| unwritable(dir, e))?;
    Ok((n, path))
}

/// Make generation `n` (complete and synced) current: one rename of a symbolic link. Then make
/// sure the fixed links exist and remove generations older than the one just replaced.
pub fn commit(dir: &Path, n: u64, entries: &[&str]) -> Result<()> {
    let previous = current_generation(dir);
    sync_dir(&dir.join(relative(n)));
    sync_dir(&dir.join(GENERATIONS));
    replace_symlink(dir, CURRENT, &relative(n))?;
    sync_dir(dir);
    for name in entries {
        let link = Path::new(CURRENT).join(name);
        if std::fs::read_link(dir.join(name)).ok().as_deref() != Some(link.as_path()) {
            replace_symlink(dir, name, &link)?;
        }
    }
    sync_dir(dir);
    collect_garbage(dir, n, previous);
    Ok(())
}

/// Point `dir/name` at `target` atomically: a temporary link renamed over the old entry.
fn replace_symlink(dir: &Path, name: &str, target: &Path) -> Result<()> {
    let tmp = dir.join(format!(".{}.link-{}", name.trim_start_matches('.'), std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(|e| unwritable(dir, e))?;
    std::fs::rename(&tmp, dir.join(name)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        unwritable(dir, e)
    })
}

/// Remove every generation but `keep` and `previous` (which readers may still be reading).
fn collect_garbage(dir: &Path, keep: u64, previous: Option<u64>) {
    for g in generations(dir) {
        if g != keep && Some(g) != previous {
            let _ = std::fs::remove_dir_all(dir.join(relative(g)));
        }
    }
}

/// Flush a directory's entries to disk (so a rename survives a power loss, not only a kill).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Move the entries of a dataset written before generations into generation 0, so that the
/// next commit can link over them. Not atomic against concurrent readers (done once per old
/// dataset); a kill part-way leaves entries in generation 0 that the next writer finishes moving.
pub fn adopt_legacy(dir: &Path, entries: &[&str]) -> Result<()> {
    let legacy = dir.join(relative(0));
    for name in entries {
        let p = dir.join(name);
        if p.exists() && !p.is_symlink() {
            std::fs::create_dir_all(&legacy).map_err(|e| unwritable(dir, e))?;
            std::fs::rename(&p, legacy.join(name)).map_err(|e| unwritable(dir, e))?;
        }
    }
    Ok(())
}
