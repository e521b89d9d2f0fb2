"""Natural Earth 4.1.0 land and admin-0 countries at 1:10m, from the package data.

The data is the quantized TopoJSON of the npm package ``world-atlas@2.0.2``, shipped as
the arrays GDAL reads of it (``naturalearth-10m.npz``, see ``tools/topojson_arrays.py``).
Two defects of that encoding are repaired on load, once per process:

- rings that cross the antimeridian come as planar rings jumping from +180 to -180
  (Russia, Fiji, Wrangel Island; Antarctica circles the South Pole): their
  longitudes are unwrapped, a pole-circling ring is closed over the pole, and the
  result is cut at ±180 into parts inside [-180, 180];
- quantization to a grid of 0.0036° × 0.0017° (about 300 m × 190 m at 42°N) leaves
  self-touching rings, repaired with ``shapely.make_valid(method="structure")``.

The repair is of package data, not of user data, so it is silent.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import geopandas
import numpy as np
import shapely

from geo.errors import InputError
from layers.countries import Country, country
from layers.package_data import data_file, manifest
from layers.provenance import DataSource, Provenance

__all__ = [
    "NATURALEARTH_ARRAYS",
    "country_geometry",
    "land",
    "land_within",
    "naturalearth_countries",
    "naturalearth_source",
]


def naturalearth_source() -> DataSource:
    """Return the :class:`DataSource` entry of the packaged Natural Earth data.

    Returns
    -------
    DataSource
        Name, version (Natural Earth and the world-atlas package it comes from),
        licence and attribution.

    Examples
    --------
    >>> source = naturalearth_source()
    >>> source.version, source.licence
    ('4.1.0 (world-atlas@2.0.2 TopoJSON)', 'public domain')
    """
    info = manifest()["naturalearth"]
    return DataSource(
        name="Natural Earth 1:10m land and admin-0 countries",
        version=f"{info['version']} ({info['package']} TopoJSON)",
        licence="public domain",
        attribution="Made with Natural Earth",
        url="https://www.naturalearthdata.com",
    )


#: The Natural Earth layers as numpy arrays (built by ``tools/topojson_arrays.py``): what
#: GDAL reads of the world-atlas TopoJSON, to the bit, without GDAL's 0.3 s and 160 MB.
NATURALEARTH_ARRAYS = "naturalearth-10m.npz"


@lru_cache(maxsize=1)
def _arrays() -> dict[str, np.ndarray]:
    with data_file(NATURALEARTH_ARRAYS).open("rb") as f, np.load(f) as npz:
        return dict(npz)


def _decode_layer(arrays: Any, layer: str) -> np.ndarray:
    """Return one layer's MultiPolygons: grid steps (delta-encoded) times the TopoJSON scale."""
    steps = np.cumsum(arrays[f"{layer}_delta"], axis=0, dtype=np.int64)
    coords = steps * arrays[f"{layer}_scale"] + arrays[f"{layer}_translate"]
    offsets = tuple(arrays[f"{layer}_{k}"] for k in ("rings", "parts", "features"))
    return shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, coords, offsets)


def _read(layer: str) -> Any:
    """Return a layer's features as read (``id``, ``name``, geometry), not yet repaired."""
    arrays = _arrays()
    return geopandas.GeoDataFrame(
        {"id": arrays[f"{layer}_id"], "name": arrays[f"{layer}_name"]},
        geometry=_decode_layer(arrays, layer),
        crs="EPSG:4326",
    )


