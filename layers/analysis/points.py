"""Exposure over settlement points: one exact distance per place, then arithmetic.

Used by :func:`layers.exposure` when the population layer is a GeoDataFrame of
settlements. Each place's geodesic distance to the source is computed once
(:class:`geo.DistanceIndex`, WGS84, Karney, culled beyond the largest radius plus
the edge width); the tables, bands, curve and edge list are sums over that one
array, so the places counted within R are exactly those whose distance is ≤ R.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas
import numpy as np
import pandas as pd

import geo
from geo.errors import CRSError, InputError, InputTypeError
from geo.units import HALF_CIRCUMFERENCE_M
from layers._progress import progress_bar
from layers.analysis.breakdown import (
    ADMIN1_FALLBACK_M,
    GROUP_SEP,
    Breakdown,
    admin1_breakdown,
    assign,
    breakdown,
    group_name,
    split_groups,
)
from layers.analysis.coverage import settlement_coverage, with_coverage
from layers.analysis.result import (
    DISTANCE_ERROR_M,
    POINT_METHOD,
    TOTAL,
    Exposure,
    method_with_geometries,
)
from layers.analysis.source import SourceDescription, nobody_excluded
from layers.analysis.values import country_codes, radius_label
from layers.provenance import Provenance
from layers.settlements import check_population, settlement_index

__all__ = [
    "check_settlements",
    "exposure_from_distances",
    "inside_other_countries",
    "max_distance",
    "settlement_exposure",
]

_BATCH = 100_000  # settlements measured per call to geo, between progress updates
_INDEXED = 1_000_000  # up to this many settlements: one PointIndex per process, reused


def _cumulative_table(
    d: np.ndarray, people: np.ndarray, groups: np.ndarray, radii: np.ndarray, wanted: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Per-group cumulative population and places at each radius, from one sort.

    Every group of ``wanted`` has its rows, of 0 where nobody of it is in range; with
    nobody in range at all, the table still has one row per radius (:data:`TOTAL`).
    """
    order = np.argsort(d, kind="stable")
    d, people, groups = d[order], people[order], groups[order]
    table_rows, band_rows = [], []
    names = set(groups.tolist()) | set(wanted)
    for g in sorted(names or {TOTAL}, key=str):
        mask = groups == g
        n = np.searchsorted(d[mask], radii, side="right")
        cum = np.concatenate([[0], np.cumsum(people[mask])])[n]
        lo = np.concatenate([[0.0], radii[:-1]])
        for i, r in enumerate(radii):
            table_rows.append((g, r, r / 1000, cum[i], int(n[i])))
            prev_pop, prev_n = (cum[i - 1], n[i - 1]) if i else (0, 0)
            band_rows.append((g, lo[i], r, cum[i] - prev_pop, int(n[i] - prev_n)))
    table = pd.DataFrame(
        table_rows, columns=["country", "radius_m", "radius_km", "population", "places"]
    )
    bands = pd.DataFrame(
        band_rows, columns=["country", "distance_min_m", "distance_max_m", "population", "places"]
    )
    return table, bands, d, people, groups


