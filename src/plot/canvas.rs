//! A picture being drawn: a tiny-skia pixmap, anti-aliased lines and shapes, and text in the
//! embedded DejaVu Sans (src/plot/data/README.md). Pure Rust and single-threaded, so the same
//! drawing gives the same PNG bytes on every machine.

use crate::error::{Error, Result};
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use tiny_skia::{Color, FillRule, LineCap, LineJoin, Mask, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

const FONT: &[u8] = include_bytes!("data/DejaVuSans-subset.ttf");

/// An RGBA colour, 8 bits a channel, not premultiplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgba(pub u8, pub u8, pub u8, pub u8);

impl Rgba {
    pub const WHITE: Rgba = Rgba(255, 255, 255, 255);
    pub const BLACK: Rgba = Rgba(0, 0, 0, 255);

    fn paint(self) -> Paint<'static> {
        let mut paint = Paint::default();
        paint.set_color(Color::from_rgba8(self.0, self.1, self.2, self.3));
        paint.anti_alias = true;
        paint
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Where a text's anchor point is, horizontally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// A picture of `width` x `height` pixels on a white background.
pub struct Canvas {
    pixmap: Pixmap,
    font: FontRef<'static>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Result<Canvas> {
        let mut pixmap = Pixmap::new(width, height).ok_or_else(|| Error::option("width", format!("a picture of {width} x {height} pixels cannot be made")))?;
        pixmap.fill(Color::WHITE);
        let font = FontRef::try_from_slice(FONT).expect("the embedded font parses");
        Ok(Canvas { pixmap, font })
    }

    pub fn width(&self) -> u32 {
        self.pixmap.width()
    }

    pub fn height(&self) -> u32 {
        self.pixmap.height()
    }

    /// A mask letting drawing through inside the closed polygon `points` only.
    pub fn mask_of(&self, points: &[(f32, f32)]) -> Option<Mask> {
        let path = polygon_path(points)?;
        let mut mask = Mask::new(self.width(), self.height())?;
        mask.fill_path(&path, FillRule::Winding, true, Transform::identity());
        Some(mask)
    }

    /// A line through `points`, `width` pixels wide, clipped to `mask` if given.
    pub fn polyline(&mut self, points: &[(f32, f32)], colour: Rgba, width: f32, mask: Option<&Mask>) {
        if points.len() < 2 {
            return;
        }
        let mut pb = PathBuilder::new();
        pb.move_to(points[0].0, points[0].1);
        for p in &points[1..] {
            pb.line_to(p.0, p.1);
        }
        if let Some(path) = pb.finish() {
            let stroke = Stroke { width, line_cap: LineCap::Round, line_join: LineJoin::Round, ..Stroke::default() };
            self.pixmap.stroke_path(&path, &colour.paint(), &stroke, Transform::identity(), mask);
        }
    }

    /// The closed polygon `points` filled.
    pub fn fill_polygon(&mut self, points: &[(f32, f32)], colour: Rgba, mask: Option<&Mask>) {
        if let Some(path) = polygon_path(points) {
            self.pixmap.fill_path(&path, &colour.paint(), FillRule::Winding, Transform::identity(), mask);
        }
    }

    /// The closed polygon `points` outlined.
    pub fn outline_polygon(&mut self, points: &[(f32, f32)], colour: Rgba, width: f32) {
        if let Some(path) = polygon_path(points) {
            let stroke = Stroke { width, line_join: LineJoin::Round, ..Stroke::default() };
            self.pixmap.stroke_path(&path, &colour.paint(), &stroke, Transform::identity(), None);
        }
    }

    /// A filled disc.
    pub fn disc(&mut self, centre: (f32, f32), radius: f32, colour: Rgba, mask: Option<&Mask>) {
        if let Some(path) = PathBuilder::from_circle(centre.0, centre.1, radius) {
            self.pixmap.fill_path(&path, &colour.paint(), FillRule::Winding, Transform::identity(), mask);
        }
    }

    /// A filled axis-aligned rectangle.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Rgba) {
        if let Some(r) = Rect::from_xywh(x, y, w, h) {
            self.pixmap.fill_rect(r, &colour.paint(), Transform::identity(), None);
        }
    }

    /// Set one pixel, opaque (raster fields).
    pub fn set_pixel(&mut self, x: u32, y: u32, c: Rgba) {
        let w = self.width();
        let i = (y * w + x) as usize * 4;
        let data = self.pixmap.data_mut();
        data[i..i + 4].copy_from_slice(&[c.0, c.1, c.2, 255]);
    }

    /// The width of `text` at `size` pixels.
    pub fn text_width(&self, text: &str, size: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(size));
        let mut width = 0.0;
        let mut last = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(prev) = last {
                width += scaled.kern(prev, id);
            }
            width += scaled.h_advance(id);
            last = Some(id);
        }
        width
    }

    /// `text` at `size` pixels, its baseline at `y`, anchored at `x` as `align` says.
    pub fn text(&mut self, text: &str, x: f32, y: f32, size: f32, colour: Rgba, align: Align) {
        let scale = PxScale::from(size);
        let scaled = self.font.as_scaled(scale);
        let width = self.text_width(text, size);
        let mut caret = match align {
            Align::Left => x,
            Align::Centre => x - width / 2.0,
            Align::Right => x - width,
        };
        let mut last = None;
        let (w, h) = (self.width() as i32, self.height() as i32);
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(prev) = last {
                caret += scaled.kern(prev, id);
            }
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(caret, y));
            caret += scaled.h_advance(id);
            last = Some(id);
            let Some(outline) = self.font.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            let data = self.pixmap.data_mut();
            outline.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i32 + gx as i32;
                let py = bounds.min.y as i32 + gy as i32;
                if px < 0 || py < 0 || px >= w || py >= h {
                    return;
                }
                let i = (py * w + px) as usize * 4;
                let a = coverage.clamp(0.0, 1.0) * f32::from(colour.3) / 255.0;
                for (k, channel) in [colour.0, colour.1, colour.2].into_iter().enumerate() {
                    let dst = f32::from(data[i + k]);
                    data[i + k] = (f32::from(channel) * a + dst * (1.0 - a)).round() as u8;
                }
                let dst = f32::from(data[i + 3]);
                data[i + 3] = (255.0 * a + dst * (1.0 - a)).round() as u8;
            });
        }
    }

    /// The picture as PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>> {
        self.pixmap.encode_png().map_err(|e| Error::Format(format!("cannot encode the picture as PNG: {e}")))
    }
}

fn polygon_path(points: &[(f32, f32)]) -> Option<tiny_skia::Path> {
    let (first, rest) = points.split_first()?;
    let mut pb = PathBuilder::new();
    pb.move_to(first.0, first.1);
    for p in rest {
        pb.line_to(p.0, p.1);
    }
    pb.close();
    pb.finish()
}
