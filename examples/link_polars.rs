//! The Rust dataframe API end to end: detect the centres of a NetCDF field into a Polars
//! `DataFrame`, link them with the `link_tracks` extension, and measure each track.
//! Prints `time_ms,lat,lon,track_id` for every centre (the Python consistency test compares it).
//!
//! ```text
//! cargo run --release --features full --example link_polars -- era5_msl.nc msl > linked.csv
//! ```

use polars::prelude::*;
use stormtrack::field::NetcdfField;
use stormtrack::geo::LonConvention;
use stormtrack::polars::{DetectOptions, LinkOptions, StormLazyExt, duration_h, path_length_km};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: link_polars FILE.nc VARIABLE");
        std::process::exit(2);
    }
    let field = NetcdfField::open(&args[1], &args[2])?;
    let centers = stormtrack::polars::detect(&field, &DetectOptions::default())?;
    // ERA5 longitudes run 0..360: break ties in that convention, as the CLI does
    let opts = LinkOptions { lon_convention: Some(LonConvention::Unsigned), ..LinkOptions::simple() };
    let linked = centers.lazy().link_tracks(opts).collect()?;
    let per_track = linked
        .clone()
        .lazy()
        .group_by([col("track_id")])
        .agg([path_length_km(col("lat"), col("lon"), Some(col("time"))), duration_h(col("time"))])
        .filter(col("duration_h").gt_eq(lit(24.0)))
        .collect()?;
    eprintln!("{} centres, {} tracks lasting a day or more", linked.height(), per_track.height());
    let t = linked.column("time")?.as_materialized_series().to_physical_repr().i64()?.clone();
    let (lat, lon, id) = (linked.column("lat")?.f64()?.clone(), linked.column("lon")?.f64()?.clone(), linked.column("track_id")?.i64()?.clone());
    let mut out = String::from("time_ms,lat,lon,track_id\n");
    for i in 0..linked.height() {
        out.push_str(&format!(
            "{},{},{},{}\n",
            t.get(i).unwrap_or_default(),
            lat.get(i).unwrap_or(f64::NAN),
            lon.get(i).unwrap_or(f64::NAN),
            id.get(i).unwrap_or_default()
        ));
    }
    print!("{out}");
    Ok(())
}
