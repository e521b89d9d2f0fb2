"""Exposure: who lives within given distances of a source geometry.

:func:`exposure` joins a source (a territory, a border line, any geometry) with a
population layer (settlement points, or a population grid) and returns an
:class:`Exposure`: population and places per radius and country of residence, the
bands between radii, a population-by-distance curve, the places near each radius,
and the provenance of every number. :func:`exposure_variants` asks the same
question over several boundary (and population) variants and reports the range.

Settlements: each place's exact geodesic distance to the source is computed once
(:class:`geo.DistanceIndex`, WGS84, Karney); everything else is arithmetic on that
one array, so the places counted within R are exactly those whose distance is ≤ R,
and a curve over 1,000 radii costs one sort and one cumulative sum.

Grids: each band (:func:`geo.rings`) is intersected with each country of residence,
reprojected to the grid's CRS and summed with exact partial-cell coverage
(``exactextract``); the curve uses the distance of each cell's centre.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

import geo
from geo.errors import CRSError, InputError, InputTypeError
from geo.units import HALF_CIRCUMFERENCE_M, parse_distance
from layers.grid import PopulationGrid
from layers.provenance import Provenance

__all__ = ["Exposure", "exposure", "EDGE_M"]

#: Places within this many metres of a radius are listed as "near the edge".
EDGE_M = 5_000.0

POINT_METHOD = "exact geodesic distance from each settlement to the source, WGS84, Karney"
GRID_METHOD = (
    "geodesic bands around the source (geo.rings) intersected with each country of residence, "
    "reprojected to the grid's CRS and summed with exact partial-cell coverage (exactextract); "
    "curve from the exact geodesic distance of each cell centre, WGS84, Karney"
)
#: Error bound of geo's point-to-geometry distances (its tested accuracy, up to 5,000 km).
DISTANCE_ERROR_M = 1.0

_TOTAL = "total"


def _radius_label(r: float) -> str:
    """``200000.0 -> "200km"``, ``500.0 -> "500m"``, ``12500.0 -> "12.5km"``."""
    return f"{r / 1000:g}km" if r >= 1000 else f"{r:g}m"


def _parse_radii(radii: Any) -> np.ndarray:
    items = [radii] if isinstance(radii, (str, int, float, np.number)) else list(radii)
    if not items:
        raise InputError(
            "radii is empty; give one distance or a list, e.g. '200km' or [50_000, 100_000]"
        )
    values = []
    for item in items:
        if isinstance(item, np.number):
            item = float(item)
        values.append(parse_distance(item))
    return np.unique(np.asarray(values, dtype=np.float64))


# -- the source --------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    geometry: Any  # what geo accepts
    codes: tuple[str, ...]  # countries the source is (territory) or starts from (border)
    variant: str | None
    provenance: Provenance
    polygonal: bool
    label: str


def _describe_source(source: Any) -> _Source:
    import geopandas

    if isinstance(source, (geopandas.GeoDataFrame, geopandas.GeoSeries)):
        if source.crs is None:
            raise CRSError(
                f"source {type(source).__name__} has no CRS; set it with .set_crs('EPSG:4326') "
                "if the coordinates are lon/lat degrees, or with the CRS they are in"
            )
        if len(source) == 0:
            raise InputError(
                "source has no rows; give a territory, border or geometry with coordinates"
            )
        provenance = source.attrs.get("provenance") or Provenance()
        codes: tuple[str, ...] = ()
        variant = None
        label = "geometry"
        if isinstance(source, geopandas.GeoDataFrame):
            cols = set(source.columns)
            if "iso2" in cols:
                codes = tuple(dict.fromkeys(str(c) for c in source["iso2"]))
                label = "territory " + ", ".join(codes)
            elif {"a", "b"} <= cols:
                codes = tuple(dict.fromkeys(str(c) for c in source["a"]))
                others = ", ".join(dict.fromkeys(str(c) for c in source["b"]))
                label = f"border {', '.join(codes)}–{others}"
            if "variant" in cols:
                variant = ", ".join(dict.fromkeys(str(v) for v in source["variant"]))
        geoms = np.asarray(source.geometry)
        polygonal = bool(np.isin(shapely.get_type_id(geoms), [3, 6]).all())
        return _Source(source, codes, variant, provenance, polygonal, label)
    if isinstance(source, shapely.Geometry):
        polygonal = shapely.get_type_id(source) in (3, 6)
        return _Source(source, (), None, Provenance(), polygonal, source.geom_type)
    return _Source(source, (), None, Provenance(), False, type(source).__name__)


def _exclusion_codes(exclude_source: Any, src: _Source) -> tuple[str, ...] | None:
    """Codes to exclude, or None for the geometric rule (a bare geometry)."""
    if exclude_source is True:
        return src.codes if src.codes else None
    if exclude_source is False or exclude_source is None:
        return ()
    if isinstance(exclude_source, str):
        return (exclude_source,)
    if isinstance(exclude_source, Sequence):
        return tuple(str(c) for c in exclude_source)
    raise InputTypeError(
        f"exclude_source {exclude_source!r} is not usable; expected True, False, "
        "a country code or a list of codes"
    )


# -- the result --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Exposure:
    """Who lives within each radius of a source.

    Attributes
    ----------
    kind : {"settlements", "grid"}
        The population layer used.
    radii_m : tuple of float
        The radii, ascending, in metres.
    by : str or None
        The column grouped by (``"country"``), or None for totals only.
    table : pandas.DataFrame
        One row per country of residence (``"total"`` when ``by=None``) and radius:
        ``country``, ``radius_m`` (metres), ``radius_km``, ``population`` (people
        within the radius), and ``places`` (settlements counted) or, for grids,
        ``cells`` and ``nodata_cells`` (cells covered, partial cells by fraction).
    bands : pandas.DataFrame
        The same per band: ``distance_min_m``, ``distance_max_m`` (metres), with
        bands 0–r1, r1–r2, …; a place at exactly r1 is in the first band.
    places : geopandas.GeoDataFrame or None
        Settlements within ``max_distance_m`` of the source, nearest first: the
        input columns plus ``distance_m`` (metres), ``distance_km`` and one
        ``within_<radius>`` boolean per radius. None for grids.
    edge : pandas.DataFrame or None
        Places within ``edge_m`` of each radius, closest to the radius first:
        ``radius_m``, the place's name, country and population, ``distance_m``,
        ``distance_km``, ``offset_m`` (distance − radius, metres) and ``inside``.
        None for grids.
    excluded : dict
        What ``exclude_source`` removed: ``rule``, ``countries``, ``places``,
        ``population``.
    provenance : Provenance
        Sources of the source geometry and of the population layer, method,
        radii, boundary variant, accuracy and library version.
    edge_m : float
        Half-width of the edge list, metres.
    max_distance_m : float
        Distances are exact up to here (metres); farther places are not listed.
    """

    kind: str
    radii_m: tuple[float, ...]
    by: str | None
    table: pd.DataFrame
    bands: pd.DataFrame
    places: Any
    edge: pd.DataFrame | None
    excluded: dict[str, Any]
    provenance: Provenance
    edge_m: float
    max_distance_m: float
    # sorted distances (metres) of counted places / cell centres, their people and group
    _distances: np.ndarray = field(repr=False)
    _people: np.ndarray = field(repr=False)
    _groups: np.ndarray = field(repr=False)

    def population(self, radius: Any | None = None, *, country: str | None = None) -> float:
        """Return the people within one radius (the largest by default).

        Parameters
        ----------
        radius : float or str, optional
            A radius of this result, in metres or like ``"200km"``.
        country : str, optional
            Only this country of residence; all by default.

        Returns
        -------
        float
            Number of people.
        """
        r = self.radii_m[-1] if radius is None else parse_distance(radius)
        rows = self.table[np.isclose(self.table["radius_m"], r, rtol=0, atol=1e-6)]
        if rows.empty:
            raise InputError(
                f"radius {radius!r} is not one of this result's radii "
                f"{[_radius_label(x) for x in self.radii_m]}; use curve() for other distances"
            )
        if country is not None:
            rows = rows[rows["country"] == country]
        return float(rows["population"].sum())

    def curve(
        self,
        step_m: float = 1000.0,
        *,
        radii: Any | None = None,
        country: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Return population by distance from the source, 0 to the largest radius.

        Parameters
        ----------
        step_m : float, default 1000.0
            Spacing of the distances, in metres (the largest radius is always included).
        radii : float, str or sequence, optional
            Distances to evaluate instead of the regular steps (metres or ``"200km"``),
            up to ``max_distance_m``.
        country : str or list of str, optional
            Only these countries of residence.

        Returns
        -------
        pandas.DataFrame
            ``distance_m`` (metres), ``distance_km``, ``population`` (people within
            that distance) and ``places`` (settlements, or non-empty cells for grids).

        Notes
        -----
        One sort and one cumulative sum serve every distance, so 1,000 radii cost
        the same as one. For settlements the value at a radius of the result equals
        :attr:`table` exactly; for grids the curve counts whole cells by their
        centre, the table partial cells by their covered fraction.
        """
        if radii is None:
            step = float(step_m)
            if not math.isfinite(step) or step <= 0:
                raise InputError(f"step_m {step_m!r} must be a positive number of metres")
            top = self.radii_m[-1]
            at = np.append(np.arange(0.0, top, step), top)
        else:
            at = _parse_radii(radii)
            if at[-1] > self.max_distance_m:
                raise InputError(
                    f"distance {at[-1]:,.0f} m is beyond {self.max_distance_m:,.0f} m, "
                    "the farthest this result measured; run exposure() with a larger radius"
                )
        d, people = self._distances, self._people
        if country is not None:
            keep = np.isin(self._groups, [country] if isinstance(country, str) else list(country))
            d, people = d[keep], people[keep]
        n = np.searchsorted(d, at, side="right")
        cum = np.concatenate([[0], np.cumsum(people)])
        return pd.DataFrame(
            {"distance_m": at, "distance_km": at / 1000, "population": cum[n], "places": n}
        )

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`table`, the tidy per-country, per-radius table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return everything as plain JSON-ready values (places as lon/lat, no geometry)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "radii_m": list(self.radii_m),
            "by": self.by,
            "table": _records(self.table),
            "bands": _records(self.bands),
            "curve": _records(self.curve()),
            "excluded": self.excluded,
            "edge_m": self.edge_m,
            "max_distance_m": self.max_distance_m,
            "provenance": self.provenance.to_dict(),
        }
        if self.places is not None:
            places = pd.DataFrame(self.places.drop(columns=self.places.geometry.name))
            places.insert(0, "lat", self.places.geometry.y.to_numpy())
            places.insert(0, "lon", self.places.geometry.x.to_numpy())
            out["places"] = _records(places)
        if self.edge is not None:
            out["edge"] = _records(self.edge)
        return out

    def to_json(self, **kwargs: Any) -> str:
        """Return :meth:`to_dict` as a JSON string (nothing is written to disk)."""
        return json.dumps(self.to_dict(), allow_nan=False, default=_json_default, **kwargs)

    def __repr__(self) -> str:
        top = self.radii_m[-1]
        return (
            f"<Exposure {self.kind}: {self.population(top):,.0f} people within "
            f"{_radius_label(top)}, {len(self.radii_m)} radii, by={self.by!r}>"
        )


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    clean = df.astype(object).where(df.notna(), None)
    return [{str(k): _json_default(v) for k, v in row.items()} for row in clean.to_dict("records")]