def _ring_parts(xy: np.ndarray) -> shapely.Geometry:
    """Return a ring's area, unwrapped across ±180 (closed over a pole when it circles one)."""
    # Whole turns added to each vertex; the most common count is taken as zero so that
    # most vertices keep their exact values (neighbours share them in the topology).
    turns = np.round((np.unwrap(xy[:, 0], period=360.0) - xy[:, 0]) / 360.0)
    values, counts = np.unique(turns, return_counts=True)
    lon = xy[:, 0] + 360.0 * (turns - values[np.argmax(counts)])
    lat = xy[:, 1]
    turn = lon[-1] - lon[0]
    if abs(turn) > 180:  # circles a pole: close the ring along the pole's parallel
        pole = -90.0 if lat.mean() < 0 else 90.0
        lon = np.concatenate([lon, [lon[-1], lon[0], lon[0]]])
        lat = np.concatenate([lat, [pole, pole, lat[0]]])
    return shapely.make_valid(shapely.Polygon(np.column_stack([lon, lat])), method="structure")


def _cut(geometry: shapely.Geometry) -> shapely.Geometry:
    """Cut an unwrapped geometry at ±180 (+ k·360) and shift the pieces into [-180, 180]."""
    xmin, _, xmax, _ = geometry.bounds
    pieces = []
    for k in range(int(np.floor((xmin + 180) / 360)), int(np.floor((xmax + 180) / 360)) + 1):
        west = -180.0 + 360.0 * k
        piece = shapely.intersection(geometry, shapely.box(west, -90.0, west + 360.0, 90.0))
        if not piece.is_empty:
            pieces.extend(
                shapely.get_parts(
                    _polygonal(shapely.transform(piece, lambda xy, s=360.0 * k: xy - [s, 0.0]))
                )
            )
    return _as_multipolygon(pieces)


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return the polygons of a geometry (make_valid may add lines and points) as one."""
    if shapely.get_type_id(geometry) in (3, 6):
        return geometry
    parts = [
        p for p in shapely.get_parts(shapely.get_parts(geometry)) if shapely.get_type_id(p) == 3
    ]
    return shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()


def _fix_polygon(polygon: shapely.Polygon) -> shapely.Geometry:
    """One TopoJSON polygon made valid and cut at the antimeridian."""
    rings = [np.asarray(polygon.exterior.coords)] + [
        np.asarray(r.coords) for r in polygon.interiors
    ]
    crosses = any((np.abs(np.diff(r[:, 0])) > 180).any() for r in rings)
    if not crosses:
        return (
            polygon
            if polygon.is_valid
            else _polygonal(shapely.make_valid(polygon, method="structure"))
        )
    shell = _ring_parts(rings[0])
    holes = [_ring_parts(r) for r in rings[1:]]
    # holes were unwrapped on their own: move each next to the shell before subtracting
    for hole in holes:
        centre = (hole.bounds[0] + hole.bounds[2]) / 2
        shift = 360.0 * np.round((centre - (shell.bounds[0] + shell.bounds[2]) / 2) / 360.0)
        shell = shell.difference(shapely.transform(hole, lambda xy, s=shift: xy - [s, 0.0]))
    return _cut(shell)


def _fixed_parts(geometry: shapely.Geometry | None) -> list[shapely.Polygon]:
    """Return the polygons of one TopoJSON feature, each valid and inside [-180, 180]."""
    if geometry is None:
        return []
    parts = shapely.get_parts(geometry)
    bounds = shapely.bounds(parts)
    suspect = ~shapely.is_valid(parts) | (bounds[:, 2] - bounds[:, 0] > 180)
    fixed = [shapely.get_parts(_fix_polygon(p)) for p in parts[suspect]]
    return list(parts[~suspect]) + [q for f in fixed for q in f]


def _as_multipolygon(parts: list[shapely.Polygon]) -> shapely.Geometry:
    # Parts of one feature do not overlap (TopoJSON topology), so no union is needed,
    # unless the repair made two of them touch along a line.
    geom = shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()
    return geom if geom.is_valid else _polygonal(shapely.make_valid(geom, method="structure"))


@lru_cache(maxsize=1)
def _raw_land() -> tuple[np.ndarray, shapely.STRtree]:
    """Return the land polygons as read, one per part, and an index of where each lies.

    A part lies inside its box, except a wide one (more than 180° of longitude), which
    crosses ±180 and may circle a pole: after repair it may lie anywhere in longitude
    and reach the pole on its side, so its box is widened to all that.
    """
    parts = shapely.get_parts(_read("land").geometry.values)
    x0, y0, x1, y1 = shapely.bounds(parts).T
    wide = x1 - x0 > 180
    south = (y0 + y1) / 2 < 0
    boxes = shapely.box(
        np.where(wide, -180.0, x0),
        np.where(wide & south, -90.0, y0),
        np.where(wide, 180.0, x1),
        np.where(wide & ~south, 90.0, y1),
    )
    return parts, shapely.STRtree(boxes)


@cache
def _fixed_land(index: int) -> tuple[shapely.Polygon, ...]:
    """Return one land part repaired (valid, cut at ±180): repaired when first needed."""
    return tuple(_fixed_parts(_raw_land()[0][index]))


def _land_parts() -> np.ndarray:
    """Return every land polygon, each valid and inside [-180, 180] (in the order read)."""
    raw = _raw_land()[0]
    bounds = shapely.bounds(raw)
    repaired = ~shapely.is_valid(raw) | (bounds[:, 2] - bounds[:, 0] > 180)
    order = np.concatenate([np.flatnonzero(~repaired), np.flatnonzero(repaired)])
    return np.array([p for i in order for p in _fixed_land(int(i))], dtype=object)


def land_within(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return the packaged land polygons that meet a geometry's parts, as one geometry.

    Parameters
    ----------
    geometry : shapely.Geometry
        Any geometry in lon/lat degrees (EPSG:4326).

    Returns
    -------
    shapely.MultiPolygon
        The Natural Earth 1:10m land polygons whose bounding boxes meet a part of
        ``geometry``, whole (not clipped to it): a superset of the land the geometry
        touches, to intersect with. Empty when none does.

    Examples
    --------
    >>> vladivostok = shapely.Point(131.89, 43.12)
    >>> near = land_within(vladivostok)
    >>> near.geom_type, near.contains(vladivostok)
    ('MultiPolygon', True)
    """
    _, tree = _raw_land()
    pieces = shapely.get_parts(geometry)
    # Repaired parts lie inside their boxes: the parts whose boxes meet the geometry's
    # hold every repaired piece whose box does; only those are repaired.
    idx = np.unique(tree.query(pieces)[1]) if len(pieces) else np.array([], dtype=int)
    fixed = np.array([p for i in idx for p in _fixed_land(int(i))], dtype=object)
    if len(fixed):
        fixed = fixed[np.unique(shapely.STRtree(fixed).query(pieces)[1])]
    # Land parts do not overlap: a MultiPolygon of them needs no (slow) union
    return _as_multipolygon(list(fixed))


