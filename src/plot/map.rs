//! A map on a canvas: where the map lies in the picture, the plane-to-pixel transform, the
//! graticule with its labels, the coastlines, and lines of longitude-latitude points drawn
//! across the antimeridian (plate carrée) or clipped to the circle (polar views).

use super::canvas::{Align, Canvas, Rgba};
use super::coastlines::coastlines;
use super::projection::{View, unwrapped_line, wrap180};
use crate::error::{Error, Result};
use tiny_skia::Mask;

/// Pixels around the map: left (latitude labels), right, top (title), bottom (longitude
/// labels, plus the colour bar when there is one).
const MARGIN_LEFT: f32 = 58.0;
const MARGIN_RIGHT: f32 = 26.0;
const MARGIN_TOP: f32 = 42.0;
const MARGIN_BOTTOM: f32 = 34.0;
/// Polar maps carry their meridian labels all around the circle.
const POLAR_MARGIN_SIDE: f32 = 48.0;
const POLAR_MARGIN_TOP: f32 = 60.0;
/// The title's baseline, from the top of the picture.
const TITLE_BASELINE: f32 = 27.0;
/// Height added under the map for a colour bar and its labels.
pub const COLOUR_BAR_SPACE: f32 = 62.0;

/// Where the map lies in a picture of `width` x `height` pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapLayout {
    pub view: View,
    pub width: u32,
    pub height: u32,
    /// The map's rectangle in pixels: left, top, width, height.
    pub area: (f32, f32, f32, f32),
}

impl MapLayout {
    /// The layout of a `width`-pixel-wide picture (and `height`, or as tall as the view's
    /// shape asks), with room for a colour bar if `colour_bar`.
    pub fn new(view: View, width: u32, height: Option<u32>, colour_bar: bool) -> Result<MapLayout> {
        if !(200..=8000).contains(&width) {
            return Err(Error::option("width", format!("{width} pixels is outside 200..8000")));
        }
        if let Some(h) = height.filter(|h| !(150..=8000).contains(h)) {
            return Err(Error::option("height", format!("{h} pixels is outside 150..8000")));
        }
        let bottom = MARGIN_BOTTOM + if colour_bar { COLOUR_BAR_SPACE } else { 0.0 };
        let (margin_left, margin_right, margin_top) =
            if view.is_polar() { (POLAR_MARGIN_SIDE, POLAR_MARGIN_SIDE, POLAR_MARGIN_TOP) } else { (MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP) };
        let aspect = view.aspect() as f32;
        let avail_w = width as f32 - margin_left - margin_right;
        let (map_w, map_h, height) = match height {
            None => {
                let map_h = (avail_w / aspect).round();
                (avail_w, map_h, (margin_top + map_h + bottom).ceil() as u32)
            }
            Some(h) => {
                let avail_h = h as f32 - margin_top - bottom;
                if avail_h < 50.0 {
                    return Err(Error::option("height", format!("{h} pixels leaves no room for the map")));
                }
                let map_w = avail_w.min(avail_h * aspect);
                (map_w, (map_w / aspect).round(), h)
            }
        };
        let left = margin_left + (avail_w - map_w) / 2.0;
        Ok(MapLayout { view, width, height, area: (left.round(), margin_top, map_w.round(), map_h) })
    }

    /// The pixel of plane point `(x, y)`.
    pub fn plane_to_pixel(&self, x: f64, y: f64) -> (f32, f32) {
        let (x0, x1, y0, y1) = self.view.extent();
        let (left, top, w, h) = self.area;
        (left + ((x - x0) / (x1 - x0)) as f32 * w, top + ((y1 - y) / (y1 - y0)) as f32 * h)
    }

    /// The plane point at pixel `(px, py)`.
    pub fn pixel_to_plane(&self, px: f32, py: f32) -> (f64, f64) {
        let (x0, x1, y0, y1) = self.view.extent();
        let (left, top, w, h) = self.area;
        (x0 + f64::from((px - left) / w) * (x1 - x0), y1 - f64::from((py - top) / h) * (y1 - y0))
    }

    /// The pixel where `(lon, lat)` is drawn, if it is on the map.
    pub fn pixel(&self, lon: f64, lat: f64) -> Option<(f32, f32)> {
        let (x, y) = self.view.project(lon, lat)?;
        let (px, py) = self.plane_to_pixel(x, y);
        self.contains(px, py).then_some((px, py))
    }

