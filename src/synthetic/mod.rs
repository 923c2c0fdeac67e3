//! Synthetic storms with known tracks: the bundled default input of `stormtrack demo`.
//!
//! The background is a smooth mean-sea-level pressure field (a subtropical high ridge near
//! 30°N, pressure falling towards both poles, a slow planetary wave) built so that it has no
//! local minimum of its own; on it move Gaussian lows that deepen and fill along straight
//! eastward-poleward paths. Everything is a deterministic function of the seed.

mod rng;
mod score;

pub use score::{Score, score};

use crate::error::{Error, Result};
// the arc-cosine distance the generated fields and tracks have always been made with
use crate::geo::{great_circle_km_acos, normalize_lon_360};
use crate::tracks::{Point, Tracks, TracksBuilder, TracksMetadata};
use crate::variables::Mode;
use ndarray::Array3;
use rng::SplitMix64;
use std::path::PathBuf;

/// Configuration of the generator.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticConfig {
    pub seed: u64,
    /// Number of frames (six-hourly).
    pub frames: usize,
    /// Number of storms requested (fewer if they cannot be kept apart).
    pub storms: usize,
    /// Grid spacing in degrees (latitude 90..-90, longitude 0..360).
    pub spacing_deg: f64,
    /// Time of the first frame (ms).
    pub start_ms: i64,
    /// Time step (ms).
    pub step_ms: i64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        SyntheticConfig { seed: 2026, frames: 120, storms: 24, spacing_deg: 2.0, start_ms: 1_764_547_200_000, step_ms: 6 * 3_600_000 }
    }
}

/// One synthetic storm: its centre and depth at each frame of its life.
#[derive(Debug, Clone, PartialEq)]
pub struct Storm {
    pub first_frame: usize,
    pub lats: Vec<f64>,
    pub lons: Vec<f64>,
    /// Depth of the low below the background, Pa.
    pub depths: Vec<f64>,
    /// Gaussian radius, km.
    pub radius_km: f64,
}

/// A generated data set: the field and its true storms.
#[derive(Debug, Clone)]
pub struct Synthetic {
    pub config: SyntheticConfig,
    pub times: Vec<i64>,
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
    /// msl in Pa, (time, lat, lon).
    pub msl: Array3<f64>,
    pub storms: Vec<Storm>,
}

/// Smallest distance kept between two storms alive at the same time.
const MIN_SEPARATION_KM: f64 = 2800.0;

fn background(lat: f64, lon: f64, t_days: f64) -> f64 {
    // a ridge near 30N, monotone on either side, so that only the poles are minima
    let phi = lat.to_radians();
    let ridge = 30f64.to_radians();
    let base = if phi >= ridge {
        102_000.0 - 1_400.0 * ((phi - ridge) / (std::f64::consts::FRAC_PI_2 - ridge)).powf(1.3)
    } else {
        102_000.0 - 2_000.0 * ((ridge - phi) / (std::f64::consts::FRAC_PI_2 + ridge)).powf(1.1)
    };
    // a planetary wave of zonal wavenumber 3 drifting east, weak enough to create no minimum
    let envelope = (2.0 * phi).sin().powi(2);
    base + 120.0 * envelope * (3.0 * (lon.to_radians() - 0.05 * t_days)).cos()
}

