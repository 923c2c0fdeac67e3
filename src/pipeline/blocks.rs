//! Blocks of detected frames as they travel between processes: detection runs on workers
//! (Dask, docs/distributed.md), each block of consecutive frames comes back as one Arrow IPC
//! stream, and the client puts the blocks together and links once.
//!
//! A block is lossless: every centre's frame, grid cell, position, value and extra columns
//! (f64 and u32 as stored), each frame's time and missing-cell count, and the preprocessing
//! record, so the client's run is the single-process run value for value.

use super::DetectedFrame;
use crate::detect::{ExtraColumn, FrameCenters};
use crate::error::{Error, Result};
use crate::tracks::ProcessingStep;
use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, UInt32Array};
use arrow::datatypes::{DataType, Field, Schema};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// Schema metadata key holding the frames, extra columns and processing record.
const BLOCK_KEY: &str = "stormtrack.block";
/// Fixed leading columns, one row per centre.
const COLUMNS: [&str; 6] = ["frame", "row", "col", "lat", "lon", "value"];

/// Consecutive detected frames with the preprocessing that produced them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameBlock {
    pub frames: Vec<DetectedFrame>,
    /// The filter's provenance record, if a filter ran (the same in every block of a run).
    pub processing: Vec<ProcessingStep>,
    /// Seconds spent reading, filtering, detecting and refining (summed over the block's frames).
    pub stage_seconds: [f64; 4],
}

