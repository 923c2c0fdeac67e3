//! CCL candidate path (see docs/algorithms.md#ccl-candidate-path) and object diagnostics (see docs/algorithms.md#object-diagnostics): 8-connected objects
//! (columns wrap when periodic), per-object extrema, optional grouping of adjacent extrema and
//! TRACK's west-to-east object order.

use super::geo::{KM_PER_DEG, unwrap_near};
use super::{Candidate, Mode, ObjectDiagnostics, is_member};
use crate::geo::{DEG_TO_RAD, EARTH_RADIUS_KM};
use ndarray::ArrayView2;
use std::cmp::Ordering;

/// What the CCL path needs besides the frame and its coordinates.
pub(crate) struct CclParams {
    pub periodic: bool,
    pub threshold: f64,
    pub mode: Mode,
    pub min_points: usize,
    pub group: bool,
    pub exclude_boundary: bool,
    /// Rows and columns are planar y and x in km (a polar stereographic plane): cell areas
    /// `Δy Δx` and moments in km, no longitude unwrapping.
    pub projected: bool,
}

/// The 8 neighbours of `(r, c)` (rows out of range skipped; columns wrapped when periodic,
/// skipped otherwise), passed to `f` as flat indices.
#[inline]
fn for_neighbours(r: usize, c: usize, ny: usize, nx: usize, periodic: bool, mut f: impl FnMut(usize)) {
    for dr in -1i64..=1 {
        let rr = r as i64 + dr;
        if rr < 0 || rr >= ny as i64 {
            continue;
        }
        for dc in -1i64..=1 {
            if dr == 0 && dc == 0 {
                continue;
            }
            let mut cc = c as i64 + dc;
            if cc < 0 || cc >= nx as i64 {
                if !periodic {
                    continue;
                }
                cc = if cc < 0 { cc + nx as i64 } else { cc - nx as i64 };
            }
            f(rr as usize * nx + cc as usize);
        }
    }
}

/// Label 8-connected components of `member`, numbered 1.. by first row-major cell (0 = none).
fn label_8(member: &[bool], ny: usize, nx: usize, periodic: bool) -> (Vec<u32>, usize) {
    let mut label = vec![0u32; member.len()];
    let mut count = 0u32;
    let mut stack = Vec::new();
    for start in 0..member.len() {
        if !member[start] || label[start] != 0 {
            continue;
        }
        count += 1;
        label[start] = count;
        stack.push(start);
        while let Some(i) = stack.pop() {
            for_neighbours(i / nx, i % nx, ny, nx, periodic, |j| {
                if member[j] && label[j] == 0 {
                    label[j] = count;
                    stack.push(j);
                }
            });
        }
    }
    (label, count as usize)
}

/// Diagnostics (docs/algorithms.md#object-diagnostics) of every object (index `label − 1`).
fn object_diagnostics(frame: &[f64], label: &[u32], count: usize, lat: &[f64], lon: &[f64], threshold: f64, projected: bool) -> Vec<ObjectDiagnostics> {
    let (ny, nx) = (lat.len(), lon.len());
    let dlat = if ny > 1 { (lat[1] - lat[0]).abs() } else { 1.0 };
    let dlon = if nx > 1 { (lon[1] - lon[0]).abs() } else { 1.0 };
    let mut reference = vec![f64::NAN; count];
    // moments: area, m00, m10, m01, m20, m02, m11
    let mut m = vec![[0.0f64; 7]; count];
    for i in 0..ny {
        let cell_area =
            if projected { dlat * dlon } else { EARTH_RADIUS_KM * EARTH_RADIUS_KM * (lat[i] * DEG_TO_RAD).cos() * (dlat * DEG_TO_RAD) * (dlon * DEG_TO_RAD) };
        for j in 0..nx {
            let l = label[i * nx + j] as usize;
            if l == 0 {
                continue;
            }
            let o = &mut m[l - 1];
            if reference[l - 1].is_nan() {
                reference[l - 1] = lon[j];
            }
            let w = (frame[i * nx + j] - threshold).abs();
            let (y, x) = (lat[i], if projected { lon[j] } else { unwrap_near(lon[j], reference[l - 1]) });
            o[0] += cell_area;
            o[1] += w;
            o[2] += w * x;
            o[3] += w * y;
            o[4] += w * (x * x);
            o[5] += w * (y * y);
            o[6] += w * x * y;
        }
    }
    m.iter()
        .map(|o| {
            let mut d = ObjectDiagnostics { gridcell_area_km2: o[0], ..ObjectDiagnostics::default() };
            if o[1] == 0.0 {
                return d;
            }
            let (cx, cy) = (o[2] / o[1], o[3] / o[1]);
            let mu20 = o[4] / o[1] - cx * cx;
            let mu02 = o[5] / o[1] - cy * cy;
            let mu11 = o[6] / o[1] - cx * cy;
            let (a, b, c) = if projected {
                (mu20, mu11, mu02)
            } else {
                let km_lon = KM_PER_DEG * (cy * DEG_TO_RAD).cos();
                (mu20 * (km_lon * km_lon), mu11 * km_lon * KM_PER_DEG, mu02 * (KM_PER_DEG * KM_PER_DEG))
            };
            let mean = (a + c) / 2.0;
            let half = (a - c) / 2.0;
            let radius = (half * half + b * b).sqrt();
            d.major_axis_km = 2.0 * (mean + radius).max(0.0).sqrt();
            d.minor_axis_km = 2.0 * (mean - radius).max(0.0).sqrt();
            d.fitted_area_km2 = std::f64::consts::PI * d.major_axis_km * d.minor_axis_km;
            d.orientation_degrees = if (a - c).abs() < 1e-10 { 0.0 } else { 0.5 * (2.0 * b).atan2(a - c) * 180.0 / std::f64::consts::PI };
            d
        })
        .collect()
}

