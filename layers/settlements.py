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
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.errors import CRSError, DataError, InputError, InputTypeError
from layers.countries import Country, _manifest, country, resolve_countries
from layers.provenance import DataSource, Provenance

__all__ = ["settlements", "read_settlements", "coverage", "geonames_source"]

COLUMNS = [
    "name",
    "country",
    "admin1",
    "population",
    "geonameid",
    "merged",
    "merged_into",
    "geometry",
]


def geonames_source() -> DataSource:
    """Return the :class:`DataSource` entry of the packaged GeoNames settlements."""
    return DataSource(
        name="GeoNames cities500",
        version=_manifest()["geonames"]["version"],
        licence="CC BY 4.0",
        attribution="GeoNames (CC BY 4.0)",
        url="https://www.geonames.org",
    )


def _data_file(name: str) -> Any:
    ref = resources.files("layers") / "data" / name
    if not ref.is_file():
        raise DataError(
            f"package data file layers/data/{name} is missing; reinstall riskmap, "
            "or rebuild the data with `python -m layers.build_data`"
        )
    return ref


@lru_cache(maxsize=1)
def _merged() -> pd.DataFrame:
    text = _data_file("merged_settlements.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), comment="#")


@lru_cache(maxsize=1)
def _all() -> Any:
    """Every packaged place, as a GeoDataFrame (built once per process)."""
    import geopandas

    with _data_file("cities500.npz").open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
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
    import geopandas

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


def _bad_rows(frame: Any, mask: np.ndarray, name_col: str | None) -> str:
    idx = np.flatnonzero(mask)
    shown = []
    for i in idx[:5]:
        label = f"{frame.index[i]!r}"
        if name_col is not None:
            label += f" ({frame[name_col].iloc[i]!r})"
        shown.append(label)
    more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
    return ", ".join(shown) + more


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
        Country all points belong to; otherwise a ``country`` column is resolved
        code by code, and without one the country is left empty.
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
        negative, NaN or non-numeric populations (the message names the rows);
        points outside [-180, 180] / [-90, 90] or with NaN coordinates.
    InputTypeError
        Geometries other than points.
    """
    from geo.validation import as_points, to_wgs84

    frame, label = _read_table(data, crs, lon, lat)
    if frame.crs is None:
        raise CRSError(
            f"settlements {label} have no CRS, and riskmap does not guess one; set it with "
            ".set_crs('EPSG:4326') if the coordinates are lon/lat degrees, "
            "or with the CRS they are in"
        )
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    if population not in frame.columns:
        raise InputError(
            f"settlements {label} have no population column {population!r}; columns present: "
            f"{columns!r}; name the right one with population=..."
        )
    name_col = name if name is not None and name in frame.columns else None
    values = pd.to_numeric(frame[population], errors="coerce")
    non_numeric = values.isna().to_numpy() & frame[population].notna().to_numpy()
    if non_numeric.any():
        raise InputError(
            f"settlements {label} have non-numeric population in row(s) "
            f"{_bad_rows(frame, non_numeric, name_col)}; give numbers of people"
        )
    pops = values.to_numpy(dtype=float)
    missing = ~np.isfinite(pops)
    if missing.any():
        raise InputError(
            f"settlements {label} have missing (NaN) or infinite population in row(s) "
            f"{_bad_rows(frame, missing, name_col)}; fill or drop them"
        )
    negative = pops < 0
    if negative.any():
        raise InputError(
            f"settlements {label} have negative population in row(s) "
            f"{_bad_rows(frame, negative, name_col)}; population must be >= 0 people"
        )
    frame = to_wgs84(frame, what=f"settlements {label}")
    xy, _ = as_points(frame.geometry, what=f"settlements {label}")
    if country is not None:
        countries = [resolve_countries(country)[0].iso2] * len(frame)
    elif "country" in frame.columns:
        lookup = {v: _country_code(v) for v in frame["country"].dropna().unique()}
        countries = [lookup.get(v, "") for v in frame["country"]]
    else:
        countries = [""] * len(frame)
    whole = bool(np.all(pops == np.round(pops)))
    import geopandas

    out = geopandas.GeoDataFrame(
        {
            "name": frame[name_col].astype(str).to_numpy() if name_col else [""] * len(frame),
            "country": countries,
            "admin1": frame["admin1"].astype(str).to_numpy()
            if "admin1" in frame.columns
            else [""] * len(frame),
            "population": pops.astype(np.int64) if whole else pops,
            "geonameid": frame["geonameid"].to_numpy()
            if "geonameid" in frame.columns
            else [-1] * len(frame),
            "merged": frame["merged"].astype(bool).to_numpy()
            if "merged" in frame.columns
            else False,
            "merged_into": frame["merged_into"].astype(str).to_numpy()
            if "merged_into" in frame.columns
            else "",
        },
        geometry=shapely.points(xy),
        crs="EPSG:4326",
        index=frame.index,
    )
    used = {
        population,
        name_col,
        "country",
        "admin1",
        "geonameid",
        "merged",
        "merged_into",
        frame.geometry.name,
    }
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


def _country_code(value: Any) -> str:
    try:
        return country(value).iso2
    except (InputError, InputTypeError) as exc:
        raise InputError(f"settlements 'country' column holds {value!r}: {exc}") from exc
