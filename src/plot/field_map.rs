//! A map of a gridded field (docs/plots.md#field-maps): every pixel of the map takes the value
//! of the grid cell nearest to its centre (by inverse projection), so any view of any regular
//! grid is drawn exactly, without resampling; NaN cells and pixels beyond a regional grid are
//! left blank.

use super::canvas::Rgba;
use super::colour::{Palette, Scale, colour_bar, label, ticks};
use super::map::{MapCanvas, MapLayout};
use crate::error::{Error, Result};

/// One gridded frame to draw: coordinates in any order and convention, values row-major
/// `(lat, lon)`.
#[derive(Debug, Clone, Copy)]
pub struct GridFrame<'a> {
    pub lat: &'a [f64],
    pub lon: &'a [f64],
    pub values: &'a [f64],
}

/// An axis sorted for nearest-neighbour lookup: sorted values and their original indices.
struct Axis {
    sorted: Vec<f64>,
    index: Vec<usize>,
    /// Longitudes: values compared modulo 360.
    modulo: bool,
    /// Wraps around 360 degrees (a global longitude axis).
    periodic: bool,
}

impl Axis {
    fn new(values: &[f64], modulo: Option<f64>) -> Axis {
        let norm = |v: f64| modulo.map_or(v, |m| v.rem_euclid(m));
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| norm(values[a]).total_cmp(&norm(values[b])));
        let sorted: Vec<f64> = order.iter().map(|&i| norm(values[i])).collect();
        let periodic = modulo.is_some() && sorted.len() > 1 && {
            let step = (sorted[sorted.len() - 1] - sorted[0]) / (sorted.len() - 1) as f64;
            360.0 - (sorted[sorted.len() - 1] - sorted[0]) <= 1.5 * step
        };
        Axis { sorted, index: order, modulo: modulo.is_some(), periodic }
    }

    /// Half the spacing around sorted position `k` (how far a cell reaches).
    fn half_cell(&self, k: usize) -> f64 {
        let n = self.sorted.len();
        if n < 2 {
            return 0.5;
        }
        let a = if k + 1 < n { self.sorted[k + 1] - self.sorted[k] } else { self.sorted[k] - self.sorted[k - 1] };
        let b = if k > 0 { self.sorted[k] - self.sorted[k - 1] } else { a };
        a.min(b) / 2.0
    }

    /// The original index of the value nearest `q`, if `q` lies within its cell.
    fn nearest(&self, q: f64) -> Option<usize> {
        let n = self.sorted.len();
        if n == 0 {
            return None;
        }
        let q = if self.modulo { q.rem_euclid(360.0) } else { q };
        let p = self.sorted.partition_point(|&v| v < q);
        let mut best: Option<(usize, f64)> = None;
        let mut consider = |k: usize, d: f64| {
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((k, d));
            }
        };
        for k in [p.wrapping_sub(1), p] {
            if k < n {
                consider(k, (self.sorted[k] - q).abs());
            }
        }
        if self.periodic {
            consider(0, (self.sorted[0] + 360.0 - q).abs());
            consider(n - 1, (q + 360.0 - self.sorted[n - 1]).abs());
        }
        let (k, d) = best?;
        (self.periodic || d <= self.half_cell(k) + 1e-9).then_some(self.index[k])
    }
}

/// How a field is drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldStyle {
    /// The colour bar's title (name and unit).
    pub legend: String,
    /// The colour scale's limits; `None`: the data's.
    pub limits: (Option<f64>, Option<f64>),
}

/// The map of `frame` on `layout`, titled `title`.
pub fn field_map(frame: GridFrame<'_>, layout: MapLayout, style: &FieldStyle, title: &str) -> Result<MapCanvas> {
    let (ny, nx) = (frame.lat.len(), frame.lon.len());
    if ny == 0 || nx == 0 || frame.values.len() != ny * nx {
        return Err(Error::Format(format!("a field of {} values does not fill a {ny} x {nx} grid", frame.values.len())));
    }
    let finite = || frame.values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let lo = style.limits.0.unwrap_or(lo);
    let hi = style.limits.1.unwrap_or(hi);
    let palette = if lo < 0.0 && hi > 0.0 { Palette::Diverging } else { Palette::Sequential };
    let scale = Scale::over(finite(), style.limits, palette, false);
    let mut map = MapCanvas::new(layout)?;
    let lat_axis = Axis::new(frame.lat, None);
    let lon_axis = Axis::new(frame.lon, Some(360.0));
    let (left, top, w, h) = layout.area;
    for py in top.floor() as u32..((top + h).ceil() as u32).min(layout.height) {
        for px in left.floor() as u32..((left + w).ceil() as u32).min(layout.width) {
            let (cx, cy) = (px as f32 + 0.5, py as f32 + 0.5);
            if !layout.contains(cx, cy) {
                continue;
            }
            let (x, y) = layout.pixel_to_plane(cx, cy);
            let Some((lon, lat)) = layout.view.unproject(x, y) else { continue };
            let (Some(i), Some(j)) = (lat_axis.nearest(lat), lon_axis.nearest(lon)) else { continue };
            let v = frame.values[i * nx + j];
            if v.is_finite() {
                map.canvas.set_pixel(px, py, scale.colour(v));
            }
        }
    }
    map.graticule_in(Rgba(255, 255, 255, 110));
    map.coastlines_in(Rgba(20, 20, 20, 255));
    map.frame(title);
    let geometry = (left + w * 0.2, top + h + 48.0, w * 0.6, 12.0);
    colour_bar(&mut map.canvas, &scale, geometry, &style.legend, &ticks(scale.lo, scale.hi, 5), &label);
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_cells_wrap_on_a_global_axis_and_stop_at_a_regional_one() {
        let lon: Vec<f64> = (0..144).map(|k| k as f64 * 2.5).collect();
        let a = Axis::new(&lon, Some(360.0));
        assert!(a.periodic);
        assert_eq!(a.nearest(-1.0), Some(0));
        assert_eq!(a.nearest(359.0), Some(0));
        assert_eq!(a.nearest(-179.0), Some(72));
        let region = Axis::new(&[10.0, 11.0, 12.0], Some(360.0));
        assert!(!region.periodic);
        assert_eq!(region.nearest(12.4), Some(2));
        assert_eq!(region.nearest(13.0), None);
        let lat = Axis::new(&[90.0, 87.5, 85.0], None);
        assert_eq!(lat.nearest(86.0), Some(2));
        assert_eq!(lat.nearest(80.0), None);
    }
}
