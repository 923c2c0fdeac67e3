"""stormtrack: cyclone and storm tracking native to Arrow, Polars and DataFusion.

>>> import polars as pl
>>> import stormtrack as st
>>> df = pl.DataFrame({"lat": [0.0], "lon": [179.0], "lat2": [0.0], "lon2": [-179.0]})
>>> df.select(km=st.great_circle_km("lat", "lon", "lat2", "lon2").round(2))["km"].to_list()
[222.4]
"""

from __future__ import annotations

from stormtrack import _versions

_versions.check(_versions.installed("polars"), _versions.installed("datafusion"))

# polars first: the extension binds to Polars' allocator on its first allocation
import polars  # noqa: E402, F401

from stormtrack import _core  # noqa: E402
from stormtrack._core import DEFAULT_MAX_LINK_KM, StormtrackError  # noqa: E402
from stormtrack._expressions import (  # noqa: E402
    StormExpr,
    bearing_deg,
    duration_h,
    great_circle_km,
    link,
    max_speed_kmh,
    normalize_lon,
    path_length_km,
    rsplice_keep,
)
from stormtrack._io import detect, read_tracks, rejections, scan_tracks, track  # noqa: E402
from stormtrack._plot import explore, plot  # noqa: E402
from stormtrack._metrics import ata, cca_cross_validation, eulerian, lagrangian, sample, track_metrics, track_stats  # noqa: E402
from stormtrack._sql import register_all, sql_context  # noqa: E402
from stormtrack._tracker import Tracker  # noqa: E402

__version__: str = _core.__version__

__all__ = [
    "DEFAULT_MAX_LINK_KM",
    "StormExpr",
    "StormtrackError",
    "Tracker",
    "__version__",
    "ata",
    "bearing_deg",
    "cca_cross_validation",
    "detect",
    "rejections",
    "duration_h",
    "eulerian",
    "explore",
    "great_circle_km",
    "lagrangian",
    "link",
    "max_speed_kmh",
    "normalize_lon",
    "path_length_km",
    "plot",
    "read_tracks",
    "register_all",
    "rsplice_keep",
    "sample",
    "scan_tracks",
    "sql_context",
    "track",
    "track_metrics",
    "track_stats",
]
