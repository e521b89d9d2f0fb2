"""Place names resolved in the settlements data, for the Python API, the CLI and scenario files.

``"Vladivostok"`` resolves to the most populous settlement of that name in the
GeoNames data shipped with riskmap, by its own name or one of its GeoNames alternate
names, accents and case ignored. A place's own name comes first: a place found by an
alternate name only is taken with :data:`ALTERNATE_NAME_FACTOR` times the people of
every place of that own name or more (``"Zaporizhzhia"`` finds the city GeoNames spells
Zaporizhzhya, 1,082 times the village of that name; ``"Alexandria"`` ranks Mashhad, IR,
after every Alexandria); ``"Vladivostok,RU"`` restricts the match to one country;
``"131.89,43.12"`` is taken as a (lon, lat) pair in degrees. Where several places
match, the :class:`Place` returned names the runners-up (``alternatives``).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from geo.errors import InputError, InputTypeError
from geo.validation import check_lonlat
from layers.countries import country as country_record
from layers.settlements import alternate_names
from layers.settlements import settlements as all_settlements

__all__ = [
    "ALTERNATE_NAME_FACTOR",
    "MAX_ALTERNATIVES",
    "SECTION_FACTOR",
    "Place",
    "UnknownPlaceError",
    "degrees_text",
    "resolve_place",
]

#: How many runners-up a :class:`Place` keeps.
MAX_ALTERNATIVES = 4
#: A place found by an alternate name is taken over places of that own name only with at
#: least this many times the people of the most populous of them (:func:`resolve_place`).
ALTERNATE_NAME_FACTOR = 100
#: A section of a city (a district GeoNames lists apart, whose people the city's figure
#: counts) ranks after a place of the same name that has a tenth of its people or more:
#: "Victoria" is Victoria, CA (289,625), not the district of Hong Kong (956,800), while
#: "Brooklyn" is still New York City's borough.
SECTION_FACTOR = 10

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_LONLAT_RE = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*$")


def degrees_text(lon: float, lat: float) -> str:
    """Return a point as people read it: latitude first, with hemispheres, to 1e-4 degree.

    Parameters
    ----------
    lon, lat : float
        Degrees.

    Returns
    -------
    str

    Examples
    --------
    >>> degrees_text(131.8735, 43.1056), degrees_text(-43.2, -22.9)
    ('43.1056°N, 131.8735°E', '22.9000°S, 43.2000°W')
    """
    north = "N" if lat >= 0 else "S"
    east = "E" if lon >= 0 else "W"
    return f"{abs(lat):.4f}°{north}, {abs(lon):.4f}°{east}"


@dataclass(frozen=True)
class Place:
    """A resolved place.

    Attributes
    ----------
    name : str
        Name as in the data (or the coordinates as given).
    country : str
        ISO 3166-1 alpha-2 code ("" for bare coordinates).
    lon, lat : float
        Position in degrees.
    population : float
        Population of the settlement (NaN for bare coordinates).
    geonameid : int or None
        GeoNames identifier, when known.
    matched : str
        The name the query matched, when it is not ``name`` (an alternate name:
        ``"zaporizhzhia"`` for Zaporizhzhya), else ``""``.
    alternatives : tuple of Place
        Where the name matched several places: the runners-up in the order
        :func:`resolve_place` ranks them (at most :data:`MAX_ALTERNATIVES`); empty when
        the match is unique.
    matches : int
        How many places the name matched, all of them (0 for bare coordinates).
    alternate_matches : int
        How many of them by an alternate name only.

    Examples
    --------
    >>> place = resolve_place("Vladivostok,RU")
    >>> place.describe()
    'Vladivostok, RU (43.1056°N, 131.8735°E, population 604,901)'
    >>> place.lonlat, place.geonameid
    ((131.87353, 43.10562), 2013348)
    """

    name: str
    country: str
    lon: float
    lat: float
    population: float = float("nan")
    geonameid: int | None = None
    matched: str = ""
    alternatives: tuple[Place, ...] = ()
    matches: int = 0
    alternate_matches: int = 0

    @property
    def lonlat(self) -> tuple[float, float]:
        """The (lon, lat) pair in degrees."""
        return (self.lon, self.lat)

    def describe(self) -> str:
        """One line: name, country, coordinates and population."""
        where = f"{self.name}, {self.country}" if self.country else self.name
        pop = f", population {self.population:,.0f}" if np.isfinite(self.population) else ""
        return f"{where} ({degrees_text(self.lon, self.lat)}{pop})"

    @property
    def ambiguous(self) -> bool:
        """Whether the name matched more than one place."""
        return bool(self.alternatives)

    def describe_choice(self) -> str:
        """One line saying which place was chosen and which others the name matched.

        Empty when the name matched one place only; the CLI and scenario reports print
        it under the place.
        """
        if not self.alternatives:
            return ""
        n = max(self.matches, len(self.alternatives) + 1)
        alt, own = self.alternate_matches, n - self.alternate_matches
        if self.matched and own:
            how = (
                f"the most populous of {n} matches, by its alternate name {self.matched!r}: "
                f"{ALTERNATE_NAME_FACTOR} times the people of any place of that own name or more"
            )
        elif self.matched:
            how = f"the most populous of {n} matches, by its alternate name {self.matched!r}"
        elif alt:
            places = "the only place" if own == 1 else f"the most populous of the {own} places"
            how = (
                f"{places} of that own name ({alt} more match by an alternate name, ranked "
                "after them)"
            )
        else:
            how = f"the most populous of {n} matches"
        others = "; ".join(p.describe() for p in self.alternatives)
        return f"chose {how}; also: {others}{self._bigger_alternate()}"

    def _bigger_alternate(self) -> str:
        """Name the place of that alternate name with more people than the one chosen."""
        bigger = [p for p in self.alternatives if p.matched and p.population > self.population]
        if self.matched or not bigger:
            return ""
        p = max(bigger, key=lambda q: q.population)
        times = p.population / self.population if self.population > 0 else float("inf")
        return (
            f". {p.name}, {p.country} has {times:,.0f} times the people and is also called "
            f"{p.matched!r}: write '{p.name},{p.country}' for it"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the place as plain values (alternatives as a list of dicts)."""
        return {
            "name": self.name,
            "country": self.country,
            "lon": self.lon,
            "lat": self.lat,
            "population": None if not np.isfinite(self.population) else float(self.population),
            "geonameid": self.geonameid,
            "matched": self.matched,
            "alternatives": [p.to_dict() for p in self.alternatives],
            "matches": self.matches,
            "alternate_matches": self.alternate_matches,
        }


