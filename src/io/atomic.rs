//! Atomic output: write to a temporary sibling, then rename into place.

use crate::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A temporary sibling of `path`, unique to this process: `.<name>.tmp-<pid>`.
pub fn temp_sibling(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parent.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// Check, before any long work, that `path` can be created: its parent directory exists and
/// is writable, and `path` itself is not a directory (for a file output).
pub fn check_writable_file(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Unwritable { path: path.into(), detail: "it is a directory".into() });
    }
    check_parent(path)
}

/// Check that the parent directory of `path` exists and accepts new files.
pub fn check_parent(path: &Path) -> Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::Unwritable { path: path.into(), detail: format!("directory {} does not exist", parent.display()) });
    }
    let probe = temp_sibling(path).with_extension("probe");
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(Error::Unwritable { path: path.into(), detail: e.to_string() }),
    }
}

/// Write a file through `f` atomically. On any error the temporary file is removed.
pub fn write_file<F>(path: &Path, f: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let tmp = temp_sibling(path);
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(|e| Error::Unwritable { path: path.into(), detail: e.to_string() })?;
        let mut w = BufWriter::new(file);
        f(&mut w).map_err(|e| Error::io(path, e))?;
        w.flush().map_err(|e| Error::io(path, e))?;
        w.get_ref().sync_all().map_err(|e| Error::io(path, e))?;
        drop(w);
        std::fs::rename(&tmp, path).map_err(|e| Error::Unwritable { path: path.into(), detail: e.to_string() })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
