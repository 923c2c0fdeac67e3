"""Make src/plot/data/coastlines_110m.bin, the coastlines `stormtrack plot` draws.

Source: Natural Earth 1:110m Admin 0 countries (public domain, https://www.naturalearthdata.com),
as pyogrio ships it in its test fixtures (`naturalearth_lowres`, copied there from GeoPandas),
so that this runs offline. The countries are merged into land polygons (shapely), and their
rings are the coastlines, less the edges Natural Earth adds along the antimeridian and the south
pole to close polygons on a plate-carree plane.

Output: little-endian int16 pairs, longitude then latitude in hundredths of a degree, with the
pair (-32768, -32768) between two lines. Usage: python3 scripts/make_coastlines.py
"""

import os
import struct

import pyogrio
import shapely

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "plot", "data", "coastlines_110m.bin")
BREAK = -32768


def source_path() -> str:
    root = os.path.dirname(pyogrio.__file__)
    return os.path.join(root, "tests", "fixtures", "naturalearth_lowres", "naturalearth_lowres.shp")


def artificial(a, b) -> bool:
    """An edge that closes a polygon on the map, not a coast: along +-180 or the south pole."""
    on_meridian = abs(abs(a[0]) - 180.0) < 1e-6 and abs(abs(b[0]) - 180.0) < 1e-6
    at_pole = a[1] < -89.9 and b[1] < -89.9
    return on_meridian or at_pole


def lines_of(ring):
    """The ring split wherever an artificial edge is."""
    coords = list(ring.coords)
    line = [coords[0]]
    for a, b in zip(coords, coords[1:]):
        if artificial(a, b):
            if len(line) > 1:
                yield line
            line = [b]
        else:
            line.append(b)
    if len(line) > 1:
        yield line


def main() -> None:
    countries = pyogrio.read_dataframe(source_path())
    land = shapely.union_all(countries.geometry.values)
    polygons = land.geoms if hasattr(land, "geoms") else [land]
    out = bytearray()
    n_lines = n_points = 0
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            for line in lines_of(ring):
                if out:
                    out += struct.pack("<hh", BREAK, BREAK)
                for lon, lat in line:
                    out += struct.pack("<hh", round(lon * 100), round(lat * 100))
                n_lines += 1
                n_points += len(line)
    with open(OUT, "wb") as f:
        f.write(out)
    print(f"{OUT}: {n_lines} lines, {n_points} points, {len(out)} bytes")


if __name__ == "__main__":
    main()