def land() -> Any:
    """Return the Natural Earth 1:10m land polygons (package data, valid, in [-180, 180]).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per land polygon, EPSG:4326 (lon/lat degrees); ``attrs["provenance"]``
        names the source.

    Examples
    --------
    >>> gdf = land()
    >>> gdf.crs.to_epsg(), gdf.attrs["kind"], bool(gdf.is_valid.all())
    (4326, 'land', True)
    """
    gdf = geopandas.GeoDataFrame(geometry=list(_land_parts()), crs="EPSG:4326")
    gdf.attrs["kind"] = "land"
    method = "Natural Earth 1:10m land polygons"
    Provenance(sources=(naturalearth_source(),), method=method).attach(gdf)
    return gdf


def _iso2(ident: Any, name: Any) -> str | None:
    """Return a feature's alpha-2 code, by ISO numeric id, or by name where it has none."""
    if isinstance(ident, str) and ident.strip():
        key: int | str = int(ident)
    elif isinstance(name, str):  # a few features have no ISO numeric id (e.g. Kosovo)
        key = name
    else:
        return None
    try:
        return country(key).iso2
    except InputError:  # not a country of the table (Northern Cyprus, Baikonur, ...)
        return None


@lru_cache(maxsize=1)
def _raw_countries() -> Any:
    """Return the country features as read, with their alpha-2 code (None for no country)."""
    df = _read("countries")
    df["iso2"] = [_iso2(i, n) for i, n in zip(df["id"], df["name"], strict=True)]
    return df[df["iso2"].notna()]


