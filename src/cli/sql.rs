//! `stormtrack sql`: DataFusion over a tracks dataset, with stormtrack's functions.

use super::args::SqlArgs;
use crate::error::{Error, Result};
use crate::io::atomic;
use arrow::array::RecordBatch;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use datafusion::sql::parser::DFParser;
use std::path::Path;

pub fn run(a: SqlArgs) -> Result<()> {
    // everything that needs no query first
    let text = match (&a.query, &a.file) {
        (Some(q), _) => q.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::option("--file", format!("{} does not exist", f.display())),
            _ => Error::io(f, e),
        })?,
        (None, None) => return Err(Error::option("QUERY", "give a query or --file")),
    };
    let output_kind = match &a.output {
        None => None,
        Some(p) => {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if !["parquet", "csv", "json"].contains(&ext.as_str()) {
                return Err(Error::option("--output", format!("{}: the suffix must be .parquet, .csv or .json", p.display())));
            }
            atomic::check_writable_file(p)?;
            Some(ext)
        }
    };
    let mut tables = Vec::new();
    for t in &a.tables {
        let (name, path) =
            t.split_once('=').filter(|(n, p)| !n.is_empty() && !p.is_empty()).ok_or_else(|| Error::option("--table", format!("'{t}' is not NAME=PATH")))?;
        if !Path::new(path).exists() {
            return Err(Error::option("--table", format!("{path} does not exist")));
        }
        tables.push((name.to_string(), path.to_string()));
    }
    let statements = DFParser::parse_sql(&text).map_err(|e| Error::Sql(e.to_string()))?;
    if statements.is_empty() {
        return Err(Error::option("QUERY", "contains no SQL statement"));
    }

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Error::Sql(e.to_string()))?;
    let batches: Vec<RecordBatch> = rt.block_on(async {
        let ctx = SessionContext::new();
        crate::sql::register_all(&ctx);
        if let Some(dir) = &a.tracks {
            crate::sql::register_tracks(&ctx, dir).await?;
        }
        for (name, path) in &tables {
            ctx.register_parquet(name.as_str(), path.as_str(), ParquetReadOptions::default()).await?;
        }
        let mut last = Vec::new();
        for st in statements {
            let plan = ctx.state().statement_to_plan(st).await?;
            last = ctx.execute_logical_plan(plan).await?.collect().await?;
        }
        Ok::<_, Error>(last)
    })?;

    match (&a.output, output_kind.as_deref()) {
        (Some(path), Some(kind)) => write(&batches, path, kind),
        _ => {
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            let mut shown = Vec::new();
            let mut left = a.max_rows;
            for b in &batches {
                if left == 0 {
                    break;
                }
                let take = b.num_rows().min(left);
                shown.push(b.slice(0, take));
                left -= take;
            }
            if !shown.is_empty() {
                println!("{}", arrow::util::pretty::pretty_format_batches(&shown)?);
            }
            if rows > a.max_rows {
                println!("({rows} rows, {} shown; use --max-rows or --output)", a.max_rows);
            }
            Ok(())
        }
    }
}

fn write(batches: &[RecordBatch], path: &Path, kind: &str) -> Result<()> {
    let schema = match batches.first() {
        Some(b) => b.schema(),
        None => std::sync::Arc::new(arrow::datatypes::Schema::empty()),
    };
    let all = arrow::compute::concat_batches(&schema, batches)?;
    match kind {
        "parquet" => crate::io::parquet::write_file(&all, path),
        "csv" => atomic::write_file(path, |w| {
            let mut wr = datafusion::arrow::csv::Writer::new(w);
            wr.write(&all).map_err(|e| std::io::Error::other(e.to_string()))
        }),
        _ => atomic::write_file(path, |w| {
            let mut wr = datafusion::arrow::json::LineDelimitedWriter::new(w);
            wr.write(&all).map_err(|e| std::io::Error::other(e.to_string()))?;
            wr.finish().map_err(|e| std::io::Error::other(e.to_string()))
        }),
    }?;
    eprintln!("stormtrack: {} rows -> {}", all.num_rows(), path.display());
    Ok(())
}
