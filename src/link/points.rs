//! Linking a table of centres: rows `(time, lat, lon)` in any order, one track id per row.
//!
//! This is the kernel behind the Polars `link` expression, the SQL window function
//! `link_tracks` and the Rust dataframe API. Rows are grouped into frames by distinct time;
//! the frames then go through [`SimpleLinker::link`] exactly as the CLI's do, so a table of
//! the CLI's centres gives the CLI's tracks.
//!
//! Tie rule (documented in `docs/sql.md`): rows are ordered by time, and within one time the
//! linker orders centres by latitude then longitude; rows that agree in all three keep their
//! input order. The result therefore does not depend on the row order of the input, except
//! between rows that are exact duplicates.

use super::FrameRef;
use super::SimpleLinker;
use crate::error::{Error, Result};
use crate::geo::LonConvention;

/// Track id of every row (1, 2, ... in creation order, the CLI's numbering), for rows in any
/// order. `convention`, when given, is the longitude convention the linker sorts and breaks
/// ties in (the CLI uses the input grid's); `None` takes the longitudes as given.
///
/// ```
/// use stormtrack::link::{SimpleLinker, link_points};
/// // two storms over three 6-hourly frames, rows shuffled
/// let hour = 3_600_000;
/// let time = [0, 6 * hour, 0, 12 * hour, 6 * hour, 12 * hour];
/// let lat = [50.0, 51.0, -40.0, 52.0, -41.0, -42.0];
/// let lon = [0.0, 2.0, 100.0, 4.0, 101.0, 102.0];
/// let ids = link_points(&time, &lat, &lon, &SimpleLinker::default(), None).unwrap();
/// assert_eq!(ids, vec![2, 2, 1, 2, 1, 1]);
/// ```
pub fn link_points(times: &[i64], lats: &[f64], lons: &[f64], linker: &SimpleLinker, convention: Option<LonConvention>) -> Result<Vec<i64>> {
    let n = times.len();
    if lats.len() != n || lons.len() != n {
        return Err(Error::option("link", format!("time, lat and lon have different lengths ({n}, {}, {})", lats.len(), lons.len())));
    }
    if !(linker.max_km > 0.0 && linker.max_km.is_finite()) {
        return Err(Error::option("max_km", format!("{} must be a positive number", linker.max_km)));
    }
    if let Some(k) = lats.iter().position(|x| !(-90.0..=90.0).contains(x)) {
        return Err(Error::option("lat", format!("latitude {} at row {k} is not in [-90, 90]", lats[k])));
    }
    if let Some(k) = lons.iter().position(|x| !x.is_finite()) {
        return Err(Error::option("lon", format!("longitude {} at row {k} is not finite", lons[k])));
    }
    // stable: rows of one time keep their input order
    let mut order: Vec<usize> = (0..n).collect();
    if times.windows(2).any(|w| w[1] < w[0]) {
        order.sort_by_key(|&i| times[i]);
    }
    let lat_sorted: Vec<f64> = order.iter().map(|&i| lats[i]).collect();
    let lon_sorted: Vec<f64> = match convention {
        Some(c) => order.iter().map(|&i| c.apply(lons[i])).collect(),
        None => order.iter().map(|&i| lons[i]).collect(),
    };
    let mut starts = Vec::new();
    for k in 0..n {
        if k == 0 || times[order[k]] != times[order[k - 1]] {
            starts.push(k);
        }
    }
    let frames: Vec<FrameRef<'_>> = starts
        .iter()
        .enumerate()
        .map(|(f, &s)| {
            let e = starts.get(f + 1).copied().unwrap_or(n);
            FrameRef { time: times[order[s]], lats: &lat_sorted[s..e], lons: &lon_sorted[s..e] }
        })
        .collect();
    let linked = linker.link(&frames);
    let mut ids = vec![0i64; n];
    for (k, track) in linked.iter().enumerate() {
        for &(f, c) in track {
            ids[order[starts[f] + c]] = k as i64 + 1;
        }
    }
    Ok(ids)
}

/// Hodges (MGE) linking of a table of features: rows `(time, lat, lon[, value])` in any order,
/// one track id per row, `None` for rows in no kept track (shorter than `min_track_points`, or
/// DUFF: `value < -1e10`).
///
/// Rows are grouped into frames by distinct time; within a frame features are taken in
/// (lat, lon, row) order, so the answer does not depend on the row order of the input. The
/// CLI links features in the detector's emission order instead: the same features give the
/// same tracks except where MGE breaks an exact tie by feature order. Times are in any unit
/// unless `time_step_ms` is set (then milliseconds).
pub fn link_points_mge(times: &[i64], lats: &[f64], lons: &[f64], values: Option<&[f64]>, params: &super::mge::MgeParams) -> Result<Vec<Option<i64>>> {
    let n = times.len();
    if lats.len() != n || lons.len() != n || values.is_some_and(|v| v.len() != n) {
        return Err(Error::option("link", format!("time, lat, lon (and value) have different lengths ({n}, {}, {})", lats.len(), lons.len())));
    }
    if let Some(k) = lats.iter().position(|x| !(-90.0..=90.0).contains(x)) {
        return Err(Error::option("lat", format!("latitude {} at row {k} is not in [-90, 90]", lats[k])));
    }
    if let Some(k) = lons.iter().position(|x| !x.is_finite()) {
        return Err(Error::option("lon", format!("longitude {} at row {k} is not finite", lons[k])));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| times[a].cmp(&times[b]).then(lats[a].total_cmp(&lats[b])).then(lons[a].total_cmp(&lons[b])).then(a.cmp(&b)));
    let mut frames: Vec<Vec<super::mge::Feature>> = Vec::new();
    let mut frame_times: Vec<i64> = Vec::new();
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for &i in &order {
        if frame_times.last() != Some(&times[i]) {
            frame_times.push(times[i]);
            frames.push(Vec::new());
            rows.push(Vec::new());
        }
        frames.last_mut().unwrap().push(super::mge::Feature { lat: lats[i], lon: lons[i], value: values.map_or(0.0, |v| v[i]) });
        rows.last_mut().unwrap().push(i);
    }
    let linked = super::mge::link_hodges_numbered(&frames, &frame_times, params)?;
    let mut ids = vec![None; n];
    for (id, track) in linked {
        for (f, c) in track {
            ids[rows[f][c]] = Some(id);
        }
    }
    Ok(ids)
}
