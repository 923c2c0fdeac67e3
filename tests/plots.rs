//! Pictures: maps of tracks and fields checked by what is in their pixels (tracks drawn where
//! they lie, nothing drawn where there is nothing, the scale's colours where values are), for
//! global, regional (across the antimeridian) and polar views; the same input gives the same
//! bytes; `stormtrack plot` and `stormtrack explore` end to end with their bad inputs.

mod common;

use common::{assert_fails, assert_ok, shared, stormtrack};
use stormtrack::ops::plot::{Options, PlotKind, render, render_tracks};
use stormtrack::plot::{MapLayout, Palette, Scale, View};
use stormtrack::tracks::{Point, Tracks, TracksBuilder, TracksMetadata};
use stormtrack::variables::Mode;
use tiny_skia::Pixmap;

/// The map's background, where nothing is drawn.
const OCEAN: [u8; 3] = [244, 247, 251];

/// Tracks of `(id, [(lon, lat, msl)])`, six-hourly from 2025-12-01.
fn tracks(list: &[(i64, &[(f64, f64, f64)])]) -> Tracks {
    let mut b = TracksBuilder::new(TracksMetadata::new("msl", Mode::Min), &[("msl", "Pa")], None);
    for (id, pts) in list {
        let points: Vec<Point> =
            pts.iter().enumerate().map(|(k, p)| Point { time: 1_764_547_200_000 + k as i64 * 21_600_000, lat: p.1, lon: p.0, grid: None }).collect();
        let values: Vec<Vec<f64>> = pts.iter().map(|p| vec![p.2]).collect();
        b.push(*id, &points, &values);
    }
    b.finish().unwrap()
}

/// A track along 40N from 60W to 20W, deepening.
fn atlantic() -> Tracks {
    tracks(&[(1, &[(-60.0, 40.0, 100_000.0), (-50.0, 40.0, 99_000.0), (-40.0, 40.0, 98_000.0), (-30.0, 40.0, 97_000.0), (-20.0, 40.0, 96_000.0)])])
}

fn options(view: &str) -> Options {
    Options { view: view.into(), width: 1000, ..Options::default() }
}

fn pixel(p: &Pixmap, (x, y): (f32, f32)) -> [u8; 3] {
    // the pixel the point falls in
    let c = p.pixel(x.floor() as u32, y.floor() as u32).expect("inside the picture");
    [c.red(), c.green(), c.blue()]
}

/// A saturated colour: a track or a field, not the background, the graticule or a coast.
fn is_colour(c: [u8; 3]) -> bool {
    let (max, min) = (*c.iter().max().unwrap(), *c.iter().min().unwrap());
    max - min > 60
}

fn decode(png: &[u8]) -> Pixmap {
    Pixmap::decode_png(png).expect("a PNG")
}

/// The darkest-to-brightest distance of two colours (sum of channel differences).
fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    a.iter().zip(&b).map(|(x, y)| (i32::from(*x) - i32::from(*y)).unsigned_abs()).sum()
}

#[test]
fn a_track_is_drawn_where_it_lies_and_nowhere_else_on_a_global_map() {
    let (png, done) = render_tracks(&atlantic(), &options("global")).unwrap();
    let p = decode(&png);
    assert_eq!((p.width(), p.height()), (done.layout.width, done.layout.height));
    assert_eq!(p.width(), 1000);
    let layout = done.layout;
    for lon in [-55.0, -40.0, -25.0] {
        assert!(is_colour(pixel(&p, layout.pixel(lon, 40.0).unwrap())), "no track at {lon}, 40N");
    }
    // the same longitudes in the south, and the Pacific: background only
    for (lon, lat) in [(-40.0, -40.0), (-150.0, 20.0), (100.0, -20.0)] {
        let c = pixel(&p, layout.pixel(lon, lat).unwrap());
        assert!(!is_colour(c), "something at {lon}, {lat}: {c:?}");
    }
    // not blank: the coastlines are there (dark pixels) besides the track
    let dark = p.pixels().iter().filter(|c| c.red() < 130 && c.green() < 130 && c.blue() < 140 && c.red().abs_diff(c.blue()) < 40).count();
    assert!(dark > 2_000, "{dark} coastline pixels");
}

