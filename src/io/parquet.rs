//! The track dataset: three hive-partitioned Parquet tables and a small JSON descriptor.
//!
//! ```text
//! <dir>/_stormtrack.json                               variables, units, mode, bounds, provenance
//! <dir>/centers/year=2025/month=12/part-0.parquet      every detected centre, by time
//! <dir>/track_points/year=2025/month=12/part-0.parquet centres with track_id and step
//! <dir>/tracks/year=2025/month=12/part-0.parquet       one row per track (partitioned by start)
//! ```
//! Points are partitioned by their own time, tracks by their start time. Partition columns are
//! not stored in the files (the hive convention). Files are ZSTD-compressed, carry page
//! statistics and their sort order. Each write is a new generation switched in by one rename
//! under a writer lock (`generations.rs`, docs/formats.md#atomic-datasets): `<dir>/centers` and
//! the others are fixed links into the current generation.

use super::generations::{self, WriterLock, snapshot};
use crate::arrow::{CenterColumns, calendar_of, column, time_values, track_points_batch, tracks_batch};
use crate::error::{Error, Result};
use crate::geo::LonConvention;
use crate::time::Calendar;
use crate::tracks::{GridIndex, ProcessingStep, SpatialBounds, Tracks, TracksMetadata, Variable};
use crate::variables::Mode;
use arrow::array::{Array, Float64Array, Int64Array, RecordBatch, UInt32Array, UInt64Array};
use arrow::compute::{concat_batches, filter_record_batch};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Name of the descriptor file at the dataset root.
pub const DESCRIPTOR: &str = "_stormtrack.json";
/// The frames of a Hodges dataset's linker state (docs/datasets.md#appending-hodges-datasets).
pub const LINK_FRAMES: &str = "_link_frames.arrow";
/// Table names.
pub const TABLES: [&str; 3] = ["centers", "track_points", "tracks"];
/// Hive partition columns of every table (`year=YYYY/month=M` directories), read as 32-bit
/// integers by every engine we register them with.
pub const PARTITION_COLUMNS: [&str; 2] = ["year", "month"];

/// The entries of a dataset root that link into its current generation.
const ENTRIES: [&str; 4] = [DESCRIPTOR, "centers", "track_points", "tracks"];

/// The tables of a dataset directory (those present); at least one must be.
pub fn dataset_tables(dir: &Path) -> Result<Vec<&'static str>> {
    let snap = snapshot(dir);
    let found: Vec<&'static str> = TABLES.into_iter().filter(|t| snap.join(t).is_dir()).collect();
    if found.is_empty() {
        return Err(Error::Format(format!(
            "{}: not a tracks dataset (no centers/, track_points/ or tracks/ directory); write one with `stormtrack track -o DIR`",
            dir.display()
        )));
    }
    Ok(found)
}

/// Options of the dataset writer.
#[derive(Debug, Clone, Default)]
pub struct DatasetOptions {
    /// All detected centres (one batch per frame or fewer). `None`: the track points are the
    /// centres (true for Simple, which keeps every centre in some track).
    pub centers: Option<Vec<RecordBatch>>,
    /// Free-form provenance recorded in the descriptor (command, input, options).
    pub provenance: BTreeMap<String, Value>,
    /// What a later `append` needs to continue the linking (descriptor key `link_state`).
    pub link_state: Option<Value>,
    /// Hodges: the frames the continuation re-links, exactly (Arrow IPC), kept beside the
    /// descriptor as [`LINK_FRAMES`].
    pub link_frames: Option<Vec<u8>>,
    /// Appending: the generation the new one continues, and what changed.
    pub append: Option<AppendBase>,
}

/// The generation an append read, and the partitions (year, month) it changed per table; the
/// other partitions are hard links to that generation's files.
#[derive(Debug, Clone, Default)]
pub struct AppendBase {
    /// The generation directory the append read (`generations::snapshot`).
    pub generation: PathBuf,
    pub touched: BTreeMap<&'static str, std::collections::BTreeSet<(i32, u32)>>,
}

