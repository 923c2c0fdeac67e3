"""Type stubs of the compiled module (src/python/mod.rs)."""

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str
RUST_POLARS_VERSION: str
DATAFUSION_VERSION: str
DATASET_TABLES: list[str]
DEFAULT_MAX_LINK_KM: float
PARTITION_COLUMNS: list[str]

class StormtrackError(ValueError): ...

class ArrowStream:
    """Record batches exported through the Arrow PyCapsule stream interface."""

    @property
    def num_rows(self) -> int: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __len__(self) -> int: ...

class CenterStream:
    """One frame's centres per `next()`, detected a block of frames at a time."""

    def __iter__(self) -> CenterStream: ...
    def __next__(self) -> ArrowStream: ...

class ScalarUdf:
    name: str
    def __datafusion_scalar_udf__(self) -> object: ...

class AggregateUdf:
    name: str
    def __datafusion_aggregate_udf__(self) -> object: ...

class WindowUdf:
    name: str
    def __datafusion_window_udf__(self) -> object: ...

def detect_file(
    path: list[str],
    variable: str,
    options: dict[str, Any],
    *,
    progress: Callable[[int, int], None] | None = None,
    block_runner: Callable[[int, int], Iterable[bytes]] | None = None,
) -> ArrowStream: ...
def detect_file_stream(path: list[str], variable: str, options: dict[str, Any]) -> CenterStream: ...
def rejections_file(path: list[str], variable: str, options: dict[str, Any], *, progress: Any = None) -> ArrowStream: ...
def detect_array(
    data: npt.NDArray[np.float64],
    times: list[int],
    lat: list[float],
    lon: list[float],
    *,
    variable: str,
    units: str | None = None,
    standard_name: str | None = None,
    calendar: str | None = None,
    mode: str = "auto",
    threshold: float | None = None,
    refinement: str = "grid",
    window: int = 5,
    frame_offset: int = 0,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    taper_points: int = 0,
) -> ArrowStream: ...
def track_file(
    path: list[str],
    variable: str,
    options: dict[str, Any],
    *,
    outputs: list[str] = ...,
    format: str = "auto",
    max_km: float | None = None,
    quiet: bool = True,
    progress: Callable[[int, int], None] | None = None,
    append: str | None = None,
    block_runner: Callable[[int, int], Iterable[bytes]] | None = None,
    input_name: str | None = None,
) -> tuple[ArrowStream, ArrowStream]: ...
def detect_block(path: list[str], variable: str, options: dict[str, Any], start: int, end: int, *, frame_offset: int = 0) -> bytes: ...
def cli_detect_block(argv: list[str], start: int, end: int) -> bytes: ...
def read_tracks(
    path: str, format: str | None = None, variable: str | None = None, calendar: str | None = None,
    fields: list[str] = ..., mode: str | None = None, first_frame_time: str | None = None,
    frame_step_hours: float | None = None,
) -> tuple[ArrowStream, ArrowStream]: ...
def dataset_tables(path: str) -> list[str]: ...
def dataset_snapshot(path: str) -> str: ...
def link_arrays(
    time: npt.NDArray[np.int64],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    *,
    max_km: float = 500.0,
    lon_convention: str | None = None,
) -> npt.NDArray[np.int64]: ...
def cli_main(argv: list[str], block_runner: Callable[[int, int], Iterable[bytes]] | None = None) -> int: ...
def sql_functions() -> list[tuple[str, Any]]: ...
def sql_docs() -> str: ...
def track_stats_arrays(
    track_id: npt.NDArray[np.int64],
    time: npt.NDArray[np.int64],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    value: npt.NDArray[np.float64],
    *,
    name: str,
    unit: str,
    grid: float,
    kernel: str,
    width_deg: float | None = None,
    months: float | None = None,
    density: str | None = None,
    mean: str | None = None,
) -> ArrowStream: ...
def sample_arrays(
    time: npt.NDArray[np.int64],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    path: str,
    variable: str,
    *,
    method: str = "nearest",
    radius_km: float = 0.0,
) -> tuple[npt.NDArray[np.float64], str]: ...
def eulerian_file(
    path: list[str],
    metric: str,
    *,
    variable: str | None = None,
    u: str | None = None,
    v: str | None = None,
    percentile: float = 0.95,
) -> ArrowStream: ...

class Tracker:
    def __init__(
        self, lat: list[float], lon: list[float], *, variable: str, units: str | None = None, standard_name: str | None = None,
        calendar: str | None = None, mode: str = "auto", threshold: float | None = None, refinement: str | None = None,
        window: int | None = None, max_km: float | None = None, algorithm: str = "simple", lmin: int | None = None,
        lmax: int | None = None, hodges: dict[str, Any] | None = None, taper_points: int = 0, nside: int | None = None,
        closed_contours: list[str] = ..., merge_dist: float | None = None, other_units: dict[str, str] | None = None,
    ) -> None: ...
    @property
    def other_variables(self) -> list[str]: ...
    def push(self, time: int, frame: Any, others: list[Any] = ...) -> tuple[ArrowStream, ArrowStream]: ...
    def finish(self) -> tuple[ArrowStream, ArrowStream]: ...
