//! The grids and refinements of issue 15 against PyStormTracker 0.8's own outputs on the ERA5
//! msl season (tests/data/reference/README.md): the HEALPix tracker, polar stereographic
//! planes, the spherical quadratic refinement; determinism across thread counts, bad inputs.

mod common;

use common::{assert_fails, shared, stormtrack};
use stormtrack::compare::{self, TrackComparisonConfig};
use stormtrack::tracks::Tracks;

fn reference(name: &str) -> Tracks {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name.trim_end_matches(".gz"));
    std::fs::write(&p, common::reference_gz(name)).unwrap();
    stormtrack::io::read_tracks(&p, None).unwrap()
}

/// `stormtrack track` with `args` on the msl season, read back.
fn track(args: &[&str]) -> Option<Tracks> {
    let input = shared("data/era5/era5_msl_djf2526_2.5deg.nc")?;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.trackjson");
    let mut all = vec!["track", "-i", input.to_str().unwrap(), "--variable", "msl", "-q", "-o", out.to_str().unwrap()];
    all.extend_from_slice(args);
    common::assert_ok(&stormtrack(&all));
    Some(stormtrack::io::read_tracks(&out, None).unwrap())
}

/// One-to-one matching (global assignment) of `peer` and `ours` reaches F1 `min`.
fn assert_f1_at_least(peer: &Tracks, ours: &Tracks, min: f64) {
    let set = stormtrack::tracks::track_set;
    let config = TrackComparisonConfig { matching: compare::MatchingMethod::GlobalAssignment, ..TrackComparisonConfig::default() };
    let r = compare::compare_tracks(&set(peer), &set(ours), &config).unwrap();
    let f1 = 2.0 * r.match_count() as f64 / (peer.len() + ours.len()) as f64;
    assert!(f1 >= min, "F1 {f1}");
}

/// Every track of `peer` matched by one of ours with the same points in the same frames, and
/// every point within `km` of the peer's.
fn assert_same_tracks(peer: &Tracks, ours: &Tracks, km: f64) {
    let set = stormtrack::tracks::track_set;
    let r = compare::compare_tracks(&set(peer), &set(ours), &TrackComparisonConfig::default()).unwrap();
    assert_eq!((ours.len(), ours.n_points()), (peer.len(), peer.n_points()));
    assert_eq!(r.match_count(), peer.len());
    assert_eq!(r.topology_identical_count(), peer.len(), "tracks differ in their frames");
    let worst = r.matches.iter().map(|m| m.maximum_separation_km).fold(0.0, f64::max);
    assert!(worst < km, "a point {worst} km from the peer's");
}