class UnknownPlaceError(InputError):
    """No settlement has the name asked for; the closest ones are kept for suggestions.

    Attributes
    ----------
    name : str
        The name as asked (without the country after the comma).
    suggestions : tuple of (Place, float)
        The most populous settlement of each close name (of that country, if one was
        given) with how close the name is (0 to 1, :class:`difflib.SequenceMatcher`),
        closest first.

    Examples
    --------
    >>> try:
    ...     resolve_place("Vladivostk")
    ... except UnknownPlaceError as exc:
    ...     print([(p.name, p.country, round(score, 2)) for p, score in exc.suggestions])
    [('Vladivostok', 'RU', 0.95)]
    """

    def __init__(
        self, message: str, *, name: str = "", suggestions: tuple[tuple[Place, float], ...] = ()
    ) -> None:
        super().__init__(message)
        self.name = name
        self.suggestions = suggestions


def _fold(text: str) -> str:
    """Compare names without case or accents: 'Ussuriysk' == 'ussuriysk', 'Sŏul' == 'soul'."""
    if text.isascii():  # four names in five: nothing to decompose (2.5x faster over all of them)
        return text.casefold().strip()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _country_code(query: str, text: str) -> str:
    """Return the alpha-2 code the part after the comma names ("" if there is none)."""
    if not text:
        return ""
    try:
        return country_record(text).iso2
    except InputError as exc:
        raise type(exc)(
            f"place {query!r}: the part after the comma should name a country; {exc}"
        ) from None