fn new_storm(r: &mut SplitMix64, cfg: &SyntheticConfig) -> Storm {
    let life = 12 + r.below(21) as usize;
    let first_frame = r.below(cfg.frames.saturating_sub(6).max(1) as u64) as usize;
    let south = r.unit() < 0.5;
    let mut lat = 30.0 + 25.0 * r.unit();
    let mut lon = 360.0 * r.unit();
    let u = 6.0 + 6.0 * r.unit(); // m/s eastward
    let v = 0.5 + 2.0 * r.unit(); // m/s poleward
    let depth_max = 2_000.0 + 2_500.0 * r.unit();
    let radius_km = 500.0 + 300.0 * r.unit();
    let step_s = cfg.step_ms as f64 / 1000.0;
    let n = life.min(cfg.frames - first_frame);
    let (mut lats, mut lons, mut depths) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for k in 0..n {
        let s = k as f64 / (life - 1) as f64;
        lats.push(if south { -lat } else { lat });
        lons.push(lon);
        depths.push(1_000.0 + (depth_max - 1_000.0) * (std::f64::consts::PI * s).sin());
        let dy_km = v * step_s / 1000.0;
        let dx_km = u * step_s / 1000.0;
        if lat + dy_km / 111.2 < 70.0 {
            lat += dy_km / 111.2;
        }
        lon = normalize_lon_360(lon + dx_km / (111.2 * lat.to_radians().cos()));
    }
    Storm { first_frame, lats, lons, depths, radius_km }
}

fn too_close(a: &Storm, b: &Storm) -> bool {
    let start = a.first_frame.max(b.first_frame);
    let end = (a.first_frame + a.lats.len()).min(b.first_frame + b.lats.len());
    (start..end).any(|f| {
        let (i, j) = (f - a.first_frame, f - b.first_frame);
        great_circle_km_acos(a.lats[i], a.lons[i], b.lats[j], b.lons[j]) < MIN_SEPARATION_KM
    })
}

/// Generate the field and its storms.
pub fn generate(cfg: &SyntheticConfig) -> Result<Synthetic> {
    if cfg.frames < 2 {
        return Err(Error::option("frames", "must be at least 2"));
    }
    if !(cfg.spacing_deg > 0.0 && 180.0 % cfg.spacing_deg == 0.0) {
        return Err(Error::option("spacing", "must divide 180 degrees"));
    }
    let mut r = SplitMix64::new(cfg.seed);
    let mut storms: Vec<Storm> = Vec::new();
    let mut attempts = 0;
    while storms.len() < cfg.storms && attempts < 200 * cfg.storms.max(1) {
        attempts += 1;
        let s = new_storm(&mut r, cfg);
        if s.lats.len() >= 4 && !storms.iter().any(|o| too_close(o, &s)) {
            storms.push(s);
        }
    }
    storms.sort_by_key(|s| s.first_frame);
    let ny = (180.0 / cfg.spacing_deg) as usize + 1;
    let nx = (360.0 / cfg.spacing_deg) as usize;
    let lat: Vec<f64> = (0..ny).map(|i| 90.0 - i as f64 * cfg.spacing_deg).collect();
    let lon: Vec<f64> = (0..nx).map(|j| j as f64 * cfg.spacing_deg).collect();
    let times: Vec<i64> = (0..cfg.frames).map(|k| cfg.start_ms + k as i64 * cfg.step_ms).collect();
    let mut msl = Array3::<f64>::zeros((cfg.frames, ny, nx));
    for (t, mut frame) in msl.outer_iter_mut().enumerate() {
        let t_days = (times[t] - cfg.start_ms) as f64 / 86_400_000.0;
        for ((i, j), v) in frame.indexed_iter_mut() {
            *v = background(lat[i], lon[j], t_days);
        }
        for s in &storms {
            if t < s.first_frame || t >= s.first_frame + s.lats.len() {
                continue;
            }
            let k = t - s.first_frame;
            let (slat, slon, depth) = (s.lats[k], s.lons[k], s.depths[k]);
            let reach = 4.0 * s.radius_km;
            for ((i, j), v) in frame.indexed_iter_mut() {
                if (lat[i] - slat).abs() * 111.2 > reach {
                    continue;
                }
                let d = great_circle_km_acos(slat, slon, lat[i], lon[j]);
                if d < reach {
                    *v -= depth * (-0.5 * (d / s.radius_km).powi(2)).exp();
                }
            }
        }
    }
    // values as a float32 file would hold them, so the file and memory agree exactly
    msl.mapv_inplace(|v| v as f32 as f64);
    Ok(Synthetic { config: cfg.clone(), times, lat, lon, msl, storms })
}