def check_settlements(settlements: Any, group_col: str | None = None) -> Any:
    """Refuse settlements :func:`layers.exposure` cannot count, before any distance.

    Parameters
    ----------
    settlements : geopandas.GeoDataFrame
        Settlement points with a CRS and a ``population`` column (people), checked by
        :func:`layers.settlements.check_population`.
    group_col : str, optional
        A column the counts are grouped by, which must exist.

    Returns
    -------
    geopandas.GeoDataFrame
        ``settlements``, unchanged.

    Raises
    ------
    InputTypeError
        For anything but a GeoDataFrame.
    CRSError
        For settlements without a CRS.
    InputError
        For a missing, non-numeric, negative or missing population, or a missing
        ``group_col``.

    Examples
    --------
    >>> import layers
    >>> towns = layers.settlements(country="KP")
    >>> check_settlements(towns, "admin1") is towns
    True
    >>> try:
    ...     check_settlements(towns[["name", "country", "geometry"]])
    ... except ValueError as exc:
    ...     print(exc)
    settlements have no 'population' column; columns present: ['name', 'country']; name \
the column that holds the number of people with layers.read_settlements(..., population=...)
    """
    if not isinstance(settlements, geopandas.GeoDataFrame):
        raise InputTypeError(
            f"population {type(settlements).__name__} is not usable; expected a GeoDataFrame of "
            "settlement points with a 'population' column (e.g. layers.settlements()), "
            "or a population grid (layers.population_grid)"
        )
    if settlements.crs is None:
        raise CRSError(
            "settlements GeoDataFrame has no CRS, and riskmap does not guess one; set it with "
            ".set_crs('EPSG:4326') if the coordinates are lon/lat degrees"
        )
    check_population(settlements)
    if group_col is not None and group_col not in settlements.columns:
        raise InputError(
            f"by={group_col!r} but the settlements have no such column "
            f"(columns: {list(settlements.columns)!r}); pass by=None for totals"
        )
    return settlements


def settlement_exposure(
    src: SourceDescription,
    settlements: Any,
    radii: np.ndarray,
    by: Any,
    exclude: tuple[str, ...] | None,
    edge_m: float,
    *,
    progress: bool | None = None,
) -> Exposure:
    """Count the settlements within each radius of a source (see :func:`layers.exposure`).

    Parameters
    ----------
    src : SourceDescription
        The source (:func:`~layers.analysis.result.describe_source`).
    settlements : geopandas.GeoDataFrame
        Settlement points with a ``population`` column (people) and a CRS.
    radii : numpy.ndarray
        Ascending radii in metres.
    by : str, list of str or None
        A column to group by, countries of residence (codes or names), or None.
    exclude : tuple of str or None
        Alpha-2 codes of the residents left out; None for the geometric rule (the
        places inside a polygonal source).
    edge_m : float
        Half-width of the edge list, metres.
    progress : bool, optional
        Show a progress bar (see :func:`layers.exposure`).

    Returns
    -------
    Exposure
        The tables, curve, places, edge list and provenance.

    Examples
    --------
    >>> import numpy as np, shapely, layers
    >>> from layers.analysis.source import describe_source
    >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    >>> src = describe_source(shapely.Point(131.9, 43.1))
    >>> result = settlement_exposure(src, towns, np.array([20_000.0]), None, None, 5_000.0)
    >>> result.population()
    609981.0
    """
    group_col = None if breakdown(by) is not None else _grouping(by)[0]
    gdf = check_settlements(settlements, group_col)
    if not gdf.crs.equals("EPSG:4326"):  # places are reported in lon/lat
        gdf = gdf.to_crs("EPSG:4326")
    index = geo.DistanceIndex(src.geometry)
    max_d = max_distance(radii, edge_m)
    d = _distances(index, gdf, max_d, progress)
    return exposure_from_distances(
        src, gdf, d, radii, by, exclude, edge_m, index=index, settlements=len(gdf)
    )


def _distances(index: geo.DistanceIndex, gdf: Any, max_d: float, progress: bool | None) -> Any:
    """Each settlement's distance (metres), in batches that a progress bar can follow."""
    n = len(gdf)
    if 0 < n <= _INDEXED:  # the same distances (inf beyond max_d) from the reused index
        d = np.full(n, np.inf)
        with progress_bar(total=n, desc="distances", unit="place", progress=progress) as bar:
            positions, metres = settlement_index(gdf).within(index, max_d)
            d[positions] = metres
            bar.update(n)
        return d
    d = np.empty(n, dtype=np.float64)
    points = gdf.geometry
    with progress_bar(total=n, desc="distances", unit="place", progress=progress) as bar:
        for lo in range(0, max(n, 1), _BATCH):
            hi = min(lo + _BATCH, n)
            d[lo:hi] = index.distance_to(points.iloc[lo:hi], max_distance=max_d)
            bar.update(hi - lo)
    return d