def resolve_place(query: str, settlements: Any = None) -> Place:
    """Resolve a place name (or a lon,lat pair) to a :class:`Place`.

    Parameters
    ----------
    query : str
        ``"Name"``, ``"Name,Country"`` (the country by any code or name
        :func:`layers.country` accepts, to disambiguate: ``"Vladivostok,RU"``,
        ``"Vladivostok,Russia"``, ``"Moscow, RUS"``) or ``"lon,lat"`` in degrees.
    settlements : GeoDataFrame, optional
        Settlements with ``name``, ``country`` and ``population`` columns; by
        default ``layers.settlements()`` (GeoNames, shipped with riskmap).

    Returns
    -------
    Place
        The settlement chosen (with the runners-up and the number of matches), or the
        point. A settlement whose own name is the query is chosen over one found by a
        GeoNames alternate name, the most populous first, unless the alternate-name
        match has :data:`ALTERNATE_NAME_FACTOR` (100) times the people of every own-name
        match or more: ``"Alexandria"`` is Alexandria, EG, with Mashhad, IR (an
        alternate name) ranked after every Alexandria; ``"Zaporizhzhia"`` is the city
        GeoNames spells Zaporizhzhya (710,052 people), not the village of 656 of that
        own name.

    Raises
    ------
    InputError
        When nothing matches (the message suggests close names), or the part after
        the comma names no country or an ambiguous one.

    Examples
    --------
    >>> resolve_place("131.8869,43.1056").lonlat
    (131.8869, 43.1056)
    >>> resolve_place("Vladivostok,Russia") == resolve_place("Vladivostok,RU")
    True
    >>> from layers import settlements
    >>> place = resolve_place("Victoria", settlements())  # not Hong Kong, by an alternate name
    >>> place.describe(), place.matches, place.alternate_matches
    ('Victoria, CA (48.4359°N, 123.3516°W, population 289,625)', 35, 9)
    """
    if not isinstance(query, str):
        raise InputTypeError(
            f"place {query!r} is not a string; give a name like 'Vladivostok,RU' or 'lon,lat'"
        )
    match = _LONLAT_RE.match(query)
    if match:
        lon, lat = float(match.group(1)), float(match.group(2))
        check_lonlat(np.array([lon]), np.array([lat]), what=f"place {query!r}")
        return Place(name=f"{lon:g},{lat:g}", country="", lon=lon, lat=lat)
    name, _, country = query.partition(",")
    name, country = name.strip(), _country_code(query, country.strip())
    if not name:
        raise InputError(
            f"place {query!r} has no name; give one like 'Vladivostok' or 'Vladivostok,RU'"
        )
    if settlements is None:
        settlements = all_settlements(include_sections=True)
    candidates, by_alternate = _matches(settlements, _fold(name))
    if country:
        keep = candidates["country"].astype(str).str.upper().to_numpy() == country
        candidates, by_alternate = candidates[keep], by_alternate[keep]
    if candidates.empty:
        raise _no_match(query, name, country, settlements)
    ranked = _ranked(candidates, by_alternate, name)
    best, shown = ranked[0], ranked[1 : 1 + MAX_ALTERNATIVES]
    # The most populous place of that alternate name is shown too where it ranked after
    # them with more people: "Odessa" is Odessa, US (114,428) by its own name, and Odesa,
    # UA (1,010,537) by another.
    others = [p for p in ranked[1 + MAX_ALTERNATIVES :] if p.matched]
    others = [p for p in others if p.population > best.population]
    if others and not any(p.matched for p in (best, *shown)):
        shown.append(max(others, key=lambda p: p.population))
    return dataclasses.replace(
        best,
        alternatives=tuple(shown),
        matches=len(ranked),
        alternate_matches=int(by_alternate.sum()),
    )


def _ranked(candidates: Any, by_alternate: np.ndarray, name: str) -> list[Place]:
    """Rank the places a name matched: own names first, then alternate names.

    A place whose own name is the query comes before one found by an alternate name,
    each most populous first (a section of a city after the places of its rank with
    :data:`SECTION_FACTOR` times fewer people or more), unless the alternate-name match
    has at least :data:`ALTERNATE_NAME_FACTOR` times the people of every own-name match: GeoNames
    lists alternate names that are another city's name ("Alexandria" on Mashhad,
    "Victoria" on Hong Kong, "Salisbury" on Harare), but also a big city's other
    spelling that a village carries as its own ("Zaporizhzhia", 1,082 times).
    """
    pops = candidates["population"].to_numpy(dtype=float)
    pops = np.where(np.isfinite(pops), pops, 0.0)
    own_max = pops[~by_alternate].max() if (~by_alternate).any() else -np.inf
    tier = np.where(~by_alternate, 1, np.where(pops >= ALTERNATE_NAME_FACTOR * own_max, 0, 2))
    section = (
        candidates["section"].to_numpy(dtype=bool)
        if "section" in candidates.columns
        else np.zeros(len(pops), dtype=bool)
    )
    later = np.zeros(len(pops), dtype=bool)  # sections outranked by a place of their tier
    for t in np.unique(tier):
        whole = (tier == t) & ~section
        if whole.any():
            later |= (tier == t) & section & (pops < SECTION_FACTOR * pops[whole].max())
    order = np.lexsort((-pops, later, tier))  # by tier, sections after, most populous first
    return [_place(candidates.iloc[i], name if by_alternate[i] else "") for i in order]