/// Check before any long work that `path` can receive a dataset: it does not exist, is an
/// empty directory, or is a dataset this program wrote (which is replaced).
pub fn check_target(path: &Path) -> Result<()> {
    if path.exists() {
        if !path.is_dir() {
            return Err(Error::Unwritable { path: path.into(), detail: "it exists and is not a directory".into() });
        }
        // entries of ours only (a lock, generations left by a killed first write) count as empty
        let ours = |name: &str| {
            matches!(name, generations::LOCK | generations::GENERATIONS | generations::CURRENT) || (name.starts_with('.') && name.contains(".link-"))
        };
        let mut entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
        let empty = entries.all(|e| e.map(|e| ours(&e.file_name().to_string_lossy())).unwrap_or(false));
        if !empty && !path.join(DESCRIPTOR).is_file() {
            return Err(Error::Unwritable {
                path: path.into(),
                detail: "it is a non-empty directory that is not a stormtrack dataset (no _stormtrack.json); remove it or choose another path".into(),
            });
        }
    }
    super::atomic::check_parent(&strip_slash(path))
}

fn strip_slash(path: &Path) -> PathBuf {
    PathBuf::from(path.to_string_lossy().trim_end_matches('/').to_string())
}

fn writer_props(sorting: Vec<SortingColumn>) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).expect("valid level")))
        .set_writer_version(WriterVersion::PARQUET_2_0)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(1 << 20))
        .set_sorting_columns(Some(sorting))
        .set_created_by(format!("stormtrack {}", crate::VERSION))
        .build()
}

fn sort_col(idx: usize) -> SortingColumn {
    SortingColumn { column_idx: idx as i32, descending: false, nulls_first: false }
}

/// Write one batch as a single Parquet file (ZSTD, page statistics), atomically.
pub fn write_file(batch: &RecordBatch, path: &Path) -> Result<()> {
    let mut bytes = Vec::new();
    let mut w = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(writer_props(vec![sort_col(0)])))?;
    w.write(batch)?;
    w.close()?;
    super::atomic::write_file(path, |out| out.write_all(&bytes))
}

/// Split a batch by (year, month) of a timestamp column and write one file per partition.
fn write_partitioned(
    dir: &Path,
    batch: &RecordBatch,
    time_col: &str,
    sorting: Vec<SortingColumn>,
    reuse: Option<(&Path, &std::collections::BTreeSet<(i32, u32)>)>,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let calendar = calendar_of(&batch.schema())?;
    let keys: Vec<(i32, u32)> = time_values(batch, time_col)?
        .into_iter()
        .map(|t| {
            let c = calendar.civil(t);
            (c.year, c.month)
        })
        .collect();
    let mut parts: Vec<(i32, u32)> = keys.clone();
    parts.sort_unstable();
    parts.dedup();
    for (y, m) in parts {
        let mask: arrow::array::BooleanArray = keys.iter().map(|&k| Some(k == (y, m))).collect();
        let part = filter_record_batch(batch, &mask)?;
        let pdir = dir.join(format!("year={y}")).join(format!("month={m}"));
        std::fs::create_dir_all(&pdir).map_err(|e| Error::io(&pdir, e))?;
        let path = pdir.join("part-0.parquet");
        if let Some((previous, touched)) = reuse {
            let old = previous.join(format!("year={y}")).join(format!("month={m}")).join("part-0.parquet");
            if !touched.contains(&(y, m)) && old.is_file() {
                // an untouched partition: the same file, not rewritten
                std::fs::hard_link(&old, &path).map_err(|e| Error::io(&path, e))?;
                continue;
            }
        }
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut w = ArrowWriter::try_new(file, part.schema(), Some(writer_props(sorting.clone())))?;
        w.write(&part)?;
        w.into_inner()?.sync_all().map_err(|e| Error::io(&path, e))?;
        generations::sync_dir(&pdir);
    }
    Ok(())
}