/// T5-42 band (spectral taper 0.1) and regridding to nside 32: the peer's 208 tracks, frame for
/// frame; positions within 0.2 km (its DUCC transforms and ours agree to ~1e-7).
#[test]
fn healpix_t5_42_matches_the_peer() {
    let Some(ours) = track(&["-a", "healpix", "--lmin", "5", "--lmax", "42"]) else { return };
    let peer = reference("healpix_msl_T5-42.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (208, 1201));
    assert_same_tracks(&peer, &ours, 0.2);
    let steps: Vec<&str> = ours.metadata.processing.iter().map(|s| s.operation.as_str()).collect();
    assert_eq!(steps, ["spectral_filter", "regrid"]);
    let regrid = &ours.metadata.processing[1].parameters;
    assert_eq!((regrid["projection"].as_str(), regrid["nside"].as_u64(), regrid["transform_lmax"].as_u64()), (Some("healpix"), Some(32), Some(42)));
    assert_eq!(ours.metadata.processing[0].parameters["spectral_taper"].as_f64(), Some(0.1));
}

/// No filter: the whole bandwidth (lmax 71) regridded, objects below 1000 hPa.
#[test]
fn healpix_unfiltered_matches_the_peer() {
    let Some(ours) = track(&["-a", "healpix", "--object-threshold", "100000"]) else { return };
    let peer = reference("healpix_msl_thr1e5.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (366, 2615));
    assert_same_tracks(&peer, &ours, 0.2);
}

/// Hodges with `spherical_quadratic`: the same feature points as the peer (1 m: the great-circle
/// distance's own resolution near 0; the coordinates agree to 1e-11 degree) and
/// the same tracks (the linker sees the peer's order, docs/algorithms.md#spherical-quadratic-refinement).
#[test]
fn spherical_quadratic_matches_the_peer() {
    let Some(ours) = track(&["-a", "hodges", "--object-threshold", "100000", "--feature-refinement", "spherical_quadratic", "-n", "60"]) else { return };
    let peer = reference("hodges_msl_spherical_quadratic_thr1e5_n60.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (249, 1923));
    assert_same_tracks(&peer, &ours, 1e-3);
}

/// Hodges with `spherical_bspline` (the spline on the sphere and the quasi-Newton search on it):
/// the peer's 224 tracks, frame for frame, every point within 10 m (our spline's coefficients
/// equal SciPy's to rounding, and the search stops at a relative gradient of 1e-5, where
/// rounding moves the stopping point by a few metres; docs/algorithms.md#spherical-b-spline-refinement).
#[test]
fn spherical_bspline_matches_the_peer() {
    let Some(ours) = track(&["-a", "hodges", "--object-threshold", "100000", "--feature-refinement", "spherical_bspline", "-n", "60"]) else { return };
    let peer = reference("hodges_msl_spherical_bspline_thr1e5_n60.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (224, 1726));
    assert_same_tracks(&peer, &ours, 0.01);
}

#[test]
fn healpix_is_identical_for_any_thread_count() {
    let Some(one) = track(&["-a", "healpix", "--lmin", "5", "--lmax", "42", "--threads", "1"]) else { return };
    let three = track(&["-a", "healpix", "--lmin", "5", "--lmax", "42", "--threads", "3", "--nside", "32"]).unwrap();
    let text = |t: &Tracks| common::to_string(|w| stormtrack::io::trackjson::write(t, w, false));
    assert!(text(&one) == text(&three));
}

/// Simple on the southern plane at 150 km with the T5-42 band (taper 0.1): the peer's 3432
/// tracks frame for frame, at the same plane points (its DUCC synthesis is accurate to 1e-6,
/// ours to rounding: the values differ by a few hundredths of a Pa, never the points).
#[test]
fn simple_on_a_polar_plane_matches_the_peer() {
    let Some(ours) = track(&["-p", "sh_stereo", "-r", "150", "--lmin", "5", "--lmax", "42"]) else { return };
    let peer = reference("simple_msl_sh_stereo_T5-42_r150.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (3432, 11963));
    assert_same_tracks(&peer, &ours, 1e-3);
    let regrid = &ours.metadata.processing[1].parameters;
    assert_eq!(regrid["projection"].as_str(), Some("sh_stereo"));
    assert_eq!(regrid["extent"].as_str(), Some("-13000.0,13000.0,-13000.0,13000.0"));
    // every centre lies in the southern hemisphere's plane (beyond the equator nothing: 0 there)
    assert!(ours.lats.iter().all(|&l| l <= 0.0));
}

/// Hodges on the northern plane (T5-42, objects below -1 Pa so that the peer's 0 beyond the disc
/// is not one, grid refinement, 60 frames): the peer's 481 tracks at the same points.
#[test]
fn hodges_on_a_polar_plane_matches_the_peer() {
    let args = ["-a", "hodges", "-p", "nh_stereo", "--lmin", "5", "--lmax", "42", "--object-threshold", "-1", "--feature-refinement", "grid", "-n", "60"];
    let Some(ours) = track(&args) else { return };
    let peer = reference("hodges_msl_nh_stereo_T5-42_thr-1_grid_n60.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (481, 3297));
    assert_same_tracks(&peer, &ours, 1e-3);
    // planar object areas: a multiple of the 100 km x 100 km cell
    let area = ours.variable("object_gridcell_area_km2").unwrap();
    assert!(area.values.iter().all(|a| (a / 1e4 - (a / 1e4).round()).abs() < 1e-9 && *a > 0.0));
}

/// The plane's geometry: a smooth field regridded to the plane gives, at each point, the field
/// at that point's latitude and longitude (the inverse mapping), and no data beyond the equator.
#[test]
fn plane_points_carry_the_field_at_their_latitude() {
    use stormtrack::field::{Grid, PlaneSpec, PolarPlane};
    use stormtrack::geo::stereo::{Hemisphere, plane_to_latlon};
    let lat: Vec<f64> = (0..73).map(|j| 90.0 - 2.5 * j as f64).collect();
    let lon: Vec<f64> = (0..144).map(|k| 2.5 * k as f64).collect();
    let frame = ndarray::Array2::from_shape_fn((73, 144), |(j, k)| lat[j].to_radians().sin() + 0.1 * lat[j].to_radians().cos() * lon[k].to_radians().cos());
    for hemisphere in [Hemisphere::North, Hemisphere::South] {
        let spec = PlaneSpec { hemisphere, spacing_km: 1000.0, extent: [-15000.0, 15000.0, -15000.0, 15000.0], extent_given: true };
        let plane = PolarPlane::new(spec, &Grid::new(lat.clone(), lon.clone()), None).unwrap();
        let g = plane.grid();
        let out = plane.apply(frame.view(), 0).unwrap();
        for (r, &y) in g.lat.iter().enumerate() {
            for (c, &x) in g.lon.iter().enumerate() {
                let (la, lo) = plane_to_latlon(x, y, hemisphere);
                if (x * x + y * y).sqrt() > 2.0 * stormtrack::geo::EARTH_RADIUS_KM {
                    assert!(out[[r, c]].is_nan(), "({x}, {y}) is beyond the equator");
                    continue;
                }
                let want = la.to_radians().sin() + 0.1 * la.to_radians().cos() * lo.to_radians().cos();
                assert!((out[[r, c]] - want).abs() < 1e-9, "{hemisphere:?} ({x}, {y}): {} vs {want}", out[[r, c]]);
            }
        }
    }
}

#[test]
fn bad_grid_options_fail_in_one_line() {
    let Some(input) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.trackjson");
    let run = |extra: &[&str]| {
        let mut a = vec!["track", "-i", input.to_str().unwrap(), "--variable", "msl", "-o", out.to_str().unwrap()];
        a.extend_from_slice(extra);
        stormtrack(&a)
    };
    assert_fails(&run(&["-a", "healpix", "--nside", "3"]), &["--nside", "power of two"]);
    assert_fails(&run(&["-a", "healpix", "--time-step", "6h"]), &["--time-step", "hodges only"]);
    assert_fails(&run(&["-a", "hodges", "--nside", "32"]), &["--nside", "healpix only"]);
    assert_fails(&run(&["-a", "healpix", "--feature-refinement", "bspline"]), &["--feature-refinement", "quadratic or grid"]);
    assert_fails(&run(&["-a", "healpix", "--lmin", "5", "--lmax", "80"]), &["--lmax", "80"]);
    assert_fails(&run(&["-a", "healpix", "--nside", "8", "--lmin", "5", "--lmax", "42"]), &["--lmax", "3 nside - 1 = 23"]);
    assert_fails(&run(&["-a", "healpix", "--feature-refinement", "spherical_bspline"]), &["--feature-refinement", "spherical_bspline"]);
    assert_fails(&run(&["-a", "hodges", "-p", "sh_stereo", "--feature-refinement", "spherical_bspline"]), &["--feature-refinement", "stereographic"]);
    assert_fails(&run(&["-p", "mercator"]), &["--projection", "mercator"]);
    assert_fails(&run(&["-p", "nh_stereo", "-r", "0"]), &["--stereo-grid-spacing-km"]);
    assert_fails(&run(&["-p", "nh_stereo", "--extent", "1,2,3"]), &["--extent", "four numbers"]);
    assert_fails(&run(&["-p", "nh_stereo", "--extent=5000,-5000,-5000,5000"]), &["--extent", "minimum below"]);
    assert_fails(&run(&["-r", "100"]), &["--stereo-grid-spacing-km", "nh_stereo"]);
    assert_fails(&run(&["-a", "healpix", "-p", "nh_stereo"]), &["--projection", "HEALPix"]);
    assert_fails(&run(&["-a", "hodges", "-p", "nh_stereo", "--feature-refinement", "spherical_quadratic"]), &["--feature-refinement"]);
    assert_fails(&run(&["-p", "nh_stereo", "--lmin", "5", "--lmax", "90"]), &["--lmax", "90"]);
    assert_fails(&run(&["--closed-contour", "msl,200,5.5"]), &["--closed-contour", "variable,delta"]);
    assert_fails(&run(&["--closed-contour", "msl,0,5.5,0"]), &["--closed-contour", "nonzero"]);
    assert_fails(&run(&["--closed-contour", "msl,200,5,6"]), &["--closed-contour", "minmaxdist"]);
    assert_fails(&run(&["--closed-contour", "z500,20,5,0"]), &["--closed-contour", "'z500' is not in"]);
    assert_fails(&run(&["--merge-dist=-1"]), &["--merge-dist"]);
    assert_fails(&run(&["-a", "hodges", "--merge-dist", "6"]), &["--merge-dist", "simple"]);
    assert!(!out.exists());
    let (centres, table) = (dir.path().join("c.parquet"), dir.path().join("r.parquet"));
    let detect = |extra: &[&str]| {
        let mut a =
            vec!["detect", "-i", input.to_str().unwrap(), "--variable", "msl", "-o", centres.to_str().unwrap(), "--rejections", table.to_str().unwrap()];
        a.extend_from_slice(extra);
        stormtrack(&a)
    };
    assert_fails(&detect(&["-a", "healpix", "--nside", "3"]), &["--nside", "power of two"]);
    assert!(!centres.exists() && !table.exists(), "nothing written before the check");
}

// ------------------------------------------------------------------ HEALPix inputs

/// ERA5 msl regridded to HEALPix nside 32 (RING) by the peer's own regridder, written by xarray
/// through h5netcdf as packed int16 with a CF `crs` (tests/data/healpix/make_era5_hp32.py).
fn healpix_fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/healpix/era5_msl_hp32.nc")
}

fn track_file(input: &std::path::Path, args: &[&str]) -> Tracks {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.trackjson");
    let mut all = vec!["track", "-i", input.to_str().unwrap(), "--variable", "msl", "-q", "-o", out.to_str().unwrap()];
    all.extend_from_slice(args);
    common::assert_ok(&stormtrack(&all));
    stormtrack::io::read_tracks(&out, None).unwrap()
}

/// A HEALPix input tracked as it is (no regridding): the peer's HEALPix tracker on the same
/// file gives the same tracks at the same points, with the spherical fit and without.
#[test]
fn a_healpix_input_tracks_as_the_peer() {
    let input = healpix_fixture();
    let ours = track_file(&input, &["-a", "healpix", "--object-threshold", "100000"]);
    let peer = reference("healpix_input_hp32_thr1e5.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (43, 313));
    assert_same_tracks(&peer, &ours, 1e-3);
    assert!(ours.metadata.processing.iter().all(|s| s.operation != "regrid"), "a HEALPix input is not regridded");
    let ours = track_file(&input, &["-a", "healpix", "--object-threshold", "100000", "--feature-refinement", "grid"]);
    let peer = reference("healpix_input_hp32_thr1e5_grid.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (52, 305));
    assert_same_tracks(&peer, &ours, 1e-3);
}

/// A variable over HEALPix cells, written with libnetcdf: `values` in the given numbering, the
/// grid mapping's attributes as given.
fn write_cells(path: &std::path::Path, times: &[f64], values: &[i16], cells: usize, mapping: &[(&str, netcdf::AttributeValue)]) {
    let _guard = common::nc_lock();
    let mut f = netcdf::create(path).unwrap();
    f.add_dimension("time", times.len()).unwrap();
    f.add_dimension("cell", cells).unwrap();
    let mut t = f.add_variable::<f64>("time", &["time"]).unwrap();
    t.put_attribute("units", "hours since 2025-12-01").unwrap();
    t.put_values(times, ..).unwrap();
    let mut crs = f.add_variable::<i32>("crs", &[]).unwrap();
    for (name, value) in mapping {
        crs.put_attribute(name, value.clone()).unwrap();
    }
    let mut v = f.add_variable::<i16>("msl", &["time", "cell"]).unwrap();
    v.put_attribute("units", "Pa").unwrap();
    v.put_attribute("scale_factor", 0.5f64).unwrap();
    v.put_attribute("add_offset", 100000.0f64).unwrap();
    v.put_attribute("grid_mapping", "crs").unwrap();
    v.put_values(values, ..).unwrap();
}

/// A part of the HEALPix sphere: `values` (packed, `ids.len()` cells a frame) at the cells
/// `ids`, named by the `cell` coordinate variable, nside and numbering in a CF 1.13 mapping.
fn write_part(path: &std::path::Path, times: &[f64], values: &[i16], ids: &[i64], level: i32, scheme: &str) {
    use netcdf::AttributeValue as A;
    let mapping = [("grid_mapping_name", A::from("healpix")), ("refinement_level", A::Int(level)), ("indexing_scheme", A::from(scheme))];
    write_cells(path, times, values, ids.len(), &mapping);
    let _guard = common::nc_lock();
    let mut f = netcdf::append(path).unwrap();
    f.add_variable::<i64>("cell", &["cell"]).unwrap().put_values(ids, ..).unwrap();
}

/// The fixture's packed values and times.
fn fixture_values() -> (Vec<f64>, Vec<i16>) {
    let _guard = common::nc_lock();
    let f = netcdf::open(healpix_fixture()).unwrap();
    let times: Vec<f64> = f.variable("valid_time").unwrap().get_values::<f64, _>(..).unwrap();
    let values: Vec<i16> = f.variable("msl").unwrap().get_values::<i16, _>(..).unwrap();
    (times.iter().map(|t| (t - times[0]) / 3600.0).collect(), values)
}

/// The same field in NESTED numbering (CF 1.13's `refinement_level` and `indexing_scheme`)
/// gives the same tracks as in RING; each centre's `row` is its cell in the file's numbering.
#[test]
fn nested_and_ring_inputs_give_the_same_tracks() {
    use netcdf::AttributeValue as A;
    let (times, ring) = fixture_values();
    let cells = 12 * 32 * 32;
    let layer = cdshealpix::nested::get(5);
    let nested: Vec<i16> = (0..times.len())
        .flat_map(|t| {
            let frame = &ring[t * cells..(t + 1) * cells];
            (0..cells as u64).map(|h| frame[layer.to_ring(h) as usize]).collect::<Vec<_>>()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let (ring_nc, nested_nc) = (dir.path().join("ring.nc"), dir.path().join("nested.nc"));
    let cf = |scheme: &str| vec![("grid_mapping_name", A::from("healpix")), ("refinement_level", A::Int(5)), ("indexing_scheme", A::from(scheme))];
    write_cells(&ring_nc, &times, &ring, cells, &cf("ring"));
    write_cells(&nested_nc, &times, &nested, cells, &cf("nested"));
    let args = ["-a", "healpix", "--object-threshold", "100000"];
    let (a, b) = (track_file(&ring_nc, &args), track_file(&nested_nc, &args));
    assert!(a.len() > 40);
    assert_eq!((&a.lats, &a.lons, &a.times, &a.offsets), (&b.lats, &b.lons, &b.times, &b.offsets));
    // the centres' rows: RING pixels in one, the same pixels' NESTED numbers in the other
    let rows = |input: &std::path::Path, name: &str| -> Vec<u64> {
        use arrow::array::{Array, AsArray};
        let out = dir.path().join(name);
        let args = ["detect", "-i", input.to_str().unwrap(), "--variable", "msl", "-a", "healpix", "--object-threshold", "100000", "-q", "-o"];
        common::assert_ok(&stormtrack(&[&args[..], &[out.to_str().unwrap()]].concat()));
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&out).unwrap()).unwrap().build().unwrap();
        let batches: Vec<_> = reader.map(Result::unwrap).collect();
        let as_u64 = |c: &dyn Array| arrow::compute::cast(c, &arrow::datatypes::DataType::UInt64).unwrap();
        batches.iter().flat_map(|b| as_u64(b.column_by_name("row").unwrap()).as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec()).collect()
    };
    let (ring_rows, nested_rows) = (rows(&ring_nc, "ring.parquet"), rows(&nested_nc, "nested.parquet"));
    assert_eq!(ring_rows.len(), nested_rows.len());
    assert!(ring_rows.iter().zip(&nested_rows).all(|(&r, &n)| layer.from_ring(r) == n));
}

/// A part of the sphere (the cells of the North Atlantic and Europe, 20-80°N, 80°W-40°E, as
/// regional km-scale output comes), with a `cell` coordinate of their indices, tracks exactly
/// as the whole sphere with every other cell missing, in RING or NESTED numbering; each
/// centre's `row` is its cell index, and every track lies inside the region.
#[test]
fn a_part_of_the_healpix_sphere_tracks_as_the_sphere_with_the_rest_missing() {
    use netcdf::AttributeValue as A;
    let (times, ring) = fixture_values();
    let cells = 12 * 32 * 32;
    let layer = cdshealpix::nested::get(5);
    let inside = |r: u64| {
        let (lon, lat) = layer.center(layer.from_ring(r));
        let (lon, lat) = (lon.to_degrees(), lat.to_degrees());
        (20.0..=80.0).contains(&lat) && (lon >= 280.0 || lon <= 40.0)
    };
    let region: Vec<u64> = (0..cells as u64).filter(|&r| inside(r)).collect();
    assert!(region.len() > 500 && region.len() < cells / 5, "{} cells", region.len());
    let frames = times.len();
    let dir = tempfile::tempdir().unwrap();
    // the whole sphere, the cells outside the region missing
    const FILL: i16 = -32767;
    let masked: Vec<i16> = (0..frames * cells).map(|k| if inside((k % cells) as u64) { ring[k] } else { FILL }).collect();
    let whole = dir.path().join("whole.nc");
    write_cells(&whole, &times, &masked, cells, &[("grid_mapping_name", A::from("healpix")), ("healpix_nside", A::Int(32))]);
    {
        let _guard = common::nc_lock();
        let mut f = netcdf::append(&whole).unwrap();
        f.variable_mut("msl").unwrap().put_attribute("missing_value", FILL).unwrap();
    }
    // the region's cells only: RING in RING order, NESTED in a scrambled order
    let part = |ids: &[u64], of_ring: &dyn Fn(u64) -> u64| -> Vec<i16> {
        let mut out = Vec::with_capacity(frames * ids.len());
        for t in 0..frames {
            out.extend(ids.iter().map(|&h| ring[t * cells + of_ring(h) as usize]));
        }
        out
    };
    let ring_part = dir.path().join("ring_part.nc");
    let as_i64 = |ids: &[u64]| ids.iter().map(|&h| h as i64).collect::<Vec<_>>();
    write_part(&ring_part, &times, &part(&region, &|h| h), &as_i64(&region), 5, "ring");
    let mut nested: Vec<u64> = region.iter().map(|&r| layer.from_ring(r)).collect();
    nested.sort_by_key(|&h| (h * 7919) % 1013);
    let nested_part = dir.path().join("nested_part.nc");
    write_part(&nested_part, &times, &part(&nested, &|h| layer.to_ring(h)), &as_i64(&nested), 5, "nested");

    let args = ["-a", "healpix", "--object-threshold", "100000"];
    let expected = track_file(&whole, &args);
    assert!(expected.len() > 5, "{} tracks", expected.len());
    for input in [&ring_part, &nested_part] {
        let ours = track_file(input, &args);
        assert_eq!(
            (&ours.lats, &ours.lons, &ours.times, &ours.offsets, &ours.variables[0].values),
            (&expected.lats, &expected.lons, &expected.times, &expected.offsets, &expected.variables[0].values)
        );
    }
    assert!(expected.lats.iter().all(|&y| (17.0..=83.0).contains(&y)), "a track outside the region");
    // centres' rows: the cells' indices in the file's numbering, all inside the region
    let out = dir.path().join("centres.parquet");
    let args = [
        "detect",
        "-i",
        nested_part.to_str().unwrap(),
        "--variable",
        "msl",
        "-a",
        "healpix",
        "--object-threshold",
        "100000",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ];
    common::assert_ok(&stormtrack(&args));
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&out).unwrap()).unwrap().build().unwrap();
    let rows: Vec<u64> = reader
        .map(Result::unwrap)
        .flat_map(|b| {
            use arrow::array::AsArray;
            let c = arrow::compute::cast(b.column_by_name("row").unwrap(), &arrow::datatypes::DataType::UInt64).unwrap();
            c.as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec()
        })
        .collect();
    assert!(!rows.is_empty() && rows.iter().all(|&h| nested.contains(&h)));
}

#[test]
fn bad_healpix_inputs_fail_in_one_line() {
    use netcdf::AttributeValue as A;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.trackjson");
    let run = |input: &std::path::Path, extra: &[&str]| {
        let mut a = vec!["track", "-i", input.to_str().unwrap(), "--variable", "msl", "-o", out.to_str().unwrap()];
        a.extend_from_slice(extra);
        stormtrack(&a)
    };
    let hp = ["-a", "healpix", "--object-threshold", "100000"];
    let input = healpix_fixture();
    assert_fails(&run(&input, &[]), &["HEALPix grid (nside 32, ring cells)", "--algorithm healpix"]);
    assert_fails(&run(&input, &["-a", "hodges"]), &["HEALPix grid", "--algorithm healpix"]);
    assert_fails(&run(&input, &[&hp[..], &["--nside", "16"]].concat()), &["--nside", "input's nside 32"]);
    assert_fails(&run(&input, &[&hp[..], &["--lmin", "5", "--lmax", "42"]].concat()), &["--lmin", "HEALPix input"]);
    assert_fails(&run(&input, &[&hp[..], &["--taper-points", "3"]].concat()), &["--taper-points", "no edges"]);
    // sampling a dataset's tracks on the HEALPix input: refused
    let ds = dir.path().join("ds");
    common::assert_ok(&stormtrack(&[&["track", "-i", input.to_str().unwrap(), "--variable", "msl", "-q", "-o", ds.to_str().unwrap()][..], &hp].concat()));
    let sampled = dir.path().join("sampled.parquet");
    assert_fails(
        &stormtrack(&["sample", "-i", input.to_str().unwrap(), "--variable", "msl", "-o", sampled.to_str().unwrap(), ds.to_str().unwrap()]),
        &["HEALPix grid"],
    );
    assert!(!sampled.exists());
    let healpix = |nside: A, order: &str| vec![("grid_mapping_name", A::from("healpix")), ("healpix_nside", nside), ("healpix_order", A::from(order))];
    let cases: [(&str, usize, Vec<(&str, A)>, &[&str]); 5] = [
        ("uneven.nc", 1000, vec![("grid_mapping_name", A::from("healpix"))], &["1000 cells", "12 nside²"]),
        ("nside.nc", 12 * 9 * 9, healpix(A::Int(9), "ring"), &["nside 9 is not a power of two"]),
        ("mismatch.nc", 12 * 16 * 16, healpix(A::Int(32), "ring"), &["3072 cells where nside 32 has 12288"]),
        ("unique.nc", 12 * 4 * 4, healpix(A::Int(4), "nested_unique"), &["numbering 'nested_unique'"]),
        ("level.nc", 12, vec![("grid_mapping_name", A::from("healpix")), ("refinement_level", A::Double(1.5))], &["refinement_level 1.5"]),
    ];
    for (name, cells, mapping, needles) in cases {
        let p = dir.path().join(name);
        write_cells(&p, &[0.0, 6.0], &vec![0; 2 * cells], cells, &mapping);
        assert_fails(&run(&p, &hp), &[&["HEALPix grid that cannot be read"][..], needles].concat());
    }
    // parts of the sphere with bad cell indices
    let parts: [(&str, &[i64], &[&str]); 3] = [
        ("twice.nc", &[3, 7, 3], &["cell index 3 appears twice"]),
        ("beyond.nc", &[3, 48], &["cell index 48 (position 1) is not a cell of the sphere's 48"]),
        ("negative.nc", &[-1, 2], &["cell index -1"]),
    ];
    for (name, ids, needles) in parts {
        let p = dir.path().join(name);
        write_part(&p, &[0.0, 6.0], &vec![0; 2 * ids.len()], ids, 1, "nested");
        assert_fails(&run(&p, &hp), &[&["HEALPix grid that cannot be read"][..], needles].concat());
    }
    // a part without its nside
    let p = dir.path().join("no_nside.nc");
    write_cells(&p, &[0.0, 6.0], &[0; 4], 2, &[("grid_mapping_name", A::from("healpix"))]);
    {
        let _guard = common::nc_lock();
        netcdf::append(&p).unwrap().add_variable::<i64>("cell", &["cell"]).unwrap().put_values(&[5i64, 9], ..).unwrap();
    }
    assert_fails(&run(&p, &hp), &["holds 2 cells of part of the sphere without its nside", "refinement_level"]);
    assert!(!out.exists());
}

// ------------------------------------------------------------------ reduced Gaussian grids

/// The octahedral reduced Gaussian grid O32 (ERA5 msl, 40 frames, written by ecCodes:
/// tests/data/grib/make_gaussian.py) on the HEALPix tracker: the peer analyses the reduced rows
/// by DUCC's iterative least squares, we by Gaussian quadrature of the rows' Fourier series
/// (docs/input.md#reduced-gaussian-grids); the tracks agree with F1 >= 0.98.
#[test]
fn a_reduced_gaussian_grid_tracks_as_the_peer_on_healpix() {
    let input = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/grib/msl_o32.grib2");
    let ours = track_file(&input, &["-a", "healpix", "--nside", "32", "--object-threshold", "100000"]);
    let peer = reference("healpix_o32_nside32_thr1e5.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (43, 307));
    assert_f1_at_least(&peer, &ours, 0.98);
    // the regridding's own record: the regular Gaussian grid's bandwidth, 63
    let regrid = ours.metadata.processing.iter().find(|s| s.operation == "regrid").unwrap();
    assert_eq!(regrid.parameters["transform_lmax"].as_u64(), Some(63));
}

/// The same O32 frames in NetCDF, as CDO writes them (`msl(time, rgrid)` described by its
/// `CDI_grid_*` attributes) and as xarray writes what cfgrib opened (`latitude(values)`,
/// `longitude(values)`), track exactly as the GRIB file: Simple, Hodges with the spectral
/// filter, HEALPix (tests/data/reduced/make_reduced.sh).
#[test]
fn reduced_gaussian_netcdf_tracks_as_its_grib() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let grib = data.join("grib/msl_o32.grib2");
    let cases: [&[&str]; 3] = [
        &["-n", "12"],
        &["-n", "12", "-a", "hodges", "--lmin", "5", "--lmax", "42"],
        &["-n", "12", "-a", "healpix", "--nside", "32", "--object-threshold", "100000"],
    ];
    for args in cases {
        let expected = track_file(&grib, args);
        assert!(expected.len() > 10, "{args:?}: {} tracks", expected.len());
        for netcdf in ["reduced/msl_o32_cdo.nc", "reduced/msl_o32_cfgrib.nc"] {
            let ours = track_file(&data.join(netcdf), args);
            assert_eq!(
                (&ours.lats, &ours.lons, &ours.times, &ours.offsets, &ours.variables[0].values),
                (&expected.lats, &expected.lons, &expected.times, &expected.offsets, &expected.variables[0].values),
                "{netcdf} {args:?}"
            );
        }
    }
}

/// The peer reads the cfgrib-written NetCDF (a `values` dimension) as a reduced Gaussian grid
/// too: on its HEALPix tracker the 12 frames give its tracks (F1 >= 0.98; the two analyses of
/// the reduced rows differ as on the GRIB file).
#[test]
fn reduced_gaussian_netcdf_tracks_as_the_peer_on_healpix() {
    let input = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reduced/msl_o32_cfgrib.nc");
    let ours = track_file(&input, &["-a", "healpix", "--nside", "32", "--object-threshold", "100000"]);
    let peer = reference("healpix_o32_cfgrib_nc_nside32_thr1e5.trackjson.gz");
    assert_eq!((peer.len(), peer.n_points()), (13, 86));
    assert_f1_at_least(&peer, &ours, 0.98);
}

/// A variable along one dimension of points that is not a global reduced Gaussian grid, or
/// CDO's description without its parts, is refused in one line and nothing is written.
#[test]
fn bad_reduced_gaussian_netcdf_fails_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.trackjson");
    let lat32 = stormtrack::spectral::gaussian_latitudes(4);
    let write = |name: &str, rows: Option<(&[f64], &[i32])>, points: Option<(&[f64], &[f64])>, n: usize| {
        let path = dir.path().join(name);
        let _guard = common::nc_lock();
        let mut f = netcdf::create(&path).unwrap();
        f.add_dimension("time", 1).unwrap();
        f.add_dimension("rgrid", n).unwrap();
        let mut t = f.add_variable::<f64>("time", &["time"]).unwrap();
        t.put_attribute("units", "hours since 2025-12-01").unwrap();
        t.put_values(&[0.0], ..).unwrap();
        if let Some((lat, pl)) = rows {
            f.add_dimension("lat", lat.len()).unwrap();
            f.add_variable::<f64>("lat", &["lat"]).unwrap().put_values(lat, ..).unwrap();
            if !pl.is_empty() {
                f.add_dimension("reduced_points", pl.len()).unwrap();
                f.add_variable::<i32>("reduced_points", &["reduced_points"]).unwrap().put_values(pl, ..).unwrap();
            }
        }
        if let Some((lat, lon)) = points {
            f.add_variable::<f64>("latitude", &["rgrid"]).unwrap().put_values(lat, ..).unwrap();
            f.add_variable::<f64>("longitude", &["rgrid"]).unwrap().put_values(lon, ..).unwrap();
        }
        let mut v = f.add_variable::<f32>("msl", &["time", "rgrid"]).unwrap();
        v.put_attribute("units", "Pa").unwrap();
        if rows.is_some() {
            v.put_attribute("CDI_grid_type", "gaussian_reduced").unwrap();
            v.put_attribute("CDI_grid_latitudes", "lat").unwrap();
            v.put_attribute("CDI_grid_reduced_points", "reduced_points").unwrap();
        }
        v.put_values(&vec![101000.0f32; n], ..).unwrap();
        drop(f);
        path
    };
    let run = |p: &std::path::Path| stormtrack(&["track", "-i", p.to_str().unwrap(), "--variable", "msl", "-o", out.to_str().unwrap()]);
    let head = "cannot be read as a reduced Gaussian grid";
    let pl = [20, 24, 24, 20];
    // three points a row, the first row's between 0° and 9° only
    let regional: (Vec<f64>, Vec<f64>) =
        (lat32.iter().flat_map(|&y| [y; 3]).collect(), (0..4).flat_map(|j| if j == 0 { [0.0, 4.5, 9.0] } else { [0.0, 120.0, 240.0] }).collect());
    let cases = [
        (write("no_points.nc", Some((&lat32, &[])), None, 88), vec![head, "'reduced_points'", "is missing"]),
        (write("sum.nc", Some((&lat32, &pl)), None, 90), vec![head, "hold 88 points where the variable has 90"]),
        (write("band.nc", Some((&[10.0, 5.0, 0.0, -5.0], &pl)), None, 88), vec![head, "not those of a global Gaussian grid", "row 0 is at 10°"]),
        // an unstructured mesh: points scattered over the sphere
        (
            write("mesh.nc", None, Some((&[10.0, 20.0, 30.0], &[0.0, 40.0, 80.0])), 3),
            vec![head, "'rgrid'", "not those of a global Gaussian grid", "regrid it to a latitude-longitude grid"],
        ),
        // a regional subset of a row
        (write("regional.nc", None, Some((&regional.0, &regional.1)), 12), vec![head, "equally spaced points round the globe"]),
    ];
    for (path, needles) in cases {
        assert_fails(&run(&path), &needles);
        assert!(!out.exists());
    }
}

/// A HEALPix dataset continued by `--append` (the HEALPix input in two halves) is the dataset of
/// one run over all its frames, point for point; a run on another resolution is refused.
#[test]
fn a_healpix_dataset_continues_as_one_run() {
    let input = healpix_fixture();
    let dir = tempfile::tempdir().unwrap();
    let (whole, parts) = (dir.path().join("whole"), dir.path().join("parts"));
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let run = |extra: &[&str]| {
        let args = [&["track", "-i", input.to_str().unwrap(), "--variable", "msl", "-a", "healpix", "--object-threshold", "100000", "-q"][..], extra].concat();
        stormtrack(&args)
    };
    common::assert_ok(&run(&["-o", &path(&whole)]));
    common::assert_ok(&run(&["--end", "2025-12-05T18:00", "-o", &path(&parts)]));
    common::assert_ok(&run(&["--start", "2025-12-06T00:00", "--append", &path(&parts)]));
    let (a, b) = (stormtrack::io::read_tracks(&whole, None).unwrap(), stormtrack::io::read_tracks(&parts, None).unwrap());
    assert_eq!(a.len(), 43);
    assert_eq!((&a.ids, &a.offsets, &a.times, &a.lats, &a.lons), (&b.ids, &b.offsets, &b.times, &b.lats, &b.lons));
    assert_fails(&run(&["--start", "2025-12-06T00:00", "--feature-refinement", "grid", "--append", &path(&parts)]), &["--append", "feature_refinement"]);
}