def _fold_all(names: np.ndarray) -> np.ndarray:
    """Fold an array of names (a list comprehension: 3x faster than ``Series.map``)."""
    return np.array([_fold(str(n)) for n in names], dtype=object)


@lru_cache(maxsize=1)
def _default_names() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the packaged places' geonameids (sorted), their names and folded names.

    Folded once per process (about 0.2 s); a table of the packaged places, filtered or
    not, reuses the folded name of every row whose geonameid and name are the packaged ones.
    """
    data = all_settlements(include_sections=True)
    ids = data["geonameid"].to_numpy()
    order = np.argsort(ids, kind="stable")
    names = data["name"].to_numpy(dtype=object)[order]
    return ids[order], names, _fold_all(names)


def _folded_names(settlements: Any) -> np.ndarray:
    """Folded names of a table's rows: the packaged ones reused, any other name folded."""
    names = settlements["name"].astype(str).to_numpy(dtype=object)
    known = np.zeros(len(names), dtype=bool)
    out = np.empty(len(names), dtype=object)
    ids = settlements["geonameid"].to_numpy() if "geonameid" in settlements.columns else None
    if ids is not None and ids.dtype.kind in "iu" and len(ids):
        packaged_ids, packaged_names, packaged_folded = _default_names()
        pos = np.minimum(np.searchsorted(packaged_ids, ids), len(packaged_ids) - 1)
        known = (packaged_ids[pos] == ids) & (packaged_names[pos] == names)
        out[known] = packaged_folded[pos[known]]
    out[~known] = _fold_all(names[~known])
    return out


@lru_cache(maxsize=1)
def _alternates() -> tuple[np.ndarray, np.ndarray]:
    """Folded alternate names of the packaged places and their geonameids.

    Compared as a whole array on each lookup (about 1 ms for 157,127 names), rather
    than grouped into a dict once (2-8 s for 151,000 groups).
    """
    alt = alternate_names()
    return alt["alternate_name"].to_numpy(dtype=object), alt["geonameid"].to_numpy()


def _matches(settlements: Any, key: str) -> tuple[Any, np.ndarray]:
    """Rows whose name, or one of whose alternate names, folds to ``key``."""
    folded = _folded_names(settlements)
    own = folded == key
    other = np.zeros(len(settlements), dtype=bool)
    if "geonameid" in settlements.columns:
        names, ids = _alternates()
        by_alt = ids[names == key]
        if len(by_alt):
            other = np.isin(settlements["geonameid"].to_numpy(), by_alt) & ~own
    hit = own | other
    return settlements[hit], other[hit]


def _place(row: Any, matched: str) -> Place:
    geonameid = row.get("geonameid") if hasattr(row, "get") else None
    return Place(
        name=str(row["name"]),
        country=str(row["country"]),
        lon=float(row.geometry.x),
        lat=float(row.geometry.y),
        population=float(row["population"]),
        geonameid=None if geonameid is None or geonameid != geonameid else int(geonameid),
        matched=matched,
    )


def _no_match(query: str, name: str, country: str, settlements: Any) -> UnknownPlaceError:
    pool = (
        settlements if not country else settlements[settlements["country"].astype(str) == country]
    )
    ranked = pool.sort_values("population", ascending=False, kind="stable")
    first = ranked.drop_duplicates("name").head(20000)
    names = first["name"].astype(str).tolist()
    close = difflib.get_close_matches(name, names, n=4, cutoff=0.75)
    rows = {n: i for i, n in enumerate(names)}
    suggestions = tuple(
        (_place(first.iloc[rows[c]], ""), difflib.SequenceMatcher(None, name, c).ratio())
        for c in close
    )
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    where = f" in country {country}" if country else ""
    return UnknownPlaceError(
        f"place {query!r}: no settlement named {name!r}{where} in the settlements data{hint} "
        "(or give coordinates as 'lon,lat')",
        name=name,
        suggestions=suggestions,
    )
