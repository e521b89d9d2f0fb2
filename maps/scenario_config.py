"""Scenario files read into typed, frozen configuration, checked once before anything runs.

A scenario file is TOML. :func:`parse_scenario` turns its content into a
:class:`Scenario`: a ``[map]`` (:class:`MapOptions`), ``[[distance]]`` claims
(:class:`DistanceClaim`), ``[[exposure]]`` claims (:class:`ExposureClaim`) and an
``[overview]`` (:class:`OverviewOptions`). Every field says which key it is read
from, how that key is written (its kind), its unit and its default; the reference
``docs/scenario.md`` is generated from them by :func:`scenario_reference`, and a test
keeps the two equal. To regenerate it::

    python -c "import maps.scenario_config as c; print(c.scenario_reference(), end='')" \
        > docs/scenario.md

A key or section riskmap does not know is refused with the nearest valid name, and a
value of the wrong kind with the key, where it is and how to write it: a misspelt
``[overveiw]`` or ``raduis`` never goes unnoticed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import InputError, InputTypeError
from layers import DEFAULT_BOUNDARY, BoundaryVariant
from maps._scenario_keys import (
    BOUNDS,
    BY,
    COLUMN,
    COUNTRIES,
    COUNTRY,
    CRS_TEXT,
    DISTANCE,
    DISTANCES,
    FILE,
    FILE_STEM,
    FLAG,
    LENGTH,
    PEOPLE,
    PEOPLE_TOLERANCE,
    PLACE,
    POPULATIONS,
    RADII,
    SOURCE,
    TEXT,
    TILES,
    TOLERANCE,
    VARIANT,
    VARIANTS,
    Kind,
    Tolerance,
    Where,
    config_field,
    documented,
    toml_text,
)
from maps._scenario_reference import reference
from maps._scenario_sections import (
    Section,
    bounds_in_order,
    one_claim,
    read_document,
    section_field,
    tolerance_below,
)
from maps._scenario_values import MAX_CURVE_POINTS, check_curve, check_display_tolerance

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "Kind",
    "Tolerance",
    "MapOptions",
    "DistanceClaim",
    "ExposureClaim",
    "OverviewOptions",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "read_scenario",
    "scenario_reference",
]


# -- the sections ------------------------------------------------------------------------


@documented
@dataclass(frozen=True, kw_only=True)
class MapOptions(Section):
    """``[map]``: how the map looks.

    Examples
    --------
    >>> parse_scenario({"map": {"rings": ["50km", "200km"]}}).map.rings_m
    (50000.0, 200000.0)
    >>> parse_scenario({"map": {"rings": [50]}})
    Traceback (most recent call last):
    ...
    geo.errors.InputError: rings = [50] in [map]: item 1, 50: a distance needs its unit \
