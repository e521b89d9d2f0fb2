"""Settlements with population: the packaged GeoNames cities500, or your own table.

:func:`settlements` reads the compact GeoNames extract shipped as package data
(234,908 places of 500 people or more, or seats of administrative divisions;
``layers/data/cities500.npz``) once per process and filters it. Places GeoNames
still lists separately although they lie inside a city that already counts them
are flagged (``merged``), from the curated ``layers/data/merged_settlements.csv``.
:func:`coverage` says how much of a country's population the points hold.
:func:`read_settlements` validates a user table into the same shape.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

from geo.errors import CRSError, InputError, InputTypeError
from geo.validation import as_points, to_wgs84
from layers.countries import Country, country, resolve_countries
from layers.package_data import data_file, manifest
from layers.provenance import DataSource, Provenance

__all__ = ["check_population", "coverage", "geonames_source", "read_settlements", "settlements"]


def geonames_source() -> DataSource:
    """Return the :class:`DataSource` entry of the packaged GeoNames settlements.

    Returns
    -------
    DataSource
        Name, version (the GeoNames snapshot), licence, attribution and address.

    Examples
    --------
    >>> geonames_source().attribution
    'GeoNames (CC BY 4.0)'
    """
    return DataSource(
        name="GeoNames cities500",
        version=manifest()["geonames"]["version"],
        licence="CC BY 4.0",
        attribution="GeoNames (CC BY 4.0)",
        url="https://www.geonames.org",
    )


@lru_cache(maxsize=1)
def _merged() -> pd.DataFrame:
    text = data_file("merged_settlements.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), comment="#")


@lru_cache(maxsize=1)
def _all() -> Any:
    """Every packaged place, as a GeoDataFrame (built once per process)."""
    with data_file("cities500.npz").open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    names = arrays["names"].tobytes().decode("utf-8").split("\n")
    countries = arrays["country_codes"].astype("U2")[arrays["country_index"]]
    admin1 = arrays["admin1_codes"].astype("U")[arrays["admin1_index"]]
    lon, lat = arrays["lon_e5"] / 1e5, arrays["lat_e5"] / 1e5
    merged = _merged()
    merged_into = pd.Series(merged["merged_into"].to_numpy(), index=merged["geonameid"].to_numpy())
    into = merged_into.reindex(arrays["geonameid"]).fillna("").to_numpy(dtype=object)
    frame = geopandas.GeoDataFrame(
        {
            "name": names,
            "country": countries,
            "admin1": admin1,
            "population": arrays["population"].astype(np.int64),
            "geonameid": arrays["geonameid"].astype(np.int64),
            "merged": into != "",
            "merged_into": into,
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )
    return frame


def _provenance(method: str, **details: Any) -> Provenance:
    return Provenance(sources=(geonames_source(),), method=method, details=details)


def _check_bbox(bbox: Any) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in bbox)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            f"bbox {bbox!r} is not four numbers; "
            "give (min_lon, min_lat, max_lon, max_lat) in degrees"
        ) from exc
    if len(values) != 4:
        raise InputError(
            f"bbox {bbox!r} has {len(values)} values; "
            "give four: (min_lon, min_lat, max_lon, max_lat) in degrees"
        )
    min_lon, min_lat, max_lon, max_lat = values
    if not all(math.isfinite(v) for v in values):
        raise InputError(f"bbox {bbox!r} holds NaN or infinite values; give finite degrees")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise InputError(
            f"bbox {bbox!r} has a longitude outside [-180, 180]; the order is "
            "(min_lon, min_lat, max_lon, max_lat), longitude first"
        )
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise InputError(
            f"bbox {bbox!r} has a latitude outside [-90, 90]; the order is "
            "(min_lon, min_lat, max_lon, max_lat): were longitude and latitude swapped?"
        )
    if min_lat > max_lat:
        raise InputError(
            f"bbox {bbox!r} has min_lat {min_lat} > max_lat {max_lat}; the order is "
            "(min_lon, min_lat, max_lon, max_lat)"
        )
    return values  # type: ignore[return-value]


def _check_min_population(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputTypeError(
            f"min_population {value!r} of type {type(value).__name__} is not a number; "
            "give a number of people"
        )
    if not math.isfinite(value) or value < 0:
        raise InputError(f"min_population is {value!r}; expected a number of people >= 0")
    return float(value)


def settlements(
    *,
    country: str | Country | Iterable[str | Country] | None = None,
    min_population: int = 0,
    bbox: Sequence[float] | None = None,
    drop_merged: bool = False,
) -> Any:
    """Return GeoNames settlements (cities500) as points with their population.

    Parameters
    ----------
    country : str, Country or list of them, optional
        Keep places of these countries (any code or name :func:`layers.country`
        accepts). Default: all countries.
    min_population : int, default 0
        Keep places of at least this many people.
    bbox : (min_lon, min_lat, max_lon, max_lat), optional
        Keep places inside this box, in degrees (edges included). A box with
        ``min_lon > max_lon`` crosses the antimeridian (RFC 7946).
    drop_merged : bool, default False
        Drop the places flagged ``merged`` (listed separately although counted in the
        population of the city they merged into).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, columns ``name``, ``country`` (ISO alpha-2), ``admin1``
        (GeoNames first-level division code, e.g. ``"59"`` for Primorsky Krai),
        ``population`` (people, int), ``geonameid``, ``merged`` (bool),
        ``merged_into`` (name of the city, or ``""``) and ``geometry``.
        ``attrs["provenance"]`` names GeoNames (CC BY 4.0) and the filters.

    Raises
    ------
    InputError
        Unknown country, negative or NaN ``min_population``, malformed ``bbox``.

    Notes
    -----
    The extract is loaded once per process (a fraction of a second) and shared;
    each call returns a new frame.

    Examples
    --------
    >>> ru = settlements(country="RU", min_population=500_000)
    >>> "Vladivostok" in set(ru["name"])
    True
    """
    data = _all()
    mask = np.ones(len(data), dtype=bool)
    details: dict[str, Any] = {}
    if country is not None:
        codes = [c.iso2 for c in resolve_countries(country)]
        mask &= data["country"].isin(codes).to_numpy()
        details["country"] = codes
    threshold = _check_min_population(min_population)
    if threshold > 0:
        mask &= data["population"].to_numpy() >= threshold
        details["min_population"] = min_population
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = _check_bbox(bbox)
        x = shapely.get_x(data.geometry.values)
        y = shapely.get_y(data.geometry.values)
        in_lon = (
            (x >= min_lon) & (x <= max_lon)
            if min_lon <= max_lon
            else (x >= min_lon) | (x <= max_lon)
        )
        mask &= in_lon & (y >= min_lat) & (y <= max_lat)
        details["bbox"] = [min_lon, min_lat, max_lon, max_lat]
    if drop_merged:
        mask &= ~data["merged"].to_numpy()
        details["drop_merged"] = True
    out = data[mask].copy()
    out.attrs["kind"] = "settlements"
    out.attrs["provenance"] = _provenance("GeoNames cities500 settlements", **details)
    return out


def coverage(code: str | Country, *, include_merged: bool = False) -> float:
    """Return how much of a country's population its settlements hold.

    Parameters
    ----------
    code : str or Country
        The country (anything :func:`layers.country` accepts).
    include_merged : bool, default False
        Count the places flagged ``merged`` too (they are double counts).

    Returns
    -------
    float
        Sum of the settlements' population ÷ the country's population (GeoNames
        country table), both in people. Below 1: the points miss people (rural
        population, places under 500). Above 1: places are counted twice (GeoNames
        lists city districts beside their city, as in Japan). NaN if the table gives
        the country no population (Antarctica).

    Examples
    --------
    >>> round(coverage("RU"), 2)
    0.91
    """
    record = country(code)
    places = settlements(country=record.iso2, drop_merged=not include_merged)
    if record.population <= 0:
        return float("nan")
    return float(places["population"].sum()) / record.population


# -- user tables -------------------------------------------------------------

_LON_NAMES = ("lon", "longitude", "lng", "long", "x")
_LAT_NAMES = ("lat", "latitude", "y")


def _find_column(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    by_lower = {str(c).lower(): c for c in columns}
    for name in candidates:
        if name in by_lower:
            return by_lower[name]
    return None


def _read_table(data: Any, crs: Any, lon: str | None, lat: str | None) -> tuple[Any, str]:
    if isinstance(data, geopandas.GeoDataFrame):
        return data, "GeoDataFrame"
    if isinstance(data, pd.DataFrame):
        frame, label = data, "DataFrame"
    elif isinstance(data, (str, os.PathLike)):
        path = Path(os.fspath(data))
        if not path.exists():
            raise InputError(f"settlements file {str(path)!r} does not exist; check the path")
        if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            return geopandas.read_file(path), str(path)
        frame = pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        label = str(path)
    else:
        raise InputTypeError(
            f"settlements {data!r:.60} of type {type(data).__name__} are not readable; give a "
            "GeoDataFrame of points, a DataFrame or a CSV path with lon/lat columns, "
            "or a file geopandas reads"
        )
    lon_col = lon or _find_column(frame.columns, _LON_NAMES)
    lat_col = lat or _find_column(frame.columns, _LAT_NAMES)
    if lon_col not in frame.columns or lat_col not in frame.columns:
        raise InputError(
            f"settlements table {label} has no longitude/latitude columns (looked for "
            f"{lon or _LON_NAMES!r} and {lat or _LAT_NAMES!r}; "
            f"columns present: {list(map(str, frame.columns))!r}); "
            "name them with lon=..., lat=..."
        )
    if crs is None:
        raise CRSError(
            f"settlements table {label} has coordinate columns {lon_col!r}, {lat_col!r} but no "
            "CRS, and riskmap does not guess one; pass crs='EPSG:4326' if they are lon/lat "
            "degrees, or the CRS they are in"
        )
    xs = pd.to_numeric(frame[lon_col], errors="coerce").to_numpy(dtype=float)
    ys = pd.to_numeric(frame[lat_col], errors="coerce").to_numpy(dtype=float)
    gdf = geopandas.GeoDataFrame(
        frame.drop(columns=[lon_col, lat_col]), geometry=shapely.points(xs, ys), crs=crs
    )
    return gdf, label


def _bad_rows(frame: Any, mask: np.ndarray, name_col: str | None, shown: Any) -> str:
    """Return the first five rows where ``mask`` holds: label, name and the value found."""
    idx = np.flatnonzero(mask)
    rows = []
    for i in idx[:5]:
        label = f"{frame.index[i]!r}"
        if name_col is not None:
            label += f" ({frame[name_col].iloc[i]!r})"
        rows.append(f"{label}: {shown(i)!r}")
    more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
    return ", ".join(rows) + more


def check_population(
    frame: Any,
    column: str = "population",
    *,
    what: str = "settlements",
    names: str | None = "name",
    coerce: bool = False,
) -> np.ndarray:
    """Return a table's population column as numbers of people, refusing bad values.

    The one check of population values: :func:`read_settlements` runs it on a user's
    table (``coerce=True``), :func:`layers.exposure` on the settlements it is given.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The places, one per row.
    column : str, default "population"
        Column holding the number of people at each place.
    what : str, default "settlements"
        How messages name the table, e.g. ``"settlements towns.csv"``.
    names : str or None, default "name"
        Column whose values messages quote beside the row labels (ignored if absent).
    coerce : bool, default False
        Read text as numbers (``pandas.to_numeric``) and name the rows that are not
        numbers; without it a column that is not numeric is refused by its dtype.

    Returns
    -------
    numpy.ndarray
        The population of each row, in people (float64, finite and >= 0).

    Raises
    ------
    InputError
        No such column (the message lists the columns present); a column that is not
        numeric; missing (NaN), infinite or negative values (the message names up to
        five rows, with their names and values).

    Examples
    --------
    >>> import pandas as pd
    >>> towns = pd.DataFrame({"name": ["A", "B"], "population": [1200, 800]})
    >>> check_population(towns).tolist()
    [1200.0, 800.0]
    >>> towns.loc[1, "population"] = -5
    >>> check_population(towns)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: settlements have negative population in row(s) 1 ('B'): -5.0; \
