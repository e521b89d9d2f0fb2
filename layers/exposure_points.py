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

import numpy as np
import pandas as pd

import geo
from geo.errors import CRSError, InputError, InputTypeError
from geo.units import HALF_CIRCUMFERENCE_M
from layers._progress import progress_bar
from layers.exposure import (
    _TOTAL,
    DISTANCE_ERROR_M,
    POINT_METHOD,
    Exposure,
    _radius_label,
    _Source,
)
from layers.provenance import Provenance

__all__ = ["settlement_exposure", "exposure_from_distances"]

_BATCH = 100_000  # settlements measured per call to geo, between progress updates


def _cumulative_table(
    d: np.ndarray, people: np.ndarray, groups: np.ndarray, radii: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Per-group cumulative population and places at each radius, from one sort."""
    order = np.argsort(d, kind="stable")
    d, people, groups = d[order], people[order], groups[order]
    table_rows, band_rows = [], []
    for g in sorted(set(groups.tolist()), key=str):
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


def _check_settlements(settlements: Any, group_col: str | None) -> Any:
    import geopandas

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
    if "population" not in settlements.columns:
        raise InputError(
            f"settlements have no 'population' column (columns: {list(settlements.columns)!r}); "
            "rename the column that holds the number of people to 'population'"
        )
    pop = settlements["population"]
    if not pd.api.types.is_numeric_dtype(pop) or pd.api.types.is_bool_dtype(pop):
        raise InputError(
            f"settlements 'population' column has dtype {pop.dtype!s}; expected numbers of people "
            "(convert it with pandas.to_numeric)"
        )
    values = pop.to_numpy(dtype=np.float64, na_value=np.nan)
    for bad, what in ((~np.isfinite(values), "missing or non-finite"), (values < 0, "negative")):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            name = settlements["name"].iloc[i] if "name" in settlements.columns else None
            raise InputError(
                f"settlements have {int(bad.sum())} {what} population value(s), the first "
                f"{float(values[i])!r} at row {settlements.index[i]!r}"
                + (f" ({name!r})" if name is not None else "")
                + "; fix or drop those rows before computing exposure"
            )
    if group_col is not None and group_col not in settlements.columns:
        raise InputError(
            f"by={group_col!r} but the settlements have no such column "
            f"(columns: {list(settlements.columns)!r}); pass by=None for totals"
        )
    return settlements


def settlement_exposure(
    src: _Source,
    settlements: Any,
    radii: np.ndarray,
    by: Any,
    exclude: tuple[str, ...] | None,
    edge_m: float,
    *,
    progress: bool | None = None,
) -> Exposure:
    """Build the :class:`~layers.exposure.Exposure` of settlements (see :func:`layers.exposure`)."""
    group_col, only = _grouping(by)
    gdf = _check_settlements(settlements, group_col)
    if not gdf.crs.equals("EPSG:4326"):  # places are reported in lon/lat
        gdf = gdf.to_crs("EPSG:4326")
    index = geo.DistanceIndex(src.geometry)
    max_d = _max_distance(radii, edge_m)
    d = _distances(index, gdf, max_d, progress)
    return exposure_from_distances(
        src, gdf, d, radii, by, exclude, edge_m, index=index, settlements=len(gdf)
    )


def _distances(index: geo.DistanceIndex, gdf: Any, max_d: float, progress: bool | None) -> Any:
    """Each settlement's distance (metres), in batches that a progress bar can follow."""
    n = len(gdf)
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
        return "country", [str(c) for c in by]
    raise InputTypeError(
        f"by {type(by).__name__} is not usable with settlements, which carry their country; "
        "pass by='country', another column name, a list of country codes, or None"
    )


def _max_distance(radii: np.ndarray, edge_m: float) -> float:
    """Distances are measured up to here (metres): the largest radius plus the edge list."""
    return min(float(radii[-1]) + edge_m, HALF_CIRCUMFERENCE_M)


def exposure_from_distances(
    src: _Source,
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
    """Build the :class:`~layers.exposure.Exposure` from each settlement's distance (metres).

    ``d`` is ``inf`` beyond the largest radius plus ``edge_m``. ``gdf`` (EPSG:4326,
    checked) may hold only the settlements within that distance, in their original
    order (as the Dask path returns them); ``settlements`` is the number of them all.
    """
    group_col, only = _grouping(by)
    max_d = _max_distance(radii, edge_m)
    if exclude is not None and exclude and "country" not in gdf.columns:
        exclude = None  # no country column: fall back to the geometric rule
    if exclude is None:
        excluded = (d == 0) if src.polygonal else np.zeros(len(d), bool)
        rule = (
            "places inside the source polygon (distance 0)"
            if src.polygonal
            else "none (point or line source)"
        )
        codes: list[str] = []
    else:
        codes = list(exclude)
        excluded = gdf["country"].isin(codes).to_numpy() if codes else np.zeros(len(d), bool)
        rule = f"residents of {', '.join(codes)} (by country code)" if codes else "none"
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
    groups = (
        np.full(len(d), _TOTAL, dtype=object)
        if group_col is None
        else gdf[group_col]
        .astype(object)
        .where(gdf[group_col].notna(), "unknown")
        .astype(str)
        .to_numpy(dtype=object)
    )
    # whole numbers of people stay integers, so sums are exact and print without ".0"
    integral = pd.api.types.is_integer_dtype(gdf["population"])
    people = gdf["population"].to_numpy(dtype=np.int64) if integral else people_all
    table, bands, ds, ps, gs = _cumulative_table(d[keep], people[keep], groups[keep], radii)

    places = _places(gdf, keep, d, radii)

    provenance = src.provenance.merge(
        gdf.attrs.get("provenance") or Provenance(),
        method=POINT_METHOD,
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
        by=group_col if only is None else "country",
        table=table,
        bands=bands,
        places=places,
        edge=_edge(places, radii, edge_m),
        excluded=excluded_info,
        provenance=provenance,
        edge_m=edge_m,
        max_distance_m=max_d,
        _distances=ds,
        _people=ps,
        _groups=gs,
    )


def _places(gdf: Any, keep: np.ndarray, d: np.ndarray, radii: np.ndarray) -> Any:
    """Return the kept settlements, nearest first, with distances and within_<r> flags."""
    import geopandas

    order = np.flatnonzero(keep)[np.argsort(d[keep], kind="stable")]
    dk = d[order]
    geom_col = gdf.geometry.name
    base = pd.DataFrame(gdf.drop(columns=geom_col)).iloc[order]
    extra = {"distance_m": dk, "distance_km": dk / 1000}
    extra.update({f"within_{_radius_label(r)}": dk <= r for r in radii})
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