(m, km, mi, nmi); write rings = ["50km"]
    """

    tiles: str | None = config_field("tiles", TILES, "Background tiles.", "OpenStreetMap")
    tolerance_m: float = config_field(
        "tolerance",
        DISTANCE,
        "Display simplification: no vertex drawn moves more than this (at most 10 km); "
        "numbers use the full geometry.",
        "200m",
    )
    rings_m: tuple[float, ...] = config_field(
        "rings",
        DISTANCES,
        "Distance bands drawn around the map's subject: the `[overview]`'s source, else each "
        "`[[exposure]]`'s (sites get their own ranges).",
        [],
    )
    context: tuple[str, ...] = config_field(
        "context",
        COUNTRIES,
        "Neighbours drawn grey (Natural Earth), cut to the view, so the map reads without tiles.",
        [],
    )
    bounds: tuple[float, float, float, float] | None = config_field(
        "bounds",
        BOUNDS,
        "Initial view; default the extent of the subject and what is drawn. A west greater "
        "than the east is a view across the antimeridian (±180°), drawn with both sides in it.",
        None,
    )
    self_contained: bool = config_field(
        "self_contained",
        FLAG,
        "Inline the page's JavaScript and CSS, so that it opens with no network (tiles aside); "
        "false links Leaflet and its plugins from their CDNs.",
        True,
    )

    def _check(self, where: Where, given: set[str]) -> None:
        check_display_tolerance(f"{where}{where.detail}", self.tolerance_m)


@documented
@dataclass(frozen=True, kw_only=True)
class DistanceClaim(Section):
    """``[[distance]]``: a claim that two places are about, more or less than a distance apart.

    One of ``about`` (with its ``tolerance``), ``more_than`` and ``less_than`` (or both:
    between the two) is the claim.

    Examples
    --------
    >>> claim, = parse_scenario(
    ...     {"distance": [{"from": "Vladivostok,RU", "to": "Pyongyang,KP", "about": "700km"}]}
    ... ).distances
    >>> claim.origin, claim.about_m, claim.tolerance.of(claim.about_m)
    ('Vladivostok,RU', 700000.0, 35000.0)
    >>> claim, = parse_scenario(
    ...     {"distance": [{"from": "Vladivostok,RU", "to": "Pyongyang,KP", "less_than": "700km"}]}
    ... ).distances
    >>> claim.less_than_m, claim.about_m
    (700000.0, None)
    """

    claim: str | None = config_field(
        "claim", TEXT, "The claim as quoted; default `<from> is about <about> from <to>`.", None
    )
    origin: str = config_field("from", PLACE, "One end.")
    destination: str = config_field("to", PLACE, "The other end.")
    about_m: float | None = config_field(
        "about", DISTANCE, "The distance claimed (WGS84 geodesic), within `tolerance`.", None
    )
    more_than_m: float | None = config_field(
        "more_than", DISTANCE, "The claim: farther apart than this (strictly).", None
    )
    less_than_m: float | None = config_field(
        "less_than", DISTANCE, "The claim: closer than this (strictly).", None
    )
    tolerance: Tolerance = config_field(
        "tolerance",
        TOLERANCE,
        "How far the distance may be from `about` and agree (only with `about`).",
        "5%",
    )

    def _check(self, where: Where, given: set[str]) -> None:
        if not given & {"about", "more_than", "less_than"}:
            raise InputError(
                f'{where}{where.detail} claims nothing; add about = "700km", '
                'more_than = "500km" or less_than = "800km"'
            )
        one_claim(where, given, "distance")
        bounds_in_order(where, self.more_than_m, self.less_than_m, lambda m: f"{m / 1000:g} km")
        tolerance_below(where, self.tolerance, self.about_m, lambda m: f"{m / 1000:g} km")


_ALL_VARIANTS = ["osm-sea", "osm-land", "naturalearth"]
_AROUND = "the key is 'around' now, which takes every kind of source; write around = {joined}"


@documented
@dataclass(frozen=True, kw_only=True)
class ExposureClaim(Section):
    """``[[exposure]]``: who lives within a radius of a source, and a claim about it.

    Exactly one of ``around`` (a country, border, admin-1 region, place, point or
    file) and ``sites`` (a table of sites, each with its own ranges from ``range``, or
    all at ``radius``) names what the radius is measured from. The claim, if any, is
    ``more_than`` and/or ``less_than`` a number of people, or ``about`` one within
    ``tolerance``; it is checked on every boundary variant, at one radius (for
    ``sites``, on the people within range of at least one site, each counted once).
    Without a claim the numbers are reported.

    Examples
    --------
    >>> claim, = parse_scenario({"exposure": [
    ...     {"around": "KP", "country": "RU", "radius": "200km", "more_than": 1_000_000}
    ... ]}).exposures
    >>> claim.around, claim.radii_m, claim.more_than
    ('KP', (200000.0,), 1000000.0)
    >>> parse_scenario({"exposure": [
    ...     {"around": "KP", "country": "RU", "raduis": "200km", "more_than": 1_000_000}
    ... ]})
    Traceback (most recent call last):
    ...
    geo.errors.InputError: unknown key 'raduis' in [[exposure]] (entry 1); did you mean \