impl FrameBlock {
    /// The block as one Arrow IPC stream (one record batch, one row per centre).
    pub fn to_ipc(&self) -> Result<Vec<u8>> {
        let extras: Vec<(&str, &str)> = self
            .frames
            .iter()
            .find(|f| !f.centers.extras.is_empty())
            .map_or(Vec::new(), |f| f.centers.extras.iter().map(|e| (e.name.as_str(), e.unit.as_str())).collect());
        let n: usize = self.frames.iter().map(|f| f.centers.len()).sum();
        let (mut frame, mut row, mut col) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut lat, mut lon, mut value) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        let mut extra_values: Vec<Vec<f64>> = vec![Vec::with_capacity(n); extras.len()];
        for f in &self.frames {
            let c = &f.centers;
            let names: Vec<(&str, &str)> = c.extras.iter().map(|e| (e.name.as_str(), e.unit.as_str())).collect();
            if !c.is_empty() && names != extras {
                return Err(Error::option("frames", format!("frame {} has other extra columns than the block's first frame", f.frame)));
            }
            frame.extend(std::iter::repeat_n(f.frame, c.len()));
            row.extend_from_slice(&c.rows);
            col.extend_from_slice(&c.cols);
            lat.extend_from_slice(&c.lats);
            lon.extend_from_slice(&c.lons);
            value.extend_from_slice(&c.values);
            for (k, e) in c.extras.iter().enumerate().take(extras.len()) {
                extra_values[k].extend_from_slice(&e.values);
            }
        }
        let mut fields: Vec<Field> = COLUMNS
            .iter()
            .map(|&name| Field::new(name, if matches!(name, "frame" | "row" | "col") { DataType::UInt32 } else { DataType::Float64 }, false))
            .collect();
        fields.extend(extras.iter().map(|(name, _)| Field::new(format!("extra:{name}"), DataType::Float64, false)));
        let header = json!({
            "frames": self.frames.iter().map(|f| json!([f.frame, f.time, f.nan_cells, !f.centers.extras.is_empty()])).collect::<Vec<_>>(),
            "extras": extras.iter().map(|(n, u)| json!([n, u])).collect::<Vec<_>>(),
            "processing": self.processing.iter().map(|p| json!({"operation": p.operation, "enabled": p.enabled, "parameters": p.parameters})).collect::<Vec<_>>(),
            "stage_seconds": self.stage_seconds,
        });
        let schema = Arc::new(Schema::new_with_metadata(fields, HashMap::from([(BLOCK_KEY.to_string(), header.to_string())])));
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(UInt32Array::from(frame)),
            Arc::new(UInt32Array::from(row)),
            Arc::new(UInt32Array::from(col)),
            Arc::new(Float64Array::from(lat)),
            Arc::new(Float64Array::from(lon)),
            Arc::new(Float64Array::from(value)),
        ];
        columns.extend(extra_values.into_iter().map(|v| Arc::new(Float64Array::from(v)) as ArrayRef));
        let batch = RecordBatch::try_new(schema.clone(), columns)?;
        let mut out = Vec::new();
        let mut writer = arrow::ipc::writer::StreamWriter::try_new(&mut out, &schema)?;
        writer.write(&batch)?;
        writer.finish()?;
        drop(writer);
        Ok(out)
    }

    /// A block from the bytes of [`FrameBlock::to_ipc`]; anything else is a one-line error.
    pub fn from_ipc(bytes: &[u8]) -> Result<FrameBlock> {
        let bad = |what: String| Error::option("blocks", format!("not a block of detected frames ({what})"));
        let reader = arrow::ipc::reader::StreamReader::try_new(bytes, None).map_err(|e| bad(e.to_string()))?;
        let schema = reader.schema();
        let header: Value =
            schema.metadata().get(BLOCK_KEY).and_then(|s| serde_json::from_str(s).ok()).ok_or_else(|| bad(format!("no {BLOCK_KEY} metadata")))?;
        let batches = reader.collect::<std::result::Result<Vec<_>, _>>().map_err(|e| bad(e.to_string()))?;
        let batch = match batches.as_slice() {
            [] => RecordBatch::new_empty(schema.clone()),
            [one] => one.clone(),
            _ => arrow::compute::concat_batches(&schema, &batches)?,
        };
        let u32s = |name: &str| -> Result<Vec<u32>> {
            let a = batch.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<UInt32Array>()).ok_or_else(|| bad(format!("no UInt32 column {name}")))?;
            Ok(a.values().to_vec())
        };
        let f64s = |name: &str| -> Result<Vec<f64>> {
            let a =
                batch.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<Float64Array>()).ok_or_else(|| bad(format!("no Float64 column {name}")))?;
            if a.null_count() > 0 {
                return Err(bad(format!("nulls in {name}")));
            }
            Ok(a.values().to_vec())
        };
        let (frame, row, col) = (u32s("frame")?, u32s("row")?, u32s("col")?);
        let (lat, lon, value) = (f64s("lat")?, f64s("lon")?, f64s("value")?);
        let extras: Vec<(String, String)> = serde_json::from_value(header["extras"].clone()).map_err(|e| bad(e.to_string()))?;
        let extra_values = extras.iter().map(|(name, _)| f64s(&format!("extra:{name}"))).collect::<Result<Vec<_>>>()?;
        let frame_rows: Vec<(u32, i64, usize, bool)> = serde_json::from_value(header["frames"].clone()).map_err(|e| bad(e.to_string()))?;
        let mut frames = Vec::with_capacity(frame_rows.len());
        let mut k = 0;
        for (index, time, nan_cells, has_extras) in frame_rows {
            let start = k;
            while k < frame.len() && frame[k] == index {
                k += 1;
            }
            let r = start..k;
            let centers = FrameCenters {
                rows: row[r.clone()].to_vec(),
                cols: col[r.clone()].to_vec(),
                lats: lat[r.clone()].to_vec(),
                lons: lon[r.clone()].to_vec(),
                values: value[r.clone()].to_vec(),
                extras: if has_extras {
                    extras
                        .iter()
                        .zip(&extra_values)
                        .map(|((name, unit), v)| ExtraColumn { name: name.clone(), unit: unit.clone(), values: v[r.clone()].to_vec() })
                        .collect()
                } else {
                    Vec::new()
                },
            };
            frames.push(DetectedFrame { frame: index, time, centers, nan_cells });
        }
        if k != frame.len() {
            return Err(bad("centres out of frame order".into()));
        }
        let processing = header["processing"]
            .as_array()
            .ok_or_else(|| bad("no processing record".into()))?
            .iter()
            .map(|p| ProcessingStep {
                operation: p["operation"].as_str().unwrap_or_default().to_string(),
                enabled: p["enabled"].as_bool().unwrap_or(true),
                parameters: p["parameters"].as_object().cloned().unwrap_or_default(),
            })
            .collect();
        let stage_seconds: [f64; 4] = serde_json::from_value(header["stage_seconds"].clone()).unwrap_or_default();
        Ok(FrameBlock { frames, processing, stage_seconds })
    }
}

