"""Breakdowns by polygons: admin-1 regions or any polygon layer, for settlements and grids.

:func:`layers.exposure` takes ``by="country"`` (the settlements' own column), and also:

- ``by="admin1"`` or ``by=["country", "admin1"]`` (the same table): each place is
  assigned to the Natural Earth admin-1 region (:func:`layers.regions`) that contains
  it, one of its own country first; a place inside a region of another country goes
  to a region of its own country within :data:`ADMIN1_BORDER_M` (a border town the
  simplified border put on the wrong side), else it keeps the containing region
  (Natural Earth draws some areas under another country than GeoNames does: Crimea
  under Russia, Réunion and Mayotte under France, Western Sahara under Morocco); rows are keyed
  by the place's country *and* the ISO 3166-2 code, so provinces of different
  countries are never merged;
- ``by=<GeoDataFrame of polygons>`` (its key column found by name, see
  :data:`KEY_COLUMNS`) or ``by=(layer, "COLUMN")``: each place goes to the first
  polygon that contains it.

A place in no polygon is never dropped: it is counted in its country's
:data:`UNASSIGNED` row, so the rows of every breakdown sum to the total. For admin-1,
a place just outside the simplified polygons (a coastal town, an island the
simplification narrowed) is first given to the nearest region within
:data:`ADMIN1_FALLBACK_M` (one of its own country if there is one in reach), measured
in a local equirectangular frame (longitude scaled by the cosine of the latitude).

:func:`breakdown` parses ``by``; :func:`assign` assigns points. The grid worker uses
the same two, so ``by=`` means the same for grids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

from geo.errors import CRSError, InputError, InputTypeError
from layers.provenance import Provenance
from layers.regions import regions

__all__ = [
    "ADMIN1_BORDER_M",
    "ADMIN1_FALLBACK_M",
    "KEY_COLUMNS",
    "UNASSIGNED",
    "GROUP_SEP",
    "Breakdown",
    "admin1_breakdown",
    "assign",
    "breakdown",
    "group_name",
    "split_groups",
]

#: The key of the row that holds the places in no polygon.
UNASSIGNED = "unassigned"
#: A place outside every admin-1 polygon of its country goes to the nearest one within
#: this distance (metres): above the simplification's worst Hausdorff distance.
ADMIN1_FALLBACK_M = 10_000.0
#: A place in a region of another country goes to one of its own country within this
#: distance (metres): near a border the simplified polygons can put it on the wrong side,
#: and the settlement's own country is the better evidence there.
ADMIN1_BORDER_M = 3_000.0
#: Key columns looked for in a polygon layer given as ``by=``, in this order.
KEY_COLUMNS = (
    "iso_3166_2",
    "iso2",
    "ISO_A2",
    "iso3",
    "ADM0_A3",
    "key",
    "id",
    "code",
    "name",
    "NAME",
    "name_en",
)
#: Joins a country and a polygon key into one group name while a table is summed.
GROUP_SEP = "\x1f"
_M_PER_DEG = 111_195.0  # metres per degree of a great circle (mean radius 6,371,009 m)


@dataclass(frozen=True)
class Breakdown:
    """A polygon layer to break an exposure down by.

    Attributes
    ----------
    column : str
        The table's column for the key: ``"admin1"`` or the layer's key column.
    polygons : geopandas.GeoDataFrame
        EPSG:4326 polygons with ``key``, ``label`` and ``country`` columns (``country``
        ``""`` where the layer names none).
    fallback_m : float
        Places outside every polygon within this distance (metres) of one of their
        country go to the nearest; 0 for a user's layer.
    per_country : bool
        Whether a place may only fall in a polygon of its own country (admin-1).

    Examples
    --------
    >>> bd = breakdown("admin1")
    >>> bd.column, bd.per_country, len(bd.polygons)
    ('admin1', True, 4596)
    """

    column: str
    polygons: Any
    fallback_m: float
    per_country: bool

    @property
    def label_column(self) -> str:
        """The table's column for the polygon's name (``"admin1_name"``)."""
        return f"{self.column}_name"

    @property
    def provenance(self) -> Provenance | None:
        """The polygon layer's provenance, when it has one."""
        return Provenance.of(self.polygons)


