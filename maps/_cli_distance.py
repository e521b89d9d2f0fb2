"""``riskmap distance A B``: between two places, or from a place to an area.

Each end is resolved as ``riskmap exposure --around`` resolves it
(:func:`layers.resolve_source`): a country code or name is its territory, never a
settlement that happens to share the letters (``KP`` is North Korea, not Kep, KH). Two
points are measured with :func:`geo.distance`; a point and an area (a territory, a
border, an admin-1 region, a file's features) with :func:`geo.distance_to`, exact, the
nearest point of the area printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from typing import Any

import shapely

import geo
import layers
from geo.errors import InputError
from layers.places import degrees_text

__all__ = ["cmd_distance"]

METHOD = "WGS84 ellipsoid geodesic (pyproj Geod, Karney's algorithm)"
AREA_METHOD = (
    "exact WGS84 geodesic distance to the nearest point of the area (geo.distance_to; 0 inside it)"
)
_LONLAT = re.compile(r"\s*[-+.\d]+\s*,\s*[-+.\d]+\s*")
_POINTS = ("place", "point")
#: A region asked for as such: by its ISO 3166-2 code or with the ``region:`` prefix.
_REGION_ASKED = re.compile(r"\s*(region:|[A-Za-z]{2}-[A-Za-z0-9]{1,3}\s*$)", re.I)


def _resolve(text: str, settlements: Any) -> Any:
    """Resolve one end; a region's name that a settlement is also known by is the settlement.

    ``Zaporizhzhia`` is the oblast by its own name and the city by an alternate one: a
    distance is between places, so the city is taken and the region named in a note.
    """
    source = layers.resolve_source(text, settlements=settlements)
    if source.kind != "region" or _REGION_ASKED.match(text):
        return source
    try:
        place = layers.resolve_source(f"place:{text}", settlements=settlements)
    except InputError:
        return source
    note = (
        f"{text!r} is also the admin-1 region {source.name}; the settlement was taken; "
        f"write 'region:{text.strip()}' for the region"
    )
    return dataclasses.replace(place, note=note)


def _print_place(label: str, source: Any) -> None:
    place = source.place
    print(f"{label} {place.describe()}")
    if place.describe_choice():  # a name that matched several places says so
        print(f"      ({place.describe_choice()})")


def _to_area(point: Any, area: Any) -> tuple[float, tuple[float, float]]:
    """Return metres from a place to an area and the area's nearest point (lon, lat)."""
    geometry = shapely.union_all(area.data.geometry.values)
    index = geo.DistanceIndex(geometry)
    metres = float(index.distance_to(point.place.lonlat))
    if index.inside(point.place.lonlat):
        return metres, point.place.lonlat
    _, foot = index.nearest_points([point.place.lonlat])
    return metres, (float(foot[0, 0]), float(foot[0, 1]))


def _area_words(point: Any, area: Any, metres: float, foot: tuple[float, float]) -> str:
    if metres == 0 and foot == point.place.lonlat:
        return f"{area.label}: {point.place.name} is inside it"
    lon, lat = foot
    return f"the nearest point of {area.label}, at {lon:.4f},{lat:.4f} ({degrees_text(lon, lat)})"


def cmd_distance(args: argparse.Namespace) -> int:
    """Run ``riskmap distance A B``; print what was measured and the distance.

    Parameters
    ----------
    args : argparse.Namespace
        ``a``, ``b`` (what ``--around`` takes) and ``json``.

    Returns
    -------
    int
        0.

    Examples
    --------
    >>> ns = argparse.Namespace(a="131.8869,43.1056", b="125.7625,39.0392", json=False)
    >>> cmd_distance(ns)
    from: 131.887,43.1056 (43.1056°N, 131.8869°E)
    to:   125.763,39.0392 (39.0392°N, 125.7625°E)
    distance: 684.393 km (369.5 nmi), WGS84 ellipsoid geodesic (pyproj Geod, Karney's algorithm)
    0
    """
    settlements = None
    if not all(_LONLAT.fullmatch(q) for q in (args.a, args.b)):
        settlements = layers.settlements()
    a, b = _resolve(args.a, settlements), _resolve(args.b, settlements)
    for src, text in ((a, args.a), (b, args.b)):
        if src.note:  # on stderr: the three lines of the answer stay three
            print(f"note: {src.note}", file=sys.stderr)
        if src.kind in _POINTS and src.place is None:  # pragma: no cover - a Source's promise
            raise InputError(f"{text!r} resolved to no point")
    if a.kind in _POINTS and b.kind in _POINTS:
        return _point_to_point(a, b, args.json)
    if a.kind not in _POINTS and b.kind not in _POINTS:
        raise InputError(
            f"riskmap distance {args.a!r} {args.b!r}: both ends are areas ({a.kind} "
            f"{a.name}, {b.kind} {b.name}); give a place or 'lon,lat' as one end, e.g. "
            f"riskmap distance Vladivostok {args.b!r}"
        )
    point, area = (a, b) if a.kind in _POINTS else (b, a)
    metres, foot = _to_area(point, area)
    ends = [_end_words(point, area, metres, foot), _place_words(point)]
    if point is a:  # from = the first argument, as the user wrote them
        ends.reverse()
    if args.json:
        records = [ends[0][1], ends[1][1]]
        out = {"from": records[0], "to": records[1], "distance_m": metres, "method": AREA_METHOD}
        print(json.dumps(out))
        return 0
    print(f"from: {ends[0][0]}")
    print(f"to:   {ends[1][0]}")
    print(f"distance: {metres / 1000:,.3f} km ({metres / 1852:,.1f} nmi), {AREA_METHOD}")
    return 0


def _place_words(point: Any) -> tuple[str, dict[str, Any]]:
    """Return the place end: its line (and the choice made, on the next line), its record."""
    choice = point.place.describe_choice()
    text = point.place.describe() + (f"\n      ({choice})" if choice else "")
    return text, point.place.to_dict()


def _end_words(point: Any, area: Any, metres: float, foot: tuple[float, float]) -> Any:
    """Return the area end: its line and its record (kind, name, nearest point)."""
    record = {"kind": area.kind, "name": area.label, "nearest_point": list(foot)}
    return _area_words(point, area, metres, foot), record


def _point_to_point(a: Any, b: Any, as_json: bool) -> int:
    d = float(geo.distance(a.place.lonlat, b.place.lonlat))
    if as_json:
        print(
            json.dumps(
                {
                    "from": a.place.to_dict(),
                    "to": b.place.to_dict(),
                    "distance_m": d,
                    "method": METHOD,
                }
            )
        )
        return 0
    _print_place("from:", a)
    _print_place("to:  ", b)
    print(f"distance: {d / 1000:,.3f} km ({d / 1852:,.1f} nmi), {METHOD}")
    return 0
