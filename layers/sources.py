"""One resolver from what a user writes to the source distances are measured from.

``"KP"``, ``"PRK"``, ``"North Korea"`` and ``"north korea"`` are the territory of
North Korea; ``"KP-RU"`` (or ``"North Korea-Russia"``) is the border between two
countries; ``"Primorsky Krai"``, ``"RU-PRI"`` or ``"Limburg, NL"`` an admin-1 region;
``"Vladivostok"`` or ``"Vladivostok,RU"`` a settlement; ``"131.9,43.1"`` a point (lon,
lat in degrees). The Python API, the ``riskmap`` command and scenario files all go
through :func:`resolve_source`, so a name means the same everywhere.

Names are tried in this order: countries, borders, admin-1 regions, places. A name that
is both a region and a settlement's own name is the **place** only when the settlement
is a major city: :data:`MAJOR_CITY_POPULATION` people or more, or the region's own
capital (GeoNames feature code PPLA or PPLC in that region). So ``"Tokyo"``,
``"Moscow"``, ``"Kaliningrad"`` and ``"Magadan"`` are the cities (a city is what "within
100 km of Tokyo" usually means, and Tokyo Metropolis reaches the Ogasawara Islands,
1,000 km south), while ``"California"`` is the state, not a town of 11,857 in Maryland.
The rule holds where the name is several regions' too: ``"Victoria"`` is Victoria, CA
(289,625 people), with a note naming Victoria (AU-VIC) and Victoria (MT-45); where the
settlement is not a major city (``"Plateau"``: two regions and a town of 2,000), the name
is refused, listing each region and the town with how to write each. A settlement found
only by another city's alternate name does not count ("Victoria" is also an alternate
name of Hong Kong). The :class:`Source` says which reading was taken in its ``note`` and
how to ask for the other. A prefix forces the kind: ``"region:Tokyo"``, ``"place:California"``,
``"country:Georgia"``; an ISO 3166-2 code (``"JP-13"``) is always the region.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import geopandas
import shapely

from geo.errors import AmbiguousError, InputError, InputTypeError
from layers.boundaries import BoundaryVariant, boundary_variant
from layers.countries import country, country_table
from layers.files import is_file_path, read_geometry_file
from layers.places import Place, UnknownPlaceError, resolve_place
from layers.provenance import DataSource, Provenance
from layers.regions import match_regions, region, region_label, regions, suggest_regions
from layers.settlements import geonames_source
from layers.settlements import settlements as all_settlements
from layers.territory import border, territory

__all__ = [
    "MAJOR_CITY_POPULATION",
    "SOURCE_KINDS",
    "Source",
    "UnknownSourceError",
    "resolve_source",
]

#: The kinds of source, as stamped on a layer's ``attrs["kind"]``.
SOURCE_KINDS = ("territory", "border", "region", "place", "point", "file", "sites")

#: A settlement of this many people or more is taken over an admin-1 region of its name.
MAJOR_CITY_POPULATION = 100_000
_CAPITAL_CODES = ("PPLA", "PPLC")

_DASHES = re.compile(r"\s*[-–—]\s*")
_PREFIX = re.compile(r"^\s*(country|border|region|place)\s*:\s*(.*)$", re.IGNORECASE)
_ISO_3166_2 = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")
_LONLAT = re.compile(r"^\s*[+-]?[\d.]+\s*,\s*[+-]?[\d.]+\s*$")


@dataclass(frozen=True)
class Source:
    """What distances are measured from, with the words to describe it.

    Attributes
    ----------
    kind : {"territory", "border", "region", "place", "point", "file", "sites"}
        What the user named.
    data : geopandas.GeoDataFrame
        The geometry, EPSG:4326 (lon/lat degrees), with ``attrs["kind"]`` and
        ``attrs["provenance"]``.
    name : str
        The subject in words: ``"North Korea"``, ``"the North Korea–Russia border"``,
        ``"Kaliningrad (RU-KGD), Russia"``, ``"Vladivostok, RU"``.
    codes : tuple of str
        ISO 3166-1 alpha-2 codes: the country a territory is, the two sides of a
        border, the country a region is in; empty for places and points.
    variant : BoundaryVariant or None
        How a territory is drawn; None for other kinds.
    place : Place or None
        The settlement or point resolved, for places and points.
    note : str
        Another reading of the name, and how to ask for it, when the name is also a
        region, a place or a country (``"'Tokyo' is also the admin-1 region Tokyo
        (JP-13), Japan; write 'region:Tokyo' or 'JP-13' for it"``); else ``""``.

    Examples
    --------
    >>> src = resolve_source("PRK", boundary="osm-sea")
    >>> src.kind, src.codes, src.label
    ('territory', ('KP',), 'North Korea (OSM, with territorial sea)')
    """

    kind: str
    data: Any
    name: str
    codes: tuple[str, ...] = ()
    variant: BoundaryVariant | None = None
    place: Place | None = None
    note: str = ""

    @property
    def label(self) -> str:
        """The name, followed by the boundary variant's label for a territory."""
        return f"{self.name} ({self.variant.label})" if self.variant else self.name

    @property
    def provenance(self) -> Provenance:
        """Where the source's geometry comes from."""
        return Provenance.of(self.data) or Provenance()

    @property
    def notes(self) -> str:
        """The note, and for a place its name matched among others, which and why."""
        choice = self.place.describe_choice() if self.place is not None else ""
        return "; ".join(n for n in (self.note, choice) if n)


def _territory(code: str, variant: BoundaryVariant, note: str = "") -> Source:
    record = country(code)
    data = territory(record.iso2, **variant.territory_kwargs())
    return Source("territory", data, record.name, (record.iso2,), variant, note=note)


def _region(data: Any, note: str = "") -> Source:
    """Return a region layer (:func:`layers.region`) as a source.

    Examples
    --------
    >>> src = resolve_source("Kaliningrad Oblast")
    >>> src.kind, src.name, src.codes
    ('region', 'Kaliningrad (RU-KGD), Russia', ('RU',))
    >>> print(resolve_source("Tokyo").note)
    'Tokyo' is also the admin-1 region Tokyo (JP-13), Japan; the settlement Tokyo, JP \
(35.6895°N, 139.6917°E, population 9,733,276) was taken; write 'region:Tokyo' or JP-13 for it
    """
    codes = tuple(dict.fromkeys(data["country"]))
    return Source("region", data, region_label(data), codes, note=note)


def _region_written(text: str, group: list[int]) -> str:
    """How to write one of the regions ``text`` names so that it names that one alone."""
    table = regions()
    first = table.iloc[group[0]]
    codes = set(table["iso_3166_2"].iloc[group])
    code = str(first["iso_3166_2"]) if len(codes) == 1 else str(first["region_cod"])
    name = text.partition(",")[0].strip()
    qualified = f"{name}, {first['country']}"
    forms = [f"'region:{qualified}'"] if match_regions(qualified) == [group] else []
    if code and "~" not in code:
        forms.append(code)
    return " or ".join(forms) or f"'region:{region_label(table.iloc[group])}'"


def _region_note(text: str, groups: list[list[int]], what: str) -> str:
    """Say that ``text`` also names regions, and how to ask for each."""
    table = regions()
    if len(groups) == 1:
        label = region_label(table.iloc[groups[0]])
        code = str(table["iso_3166_2"].iat[groups[0][0]])
        # Natural Earth's "JE-X01~" is a placeholder, not a code anyone writes
        forms = f"'region:{text}'" + (f" or {code}" if "~" not in code else "")
        return f"{text!r} is also the admin-1 region {label}; {what}; write {forms} for it"
    each = "; ".join(
        f"{region_label(table.iloc[g])} (write {_region_written(text, g)})" for g in groups[:4]
    )
    return f"{text!r} is also the admin-1 regions {each}; {what}"


def _ambiguous(text: str, groups: list[list[int]], place: Place) -> AmbiguousError:
    """Refuse a name of several regions and of a settlement that is not a major city."""
    table = regions()
    each = [
        f"the admin-1 region {region_label(table.iloc[g])} (write {_region_written(text, g)})"
        for g in groups
    ]
    each.append(
        f"the settlement {place.describe()} (write 'place:{place.name},{place.country}'; "
        f"a settlement is taken by its name alone only with {MAJOR_CITY_POPULATION:,} people "
        "or more, or as the region's capital)"
    )
    return AmbiguousError(f"source {text!r} is ambiguous: {'; or '.join(each)}")


def _is_major(place: Place, groups: list[list[int]], settlements: Any) -> bool:
    """Whether ``place`` is taken over the regions of its name: big, or their capital.

    Examples
    --------
    >>> from layers.places import resolve_place
    >>> from layers.regions import match_regions
    >>> _is_major(resolve_place("Magadan"), match_regions("Magadan"), None)  # 92,782
    True
    >>> _is_major(resolve_place("California"), match_regions("California"), None)
    False
    """
    return place.population >= MAJOR_CITY_POPULATION or _is_seat(place, groups, settlements)


def _is_seat(place: Place, groups: list[list[int]], settlements: Any) -> bool:
    """Whether ``place`` is the capital (GeoNames PPLA or PPLC) of one of the regions."""
    table = settlements if settlements is not None else all_settlements(include_sections=True)
    if place.geonameid is None or not {"geonameid", "feature_code", "admin1"} <= set(table):
        return False
    row = table[table["geonameid"].to_numpy() == place.geonameid]
    if row.empty or str(row["feature_code"].iat[0]) not in _CAPITAL_CODES:
        return False
    seat = f"{place.country}.{row['admin1'].iat[0]}"
    codes = regions()["gn_a1_code"]
    return any(str(codes.iat[i]) == seat for g in groups for i in g)


def _capital(matched: tuple[Place, ...], groups: list[list[int]], settlements: Any) -> Place | None:
    """Return the capital of one of the regions among the places a name matched, or None.

    "Odessa" is the oblast UA-51 and, by an alternate name, its capital Odesa.
    """
    seats = [p for p in matched if _is_seat(p, groups, settlements)]
    return max(seats, key=lambda p: p.population) if seats else None


def _place_note(text: str, place: Place) -> str:
    """Say that ``text`` also names a (minor) settlement, and how to ask for it."""
    return (
        f"{text!r} is also the settlement {place.describe()}; the admin-1 region was "
        f"taken (a settlement is taken only with {MAJOR_CITY_POPULATION:,} people or more, "
        f"or as the region's capital); write 'place:{place.name},{place.country}' for it"
    )


def _region_or_place(text: str, groups: list[list[int]], settlements: Any) -> Source:
    """Resolve a name that is a region: the settlement of that name if major, else the region."""
    matched = () if _ISO_3166_2.match(text) else _matched_places(text, settlements)
    place = _own_place(matched)
    capital = _capital(matched, groups, settlements)
    if capital is not None and (place is None or capital.population > place.population):
        # the region's own capital, when the name finds it and it outnumbers the other
        other = (
            ""
            if place is None or place.geonameid == capital.geonameid
            else f"; write 'place:{place.name},{place.country}' for {place.describe()}"
        )
        return _taken(
            text, groups, capital, f"its capital {capital.describe()}", other, settlements
        )
    if place is not None and _is_major(place, groups, settlements):
        return _taken(text, groups, place, f"the settlement {place.describe()}", "", settlements)
    if place is not None and len(groups) > 1:
        raise _ambiguous(text, groups, place)
    data = region(text)  # an ambiguous name raises, listing the regions
    return _region(data, _place_note(text, place) if place is not None else "")


def _taken(
    text: str, groups: list[list[int]], place: Place, what: str, other: str, settlements: Any
) -> Source:
    """Return the place taken for a name that is also a region, with the note saying so."""
    src = _place(place, "place", settlements)
    note = _region_note(text, groups, f"{what} was taken") + other
    return Source(src.kind, src.data, src.name, place=src.place, note=note)


def _matched_places(text: str, settlements: Any) -> tuple[Place, ...]:
    """Return the place ``text`` resolves to and its runners-up (none if no settlement)."""
    try:
        place = resolve_place(text, settlements)
    except InputError:
        return ()
    return (place, *place.alternatives)


def _own_place(matched: tuple[Place, ...]) -> Place | None:
    """Return the most populous of the places matched by their own name, or None.

    A place found by an alternate name only ("Victoria" on Hong Kong) does not count: a
    region of that name is meant before it; the settlement of that own name ranked after
    it (Victoria, CA) does.
    """
    own = [p for p in matched if p.country and not p.matched]
    return own[0] if own else None


def _border(a: str, b: str) -> Source:
    first, second = country(a), country(b)
    data = border(first.iso2, second.iso2)
    name = f"the {first.name}–{second.name} border"
    return Source("border", data, name, (first.iso2, second.iso2))


def _place_provenance(place: Place, kind: str, settlements: Any) -> Provenance:
    """Credit a place to the settlements it was found in; a point to the user who gave it."""
    if kind == "point":
        return Provenance(
            method="a point given by the user as lon,lat (degrees, WGS84): the user's own "
            "coordinates, credited to no data set",
            details={"point": [place.lon, place.lat], "coordinates": "given by the user"},
        )
    given = Provenance.of(settlements) if settlements is not None else None
    sources: tuple[DataSource, ...] = (
        given.sources if given is not None and given.sources else (geonames_source(),)
    )
    details: dict[str, Any] = {"place": f"{place.name}, {place.country}"}
    if place.geonameid is not None:
        details["geonameid"] = place.geonameid
        details["place_url"] = f"https://www.geonames.org/{place.geonameid}"
    return Provenance(
        sources=sources, method="a settlement's point, by name (GeoNames)", details=details
    )


def _place(place: Place, kind: str, settlements: Any = None) -> Source:
    """Return a place (or a point) as a source, credited to its data.

    Examples
    --------
    >>> src = resolve_source("Vladivostok,RU")
    >>> [s.name for s in src.provenance.sources], src.provenance.details["geonameid"]
    (['GeoNames cities500'], 2013348)
    >>> resolve_source("131.9,43.1").provenance.details["coordinates"]
    'given by the user'
    """
    data = geopandas.GeoDataFrame(
        {"name": [place.name], "country": [place.country]},
        geometry=[shapely.Point(place.lonlat)],
        crs="EPSG:4326",
    )
    data.attrs["kind"] = kind
    _place_provenance(place, kind, settlements).attach(data)
    name = place.name if kind == "point" else f"{place.name}, {place.country}"
    return Source(kind, data, name, place=place)


def _as_country(text: str) -> str | None:
    """Return the alpha-2 code ``text`` names, or None if none (an ambiguous name raises)."""
    try:
        return country(text).iso2
    except AmbiguousError:
        raise
    except InputError:
        return None


def resolve_source(
    text: str | Source,
    *,
    boundary: str | BoundaryVariant | None = None,
    settlements: Any = None,
) -> Source:
    """Turn what a user writes into a :class:`Source`.

    Parameters
    ----------
    text : str or Source
        A country (ISO alpha-2 or alpha-3 code, English name or alias, any case), a
        border between two countries written with a dash (``"KP-RU"``,
        ``"North Korea–Russia"``), a settlement (``"Vladivostok"``,
        ``"Vladivostok,RU"``, ``"Vladivostok,Russia"``), a point ``"lon,lat"`` in
        degrees, an admin-1 region (``"Primorsky Krai"``, ``"RU-PRI"``,
        ``"Limburg, NL"``: :func:`layers.region`), or the path of a file geopandas
        reads (its features together, with the CRS it declares:
        :func:`layers.files.read_geometry_file`). Files are tried first, then
        countries, then borders, then regions, then settlements; a name that is both
        a region and a settlement's own name is the settlement if it is a major city
        (:data:`MAJOR_CITY_POPULATION` people or more, or the region's capital), else
        the region, and :attr:`Source.note` names the other reading. A prefix
        ``country:``, ``region:`` or ``place:`` forces the kind. A :class:`Source` is
        returned as it is.
    boundary : str or BoundaryVariant, optional
        How a territory is drawn (see :data:`layers.BOUNDARY_VARIANTS`); default
        :data:`layers.DEFAULT_BOUNDARY`. Ignored for other kinds.
    settlements : GeoDataFrame, optional
        Where place names are looked up; default ``layers.settlements()``.

    Returns
    -------
    Source

    Raises
    ------
    InputError
        If the text names nothing riskmap knows (the message suggests close names), or
        a name is ambiguous.

    Examples
    --------
    >>> resolve_source("north korea").codes
    ('KP',)
    >>> resolve_source("KP-RU").name
    'the North Korea–Russia border'
    >>> resolve_source("131.8869,43.1056").kind
    'point'
    """
    if isinstance(text, Source):
        return text
    if not isinstance(text, str):
        raise InputTypeError(
            f"source {text!r:.60} of type {type(text).__name__} is not a name; give a country "
            "('KP', 'North Korea'), a border ('KP-RU'), a place ('Vladivostok,RU') or 'lon,lat'"
        )
    query = text.strip()
    if not query:
        raise InputError(
            "source is empty; give a country ('KP'), a border ('KP-RU'), "
            "a place ('Vladivostok,RU') or 'lon,lat'"
        )
    variant = boundary_variant(boundary)
    if is_file_path(query):  # a GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet...
        return Source("file", read_geometry_file(query), query.rsplit("/", 1)[-1])
    forced = _PREFIX.match(query)
    if forced:
        return _forced(forced.group(1).lower(), forced.group(2).strip(), variant, settlements)
    if _ISO_3166_2.match(query) and match_regions(query):
        _refuse_code_clash(query)
        return _region(region(query))
    code = _as_country(query)
    if code is not None:
        groups = match_regions(query) if len(query) > 3 else []
        note = _region_note(query, groups, "the country was taken") if groups else ""
        return _territory(code, variant, note)
    if "," not in query:
        # Names hold dashes too ("Guinea-Bissau"): try each dash as the split.
        for match in _DASHES.finditer(query):
            a, b = query[: match.start()], query[match.end() :]
            if a and b and (ca := _as_country(a)) and (cb := _as_country(b)):
                return _border(ca, cb)
    groups = [] if _LONLAT.match(query) else match_regions(query)
    if groups:
        return _region_or_place(query, groups, settlements)
    try:
        place = resolve_place(query, settlements)
    except UnknownPlaceError as exc:
        raise _unknown(query, exc) from None
    return _place(place, "place" if place.country else "point", settlements)


def _refuse_code_clash(code: str) -> None:
    """Refuse ``"US-CA"``: an ISO 3166-2 code (California) and two alpha-2 codes (a border)."""
    a, _, b = code.partition("-")
    if len(a) == len(b) == 2 and (ca := _as_country(a)) and (cb := _as_country(b)):
        label = region_label(region(code))
        raise AmbiguousError(
            f"source {code!r} is ambiguous: the admin-1 region {label} (ISO 3166-2) or the "
            f"border between {country(ca).name} and {country(cb).name}; write "
            f"'region:{code}' for the region or 'border:{code}' for the border"
        )


def _forced(kind: str, text: str, variant: BoundaryVariant, settlements: Any) -> Source:
    """Resolve ``text`` as the kind a ``country:``/``border:``/``region:``/``place:`` asks."""
    if kind == "country":
        return _territory(country(text).iso2, variant)
    if kind == "border":
        for match in _DASHES.finditer(text):
            a, b = text[: match.start()], text[match.end() :]
            if a and b and (ca := _as_country(a)) and (cb := _as_country(b)):
                return _border(ca, cb)
        raise InputError(
            f"border {text!r} names no two countries; write them with a dash, e.g. 'KP-RU'"
        )
    if kind == "region":
        return _region(region(text))
    place = resolve_place(text, settlements)
    return _place(place, "place" if place.country else "point", settlements)


class UnknownSourceError(InputError):
    """A source names no country, border, admin-1 region or place; the nearest of each kind.

    Attributes
    ----------
    suggestions : tuple of (str, str, str)
        ``(kind, name, written)``: ``"country"``, ``"admin-1 region"`` or ``"place"``,
        its name in words, and how to write it so that it names that one (closest
        first, over every kind).

    Examples
    --------
    >>> try:
    ...     resolve_source("Kaliningrad Oblst")
    ... except UnknownSourceError as exc:
    ...     for kind, name, written in exc.suggestions:
    ...         print(f"{kind}: {name} -> {written}")
    admin-1 region: Kaliningrad (RU-KGD), Russia -> RU-KGD
    admin-1 region: Leningrad (RU-LEN), Russia -> RU-LEN
    place: Kaliningrad, RU -> place:Kaliningrad,RU
    """

    def __init__(self, message: str, *, suggestions: tuple[tuple[str, str, str], ...] = ()):
        super().__init__(message)
        self.suggestions = suggestions


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def _country_suggestions(name: str) -> list[tuple[float, str, str, str]]:
    table = country_table()
    names = {_fold(str(n)): str(code) for code, n in zip(table["iso2"], table["name"], strict=True)}
    key = _fold(name)
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.75)
    out = []
    for c in close:
        code = names[c]
        score = difflib.SequenceMatcher(None, key, c).ratio()
        out.append((score, "country", f"{table.loc[code, 'name']} ({code})", code))
    return out


