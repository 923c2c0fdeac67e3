//! Tracks from loose point columns (a `track_points` table from a dataframe, in any row order).

use super::{Point, Tracks, TracksBuilder, TracksMetadata};
use crate::error::{Error, Result};

/// The columns of one table of track points: one entry per point, any row order.
#[derive(Debug, Clone, Copy)]
pub struct PointColumns<'a> {
    pub track_id: &'a [i64],
    /// Milliseconds since 1970-01-01 in the metadata's calendar.
    pub time: &'a [i64],
    pub lat: &'a [f64],
    pub lon: &'a [f64],
    /// The primary variable's values (NaN where missing).
    pub value: &'a [f64],
}

/// Tracks in order of their ids, each track's points in time order (rows of equal time keep
/// their order): tracks rebuilt from a table do not depend on its row order.
pub fn tracks_from_points(columns: PointColumns<'_>, metadata: TracksMetadata, unit: &str) -> Result<Tracks> {
    let n = columns.track_id.len();
    if [columns.time.len(), columns.lat.len(), columns.lon.len(), columns.value.len()].iter().any(|&m| m != n) {
        return Err(Error::Format(format!("the point columns differ in length (track_id has {n} rows)")));
    }
    let mut rows: std::collections::BTreeMap<i64, Vec<usize>> = std::collections::BTreeMap::new();
    for (k, &id) in columns.track_id.iter().enumerate() {
        rows.entry(id).or_default().push(k);
    }
    let name = metadata.primary_variable.clone();
    let mut builder = TracksBuilder::new(metadata, &[(name.as_str(), unit)], None);
    for (id, mut ks) in rows {
        ks.sort_by_key(|&k| columns.time[k]);
        let points: Vec<Point> = ks.iter().map(|&k| Point { time: columns.time[k], lat: columns.lat[k], lon: columns.lon[k], grid: None }).collect();
        let values: Vec<Vec<f64>> = ks.iter().map(|&k| vec![columns.value[k]]).collect();
        builder.push(id, &points, &values);
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variables::Mode;

    #[test]
    fn rows_in_any_order_make_tracks_in_id_and_time_order() {
        let columns = PointColumns { track_id: &[7, 3, 7, 3], time: &[20, 5, 10, 0], lat: &[1.0, 2.0, 3.0, 4.0], lon: &[0.0; 4], value: &[1.0, 2.0, 3.0, 4.0] };
        let t = tracks_from_points(columns, TracksMetadata::new("msl", Mode::Min), "Pa").unwrap();
        assert_eq!(t.ids, vec![3, 7]);
        assert_eq!(t.times, vec![0, 5, 10, 20]);
        assert_eq!(t.lats, vec![4.0, 2.0, 3.0, 1.0]);
    }
}
