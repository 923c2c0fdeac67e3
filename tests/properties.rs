//! Property tests: invariants of geometry, detection, linking and the text formats.

use ndarray::Array2;
use proptest::prelude::*;
use stormtrack::detect::{Detector, SimpleDetector};
use stormtrack::field::Grid;
use stormtrack::geo::{great_circle_km, great_circle_km_acos, normalize_lon};
use stormtrack::io::{imilast, trackjson};
use stormtrack::link::{FrameRef, SimpleLinker, link_frames_brute_force};
use stormtrack::tracks::{Point, TracksBuilder, TracksMetadata};
use stormtrack::variables::Mode;

const H6: i64 = 6 * 3_600_000;

/// Frames of random centres on a coarse lattice (so exact distance ties do occur), some empty,
/// with an occasional time gap.
fn frames_strategy() -> impl Strategy<Value = Vec<(i64, Vec<f64>, Vec<f64>)>> {
    prop::collection::vec((prop::collection::vec((-16i32..=16, 0i32..72), 0..14), prop::bool::weighted(0.1)), 1..14).prop_map(|frames| {
        let mut t = 0;
        frames
            .into_iter()
            .map(|(pts, gap)| {
                t += if gap { 2 * H6 } else { H6 };
                let mut pts = pts;
                pts.sort();
                pts.dedup();
                let lats = pts.iter().map(|p| p.0 as f64 * 2.5).collect();
                let lons = pts.iter().map(|p| p.1 as f64 * 2.5).collect();
                (t, lats, lons)
            })
            .collect()
    })
}