def _grouping(by: Any) -> tuple[str | None, list[str] | None]:
    """Return the column to group by, and the only country codes kept (None: all)."""
    if isinstance(by, str) or by is None:
        return by, None
    if isinstance(by, Sequence):
        return "country", country_codes(by)
    raise InputTypeError(
        f"by {type(by).__name__} is not usable with settlements, which carry their country; "
        "pass by='country', another column name, a list of countries, or None"
    )


def max_distance(radii: np.ndarray, edge_m: float) -> float:
    """Return how far distances are measured: the largest radius plus the edge list.

    Parameters
    ----------
    radii : numpy.ndarray
        Ascending radii in metres.
    edge_m : float
        Half-width of the edge list, metres.

    Returns
    -------
    float
        Metres, at most half the Earth's circumference.

    Examples
    --------
    >>> import numpy as np
    >>> max_distance(np.array([100_000.0, 200_000.0]), 5_000.0)
    205000.0
    """
    return min(float(radii[-1]) + edge_m, HALF_CIRCUMFERENCE_M)


_REGION_RULE = (
    "residents of the source region: places inside its polygon, and places of its country "
    f"within {ADMIN1_FALLBACK_M / 1000:g} km of it that by='admin1' assigns to it (the "
    "polygon is simplified: coastal places can lie just outside it)"
)


def _region_residents(src: SourceDescription, gdf: Any, d: np.ndarray) -> np.ndarray:
    """Places of an admin-1 source region: inside it, or assigned to it by ``by="admin1"``."""
    out = d == 0
    near = np.flatnonzero((d > 0) & (d <= ADMIN1_FALLBACK_M))
    if len(near) and "country" in gdf.columns:
        codes = gdf["admin1"].astype(str).to_numpy(dtype=object)[near] if "admin1" in gdf else None
        keys, _ = assign(
            np.asarray(gdf.geometry)[near],
            gdf["country"].astype(str).to_numpy(dtype=object)[near],
            admin1_breakdown(),
            geonames_admin1=codes,
        )
        wanted = set(src.geometry["iso_3166_2"].astype(str))
        out[near] = np.isin(keys, list(wanted))
    return out


def _exclusion(
    src: SourceDescription, gdf: Any, d: np.ndarray, exclude: tuple[str, ...] | None
) -> tuple[np.ndarray, str, list[str]]:
    """Which places ``exclude_source`` leaves out, the rule in words, and its codes."""
    if exclude is not None and exclude and "country" not in gdf.columns:
        exclude = None  # no country column: fall back to the geometric rule
    if exclude is None:
        if src.kind == "region" and "iso_3166_2" in getattr(src.geometry, "columns", ()):
            return _region_residents(src, gdf, d), _REGION_RULE, []
        if src.polygonal:
            return d == 0, "places inside the source polygon (distance 0)", []
        return np.zeros(len(d), bool), "none (point or line source)", []
    codes = list(exclude)
    if not codes:
        return np.zeros(len(d), bool), nobody_excluded(src), []
    rule = f"residents of {', '.join(codes)} (by country code)"
    return gdf["country"].isin(codes).to_numpy(), rule, codes