impl Synthetic {
    /// The true storms as tracks (ids 1.. in order of birth), values = field at the centre.
    pub fn truth(&self) -> Result<Tracks> {
        let mut md = TracksMetadata::new("msl", Mode::Min);
        md.bounds = Some(crate::tracks::SpatialBounds::GLOBAL);
        let mut b = TracksBuilder::new(md, &[("msl", "Pa")], None);
        for (n, s) in self.storms.iter().enumerate() {
            let points: Vec<Point> =
                (0..s.lats.len()).map(|k| Point { time: self.times[s.first_frame + k], lat: s.lats[k], lon: s.lons[k], grid: None }).collect();
            let values: Vec<Vec<f64>> = s.depths.iter().map(|d| vec![-d]).collect();
            b.push(n as i64 + 1, &points, &values);
        }
        b.finish()
    }

    /// Write the field as a CF NetCDF-4 file (float32 `msl`, zlib), atomically.
    #[cfg(feature = "netcdf")]
    pub fn write_netcdf(&self, path: &std::path::Path) -> Result<()> {
        let tmp = crate::io::atomic::temp_sibling(path);
        let result =
            self.write_netcdf_to(&tmp).and_then(|_| std::fs::rename(&tmp, path).map_err(|e| Error::Unwritable { path: path.into(), detail: e.to_string() }));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    #[cfg(feature = "netcdf")]
    fn write_netcdf_to(&self, path: &std::path::Path) -> Result<()> {
        let err = |e: netcdf::Error| Error::Unwritable { path: path.into(), detail: e.to_string() };
        let (nt, ny, nx) = self.msl.dim();
        let mut f = netcdf::create(path).map_err(err)?;
        f.add_attribute("Conventions", "CF-1.8").map_err(err)?;
        f.add_attribute("title", "stormtrack synthetic storms (msl)").map_err(err)?;
        f.add_attribute("source", format!("stormtrack {} demo, seed {}", crate::VERSION, self.config.seed)).map_err(err)?;
        f.add_dimension("valid_time", nt).map_err(err)?;
        f.add_dimension("latitude", ny).map_err(err)?;
        f.add_dimension("longitude", nx).map_err(err)?;
        let hours: Vec<f64> = self.times.iter().map(|&t| (t - self.config.start_ms) as f64 / 3_600_000.0).collect();
        let origin = crate::time::Calendar::ProlepticGregorian.format_iso(self.config.start_ms).replace('T', " ");
        {
            let mut v = f.add_variable::<f64>("valid_time", &["valid_time"]).map_err(err)?;
            v.put_attribute("units", format!("hours since {origin}")).map_err(err)?;
            v.put_attribute("calendar", "proleptic_gregorian").map_err(err)?;
            v.put_attribute("standard_name", "time").map_err(err)?;
            v.put_values(&hours, ..).map_err(err)?;
        }
        {
            let mut v = f.add_variable::<f64>("latitude", &["latitude"]).map_err(err)?;
            v.put_attribute("units", "degrees_north").map_err(err)?;
            v.put_attribute("standard_name", "latitude").map_err(err)?;
            v.put_values(&self.lat, ..).map_err(err)?;
        }
        {
            let mut v = f.add_variable::<f64>("longitude", &["longitude"]).map_err(err)?;
            v.put_attribute("units", "degrees_east").map_err(err)?;
            v.put_attribute("standard_name", "longitude").map_err(err)?;
            v.put_values(&self.lon, ..).map_err(err)?;
        }
        let mut v = f.add_variable::<f32>("msl", &["valid_time", "latitude", "longitude"]).map_err(err)?;
        v.set_compression(1, true).map_err(err)?;
        v.set_chunking(&[1, ny, nx]).map_err(err)?;
        v.put_attribute("units", "Pa").map_err(err)?;
        v.put_attribute("standard_name", "air_pressure_at_mean_sea_level").map_err(err)?;
        v.put_attribute("long_name", "Mean sea level pressure").map_err(err)?;
        let data: Vec<f32> = self.msl.iter().map(|&x| x as f32).collect();
        v.put_values(&data, ..).map_err(err)?;
        drop(v);
        f.close().map_err(err)?;
        Ok(())
    }
}

/// Options of `stormtrack demo`.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub dir: PathBuf,
    pub seed: u64,
    pub frames: usize,
    pub storms: usize,
    pub threads: Option<usize>,
    pub quiet: bool,
}