def plot_file(input: str, output: str | None, spec: dict[str, Any]) -> bytes: ...
def plot_points(
    track_id: npt.NDArray[np.int64],
    time: npt.NDArray[np.int64],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    value: npt.NDArray[np.float64],
    *,
    name: str,
    unit: str,
    mode: str | None,
    calendar: str | None,
    output: str | None,
    spec: dict[str, Any],
) -> bytes: ...
def explore_file(
    input: str, output: str | None, *, title: str | None = None, format: str | None = None, calendar: str | None = None,
    fields: list[str] = ..., mode: str | None = None,
) -> str: ...
def explore_points(
    track_id: npt.NDArray[np.int64],
    time: npt.NDArray[np.int64],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    value: npt.NDArray[np.float64],
    *,
    name: str,
    unit: str,
    mode: str | None,
    calendar: str | None,
    output: str | None,
    title: str | None,
) -> str: ...
def cormax_arrays(impact: Any, metric: Any, rows: int, cols: int) -> Any: ...
def cca_truncation(x: Any, y: Any, lat: Any, *, max_modes: int, leave_n_out: int) -> tuple[Any, Any]: ...

class CcaModel:
    def __init__(self, x: Any, y: Any, lat: Any, n_modes: int) -> None: ...
    def predict(self, x: Any) -> Any: ...
    def coordinates(self, x: Any) -> Any: ...
    def field(self, coordinates: Any) -> Any: ...
    @property
    def canonical_correlations(self) -> list[float]: ...
    @property
    def n_modes(self) -> int: ...

# band-pass filters, regridding and refinements of the compatibility API (stormtrack.compat)
def band_pass_frames(
    frames: Any,
    lat: Any,
    lon: Any,
    *,
    lmin: int,
    lmax: int,
    taper: float,
    filter_type: str = "auto",
    target_lat: Any | None = None,
    target_lon: Any | None = None,
    threads: int | None = None,
) -> Any: ...
def regrid_to_points(
    frames: Any, lat: Any, lon: Any, point_lat: Any, point_lon: Any, *, lmax: int, lmin: int = 0, taper: float = 1.0, threads: int | None = None
) -> Any: ...
def reduced_to_regular(frames: Any, pl: list[int]) -> Any: ...
def boundary_taper_weights(n: int, points: int) -> Any: ...
def rect_bspline_surface(frame: Any, lat: list[float], lon: list[float], *, periodic: bool) -> tuple[Any, Any, Any, float, float] | None: ...
def sphere_bspline_surface(frame: Any, lat: list[float], lon: list[float]) -> tuple[Any, Any, Any] | None: ...
def refine_rect_bspline(
    x_knots: Any, y_knots: Any, coeffs: Any, bounds: list[float], first_sample_x: float, last_sample_x: float, lat: float, lon: float, *,
    periodic: bool, is_minimum: bool, initial_value: float, scale: float, max_iterations: int, gradient_tolerance: float,
) -> tuple[float, float, float, str]: ...
def refine_sphere_bspline(
    theta_knots: Any, phi_knots: Any, coeffs: Any, sample_lat: list[float], sample_lon: list[float], lat: float, lon: float, *,
    is_minimum: bool, signed: bool, half_window: int, max_iterations: int, gradient_tolerance: float,
) -> tuple[float, float, float, str]: ...
def simple_link_step(
    tail_lats: list[float], tail_lons: list[float], last_time: int | None, step: int | None, time: int, lats: list[float], lons: list[float], *,
    max_km: float,
) -> tuple[list[tuple[int, int]], list[int], list[int], int | None, int | None]: ...
def closed_contour_variables(variable: str, closed_contours: list[str]) -> list[str]: ...
def plan_segments(total: int, segment_frames: int | None, overlap: int) -> list[tuple[int, int, int]]: ...
def splice_segments(segments: list[tuple[Any, Any, Any, Any]], splice_indices: list[int], *, tolerance_deg: float) -> list[list[tuple[int, int]]]: ...
def mge_link_frames(
    frames: list[tuple[list[float], list[float], list[float]]], times: list[int], *, w1: float, w2: float, dmax: float, phimax: float,
    max_iterations: int, zones: list[tuple[float, float, float, float, float]], adapt: tuple[tuple[float, ...], tuple[float, ...]] | None,
    missing_frame_params: list[tuple[float, float]], time_step_ms: int | None,
) -> list[tuple[int, list[tuple[int, int]]]]: ...
def refine_quadratic_cells(frame: Any, rows: list[int], columns: list[int], lat: list[float], lon: list[float], *, periodic: bool) -> tuple[Any, Any, Any]: ...
def refine_spherical_quadratic_cells(
    frame: Any, rows: list[int], columns: list[int], lat: list[float], lon: list[float], *, is_minimum: bool, periodic: bool
) -> dict[str, Any]: ...
