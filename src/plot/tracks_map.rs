//! A map of tracks (docs/plots.md#track-maps): each track a line, coloured by the tracked
//! intensity, by time or by track, with a dot at genesis.

use super::canvas::Rgba;
use super::colour::{Palette, Scale, categorical, colour_bar, label, ticks};
use super::map::{MapCanvas, MapLayout};
use crate::error::{Error, Result};
use crate::tracks::Tracks;
use crate::variables::{Mode, mode_of_name};

/// What colours a track's segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourBy {
    /// The intensity variable (the primary unless another is named): deeper minima or higher
    /// maxima at the palette's bright end.
    #[default]
    Intensity,
    /// The time of the points, from the first to the last.
    Time,
    /// One colour per track, in turn.
    Track,
}

impl ColourBy {
    pub fn parse(s: &str) -> Result<ColourBy> {
        match s.to_ascii_lowercase().as_str() {
            "intensity" | "value" => Ok(ColourBy::Intensity),
            "time" => Ok(ColourBy::Time),
            "track" | "id" => Ok(ColourBy::Track),
            other => Err(Error::option("colour_by", format!("'{other}' is unknown; use intensity, time or track"))),
        }
    }
}

/// How tracks are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackStyle {
    pub colour_by: ColourBy,
    /// The intensity variable; `None`: the primary.
    pub variable: Option<String>,
    /// The colour scale's limits; `None`: the data's.
    pub limits: (Option<f64>, Option<f64>),
    /// Line width in pixels.
    pub line_width: f32,
}

impl Default for TrackStyle {
    fn default() -> Self {
        TrackStyle { colour_by: ColourBy::Intensity, variable: None, limits: (None, None), line_width: 1.6 }
    }
}

/// One drawn segment: its end points in `(lon, lat)`, its colour value and its order.
struct Segment {
    lons: [f64; 2],
    lats: [f64; 2],
    value: f64,
}

/// The map of `tracks` on `layout`, titled `title`, as a canvas ready to encode.
pub fn track_map(tracks: &Tracks, layout: MapLayout, style: &TrackStyle, title: &str) -> Result<MapCanvas> {
    let scale = scale_of(tracks, style)?;
    let mut map = MapCanvas::new(layout)?;
    map.graticule();
    map.coastlines();
    let values = colour_values(tracks, style)?;
    let mut segments: Vec<Segment> = Vec::new();
    for i in 0..tracks.len() {
        let r = tracks.range(i);
        if r.len() == 1 {
            segments.push(Segment { lons: [tracks.lons[r.start]; 2], lats: [tracks.lats[r.start]; 2], value: values[r.start] });
        }
        for k in r.start..r.end.saturating_sub(1) {
            let v = (values[k] + values[k + 1]) / 2.0;
            let v = if v.is_finite() {
                v
            } else if values[k].is_finite() {
                values[k]
            } else {
                values[k + 1]
            };
            segments.push(Segment { lons: [tracks.lons[k], tracks.lons[k + 1]], lats: [tracks.lats[k], tracks.lats[k + 1]], value: v });
        }
    }
    // the most intense on top; equal positions keep the tracks' order (a stable sort)
    if style.colour_by == ColourBy::Intensity {
        segments.sort_by(|a, b| scale.position(a.value).total_cmp(&scale.position(b.value)));
    }
    for s in &segments {
        let colour = colour_of(style, &scale, s.value);
        map.geo_line(&s.lons, &s.lats, colour, style.line_width);
    }
    for i in 0..tracks.len() {
        let k = tracks.range(i).start;
        let colour = colour_of(style, &scale, values[k]);
        for piece in map.layout.line_pixels(&[tracks.lons[k]], &[tracks.lats[k]]) {
            map.canvas.disc(piece[0], style.line_width + 0.6, colour, Some(&map.clip));
        }
    }
    map.frame(title);
    if style.colour_by != ColourBy::Track {
        bar(&mut map, tracks, style, &scale)?;
    }
    Ok(map)
}

fn colour_of(style: &TrackStyle, scale: &Scale, value: f64) -> Rgba {
    match style.colour_by {
        ColourBy::Track => categorical(value as usize),
        _ if !value.is_finite() => Rgba(150, 150, 150, 255),
        _ => scale.colour(value),
    }
}

/// The variable drawn as intensity, and whether its minima are the intense end.
fn intensity<'t>(tracks: &'t Tracks, style: &TrackStyle) -> Result<(&'t crate::tracks::Variable, bool)> {
    let name = style.variable.clone().unwrap_or_else(|| tracks.primary().name.clone());
    let var = tracks.variable(&name).ok_or_else(|| {
        let names: Vec<&str> = tracks.variables.iter().map(|v| v.name.as_str()).collect();
        Error::option("variable", format!("'{name}' is not a variable of these tracks; they have {}", names.join(", ")))
    })?;
    let mode = if var.name == tracks.primary().name { Some(tracks.metadata.mode) } else { mode_of_name(&var.name) };
    Ok((var, mode == Some(Mode::Min)))
}

/// One value per point that picks its colour: intensity, time (ms) or track index.
fn colour_values(tracks: &Tracks, style: &TrackStyle) -> Result<Vec<f64>> {
    Ok(match style.colour_by {
        ColourBy::Intensity => intensity(tracks, style)?.0.values.clone(),
        ColourBy::Time => tracks.times.iter().map(|&t| t as f64).collect(),
        ColourBy::Track => (0..tracks.len()).flat_map(|i| std::iter::repeat_n(i as f64, tracks.range(i).len())).collect(),
    })
}

fn scale_of(tracks: &Tracks, style: &TrackStyle) -> Result<Scale> {
    Ok(match style.colour_by {
        ColourBy::Intensity => {
            let (var, minima) = intensity(tracks, style)?;
            Scale::over(var.values.iter().copied(), style.limits, Palette::Intensity, minima)
        }
        ColourBy::Time => Scale::over(tracks.times.iter().map(|&t| t as f64), (None, None), Palette::Time, false),
        ColourBy::Track => Scale { lo: 0.0, hi: 1.0, palette: Palette::Sequential, reversed: false },
    })
}

/// The colour bar under the map, in the variable's unit or in dates.
fn bar(map: &mut MapCanvas, tracks: &Tracks, style: &TrackStyle, scale: &Scale) -> Result<()> {
    let (left, top, w, h) = map.layout.area;
    let geometry = (left + w * 0.2, top + h + 48.0, w * 0.6, 12.0);
    match style.colour_by {
        ColourBy::Time => {
            let calendar = tracks.metadata.calendar;
            let n = 4;
            let at: Vec<f64> = (0..=n).map(|k| scale.lo + (scale.hi - scale.lo) * k as f64 / n as f64).collect();
            let span_days = (scale.hi - scale.lo) / 86_400_000.0;
            let fmt = move |v: f64| {
                let iso = calendar.format_iso(v.round() as i64);
                if span_days > 4.0 { iso[..10].to_string() } else { iso[..16].replace('T', " ") }
            };
            colour_bar(&mut map.canvas, scale, geometry, "time", &at, &fmt);
        }
        _ => {
            let (var, _) = intensity(tracks, style)?;
            let title = if var.unit.is_empty() || var.unit == "1" { var.name.clone() } else { format!("{} ({})", var.name, var.unit) };
            colour_bar(&mut map.canvas, scale, geometry, &title, &ticks(scale.lo, scale.hi, 5), &label);
        }
    }
    Ok(())
}
