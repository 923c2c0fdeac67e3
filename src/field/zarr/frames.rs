//! One frame of a Zarr array, chunk by chunk: the chunks a frame touches are fetched and
//! decoded in parallel (rayon), an absent chunk is an error (never a silent fill value), and
//! chunks that hold several time steps are kept in a small bounded cache so that their frames
//! decode them once. See docs/input.md#zarr-stores.

use super::error::{ZarrError, one_line};
use super::metadata::ZarrArray;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

/// The most memory the decoded-chunk cache of one array may hold.
const CHUNK_CACHE_LIMIT: usize = 256 << 20;

macro_rules! stored_types {
    ($($variant:ident => $t:ty, $dt:ident;)*) => {
        /// The element types read (converted to f64 as decoded).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(super) enum StoredType { $($variant),* }

        impl StoredType {
            /// The type of `array`, `None` for types that are not plain numbers.
            pub fn of(array: &ZarrArray) -> Option<Self> {
                let dt = array.data_type();
                $(if dt.is::<zarrs::array::data_type::$dt>() { return Some(StoredType::$variant); })*
                None
            }

            /// A whole chunk, `None` where the store has no such chunk.
            fn chunk(self, array: &ZarrArray, indices: &[u64]) -> Result<Option<Vec<f64>>, zarrs::array::ArrayError> {
                match self {
                    $(StoredType::$variant => Ok(array.retrieve_chunk_if_exists::<Vec<$t>>(indices)?.map(|v| v.into_iter().map(|x| x as f64).collect())),)*
                }
            }

            /// A value of this type from its native-endian bytes (a fill value).
            pub fn from_ne_bytes(self, bytes: &[u8]) -> Option<f64> {
                match self {
                    $(StoredType::$variant => Some(<$t>::from_ne_bytes(bytes.try_into().ok()?) as f64),)*
                }
            }

            /// The whole array (coordinates).
            pub fn all(self, array: &ZarrArray) -> Result<Vec<f64>, zarrs::array::ArrayError> {
                self.subset(array, &array.subset_all())
            }

            /// The values `range` of a 1-D array.
            pub fn range(self, array: &ZarrArray, range: std::ops::Range<u64>) -> Result<Vec<f64>, zarrs::array::ArrayError> {
                self.subset(array, &zarrs::array::ArraySubset::new_with_ranges(&[range]))
            }

            fn subset(self, array: &ZarrArray, subset: &zarrs::array::ArraySubset) -> Result<Vec<f64>, zarrs::array::ArrayError> {
                match self {
                    $(StoredType::$variant => Ok(array.retrieve_array_subset::<Vec<$t>>(subset)?.into_iter().map(|x| x as f64).collect()),)*
                }
            }
        }
    };
}

stored_types! {
    F64 => f64, Float64DataType;
    F32 => f32, Float32DataType;
    I64 => i64, Int64DataType;
    I32 => i32, Int32DataType;
    I16 => i16, Int16DataType;
    I8 => i8, Int8DataType;
    U64 => u64, UInt64DataType;
    U32 => u32, UInt32DataType;
    U16 => u16, UInt16DataType;
    U8 => u8, UInt8DataType;
}

type Slot = Arc<OnceLock<Result<Arc<Vec<f64>>, ZarrError>>>;

/// Reads frames of a `(time, [singleton...], y, x)`, `(y, x)` or `(time, [singleton...], cell)`
/// array (a HEALPix frame is one row of cells).
pub(super) struct FrameChunks {
    array: ZarrArray,
    name: String,
    location: String,
    stored: StoredType,
    has_time: bool,
    /// The trailing dimensions a frame spans: 2 (y, x) or 1 (cells).
    spatial: usize,
    ny: usize,
    nx: usize,
    /// Time steps per chunk (1 for a (y, x) array).
    steps_per_chunk: usize,
    /// Decoded chunks holding several time steps, oldest first; `None`: one step per chunk.
    cache: Option<Mutex<VecDeque<(Vec<u64>, Slot)>>>,
    cache_entries: usize,
}

impl FrameChunks {
    pub fn new(array: ZarrArray, name: &str, location: &str, stored: StoredType, has_time: bool, spatial: usize) -> Result<Self, ZarrError> {
        let shape = array.shape().to_vec();
        let n = shape.len();
        let ny = if spatial == 2 { shape[n - 2] as usize } else { 1 };
        let nx = shape[n - 1] as usize;
        let first = array.chunk_shape_usize(&vec![0; n]).map_err(|e| ZarrError::Unsupported {
            location: location.into(),
            array: name.into(),
            detail: format!("no regular chunk grid ({})", one_line(&e)),
        })?;
        let chunk_bytes = first.iter().product::<usize>() * std::mem::size_of::<f64>();
        let grid = array.chunk_grid_shape();
        let per_row = (grid[n - spatial..].iter().product::<u64>()) as usize;
        let steps_per_chunk = if has_time { first[0] } else { 1 };
        let cache_entries = (per_row * (rayon::current_num_threads() + 1)).min(CHUNK_CACHE_LIMIT / chunk_bytes.max(1));
        let cache = (steps_per_chunk > 1 && cache_entries > 0).then(|| Mutex::new(VecDeque::new()));
        Ok(FrameChunks { array, name: name.into(), location: location.into(), stored, has_time, spatial, ny, nx, steps_per_chunk, cache, cache_entries })
    }