/// Each object's size and anchor `(first_col, first_row)`: its smallest column, ties broken
/// by the smallest row (TRACK scans objects west to east).
fn sizes_and_anchors(label: &[u32], count: usize, nx: usize) -> (Vec<usize>, Vec<(usize, usize)>) {
    let mut size = vec![0usize; count];
    let mut anchor = vec![(usize::MAX, usize::MAX); count];
    for (i, &l) in label.iter().enumerate() {
        if l > 0 {
            let k = l as usize - 1;
            size[k] += 1;
            anchor[k] = anchor[k].min((i % nx, i / nx));
        }
    }
    (size, anchor)
}

/// Candidates (docs/algorithms.md#ccl-candidate-path) of one frame, already in TRACK's west-to-east object order.
pub(crate) fn ccl_candidates(frame: ArrayView2<'_, f64>, lat: &[f64], lon: &[f64], p: &CclParams) -> Vec<Candidate> {
    let (ny, nx) = frame.dim();
    let f: Vec<f64> = frame.iter().copied().collect();
    let member: Vec<bool> = f.iter().map(|&v| is_member(p.mode, v, p.threshold)).collect();
    let (label, count) = label_8(&member, ny, nx, p.periodic);
    let diagnostics = object_diagnostics(&f, &label, count, lat, lon, p.threshold, p.projected);

    let (size, anchor) = sizes_and_anchors(&label, count, nx);

    let beats = |n: f64, v: f64| match p.mode {
        Mode::Min => n < v,
        Mode::Max => n > v,
    };
    let mut extremum = vec![false; f.len()];
    for (i, &l) in label.iter().enumerate() {
        if l == 0 || size[l as usize - 1] < p.min_points {
            continue;
        }
        let mut ok = true;
        for_neighbours(i / nx, i % nx, ny, nx, p.periodic, |j| {
            if j == i {
                return;
            }
            if label[j] == l {
                ok &= !beats(f[j], f[i]);
            } else if p.exclude_boundary {
                ok = false;
            }
        });
        extremum[i] = ok;
    }

    let mut out = Vec::new();
    let candidate = |lat: f64, lon: f64, raw_value: f64, l: u32, found: usize| Candidate {
        lat,
        lon,
        raw_value,
        object: l,
        diagnostics: diagnostics[l as usize - 1],
        found,
        object_points: size[l as usize - 1],
    };
    if p.group {
        let mut seen = vec![false; f.len()];
        let mut stack = Vec::new();
        for start in 0..f.len() {
            if !extremum[start] || seen[start] {
                continue;
            }
            let l = label[start];
            let mut cells = vec![start];
            seen[start] = true;
            stack.push(start);
            while let Some(i) = stack.pop() {
                for_neighbours(i / nx, i % nx, ny, nx, p.periodic, |j| {
                    if extremum[j] && !seen[j] && label[j] == l {
                        seen[j] = true;
                        cells.push(j);
                        stack.push(j);
                    }
                });
            }
            cells.sort_unstable();
            let n = cells.len() as f64;
            let reference = lon[start % nx];
            let lat_mean = cells.iter().map(|&i| lat[i / nx]).sum::<f64>() / n;
            // unwrapped across the seam only where there is one (the peer's rule)
            let lon_mean = cells.iter().map(|&i| if p.periodic { unwrap_near(lon[i % nx], reference) } else { lon[i % nx] }).sum::<f64>() / n;
            out.push(candidate(lat_mean, lon_mean, f[start], l, out.len()));
        }
    } else {
        for (i, _) in extremum.iter().enumerate().filter(|(_, e)| **e) {
            out.push(candidate(lat[i / nx], lon[i % nx], f[i], label[i], out.len()));
        }
    }

    let cmp = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(Ordering::Equal);
    out.sort_by(|a, b| {
        let (ka, kb) = (anchor[a.object as usize - 1], anchor[b.object as usize - 1]);
        ka.cmp(&kb).then(cmp(a.lat, b.lat)).then(cmp(a.lon, b.lon))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_anchors_are_the_westmost_then_northmost_cells() {
        // hand-labelled 5×6 grid; anchors (row, col) must be rows [3,1,0,1], cols [4,0,1,3]
        #[rustfmt::skip]
        let label: Vec<u32> = vec![
            0, 3, 0, 0, 0, 1,
            2, 3, 0, 4, 4, 1,
            2, 0, 0, 0, 0, 1,
            0, 0, 0, 0, 1, 1,
            0, 0, 0, 0, 0, 0,
        ];
        let (size, anchor) = sizes_and_anchors(&label, 4, 6);
        assert_eq!(size, [5, 2, 2, 2]);
        let rows: Vec<usize> = anchor.iter().map(|a| a.1).collect();
        let cols: Vec<usize> = anchor.iter().map(|a| a.0).collect();
        assert_eq!((rows, cols), (vec![3, 1, 0, 1], vec![4, 0, 1, 3]));
    }

    #[test]
    fn labelling_is_8_connected_and_wraps_when_periodic() {
        #[rustfmt::skip]
        let member = vec![
            true,  false, false, true,
            false, true,  false, false,
        ];
        assert_eq!(label_8(&member, 2, 4, false), (vec![1, 0, 0, 2, 0, 1, 0, 0], 2));
        assert_eq!(label_8(&member, 2, 4, true), (vec![1, 0, 0, 1, 0, 1, 0, 0], 1));
    }
}
