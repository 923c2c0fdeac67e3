//! `plot`: a PNG map of tracks (any track format) or of a gridded field (the NetCDF or Parquet
//! output of `metrics`, `stats`, `eulerian`, or any gridded input), docs/plots.md.

use crate::error::{Error, Result};
use crate::io;
use crate::plot::{ColourBy, FieldStyle, GridFrame, MapLayout, TrackStyle, View, field_map, track_map};
use crate::tracks::Tracks;
use std::path::{Path, PathBuf};

/// Options of `plot`.
#[derive(Debug, Clone)]
pub struct Options {
    pub input: PathBuf,
    /// A `.png` file; `None` with [`render`] (the bytes are returned).
    pub output: Option<PathBuf>,
    /// `auto` (from the input), `tracks` or `field`.
    pub kind: String,
    /// `global`, `region`, `north` or `south`.
    pub view: String,
    /// The region view's box: west, east, south, north (degrees).
    pub region: Option<[f64; 4]>,
    /// The longitude in the middle of a global map, or down from the pole of a polar one.
    pub central_lon: Option<f64>,
    /// The polar views' edge (default 20 north, -20 south).
    pub boundary_lat: Option<f64>,
    /// Tracks: `intensity`, `time` or `track`.
    pub colour_by: String,
    /// Tracks: the intensity variable (default the primary). Fields: the field to draw
    /// (needed when the file has several).
    pub variable: Option<String>,
    /// Lower limit of the colour scale (default the data's).
    pub vmin: Option<f64>,
    /// Upper limit of the colour scale.
    pub vmax: Option<f64>,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels; `None`: as the view's shape asks.
    pub height: Option<u32>,
    /// The title; `None`: what is drawn, and when.
    pub title: Option<String>,
    /// Fields: the frame (0-based) to draw; `None`: the mean over all frames.
    pub frame: Option<usize>,
    /// Tracks: how to read the input (format, calendar, fields, mode).
    pub read: io::InputOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            input: PathBuf::new(),
            output: None,
            kind: "auto".into(),
            view: "global".into(),
            region: None,
            central_lon: None,
            boundary_lat: None,
            colour_by: "intensity".into(),
            variable: None,
            vmin: None,
            vmax: None,
            width: 1200,
            height: None,
            title: None,
            frame: None,
            read: io::InputOptions::default(),
        }
    }
}

/// What is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotKind {
    Tracks,
    Field,
}

/// What `plot` drew.
#[derive(Debug, Clone, PartialEq)]
pub struct Plotted {
    pub kind: PlotKind,
    /// The layout: picture size and where the map lies in it.
    pub layout: MapLayout,
    /// One line on what was drawn (`42 tracks`, `track_density, mean of 3 times`).
    pub summary: String,
}

impl Options {
    /// Every check that needs no input: the view, the colouring, the limits, the size, the
    /// output's suffix and directory.
    pub fn validate(&self) -> Result<(View, ColourBy)> {
        let view = View::parse(&self.view, self.region, self.central_lon, self.boundary_lat)?;
        let colour_by = ColourBy::parse(&self.colour_by)?;
        MapLayout::new(view, self.width, self.height, true)?;
        if let (Some(lo), Some(hi)) = (self.vmin, self.vmax)
            && !(lo < hi)
        {
            return Err(Error::option("vmin", format!("{lo} must be below `vmax` {hi}")));
        }
        for (name, v) in [("vmin", self.vmin), ("vmax", self.vmax)] {
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(Error::option(name, "must be a finite number"));
            }
        }
        if !matches!(self.kind.as_str(), "auto" | "tracks" | "field") {
            return Err(Error::option("kind", format!("'{}' is unknown; use auto, tracks or field", self.kind)));
        }
        if let Some(out) = &self.output {
            check_output(out)?;
        }
        Ok((view, colour_by))
    }
}

/// A picture's path: a `.png` in a writable directory.
pub fn check_output(out: &Path) -> Result<()> {
    if !out.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")) {
        return Err(Error::option("output", format!("{} must end in .png (pictures are PNG)", out.display())));
    }
    io::atomic::check_writable_file(out)
}

/// Draw the picture and write it to `output`.
pub fn run(opts: &Options) -> Result<Plotted> {
    let output = opts.output.clone().ok_or_else(|| Error::option("output", "is required"))?;
    let (png, plotted) = render(opts)?;
    io::atomic::write_file(&output, |w| w.write_all(&png))?;
    Ok(plotted)
}

/// Draw the picture; returns the PNG bytes.
pub fn render(opts: &Options) -> Result<(Vec<u8>, Plotted)> {
    let (view, _) = opts.validate()?;
    if kind_of(opts)? == PlotKind::Tracks {
        return render_tracks(&io::read_tracks_with(&opts.input, &opts.read)?, opts);
    }
    let layout = MapLayout::new(view, opts.width, opts.height, true)?;
    let frame = read_field(opts)?;
    let legend = match &frame.unit {
        Some(u) if !u.is_empty() && u != "1" => format!("{} ({u})", frame.name),
        _ => frame.name.clone(),
    };
    let summary = if frame.when.is_empty() { frame.name.clone() } else { format!("{}, {}", frame.name, frame.when) };
    let title = opts.title.clone().unwrap_or_else(|| summary.clone());
    let style = FieldStyle { legend, limits: (opts.vmin, opts.vmax) };
    let map = field_map(GridFrame { lat: &frame.lat, lon: &frame.lon, values: &frame.values }, layout, &style, &title)?;
    Ok((map.png()?, Plotted { kind: PlotKind::Field, layout, summary }))
}