fn descriptor(tracks: &Tracks, opts: &DatasetOptions) -> Value {
    let md = &tracks.metadata;
    let bounds = md.bounds.map(|b| json!({"south": b.south, "north": b.north, "west": b.west, "east": b.east}));
    let processing: Vec<Value> =
        md.processing.iter().map(|p| json!({"operation": p.operation, "enabled": p.enabled, "parameters": Value::Object(p.parameters.clone())})).collect();
    let mut d = json!({
        "format": "stormtrack-dataset/1",
        "written_by": format!("stormtrack {}", crate::VERSION),
        "primary_variable": md.primary_variable,
        "mode": md.mode.as_str(),
        "variables": tracks.variables.iter().map(|v| json!({"name": v.name, "unit": v.unit})).collect::<Vec<_>>(),
        "lon_convention": tracks.grid.as_ref().map(|g| g.lon_convention.as_str()),
        "bounds": bounds,
        "processing": processing,
        "tables": TABLES,
        "partitioning": ["year", "month"],
        "n_tracks": tracks.len(),
        "n_points": tracks.n_points(),
        "provenance": Value::Object(opts.provenance.clone().into_iter().collect()),
    });
    // absent means proleptic Gregorian, so datasets of Gregorian data stay as they were
    if !md.calendar.is_gregorian() {
        d["calendar"] = json!(md.calendar.name());
    }
    if let Some(state) = &opts.link_state {
        d["link_state"] = state.clone();
    }
    d
}

/// Write `tracks` (and optionally all centres) as a dataset at `path`, atomically: a new
/// generation is written in full, then switched in; a second writer gets an error.
pub fn write_dataset(tracks: &Tracks, path: &Path, opts: &DatasetOptions) -> Result<()> {
    let path = strip_slash(path);
    check_target(&path)?;
    let created = !path.exists();
    std::fs::create_dir_all(&path).map_err(|e| Error::Unwritable { path: path.clone(), detail: e.to_string() })?;
    let result = (|| -> Result<()> {
        let _lock = WriterLock::acquire(&path)?;
        // an append builds on the generation it read: refuse if another writer switched since
        if let Some(base) = &opts.append
            && snapshot(&path) != base.generation
        {
            return Err(Error::Unwritable {
                path: path.clone(),
                detail: "another process changed this dataset while the append ran; run the append again".into(),
            });
        }
        let (n, generation) = generations::new_generation(&path)?;
        if let Err(e) = write_tables(tracks, &generation, opts) {
            let _ = std::fs::remove_dir_all(&generation);
            return Err(e);
        }
        // a dataset written before generations: its tables move into generation 0 first
        generations::adopt_legacy(&path, &ENTRIES)?;
        generations::commit(&path, n, &ENTRIES)
    })();
    if result.is_err() && created {
        let _ = std::fs::remove_dir_all(&path);
    }
    result
}

/// The descriptor and the three tables of one generation.
fn write_tables(tracks: &Tracks, dir: &Path, opts: &DatasetOptions) -> Result<()> {
    let points = track_points_batch(tracks)?;
    let prev_tables: Vec<PathBuf> = opts.append.as_ref().map_or(Vec::new(), |b| TABLES.iter().map(|t| b.generation.join(t)).collect());
    let reuse = |k: usize| opts.append.as_ref().and_then(|b| b.touched.get(TABLES[k])).map(|set| (prev_tables[k].as_path(), set));
    // the three tables are independent: write them concurrently
    let (a, (b, c)) = rayon::join(
        // track_points: sorted by (track_id, step), as the batch is built
        || write_partitioned(&dir.join("track_points"), &points, "time", vec![sort_col(0), sort_col(1)], reuse(1)),
        || {
            rayon::join(
                // centers: detection order (time, then row-major); without detection, the points
                || -> Result<()> {
                    let centers = match &opts.centers {
                        Some(batches) if !batches.is_empty() => concat_batches(&batches[0].schema(), batches)?,
                        _ => centers_from_points(&points)?,
                    };
                    write_partitioned(&dir.join("centers"), &centers, "time", vec![sort_col(0)], reuse(0))
                },
                || write_partitioned(&dir.join("tracks"), &tracks_batch(tracks)?, "start_time", vec![sort_col(0)], reuse(2)),
            )
        },
    );
    a?;
    b?;
    c?;
    if let Some(bytes) = &opts.link_frames {
        super::atomic::write_file(&dir.join(LINK_FRAMES), |w| w.write_all(bytes))?;
    }
    let desc = serde_json::to_string_pretty(&descriptor(tracks, opts)).expect("json");
    super::atomic::write_file(&dir.join(DESCRIPTOR), |w| w.write_all((desc + "\n").as_bytes()))
}