def _json_default(value: Any) -> Any:
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return [_json_default(v) for v in value.tolist()]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_default(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_default(v) for k, v in value.items()}
    return str(value)


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


# -- settlements -------------------------------------------------------------


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


def _settlement_exposure(
    src: _Source,
    settlements: Any,
    radii: np.ndarray,
    by: Any,
    exclude: tuple[str, ...] | None,
    edge_m: float,
) -> Exposure:
    only: list[str] | None = None
    if isinstance(by, str) or by is None:
        group_col = by
    elif isinstance(by, Sequence):
        group_col, only = "country", [str(c) for c in by]
    else:
        raise InputTypeError(
            f"by {type(by).__name__} is not usable with settlements, which carry their country; "
            "pass by='country', another column name, a list of country codes, or None"
        )
    gdf = _check_settlements(settlements, group_col)
    if not gdf.crs.equals("EPSG:4326"):  # places are reported in lon/lat
        gdf = gdf.to_crs("EPSG:4326")
    index = geo.DistanceIndex(src.geometry)
    max_d = min(float(radii[-1]) + edge_m, HALF_CIRCUMFERENCE_M)
    d = np.asarray(index.distance_to(gdf, max_distance=max_d), dtype=np.float64)

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
        settlements=int(len(gdf)),
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


