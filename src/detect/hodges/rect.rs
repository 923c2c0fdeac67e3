//! Rectangular TRACK candidate path for periodic global grids (see docs/algorithms.md#rectangular-candidate-path), reproduced
//! literally: extended grid with the cyclic column, 4-connected objects, boundary states, seam
//! merge, size filter, strict 3×3 maxima on a −∞ background and grouping of adjacent maxima.

use super::{Candidate, Mode, ObjectDiagnostics, is_member};
use ndarray::ArrayView2;

/// Boundary state of an object (TRACK's single-letter states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Interior: touches no boundary.
    Interior,
    /// First touched an x boundary (column 1 or nx+1).
    X,
    /// First touched a y boundary (first or last row).
    Y,
    /// Touches both kinds, or both x ends.
    Both,
    /// Touches the left x boundary (column 1).
    Left,
    /// Touches the right x boundary (column nx+1).
    Right,
    /// Absorbed by a seam merge.
    Empty,
}

/// One object point in TRACK's 1-based coordinates; `v` is the transformed value (maximised).
#[derive(Debug, Clone, Copy)]
struct Point {
    y: i64,
    x: i64,
    v: f64,
}

struct Object {
    points: Vec<Point>,
    state: State,
}

/// 4-connected components of `member` on a `ny × w` grid without wrap, numbered 1.. in the
/// order of their first row-major cell (0 = none); returns the labels and their count.
/// (Equal to TRACK's alternating forward/backward minimum-label propagation and renumbering.)
fn label_4(member: &[bool], ny: usize, w: usize) -> (Vec<u32>, usize) {
    let mut label = vec![0u32; member.len()];
    let mut count = 0u32;
    // cells on the stack carry their row and column: no division per visited cell
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..member.len() {
        if !member[start] || label[start] != 0 {
            continue;
        }
        count += 1;
        label[start] = count;
        stack.push((start / w, start % w));
        while let Some((r, c)) = stack.pop() {
            let i = r * w + c;
            let mut visit = |j: usize, rc: (usize, usize)| {
                if member[j] && label[j] == 0 {
                    label[j] = count;
                    stack.push(rc);
                }
            };
            if r > 0 {
                visit(i - w, (r - 1, c));
            }
            if r + 1 < ny {
                visit(i + w, (r + 1, c));
            }
            if c > 0 {
                visit(i - 1, (r, c - 1));
            }
            if c + 1 < w {
                visit(i + 1, (r, c + 1));
            }
        }
    }
    (label, count as usize)
}

/// Steps 5–7: boundary states, seam flags and the seam merge (objects are modified in place).
fn merge_seam(objects: &mut [Object], ny: usize, nx: usize) {
    let (ny_i, right) = (ny as i64, nx as i64 + 1);
    for obj in objects.iter_mut() {
        let mut touched = false;
        for p in &obj.points {
            if p.x == 1 || p.x == right {
                if !touched {
                    touched = true;
                    obj.state = State::X;
                } else if obj.state == State::Y {
                    obj.state = State::Both;
                }
            }
            if p.y == 1 || p.y == ny_i {
                if !touched {
                    touched = true;
                    obj.state = State::Y;
                } else if obj.state == State::X {
                    obj.state = State::Both;
                }
            }
        }
    }

    // per row, the object (1-based id, 0 = none) holding the left / right seam column
    let mut left = vec![0usize; ny];
    let mut right_ids = vec![0usize; ny];
    for (k, obj) in objects.iter_mut().enumerate() {
        if !matches!(obj.state, State::X | State::Both) {
            continue;
        }
        let mut flagged = false;
        for p in &obj.points {
            if p.x == 1 {
                left[(p.y - 1) as usize] = k + 1;
                if !flagged {
                    obj.state = State::Left;
                    flagged = true;
                } else if obj.state == State::Right {
                    obj.state = State::Both;
                }
            } else if p.x == right {
                right_ids[(p.y - 1) as usize] = k + 1;
                if !flagged {
                    obj.state = State::Right;
                    flagged = true;
                } else if obj.state == State::Left {
                    obj.state = State::Both;
                }
            }
        }
    }

    for i in 0..ny {
        let (a, b) = (left[i], right_ids[i]);
        if a == 0 || b == 0 || a == b {
            continue;
        }
        // the larger object keeps its points; the other's duplicated seam column is dropped
        let (keep, absorb, into_right, endpoint) =
            if objects[a - 1].points.len() > objects[b - 1].points.len() { (a, b, true, right) } else { (b, a, false, 1) };
        let absorbed = std::mem::take(&mut objects[absorb - 1].points);
        let shift = match objects[absorb - 1].state {
            State::Right => -(nx as i64),
            State::Left => nx as i64,
            _ => 0,
        };
        objects[absorb - 1].state = State::Empty;
        for mut p in absorbed {
            if p.x == endpoint {
                let seam = if into_right { &mut right_ids } else { &mut left };
                seam[(p.y - 1) as usize] = keep;
            } else {
                p.x += shift;
                objects[keep - 1].points.push(p);
            }
        }
    }
}

