"""Settlements with population: the packaged GeoNames cities500, or your own table.

:func:`settlements` reads the compact GeoNames extract shipped as package data
(234,908 places of 500 people or more, or seats of administrative divisions;
``layers/data/cities500.npz``) once per process and filters it. Places GeoNames
lists separately although they lie inside a place whose population already counts
them (a city's wards and boroughs, towns merged into a city) are *sections*: left
out by default, kept and flagged with ``include_sections=True``.
:func:`coverage` says how much of a country's population the points hold.
:func:`read_settlements` validates a user table into the same shape.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputError, InputTypeError
from geo.points import PointIndex
from layers.countries import Country, country, resolve_countries
from layers.package_data import data_file, manifest
from layers.provenance import DataSource, Provenance
from layers.settlement_tables import check_population, read_settlements

__all__ = [
    "alternate_names",
    "check_population",
    "coverage",
    "geonames_source",
    "read_settlements",
    "settlement_index",
    "settlements",
]

#: How many settlement indexes a process keeps (least recently used dropped first).
INDEX_CACHE_SIZE = 2

_INDEXES: OrderedDict[tuple[int, bytes], PointIndex] = OrderedDict()
_INDEX_LOCK = threading.Lock()


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
def _arrays() -> dict[str, np.ndarray]:
    with data_file("cities500.npz").open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


@lru_cache(maxsize=1)
def _all() -> Any:
    """Every packaged place, sections included, as a GeoDataFrame (built once per process)."""
    arrays = _arrays()
    names = np.array(arrays["names"].tobytes().decode("utf-8").split("\n"), dtype=object)
    countries = arrays["country_codes"].astype("U2")[arrays["country_index"]]
    admin1 = arrays["admin1_codes"].astype("U")[arrays["admin1_index"]]
    lon, lat = arrays["lon_e5"] / 1e5, arrays["lat_e5"] / 1e5
    parent = arrays["section_of"].astype(np.int64)
    section = parent >= 0
    reason = arrays["section_reasons"].astype("U").astype(object)[arrays["section_index"]]
    section_of = np.where(section, names[np.maximum(parent, 0)], "")
    merged = reason == "merged"
    return geopandas.GeoDataFrame(
        {
            "name": names,
            "country": countries,
            "admin1": admin1,
            "population": arrays["population"].astype(np.int64),
            "geonameid": arrays["geonameid"].astype(np.int64),
            "feature_code": arrays["feature_codes"].astype("U")[arrays["feature_index"]],
            "section": section,
            "section_of": section_of,
            "section_of_id": np.where(section, arrays["geonameid"][np.maximum(parent, 0)], -1),
            "section_reason": reason,
            "merged": merged,
            "merged_into": np.where(merged, section_of, ""),
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


def alternate_names() -> pd.DataFrame:
    """Return the alternate names of the packaged settlements, ASCII-folded.

    GeoNames lists other names and spellings of a place (``"Zaporizhzhia"`` for
    Zaporizhzhya, ``"Kiev"`` for Kyiv); the package keeps the distinct ones that fold to
    ASCII (no accents, lower case) for places of 15,000 people or more.

    Returns
    -------
    pandas.DataFrame
        Columns ``geonameid`` (int) and ``alternate_name`` (folded str), one row per
        name of a place.

    Examples
    --------
    >>> names = alternate_names()
    >>> kyiv = settlements(country="UA", min_population=2_000_000)
    >>> "kiev" in set(names.loc[names["geonameid"].isin(kyiv["geonameid"]), "alternate_name"])
    True
    """
    arrays = _arrays()
    return pd.DataFrame(
        {
            "geonameid": arrays["geonameid"][arrays["alt_row"]].astype(np.int64),
            "alternate_name": arrays["alt_names"].tobytes().decode("utf-8").split("\n"),
        }
    )


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


def _bbox_mask(data: Any, bbox: Sequence[float]) -> tuple[np.ndarray, list[float]]:
    min_lon, min_lat, max_lon, max_lat = _check_bbox(bbox)
    x = shapely.get_x(data.geometry.values)
    y = shapely.get_y(data.geometry.values)
    in_lon = (
        (x >= min_lon) & (x <= max_lon) if min_lon <= max_lon else (x >= min_lon) | (x <= max_lon)
    )
    return in_lon & (y >= min_lat) & (y <= max_lat), [min_lon, min_lat, max_lon, max_lat]


def settlements(
    *,
    country: str | Country | Iterable[str | Country] | None = None,
    min_population: int = 0,
    bbox: Sequence[float] | None = None,
    include_sections: bool = False,
    drop_merged: bool = False,
) -> Any:
    """Return GeoNames settlements (cities500) as points with their population.

    GeoNames lists a city and, separately, its wards, boroughs and neighbourhoods,
    each with its own population; a sum over all of them counts their people twice
    (Tokyo and its 23 wards: 19.8 million within 15 km instead of about 11). The
    package data marks such places as *sections* of the place that contains them
    (GeoNames' PPLX code and a containment rule, ``layers/data/README.md``), and this
    function leaves them out unless asked: every sum over its result counts each
    person once.

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
    include_sections : bool, default False
        Keep the sections too (flagged ``section``, with ``section_of``): to see them,
        or to show the sum that counts them twice beside the one that does not.
    drop_merged : bool, default False
        With ``include_sections=True``, still drop the places flagged ``merged``
        (listed separately although they merged into a city that counts them).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points, columns ``name``, ``country`` (ISO alpha-2), ``admin1``
        (GeoNames first-level division code, e.g. ``"59"`` for Primorsky Krai),
        ``population`` (people, int), ``geonameid``, ``feature_code`` (GeoNames,
        e.g. ``"PPLX"``; ``""`` where unknown), ``section`` (bool), ``section_of``
        (name of the containing place, or ``""``), ``section_of_id`` (its geonameid,
        or -1), ``section_reason`` (which rule: ``"PPLX"``, ``"district"``, ...),
        ``merged`` (bool: a section because it merged into a city), ``merged_into``
        and ``geometry``. ``attrs["provenance"]`` names GeoNames (CC BY 4.0) and the
        filters.

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
    >>> tokyo = settlements(country="JP", bbox=(139.5, 35.5, 139.9, 35.8), include_sections=True)
    >>> tokyo.loc[tokyo["name"] == "Setagaya", ["section", "section_of"]].values.tolist()
    [[True, 'Tokyo']]
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
        inside, details["bbox"] = _bbox_mask(data, bbox)
        mask &= inside
    if not include_sections:
        mask &= ~data["section"].to_numpy()
    details["include_sections"] = bool(include_sections)
    if drop_merged:
        mask &= ~data["merged"].to_numpy()
        details["drop_merged"] = True
    out = data[mask].copy()
    out.attrs["kind"] = "settlements"
    _provenance("GeoNames cities500 settlements", **details).attach(out)
    return out


def coverage(
    code: str | Country, *, include_sections: bool = False, include_merged: bool = False
) -> float:
    """Return how much of a country's population its settlements hold.

    Parameters
    ----------
    code : str or Country
        The country (anything :func:`layers.country` accepts).
    include_sections : bool, default False
        Count the sections of other places too (they are double counts).
    include_merged : bool, default False
        The former name of ``include_sections`` (merged places are sections); either
        one counts them.

    Returns
    -------
    float
        Sum of the settlements' population ÷ the country's population (GeoNames
        country table), both in people. Below 1: the points miss people (rural
        population, places under 500). Above 1: places are still counted twice
        (GeoNames lists districts that the containment rule does not recognise, or
        its city figures are larger than the country's). NaN if the table gives the
        country no population (Antarctica).

    Examples
    --------
    >>> round(coverage("HK"), 2), round(coverage("HK", include_sections=True), 2)
    (1.0, 3.52)
    """
    record = country(code)
    places = settlements(country=record.iso2, include_sections=include_sections or include_merged)
    if record.population <= 0:
        return float("nan")
    return float(places["population"].sum()) / record.population


def _fingerprint(lonlat: np.ndarray) -> tuple[int, bytes]:
    """Return a key only the same points in the same order share: count, BLAKE2 digest."""
    data = np.ascontiguousarray(lonlat, dtype=np.float64)
    return len(data), hashlib.blake2b(data.tobytes(), digest_size=20).digest()


def settlement_index(points: Any) -> PointIndex:
    """Return a :class:`geo.PointIndex` over settlement points, built once per process.

    The index is keyed to the points' coordinates themselves (their number and a
    BLAKE2 digest of the lon/lat values, in order), not to the frame object: the
    same table passed again, or a fresh copy of it, reuses the index; a filtered
    table, another order, or a table whose points were moved gets its own. Only
    the coordinates enter the index, so a changed population or name never makes
    it stale. The last :data:`INDEX_CACHE_SIZE` indexes are kept.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries or array_like of shape (n, 2)
        Settlement points in lon/lat degrees (EPSG:4326 or with a CRS).

    Returns
    -------
    geo.PointIndex
        The index; its positions are the rows of ``points`` in order.

    Notes
    -----
    The digest costs about 10 ms for the 234,908 packaged places, the index about
    0.5 s to build.

    Examples
    --------
    >>> towns = settlements(country="KP")
    >>> settlement_index(towns) is settlement_index(towns.copy())
    True
    >>> settlement_index(towns) is settlement_index(towns.iloc[1:])
    False
    """
    geometry = getattr(points, "geometry", None)
    if (
        geometry is not None
        and getattr(points, "crs", None) is not None
        and points.crs.equals("EPSG:4326")
    ):
        lonlat = shapely.get_coordinates(np.asarray(geometry.values))
        if len(lonlat) != len(points):  # not one point per row: let PointIndex say why
            lonlat = None
    else:
        lonlat = None
    if lonlat is None:
        return PointIndex(points)
    key = _fingerprint(lonlat)
    with _INDEX_LOCK:
        index = _INDEXES.get(key)
        if index is not None:
            _INDEXES.move_to_end(key)
            return index
    index = PointIndex(lonlat)
    with _INDEX_LOCK:
        _INDEXES[key] = index
        while len(_INDEXES) > INDEX_CACHE_SIZE:
            _INDEXES.popitem(last=False)
    return index
