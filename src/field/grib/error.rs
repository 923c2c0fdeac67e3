//! What can go wrong reading a GRIB file, one variant per failure a user can act on; every
//! message is one line naming the file, the problem and the fix.

use std::path::PathBuf;

/// A GRIB file could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GribError {
    /// No GRIB message in the file.
    #[error("{path} is not a GRIB file ({detail}); give a GRIB edition 1 or 2 file")]
    NotGrib { path: PathBuf, detail: String },

    /// A message whose structure is broken (lengths, end marker, bit counts).
    #[error("{path}: the GRIB message at byte {offset} is corrupt ({detail}); the file is truncated or damaged: download or write it again")]
    Corrupt { path: PathBuf, offset: u64, detail: String },

    /// A valid message in a form the built-in reader does not decode.
    #[error(
        "{path}: the GRIB message at byte {offset} uses {feature}, which the built-in GRIB reader does not decode; the Python package's stormtrack reads it through ecCodes (pip install 'stormtrack[grib]'), or convert it first (cdo -f nc4 copy in.grib out.nc)"
    )]
    Unsupported { path: PathBuf, offset: u64, feature: String },

    /// The variable asked for is not in the file.
    #[error("variable '{name}' not found in {path}; GRIB parameters there: {available}; pass one of them as `variable`")]
    VariableNotFound { name: String, path: PathBuf, available: String },

    /// The variable's messages do not make one time series of one field.
    #[error("{path}: {detail}")]
    NotOneSeries { path: PathBuf, detail: String },
}