@cache
def _country(iso2: str) -> tuple[str, shapely.Geometry] | None:
    """Return one country's Natural Earth name and repaired geometry (None if it has none).

    Only this country's features are repaired, when first asked for: the five a map
    needs take a few hundredths of a second where all 255 take about a second.
    """
    raw = _raw_countries()
    rows = raw[raw["iso2"] == iso2]
    if rows.empty:
        return None
    geoms = [_as_multipolygon(_fixed_parts(g)) for g in rows.geometry.values]
    # Some countries come as several features (Australia and its islands): one geometry
    # of all their parts (not a union, which takes seconds)
    geometry = (
        geoms[0]
        if len(geoms) == 1
        else _as_multipolygon([p for x in geoms for p in shapely.get_parts(x)])
    )
    return str(rows["name"].iloc[0]), geometry


def country_geometry(code: str | Country) -> shapely.Geometry | None:
    """Return one country's Natural Earth 1:10m admin-0 polygon (package data).

    Parameters
    ----------
    code : str or Country
        Anything :func:`layers.country` accepts.

    Returns
    -------
    shapely.MultiPolygon or None
        The country's polygons in lon/lat degrees (EPSG:4326), valid and inside
        [-180, 180], as in :func:`naturalearth_countries`; None when Natural Earth maps
        the country as part of another. Repaired on first use, one country at a time.

    Examples
    --------
    >>> kp = country_geometry("KP")
    >>> kp.geom_type, kp.contains(shapely.Point(125.75, 39.03))
    ('MultiPolygon', True)
    """
    found = _country(country(code).iso2)
    return None if found is None else found[1]


@lru_cache(maxsize=1)
def _countries() -> Any:
    codes = sorted(set(_raw_countries()["iso2"]))
    found = [_country(c) for c in codes]
    dissolved = geopandas.GeoDataFrame(
        {"iso2": codes, "ne_name": [f[0] for f in found if f is not None]},
        geometry=[f[1] for f in found if f is not None],
        crs="EPSG:4326",
    )
    records = [country(c) for c in dissolved["iso2"]]
    dissolved["iso3"] = [r.iso3 for r in records]
    dissolved["iso_numeric"] = [r.iso_numeric for r in records]
    dissolved["name"] = [r.name for r in records]
    return dissolved[["iso2", "iso3", "iso_numeric", "name", "ne_name", "geometry"]]


def naturalearth_countries() -> Any:
    """Return the Natural Earth 1:10m admin-0 countries (package data).

    Features are matched to the country table by ISO 3166 numeric id (by name where
    Natural Earth gives none, as for Kosovo); features matching no country (Northern
    Cyprus, Somaliland, the Siachen Glacier and the like) are left out.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per country, EPSG:4326 (lon/lat degrees), columns ``iso2``, ``iso3``,
        ``iso_numeric``, ``name`` (country table), ``ne_name`` (Natural Earth),
        ``geometry``. A copy: changing it changes nothing for later calls.

    Examples
    --------
    >>> gdf = naturalearth_countries()
    >>> gdf.set_index("iso2").loc["XK", ["iso3", "ne_name"]].tolist()
    ['XKX', 'Kosovo']
    """
    gdf = _countries().copy()
    gdf.attrs["kind"] = "countries"
    method = "Natural Earth 1:10m admin-0 countries"
    Provenance(sources=(naturalearth_source(),), method=method).attach(gdf)
    return gdf
