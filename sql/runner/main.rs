//! Runs `sql/test/*.slt` through DataFusion's sqllogictest engine, in a session with every
//! stormtrack function registered and the fixture dataset `sql/data/tracks` as the tables
//! `centers`, `track_points` and `tracks`.
//!
//! `cargo test -p stormtrack-sqllogictests` runs them all; a free argument filters files by
//! name; `-- --complete` rewrites the expected results from the actual ones (review the diff).

use datafusion::prelude::SessionContext;
use datafusion_sqllogictest::{DFSqlLogicTestError, DataFusion, df_value_validator, value_normalizer};
use indicatif::ProgressBar;
use sqllogictest::strict_column_validator;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

async fn context(root: &Path) -> datafusion::common::Result<SessionContext> {
    let ctx = SessionContext::new();
    stormtrack::sql::register_all(&ctx);
    stormtrack::sql::register_tracks(&ctx, root.join("data/tracks")).await?;
    Ok(ctx)
}

#[tokio::main]
async fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let complete = args.iter().any(|a| a == "--complete");
    let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("test"))
        .expect("sql/test exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "slt"))
        .collect();
    files.sort();
    let mut failures = 0;
    let mut ran = 0;
    for file in files {
        let rel = file.strip_prefix(root).expect("under sql/").to_path_buf();
        if filter.as_ref().is_some_and(|f| !rel.to_string_lossy().contains(f.as_str())) {
            continue;
        }
        ran += 1;
        let ctx = match context(root).await {
            Ok(c) => c,
            Err(e) => {
                println!("FAIL {}: cannot build the session: {e}", rel.display());
                failures += 1;
                continue;
            }
        };
        let (c, r) = (ctx.clone(), rel.clone());
        let mut runner = sqllogictest::Runner::new(move || {
            let (ctx, rel) = (c.clone(), r.clone());
            async move { Ok::<_, DFSqlLogicTestError>(DataFusion::new(ctx, rel, ProgressBar::hidden())) }
        });
        runner.with_column_validator(strict_column_validator);
        runner.with_normalizer(value_normalizer);
        runner.with_validator(df_value_validator);
        let result = if complete {
            runner.update_test_file(&file, " ", df_value_validator, value_normalizer, strict_column_validator).await.map_err(|e| e.to_string())
        } else {
            runner.run_file_async(&file).await.map_err(|e| e.to_string())
        };
        match result {
            Ok(()) => println!("ok   {}", rel.display()),
            Err(e) => {
                failures += 1;
                println!("FAIL {}:\n{e}", rel.display());
            }
        }
    }
    println!("sqllogictests: {ran} files, {failures} failed");
    if failures > 0 || ran == 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