/// The map of tracks already in memory (`input` and `read` unused); Python hands in a
/// DataFrame's tracks.
pub fn render_tracks(tracks: &Tracks, opts: &Options) -> Result<(Vec<u8>, Plotted)> {
    let (view, colour_by) = opts.validate()?;
    // a colour bar under the map, except for tracks told apart by colour
    let layout = MapLayout::new(view, opts.width, opts.height, colour_by != ColourBy::Track)?;
    let style = TrackStyle { colour_by, variable: opts.variable.clone(), limits: (opts.vmin, opts.vmax), ..TrackStyle::default() };
    let title = opts.title.clone().unwrap_or_else(|| default_title(tracks));
    let map = track_map(tracks, layout, &style, &title)?;
    let summary = format!("{} tracks, {} points", tracks.len(), tracks.n_points());
    Ok((map.png()?, Plotted { kind: PlotKind::Tracks, layout, summary }))
}

/// `N tracks, <variable>, <first day> to <last day>`.
fn default_title(tracks: &Tracks) -> String {
    let n = tracks.len();
    let noun = if n == 1 { "track" } else { "tracks" };
    let (Some(first), Some(last)) = (tracks.times.iter().min(), tracks.times.iter().max()) else {
        return format!("{n} {noun}");
    };
    let c = tracks.metadata.calendar;
    format!("{n} {noun}, {}, {} to {}", tracks.primary().name, &c.format_iso(*first)[..10], &c.format_iso(*last)[..10])
}

/// Whether the input is tracks or a gridded field: `kind` when given; otherwise gridded are
/// GRIB files, Zarr stores and URLs, tidy gridded tables (a `cell_lat` column, or a directory
/// of `stormtrack-gridded` output) and NetCDF files that are not CF trajectories or IBTrACS.
pub fn kind_of(opts: &Options) -> Result<PlotKind> {
    match opts.kind.as_str() {
        "tracks" => return Ok(PlotKind::Tracks),
        "field" => return Ok(PlotKind::Field),
        _ => {}
    }
    let path = &opts.input;
    let text = path.to_string_lossy();
    if text.contains("://") {
        return Ok(PlotKind::Field);
    }
    if !path.exists() {
        return Err(Error::MissingInput(path.clone()));
    }
    if path.is_dir() {
        let gridded = is_gridded_directory(path);
        let zarr = ["zarr.json", ".zgroup", ".zarray", ".zmetadata"].iter().any(|f| path.join(f).exists());
        return Ok(if gridded || zarr { PlotKind::Field } else { PlotKind::Tracks });
    }
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    Ok(match ext.as_str() {
        "grib" | "grb" | "grib1" | "grib2" | "grb2" => PlotKind::Field,
        "parquet" if has_cell_columns(path) => PlotKind::Field,
        "nc" | "nc4" | "netcdf" if !is_track_netcdf(path) => PlotKind::Field,
        _ => PlotKind::Tracks,
    })
}

/// Whether a directory is the tidy Parquet output of `metrics`, `stats` or `eulerian`.
fn is_gridded_directory(path: &Path) -> bool {
    path.is_dir() && std::fs::read_to_string(path.join(io::parquet::DESCRIPTOR)).is_ok_and(|d| d.contains("stormtrack-gridded"))
}

/// Whether a Parquet file is a tidy gridded table.
fn has_cell_columns(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).is_ok_and(|b| b.schema().field_with_name("cell_lat").is_ok())
}

/// Whether a NetCDF file holds tracks: `featureType = trajectory`, or IBTrACS' storm dimension.
fn is_track_netcdf(path: &Path) -> bool {
    crate::error::guard_reader(path, || {
        let Ok(f) = netcdf_reader::NcFile::open(path) else { return Ok(false) };
        let trajectory =
            f.global_attribute("featureType").ok().and_then(|a| a.value.as_string()).is_some_and(|s| s.to_ascii_lowercase().contains("trajectory"));
        let ibtracs = f.dimension("storm").is_ok();
        Ok(trajectory || ibtracs)
    })
    .unwrap_or(false)
}

/// The field's frame: NetCDF and tidy tables by the plot reader, other inputs (GRIB, Zarr)
/// through the field layer.
fn read_field(opts: &Options) -> Result<io::gridded_read::FieldFrame> {
    let path = &opts.input;
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if is_gridded_directory(path) || ext == "parquet" {
        return io::gridded_read::read_tidy(path, opts.variable.as_deref(), opts.frame);
    }
    if matches!(ext.as_str(), "nc" | "nc4" | "netcdf") {
        return io::gridded_read::read_netcdf(path, opts.variable.as_deref(), opts.frame);
    }
    read_any_field(opts)
}

/// A frame of any input the trackers read (GRIB, Zarr), by the field layer.
fn read_any_field(opts: &Options) -> Result<io::gridded_read::FieldFrame> {
    use crate::field::Field;
    let variable = opts.variable.clone().ok_or_else(|| Error::option("variable", "is required to draw a field of a GRIB file or Zarr store"))?;
    let field = crate::field::FieldSeries::open(std::slice::from_ref(&opts.input), &variable)?;
    let info = field.info();
    let labels: Vec<String> = info.times.iter().map(|&t| info.calendar.format_iso(t)[..16].replace('T', " ")).collect();
    let cells = info.grid.lat.len() * info.grid.lon.len();
    let read = |k: usize| field.read_frame(k).map(|f| f.iter().copied().collect());
    let (values, when) = io::gridded_read::pick_frame(info.times.len(), cells, opts.frame, &labels, read)?;
    Ok(io::gridded_read::FieldFrame {
        name: info.variable.clone(),
        unit: Some(info.value_unit.clone()),
        lat: info.grid.lat.clone(),
        lon: info.grid.lon.clone(),
        values,
        when,
    })
}