/// Strict local maxima of one object's points on a −∞ background, in row-major order of the
/// object's box: `(x, y, v)` in TRACK coordinates.
fn object_maxima(points: &[Point]) -> Vec<Point> {
    let (mut xmin, mut xmax, mut ymin, mut ymax) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for p in points {
        (xmin, xmax, ymin, ymax) = (xmin.min(p.x), xmax.max(p.x), ymin.min(p.y), ymax.max(p.y));
    }
    let w = (xmax - xmin + 3) as usize;
    let h = (ymax - ymin + 3) as usize;
    let mut vals = vec![f64::NEG_INFINITY; w * h];
    let mut member = vec![false; w * h];
    for p in points {
        let idx = (p.y - ymin + 1) as usize * w + (p.x - xmin + 1) as usize;
        vals[idx] = p.v;
        member[idx] = true;
    }
    // test the object's own cells only (a box can be mostly empty), then restore the box's
    // row-major order
    let mut maxima = Vec::new();
    for p in points {
        let idx = (p.y - ymin + 1) as usize * w + (p.x - xmin + 1) as usize;
        if !member[idx] {
            continue;
        }
        // a point listed twice at one position counts once, with the last value written
        member[idx] = false;
        let v = vals[idx];
        let strict = [idx - w - 1, idx - w, idx - w + 1, idx - 1, idx + 1, idx + w - 1, idx + w, idx + w + 1].iter().all(|&j| vals[j] < v);
        if strict {
            maxima.push(Point { x: p.x, y: p.y, v });
        }
    }
    maxima.sort_by_key(|m| (m.y, m.x));
    maxima
}

