//! Colour scales (colorous' perceptual maps) and the colour bar under a map
//! (docs/plots.md#colours).

use super::canvas::{Align, Canvas, Rgba};

/// Which colour map a scale uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// Intensity along tracks: plasma, its palest end left out (white background).
    Intensity,
    /// Time: viridis, its palest end left out.
    Time,
    /// A field of one sign: viridis.
    Sequential,
    /// A field of both signs: red-blue, white at zero, symmetric.
    Diverging,
}

/// Values `lo..hi` mapped onto a palette; `reversed` puts `lo` at the palette's far end (for
/// minima, where the deepest value is the most intense).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub palette: Palette,
    pub reversed: bool,
}

impl Scale {
    /// The scale over the finite `values` (or the limits given), with `palette`.
    pub fn over(values: impl Iterator<Item = f64>, limits: (Option<f64>, Option<f64>), palette: Palette, reversed: bool) -> Scale {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        let (lo, hi) = (limits.0.unwrap_or(lo), limits.1.unwrap_or(hi));
        let (lo, hi) = if palette == Palette::Diverging {
            let m = lo.abs().max(hi.abs());
            (-m, m)
        } else {
            (lo, hi)
        };
        Scale { lo, hi, palette, reversed }
    }

    /// Where `v` falls, in [0, 1].
    pub fn position(&self, v: f64) -> f64 {
        let t = if self.hi > self.lo { ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0) } else { 0.5 };
        if self.reversed { 1.0 - t } else { t }
    }

    /// The colour of `v`.
    pub fn colour(&self, v: f64) -> Rgba {
        palette_colour(self.palette, self.position(v))
    }
}

/// The colour at position `t` in [0, 1] of a palette.
pub fn palette_colour(palette: Palette, t: f64) -> Rgba {
    let c = match palette {
        Palette::Intensity => colorous::PLASMA.eval_continuous(0.02 + 0.86 * t),
        Palette::Time => colorous::VIRIDIS.eval_continuous(0.92 * t),
        Palette::Sequential => colorous::VIRIDIS.eval_continuous(t),
        Palette::Diverging => colorous::RED_BLUE.eval_continuous(1.0 - t),
    };
    Rgba(c.r, c.g, c.b, 255)
}

/// The colour of the `i`-th track when tracks are told apart (Tableau 10, in turn).
pub fn categorical(i: usize) -> Rgba {
    let c = colorous::TABLEAU10[i % colorous::TABLEAU10.len()];
    Rgba(c.r, c.g, c.b, 255)
}

/// Nice tick values over `lo..hi`: about `n` multiples of 1, 2 or 5 times a power of ten.
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(hi > lo) || !lo.is_finite() || !hi.is_finite() {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A value as a short label: at most 4 significant digits, scientific notation when tiny or
/// huge.
pub fn label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.2e}");
        return s.replace("e-0", "e-").replace("e0", "e").replace('-', "\u{2212}");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    s.replace('-', "\u{2212}")
}

/// A horizontal colour bar at `(x, y)`, `w` x `h` pixels, with tick labels under it and
/// `title` above; `tick_label` writes each tick (values or dates).
pub fn colour_bar(canvas: &mut Canvas, scale: &Scale, (x, y, w, h): (f32, f32, f32, f32), title: &str, ticks_at: &[f64], tick_label: &dyn Fn(f64) -> String) {
    let steps = w.round().max(1.0) as usize;
    for i in 0..steps {
        let v = scale.lo + (scale.hi - scale.lo) * (i as f64 + 0.5) / steps as f64;
        canvas.rect(x + i as f32, y, 1.0, h, scale.colour(v));
    }
    canvas.outline_polygon(&[(x, y), (x + w, y), (x + w, y + h), (x, y + h)], Rgba(60, 60, 60, 255), 1.0);
    canvas.text(title, x + w / 2.0, y - 6.0, 13.0, Rgba(30, 30, 30, 255), Align::Centre);
    for &v in ticks_at {
        if !(scale.lo..=scale.hi).contains(&v) {
            continue;
        }
        let t = if scale.hi > scale.lo { ((v - scale.lo) / (scale.hi - scale.lo)) as f32 } else { 0.5 };
        let tx = x + t * w;
        canvas.polyline(&[(tx, y + h), (tx, y + h + 4.0)], Rgba(60, 60, 60, 255), 1.0, None);
        canvas.text(&tick_label(v), tx, y + h + 17.0, 12.0, Rgba(30, 30, 30, 255), Align::Centre);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        assert_eq!(ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(96_312.0, 101_005.0, 5), vec![97_000.0, 98_000.0, 99_000.0, 100_000.0, 101_000.0]);
        assert_eq!(label(1.0e-5), "1.00e\u{2212}5");
        assert_eq!(label(-2.5), "\u{2212}2.5");
        assert_eq!(label(98_000.0), "98000");
    }

    #[test]
    fn a_reversed_scale_puts_the_lowest_value_at_the_far_end() {
        let s = Scale::over([950.0, 1010.0].into_iter(), (None, None), Palette::Intensity, true);
        assert_eq!(s.position(950.0), 1.0);
        assert_eq!(s.position(1010.0), 0.0);
        let d = Scale::over([-1.0, 3.0].into_iter(), (None, None), Palette::Diverging, false);
        assert_eq!((d.lo, d.hi), (-3.0, 3.0));
    }
}