    /// Whether pixel `(px, py)` is on the map.
    pub fn contains(&self, px: f32, py: f32) -> bool {
        let (left, top, w, h) = self.area;
        if self.view.is_polar() {
            let (cx, cy, r) = (left + w / 2.0, top + h / 2.0, w / 2.0);
            (px - cx).hypot(py - cy) <= r
        } else {
            (left..=left + w).contains(&px) && (top..=top + h).contains(&py)
        }
    }

    /// The map's outline in pixels (rectangle, or circle for polar views).
    pub fn outline(&self) -> Vec<(f32, f32)> {
        let (left, top, w, h) = self.area;
        if self.view.is_polar() {
            let (cx, cy, r) = (left + w / 2.0, top + h / 2.0, w / 2.0);
            (0..360).map(|d| (d as f32).to_radians()).map(|a| (cx + r * a.cos(), cy + r * a.sin())).collect()
        } else {
            vec![(left, top), (left + w, top), (left + w, top + h), (left, top + h)]
        }
    }

    /// The pieces of pixel lines a line of `(lon, lat)` points is drawn as: plate carrée lines
    /// once per wrap that reaches the map (clip to the map afterwards); polar lines broken
    /// where a point has no image.
    pub fn line_pixels(&self, lons: &[f64], lats: &[f64]) -> Vec<Vec<(f32, f32)>> {
        if self.view.is_polar() {
            let mut pieces = vec![Vec::new()];
            for (&lon, &lat) in lons.iter().zip(lats) {
                match self.view.project(lon, lat) {
                    Some((x, y)) => pieces.last_mut().expect("a piece").push(self.plane_to_pixel(x, y)),
                    None => pieces.push(Vec::new()),
                }
            }
            pieces.retain(|p| !p.is_empty());
            return pieces;
        }
        let line = unwrapped_line(&self.view, lons, lats);
        if line.is_empty() {
            return Vec::new();
        }
        let (x0, x1, ..) = self.view.extent();
        let lo = line.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let hi = line.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        [-360.0, 0.0, 360.0]
            .into_iter()
            .filter(|shift| hi + shift >= x0 && lo + shift <= x1)
            .map(|shift| line.iter().map(|&(x, y)| self.plane_to_pixel(x + shift, y)).collect())
            .collect()
    }
}

/// A map being drawn: the canvas, its layout and the clip of the map area.
pub struct MapCanvas {
    pub canvas: Canvas,
    pub layout: MapLayout,
    pub clip: Mask,
}

const OCEAN: Rgba = Rgba(244, 247, 251, 255);
const GRID: Rgba = Rgba(205, 211, 220, 255);
const COAST: Rgba = Rgba(92, 98, 108, 255);
const INK: Rgba = Rgba(30, 30, 30, 255);

impl MapCanvas {
    /// A blank map: the picture, the map area filled, nothing else yet.
    pub fn new(layout: MapLayout) -> Result<MapCanvas> {
        let mut canvas = Canvas::new(layout.width, layout.height)?;
        let outline = layout.outline();
        let clip = canvas.mask_of(&outline).ok_or_else(|| Error::option("width", "the map has no area"))?;
        canvas.fill_polygon(&outline, OCEAN, None);
        Ok(MapCanvas { canvas, layout, clip })
    }

    /// A line of `(lon, lat)` points, clipped to the map.
    pub fn geo_line(&mut self, lons: &[f64], lats: &[f64], colour: Rgba, width: f32) {
        for piece in self.layout.line_pixels(lons, lats) {
            self.canvas.polyline(&piece, colour, width, Some(&self.clip));
        }
    }

    /// The graticule: meridians and parallels at round steps, under everything else.
    pub fn graticule(&mut self) {
        self.graticule_in(GRID);
    }

    /// The graticule in `colour`.
    pub fn graticule_in(&mut self, colour: Rgba) {
        let (lon_step, lat_step) = self.steps();
        for lon in graticule_values(-180.0, 180.0 - 1e-9, lon_step) {
            let lats: Vec<f64> = (0..=180).map(|k| -90.0 + k as f64).collect();
            self.geo_line(&vec![lon; lats.len()], &lats, colour, 0.8);
        }
        for lat in graticule_values(-90.0 + 1e-9, 90.0 - 1e-9, lat_step) {
            let lons: Vec<f64> = (0..=360).map(|k| -180.0 + k as f64).collect();
            self.geo_line(&lons, &vec![lat; lons.len()], colour, 0.8);
        }
    }

    /// Natural Earth's coastlines.
    pub fn coastlines(&mut self) {
        self.coastlines_in(COAST);
    }

    /// The coastlines in `colour`.
    pub fn coastlines_in(&mut self, colour: Rgba) {
        for line in coastlines() {
            self.geo_line(&line.lons, &line.lats, colour, 0.9);
        }
    }

