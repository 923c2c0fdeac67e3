//! The Rust API end to end: open a field, iterate Arrow record batches of centres, link them,
//! write them, read them back.

mod common;

use arrow::array::{Array, Float64Array, TimestampMillisecondArray};
use common::shared;
use stormtrack::arrow::{CentersMeta, column};
use stormtrack::detect::SimpleDetector;
use stormtrack::field::{Field, FrameReader, MemoryField, NetcdfField};
use stormtrack::io::{self, TrackFormat};
use stormtrack::link::SimpleLinker;
use stormtrack::pipeline::{SimpleOptions, detect_batches, link_batches, track_simple};
use stormtrack::synthetic::{SyntheticConfig, generate};
use stormtrack::variables::Mode;

fn check_batches_link_like_the_pipeline(field: &dyn Field, mode: Mode) {
    let batches: Vec<_> = detect_batches(field, &SimpleDetector::default(), mode, None).collect::<Result<_, _>>().unwrap();
    assert_eq!(batches.len(), field.info().times.len(), "one batch per frame");
    let meta = CentersMeta::from_schema(&batches[0].schema()).unwrap();
    assert_eq!((meta.variable.as_str(), meta.mode), (field.info().variable.as_str(), mode));
    for (t, b) in batches.iter().enumerate() {
        let time = column::<TimestampMillisecondArray>(b, "time").unwrap();
        assert!(time.values().iter().all(|&x| x == field.info().times[t]));
        let lon = column::<Float64Array>(b, "lon").unwrap();
        assert!(lon.values().iter().all(|x| (-180.0..180.0).contains(x)));
        assert_eq!(lon.null_count(), 0);
    }
    let run = track_simple(field, &SimpleOptions { mode: Some(mode), ..Default::default() }, None).unwrap();
    let linked = link_batches(&batches, Some(&field.info().times), &SimpleLinker::default()).unwrap();
    assert_eq!(linked.ids, run.tracks.ids);
    assert_eq!(linked.offsets, run.tracks.offsets);
    assert_eq!(linked.times, run.tracks.times);
    assert_eq!(linked.lats, run.tracks.lats);
    assert_eq!(linked.lons, run.tracks.lons);
    assert_eq!(linked.variables, run.tracks.variables);
    assert_eq!(linked.grid, run.tracks.grid);

    // write the dataset, read it back
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("tracks");
    io::write_tracks(&linked, &ds, TrackFormat::Parquet).unwrap();
    let back = io::read_tracks(&ds, None).unwrap();
    assert_eq!((back.ids.clone(), back.offsets.clone(), back.times.clone()), (linked.ids.clone(), linked.offsets.clone(), linked.times.clone()));
    assert_eq!((back.lats.clone(), back.lons.clone(), back.variables.clone()), (linked.lats.clone(), linked.lons.clone(), linked.variables.clone()));
    assert_eq!(back.grid, linked.grid);
}

#[test]
fn synthetic_batches_link_like_the_pipeline() {
    let s = generate(&SyntheticConfig { frames: 40, ..Default::default() }).unwrap();
    let f = MemoryField::new("msl", "Pa", s.times.clone(), s.lat.clone(), s.lon.clone(), s.msl.clone()).unwrap();
    check_batches_link_like_the_pipeline(&f, Mode::Min);
}

#[test]
fn era5_batches_link_like_the_pipeline() {
    let Some(p) = shared("data/era5/era5_vo850_djf2526_2.5deg.nc") else { return };
    check_batches_link_like_the_pipeline(&NetcdfField::open(&p, "vo").unwrap(), Mode::Max);
}

