"""The exposure entry point: describe the source, pick the worker for the population layer.

:func:`exposure` joins a source (a territory, a border line, a place, any geometry)
with a population layer and hands the work to the worker that fits it: settlement
points (:mod:`layers.analysis.points`), a population grid (:mod:`layers.analysis.grids`)
or a Dask GeoDataFrame of settlements (:mod:`layers.analysis.dask_points`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo.errors import InputError, InputTypeError
from geo.validation import is_dask_collection
from layers.analysis.dask_grids import dask_grid_exposure
from layers.analysis.dask_points import dask_settlement_exposure
from layers.analysis.grids import grid_exposure
from layers.analysis.points import settlement_exposure
from layers.analysis.result import EDGE_M, Exposure
from layers.analysis.source import SourceDescription, describe_source
from layers.analysis.values import country_codes, metres, parse_radii
from layers.countries import country as country_record
from layers.grid import PopulationGrid, population_grid
from layers.grid_windows import DaskGrid

__all__ = ["exposure"]


def _exclusion_codes(exclude_source: Any, src: SourceDescription) -> tuple[str, ...] | None:
    """Alpha-2 codes to exclude, or None for the geometric rule (a bare geometry)."""
    if exclude_source is True:
        if src.kind == "border":  # two sides, neither of them "the source"
            return ()
        return src.codes if src.codes else None
    if exclude_source is False or exclude_source is None:
        return ()
    if isinstance(exclude_source, (list, tuple)) and not exclude_source:
        return ()  # an empty list names nobody
    if isinstance(exclude_source, (str, Sequence)):
        return tuple(country_codes(exclude_source))
    raise InputTypeError(
        f"exclude_source {exclude_source!r} is not usable; expected True, False, "
        "a country (code or name) or a list of them"
    )


def _refuse_excluded(by: Any, exclude: tuple[str, ...] | None) -> None:
    """Refuse countries of residence asked for in ``by`` that ``exclude_source`` leaves out.

    Their count would be 0 by construction, not by measurement: a silent 0 reads as "nobody".
    """
    if not exclude or not isinstance(by, (list, tuple)):
        return
    asked = []
    for item in by:
        try:
            asked.append(country_record(item).iso2)
        except (InputError, TypeError):  # "admin1", a layer of polygons: not a country
            continue
    both = [c for c in asked if c in exclude]
    if both:
        raise InputError(
            f"residents of {', '.join(both)} are asked for, but they are the source's own "
            "residents, which are not counted around it (their count would be 0 by rule); "
            "ask about a border, a region or a point instead, or other countries (in Python, "
            "exclude_source=False counts them)"
        )


def exposure(
    source: Any,
    population: Any,
    radii: Any,
    *,
    by: str | Sequence[str] | Any | None = "country",
    exclude_source: bool | str | Sequence[str] = True,
    edge_m: float | str = EDGE_M,
    progress: bool | None = None,
) -> Exposure:
    """Count the people living within given distances of a source.

    Parameters
    ----------
    source : Source, str, GeoDataFrame, GeoSeries, shapely geometry or (lon, lat)
        What distances are measured from: a :class:`layers.Source`; what
        :func:`layers.resolve_source` resolves (``"North Korea"``, ``"KP-RU"``,
        ``"Vladivostok,RU"``, ``"131.9,43.1"``; a territory on
        :data:`layers.DEFAULT_BOUNDARY`); a territory (``layers.territory``) or border
        (``layers.border``), known by its ``attrs["kind"]``; or any geometry :mod:`geo`
        accepts (shapely geometries are lon/lat degrees). Its provenance
        (``.attrs["provenance"]``) and boundary variant are carried into the result.
    population : GeoDataFrame, PopulationGrid or str
        Settlement points with a ``population`` column and a CRS (e.g.
        ``layers.settlements()``), or a population grid (a
        :class:`~layers.grid.PopulationGrid`, or a GeoTIFF path / product name
        for :func:`layers.population_grid`). A dask-geopandas GeoDataFrame of
        settlements is measured on its Dask cluster, partition by partition; only
        the places within the largest radius plus ``edge_m`` come back, and the
        result is the same as for the same data in memory. A grid is measured on
        Dask when given as ``grid.to_dask()`` (:class:`~layers.grid_windows.DaskGrid`):
        one task per window of cells the question reaches, each reading its own window
        and returning its zone sums and curve entries; the same result as in memory.
        Both run on the Dask scheduler in use (a ``dask.distributed.Client`` sends
        the tasks to its cluster).
    radii : float, str or sequence of them
        Distances in metres (Python or numpy numbers), or strings like ``"200km"``,
        ``"108 nmi"``; each in [0, half the Earth's circumference].
    by : str, list of str, GeoDataFrame or None, default "country"
        Countries of residence. For settlements: a column to group by
        (``"country"``), a list of countries (codes or names: only those), None
        for totals; ``"admin1"`` or ``["country", "admin1"]`` for rows by country and
        Natural Earth admin-1 region (columns ``admin1``, the ISO 3166-2 code, and
        ``admin1_name``; provinces of two countries are never merged); or a polygon
        layer (``by=layer``, its key column found by name, or ``by=(layer, "COLUMN")``)
        for rows by country and polygon. Places in no polygon are counted in their
        country's ``"unassigned"`` row, so the rows always sum to the total (see
        :mod:`layers.analysis.breakdown`). For grids: a list of countries (polygons from
        ``layers.territory``), a GeoDataFrame of country polygons (named by its
        ``iso2``/``ISO_A2``/``name`` column), or None for totals.
    exclude_source : bool, str or list of str, default True
        Leave out the residents of the source country itself. True: for a
        territory, its ``iso2`` code; for a border, nobody (a border has two
        sides, and both are counted); for anything else, the people *inside* it
        when it is a polygon (settlements at distance 0, grid cells and areas
        inside it) and nobody when it is a point or a line. A country (code or
        name) or a list of them names them. False keeps everyone.
    edge_m : float or str, default 5000.0
        Half-width of the list of places near each radius, in metres or like
        ``"5km"``.
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
        settlements table without population or with negative/missing values, a
        country or source name that names nothing (the message suggests close names).
    CRSError
        For data without a CRS.
    InputTypeError
        For a population layer of another type, or a radius or ``edge_m`` that is not
        a distance (None, a mapping, a complex number).

    Notes
    -----
    For settlements the set of places counted within R is, by construction,
    exactly the set whose exact geodesic distance is ≤ R. The points are not the
    population, though: each country's coverage ratio (:func:`layers.coverage`) is
    in the table, and :attr:`Exposure.warnings` names the countries whose
    settlements hold more than 1.2 or less than 0.6 times their population.

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
    >>> exposure("North Korea", towns, "250km", by=["Russia"]).population()
    950.0
    """
    radii_m = parse_radii(radii)
    edge = metres(edge_m, "edge_m")
    src = describe_source(source)
    exclude = _exclusion_codes(exclude_source, src)
    _refuse_excluded(by, exclude)
    if isinstance(population, (str, Path)):
        population = population_grid(population)
    if isinstance(population, PopulationGrid):
        return grid_exposure(src, population, radii_m, by, exclude, progress=progress)
    if isinstance(population, DaskGrid):
        return dask_grid_exposure(src, population, radii_m, by, exclude)
    if is_dask_collection(population):
        return dask_settlement_exposure(src, population, radii_m, by, exclude, edge)
    return settlement_exposure(src, population, radii_m, by, exclude, edge, progress=progress)
