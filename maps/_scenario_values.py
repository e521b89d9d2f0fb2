"""Values of a scenario file checked against what they name: tile sets, countries, points, ranges.

Each check raises :class:`Wrong` with what is wrong and a value that would be right;
:class:`maps._scenario_keys.Kind` turns it into a message naming the key, where it is
in the file and the fix, when the file is read, before any work is done.
"""

from __future__ import annotations

import difflib
import re

from geo.errors import InputError

__all__ = [
    "Wrong",
    "tile_set",
    "country_name",
    "point_text",
    "check_curve",
    "check_display_tolerance",
    "view_box",
]

#: The tile sets a scenario most often names, shown first in a message (any of
#: xyzservices' providers that needs no key is accepted).
COMMON_TILES = (
    "OpenStreetMap",
    "OpenTopoMap",
    "OpenStreetMap.HOT",
    "Esri.WorldTopoMap",
    "Esri.WorldImagery",
)

#: Most points a curve may have (curve_to / curve_step): a finer curve is no clearer.
MAX_CURVE_POINTS = 10_000

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_LONLAT = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*$")


class Wrong(Exception):
    """A value refused by a reader: what is wrong, and a value that would be right."""

    def __init__(self, problem: str, example: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.example = example


def _normal(name: str) -> str:
    """Return a tile set's name as xyzservices matches it: lower case, letters and digits only."""
    return "".join(c for c in name.lower() if c.isalnum())


def tile_set(value: str) -> str:
    """Return ``value`` if it names a tile set folium draws without a key, else raise.

    Folium takes any of xyzservices' providers by name (case and punctuation aside),
    and "OpenStreetMap"; a name it does not know would be taken as a tile URL and fail
    when the page is drawn, and a URL needs an attribution a scenario cannot give.

    Examples
    --------
    >>> tile_set("OpenTopoMap")
    'OpenTopoMap'
    >>> tile_set("openstretmap")
    Traceback (most recent call last):
    ...
    maps._scenario_values.Wrong: not a known tile set; did you mean "OpenStreetMap"? known: \
OpenStreetMap, OpenTopoMap, OpenStreetMap.HOT, Esri.WorldTopoMap, Esri.WorldImagery (or any \
xyzservices provider that needs no key), "" for none
    """
    import xyzservices.providers as providers

    known = (
        ", ".join(COMMON_TILES) + ' (or any xyzservices provider that needs no key), "" for none'
    )
    if "{" in value or "://" in value:
        raise Wrong(
            "a tile URL needs an attribution, which a scenario cannot give; name a tile set: "
            + known,
            '"OpenStreetMap"',
        )
    if _normal(value) == "openstreetmap":
        return value
    try:
        provider = providers.query_name(value)
    except ValueError:
        names = {_normal(n): n for n in providers.flatten()}
        names.update({_normal(n): n for n in COMMON_TILES})
        close = difflib.get_close_matches(_normal(value), list(names), n=1, cutoff=0.6)
        hint = f'did you mean "{names[close[0]]}"? ' if close else ""
        example = f'"{names[close[0]]}"' if close else '"OpenStreetMap"'
        raise Wrong(f"not a known tile set; {hint}known: {known}", example) from None
    if provider.requires_token():
        raise Wrong(
            f"the tile set {provider.name} needs an API key, which a scenario cannot give; "
            f"use one that needs none: {known}",
            '"OpenStreetMap"',
        )
    return value


def country_name(value: str) -> str:
    """Return ``value`` if it names one country (code or name, as ``layers.country``), else raise.

    Examples
    --------
    >>> country_name("Russia")
    'Russia'
    >>> country_name("Narnia")
    Traceback (most recent call last):
    ...
    maps._scenario_values.Wrong: unknown country 'Narnia'; did you mean 'Armenia' (AM, ARM) \
or 'Argentina' (AR, ARG) or 'Mauritania' (MR, MRT)?
    """
    from layers.countries import country

    try:
        country(value)
    except InputError as exc:
        raise Wrong(str(exc), '"RU"') from exc
    return value


def point_text(value: str) -> str:
    """Return ``value``; if it is written ``"lon,lat"``, check both are degrees in range.

    Examples
    --------
    >>> point_text("141.03,37.42"), point_text("Vladivostok,RU")
    ('141.03,37.42', 'Vladivostok,RU')
    >>> point_text("37.42,141.03")
    Traceback (most recent call last):
    ...
    maps._scenario_values.Wrong: a point is "lon,lat" in degrees, and latitude 141.03 is \
outside [-90, 90]; note the order, longitude first
    """
    match = _LONLAT.match(value)
    if match is None:
        return value
    lon, lat = (float(v) for v in match.groups())
    if not -180.0 <= lon <= 180.0:
        raise Wrong(
            f'a point is "lon,lat" in degrees, and longitude {lon:g} is outside [-180, 180]',
            '"141.03,37.42"',
        )
    if not -90.0 <= lat <= 90.0:
        swapped = -90.0 <= lon <= 90.0 and -180.0 <= lat <= 180.0
        raise Wrong(
            f'a point is "lon,lat" in degrees, and latitude {lat:g} is outside [-90, 90]'
            + ("; note the order, longitude first" if swapped else ""),
            f'"{lat:g},{lon:g}"' if swapped else '"141.03,37.42"',
        )
    return value


def check_curve(where: str, curve_to_m: float, step_m: float) -> None:
    """Refuse a curve from 0 to ``curve_to_m`` by ``step_m`` with no step, or too many points.

    Examples
    --------
    >>> check_curve("[overview]", 500_000.0, 5_000.0)
    >>> check_curve("[overview]", 100_000.0, 200_000.0)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: [overview]: curve_step = 200 km is more than curve_to = 100 km, \
so the curve has no step; write e.g. curve_step = "1km" (or a larger curve_to)
    """
    if step_m > curve_to_m:
        problem = (
            f"curve_step = {step_m / 1000:g} km is more than curve_to = {curve_to_m / 1000:g} km, "
            "so the curve has no step"
        )
    elif curve_to_m / step_m > MAX_CURVE_POINTS:
        problem = (
            f"curve_step = {step_m / 1000:g} km gives {curve_to_m / step_m:,.0f} points up to "
            f"curve_to = {curve_to_m / 1000:g} km, more than {MAX_CURVE_POINTS:,}"
        )
    else:
        return
    step = f"{curve_to_m / 100 / 1000:.3g}km"
    raise InputError(f'{where}: {problem}; write e.g. curve_step = "{step}" (or a larger curve_to)')


def view_box(west: float, south: float, east: float, north: float) -> tuple[float, ...]:
    """Return a view written ``[west, south, east, north]`` with east past 180 if it crosses.

    A west greater than the east is a view across the antimeridian: its east is given
    360° on, as Leaflet (which takes longitudes past 180) fits it. Such a view wider
    than 180° is refused: the two longitudes are more likely swapped.

    Examples
    --------
    >>> view_box(170, 60, -170, 70)
    (170.0, 60.0, 190.0, 70.0)
    >>> view_box(10, 60, 10, 70)
    Traceback (most recent call last):
    ...
    maps._scenario_values.Wrong: west = 10 is east = 10: the view has no width; give two \
longitudes (a west greater than the east crosses the antimeridian)
    """
    w, s, e, n = (float(v) for v in (west, south, east, north))
    example = "[124.0, 37.0, 135.0, 45.0]"
    if not (-180 <= w <= 180 and -180 <= e <= 180):
        raise Wrong(f"west = {w:g} and east = {e:g} must be longitudes in [-180, 180]", example)
    if w == e:
        raise Wrong(
            f"west = {w:g} is east = {e:g}: the view has no width; give two longitudes "
            "(a west greater than the east crosses the antimeridian)",
            example,
        )
    if not (-90 <= s < n <= 90):
        raise Wrong(
            f"south = {s:g} is not below north = {n:g} in [-90, 90]; note the order "
            "[west, south, east, north]",
            example,
        )
    if w > e and e + 360.0 - w > 180.0:  # more likely the two swapped than such a view
        raise Wrong(
            f"west = {w:g} is east of east = {e:g}: a view across the antimeridian "
            f"{e + 360.0 - w:g}° wide; a view across 180° is at most 180° wide, so the two "
            f"look swapped: write [{e:g}, {s:g}, {w:g}, {n:g}]",
            f"[{e:g}, {s:g}, {w:g}, {n:g}]",
        )
    return (w, s, e + 360.0 if w > e else e, n)


#: Largest display tolerance: beyond it what is drawn moves by more than many radii.
MAX_DISPLAY_TOLERANCE_M = 10_000.0


def check_display_tolerance(where: str, tolerance_m: float) -> None:
    """Refuse a display tolerance over :data:`MAX_DISPLAY_TOLERANCE_M` (10 km).

    Examples
    --------
    >>> check_display_tolerance("[map]", 200.0)
    >>> check_display_tolerance("[map]", 2e7)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: [map]: tolerance = 20000 km moves what is drawn by up to that, \
more than 10 km (numbers use the full geometry whatever it is); write e.g. tolerance = "200m"
    """
    if tolerance_m > MAX_DISPLAY_TOLERANCE_M:
        raise InputError(
            f"{where}: tolerance = {tolerance_m / 1000:g} km moves what is drawn by up to that, "
            f"more than {MAX_DISPLAY_TOLERANCE_M / 1000:g} km (numbers use the full geometry "
            'whatever it is); write e.g. tolerance = "200m"'
        )
