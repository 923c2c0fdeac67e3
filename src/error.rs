//! The library's error type. Every message names the problem and, where there is one, the fix,
//! because the CLI prints it as is on one line.

use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in stormtrack, grouped by concern.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input file does not exist.
    #[error("input file {0} does not exist; check the path")]
    MissingInput(PathBuf),
    /// The input exists but is not a NetCDF file (or is truncated before its header ends).
    #[error("{path} is not a readable NetCDF file ({detail}); give a NetCDF-3 or NetCDF-4 file")]
    NotNetcdf { path: PathBuf, detail: String },
    /// Reading data from an opened file failed: truncated or corrupt content.
    #[error("could not read {what} from {path} ({detail}); the file is probably truncated or corrupt")]
    CorruptInput { path: PathBuf, what: String, detail: String },
    /// The requested variable is not in the file.
    #[error("variable '{name}' not found in {path}; data variables there: {available}; pass one of them as `variable`")]
    VariableNotFound { name: String, path: PathBuf, available: String },
    /// A coordinate (lat, lon or time) could not be found.
    #[error("no {axis} coordinate for variable '{variable}' in {path} (looked for {looked_for}); the field needs time, latitude and longitude coordinates")]
    MissingCoordinate { axis: &'static str, variable: String, path: PathBuf, looked_for: String },
    /// The variable's shape cannot be read as (time, lat, lon) frames.
    #[error("variable '{variable}' has dimensions {dims}; expected (time, [singleton...], latitude, longitude): select a single level first")]
    BadShape { variable: String, dims: String },
    /// A variable on a HEALPix grid whose layout cannot be read (docs/input.md#healpix-inputs).
    #[error("variable '{variable}' in {path} is on a HEALPix grid that cannot be read: {detail}")]
    BadHealpix { variable: String, path: PathBuf, detail: String },
    /// A variable whose points lie along one dimension (a reduced Gaussian grid's rows, or an
    /// unstructured mesh) that cannot be read as a global reduced Gaussian grid
    /// (docs/input.md#reduced-gaussian-grids).
    #[error(
        "variable '{variable}' in {path} lies on points along '{dim}' that cannot be read as a reduced Gaussian grid: {detail}; regrid it to a latitude-longitude grid first (e.g. cdo remapbil,r1440x721)"
    )]
    BadReducedGrid { variable: String, path: PathBuf, dim: String, detail: String },
    /// A HEALPix input given to a command or tracker that works on latitude-longitude grids.
    #[error(
        "variable '{variable}' in {path} is on a HEALPix grid (nside {nside}, {ordering} cells); only the HEALPix tracker reads HEALPix \
         inputs: track or detect with `algorithm` healpix"
    )]
    HealpixInput { variable: String, path: PathBuf, nside: u32, ordering: &'static str },
    /// A CF time attribute that cannot be decoded.
    #[error("cannot decode time: {0}")]
    Time(String),
    /// A calendar that is not one of the CF calendars.
    #[error("calendar '{0}' is not a CF calendar; use standard, gregorian, proleptic_gregorian, julian, noleap, 365_day, all_leap, 366_day or 360_day")]
    UnsupportedCalendar(String),
    /// A unit that cannot be converted to the variable's canonical unit.
    #[error("unknown unit '{unit}' for variable '{variable}' (expected one of {expected}); fix the units attribute")]
    UnknownUnit { variable: String, unit: String, expected: String },
    /// Not enough time steps to track anything.
    #[error("{0}")]
    TooFewFrames(String),
    /// An option value is out of range or inconsistent. `option` is the option's field name in
    /// the operations layer ([`crate::ops`]); other options named in `reason` are written
    /// `` `name` `` too, so that each front end can say them in its own language
    /// ([`Error::message_with`]).
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption { option: String, reason: String },
    /// A track file that does not follow its format.
    #[error("{path}: line {line}: {reason}")]
    Parse { path: PathBuf, line: usize, reason: String },
    /// Data that breaks an invariant of the track model.
    #[error("invalid tracks: {0}")]
    InvalidTracks(String),
    /// A format that cannot be inferred or is not supported.
    #[error("{0}")]
    Format(String),
    /// An output path that cannot be written.
    #[error("cannot write {path}: {detail}; choose a writable location")]
    Unwritable { path: PathBuf, detail: String },
    /// Any other I/O failure, with the path it concerns.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Detection on other processes failed (a worker's error or death, as its runner words it).
    #[error("{0}")]
    Distributed(String),
    /// Arrow or Parquet failure.
    #[error("arrow/parquet: {0}")]
    Arrow(String),
    /// A SQL query that DataFusion could not plan or run (its message, on one line).
    #[error("SQL: {0}")]
    Sql(String),
    /// A GRIB file that cannot be read (see [`crate::field::GribError`]).
    #[cfg(feature = "grib")]
    #[error(transparent)]
    Grib(#[from] crate::field::GribError),
    /// A Zarr store that cannot be read (see [`crate::field::ZarrError`]).
    #[cfg(feature = "zarr")]
    #[error(transparent)]
    Zarr(#[from] crate::field::ZarrError),
}

impl Error {
    /// Shorthand for [`Error::InvalidOption`].
    pub fn option(option: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidOption { option: option.into(), reason: reason.into() }
    }
    /// The message with every option reference `` `name` `` that `rename` knows written its
    /// way: the CLI turns `max_link_km` into `--max-link-km`, Python into its keyword.
    /// References `rename` does not know keep their field name.
    ///
    /// ```
    /// use stormtrack::Error;
    /// let e = Error::option("lmin", "5 is greater than `lmax` 3");
    /// assert_eq!(e.to_string(), "invalid option `lmin`: 5 is greater than `lmax` 3");
    /// let flag = |name: &str| Some(format!("--{}", name.replace('_', "-")));
    /// assert_eq!(e.message_with(&flag), "invalid option --lmin: 5 is greater than --lmax 3");
    /// ```
    pub fn message_with(&self, rename: &dyn Fn(&str) -> Option<String>) -> String {
        rename_option_references(&self.to_string(), rename)
    }
    /// The message with option names written plainly, for the front ends whose option keys
    /// are the field names themselves (SQL options, Polars keyword arguments).
    pub fn plain_message(&self) -> String {
        self.message_with(&|name| Some(name.to_string()))
    }
    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

/// `text` with each `` `name` `` (a lower-case identifier) that `rename` maps replaced by its
/// new name, without the backticks.
pub fn rename_option_references(text: &str, rename: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        let name = &after[..close];
        let is_ident = name.starts_with(|c: char| c.is_ascii_lowercase()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        out.push_str(&rest[..open]);
        match is_ident.then(|| rename(name)).flatten() {
            Some(new) => out.push_str(&new),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

impl From<arrow::error::ArrowError> for Error {
    fn from(e: arrow::error::ArrowError) -> Self {
        Error::Arrow(e.to_string())
    }
}

impl From<parquet::errors::ParquetError> for Error {
    fn from(e: parquet::errors::ParquetError) -> Self {
        Error::Arrow(e.to_string())
    }
}

#[cfg(feature = "datafusion")]
impl From<datafusion::common::DataFusionError> for Error {
    fn from(e: datafusion::common::DataFusionError) -> Self {
        // DataFusion wraps messages in context lines; the CLI prints one line
        let text = e.to_string();
        Error::Sql(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

thread_local! {
    /// How many [`guard_reader`] calls this thread is inside.
    static GUARDED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether the current thread is inside [`guard_reader`]: a panic hook stays quiet then, since
/// the panic becomes an error line of its own.
pub fn panic_is_guarded() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// Run a reader built on a third-party parser (the `parquet` crate, the libnetcdf bindings)
/// that can panic on a corrupt file instead of returning an error (found by fuzzing,
/// docs/reliability.md): such a panic becomes one error naming `path`, printed once.
pub fn guard_reader<T>(path: &std::path::Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !panic_is_guarded() {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.unwrap_or_else(|payload| {
        let why = payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned()).unwrap_or_default();
        let why: String = why.lines().next().unwrap_or("").chars().take(160).collect();
        Err(Error::Format(format!("{}: the file is corrupt: its reader failed on it ({why}); write or copy it again", path.display())))
    })
}