    /// The map's border, its graticule labels and the title.
    pub fn frame(&mut self, title: &str) {
        let outline = self.layout.outline();
        self.canvas.outline_polygon(&outline, Rgba(60, 60, 60, 255), 1.2);
        let (left, top, w, h) = self.layout.area;
        self.canvas.text(title, left + w / 2.0, TITLE_BASELINE, 16.0, INK, Align::Centre);
        let (lon_step, lat_step) = self.steps();
        if self.layout.view.is_polar() {
            self.polar_labels(lon_step);
            return;
        }
        let (x0, x1, y0, y1) = self.layout.view.extent();
        for x in graticule_values(x0, x1, lon_step) {
            let (px, _) = self.layout.plane_to_pixel(x, y0);
            self.canvas.text(&lon_label(x), px, top + h + 17.0, 12.0, INK, Align::Centre);
        }
        for y in graticule_values(y0, y1, lat_step) {
            let (_, py) = self.layout.plane_to_pixel(x0, y);
            self.canvas.text(&lat_label(y), left - 6.0, py + 4.0, 12.0, INK, Align::Right);
        }
    }

    /// Meridian labels around a polar map's circle.
    fn polar_labels(&mut self, lon_step: f64) {
        let (left, top, w, h) = self.layout.area;
        let (cx, cy, r) = (left + w / 2.0, top + h / 2.0, w / 2.0);
        for lon in graticule_values(-180.0, 180.0 - 1e-9, lon_step) {
            let Some((x, y)) = self.layout.view.project(lon, 0.0) else { continue };
            let (px, py) = self.layout.plane_to_pixel(x, y);
            let (dx, dy) = (px - cx, py - cy);
            let d = dx.hypot(dy).max(1e-6);
            let (lx, ly) = (cx + dx / d * (r + 16.0), cy + dy / d * (r + 16.0));
            self.canvas.text(&lon_label(lon), lx, ly + 4.0, 12.0, INK, Align::Centre);
        }
    }

    /// Graticule steps in degrees for the view's extent: about 6-12 lines each way.
    fn steps(&self) -> (f64, f64) {
        match self.layout.view {
            View::Global { .. } => (60.0, 30.0),
            View::NorthPolar { .. } | View::SouthPolar { .. } => (45.0, 15.0),
            View::Region { .. } => {
                let (x0, x1, y0, y1) = self.layout.view.extent();
                (round_step((x1 - x0) / 8.0), round_step((y1 - y0) / 6.0))
            }
        }
    }
}

/// The first of 1, 2, 5, 10, 15, 20, 30, 45, 60, 90 degrees at or above `raw`.
fn round_step(raw: f64) -> f64 {
    [1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0].into_iter().find(|s| *s >= raw).unwrap_or(90.0)
}

/// Multiples of `step` within `lo..=hi`.
fn graticule_values(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// `60°W`, `0°`, `120°E`, `180°`.
pub fn lon_label(x: f64) -> String {
    let lon = wrap180(x);
    let v = lon.abs();
    let num = if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") };
    if v == 0.0 || v == 180.0 || lon == -180.0 {
        format!("{num}°")
    } else if lon < 0.0 {
        format!("{num}°W")
    } else {
        format!("{num}°E")
    }
}

/// `30°S`, `0°`, `60°N`.
pub fn lat_label(y: f64) -> String {
    let v = y.abs();
    let num = if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") };
    if y == 0.0 {
        "0°".into()
    } else if y < 0.0 {
        format!("{num}°S")
    } else {
        format!("{num}°N")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_across_the_seam_is_drawn_on_both_edges() {
        let layout = MapLayout::new(View::Global { central_lon: 0.0 }, 1000, None, false).unwrap();
        let pieces = layout.line_pixels(&[170.0, -170.0], &[10.0, 10.0]);
        assert_eq!(pieces.len(), 2);
        let (left, _, w, _) = layout.area;
        // one piece runs off the right edge, the other comes in at the left
        assert!(pieces.iter().any(|p| p[1].0 > left + w));
        assert!(pieces.iter().any(|p| p[0].0 < left));
    }

    #[test]
    fn labels_read_as_maps_write_them() {
        assert_eq!(lon_label(-60.0), "60°W");
        assert_eq!(lon_label(240.0), "120°W");
        assert_eq!(lon_label(180.0), "180°");
        assert_eq!(lat_label(-30.0), "30°S");
        assert_eq!(lat_label(0.0), "0°");
    }
}