/// Generate, write, track, write the dataset and IMILAST, and score: the README's main job.
#[cfg(feature = "netcdf")]
pub fn run_demo(o: &DemoOptions) -> Result<Score> {
    use crate::field::{Field, NetcdfField};
    use crate::pipeline::{SimpleOptions, track_simple};
    let cfg = SyntheticConfig { seed: o.seed, frames: o.frames, storms: o.storms, ..Default::default() };
    if o.frames < 2 {
        return Err(Error::option("frames", "must be at least 2"));
    }
    if o.threads == Some(0) {
        return Err(Error::option("threads", "0 must be a positive integer"));
    }
    std::fs::create_dir_all(&o.dir).map_err(|e| Error::Unwritable { path: o.dir.clone(), detail: e.to_string() })?;
    let tracks_dir = o.dir.join("tracks");
    crate::io::parquet::check_target(&tracks_dir)?;
    let synthetic = generate(&cfg)?;
    let input = o.dir.join("synthetic_msl.nc");
    synthetic.write_netcdf(&input)?;
    let truth = synthetic.truth()?;
    crate::io::write_tracks(&truth, &o.dir.join("truth.trackjson"), crate::io::TrackFormat::TrackJson)?;

    let field = NetcdfField::open(&input, "msl")?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(o.threads.unwrap_or(0)).build().map_err(|e| Error::option("threads", e.to_string()))?;
    let run = pool.install(|| track_simple(&field, &SimpleOptions::default(), None))?;
    crate::io::parquet::write_dataset(&run.tracks, &tracks_dir, &Default::default())?;
    crate::io::write_tracks(&run.tracks, &o.dir.join("tracks.txt"), crate::io::TrackFormat::Imilast)?;
    let s = score(&run.tracks, &truth, cfg.spacing_deg, field.info().grid.nx());
    if !o.quiet {
        let long = (0..run.tracks.len()).filter(|&i| run.tracks.range(i).len() >= 4).count();
        println!("stormtrack demo: {} synthetic storms over {} six-hourly frames on a {}° grid (seed {})", truth.len(), cfg.frames, cfg.spacing_deg, cfg.seed);
        println!("  input      {}", input.display());
        println!("  tracked    {} centres -> {} tracks ({} of 4+ points)", run.tracks.n_points(), run.tracks.len(), long);
        println!("  outputs    {}/ (Parquet: centers, track_points, tracks), {}", tracks_dir.display(), o.dir.join("tracks.txt").display());
        let summaries = crate::tracks::summarize(&run.tracks);
        if let Some(d) = summaries.iter().filter(|t| t.peak_value.is_some()).min_by(|a, b| a.peak_value.unwrap().total_cmp(&b.peak_value.unwrap())) {
            println!(
                "  deepest    track {}: {:.1} hPa at {} ({:.1}, {:.1}), {} points over {:.0} h, {:.0} km",
                d.id,
                d.peak_value.unwrap() / 100.0,
                crate::time::Calendar::ProlepticGregorian.format_iso(d.peak_time.unwrap()),
                d.peak_lat.unwrap(),
                d.peak_lon.unwrap(),
                d.point_count,
                d.duration_hours,
                d.path_length_km
            );
        }
        println!("{s}");
    }
    Ok(s)
}

/// Without NetCDF support the demo cannot write its input file.
#[cfg(not(feature = "netcdf"))]
pub fn run_demo(_o: &DemoOptions) -> Result<Score> {
    Err(Error::option("demo", "needs the `netcdf` feature"))
}