#[test]
fn both_frame_readers_give_identical_frames_on_every_shared_file() {
    let Some(dir) = shared("data/era5") else { return };
    // the single-step files carry no time coordinate: refused, with the axis named
    for file in ["era5_msl_2025120100_2.5x2.5.nc", "era5_msl_2025120100_0.25x0.25.nc", "era5_uv850_2025120100_2.5x2.5.nc"] {
        let var = if file.contains("uv") { "u" } else { "msl" };
        let e = NetcdfField::open(dir.join(file), var).unwrap_err().to_string();
        assert!(e.contains("no time coordinate"), "{e}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let classic = tmp.path().join("packed_classic.nc");
    write_packed_classic(&classic);
    let cases = [(dir.join("era5_msl_djf2526_2.5deg.nc"), "msl"), (dir.join("era5_vo850_djf2526_2.5deg.nc"), "vo"), (classic.clone(), "msl")];
    for (p, var) in &cases {
        let (p, var, file) = (p.as_path(), *var, p.display());
        let fast = NetcdfField::open(p, var).unwrap();
        let slow = NetcdfField::open_with(p, var, FrameReader::Libnetcdf).unwrap();
        assert_eq!(fast.info(), slow.info(), "{file}");
        let n = fast.info().times.len();
        for t in (0..n).step_by((n / 7).max(1)).chain([n - 1]) {
            let (a, b) = (fast.read_frame(t).unwrap(), slow.read_frame(t).unwrap());
            // NaN-aware bitwise equality
            assert!(a.iter().zip(b.iter()).all(|(x, y)| x.to_bits() == y.to_bits()), "{file} frame {t}");
        }
    }
}

/// A NetCDF-3 classic file with int16 msl packed in hPa (scale_factor, add_offset,
/// _FillValue), 3 frames of 5 x 8.
fn write_packed_classic(path: &std::path::Path) {
    let mut f = netcdf::create_with(path, netcdf::Options::CLASSIC).unwrap();
    f.add_dimension("time", 3).unwrap();
    f.add_dimension("lat", 5).unwrap();
    f.add_dimension("lon", 8).unwrap();
    // classic files take every definition before any data
    let mut t = f.add_variable::<i32>("time", &["time"]).unwrap();
    t.put_attribute("units", "days since 2000-01-01").unwrap();
    f.add_variable::<f32>("lat", &["lat"]).unwrap();
    f.add_variable::<f32>("lon", &["lon"]).unwrap();
    let mut v = f.add_variable::<i16>("msl", &["time", "lat", "lon"]).unwrap();
    v.put_attribute("units", "hPa").unwrap();
    v.put_attribute("scale_factor", 0.01f64).unwrap();
    v.put_attribute("add_offset", 1000.0f64).unwrap();
    v.put_attribute("_FillValue", -32767i16).unwrap();
    let mut data: Vec<i16> = (0..120).map(|i| (i * 37 % 2000) as i16 - 1000).collect();
    data[7] = -32767;
    f.enddef().unwrap();
    f.variable_mut("time").unwrap().put_values(&[0i32, 1, 2], ..).unwrap();
    f.variable_mut("lat").unwrap().put_values(&[-60.0f32, -30.0, 0.0, 30.0, 60.0], ..).unwrap();
    f.variable_mut("lon").unwrap().put_values(&(0..8).map(|j| j as f32 * 45.0).collect::<Vec<_>>(), ..).unwrap();
    f.variable_mut("msl").unwrap().put_values(&data, ..).unwrap();
}

#[test]
fn packed_classic_files_are_unpacked_and_masked() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("packed.nc");
    write_packed_classic(&p);
    let f = NetcdfField::open(&p, "msl").unwrap();
    assert_eq!(f.info().value_unit, "Pa");
    assert_eq!(f.info().times, vec![946_684_800_000, 946_771_200_000, 946_857_600_000]);
    let frame = f.read_frame(0).unwrap();
    assert!(frame[[0, 7]].is_nan(), "the fill value is missing");
    // (stored * 0.01 + 1000) hPa in Pa
    assert!((frame[[0, 0]] - (-1000.0 * 0.01 + 1000.0) * 100.0).abs() < 1e-6);
    assert!((frame[[0, 1]] - ((37 - 1000) as f64 * 0.01 + 1000.0) * 100.0).abs() < 1e-6);
}

#[test]
fn netcdf4_frames_are_read_in_parallel() {
    let Some(p) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    assert!(NetcdfField::open(&p, "msl").unwrap().reads_in_parallel());
}

/// The operations' stream of centres (both detectors, any block size) hands over the batches
/// of a whole `detect` run, one per frame in time order.
#[test]
fn the_detect_stream_equals_the_whole_run_for_both_detectors() {
    use stormtrack::ops::{self, FieldOptions, NoProgress};
    let Some(input) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    for algorithm in ["simple", "hodges"] {
        let field = FieldOptions {
            input: vec![input.clone()],
            variable: "msl".into(),
            times: ops::TimeWindow { n_frames: Some(30), ..Default::default() },
            band: ops::BandPass { lmin: (algorithm == "hodges").then_some(5), lmax: (algorithm == "hodges").then_some(42), spectral_taper: None },
            threads: Some(2),
            ..Default::default()
        };
        let detection = ops::detect::DetectionSettings { algorithm: algorithm.into(), ..Default::default() };
        let opts = ops::detect::Options { field, detection, output: None };
        let whole = ops::detect::run(&opts, &NoProgress).unwrap().batches;
        let stream = ops::detect::detect_batches(&opts).unwrap();
        assert_eq!(stream.remaining_frames(), 30);
        let streamed: Vec<_> = stream.collect::<Result<_, _>>().unwrap();
        assert_eq!(streamed, whole, "{algorithm}");
    }
}

/// The streaming tracker, fed the DJF season one frame at a time, returns the batch run's tracks
/// with the same ids (docs/datasets.md#streaming).
#[test]
fn streaming_tracker_equals_the_batch_run() {
    use stormtrack::pipeline::streaming::{StreamSpec, StreamingTracker};
    let Some(path) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let field = {
        let _g = common::nc_lock();
        NetcdfField::open(&path, "msl").unwrap()
    };
    let info = field.info().clone();
    let batch = track_simple(&field, &SimpleOptions::default(), None).unwrap().tracks;
    let spec = StreamSpec {
        variable: "msl".into(),
        units: Some("Pa".into()),
        standard_name: None,
        calendar: info.calendar,
        lat: info.grid.lat.clone(),
        lon: info.grid.lon.clone(),
        others: Vec::new(),
    };
    let mut tracker = StreamingTracker::new(spec, SimpleDetector::default(), None, SimpleLinker::default(), None).unwrap();
    let mut got: Vec<(i64, Vec<i64>, Vec<f64>, Vec<f64>)> = Vec::new();
    let mut collect = |t: stormtrack::Tracks| {
        for k in 0..t.len() {
            let r = t.offsets[k]..t.offsets[k + 1];
            got.push((t.ids[k], t.times[r.clone()].to_vec(), t.lats[r.clone()].to_vec(), t.lons[r].to_vec()));
        }
    };
    for (k, &time) in info.times.iter().enumerate() {
        let frame = {
            let _g = common::nc_lock();
            field.read_frame(k).unwrap()
        };
        collect(tracker.push(time, frame).unwrap());
    }
    collect(tracker.finish().unwrap());
    got.sort_by_key(|t| t.0);
    assert_eq!(got.len(), batch.len());
    for (k, (id, times, lats, lons)) in got.iter().enumerate() {
        let r = batch.offsets[k]..batch.offsets[k + 1];
        assert_eq!((*id, &times[..], &lats[..], &lons[..]), (batch.ids[k], &batch.times[r.clone()], &batch.lats[r.clone()], &batch.lons[r]));
    }
}

/// Detection spread over a block runner (as the Dask adapter does; docs/distributed.md), with
/// blocks of uneven sizes handed back in reverse order, gives the single-process run: the same
/// tracks and the same bytes in every output, for both trackers. A runner that loses a frame
/// or repeats one is refused.
#[test]
fn detection_by_blocks_equals_one_process_for_both_trackers() {
    use stormtrack::ops::distributed::{BlockRunner, detect_block};
    use stormtrack::ops::{self, FieldOptions, NoProgress};
    struct Uneven {
        field: FieldOptions,
        detection: ops::detect::DetectionSettings,
        drop_last: bool,
    }
    impl BlockRunner for Uneven {
        fn detect(&self, frames: std::ops::Range<usize>, on_block: &mut dyn FnMut(Vec<u8>) -> stormtrack::Result<()>) -> stormtrack::Result<()> {
            let mut ranges = Vec::new();
            let (mut a, mut size) = (frames.start, 1);
            while a < frames.end {
                ranges.push(a..(a + size).min(frames.end));
                a += size;
                size = size * 3 % 17 + 1;
            }
            if self.drop_last {
                ranges.pop();
            }
            for r in ranges.into_iter().rev() {
                on_block(detect_block(&self.field, &self.detection, r, 0)?)?;
            }
            Ok(())
        }
    }
    let Some(msl) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let Some(vo) = shared("data/era5/era5_vo850_djf2526_2.5deg.nc") else { return };
    let dir = tempfile::tempdir().unwrap();
    for (algorithm, input, variable) in [("simple", msl, "msl"), ("hodges", vo, "vo")] {
        let hodges = algorithm == "hodges";
        let field = FieldOptions {
            input: vec![input],
            variable: variable.into(),
            times: ops::TimeWindow { n_frames: Some(60), ..Default::default() },
            band: ops::BandPass { lmin: hodges.then_some(5), lmax: hodges.then_some(42), spectral_taper: None },
            threads: Some(2),
            ..Default::default()
        };
        let detection = ops::detect::DetectionSettings { algorithm: algorithm.into(), ..Default::default() };
        let outputs = |tag: &str| vec![dir.path().join(format!("{algorithm}_{tag}.txt")), dir.path().join(format!("{algorithm}_{tag}.trackjson"))];
        let opts = |tag: &str| ops::track::Options { field: field.clone(), detection: detection.clone(), outputs: outputs(tag), ..Default::default() };
        let one = ops::track::run(&opts("one"), &NoProgress).unwrap();
        let runner = Uneven { field: field.clone(), detection: detection.clone(), drop_last: false };
        let blocks = ops::track::run_with(&opts("blocks"), Some(&runner), &NoProgress).unwrap();
        assert_eq!(one.run.tracks, blocks.run.tracks, "{algorithm}");
        assert_eq!(one.run.frames, blocks.run.frames, "{algorithm}");
        for (a, b) in outputs("one").iter().zip(outputs("blocks")) {
            assert_eq!(std::fs::read(a).unwrap(), std::fs::read(&b).unwrap(), "{}", b.display());
        }
        let short = Uneven { field: field.clone(), detection: detection.clone(), drop_last: true };
        let err = ops::track::run_with(&opts("short"), Some(&short), &NoProgress).unwrap_err().to_string();
        assert!(err.contains("the blocks hold") && !err.contains('\n'), "{err}");
        assert!(!outputs("short")[0].exists());
    }
}

/// The Hodges tracker fed the DJF vo850 season (T5-42) one frame at a time returns the batch
/// run's tracks exactly, with the same ids, while holding a bounded window of frames
/// (docs/datasets.md#streaming-the-hodges-tracker).
#[test]
fn streaming_hodges_tracker_equals_the_batch_run() {
    use stormtrack::pipeline::hodges::{HodgesOptions, track_hodges};
    use stormtrack::pipeline::streaming::StreamSpec;
    use stormtrack::pipeline::streaming_hodges::HodgesStreamingTracker;
    use stormtrack::spectral::{FilterKind, SpectralOptions};
    let Some(path) = shared("data/era5/era5_vo850_djf2526_2.5deg.nc") else { return };
    let field = {
        let _g = common::nc_lock();
        NetcdfField::open(&path, "vo").unwrap()
    };
    let info = field.info().clone();
    let opts = HodgesOptions { spectral: Some(SpectralOptions { lmin: 5, lmax: 42, taper: 1.0, kind: FilterKind::Auto }), ..HodgesOptions::default() };
    let batch = track_hodges(&field, &opts, None).unwrap().0.tracks;
    let spec = StreamSpec {
        variable: "vo".into(),
        units: Some(info.value_unit.clone()),
        standard_name: None,
        calendar: info.calendar,
        lat: info.grid.lat.clone(),
        lon: info.grid.lon.clone(),
        others: Vec::new(),
    };
    let with_others = StreamSpec { others: vec![("pres".into(), Some("hPa".into()))], ..spec.clone() };
    let refused = HodgesStreamingTracker::new(with_others, opts.clone()).err().expect("other variables are refused").to_string();
    assert!(refused.contains("others") && refused.contains("'pres'"), "{refused}");
    let mut tracker = HodgesStreamingTracker::new(spec, opts).unwrap();
    type Track = (i64, Vec<i64>, Vec<f64>, Vec<f64>, Vec<f64>);
    let mut got: Vec<Track> = Vec::new();
    let mut collect = |t: stormtrack::Tracks| {
        let v = t.variables[0].values.clone();
        for k in 0..t.len() {
            let r = t.offsets[k]..t.offsets[k + 1];
            got.push((t.ids[k], t.times[r.clone()].to_vec(), t.lats[r.clone()].to_vec(), t.lons[r.clone()].to_vec(), v[r].to_vec()));
        }
    };
    let mut most_buffered = 0;
    let mut handed_before_the_end = 0;
    for (k, &time) in info.times.iter().enumerate() {
        let frame = {
            let _g = common::nc_lock();
            field.read_frame(k).unwrap()
        };
        let done = tracker.push(time, frame).unwrap();
        handed_before_the_end += done.len();
        collect(done);
        most_buffered = most_buffered.max(tracker.buffered_frames());
    }
    collect(tracker.finish().unwrap());
    got.sort_by_key(|t| t.0);
    assert_eq!(got.len(), batch.len());
    let values = &batch.variables[0].values;
    for (k, (id, times, lats, lons, v)) in got.iter().enumerate() {
        let r = batch.offsets[k]..batch.offsets[k + 1];
        assert_eq!(
            (*id, &times[..], &lats[..], &lons[..], &v[..]),
            (batch.ids[k], &batch.times[r.clone()], &batch.lats[r.clone()], &batch.lons[r.clone()], &values[r])
        );
    }
    // tracks come back as the season goes, not all at the end, from a bounded buffer
    assert!(handed_before_the_end > batch.len() / 2, "{handed_before_the_end} of {}", batch.len());
    assert!(most_buffered < 200, "{most_buffered} frames buffered");
    eprintln!("{} tracks, {handed_before_the_end} handed back before the end, at most {most_buffered} frames buffered", batch.len());
}

/// Every algorithm behind the `Tracker` trait: Simple, Hodges (T5-42) and HEALPix give through
/// `Tracker::track` the runs of their own pipelines, and detection then linking apart (as a
/// distributed run does) gives the same again.
#[test]
fn every_tracker_runs_behind_one_trait() {
    use stormtrack::pipeline::healpix::HealpixSettings;
    use stormtrack::pipeline::hodges::{HodgesOptions, track_hodges};
    use stormtrack::pipeline::tracker::{HealpixTracker, HodgesTracker, SimpleTracker, Tracker};
    use stormtrack::spectral::{FilterKind, SpectralOptions};
    let Some(path) = shared("data/era5/era5_msl_djf2526_2.5deg.nc") else { return };
    let field = NetcdfField::open(&path, "msl").unwrap();
    let frames = 0..40;
    let selection = stormtrack::field::TimeSelection { n_frames: Some(40), ..Default::default() };
    let t5_42 = SpectralOptions { lmin: 5, lmax: 42, taper: 1.0, kind: FilterKind::Auto };
    let hodges = HodgesOptions { mode: Some(Mode::Min), spectral: Some(t5_42), selection: selection.clone(), ..HodgesOptions::default() };
    let quadratic = stormtrack::detect::hodges::HodgesDetectOptions { refinement: stormtrack::detect::hodges::Refinement::Quadratic, ..Default::default() };
    let healpix = HodgesOptions { object_threshold: Some(100_000.0), spectral: None, detect: quadratic, ..hodges.clone() };
    let settings = HealpixSettings { nside: Some(32) };
    let simple = SimpleOptions { mode: Some(Mode::Min), selection, ..Default::default() };
    let trackers: Vec<(Box<dyn Tracker>, stormtrack::Tracks)> = vec![
        (
            Box::new(SimpleTracker::new(SimpleDetector::default(), None, SimpleLinker::default(), Mode::Min)),
            track_simple(&field, &simple, None).unwrap().tracks,
        ),
        (Box::new(HodgesTracker::new(hodges.clone())), track_hodges(&field, &hodges, None).unwrap().0.tracks),
        (
            Box::new(HealpixTracker::new(healpix.clone(), settings)),
            track_hodges(&field, &HodgesOptions { healpix: Some(settings), ..healpix }, None).unwrap().0.tracks,
        ),
    ];
    for (tracker, expected) in &trackers {
        let linked = tracker.track(&field, frames.clone(), None).unwrap();
        assert_eq!(&linked.run.tracks, expected, "{}", tracker.algorithm());
        let apart = tracker.detect(&field, frames.clone(), None).unwrap();
        let relinked = tracker.link(&field, apart, std::time::Instant::now()).unwrap();
        assert_eq!(&relinked.run.tracks, expected, "{} detected then linked", tracker.algorithm());
        assert!(!expected.is_empty(), "{}", tracker.algorithm());
    }
    let names: Vec<&str> = trackers.iter().map(|(t, _)| t.algorithm()).collect();
    assert_eq!(names, ["simple", "hodges", "healpix"]);
}