#[test]
fn intensity_colours_follow_the_scale_deepest_at_the_bright_end() {
    let (png, done) = render_tracks(&atlantic(), &options("global")).unwrap();
    let p = decode(&png);
    let scale = Scale { lo: 96_000.0, hi: 100_000.0, palette: Palette::Intensity, reversed: true };
    let weak = pixel(&p, done.layout.pixel(-55.0, 40.0).unwrap());
    let deep = pixel(&p, done.layout.pixel(-25.0, 40.0).unwrap());
    let want_weak = scale.colour(99_500.0);
    let want_deep = scale.colour(96_500.0);
    let rgb = |c: stormtrack::plot::Rgba| [c.0, c.1, c.2];
    assert!(distance(weak, rgb(want_weak)) < 40, "{weak:?} vs {want_weak:?}");
    assert!(distance(deep, rgb(want_deep)) < 40, "{deep:?} vs {want_deep:?}");
}

#[test]
fn colour_by_time_and_by_track_tell_points_and_tracks_apart() {
    let two = tracks(&[(1, &[(-60.0, 40.0, 1.0), (-20.0, 40.0, 1.0)]), (2, &[(-60.0, 20.0, 1.0), (-20.0, 20.0, 1.0)])]);
    let (png, done) = render_tracks(&two, &Options { colour_by: "track".into(), ..options("global") }).unwrap();
    let p = decode(&png);
    let a = pixel(&p, done.layout.pixel(-40.0, 40.0).unwrap());
    let b = pixel(&p, done.layout.pixel(-40.0, 20.0).unwrap());
    assert!(is_colour(a) && is_colour(b) && distance(a, b) > 60, "{a:?} {b:?}");
    // no colour bar when tracks are told apart: the picture is shorter
    let (_, with_bar) = render_tracks(&two, &options("global")).unwrap();
    assert!(done.layout.height < with_bar.layout.height);
    let (png, done) = render_tracks(&atlantic(), &Options { colour_by: "time".into(), ..options("global") }).unwrap();
    let p = decode(&png);
    let first = pixel(&p, done.layout.pixel(-57.0, 40.0).unwrap());
    let last = pixel(&p, done.layout.pixel(-23.0, 40.0).unwrap());
    assert!(distance(first, last) > 100, "{first:?} {last:?}");
}

#[test]
fn a_region_across_the_antimeridian_draws_the_track_continuously() {
    let pacific = tracks(&[(7, &[(170.0, 30.0, 99_000.0), (176.0, 31.0, 98_500.0), (-178.0, 32.0, 98_000.0), (-172.0, 33.0, 97_500.0)])]);
    let opts = Options { region: Some([160.0, -120.0, 0.0, 60.0]), ..options("region") };
    let (png, done) = render_tracks(&pacific, &opts).unwrap();
    let p = decode(&png);
    let layout = done.layout;
    let (left, _, w, _) = layout.area;
    let seam = layout.pixel(180.0, 31.0 + 4.0 / 6.0).unwrap();
    assert!(seam.0 > left + 0.2 * w && seam.0 < left + 0.4 * w, "180 lies a quarter in: {seam:?}");
    for (lon, lat) in [(170.0, 30.0), (180.0, 31.0 + 4.0 / 6.0), (-172.0, 33.0)] {
        assert!(is_colour(pixel(&p, layout.pixel(lon, lat).unwrap())), "no track at {lon}, {lat}");
    }
    // outside the box nothing is drawn at all
    assert!(layout.pixel(0.0, 30.0).is_none());
}