def _place_written(place: Place) -> str:
    """How to write a place so that it is that place, not a country or region of its name."""
    written = f"{place.name},{place.country}"
    clash = _as_country_quiet(place.name) is not None or bool(match_regions(written))
    return f"place:{written}" if clash else written


def _as_country_quiet(text: str) -> str | None:
    try:
        return country(text).iso2
    except InputError:
        return None


def _unknown(query: str, exc: UnknownPlaceError) -> UnknownSourceError:
    """Return the error for a name that is nothing: the nearest countries, regions, places."""
    name = query.partition(",")[0].strip() if "," in query else query
    found: list[tuple[float, str, str, str]] = _country_suggestions(name)
    found += [(score, "admin-1 region", label, w) for label, w, score in suggest_regions(query)]
    for place, score in exc.suggestions:
        found.append((score, "place", f"{place.name}, {place.country}", _place_written(place)))
    found.sort(key=lambda t: -t[0])  # stable: countries, then regions, then places on a tie
    picked = tuple((kind, label, written) for _, kind, label, written in found[:5])
    hint = (
        "did you mean " + "; ".join(f"the {k} {n} (write {w!r})" for k, n, w in picked) + "?"
        if picked
        else "check the spelling."
    )
    return UnknownSourceError(
        f"source {query!r} names no country, border, admin-1 region or place riskmap knows; "
        f"{hint} A country is a code or name ('KP', 'North Korea'), a border two of them "
        "with a dash ('KP-RU'), a point 'lon,lat' in degrees",
        suggestions=picked,
    )