'radius'? valid: 'claim', 'subject', 'around', 'sites', 'range', 'crs', 'boundaries', \
'with_sections', 'populations', 'country', 'by', 'radius', 'more_than', 'less_than', \
'about', 'tolerance'
    """

    renamed = {"territory": _AROUND, "border": _AROUND}

    claim: str | None = config_field(
        "claim",
        TEXT,
        "The claim as quoted; default `more than <more_than> residents of <country> within "
        "<radius> of <around>`.",
        None,
    )
    subject: str | None = config_field(
        "subject",
        TEXT,
        'What the source is called in the report and on the map (`"Fukushima Daiichi"` for '
        "a point); default its own name.",
        None,
    )
    around: str | None = config_field(
        "around", SOURCE, "Measure from this source (or give `sites`).", None
    )
    sites: str | None = config_field(
        "sites",
        FILE,
        "Measure from each site of this table, at its own ranges (`range`) or at `radius`.",
        None,
    )
    range_column: str | None = config_field(
        "range",
        COLUMN,
        'Column of `sites` holding each site\'s range(s): `"30km"`, `"20km; 80km"`, or '
        "numbers in a column named with its unit (`range_km`, `radius_nmi`).",
        None,
    )
    crs: str | None = config_field(
        "crs",
        CRS_TEXT,
        "CRS of the coordinate columns of a CSV (`sites`, or a CSV `around`); other files "
        "carry theirs.",
        None,
    )
    boundaries: tuple[BoundaryVariant, ...] | None = config_field(
        "boundaries",
        VARIANTS,
        "A country's territory drawn each of these ways; the claim is checked on each. "
        f"Default, for a country: `{toml_text(_ALL_VARIANTS)}`.",
        None,
    )
    with_sections: bool = config_field(
        "with_sections",
        FLAG,
        "Also count with the places GeoNames lists apart from the city that holds them "
        "(districts, merged towns: `section` in the settlements), as a raw sum would.",
        False,
    )
    populations: tuple[str, ...] | None = config_field(
        "populations",
        POPULATIONS,
        "Count with each of these population sources (checked when the file is read; grids "
        "read from the cache, never downloaded by a run): a row per source and boundary "
        "variant, the low / median / high, the claim judged on every row counted; a grid not "
        "in the cache is one line with the `riskmap data fetch` command. Default: settlements.",
        None,
    )
    country: str | None = config_field(
        "country",
        COUNTRY,
        "Count only the residents of this country; default everyone (a country's or "
        "region's own residents aside).",
        None,
    )
    by: tuple[str, ...] = config_field(
        "by",
        BY,
        "Also report the people by country, admin-1 region (ISO 3166-2, never merged across "
        "countries) or both, at every radius.",
        [],
    )
    radii_m: tuple[float, ...] | None = config_field(
        "radius",
        RADII,
        "Distance(s) from the source; required unless `sites` has a `range`. A claim is "
        "about one radius.",
        None,
    )
    more_than: float | None = config_field(
        "more_than", PEOPLE, "The claim: more people than this (strictly).", None
    )
    less_than: float | None = config_field(
        "less_than", PEOPLE, "The claim: fewer people than this (strictly).", None
    )
    about: float | None = config_field(
        "about", PEOPLE, "The claim: about this many people, within `tolerance`.", None
    )
    tolerance: Tolerance = config_field(
        "tolerance",
        PEOPLE_TOLERANCE,
        "How far the number may be from `about` and agree (only with `about`).",
        "5%",
    )

    @property
    def radius_m(self) -> float:
        """The largest radius asked, in metres (NaN for sites at their own ranges)."""
        return max(self.radii_m) if self.radii_m else float("nan")

    @property
    def claims(self) -> bool:
        """Whether the entry makes a claim (``more_than``, ``less_than`` or ``about``)."""
        return any(v is not None for v in (self.more_than, self.less_than, self.about))

    def _check(self, where: Where, given: set[str]) -> None:
        at = f"{where}{where.detail}"
        if (self.around is None) == (self.sites is None):
            which = "both" if self.around is not None else "neither"
            raise InputError(
                f"{at} has {which} of 'around' and 'sites'; give one: around = \"KP\" (a "
                'country, a border "KP-RU", a region, a place, "lon,lat" or a file) or '
                'sites = "plants.csv"'
            )
        if self.sites is None and "range" in given:
            raise InputError(
                f"{at} has a 'range' column but no 'sites'; range names the column of a "
                "sites table: add sites, or give radius"
            )
        if self.sites is not None and ("range" in given) == ("radius" in given):
            raise InputError(
                f"{at}: sites = {toml_text(self.sites)} needs its ranges, once: range = "
                '"range_km" (the column of each site\'s range) or radius = "30km" for every '
                "site (" + ("both are" if "range" in given else "neither is") + " given)"
            )
        if self.sites is None and "radius" not in given:
            raise InputError(f"{at} has no 'radius'; add e.g. radius = \"200km\"")
        csv_around = self.around is not None and self.around.lower().endswith(".csv")
        if "crs" in given and self.sites is None and not csv_around:
            raise InputError(
                f"{at} has a 'crs' for around = {toml_text(self.around)}; crs is the CRS of "
                "a CSV's coordinate columns (sites, or a CSV around): remove it"
            )
        if self.sites is not None and self.populations is not None:
            raise InputError(f"{at}: populations is for around; sites count the settlements")
        one_claim(where, given, "number of people")
        bounds_in_order(where, self.more_than, self.less_than, lambda n: f"{n:,.0f}")
        tolerance_below(where, self.tolerance, self.about, lambda n: f"{n:,.0f}")
        if self.claims and self.radii_m is not None and len(self.radii_m) > 1:
            raise InputError(
                f"{at} makes a claim at {len(self.radii_m)} radii; a claim is about one "
                "radius: give one, or one [[exposure]] per claim (without a claim, the "
                "numbers at every radius are reported)"
            )


@documented
@dataclass(frozen=True, kw_only=True)
class OverviewOptions(Section):
    """``[overview]``: population by country within a radius of a source, and the curve.

    Examples
    --------
    >>> overview = parse_scenario({"overview": {"around": "KP"}}).overview
    >>> overview.boundary.name, overview.radius_m, overview.curve_to_m, overview.curve_step_m
    ('osm-land', 200000.0, 500000.0, 5000.0)
    """

    renamed = {"territory": _AROUND}

    around: str = config_field("around", SOURCE, "The source measured from.")
    boundary: BoundaryVariant = config_field(
        "boundary", VARIANT, "How a country's territory is drawn.", DEFAULT_BOUNDARY
    )
    radius_m: float = config_field("radius", LENGTH, "Radius of the table by country.", "200km")
    countries: tuple[str, ...] = config_field(
        "countries",
        COUNTRIES,
        "Countries of residence in the table and the curve; default the six most populous.",
        [],
    )
    curve_to_m: float = config_field(
        "curve_to", LENGTH, "The curve runs from 0 to this distance.", "500km"
    )
    curve_step_m: float = config_field(
        "curve_step",
        LENGTH,
        f"Spacing of the population-by-distance curve, up to {MAX_CURVE_POINTS:,} points "
        "(all of them in `ScenarioResult.overview.curve`); the printed report thins it to "
        "about every 50 km: every n-th distance, and the last.",
        "5km",
    )

    def _check(self, where: Where, given: set[str]) -> None:
        check_curve(f"{where}{where.detail}", self.curve_to_m, self.curve_step_m)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A scenario file: its title, the claims it checks, its overview and its map.

    Examples
    --------
    >>> scenario = parse_scenario({
    ...     "title": "Summit",
    ...     "distance": [{"from": "Vladivostok,RU", "to": "Pyongyang,KP", "about": "700km"}],
    ...     "map": {"tolerance": "100m"},
    ... })
    >>> scenario.title, len(scenario.distances), scenario.map.tolerance_m, scenario.overview
    ('Summit', 1, 100.0, None)
    """

    title: str = config_field("title", TEXT, "Title of the report and the map.", "riskmap scenario")
    name: str = config_field(
        "name",
        FILE_STEM,
        "Stem of the files written in the output folder (`<name>.html`, `<name>.png`).",
        "scenario",
    )
    map: MapOptions = section_field(
        "map", MapOptions, "How the map looks.", array=False, default=MapOptions()
    )
    distances: tuple[DistanceClaim, ...] = section_field(
        "distance", DistanceClaim, "Distance claims, one table each.", array=True, default=()
    )
    exposures: tuple[ExposureClaim, ...] = section_field(
        "exposure", ExposureClaim, "Exposure claims, one table each.", array=True, default=()
    )
    overview: OverviewOptions | None = section_field(
        "overview", OverviewOptions, "Who lives near the territory.", array=False, default=None
    )

    @classmethod
    def read(
        cls, data: Mapping[str, Any], *, file: str | None = None, folder: Path | None = None
    ) -> Scenario:
        """Read a scenario's content (a TOML document as a dict); see :func:`parse_scenario`."""
        return cls(**read_document(cls, data, file=file, folder=folder))