def inside_other_countries(
    src: SourceDescription, gdf: Any, d: np.ndarray, counted: np.ndarray
) -> list[str]:
    """Warn of counted places of other countries that lie inside the source polygon.

    A territory's polygon can hold places GeoNames lists under another country (Natural
    Earth draws Crimea as Russian): they are exposed at distance 0, which is the
    geometric answer, but one a reader should be told of.

    Parameters
    ----------
    src : SourceDescription
        The source; only a polygonal one with country codes (a territory) can warn.
    gdf : geopandas.GeoDataFrame
        The settlements, with ``country`` and ``population`` (and ``name``) columns.
    d : numpy.ndarray
        Each row's distance to the source, metres.
    counted : numpy.ndarray of bool
        The rows counted in the exposure.

    Returns
    -------
    list of str
        One warning, or none.

    Examples
    --------
    >>> import geopandas, numpy as np, shapely
    >>> from layers.analysis.source import SourceDescription
    >>> src = SourceDescription(None, "territory", ("RU",), None, None, True, "Russia")
    >>> towns = geopandas.GeoDataFrame(
    ...     {"name": ["A", "B", "C"], "country": ["RU", "UA", "UA"],
    ...      "population": [10, 2_000, 30]},
    ...     geometry=[shapely.Point(0, 0)] * 3, crs="EPSG:4326",
    ... )
    >>> inside_other_countries(src, towns, np.array([0.0, 0.0, 5.0]), np.ones(3, bool))
    ['1 place (2,000 people) of other countries lie inside the source polygon itself \
(distance 0) and are counted as exposed: UA 1 place (2,000 people); largest B, UA (2,000)']
    """
    if not (src.polygonal and src.codes) or "country" not in gdf.columns:
        return []
    at_zero = np.flatnonzero(counted & (d == 0))  # only these are converted to text
    country = gdf["country"].iloc[at_zero].astype(str).to_numpy()
    other = ~np.isin(country, src.codes)
    inside, country = at_zero[other], country[other]
    if not len(inside):
        return []
    people = gdf["population"].to_numpy(dtype=np.float64)[inside]
    codes = pd.Series(people).groupby(country).agg(["size", "sum"])
    codes = codes.sort_values("sum", ascending=False, kind="stable")
    each = ", ".join(
        f"{c} {_places_word(int(n))} ({p:,.0f} people)" for c, (n, p) in codes.iterrows()
    )
    largest = ""
    if "name" in gdf.columns:
        names = gdf["name"].iloc[inside].astype(str).to_numpy()
        top = np.argsort(-people, kind="stable")[:3]
        largest = "; largest " + ", ".join(
            f"{names[i]}, {country[i]} ({people[i]:,.0f})" for i in top
        )
    return [
        f"{_places_word(len(inside))} ({people.sum():,.0f} people) of other countries "
        f"lie inside the source polygon itself (distance 0) and are counted as exposed: "
        f"{each}{largest}"
    ]


def _places_word(n: int) -> str:
    return f"{n:,} place" if n == 1 else f"{n:,} places"


