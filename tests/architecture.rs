//! The rules of docs/architecture.md that a reader of the source can check: library errors name
//! options by field name, never by a CLI flag, and no front end imports another.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Code lines (comments dropped) of every Rust file under `src/<dir>`, with where they are.
fn code_lines(dir: &str) -> Vec<(String, usize, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let name = f.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string();
        for (k, line) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
            let t = line.trim_start();
            // unit tests close a file and may speak of any front end
            if t.starts_with("#[cfg(test)]") || t.starts_with("#[cfg(all(test") {
                break;
            }
            if !(t.starts_with("//") || t.is_empty()) {
                out.push((name.clone(), k + 1, line.to_string()));
            }
        }
    }
    out
}

/// A `--flag` inside a string literal of the line, if any.
fn flag_in_string(line: &str) -> Option<String> {
    let mut in_string = false;
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'"' && (i == 0 || b[i - 1] != b'\\') {
            in_string = !in_string;
        } else if in_string && c == b'-' && b.get(i + 1) == Some(&b'-') && b.get(i + 2).is_some_and(u8::is_ascii_lowercase) {
            let end = b[i + 2..].iter().position(|c| !(c.is_ascii_lowercase() || *c == b'-')).map_or(b.len(), |n| i + 2 + n);
            return Some(line[i..end].to_string());
        }
    }
    None
}

#[test]
fn library_errors_name_options_by_field_name() {
    let mut found = Vec::new();
    for (file, line_no, line) in code_lines("") {
        if file.starts_with("src/cli/") {
            continue;
        }
        // the NetCDF `history` attribute records the equivalent command line on purpose
        if line.contains("history") || line.contains("stormtrack spectral -i") || line.contains("stormtrack vorticity -i") {
            continue;
        }
        if let Some(flag) = flag_in_string(&line) {
            found.push(format!("{file}:{line_no}: {flag}"));
        }
    }
    assert!(found.is_empty(), "CLI flags in library strings (name the option `field_name` instead):\n{}", found.join("\n"));
}

#[test]
fn front_ends_do_not_import_each_other() {
    let front_ends = ["cli", "python", "polars", "sql"];
    let mut found = Vec::new();
    for fe in front_ends {
        for (file, line_no, line) in code_lines(fe) {
            for other in front_ends.iter().filter(|o| **o != fe) {
                // the extension module may run the command line as the wheel's program (its Dask
                // workers parse the same command line), and the command line's `sql` command
                // runs the SQL front end
                let program = ["crate::cli::main_from", "crate::cli::main_with", "crate::cli::detect_block_from"];
                let allowed = (fe == "python" && *other == "cli" && program.iter().any(|p| line.contains(p)))
                    || (fe == "cli" && *other == "sql" && file.ends_with("cli/sql.rs"));
                // the Python extension hands the Polars and SQL functions over as plugins and capsules
                let plugin = fe == "python" && (*other == "polars" || *other == "sql");
                if line.contains(&format!("crate::{other}::")) && !allowed && !plugin {
                    found.push(format!("{file}:{line_no}: {}", line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "a front end imports another:\n{}", found.join("\n"));
}

#[test]
fn the_operations_know_no_front_end() {
    let mut found = Vec::new();
    for (file, line_no, line) in code_lines("ops") {
        for fe in ["cli", "python", "polars", "sql", "clap", "pyo3"] {
            if line.contains(&format!("crate::{fe}::")) || line.contains(&format!("use {fe}::")) {
                found.push(format!("{file}:{line_no}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "src/ops imports a front end:\n{}", found.join("\n"));
}