# -- reading files -------------------------------------------------------------------------


def load_scenario(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a scenario TOML file and return its content as a dict (``tomllib``), unchecked.

    Parameters
    ----------
    path : str or path-like
        The ``.toml`` file.

    Returns
    -------
    dict
        The TOML document; :func:`parse_scenario` checks and types it.

    Examples
    --------
    >>> import maps
    >>> from pathlib import Path
    >>> path = Path(maps.__file__).parents[1] / "examples" / "summit_2019.toml"
    >>> load_scenario(path)["name"]
    'summit_2019'
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(
            f"scenario file {str(p)!r} does not exist; give the path of a .toml scenario"
        )
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"scenario file {str(p)!r} is not valid TOML: {exc}") from exc


def parse_scenario(
    data: Mapping[str, Any],
    *,
    file: str | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> Scenario:
    """Check a scenario's content and return it as a typed :class:`Scenario`.

    Parameters
    ----------
    data : mapping
        A TOML document as a dict (from :func:`load_scenario` or written in Python).
    file : str, optional
        Where it comes from, named in error messages.
    folder : path, optional
        The folder files named in it (``around = "zone.geojson"``, ``sites``) are
        relative to; default the current folder.

    Returns
    -------
    Scenario
        Distances in metres, populations in people, boundary variants resolved, files
        as paths from here.

    Raises
    ------
    InputError
        An unknown key or section (the message names the nearest valid one), a missing
        key, or a value of the wrong kind (the message says how to write it).
    InputTypeError
        If ``data`` is not a mapping.

    Examples
    --------
    >>> parse_scenario({"overveiw": {"territory": "KP"}})
    Traceback (most recent call last):
    ...
    geo.errors.InputError: unknown section [overveiw]; did you mean [overview]? valid: title, \
name, [map], [[distance]], [[exposure]], [overview]
    """
    if not isinstance(data, Mapping):
        raise InputTypeError(f"scenario of type {type(data).__name__} is not a TOML path or a dict")
    return Scenario.read(data, file=file, folder=Path(folder) if folder is not None else None)


def read_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and check a scenario file: :func:`load_scenario`, then :func:`parse_scenario`.

    Parameters
    ----------
    path : str or path-like
        The ``.toml`` file.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> import maps
    >>> from pathlib import Path
    >>> scenario = read_scenario(Path(maps.__file__).parents[1] / "examples" / "summit_2019.toml")
    >>> [claim.radii_m for claim in scenario.exposures]
    [(200000.0,), (200000.0,)]
    """
    return parse_scenario(load_scenario(path), file=Path(path).name, folder=Path(path).parent)


# -- the reference ---------------------------------------------------------------------------


def scenario_reference() -> str:
    """Return the reference of the scenario format (``docs/scenario.md``), in Markdown.

    Every section and key with its kind, unit and default, read from the fields of
    :class:`Scenario` and its sections, so that the reference cannot drift from the
    code that reads the files; then an example of each kind of source.

    Returns
    -------
    str
        Markdown.

    Examples
    --------
    >>> text = scenario_reference()
    >>> '| `around` | source |  | none |' in text
    True
    """
    return reference(Scenario)
