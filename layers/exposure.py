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

from geo.errors import CRSError, InputError, InputTypeError
from geo.units import parse_distance
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


# -- the entry point ---------------------------------------------------------


def exposure(
    source: Any,
    population: Any,
    radii: Any,
    *,
    by: str | Sequence[str] | Any | None = "country",
    exclude_source: bool | str | Sequence[str] = True,
    edge_m: float = EDGE_M,
    progress: bool | None = None,
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
        for :func:`layers.population_grid`). A dask-geopandas GeoDataFrame of
        settlements is measured on its Dask cluster, partition by partition; only
        the places within the largest radius plus ``edge_m`` come back, and the
        result is the same as for the same data in memory.
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
    progress : bool, optional
        Show progress bars on stderr for long steps (large point sets, grids).
        By default they show only on a terminal; ``RISKMAP_PROGRESS=0`` silences
        them everywhere, ``=1`` forces them on.

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

        return grid_exposure(src, population, radii_m, by, exclude, progress=progress)
    from geo.validation import is_dask_collection

    if is_dask_collection(population):
        from layers.exposure_dask import dask_settlement_exposure

        return dask_settlement_exposure(src, population, radii_m, by, exclude, edge)
    from layers.exposure_points import settlement_exposure

    return settlement_exposure(src, population, radii_m, by, exclude, edge, progress=progress)