/// The blocks of a run put together, checked to hold every frame of `range` once, in order,
/// at the times of `times` (the frames of the input the client opened).
pub fn assemble(blocks: Vec<FrameBlock>, range: Range<usize>, times: &[i64]) -> Result<FrameBlock> {
    let mut out = FrameBlock::default();
    for (k, b) in blocks.into_iter().enumerate() {
        if k == 0 {
            out.processing = b.processing;
        } else if b.processing != out.processing {
            return Err(Error::option(
                "blocks",
                format!("block {k} was filtered differently from the first; every worker must run the same stormtrack version and options"),
            ));
        }
        for (s, v) in out.stage_seconds.iter_mut().zip(b.stage_seconds) {
            *s += v;
        }
        out.frames.extend(b.frames);
    }
    let expected = range.len();
    for (k, f) in out.frames.iter().enumerate() {
        let t = range.start + k;
        if k >= expected || f.frame as usize != t {
            return Err(Error::option(
                "blocks",
                format!("the blocks do not hold frames {}..{} once each, in order (found frame {} at position {k})", range.start, range.end, f.frame),
            ));
        }
        if times.get(t) != Some(&f.time) {
            return Err(Error::option("blocks", format!("frame {t} was detected at another time than the input's (a worker read other data)")));
        }
    }
    if out.frames.len() != expected {
        return Err(Error::option("blocks", format!("the blocks hold {} of the {expected} frames {}..{}", out.frames.len(), range.start, range.end)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn frame(index: u32, time: i64, n: usize, extras: bool) -> DetectedFrame {
        let values = |k: f64| (0..n).map(|i| k + i as f64 * 0.1).collect::<Vec<_>>();
        let extra = |name: &str| ExtraColumn { name: name.into(), unit: "km".into(), values: values(7.0) };
        DetectedFrame {
            frame: index,
            time,
            nan_cells: index as usize % 3,
            centers: FrameCenters {
                rows: (0..n as u32).collect(),
                cols: (0..n as u32).rev().collect(),
                lats: values(-89.9),
                lons: values(359.9),
                values: values(101325.0),
                extras: if extras { vec![extra("a"), extra("b")] } else { Vec::new() },
            },
        }
    }

    #[test]
    fn blocks_round_trip_exactly() {
        for extras in [false, true] {
            let mut parameters = Map::new();
            parameters.insert("lmin".into(), json!(5));
            let block = FrameBlock {
                frames: vec![frame(10, 1000, 3, extras), frame(11, 2000, 0, extras), frame(12, 3000, 2, extras)],
                processing: vec![ProcessingStep { operation: "spectral_filter".into(), enabled: true, parameters }],
                stage_seconds: [0.5, 0.25, 1.0, 2.0],
            };
            assert_eq!(FrameBlock::from_ipc(&block.to_ipc().unwrap()).unwrap(), block);
        }
    }

    #[test]
    fn assembly_checks_every_frame_once_at_its_time() {
        let times = [1000, 2000, 3000, 4000];
        let block = |frames: Vec<DetectedFrame>| FrameBlock { frames, ..FrameBlock::default() };
        let ok = assemble(vec![block(vec![frame(1, 2000, 1, false)]), block(vec![frame(2, 3000, 1, false)])], 1..3, &times).unwrap();
        assert_eq!(ok.frames.len(), 2);
        let missing = assemble(vec![block(vec![frame(1, 2000, 1, false)])], 1..3, &times).unwrap_err().to_string();
        assert!(missing.contains("hold 1 of the 2 frames"), "{missing}");
        let twice = assemble(vec![block(vec![frame(1, 2000, 1, false)]), block(vec![frame(1, 2000, 1, false)])], 1..3, &times).unwrap_err().to_string();
        assert!(twice.contains("once each"), "{twice}");
        let moved = assemble(vec![block(vec![frame(1, 2500, 1, false)])], 1..2, &times).unwrap_err().to_string();
        assert!(moved.contains("another time"), "{moved}");
        assert!(FrameBlock::from_ipc(b"not arrow").unwrap_err().to_string().contains("not a block"));
    }
}
