//! A field seen through the spectral band-pass filter: frames are filtered as they are read,
//! so every consumer of [`Field`] (detectors, the `spectral` command, front ends) gets the
//! filtered field without holding more than one frame per worker.

use super::{Field, FieldInfo};
use crate::error::Result;
use crate::spectral::SpectralFilter;
use ndarray::Array2;

/// `inner` with every frame passed through `filter`.
pub struct FilteredField<'a> {
    inner: &'a dyn Field,
    filter: SpectralFilter,
}

impl<'a> FilteredField<'a> {
    /// Wrap `inner` in the filter `opts` asks for on its grid.
    pub fn with_options(inner: &'a dyn Field, opts: &crate::spectral::SpectralOptions) -> Result<Self> {
        let g = &inner.info().grid;
        Ok(FilteredField { inner, filter: SpectralFilter::new(&g.lat, &g.lon, opts)? })
    }
    /// The filter applied.
    pub fn filter(&self) -> &SpectralFilter {
        &self.filter
    }
}

impl Field for FilteredField<'_> {
    fn info(&self) -> &FieldInfo {
        self.inner.info()
    }

    fn read_frame(&self, t: usize) -> Result<Array2<f64>> {
        let frame = self.inner.read_frame(t)?;
        self.filter.apply_frame(frame.view(), t)
    }

    /// The other fields as they are: criteria test them unfiltered.
    fn other_frames(&self, t: usize) -> Result<Vec<Array2<f64>>> {
        self.inner.other_frames(t)
    }

    fn other_infos(&self) -> Vec<&FieldInfo> {
        self.inner.other_infos()
    }
}