# -- the entry point ---------------------------------------------------------


def exposure(
    source: Any,
    population: Any,
    radii: Any,
    *,
    by: str | Sequence[str] | Any | None = "country",
    exclude_source: bool | str | Sequence[str] = True,
    edge_m: float = EDGE_M,
) -> Exposure:
    """Count the people living within given distances of a source.

    Parameters
    ----------
    source : GeoDataFrame, GeoSeries, shapely geometry or (lon, lat)
        What distances are measured from: a territory (``layers.territory``), a
        border (``layers.border``), or any geometry :mod:`geo` accepts (shapely
        geometries are lon/lat degrees). Its provenance (``.attrs["provenance"]``)
        and boundary variant (``variant`` column) are carried into the result.
    population : GeoDataFrame, PopulationGrid or str
        Settlement points with a ``population`` column and a CRS (e.g.
        ``layers.settlements()``), or a population grid (a
        :class:`~layers.grid.PopulationGrid`, or a GeoTIFF path / product name
        for :func:`layers.population_grid`).
    radii : float, str or sequence of them
        Distances in metres, or strings like ``"200km"``, ``"108 nmi"``; each in
        [0, half the Earth's circumference].
    by : str, list of str, GeoDataFrame or None, default "country"
        Countries of residence. For settlements: a column to group by
        (``"country"``), a list of country codes (only those), or None for totals.
        For grids: a list of codes (polygons from ``layers.territory``), a
        GeoDataFrame of country polygons (named by its ``iso2``/``ISO_A2``/``name``
        column), or None for totals.
    exclude_source : bool, str or list of str, default True
        Leave out the residents of the source country itself. True: for a
        territory, its ``iso2`` code; for a border, the first country (column
        ``a``); for a bare geometry, the people *inside* it when it is a polygon
        (settlements at distance 0, grid cells and areas inside it) and nobody
        when it is a point or a line. A code or list of codes names them. False
        keeps everyone.
    edge_m : float, default 5000.0
        Half-width in metres of the list of places near each radius.

    Returns
    -------
    Exposure
        The tables, curve, edge list and provenance (see :class:`Exposure`).

    Raises
    ------
    InputError
        For a bad radius (negative, NaN, beyond half the circumference), a
        settlements table without population or with negative/missing values.
    CRSError
        For data without a CRS.
    InputTypeError
        For a population layer of another type.

    Notes
    -----
    For settlements the set of places counted within R is, by construction,
    exactly the set whose exact geodesic distance is ≤ R.

    Examples
    --------
    >>> import geopandas, shapely
    >>> towns = geopandas.GeoDataFrame(
    ...     {"name": ["A", "B", "C"], "country": ["RU", "RU", "CN"], "population": [900, 50, 70]},
    ...     geometry=geopandas.points_from_xy([131.9, 133.0, 129.5], [43.1, 42.8, 42.9]),
    ...     crs="EPSG:4326",
    ... )
    >>> result = exposure(shapely.Point(130.0, 42.5), towns, ["100km", "250km"])
    >>> result.table[["country", "radius_km", "population", "places"]]
      country  radius_km  population  places
    0      CN      100.0          70       1
    1      CN      250.0          70       1
    2      RU      100.0           0       0
    3      RU      250.0         950       2
    >>> print(result.places[["name", "distance_km"]].round(1).to_string(index=False))
    name  distance_km
       C         60.4
       A        169.1
       B        248.2
    """
    radii_m = _parse_radii(radii)
    edge = float(edge_m)
    if not math.isfinite(edge) or edge < 0:
        raise InputError(f"edge_m {edge_m!r} must be a non-negative number of metres")
    src = _describe_source(source)
    exclude = _exclusion_codes(exclude_source, src)
    from pathlib import Path

    if isinstance(population, (str, Path)):
        from layers.grid import population_grid

        population = population_grid(population)
    if isinstance(population, PopulationGrid):
        from layers.exposure_grid import grid_exposure

        return grid_exposure(src, population, radii_m, by, exclude)
    return _settlement_exposure(src, population, radii_m, by, exclude, edge)