    /// Frame `t` as stored values (before unpacking), row-major (y, x).
    pub fn read(&self, t: usize) -> Result<Vec<f64>, ZarrError> {
        let n = self.array.dimensionality();
        let grid = self.array.chunk_grid_shape().to_vec();
        let t_chunk = (t / self.steps_per_chunk) as u64;
        let y_chunks = if self.spatial == 2 { grid[n - 2] } else { 1 };
        let chunks: Vec<Vec<u64>> = (0..y_chunks)
            .flat_map(|iy| (0..grid[n - 1]).map(move |ix| (iy, ix)))
            .map(|(iy, ix)| {
                let mut indices = vec![0; n];
                indices[0] = t_chunk;
                if self.spatial == 2 {
                    indices[n - 2] = iy; // for a (y, x) array, over the time index
                }
                indices[n - 1] = ix;
                indices
            })
            .collect();
        let decoded: Vec<Arc<Vec<f64>>> = chunks.par_iter().map(|indices| self.chunk(indices, t)).collect::<Result<_, _>>()?;
        let mut frame = vec![f64::NAN; self.ny * self.nx];
        for (indices, data) in chunks.iter().zip(&decoded) {
            self.copy_into(&mut frame, indices, data, t)?;
        }
        Ok(frame)
    }

    fn chunk_shape(&self, indices: &[u64]) -> Result<Vec<usize>, ZarrError> {
        self.array.chunk_shape_usize(indices).map_err(|e| self.corrupt(indices, &e))
    }

    /// The part of the chunk at `indices` that lies in frame `t`, copied into place.
    fn copy_into(&self, frame: &mut [f64], indices: &[u64], data: &[f64], t: usize) -> Result<(), ZarrError> {
        let n = indices.len();
        let shape = self.chunk_shape(indices)?;
        let start = self.array.chunk_subset(indices).map_err(|e| self.corrupt(indices, &e))?.start().to_vec();
        let (cy, cx) = if self.spatial == 2 { (shape[n - 2], shape[n - 1]) } else { (1, shape[n - 1]) };
        let step_stride: usize = shape[1..].iter().product();
        let k = if self.has_time && n > self.spatial { t - start[0] as usize } else { 0 };
        let y0 = if self.spatial == 2 { start[n - 2] as usize } else { 0 };
        let x0 = start[n - 1] as usize;
        let rows = cy.min(self.ny.saturating_sub(y0));
        let cols = cx.min(self.nx.saturating_sub(x0));
        if data.len() < shape.iter().product::<usize>() {
            return Err(self.corrupt(indices, &format!("{} values decoded, {} expected", data.len(), shape.iter().product::<usize>())));
        }
        for r in 0..rows {
            let src = k * step_stride + r * cx;
            let dst = (y0 + r) * self.nx + x0;
            frame[dst..dst + cols].copy_from_slice(&data[src..src + cols]);
        }
        Ok(())
    }

    /// The decoded chunk at `indices`, through the cache when chunks hold several steps.
    fn chunk(&self, indices: &[u64], t: usize) -> Result<Arc<Vec<f64>>, ZarrError> {
        let Some(cache) = &self.cache else { return self.decode(indices, t) };
        let slot: Slot = {
            let mut entries = cache.lock().unwrap_or_else(|p| p.into_inner());
            match entries.iter().find(|(k, _)| k == indices) {
                Some((_, slot)) => slot.clone(),
                None => {
                    let slot = Slot::default();
                    entries.push_back((indices.to_vec(), slot.clone()));
                    while entries.len() > self.cache_entries {
                        entries.pop_front();
                    }
                    slot
                }
            }
        };
        slot.get_or_init(|| self.decode(indices, t)).clone()
    }

    fn decode(&self, indices: &[u64], t: usize) -> Result<Arc<Vec<f64>>, ZarrError> {
        match self.stored.chunk(&self.array, indices) {
            Ok(Some(v)) => Ok(Arc::new(v)),
            Ok(None) => Err(ZarrError::MissingChunk { location: self.location.clone(), array: self.name.clone(), key: self.key(indices), frame: t }),
            Err(zarrs::array::ArrayError::StorageError(e)) => Err(super::error::storage_error(&self.location, &e)),
            Err(e) => Err(self.corrupt(indices, &e)),
        }
    }

    fn key(&self, indices: &[u64]) -> String {
        self.array.chunk_key(indices).to_string()
    }

    fn corrupt(&self, indices: &[u64], e: &dyn std::fmt::Display) -> ZarrError {
        ZarrError::CorruptChunk { location: self.location.clone(), array: self.name.clone(), key: self.key(indices), detail: one_line(e) }
    }
}