population must be >= 0 people
    """
    name_col = names if names is not None and names in frame.columns else None
    if column not in frame.columns:
        geometry = getattr(frame, "_geometry_column_name", None)
        present = [str(c) for c in frame.columns if c != geometry]
        raise InputError(
            f"{what} have no {column!r} column; columns present: {present!r}; name the column "
            "that holds the number of people with layers.read_settlements(..., population=...)"
        )
    raw = frame[column]
    if coerce:
        numbers = pd.to_numeric(raw, errors="coerce")
        text = numbers.isna().to_numpy() & raw.notna().to_numpy()
        if text.any():
            raise InputError(
                f"{what} have non-numeric population in row(s) "
                f"{_bad_rows(frame, text, name_col, lambda i: raw.iloc[i])}; "
                "give numbers of people"
            )
    elif not pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        raise InputError(
            f"{what} {column!r} column has dtype {raw.dtype!s}; expected numbers of people "
            "(convert it with pandas.to_numeric, or read the table with layers.read_settlements)"
        )
    else:
        numbers = raw
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    for bad, problem, fix in (
        (~np.isfinite(values), "missing (NaN) or infinite", "fill or drop them"),
        (values < 0, "negative", "population must be >= 0 people"),
    ):
        if bad.any():
            rows = _bad_rows(frame, bad, name_col, lambda i: float(values[i]))
            raise InputError(f"{what} have {problem} population in row(s) {rows}; {fix}")
    return values


def read_settlements(
    data: Any,
    *,
    population: str = "population",
    name: str | None = "name",
    country: str | Country | None = None,
    crs: Any = None,
    lon: str | None = None,
    lat: str | None = None,
) -> Any:
    """Validate a user's settlements into the shape :func:`settlements` returns.

    Parameters
    ----------
    data : GeoDataFrame, DataFrame or path
        Points with a population column: a GeoDataFrame (with its CRS), any file
        geopandas reads, or a CSV / DataFrame with longitude and latitude columns.
    population : str, default "population"
        Column holding the number of people at each point.
    name : str or None, default "name"
        Column holding the place names (None or absent: names left empty).
    country : str or Country, optional
        Country all points belong to (any code or name :func:`layers.country`
        accepts); otherwise a ``country`` column is resolved value by value, and
        without one the country is left empty.
    crs : CRS input, optional
        CRS of the coordinate columns of a CSV / DataFrame (e.g. ``"EPSG:4326"``).
        Required for them: riskmap does not assume lon/lat.
    lon, lat : str, optional
        Names of the coordinate columns of a CSV / DataFrame (default: the first of
        lon/longitude/lng/x and lat/latitude/y found, in any case).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points with the columns of :func:`settlements` (``population`` in
        people: int64 when every value is whole, else float64), then the table's
        other columns. ``attrs["provenance"]`` names the table.

    Raises
    ------
    CRSError
        If the data has no CRS.
    InputError
        A missing population column (the message lists the columns present);
        negative, NaN or non-numeric populations (see :func:`check_population`);
        points outside [-180, 180] / [-90, 90] or with NaN coordinates.
    InputTypeError
        Geometries other than points.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     {"town": ["Artem", "Nakhodka"], "people": [1200, 800], "lon": [132.2, 132.9],
    ...      "lat": [43.4, 42.8]}
    ... )
    >>> towns = read_settlements(table, population="people", name="town", country="Russia",
    ...                          crs="EPSG:4326")
    >>> towns[["name", "country", "population"]].to_dict("records")
    [{'name': 'Artem', 'country': 'RU', 'population': 1200}, \
{'name': 'Nakhodka', 'country': 'RU', 'population': 800}]
    """
    frame, label = _read_table(data, crs, lon, lat)
    what = f"settlements {label}"
    if frame.crs is None:
        raise CRSError(
            f"{what} have no CRS, and riskmap does not guess one; set it with "
            ".set_crs('EPSG:4326') if the coordinates are lon/lat degrees, "
            "or with the CRS they are in"
        )
    name_col = name if name is not None and name in frame.columns else None
    pops = check_population(frame, population, what=what, names=name_col, coerce=True)
    frame = to_wgs84(frame, what=what)
    xy, _ = as_points(frame.geometry, what=what)
    out = _standard_frame(frame, xy, pops, name_col, _countries_of(frame, country))
    used = {population, name_col, *_STANDARD, frame.geometry.name}
    for column in frame.columns:
        if column not in used:
            out[column] = frame[column].to_numpy()
    out.attrs["kind"] = "settlements"
    out.attrs["provenance"] = Provenance(
        sources=(
            DataSource(
                name=f"user settlements {label}",
                version="",
                licence="as given by its publisher",
                attribution="",
            ),
        ),
        method="user-supplied settlement points",
        details={"population_column": population, "rows": int(len(out))},
    )
    return out


#: Columns of a user's table taken over as they are, when present.
_STANDARD = ("country", "admin1", "geonameid", "merged", "merged_into")


def _standard_frame(
    frame: Any, xy: np.ndarray, pops: np.ndarray, name_col: str | None, countries: list[str]
) -> Any:
    """Return the columns of :func:`settlements`, from a checked user table."""
    n = len(frame)

    def column(key: str, kind: Any, default: Any) -> Any:
        return frame[key].astype(kind).to_numpy() if key in frame.columns else default

    whole = bool(np.all(pops == np.round(pops)))
    return geopandas.GeoDataFrame(
        {
            "name": frame[name_col].astype(str).to_numpy() if name_col else [""] * n,
            "country": countries,
            "admin1": column("admin1", str, [""] * n),
            "population": pops.astype(np.int64) if whole else pops,
            "geonameid": frame["geonameid"].to_numpy()
            if "geonameid" in frame.columns
            else [-1] * n,
            "merged": column("merged", bool, False),
            "merged_into": column("merged_into", str, ""),
        },
        geometry=shapely.points(xy),
        crs="EPSG:4326",
        index=frame.index,
    )


def _countries_of(frame: Any, country: str | Country | None) -> list[str]:
    """Return each row's alpha-2 code: the one given, the ``country`` column's, or empty."""
    if country is not None:
        return [resolve_countries(country)[0].iso2] * len(frame)
    if "country" in frame.columns:
        lookup = {v: _country_code(v) for v in frame["country"].dropna().unique()}
        return [lookup.get(v, "") for v in frame["country"]]
    return [""] * len(frame)


def _country_code(value: Any) -> str:
    try:
        return country(value).iso2
    except (InputError, InputTypeError) as exc:
        raise InputError(f"settlements 'country' column holds {value!r}: {exc}") from exc