#[test]
fn polar_views_put_tracks_around_the_pole_inside_the_circle() {
    let (png, done) = render_tracks(&atlantic(), &options("north")).unwrap();
    let p = decode(&png);
    let layout = done.layout;
    assert_eq!(layout.area.2, layout.area.3, "a polar map is round");
    let at = layout.pixel(-40.0, 40.0).unwrap();
    assert!(is_colour(pixel(&p, at)));
    // 0E is straight below the pole, 90W to its left
    let pole = layout.pixel(0.0, 90.0).unwrap();
    let below = layout.pixel(0.0, 50.0).unwrap();
    let left = layout.pixel(-90.0, 50.0).unwrap();
    assert!((below.0 - pole.0).abs() < 0.5 && below.1 > pole.1);
    assert!(left.0 < pole.0 && (left.1 - pole.1).abs() < 0.5);
    assert!(!is_colour(pixel(&p, pole)));
    // beyond the boundary latitude nothing is on the map; the southern view has no northern track
    assert!(layout.pixel(-40.0, 10.0).is_none());
    let (png, done) = render_tracks(&atlantic(), &options("south")).unwrap();
    let p = decode(&png);
    let colours = p.pixels().iter().filter(|c| is_colour([c.red(), c.green(), c.blue()])).count();
    let (left, top, w, h) = done.layout.area;
    // only the colour bar under the map is coloured
    let in_map = p
        .pixels()
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            let (x, y) = ((*i as u32 % p.width()) as f32, (*i as u32 / p.width()) as f32);
            x >= left && x <= left + w && y >= top && y <= top + h && is_colour([c.red(), c.green(), c.blue()])
        })
        .count();
    assert!(colours > 0);
    assert_eq!(in_map, 0);
}

#[test]
fn the_same_tracks_give_the_same_bytes() {
    let a = render_tracks(&atlantic(), &options("north")).unwrap().0;
    let b = render_tracks(&atlantic(), &options("north")).unwrap().0;
    assert_eq!(a, b);
}

#[test]
fn a_field_map_colours_every_cell_by_its_value_and_leaves_missing_cells_blank() {
    // a 2.5-degree global field equal to the latitude, missing south of 60S
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("field.parquet");
    let lat: Vec<f64> = (0..73).map(|k| 90.0 - 2.5 * k as f64).collect();
    let lon: Vec<f64> = (0..144).map(|k| 2.5 * k as f64).collect();
    let frame: Vec<f64> = lat.iter().flat_map(|&y| std::iter::repeat_n(if y < -60.0 { f64::NAN } else { y }, lon.len())).collect();
    let table = stormtrack::io::gridded::GriddedTable {
        lat: lat.clone(),
        lon,
        times: None,
        calendar: Default::default(),
        fields: vec![stormtrack::io::gridded::GriddedField {
            name: "lat_field".into(),
            attributes: vec![("units".into(), "degree".into())],
            frames: vec![frame],
        }],
        attributes: vec![],
    };
    stormtrack::io::gridded::write(&table, &path).unwrap();
    let opts = Options { input: path, ..options("global") };
    let (png, done) = render(&opts).unwrap();
    assert_eq!(done.kind, PlotKind::Field);
    let p = decode(&png);
    // values of both signs: the diverging palette, symmetric about zero
    let scale = Scale::over([-60.0, 90.0].into_iter(), (None, None), Palette::Diverging, false);
    for (lon, lat) in [(10.0, 45.0), (-100.0, 0.0), (100.0, -45.0)] {
        let got = pixel(&p, done.layout.pixel(lon, lat).unwrap());
        let want = scale.colour(lat);
        assert!(distance(got, [want.0, want.1, want.2]) < 30, "{lon}, {lat}: {got:?} vs {want:?}");
    }
    let blank = pixel(&p, done.layout.pixel(-30.0, -75.0).unwrap());
    assert!(distance(blank, OCEAN) < 30, "{blank:?}");
}

#[test]
fn layouts_refuse_pictures_too_small_or_too_big() {
    assert!(MapLayout::new(View::default(), 50, None, true).unwrap_err().to_string().contains("`width`"));
    assert!(MapLayout::new(View::default(), 1000, Some(100), true).unwrap_err().to_string().contains("`height`"));
}

