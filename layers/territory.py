"""Country territories and the borders between them.

Default territories are OpenStreetMap-derived: the union of the time-zone polygons
(timezone-boundary-builder, packaged by ``timezonefinder-data``) of every zone that
tzdata's ``zone.tab`` assigns to the country. Those polygons follow the national
boundary on land and the 12-nautical-mile territorial sea offshore; the land-only
variant clips them with the packaged Natural Earth 1:10m land. Natural Earth admin-0
countries (package data) and any polygon file geopandas reads are the alternatives.

A border is the shared edge of two territories with their territorial sea; the
part over land is ``kind="land"``, the rest ``kind="sea"``.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from functools import cache, lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas
import numpy as np
import shapely
import timezonefinder_data

from geo.errors import DataError, InputError, InputTypeError
from geo.units import WGS84
from geo.validation import as_geometry
from layers.countries import Country, country
from layers.derived import derived_geometry, inputs_key
from layers.naturalearth import (
    NATURALEARTH_ARRAYS,
    country_geometry,
    land_within,
    naturalearth_source,
)
from layers.package_data import data_file
from layers.provenance import DataSource, Provenance

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder
from layers.regions import not_a_region

__all__ = ["territory", "border", "time_zones", "FILE_CODE_COLUMNS"]

#: Columns searched, in this order, for the country's code when ``source`` is a file or
#: GeoDataFrame (names compared case-insensitively). The first column holding the code
#: wins. Natural Earth writes ISO_A3 = "-99" for France and Norway, so ADM0_A3 follows
#: it; GID_0 is GADM's and shapeGroup geoBoundaries'.
FILE_CODE_COLUMNS: tuple[str, ...] = (
    "ISO_A3",
    "ADM0_A3",
    "ISO_A3_EH",
    "GID_0",
    "shapeGroup",
    "ISO3",
    "ISO_A2",
    "ISO_A2_EH",
    "ISO2",
)

#: Snapping tolerance, in degrees, when matching the edges of two territories. The
#: time-zone polygons of neighbouring zones are cut from the same OpenStreetMap ways and
#: share their vertices exactly (snapping at up to 1e-5°, about 1 m, changes no border
#: length by more than 0.1 m), as do Natural Earth countries (one TopoJSON topology).
SNAP_TOLERANCE_DEG = 0.0

# Edges are straight in lon/lat (RFC 7946); densify to this step (degrees) before
# measuring them geodesically.
_DENSIFY_DEG = 0.01


# -- OpenStreetMap territories -----------------------------------------------


#: tzdata's table of the zones of each country.
_ZONE_TAB = resources.files("tzdata") / "zoneinfo" / "zone.tab"


@lru_cache(maxsize=1)
def _zone_tab() -> dict[str, tuple[str, ...]]:
    text = _ZONE_TAB.read_text(encoding="utf-8")
    zones: dict[str, list[str]] = defaultdict(list)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            zones[code].append(zone)
    return {code: tuple(z) for code, z in zones.items()}


def time_zones(code: str | Country) -> tuple[str, ...]:
    """Return the time zones tzdata's ``zone.tab`` assigns to a country.

    Parameters
    ----------
    code : str or Country
        Anything :func:`layers.country` accepts.

    Returns
    -------
    tuple of str
        IANA zone names, e.g. ``("Asia/Pyongyang",)``; empty when none is assigned.

    Examples
    --------
    >>> time_zones("KP")
    ('Asia/Pyongyang',)
    """
    return _zone_tab().get(country(code).iso2, ())


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    # timezonefinder loads numba and its compiled helpers (about 1 s, python -X importtime)
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def _zone_polygons(zone: str) -> list[shapely.Polygon]:
    polygons: list[shapely.Polygon] = []
    for part in _finder().get_geometry(tz_name=zone, coords_as_pairs=False):
        shell = np.column_stack(part[0])
        holes = [np.column_stack(h) for h in part[1:]]
        polygon = shapely.Polygon(shell, holes)
        if not polygon.is_valid:  # package data: repaired silently
            polygon = shapely.make_valid(polygon)
        polygons.extend(p for p in shapely.get_parts(polygon) if shapely.get_type_id(p) == 3)
    return polygons


@lru_cache(maxsize=1)
def _osm_key() -> str:
    """Return the hash of what OSM territories depend on: this code, the data, their versions."""
    import layers.naturalearth

    files = [
        Path(__file__),
        Path(layers.naturalearth.__file__),
        Path(str(data_file(NATURALEARTH_ARRAYS))),
        Path(str(_ZONE_TAB)),
    ]
    versions = [f"{p} {metadata.version(p)}" for p in ("timezonefinder", "timezonefinder-data")]
    return inputs_key(files, *versions)


@cache
def _osm_with_sea(iso2: str) -> shapely.Geometry:
    return derived_geometry(f"osm-sea-{iso2}", _osm_key(), lambda: _build_with_sea(iso2))


def _build_with_sea(iso2: str) -> shapely.Geometry:
    zones = _zone_tab().get(iso2, ())
    if not zones:
        record = country(iso2)
        raise InputError(
            f"no time zone in tzdata's zone.tab is assigned to {record}, so there is no "
            "OpenStreetMap-derived territory for it; use source='naturalearth' or a file"
        )
    polygons = [p for zone in zones for p in _zone_polygons(zone)]
    # Time-zone polygons tile the map edge to edge (a coverage), so the coverage union,
    # several times faster than a general union, applies; fall back if it does not hold.
    try:
        union = shapely.coverage_union_all(polygons)
    except shapely.errors.GEOSException:  # not noded edge to edge (China's zones)
        return shapely.union_all(polygons)
    return union if union.is_valid else shapely.union_all(polygons)


@cache
def _osm_land(iso2: str) -> shapely.Geometry:
    return derived_geometry(f"osm-land-{iso2}", _osm_key(), lambda: _build_land(iso2))


def _build_land(iso2: str) -> shapely.Geometry:
    with_sea = _osm_with_sea(iso2)
    clipped = shapely.intersection(with_sea, land_within(with_sea))
    parts = [p for p in shapely.get_parts(clipped) if shapely.get_type_id(p) == 3]
    if not parts:
        raise DataError(
            f"the OpenStreetMap territory of {country(iso2)} holds no Natural Earth 1:10m land "
            "(islands smaller than the land layer resolves); use land_only=False"
        )
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def _osm_sources() -> tuple[DataSource, ...]:
    data_dir = Path(timezonefinder_data.__file__).parent / "data"
    release = (data_dir / "data_version.txt").read_text().strip()
    return (
        DataSource(
            name=f"OpenStreetMap time-zone boundaries (timezone-boundary-builder {release})",
            version=f"{release}, timezonefinder-data {metadata.version('timezonefinder-data')}",
            licence="ODbL 1.0",
            attribution="© OpenStreetMap contributors",
            url="https://github.com/evansiroky/timezone-boundary-builder",
        ),
        DataSource(
            name="IANA time zone database zone.tab",
            version=f"tzdata {metadata.version('tzdata')}",
            licence="public domain",
            attribution="",
            url="https://www.iana.org/time-zones",
        ),
    )


# -- user files --------------------------------------------------------------


def _pick_rows(frame: Any, record: Country, what: str) -> tuple[Any, str]:
    by_lower = {str(c).lower(): c for c in frame.columns}
    tried = []
    for name in FILE_CODE_COLUMNS:
        column = by_lower.get(name.lower())
        if column is None:
            continue
        tried.append(column)
        values = frame[column].astype(str).str.strip().str.upper()
        rows = frame[values.isin([record.iso3, record.iso2])]
        if len(rows):
            return rows, str(column)
    if not tried:
        raise InputError(
            f"{what} has no ISO code column; expected one of {', '.join(FILE_CODE_COLUMNS)} "
            f"(columns present: {list(map(str, frame.columns))!r})"
        )
    raise InputError(
        f"{what} has no row for {record} in columns {tried!r}; check the code, or pass a "
        "GeoDataFrame holding only the territory you want"
    )


def _from_user(source: Any, record: Country) -> tuple[shapely.Geometry, DataSource, dict[str, Any]]:
    if isinstance(source, geopandas.GeoDataFrame):
        frame, label, version = source, "GeoDataFrame", ""
    else:
        path = Path(os.fspath(source))
        if not path.exists():
            raise InputError(
                f"source {str(source)!r} is neither 'osm' nor 'naturalearth' nor an existing file; "
                "give one of those, or a GeoDataFrame"
            )
        frame = geopandas.read_file(path)
        label, version = str(path), f"file modified {_mtime(path)}"
    what = f"territory source {label}"
    rows, column = _pick_rows(frame, record, what)
    types = set(rows.geometry.geom_type.dropna())
    if not types or not types <= {"Polygon", "MultiPolygon"}:
        raise InputTypeError(
            f"{what} holds {sorted(types) or 'no'} geometries for {record}; "
            "expected Polygon or MultiPolygon"
        )
    geometry = as_geometry(rows[[rows.geometry.name]], what=f"{what} ({record.iso3})")
    source_entry = DataSource(
        name=f"user territory {label}",
        version=version,
        licence="as given by its publisher",
        attribution="",
    )
    return geometry, source_entry, {"code_column": column, "rows": int(len(rows))}


def _mtime(path: Path) -> str:
    stamp = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- public API --------------------------------------------------------------


def _ne_geometry(record: Country) -> shapely.Geometry:
    geometry = country_geometry(record)
    if geometry is None:
        raise InputError(
            f"{record} has no polygon in Natural Earth 1:10m admin-0 countries "
            "(it is mapped as part of another country there); use source='osm'"
        )
    return geometry


def territory(code: str | Country, *, source: Any = "osm", land_only: bool = True) -> Any:
    """Return a country's territory as a one-row GeoDataFrame.

    Parameters
    ----------
    code : str or Country
        ISO alpha-2 or alpha-3 code or English name (see :func:`layers.country`).
    source : {"osm", "naturalearth"}, path or GeoDataFrame, default "osm"
        ``"osm"``: OpenStreetMap-derived time-zone polygons (ODbL), with the 12-nautical-mile
        territorial sea. ``"naturalearth"``: packaged Natural Earth 4.1.0 1:10m admin-0
        (public domain, land only). A path to any file geopandas reads, or a GeoDataFrame:
        the rows whose code column (see :data:`FILE_CODE_COLUMNS`) holds the country's
        alpha-3 or alpha-2 code, unioned, reprojected to EPSG:4326.
    land_only : bool, default True
        For ``"osm"``: clip the territorial sea away with the Natural Earth 1:10m land.
        Ignored for other sources, which are used as they are.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row, columns ``iso2``, ``iso3``, ``name``, ``source``, ``variant``
        (``"osm-land"``, ``"osm-sea"``, ``"naturalearth"`` or ``"file"``) and ``geometry``
        (lon/lat degrees). ``attrs["provenance"]`` holds its :class:`Provenance` (read it
        with ``Provenance.of``).

    Raises
    ------
    InputError
        Unknown country; no zone or polygon for it in the chosen source; a file with
        no code column or no matching row.
    CRSError
        A file or GeoDataFrame with no CRS.

    Warns
    -----
    RepairWarning
        If the polygon from a file or GeoDataFrame was invalid and was repaired.

    Notes
    -----
    OSM territories are built once and kept, in the process and on disk under the cache
    folder's ``derived/`` (:mod:`layers.derived`, keyed by the data and code they come
    from): Russia (26 zones) takes a second or two the first time, milliseconds after.

    Examples
    --------
    >>> kp = territory("KP")
    >>> kp[["iso2", "variant"]].iloc[0].tolist()
    ['KP', 'osm-land']
    """
    record = not_a_region(code, country)
    details: dict[str, Any] = {}
    if isinstance(source, str) and source == "osm":
        geometry = _osm_land(record.iso2) if land_only else _osm_with_sea(record.iso2)
        variant = "osm-land" if land_only else "osm-sea"
        sources = _osm_sources() + ((naturalearth_source(),) if land_only else ())
        method = "union of the time-zone polygons of the zones zone.tab assigns to the country" + (
            ", clipped to Natural Earth 1:10m land" if land_only else ", with the territorial sea"
        )
        details["zones"] = list(_zone_tab()[record.iso2])
    elif isinstance(source, str) and source == "naturalearth":
        geometry, variant = _ne_geometry(record), "naturalearth"
        sources = (naturalearth_source(),)
        method = "Natural Earth 1:10m admin-0 country polygon"
    elif isinstance(source, (str, os.PathLike, geopandas.GeoDataFrame)):
        geometry, entry, details = _from_user(source, record)
        variant, sources = "file", (entry,)
        method = "user-supplied polygons"
        source = "GeoDataFrame" if isinstance(source, geopandas.GeoDataFrame) else os.fspath(source)
    else:
        raise InputTypeError(
            f"source {source!r:.60} of type {type(source).__name__} is not usable; give 'osm', "
            "'naturalearth', a file path or a GeoDataFrame"
        )
    gdf = geopandas.GeoDataFrame(
        {
            "iso2": [record.iso2],
            "iso3": [record.iso3],
            "name": [record.name],
            "source": [str(source)],
            "variant": [variant],
        },
        geometry=[geometry],
        crs="EPSG:4326",
    )
    details["variant"] = variant
    gdf.attrs["kind"] = "territory"
    Provenance(sources=sources, method=method, details=details).attach(gdf)
    return gdf


def _shared_edge(a: shapely.Geometry, b: shapely.Geometry) -> shapely.Geometry:
    """Return the lines where the boundaries of ``a`` and ``b`` coincide (points dropped)."""
    ax0, ay0, ax1, ay1 = a.bounds
    bx0, by0, bx1, by1 = b.bounds
    box = (max(ax0, bx0) - 1e-6, max(ay0, by0) - 1e-6, min(ax1, bx1) + 1e-6, min(ay1, by1) + 1e-6)
    if box[0] > box[2] or box[1] > box[3]:
        return shapely.MultiLineString()
    edge_a = shapely.clip_by_rect(a.boundary, *box)
    edge_b = shapely.clip_by_rect(b.boundary, *box)
    if SNAP_TOLERANCE_DEG > 0:
        edge_b = shapely.snap(edge_b, edge_a, SNAP_TOLERANCE_DEG)
    return _lines(shapely.intersection(edge_a, edge_b))


def _lines(geometry: shapely.Geometry) -> shapely.Geometry:
    parts = [
        p for p in shapely.get_parts(shapely.get_parts(geometry)) if shapely.get_type_id(p) == 1
    ]
    parts = [p for p in parts if p.length > 0]
    if not parts:
        return shapely.MultiLineString()
    return shapely.line_merge(shapely.MultiLineString(parts))


def _length_m(line: shapely.Geometry) -> float:
    return float(WGS84.geometry_length(shapely.segmentize(line, _DENSIFY_DEG)))


def border(a: str | Country, b: str | Country, *, source: str = "osm") -> Any:
    """Return the border two countries share, split into its land and sea parts.

    Parameters
    ----------
    a, b : str or Country
        The two countries (anything :func:`layers.country` accepts).
    source : {"osm", "naturalearth"}, default "osm"
        ``"osm"``: the shared edge of the two OpenStreetMap-derived territories with
        their territorial sea; the part over Natural Earth 1:10m land is the land
        border, the rest (river mouths out to the 12-nautical-mile limit) the sea
        border. ``"naturalearth"``: the shared edge of the two Natural Earth 1:10m
        admin-0 polygons, which are land only.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per kind present, columns ``a``, ``b`` (alpha-2 codes),
        ``kind`` (``"land"`` or ``"sea"``), ``length_m`` (geodesic length on WGS84, in
        metres, edges densified to 0.01° in lon/lat), ``source`` and ``geometry``
        ((Multi)LineString, lon/lat degrees). ``attrs["provenance"]`` holds its
        :class:`Provenance` (read it with ``Provenance.of``).

    Raises
    ------
    InputError
        If the countries are the same, unknown, or share no edge in ``source``.

    Examples
    --------
    >>> line = border("KP", "RU")
    >>> round(line.set_index("kind").loc["land", "length_m"] / 1000)
    18
    """
    ra, rb = country(a), country(b)
    if ra.iso2 == rb.iso2:
        raise InputError(f"border of {ra} with itself asked for; give two different countries")
    if source == "osm":
        ga, gb = _osm_with_sea(ra.iso2), _osm_with_sea(rb.iso2)
        sources = _osm_sources() + (naturalearth_source(),)
    elif source == "naturalearth":
        ga, gb = _ne_geometry(ra), _ne_geometry(rb)
        sources = (naturalearth_source(),)
    else:
        raise InputError(
            f"border source {source!r} is not supported; use 'osm' or 'naturalearth' "
            "(for other data, intersect the boundaries of two "
            "layers.territory(..., source=path) results)"
        )
    shared = _shared_edge(ga, gb)
    if shared.is_empty:
        hint = (
            f"; GeoNames lists {ra.name}'s neighbours as {', '.join(ra.neighbours)}"
            if ra.neighbours
            else ""
        )
        raise InputError(f"{ra} and {rb} share no border in the {source!r} territories{hint}")
    if source == "osm":
        land = land_within(shared)
        pieces = {
            "land": _lines(shapely.intersection(shared, land)),
            "sea": _lines(shapely.difference(shared, land)),
        }
        method = (
            "shared edge of the two territories with territorial sea; the part over "
            "Natural Earth 1:10m land is the land border, the rest the sea border"
        )
    else:
        pieces = {"land": shared}
        method = "shared edge of the two Natural Earth 1:10m admin-0 polygons"
    rows = [(kind, line) for kind, line in pieces.items() if not line.is_empty]
    gdf = geopandas.GeoDataFrame(
        {
            "a": [ra.iso2] * len(rows),
            "b": [rb.iso2] * len(rows),
            "kind": [kind for kind, _ in rows],
            "length_m": [_length_m(line) for _, line in rows],
            "source": [source] * len(rows),
        },
        geometry=[line for _, line in rows],
        crs="EPSG:4326",
    )
    gdf.attrs["kind"] = "border"
    Provenance(
        sources=sources,
        method=method,
        details={
            "snap_tolerance_deg": SNAP_TOLERANCE_DEG,
            "length": f"geodesic on WGS84, edges densified to {_DENSIFY_DEG} degree in lon/lat",
        },
    ).attach(gdf)
    return gdf