/// Groups of maxima connected at Chebyshev distance 1, in order of first appearance; each group
/// lists member indices in maxima order.
fn group_adjacent(maxima: &[Point]) -> Vec<Vec<usize>> {
    let n = maxima.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            if (maxima[i].x - maxima[j].x).abs() <= 1 && (maxima[i].y - maxima[j].y).abs() <= 1 {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut group_of_root = vec![usize::MAX; n];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        if group_of_root[r] == usize::MAX {
            group_of_root[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[group_of_root[r]].push(i);
    }
    groups
}

/// Candidates (docs/algorithms.md#rectangular-candidate-path) of one frame `(ny, nx)` in native order. `lon_order` sorts the columns by
/// `lon mod 360`; `lon_ext` holds the sorted longitudes and the cyclic endpoint (`nx + 1`).
pub(crate) fn rect_candidates(
    frame: ArrayView2<'_, f64>,
    lat: &[f64],
    lon_order: &[usize],
    lon_ext: &[f64],
    threshold: f64,
    mode: Mode,
    min_points: usize,
) -> Vec<Candidate> {
    let (ny, nx) = frame.dim();
    let w = nx + 1;
    let mut ext = Vec::with_capacity(ny * w);
    let sorted = lon_order.iter().enumerate().all(|(i, &c)| i == c);
    let standard = frame.as_standard_layout();
    let cells = standard.as_slice().expect("standard layout");
    for row in cells.chunks_exact(nx) {
        let start = ext.len();
        if sorted {
            ext.extend_from_slice(row);
        } else {
            ext.extend(lon_order.iter().map(|&c| row[c]));
        }
        ext.push(ext[start]);
    }
    let member: Vec<bool> = ext.iter().map(|&e| is_member(mode, e, threshold)).collect();
    // TRACK maximises s·E with s = ∓0.01 and reports the value times ∓100
    let (s, back) = match mode {
        Mode::Min => (-0.01, -100.0),
        Mode::Max => (0.01, 100.0),
    };
    let (label, count) = label_4(&member, ny, w);
    let mut objects: Vec<Object> = (0..count).map(|_| Object { points: Vec::new(), state: State::Interior }).collect();
    for (r, (labels, values)) in label.chunks_exact(w).zip(ext.chunks_exact(w)).enumerate() {
        for (c, (&l, &e)) in labels.iter().zip(values).enumerate() {
            if l > 0 {
                objects[l as usize - 1].points.push(Point { y: r as i64 + 1, x: c as i64 + 1, v: e * s });
            }
        }
    }
    merge_seam(&mut objects, ny, nx);

    let nx_i = nx as i64;
    // An object that wraps the whole globe (a latitude band of a filtered field) can be
    // shifted by the seam merge past one extra turn; TRACK's xreal handles one turn only, and
    // the reference indexes such positions Python-style (negative from the end). Index the
    // same way, cyclically, rather than fail.
    let at = |i: i64| lon_ext[i.rem_euclid(lon_ext.len() as i64) as usize];
    let xreal = |k: i64| -> f64 {
        if k < 0 {
            at(k + nx_i) - 360.0
        } else if k > nx_i {
            at(k - nx_i) + 360.0
        } else {
            lon_ext[k as usize]
        }
    };
    let mut out = Vec::new();
    let kept = objects.iter().filter(|o| !o.points.is_empty() && o.points.len() >= min_points);
    for (k, obj) in kept.enumerate() {
        let maxima = object_maxima(&obj.points);
        for group in group_adjacent(&maxima) {
            let n = group.len() as f64;
            let mut lon = group.iter().map(|&i| xreal(maxima[i].x - 1)).sum::<f64>() / n;
            let lat_mean = group.iter().map(|&i| lat[(maxima[i].y - 1) as usize]).sum::<f64>() / n;
            if lon < lon_ext[0] {
                lon += 360.0;
            } else if lon > lon_ext[0] + 360.0 {
                lon -= 360.0;
            }
            out.push(Candidate {
                lat: lat_mean,
                lon,
                raw_value: maxima[group[0]].v * back,
                object: k as u32 + 1,
                diagnostics: ObjectDiagnostics::default(),
                found: out.len(),
                object_points: obj.points.len(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::RectSpline;
    use super::*;

    #[test]
    fn a_seam_object_larger_on_the_east_yields_a_candidate_at_lon_360() {
        // members at lon 340, 350, 0 (min at 0) and 10 on one row: the cyclic column's object
        // (340, 350, 360) outgrows the western one (0, 10) and absorbs it
        let lon: Vec<f64> = (0..36).map(|j| 10.0 * j as f64).collect();
        let lat = [10.0, 0.0, -10.0];
        let mut f = ndarray::Array2::from_elem((3, 36), 1.0);
        for (c, v) in [(34, -1.0), (35, -2.0), (0, -3.0), (1, -1.0)] {
            f[[1, c]] = v;
        }
        let grid = RectSpline::for_grid(&lat, &lon, true);
        let cands = rect_candidates(f.view(), &lat, &grid.lon_order, &grid.x_nodes, 0.0, Mode::Min, 1);
        assert_eq!(cands.len(), 1);
        assert_eq!((cands[0].lat, cands[0].lon, cands[0].object), (0.0, 360.0, 1));
        assert!((cands[0].raw_value + 3.0).abs() < 1e-12);
    }
}