#[test]
fn stormtrack_plot_and_explore_end_to_end() {
    let Some(reference) = shared("reference/pst-0.8.0/hodges_msl_2.5_T5-42.trackjson") else { return };
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("tracks.png");
    let r = reference.to_str().unwrap();
    let o = stormtrack(&["plot", r, "-o", png.to_str().unwrap(), "--view", "north", "--color-by", "time", "--width", "900"]);
    assert_ok(&o);
    let p = decode(&std::fs::read(&png).unwrap());
    assert_eq!(p.width(), 900);
    assert!(p.pixels().iter().filter(|c| is_colour([c.red(), c.green(), c.blue()])).count() > 10_000);
    let html = dir.path().join("explorer.html");
    assert_ok(&stormtrack(&["explore", r, "-o", html.to_str().unwrap()]));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("\"id\":2,") && !page.contains("http://") && !page.contains("https://"), "self-contained");
    // bad inputs: one line, exit 2, nothing written
    let bad = dir.path().join("bad.png");
    let b = bad.to_str().unwrap();
    assert_fails(&stormtrack(&["plot", r, "-o", dir.path().join("x.jpg").to_str().unwrap()]), &["--output", ".png"]);
    assert_fails(&stormtrack(&["plot", r, "-o", b, "--view", "mercator"]), &["--view", "mercator"]);
    assert_fails(&stormtrack(&["plot", r, "-o", b, "--region", "0,10,50,40"]), &["--region", "south below north"]);
    assert_fails(&stormtrack(&["plot", r, "-o", b, "--region", "0,10,50"]), &["--region", "four numbers"]);
    assert_fails(&stormtrack(&["plot", r, "-o", b, "--color-by", "speed"]), &["--colour-by", "speed"]);
    assert_fails(&stormtrack(&["plot", r, "-o", b, "--variable", "wind"]), &["--variable", "wind"]);
    assert_fails(&stormtrack(&["plot", r, "-o", b, "--width", "20"]), &["--width"]);
    assert_fails(&stormtrack(&["plot", r, "-o", b, "--vmin", "5", "--vmax", "1"]), &["--vmin"]);
    assert_fails(&stormtrack(&["plot", "missing.json", "-o", b]), &["missing.json"]);
    assert_fails(&stormtrack(&["explore", r, "-o", dir.path().join("x.txt").to_str().unwrap()]), &["--output", ".html"]);
    let stats = dir.path().join("stats.nc");
    assert_ok(&stormtrack(&["stats", r, "-o", stats.to_str().unwrap()]));
    assert_fails(&stormtrack(&["plot", stats.to_str().unwrap(), "-o", b]), &["--variable", "track_density", "genesis_density"]);
    assert_fails(&stormtrack(&["plot", stats.to_str().unwrap(), "-o", b, "-v", "track_density", "--frame", "3"]), &["--frame", "3"]);
    assert!(!bad.exists());
    assert_ok(&stormtrack(&["plot", stats.to_str().unwrap(), "-o", b, "-v", "track_density", "--view", "south"]));
    let p = decode(&std::fs::read(&bad).unwrap());
    assert!(p.pixels().iter().filter(|c| is_colour([c.red(), c.green(), c.blue()])).count() > 100_000, "the field fills the map");
}

#[test]
fn model_calendars_keep_their_dates_in_pictures_and_the_explorer() {
    let mut t = atlantic();
    t.metadata.calendar = stormtrack::time::Calendar::Day360;
    let start = stormtrack::time::Calendar::Day360.from_civil(2001, 2, 30, 0).unwrap();
    t.times = (0..t.times.len() as i64).map(|k| start + k * 21_600_000).collect();
    let html = stormtrack::plot::explorer::explorer_html(&t, "360-day");
    assert!(html.contains("\"2001-02-30 00:00\"") && html.contains("\"calendar\":\"360_day\""));
    // the time colouring spans the 360-day dates: both ends of the track differ in colour
    let (png, done) = render_tracks(&t, &Options { colour_by: "time".into(), ..options("global") }).unwrap();
    let p = decode(&png);
    let (a, b) = (pixel(&p, done.layout.pixel(-57.0, 40.0).unwrap()), pixel(&p, done.layout.pixel(-23.0, 40.0).unwrap()));
    assert!(distance(a, b) > 100);
}