def admin1_breakdown() -> Breakdown:
    """Return the admin-1 breakdown: every Natural Earth region, keyed by ISO 3166-2 code.

    Returns
    -------
    Breakdown
        Column ``"admin1"``, the polygons of :func:`layers.regions` with their code
        (``key``), English name (``label``), country and GeoNames division
        (``geonames``), a fallback of :data:`ADMIN1_FALLBACK_M` metres, per country.

    Examples
    --------
    >>> bd = admin1_breakdown()
    >>> bd.polygons.loc[bd.polygons["key"] == "RU-PRI", ["label", "country"]].values.tolist()
    [['Primorsky Krai', 'RU']]
    """
    layer = regions()
    polys = geopandas.GeoDataFrame(
        {
            "key": layer["iso_3166_2"].to_numpy(),
            "label": [e or n for e, n in zip(layer["name_en"], layer["name"], strict=True)],
            "country": layer["country"].to_numpy(),
            "geonames": layer["gn_a1_code"].to_numpy(),
        },
        geometry=layer.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    polys.attrs.update(layer.attrs)  # the admin-1 data's provenance
    return Breakdown("admin1", polys, ADMIN1_FALLBACK_M, True)


def _user_layer(layer: Any, key: str | None) -> Breakdown:
    if layer.crs is None:
        raise CRSError(
            "by= polygon layer has no CRS; set it with .set_crs('EPSG:4326') if the "
            "coordinates are lon/lat degrees, or with the CRS they are in"
        )
    if key is None:
        key = next((c for c in KEY_COLUMNS if c in layer.columns), None)
    if key is None or key not in layer.columns:
        columns = [c for c in layer.columns if c != layer.geometry.name]
        raise InputError(
            f"by= polygon layer has no key column {key or ''!r}; looked for {list(KEY_COLUMNS)} "
            f"in {columns}; name it with by=(layer, 'COLUMN')"
        )
    types = shapely.get_type_id(np.asarray(layer.geometry))
    if len(layer) == 0 or not np.isin(types, (3, 6)).all():
        raise InputError(
            "by= layer must hold polygons (one row per zone); got "
            f"{sorted(set(layer.geom_type.astype(str)))} in {len(layer)} rows"
        )
    wgs = layer.to_crs("EPSG:4326") if not layer.crs.equals("EPSG:4326") else layer
    keys = wgs[key].astype(str).to_numpy()
    country = wgs["country"].astype(str).to_numpy() if "country" in wgs else [""] * len(wgs)
    polys = geopandas.GeoDataFrame(
        {"key": keys, "label": keys, "country": country},
        geometry=shapely.make_valid(np.asarray(wgs.geometry)),
        crs="EPSG:4326",
    )
    polys.attrs.update(layer.attrs)  # the layer's provenance, if it has one
    return Breakdown(str(key), polys, 0.0, False)


def breakdown(by: Any) -> Breakdown | None:
    """Return the polygon breakdown ``by`` asks for, or None for a country or column one.

    Parameters
    ----------
    by : str, list of str, GeoDataFrame, (GeoDataFrame, str) or None
        ``"admin1"``, ``["country", "admin1"]``, a polygon layer, or a layer with its key
        column; anything else (``"country"``, a column name, a list of countries, None)
        is not a polygon breakdown.

    Returns
    -------
    Breakdown or None

    Raises
    ------
    InputError
        For a polygon layer without a key column or with other geometries.
    CRSError
        For a polygon layer without a CRS.

    Examples
    --------
    >>> breakdown(["country", "admin1"]).column
    'admin1'
    >>> breakdown("country") is None
    True
    """
    if isinstance(by, str):
        return admin1_breakdown() if by == "admin1" else None
    if isinstance(by, geopandas.GeoDataFrame):
        return _user_layer(by, None)
    if isinstance(by, tuple) and len(by) == 2 and isinstance(by[0], geopandas.GeoDataFrame):
        if not isinstance(by[1], str):
            raise InputTypeError(f"by=(layer, {by[1]!r}): the key column must be a column name")
        return _user_layer(by[0], by[1])
    if isinstance(by, Sequence) and "admin1" in list(by):
        if set(by) - {"country", "admin1"}:
            raise InputError(
                f"by={list(by)!r} mixes 'admin1' with {sorted(set(by) - {'country', 'admin1'})}; "
                "give by='admin1' (rows by country and region) or a list of countries"
            )
        return admin1_breakdown()
    return None


def _distance_m(p: Any, geoms: Any) -> np.ndarray:
    """Distances (metres) from a lon/lat point to nearby geometries, in a local frame.

    Longitude is scaled by the cosine of the latitude (local equirectangular metres):
    within 1% of the geodesic distance out to tens of kilometres, which is what a
    choice between neighbouring polygons needs.
    """
    scale = max(np.cos(np.radians(p.y)), 0.01)
    local = shapely.transform(geoms, lambda xy: xy * [scale, 1.0])
    return shapely.distance(shapely.Point(p.x * scale, p.y), local) * _M_PER_DEG


def _nearest(
    points: Any,
    countries: np.ndarray,
    bd: Breakdown,
    out: np.ndarray,
    todo: np.ndarray,
    reach_m: float,
    *,
    own_only: bool,
) -> None:
    """Give the points ``todo`` the nearest polygon within ``reach_m`` (metres), in place.

    ``own_only``: only a polygon of the point's own country; else one of its own country
    if one is in reach, any other otherwise.
    """
    if not len(todo) or reach_m <= 0:
        return
    geoms = np.asarray(bd.polygons.geometry)
    tree = shapely.STRtree(geoms)
    poly_country = bd.polygons["country"].to_numpy()
    reach = reach_m / _M_PER_DEG
    for i in todo:
        p = points[i]
        scale = max(np.cos(np.radians(p.y)), 0.01)
        box = shapely.box(p.x - reach / scale, p.y - reach, p.x + reach / scale, p.y + reach)
        cand = list(tree.query(box))
        own = [j for j in cand if poly_country[j] == countries[i]]
        cand = own if own or own_only else cand
        if not cand:
            continue
        d = _distance_m(p, geoms[cand])
        if d.min() <= reach_m:
            out[i] = cand[int(np.argmin(d))]


def _by_geonames(
    points: Any, countries: np.ndarray, codes: Any, bd: Breakdown, out: np.ndarray
) -> None:
    """Near a region border, follow the place's own GeoNames first-level division.

    Natural Earth's ``gn_a1_code`` ties a region to a GeoNames division (``"LT.62"``);
    where it ties exactly one region to the place's division, the place lies within
    :data:`ADMIN1_BORDER_M` of that region and the polygons put it elsewhere, it goes
    to that region: the simplified border moved across it (Jurbarkas, on the Neman
    between Tauragė and Marijampolė counties).
    """
    poly = bd.polygons
    if "geonames" not in poly.columns:
        return
    keys = poly["key"].to_numpy()
    rows_of: dict[str, list[int]] = {}
    for j, gn in enumerate(poly["geonames"].to_numpy()):
        if gn and not gn.endswith("."):
            rows_of.setdefault(gn, []).append(j)
    unique = {gn: rows for gn, rows in rows_of.items() if len(set(keys[rows])) == 1}
    geoms = np.asarray(poly.geometry)
    want = np.array([f"{c}.{a}" for c, a in zip(countries, codes, strict=True)], dtype=object)
    for i in range(len(points)):
        rows = unique.get(want[i])
        if rows is None or (out[i] >= 0 and keys[out[i]] == keys[rows[0]]):
            continue
        d = _distance_m(points[i], geoms[rows])
        if d.min() <= ADMIN1_BORDER_M:
            out[i] = rows[int(np.argmin(d))]


def assign(
    points: Any, countries: Any, bd: Breakdown, *, geonames_admin1: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Assign points to the polygons of a breakdown.

    Parameters
    ----------
    points : array of shapely Points
        Lon/lat degrees (EPSG:4326).
    countries : array of str or None
        Each point's ISO alpha-2 country: for admin-1 a region of its own country is
        preferred. None when unknown (any polygon).
    bd : Breakdown
        From :func:`breakdown`.
    geonames_admin1 : array of str, optional
        Each point's GeoNames first-level division code (the ``admin1`` column of
        :func:`layers.settlements`): for admin-1, it decides near a region border
        (see :func:`_by_geonames`).

    Returns
    -------
    keys, labels : numpy.ndarray of str
        The polygon's key and name per point; :data:`UNASSIGNED` and ``""`` for a point
        in no polygon (after the fallback for admin-1).

    Examples
    --------
    >>> import shapely
    >>> pts = [shapely.Point(20.51, 54.71), shapely.Point(129.5, 42.9), shapely.Point(0, -80)]
    >>> keys, labels = assign(pts, ["RU", "CN", "AQ"], breakdown("admin1"))
    >>> keys.tolist()
    ['RU-KGD', 'CN-JL', 'AQ-X01~']
    """
    points = np.asarray(points, dtype=object)
    n = len(points)
    ctry = np.full(n, "", dtype=object) if countries is None else np.asarray(countries, object)
    out = np.full(n, -1, dtype=np.int64)
    if n:
        geoms = np.asarray(bd.polygons.geometry)
        p_idx, g_idx = shapely.STRtree(geoms).query(points, predicate="intersects")
        other = np.zeros(len(p_idx), dtype=bool)
        if bd.per_country and countries is not None:
            other = bd.polygons["country"].to_numpy()[g_idx] != ctry[p_idx]
        # per point: a polygon of its own country first, then the lowest row
        order = np.lexsort((g_idx, other, p_idx))
        p_idx, g_idx = p_idx[order], g_idx[order]
        first = np.unique(p_idx, return_index=True)[1]
        out[p_idx[first]] = g_idx[first]
        if bd.per_country and countries is not None:
            # in a region of another country: its own country's, if one is that close
            foreign = p_idx[first][other[order][first]]
            _nearest(points, ctry, bd, out, foreign, ADMIN1_BORDER_M, own_only=True)
        if geonames_admin1 is not None and bd.per_country and countries is not None:
            _by_geonames(points, ctry, np.asarray(geonames_admin1, dtype=object), bd, out)
        _nearest(points, ctry, bd, out, np.flatnonzero(out < 0), bd.fallback_m, own_only=False)
    keys = np.where(out >= 0, bd.polygons["key"].to_numpy()[np.maximum(out, 0)], UNASSIGNED)
    labels = np.where(out >= 0, bd.polygons["label"].to_numpy()[np.maximum(out, 0)], "")
    return keys.astype(object), labels.astype(object)


def group_name(country: str, key: str) -> str:
    """Return the group a table is summed by, for a polygon ``key`` of ``country``.

    Parameters
    ----------
    country : str
        ISO alpha-2 code ("" where the layer names no country).
    key : str
        The polygon's key (an ISO 3166-2 code for admin-1).

    Returns
    -------
    str
        One name, split again by :func:`split_groups`.

    Examples
    --------
    >>> split_groups(pd.DataFrame({"country": [group_name("RU", "RU-PRI")]}),
    ...              admin1_breakdown(), {"RU-PRI": "Primorsky Krai"}).values.tolist()
    [['RU', 'RU-PRI', 'Primorsky Krai']]
    """
    return f"{country}{GROUP_SEP}{key}"


def split_groups(table: pd.DataFrame, bd: Breakdown, labels: dict[str, str]) -> pd.DataFrame:
    """Split a table's ``country`` column of :func:`group_name` groups into three columns.

    Parameters
    ----------
    table : pandas.DataFrame
        With a ``country`` column of group names (a name without a country, such as
        :data:`UNASSIGNED` alone, stands for both).
    bd : Breakdown
        Names the new columns (``bd.column`` and ``bd.label_column``).
    labels : dict
        Each key's name.

    Returns
    -------
    pandas.DataFrame
        A copy with ``country``, the key and its name.

    Examples
    --------
    >>> table = pd.DataFrame({"country": [UNASSIGNED]})
    >>> split_groups(table, admin1_breakdown(), {}).values.tolist()
    [['unassigned', 'unassigned', '']]
    """
    out = table.copy()
    parts = [
        g.split(GROUP_SEP, 1) if GROUP_SEP in g else [g, g] for g in out["country"].astype(str)
    ]
    out["country"] = [p[0] for p in parts]
    out.insert(1, bd.column, [p[1] for p in parts])
    out.insert(2, bd.label_column, [labels.get(p[1], "") for p in parts])
    return out