def exposure_from_distances(
    src: SourceDescription,
    gdf: Any,
    d: np.ndarray,
    radii: np.ndarray,
    by: Any,
    exclude: tuple[str, ...] | None,
    edge_m: float,
    *,
    index: geo.DistanceIndex,
    settlements: int,
) -> Exposure:
    """Build the :class:`~layers.analysis.result.Exposure` from each settlement's distance.

    Parameters
    ----------
    src : SourceDescription
        The source.
    gdf : geopandas.GeoDataFrame
        Checked settlements in EPSG:4326. It may hold only those within the largest
        radius plus ``edge_m``, in their original order (as the Dask path returns them).
    d : numpy.ndarray
        Each row's distance to the source, metres; ``inf`` beyond the largest radius
        plus ``edge_m``.
    radii : numpy.ndarray
        Ascending radii in metres.
    by, exclude, edge_m
        As in :func:`settlement_exposure` (``edge_m`` in metres).
    index : geo.DistanceIndex
        The index the distances come from (for its error bound).
    settlements : int
        The number of settlements measured, ``gdf``'s rows and the culled ones.

    Returns
    -------
    Exposure
        The tables, curve, places, edge list and provenance.

    Examples
    --------
    >>> import numpy as np, shapely, layers, geo
    >>> from layers.analysis.source import describe_source
    >>> towns = layers.settlements(country="RU", bbox=(131, 42, 134, 45))
    >>> src = describe_source(shapely.Point(131.9, 43.1))
    >>> index = geo.DistanceIndex(src.geometry)
    >>> d = np.asarray(index.distance_to(towns.geometry, max_distance=25_000.0))
    >>> result = exposure_from_distances(
    ...     src, towns, d, np.array([20_000.0]), None, None, 5_000.0,
    ...     index=index, settlements=len(towns),
    ... )
    >>> result.population()
    609981.0
    """
    bd = breakdown(by)
    group_col, only = (None, None) if bd is not None else _grouping(by)
    excluded, rule, codes = _exclusion(src, gdf, d, exclude)
    people_all = gdf["population"].to_numpy(dtype=np.float64)
    excluded_near = excluded & (d <= radii[-1])
    excluded_info = {
        "rule": rule,
        "countries": codes,
        "places": int(excluded_near.sum()),
        "population": float(people_all[excluded_near].sum()),
    }

    keep = ~excluded & np.isfinite(d)
    if only is not None:
        keep &= gdf["country"].astype(str).isin(only).to_numpy()
    rows = np.flatnonzero(keep)
    groups = (
        np.full(len(rows), TOTAL, dtype=object)
        if group_col is None
        else _labels(gdf[group_col], rows)
    )
    labels: dict[str, str] = {}
    if bd is not None:
        groups, labels = _polygon_groups(gdf, rows, bd)
    # whole numbers of people stay integers, so sums are exact and print without ".0"
    integral = pd.api.types.is_integer_dtype(gdf["population"])
    people = gdf["population"].to_numpy(dtype=np.int64) if integral else people_all
    table, bands, ds, ps, gs = _cumulative_table(d[keep], people[keep], groups, radii, only or [])
    if bd is not None:
        table, bands = split_groups(table, bd, labels), split_groups(bands, bd, labels)
        gs = np.array([g.split(GROUP_SEP)[0] for g in gs], dtype=object)  # curve() by country
    by_country = group_col == "country" or only is not None or bd is not None
    ratios, warnings = settlement_coverage(
        gdf, keep & (d <= radii[-1]), list(table["country"]) if by_country else []
    )
    if by_country:
        table = with_coverage(table, ratios)
    warnings = (*warnings, *inside_other_countries(src, gdf, d, keep))
    places = _places(gdf, keep, d, radii)
    if bd is not None:
        places = _with_polygon(places, bd, groups, labels, keep, d)
    provenance = src.provenance.merge(
        Provenance.of(gdf) or Provenance(),
        method=method_with_geometries(POINT_METHOD, src.provenance, bd and bd.provenance),
        source=src.label,
        radii_m=[float(r) for r in radii],
        boundary_variant=src.variant,
        accuracy_m=float(getattr(index, "error_m", DISTANCE_ERROR_M)),
        accuracy="distance error bound of geo.DistanceIndex (tested ≤ 1 m up to 5,000 km)",
        excluded=rule,
        settlements=int(settlements),
    )
    return Exposure(
        kind="settlements",
        radii_m=tuple(float(r) for r in radii),
        by=bd.column if bd is not None else group_col if only is None else "country",
        table=table,
        bands=bands,
        places=places,
        edge=_edge(places, radii, edge_m),
        excluded=excluded_info,
        provenance=provenance,
        edge_m=edge_m,
        max_distance_m=max_distance(radii, edge_m),
        _distances=ds,
        _people=ps,
        _groups=gs,
        source=src.label,
        source_kind=src.kind,
        boundary_variant=src.variant,
        source_geometry=src.geometry,
        coverage=ratios,
        warnings=warnings,
    )


def _labels(column: Any, rows: np.ndarray) -> np.ndarray:
    """Return a column's values at positions ``rows`` as str ("unknown" where one is missing).

    Only the rows asked for are converted: a radius often reaches a few thousand of the
    234,908 settlements.
    """
    part = column.iloc[rows]
    return part.astype(object).where(part.notna(), "unknown").astype(str).to_numpy(dtype=object)


