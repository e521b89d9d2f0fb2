"""riskmap beside PostGIS and the usual geopandas recipe, on the same data, in one run.

Data: the 234,908 packaged GeoNames settlements (sections included) and North Korea
with its territorial sea (``layers.territory("KP", land_only=False)``).

Operations, each timed on every side, interleaved round by round, median of
``--repeat`` (5) rounds, reported as ratios to riskmap:

1. the distance from every settlement to the polygon: ``geo.distance_to`` /
   ``ST_Distance(geography, geography)`` (on the spheroid) / one azimuthal-equidistant
   projection at the polygon's centroid, then ``shapely.distance``;
2. the settlements within 200 km: a prebuilt ``geo.PointIndex`` (``within``) /
   ``ST_DWithin`` with a GiST index on the points / the projected ``shapely.dwithin``;
3. the 200 km buffer: ``geo.buffer`` / ``ST_Buffer(geography)`` / the projected
   ``shapely.buffer`` (64 segments a quarter circle) brought back to lon/lat.

Accuracy, against the test suite's brute-force reference (``tests/reference.py``,
which shares no code with riskmap): the largest distance error on a sample of
settlements within 1,500 km; the settlements put on the wrong side of 200 km (the
reference decides every settlement within 3 km of the edge by riskmap's distance, the
rest by riskmap's distance); the buffer boundary's largest error, on >= 2,000 points
sampled along it. PostGIS reads a polygon's edges as great-circle arcs, riskmap and
the reference as straight lines in lon/lat (RFC 7946): on this polygon's short edges
that changes distances by centimetres.

PostGIS runs in a throw-away cluster in a temporary folder, on 127.0.0.1 and a free
port, started and stopped by this script (Debian: ``apt-get install -y
postgresql-15-postgis-3``; the binaries are looked for in /usr/lib/postgresql/*/bin).
The server refuses to run as root, so as root the cluster is made and run as the
``postgres`` user (``runuser -u postgres``), which owns the temporary folder. The
queries go through ``psql`` (no Python driver needed); their times are psql's
``\\timing`` (server work plus sending the rows to psql, which writes them to a file).
Without PostGIS the script says how to install it and runs the other sides.

Usage: python benchmarks/bench_peers.py [--repeat 5] [--no-postgis] [--sample 300]
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
import reference  # noqa: E402  (the test suite's brute-force reference)

import geo  # noqa: E402
import layers  # noqa: E402
from geo.constructive import forget_built_buffers  # noqa: E402

RADIUS_M = 200_000.0
INSTALL = "apt-get install -y postgresql-15-postgis-3 (Debian; any PostgreSQL with PostGIS 3)"


# -- PostGIS ------------------------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostGIS:
    """A throw-away PostgreSQL cluster with PostGIS, in a temporary folder."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="riskmap-postgis-"))
        self.data = self.dir / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres")
        self.dir.chmod(0o755)

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.as_user, *cmd], check=True, capture_output=True, text=True)

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
        )
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts,
            "-l", str(self.dir / "log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def psql(self, sql: str) -> str:
        """Run SQL through psql with \\timing on; return psql's output."""
        cmd = [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
            "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-At",
        ]  # fmt: skip
        out = subprocess.run(
            cmd, input="\\timing on\n" + sql, check=True, capture_output=True, text=True
        )
        return out.stdout

    def timed(self, sql: str) -> float:
        """Seconds of the last statement, as psql's \\timing reports it."""
        times = re.findall(r"Time: ([\d.]+) ms", self.psql(sql))
        return float(times[-1]) / 1000.0

    def load(self, lonlat: np.ndarray, polygon: shapely.Geometry) -> None:
        csv = self.dir / "points.csv"
        np.savetxt(csv, np.column_stack([np.arange(len(lonlat)), lonlat]), fmt="%d,%.7f,%.7f")
        self.psql(
            "CREATE EXTENSION postgis;\n"
            "CREATE TABLE raw (id int, lon float8, lat float8);\n"
            f"\\copy raw FROM '{csv}' CSV\n"
            "CREATE TABLE pts AS SELECT id, "
            "ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS g FROM raw;\n"
            "CREATE INDEX pts_g ON pts USING gist (g);\n"
            "CREATE TABLE poly AS SELECT "
            f"ST_GeogFromWKB(decode('{shapely.to_wkb(polygon, hex=True)}', 'hex')) AS g;\n"
            "VACUUM ANALYZE pts; VACUUM ANALYZE poly;\n"
        )

    def distances(self) -> tuple[float, np.ndarray]:
        out = self.dir / "distances.txt"
        seconds = self.timed(
            f"\\copy (SELECT ST_Distance(p.g, q.g) FROM pts p, poly q ORDER BY p.id) TO '{out}'\n"
        )
        return seconds, np.loadtxt(out)

    def within(self) -> tuple[float, np.ndarray]:
        out = self.dir / "within.txt"
        seconds = self.timed(
            f"\\copy (SELECT p.id FROM pts p, poly q WHERE ST_DWithin(p.g, q.g, {RADIUS_M}) "
            f"ORDER BY p.id) TO '{out}'\n"
        )
        return seconds, np.loadtxt(out, dtype=np.int64, ndmin=1)

    def buffer(self) -> tuple[float, shapely.Geometry]:
        out = self.dir / "buffer.txt"
        seconds = self.timed(
            f"\\copy (SELECT ST_AsHexEWKB(ST_Buffer(g, {RADIUS_M})::geometry) FROM poly) "
            f"TO '{out}'\n"
        )
        return seconds, shapely.from_wkb(out.read_text().strip())


# -- the geopandas recipe -----------------------------------------------------------------


class Projected:
    """The recipe: one azimuthal-equidistant projection at the polygon's centroid."""

    def __init__(self, polygon: shapely.Geometry) -> None:
        c = polygon.centroid
        crs = f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=WGS84 +units=m"
        self.fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        self.polygon = self._to(polygon)

    def _to(self, geometry: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geometry, lambda xy: np.column_stack(self.fwd.transform(*xy.T)))

    def points(self, lonlat: np.ndarray) -> np.ndarray:
        return shapely.points(np.column_stack(self.fwd.transform(lonlat[:, 0], lonlat[:, 1])))

    def buffer(self, radius: float) -> shapely.Geometry:
        buf = shapely.buffer(self.polygon, radius, quad_segs=64)
        return shapely.transform(buf, lambda xy: np.column_stack(self.inv.transform(*xy.T)))


# -- the run ------------------------------------------------------------------------------


def _clock(fn):
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def _built_anew(polygon: shapely.Geometry) -> shapely.Geometry:
    """The 200 km buffer, built anew rather than taken from those this process kept."""
    forget_built_buffers()
    return geo.buffer(polygon, RADIUS_M)


def _buffer_error(buf: shapely.Geometry, polygon: shapely.Geometry) -> float:
    xy = reference.boundary_samples(buf, 2000)
    return float(np.abs(reference.distance_to(xy, polygon) - RADIUS_M).max())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (median reported)")
    parser.add_argument("--sample", type=int, default=300, help="settlements for the reference")
    parser.add_argument("--no-postgis", action="store_true", help="run riskmap and geopandas only")
    args = parser.parse_args(argv)

    places = layers.settlements(include_sections=True)
    lonlat = shapely.get_coordinates(places.geometry.values)
    polygon = layers.territory("KP", land_only=False).geometry.iloc[0]
    vertices = shapely.get_num_coordinates(polygon)
    print(f"{len(lonlat):,} settlements; North Korea with its sea: {vertices:,} vertices")

    pg = None
    bindir = None if args.no_postgis else _pg_bin()
    if bindir is None and not args.no_postgis:
        print(f"PostGIS not found: install it with `{INSTALL}`; running riskmap and geopandas only")
    if bindir is not None:
        pg = PostGIS(bindir)
        try:
            pg.start()
            t, _ = _clock(lambda: pg.load(lonlat, polygon))
            version = pg.psql("SELECT postgis_full_version();").strip().split(" ")[0:2]
            print(f"PostGIS cluster on 127.0.0.1:{pg.port} in {pg.dir} ({' '.join(version)}), "
                  f"loaded with its GiST index in {t:.1f} s")  # fmt: skip
        except (subprocess.CalledProcessError, OSError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            print(f"PostGIS could not start ({detail.strip()[:300]}); running without it")
            pg.stop()
            pg = None
    try:
        return _run(args, lonlat, polygon, pg)
    finally:
        if pg is not None:
            pg.stop()


def _run(args, lonlat, polygon, pg) -> int:
    index_time, pindex = _clock(lambda: geo.PointIndex(lonlat))
    dindex = geo.DistanceIndex(polygon)
    geo.distance_to(lonlat[:10], polygon)  # loads the compiled search before timing
    recipe_time, proj = _clock(lambda: Projected(polygon))
    proj_points = proj.points(lonlat)

    sides = ["riskmap", "geopandas"] + (["PostGIS"] if pg else [])
    ops = {
        "distance": {
            "riskmap": lambda: _clock(lambda: geo.distance_to(lonlat, polygon)),
            "geopandas": lambda: _clock(lambda: shapely.distance(proj_points, proj.polygon)),
            "PostGIS": lambda: pg.distances(),
        },
        "within": {
            "riskmap": lambda: _clock(lambda: pindex.within(dindex, RADIUS_M)[0]),
            "geopandas": lambda: _clock(
                lambda: np.flatnonzero(shapely.dwithin(proj_points, proj.polygon, RADIUS_M))
            ),
            "PostGIS": lambda: pg.within(),
        },
        "buffer": {
            "riskmap": lambda: _clock(lambda: _built_anew(polygon)),
            "geopandas": lambda: _clock(lambda: proj.buffer(RADIUS_M)),
            "PostGIS": lambda: pg.buffer(),
        },
    }
    times = {op: {s: [] for s in sides} for op in ops}
    results: dict = {op: {} for op in ops}
    for _ in range(args.repeat):
        for op, fns in ops.items():
            for side in sides:
                seconds, value = fns[side]()
                times[op][side].append(seconds)
                results[op][side] = value

    # accuracy against the reference
    ours = results["distance"]["riskmap"]
    rng = np.random.default_rng(0)
    near = np.flatnonzero(ours < 1_500_000)
    sample = np.sort(rng.choice(near, size=min(args.sample, len(near)), replace=False))
    ref = reference.distance_to(lonlat[sample], polygon)
    dist_err = {
        s: float(np.abs(np.asarray(results["distance"][s])[sample] - ref).max()) for s in sides
    }
    edge = np.flatnonzero(np.abs(ours - RADIUS_M) <= 3_000)
    truth = ours <= RADIUS_M
    truth[edge] = reference.distance_to(lonlat[edge], polygon) <= RADIUS_M
    wrong = {}
    for s in sides:
        got = np.zeros(len(lonlat), bool)
        got[results["within"][s]] = True
        wrong[s] = int((got != truth).sum())
    buf_err = {s: _buffer_error(results["buffer"][s], polygon) for s in sides}

    print(
        f"\nmedian of {args.repeat} interleaved rounds; riskmap's PointIndex built in "
        f"{index_time:.2f} s, the projection set up in {recipe_time:.3f} s (neither timed below)"
    )
    print(
        f"reference: {len(sample)} settlements within 1,500 km; {len(edge)} within 3 km "
        "of the 200 km edge; 2,000 points along each buffer\n"
    )
    label = {
        "distance": f"distance, {len(lonlat):,} settlements",
        "within": f"within 200 km ({int(truth.sum()):,} settlements)",
        "buffer": "200 km buffer",
    }
    header = " | ".join(f"{s} (s) | {s} error" for s in sides)
    print(f"| operation | {header} | " + " | ".join(f"{s} ÷ riskmap" for s in sides[1:]) + " |")
    print("|---" * (1 + 2 * len(sides) + len(sides) - 1) + "|")
    for op in ops:
        med = {s: statistics.median(times[op][s]) for s in sides}
        if op == "distance":
            err = {s: f"{dist_err[s]:.3g} m" for s in sides}
        elif op == "within":
            err = {s: f"{wrong[s]} wrong" for s in sides}
        else:
            err = {s: f"{buf_err[s]:.3g} m" for s in sides}
        cells = " | ".join(f"{med[s]:.3f} | {err[s]}" for s in sides)
        ratios = " | ".join(f"{med[s] / med['riskmap']:.2f}" for s in sides[1:])
        print(f"| {label[op]} | {cells} | {ratios} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
