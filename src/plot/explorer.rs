//! The track explorer (docs/plots.md#explorer): one self-contained HTML file, the tracks and
//! Natural Earth's coastlines inlined as JSON and drawn by a small script on a canvas; filters
//! by time, peak intensity, lifetime and region; a click on a track lists its points. Nothing
//! is fetched when the page is viewed. Times are written as text in the data's calendar (a
//! browser's `Date` knows only the Gregorian one), so a 360-day year reads as it should.

use super::coastlines::coastlines;
use super::colour::{Palette, palette_colour};
use crate::tracks::Tracks;
use crate::variables::Mode;
use serde_json::{Value, json};

const TEMPLATE: &str = include_str!("explorer.html");
/// Where the template takes the data.
const DATA_SLOT: &str = "/*STORMTRACK_DATA*/null";
/// Where the template takes the page title.
const TITLE_SLOT: &str = "<!--STORMTRACK_TITLE-->";

/// The explorer page of `tracks`, titled `title`.
pub fn explorer_html(tracks: &Tracks, title: &str) -> String {
    let data = explorer_data(tracks, title);
    // `</` inside a script element would end it: JSON allows `<\/`
    let json = serde_json::to_string(&data).expect("JSON of plain values").replace("</", "<\\/");
    TEMPLATE.replace(TITLE_SLOT, &html_escape(title)).replacen(DATA_SLOT, &json, 1)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A number for JSON: finite values to 7 significant digits (what the page shows and filters
/// on; the JSON is about half the size of full precision), NaN as null.
fn number(v: f64) -> Value {
    if !v.is_finite() {
        return Value::Null;
    }
    let short: f64 = format!("{v:.6e}").parse().expect("a formatted float parses");
    json!(short)
}

/// A coordinate for JSON: 4 decimals of a degree (about 10 m).
fn degrees(v: f64) -> Value {
    if v.is_finite() { json!((v * 1e4).round() / 1e4) } else { Value::Null }
}

/// What the page shows: the tracks, their variables, the coastlines and the palette.
fn explorer_data(tracks: &Tracks, title: &str) -> Value {
    let calendar = tracks.metadata.calendar;
    let primary = tracks.primary();
    let list: Vec<Value> = (0..tracks.len())
        .map(|i| {
            let r = tracks.range(i);
            let times: Vec<String> = tracks.times[r.clone()].iter().map(|&t| calendar.format_iso(t)[..16].replace('T', " ")).collect();
            let hours = (tracks.times[r.end - 1] - tracks.times[r.start]) as f64 / 3_600_000.0;
            let values: Vec<Vec<Value>> = tracks.variables.iter().map(|v| v.values[r.clone()].iter().map(|&x| number(x)).collect()).collect();
            json!({
                "id": tracks.ids[i],
                "time": times,
                "lon": tracks.lons[r.clone()].iter().map(|&x| degrees(x)).collect::<Vec<_>>(),
                "lat": tracks.lats[r.clone()].iter().map(|&x| degrees(x)).collect::<Vec<_>>(),
                "values": values,
                "hours": hours,
            })
        })
        .collect();
    let coast: Vec<Vec<i32>> = coastlines()
        .iter()
        .map(|l| l.lons.iter().zip(&l.lats).flat_map(|(&x, &y)| [(x * 100.0).round() as i32, (y * 100.0).round() as i32]).collect())
        .collect();
    let palette: Vec<String> = (0..=16).map(|k| palette_colour(Palette::Intensity, f64::from(k) / 16.0).hex()).collect();
    json!({
        "title": title,
        "variables": tracks.variables.iter().map(|v| json!({"name": v.name, "unit": v.unit})).collect::<Vec<_>>(),
        "minima": tracks.metadata.mode == Mode::Min,
        "primary": primary.name,
        "calendar": calendar.name(),
        "central_lon": central_lon(tracks),
        "tracks": list,
        "coastlines": coast,
        "palette": palette,
    })
}

/// 180 when the tracks cluster about the antimeridian (the Pacific), else 0: the seam of the
/// map goes where fewer tracks cross it.
fn central_lon(tracks: &Tracks) -> f64 {
    let near_180 = tracks.lons.iter().filter(|l| crate::plot::wrap180(**l).abs() > 150.0).count();
    let near_0 = tracks.lons.iter().filter(|l| crate::plot::wrap180(**l).abs() < 30.0).count();
    if near_180 > near_0 { 180.0 } else { 0.0 }
}
