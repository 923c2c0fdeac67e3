//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/<rel>` beside the repository, or `None` (with a message) when it is absent, so
/// that the suite still runs where the shared data is not available.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found (shared data is not beside the repository)", p.display());
        None
    }
}

/// A reference file of the repository's own `tests/data/reference`, decompressed.
pub fn reference_gz(name: &str) -> String {
    use std::io::Read;
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference").join(name);
    let f = std::fs::File::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut s = String::new();
    flate2::read::GzDecoder::new(f).read_to_string(&mut s).unwrap();
    s
}

/// Write with a writer of `stormtrack::io` into a string.
pub fn to_string(f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut buf: Vec<u8> = Vec::new();
    f(&mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

/// Lines that differ between two texts, for readable failures (at most `max`).
pub fn diff_lines(a: &str, b: &str, max: usize) -> Vec<String> {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut out = Vec::new();
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i).copied().unwrap_or("<none>"), lb.get(i).copied().unwrap_or("<none>"));
        if x != y {
            out.push(format!("line {}: ours {x:?} / peer {y:?}", i + 1));
            if out.len() >= max {
                break;
            }
        }
    }
    out
}

/// Held while a test writes or has a NetCDF file open in this process and while it spawns the
/// binary. libhdf5 opens files without close-on-exec and locks them with flock(); a child
/// spawned while another test thread has a file open would inherit that lock and make the
/// file unreadable to the next child for as long as it runs.
pub static NC_FILES: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn nc_lock() -> std::sync::MutexGuard<'static, ()> {
    NC_FILES.lock().unwrap_or_else(|p| p.into_inner())
}

/// Run the `stormtrack` binary of this build.
pub fn stormtrack(args: &[&str]) -> std::process::Output {
    let child = {
        let _guard = nc_lock();
        std::process::Command::new(env!("CARGO_BIN_EXE_stormtrack"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs")
    };
    child.wait_with_output().expect("runs")
}

/// Exit code 2, one line on stderr naming every needle, as every bad input must give.
pub fn assert_fails(o: &std::process::Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    for n in needles {
        assert!(err.contains(n), "{err:?} lacks {n:?}");
    }
}

/// Success, or a panic with the command's stderr.
pub fn assert_ok(o: &std::process::Output) {
    assert!(o.status.success(), "stderr: {}", String::from_utf8_lossy(&o.stderr));
}