/// The `centers` table derived from track points, sorted by (time, lat, lon).
fn centers_from_points(points: &RecordBatch) -> Result<RecordBatch> {
    let time = time_values(points, "time")?;
    let lat = column::<Float64Array>(points, "lat")?.values().to_vec();
    let lon = column::<Float64Array>(points, "lon")?.values().to_vec();
    let mut order: Vec<u64> = (0..points.num_rows() as u64).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        time[a].cmp(&time[b]).then(lat[a].total_cmp(&lat[b])).then(lon[a].total_cmp(&lon[b]))
    });
    let idx = UInt64Array::from(order);
    let projected = points.project(&(2..points.num_columns()).collect::<Vec<_>>())?;
    let cols = projected.columns().iter().map(|c| arrow::compute::take(c, &idx, None)).collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(projected.schema(), cols)?)
}

/// All Parquet files under `dir`, in sorted path order.
pub fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let p = entry.map_err(|e| Error::io(&d, e))?.path();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if name.ends_with(".parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Read every batch of a table directory.
pub fn read_table(dir: &Path) -> Result<Vec<RecordBatch>> {
    let mut out = Vec::new();
    for p in parquet_files(dir)? {
        let file = std::fs::File::open(&p).map_err(|e| Error::io(&p, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| Error::Format(format!("{}: {e}", p.display())))?;
        // the batches carry the file's schema metadata (variable, mode, calendar)
        let schema = builder.schema().clone();
        for b in builder.build()? {
            out.push(b?.with_schema(schema.clone())?);
        }
    }
    Ok(out)
}

/// The linker frames of a dataset's generation, if it keeps them.
pub fn read_link_frames(generation: &Path) -> Result<Option<Vec<u8>>> {
    let p = generation.join(LINK_FRAMES);
    if !p.exists() {
        return Ok(None);
    }
    std::fs::read(&p).map(Some).map_err(|e| Error::io(&p, e))
}

/// The descriptor of a dataset (its current generation), as JSON.
pub fn read_descriptor(path: &Path) -> Result<Value> {
    let snap = snapshot(path);
    let text = std::fs::read_to_string(snap.join(DESCRIPTOR)).map_err(|_| desc_error(path, "missing or unreadable"))?;
    serde_json::from_str(&text).map_err(|e| desc_error(path, &format!("not JSON ({e})")))
}

fn desc_error(path: &Path, what: &str) -> Error {
    Error::Format(format!("{}: {what}; is this a stormtrack dataset?", path.join(DESCRIPTOR).display()))
}

/// Read a dataset written by [`write_dataset`] back into [`Tracks`] (tracks in ascending id).
pub fn read_dataset(path: &Path) -> Result<Tracks> {
    // one snapshot for the whole read, whatever a writer does meanwhile
    let path = &snapshot(path);
    let dpath = path.join(DESCRIPTOR);
    let text = std::fs::read_to_string(&dpath).map_err(|_| desc_error(path, "missing or unreadable"))?;
    let d: Value = serde_json::from_str(&text).map_err(|e| desc_error(path, &format!("not JSON ({e})")))?;
    let primary = d["primary_variable"].as_str().ok_or_else(|| desc_error(path, "no primary_variable"))?.to_string();
    let mode = d["mode"].as_str().and_then(Mode::parse).ok_or_else(|| desc_error(path, "no mode"))?;
    let variables: Vec<(String, String)> = d["variables"]
        .as_array()
        .ok_or_else(|| desc_error(path, "no variables"))?
        .iter()
        .map(|v| (v["name"].as_str().unwrap_or_default().to_string(), v["unit"].as_str().unwrap_or("1").to_string()))
        .collect();
    let convention = d["lon_convention"].as_str().and_then(LonConvention::parse);
    let bounds = d["bounds"].as_object().map(|b| SpatialBounds {
        south: b["south"].as_f64().unwrap_or(-90.0),
        north: b["north"].as_f64().unwrap_or(90.0),
        west: b["west"].as_f64().unwrap_or(-180.0),
        east: b["east"].as_f64().unwrap_or(180.0),
    });
    let processing = d["processing"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| ProcessingStep {
                    operation: p["operation"].as_str().unwrap_or_default().into(),
                    enabled: p["enabled"].as_bool().unwrap_or(true),
                    parameters: p["parameters"].as_object().cloned().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut metadata = TracksMetadata::new(primary.clone(), mode);
    metadata.bounds = bounds;
    metadata.processing = processing;
    metadata.calendar = Calendar::parse(d["calendar"].as_str()).map_err(|e| desc_error(path, &e.to_string()))?;

    let batches = read_table(&path.join("track_points"))?;
    if batches.is_empty() {
        let unit = variables.iter().find(|v| v.0 == primary).map(|v| v.1.clone()).unwrap_or_else(|| "1".into());
        return Ok(Tracks::empty(metadata, unit));
    }
    let all = concat_batches(&batches[0].schema(), &batches)?;
    let stored = calendar_of(&all.schema())?;
    if stored != metadata.calendar.output() {
        let msg = format!("track_points are in the {} calendar, the descriptor says {}", stored.name(), metadata.calendar.name());
        return Err(desc_error(path, &msg));
    }
    let ids = column::<Int64Array>(&all, "track_id")?.values().to_vec();
    let steps = column::<UInt32Array>(&all, "step")?.values().to_vec();
    let mut cols = CenterColumns::default();
    cols.extend_from_batch(&all, LonConvention::Signed)?;
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&k| (ids[k], steps[k]));

    let mut t = Tracks::empty(metadata, "1");
    t.variables.clear();
    for (name, unit) in &variables {
        let values: Vec<f64> = if *name == primary {
            order.iter().map(|&k| cols.value[k]).collect()
        } else {
            let c = column::<Float64Array>(&all, name)?;
            order.iter().map(|&k| if c.is_null(k) { f64::NAN } else { c.value(k) }).collect()
        };
        t.variables.push(Variable { name: name.clone(), unit: unit.clone(), values });
    }
    t.times = order.iter().map(|&k| cols.time[k]).collect();
    t.lats = order.iter().map(|&k| cols.lat[k]).collect();
    t.lons = order.iter().map(|&k| cols.lon[k]).collect();
    t.offsets = vec![0];
    for (n, &k) in order.iter().enumerate() {
        if n > 0 && ids[k] != ids[order[n - 1]] {
            t.offsets.push(n);
        }
        if n == 0 || ids[k] != ids[order[n - 1]] {
            t.ids.push(ids[k]);
        }
    }
    t.offsets.push(order.len());
    if let Some(conv) = convention
        && cols.frame.iter().all(Option::is_some)
    {
        let pick = |v: &Vec<Option<u32>>| order.iter().map(|&k| v[k].unwrap_or(u32::MAX)).collect::<Vec<u32>>();
        t.grid = Some(GridIndex { frame: pick(&cols.frame), row: pick(&cols.row), col: pick(&cols.col), lon_convention: conv });
    }
    t.validate()?;
    Ok(t)
}