fn refs(data: &[(i64, Vec<f64>, Vec<f64>)]) -> Vec<FrameRef<'_>> {
    data.iter().map(|(t, la, lo)| FrameRef { time: *t, lats: la, lons: lo }).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn kd_tree_linker_equals_the_dense_matrix(data in frames_strategy(), max_km in prop::sample::select(vec![150.0, 300.0, 500.0, 900.0])) {
        let r = refs(&data);
        prop_assert_eq!(SimpleLinker { max_km }.link(&r), link_frames_brute_force(&r, max_km));
    }

    #[test]
    fn links_are_short_and_every_centre_is_used_once(data in frames_strategy()) {
        let r = refs(&data);
        let tracks = SimpleLinker::default().link(&r);
        let mut seen = std::collections::HashSet::new();
        for t in &tracks {
            for w in t.windows(2) {
                let ((f0, c0), (f1, c1)) = (w[0], w[1]);
                prop_assert_eq!(f1, f0 + 1, "a track skips a frame");
                let d = great_circle_km_acos(r[f0].lats[c0], r[f0].lons[c0], r[f1].lats[c1], r[f1].lons[c1]);
                prop_assert!(d < 500.0);
            }
            for &p in t {
                prop_assert!(seen.insert(p));
            }
        }
        prop_assert_eq!(seen.len(), r.iter().map(|f| f.lats.len()).sum::<usize>());
    }

    #[test]
    fn great_circle_is_a_symmetric_bounded_distance(a in -90.0f64..90.0, b in -540.0f64..540.0, c in -90.0f64..90.0, d in -540.0f64..540.0) {
        let x = great_circle_km(a, b, c, d);
        prop_assert!((0.0..=std::f64::consts::PI * 6371.22 + 1e-9).contains(&x));
        prop_assert!((x - great_circle_km(c, d, a, b)).abs() < 1e-9);
        prop_assert!((x - great_circle_km(a, normalize_lon(b), c, normalize_lon(d))).abs() < 1e-6);
        let n = normalize_lon(b);
        prop_assert!((-180.0..180.0).contains(&n));
    }

    #[test]
    fn detected_centres_are_window_extrema_off_missing_cells(
        values in prop::collection::vec(-1000.0f64..1000.0, 12 * 16),
        holes in prop::collection::vec(0usize..12 * 16, 0..8),
        min in any::<bool>(),
        periodic in any::<bool>(),
    ) {
        let mut f = Array2::from_shape_vec((12, 16), values).unwrap();
        for h in holes {
            f[[h / 16, h % 16]] = f64::NAN;
        }
        let mut grid = Grid::new((0..12).map(|i| 60.0 - 10.0 * i as f64).collect(), (0..16).map(|j| j as f64 * 22.5).collect());
        grid.periodic_x = periodic;
        let mode = if min { Mode::Min } else { Mode::Max };
        let c = SimpleDetector::default().detect(f.view(), &grid, mode);
        for k in 0..c.len() {
            let (r, col) = (c.rows[k] as usize, c.cols[k] as usize);
            let v = f[[r, col]];
            prop_assert!(v.is_finite());
            prop_assert_eq!(c.values[k], v);
            prop_assert!((2..10).contains(&r));
            for rr in r - 2..=r + 2 {
                for dc in -2isize..=2 {
                    let cc = col as isize + dc;
                    if !periodic && !(0..16).contains(&cc) { continue; }
                    let w = f[[rr, cc.rem_euclid(16) as usize]];
                    if w.is_nan() { continue; }
                    let ok = if min { w >= v } else { w <= v };
                    prop_assert!(ok, "window value {} beats centre {}", w, v);
                }
            }
        }
        // no two centres within the 5x5 suppression window
        for a in 0..c.len() {
            for b in a + 1..c.len() {
                let dr = (c.rows[a] as i64 - c.rows[b] as i64).abs();
                let dcol = (c.cols[a] as i64 - c.cols[b] as i64).abs();
                let dcol = if periodic { dcol.min(16 - dcol) } else { dcol };
                prop_assert!(dr > 2 || dcol > 2);
            }
        }
    }

    #[test]
    fn rotating_a_periodic_field_rotates_its_centres(values in prop::collection::vec(-1000.0f64..1000.0, 10 * 12), shift in 0usize..12) {
        let f = Array2::from_shape_vec((10, 12), values).unwrap();
        let mut g = f.clone();
        for r in 0..10 { for c in 0..12 { g[[r, (c + shift) % 12]] = f[[r, c]]; } }
        let grid = Grid::new((0..10).map(|i| 45.0 - 10.0 * i as f64).collect(), (0..12).map(|j| j as f64 * 30.0).collect());
        prop_assert!(grid.periodic_x);
        let a = SimpleDetector::default().detect(f.view(), &grid, Mode::Min);
        let b = SimpleDetector::default().detect(g.view(), &grid, Mode::Min);
        let mut pa: Vec<(u32, u32)> = a.rows.iter().zip(&a.cols).map(|(&r, &c)| (r, (c + shift as u32) % 12)).collect();
        let mut pb: Vec<(u32, u32)> = b.rows.iter().zip(&b.cols).map(|(&r, &c)| (r, c)).collect();
        pa.sort();
        pb.sort();
        prop_assert_eq!(pa, pb);
    }

    #[test]
    fn text_formats_round_trip(tracks in prop::collection::vec(prop::collection::vec((-8999i32..=8999, -17999i32..=17999, 90000.0f64..105000.0), 1..6), 0..8)) {
        let mut b = TracksBuilder::new(TracksMetadata::new("msl", Mode::Min), &[("msl", "Pa")], None);
        for (i, t) in tracks.iter().enumerate() {
            let points: Vec<Point> = t.iter().enumerate().map(|(k, p)| Point { time: 1_764_547_200_000 + k as i64 * H6, lat: p.0 as f64 / 100.0, lon: p.1 as f64 / 100.0, grid: None }).collect();
            let values: Vec<Vec<f64>> = t.iter().map(|p| vec![(p.2 * 100.0).round() / 100.0]).collect();
            b.push(i as i64 + 1, &points, &values);
        }
        let t = b.finish().unwrap();
        let write = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| { let mut v = Vec::new(); f(&mut v).unwrap(); String::from_utf8(v).unwrap() };
        let txt = write(&|w| imilast::write(&t, w));
        let back = imilast::read_str(&txt, std::path::Path::new("mem.txt"), Some("msl")).unwrap();
        prop_assert_eq!(write(&|w| imilast::write(&back, w)), txt);
        let json = write(&|w| trackjson::write(&t, w, false));
        let back = trackjson::read_str(&json, std::path::Path::new("mem.trackjson")).unwrap();
        prop_assert_eq!(&back, &t);
        prop_assert_eq!(write(&|w| trackjson::write(&back, w, false)), json);
    }
}