def _polygon_groups(gdf: Any, rows: np.ndarray, bd: Breakdown) -> tuple[np.ndarray, dict]:
    """Return the group of each place at ``rows`` (``country<SEP>key``) and each key's name."""
    countries = _labels(gdf["country"], rows) if "country" in gdf.columns else None
    codes = (
        gdf["admin1"].iloc[rows].astype(str).to_numpy(dtype=object)
        if "admin1" in gdf.columns and countries is not None
        else None
    )
    keys, names = assign(np.asarray(gdf.geometry)[rows], countries, bd, geonames_admin1=codes)
    prefix = countries if countries is not None else np.full(len(rows), "", dtype=object)
    groups = np.array([group_name(c, k) for c, k in zip(prefix, keys, strict=True)], dtype=object)
    labels: dict[str, str] = {}
    for k, name in zip(keys, names, strict=True):
        if name and name not in labels.setdefault(k, name).split(" / "):
            labels[k] += f" / {name}"
    return groups, labels


def _with_polygon(
    places: Any, bd: Breakdown, groups: np.ndarray, labels: dict, keep: np.ndarray, d: np.ndarray
) -> Any:
    """Add each listed place's polygon key and name (the places are nearest first).

    ``groups`` are those of the kept places, in their order in the table.
    """
    order = np.argsort(d[keep], kind="stable")
    keys = [g.split(GROUP_SEP, 1)[1] for g in groups[order]]
    out = places.copy()
    out[f"{bd.column}_key" if bd.column in out.columns else bd.column] = keys
    out[bd.label_column] = [labels.get(k, "") for k in keys]
    return out


def _places(gdf: Any, keep: np.ndarray, d: np.ndarray, radii: np.ndarray) -> Any:
    """Return the kept settlements, nearest first, with distances and within_<r> flags."""
    order = np.flatnonzero(keep)[np.argsort(d[keep], kind="stable")]
    dk = d[order]
    geom_col = gdf.geometry.name
    base = pd.DataFrame(gdf.drop(columns=geom_col)).iloc[order]
    extra = {"distance_m": dk, "distance_km": dk / 1000}
    extra.update({f"within_{radius_label(r)}": dk <= r for r in radii})
    columns = pd.concat([base, pd.DataFrame(extra, index=base.index)], axis=1)
    columns[geom_col] = gdf.geometry.iloc[order].to_numpy()
    return geopandas.GeoDataFrame(columns, geometry=geom_col, crs=gdf.crs)


def _edge(places: Any, radii: np.ndarray, edge_m: float) -> pd.DataFrame:
    """Return the places within ``edge_m`` of each radius, by radius then closeness to it."""
    cols = [
        c for c in ("name", "country", "admin1", "population", "geonameid") if c in places.columns
    ]
    d = places["distance_m"].to_numpy()
    # radii within [d - edge, d + edge] of each place, found by two binary searches
    lo = np.searchsorted(radii, d - edge_m, side="left")
    hi = np.searchsorted(radii, d + edge_m, side="right")
    n = hi - lo
    place_i = np.repeat(np.arange(len(d)), n)
    radius_i = lo[place_i] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    r, dd = radii[radius_i], d[place_i]
    order = np.lexsort((np.abs(dd - r), r))
    place_i, r, dd = place_i[order], r[order], dd[order]
    edge = pd.DataFrame(places[cols]).iloc[place_i].reset_index(drop=True)
    extra = {
        "distance_m": dd,
        "distance_km": dd / 1000,
        "offset_m": dd - r,
        "inside": dd <= r,
    }
    edge = pd.concat([pd.DataFrame({"radius_m": r}), edge, pd.DataFrame(extra)], axis=1)
    return edge
