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

import dataclasses
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import InputError, InputTypeError
from layers import DEFAULT_BOUNDARY, BoundaryVariant
from maps._scenario_keys import (
    BORDER,
    BOUNDS,
    COUNTRIES,
    COUNTRY,
    DISTANCE,
    DISTANCES,
    FILE_STEM,
    FLAG,
    PEOPLE,
    PLACE,
    REQUIRED,
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
    unknown,
)

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


class _Section:
    """Reading a table of the file into a dataclass whose fields name their keys."""

    @classmethod
    def read(cls, table: Any, where: Where) -> Any:
        if not isinstance(table, Mapping):
            raise InputError(f"{where}{where.detail} is {toml_text(table)}, not a table of keys")
        spec = {f.metadata["key"]: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        for key in table:
            if key not in spec:
                valid = {k: repr(k) for k in spec}
                raise unknown("key", key, repr(key), valid, f" in {where}{where.detail}")
        values = {}
        for key, f in spec.items():
            if key in table:
                values[f.name] = f.metadata["kind"].read(table[key], key, where)
            elif f.metadata["default"] is REQUIRED:
                raise InputError(
                    f"{where} has no {key!r}{where.detail}; add it to the scenario file "
                    f"(keys given: {sorted(table)})"
                )
        config = cls(**values)
        config._check(where)
        return config

    def _check(self, where: Where) -> None:
        """Check the keys together (each one alone is checked as it is read)."""


@documented
@dataclass(frozen=True, kw_only=True)
class MapOptions(_Section):
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
        "Display simplification: no vertex drawn moves more than this; numbers use the "
        "full geometry.",
        "200m",
    )
    rings_m: tuple[float, ...] = config_field(
        "rings", DISTANCES, "Distance bands drawn around the `[overview]` territory.", []
    )
    context: tuple[str, ...] = config_field(
        "context",
        COUNTRIES,
        "Neighbours drawn grey (Natural Earth), cut to the view, so the map reads without tiles.",
        [],
    )
    bounds: tuple[float, float, float, float] | None = config_field(
        "bounds", BOUNDS, "Initial view; default the extent of what is drawn.", None
    )
    self_contained: bool = config_field(
        "self_contained",
        FLAG,
        "Inline the page's JavaScript and CSS, so that it opens with no network (tiles aside); "
        "false links Leaflet and its plugins from their CDNs.",
        True,
    )


@documented
@dataclass(frozen=True, kw_only=True)
class DistanceClaim(_Section):
    """``[[distance]]``: a claim that two places are about a distance apart.

    Examples
    --------
    >>> claim, = parse_scenario(
    ...     {"distance": [{"from": "Vladivostok,RU", "to": "Pyongyang,KP", "about": "700km"}]}
    ... ).distances
    >>> claim.origin, claim.about_m, claim.tolerance.of(claim.about_m)
    ('Vladivostok,RU', 700000.0, 35000.0)
    """

    claim: str | None = config_field(
        "claim", TEXT, "The claim as quoted; default `<from> is about <about> from <to>`.", None
    )
    origin: str = config_field("from", PLACE, "One end.")
    destination: str = config_field("to", PLACE, "The other end.")
    about_m: float = config_field("about", DISTANCE, "The distance claimed (WGS84 geodesic).")
    tolerance: Tolerance = config_field(
        "tolerance", TOLERANCE, "How far the distance may be from the claim and agree.", "5%"
    )


_ALL_VARIANTS = ["osm-sea", "osm-land", "naturalearth"]


@documented
@dataclass(frozen=True, kw_only=True)
class ExposureClaim(_Section):
    """``[[exposure]]``: a claim that more than a number of people live within a radius.

    Exactly one of ``territory`` and ``border`` names what the radius is measured from.

    Examples
    --------
    >>> claim, = parse_scenario({"exposure": [
    ...     {"territory": "KP", "country": "RU", "radius": "200km", "more_than": 1_000_000}
    ... ]}).exposures
    >>> [v.name for v in claim.boundaries], claim.radius_m, claim.more_than
    (['osm-sea', 'osm-land', 'naturalearth'], 200000.0, 1000000.0)
    >>> parse_scenario({"exposure": [
    ...     {"territory": "KP", "country": "RU", "raduis": "200km", "more_than": 1_000_000}
    ... ]})
    Traceback (most recent call last):
    ...
    geo.errors.InputError: unknown key 'raduis' in [[exposure]] (entry 1); did you mean \
'radius'? valid: 'claim', 'territory', 'border', 'boundaries', 'with_sections', 'country', \
'radius', 'more_than'
    """

    claim: str | None = config_field(
        "claim",
        TEXT,
        "The claim as quoted; default `more than <more_than> residents of <country> within "
        "<radius> of <territory>`.",
        None,
    )
    territory: str | None = config_field(
        "territory", COUNTRY, "Measure from this country's territory (or give `border`).", None
    )
    border: tuple[str, str] | None = config_field(
        "border", BORDER, "Measure from the border line between two countries.", None
    )
    boundaries: tuple[BoundaryVariant, ...] = config_field(
        "boundaries",
        VARIANTS,
        "The territory drawn each of these ways; the claim is checked on each.",
        _ALL_VARIANTS,
    )
    with_sections: bool = config_field(
        "with_sections",
        FLAG,
        "Also count with the places GeoNames lists apart from the city that holds them "
        "(districts, merged towns: `section` in the settlements), as a raw sum would.",
        False,
    )
    country: str = config_field("country", COUNTRY, "Country of residence of the people counted.")
    radius_m: float = config_field("radius", DISTANCE, "Distance from the territory or border.")
    more_than: float = config_field("more_than", PEOPLE, "The number claimed (strictly more than).")

    def _check(self, where: Where) -> None:
        if (self.territory is None) == (self.border is None):
            given = "both" if self.territory is not None else "neither"
            raise InputError(
                f"{where}{where.detail} has {given} of 'territory' and 'border'; give one: "
                'territory = "KP" or border = ["KP", "RU"]'
            )


@documented
@dataclass(frozen=True, kw_only=True)
class OverviewOptions(_Section):
    """``[overview]``: population by country within a radius of a territory, and the curve.

    Examples
    --------
    >>> overview = parse_scenario({"overview": {"territory": "KP"}}).overview
    >>> overview.boundary.name, overview.radius_m, overview.curve_to_m, overview.curve_step_m
    ('osm-land', 200000.0, 500000.0, 5000.0)
    """

    territory: str = config_field("territory", COUNTRY, "The territory measured from.")
    boundary: BoundaryVariant = config_field(
        "boundary", VARIANT, "How the territory is drawn.", DEFAULT_BOUNDARY
    )
    radius_m: float = config_field("radius", DISTANCE, "Radius of the table by country.", "200km")
    countries: tuple[str, ...] = config_field(
        "countries",
        COUNTRIES,
        "Countries of residence in the table and the curve; default the six most populous.",
        [],
    )
    curve_to_m: float = config_field(
        "curve_to", DISTANCE, "The curve runs from 0 to this distance.", "500km"
    )
    curve_step_m: float = config_field("curve_step", DISTANCE, "Spacing of the curve.", "5km")


def _section(name: str, cls: type[_Section], doc: str, *, array: bool, default: Any) -> Any:
    """Return a field read from the section ``[name]`` (or ``[[name]]``, a table per entry)."""
    meta = {"key": name, "section": cls, "array": array, "doc": doc}
    return field(default=default, metadata=meta)


def _heading(name: str, array: bool) -> str:
    return f"[[{name}]]" if array else f"[{name}]"


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
    map: MapOptions = _section(
        "map", MapOptions, "How the map looks.", array=False, default=MapOptions()
    )
    distances: tuple[DistanceClaim, ...] = _section(
        "distance", DistanceClaim, "Distance claims, one table each.", array=True, default=()
    )
    exposures: tuple[ExposureClaim, ...] = _section(
        "exposure", ExposureClaim, "Exposure claims, one table each.", array=True, default=()
    )
    overview: OverviewOptions | None = _section(
        "overview", OverviewOptions, "Who lives near the territory.", array=False, default=None
    )

    @classmethod
    def read(cls, data: Mapping[str, Any], *, file: str | None = None) -> Scenario:
        """Read a scenario's content (a TOML document as a dict); see :func:`parse_scenario`."""
        top = Where("the scenario", file=file)
        spec = {f.metadata["key"]: f for f in dataclasses.fields(cls)}
        shown = {
            k: _heading(k, f.metadata["array"]) if "section" in f.metadata else k
            for k, f in spec.items()
        }
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in spec:
                array = isinstance(value, list) and bool(value) and isinstance(value[0], Mapping)
                if isinstance(value, Mapping) or array:
                    what, name = "section", _heading(key, array)
                else:
                    what, name = "key", repr(key)
                raise unknown(what, key, name, shown, f" in {file}" if file else "")
            f = spec[key]
            if "section" not in f.metadata:
                values[f.name] = f.metadata["kind"].read(value, key, top)
            else:
                values[f.name] = _read_section(
                    key, value, f.metadata["section"], f.metadata["array"], file
                )
        return cls(**values)


def _read_section(key: str, value: Any, cls: type[_Section], array: bool, file: str | None) -> Any:
    """Read ``[key]`` (one table) or ``[[key]]`` (a list of tables) into ``cls`` objects."""
    where = f" in {file}" if file else ""
    if array:
        if isinstance(value, Mapping):
            raise InputError(
                f"[{key}]{where} holds one claim per table: write [[{key}]] (double brackets)"
            )
        if not isinstance(value, list):
            raise InputError(f"{key} = {toml_text(value)}{where} is not a list of [[{key}]] tables")
        return tuple(
            cls.read(entry, Where(f"[[{key}]]", i, file)) for i, entry in enumerate(value, 1)
        )
    if isinstance(value, list):
        raise InputError(f"[[{key}]]{where} is one table: write [{key}] (single brackets)")
    return cls.read(value, Where(f"[{key}]", file=file))


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


def parse_scenario(data: Mapping[str, Any], *, file: str | None = None) -> Scenario:
    """Check a scenario's content and return it as a typed :class:`Scenario`.

    Parameters
    ----------
    data : mapping
        A TOML document as a dict (from :func:`load_scenario` or written in Python).
    file : str, optional
        Where it comes from, named in error messages.

    Returns
    -------
    Scenario
        Distances in metres, populations in people, boundary variants resolved.

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
    return Scenario.read(data, file=file)


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
    >>> [claim.radius_m for claim in scenario.exposures]
    [200000.0, 200000.0]
    """
    return parse_scenario(load_scenario(path), file=Path(path).name)


# -- the reference ---------------------------------------------------------------------------

_INTRO = """\
# Scenario files

<!-- Generated from the configuration classes in maps/scenario_config.py (which says
     how to regenerate it); tests/test_maps_scenario.py checks that the two agree.
     Edit the classes, then regenerate. -->

A scenario is a TOML file of geographic claims. `riskmap run FILE` (or
`maps.run_scenario(FILE)`) checks each claim on the WGS84 ellipsoid with the data
shipped with riskmap, prints the numbers and verdicts, and writes one map,
`<name>.html`, and its image, `<name>.png`. A complete example:
[examples/summit_2019.toml](../examples/summit_2019.toml).

The file is checked before anything runs: a key or section not listed here is
refused with the nearest valid name, and a value of the wrong kind with the key,
where it is and how to write it.

The files go in the output folder (`riskmap run FILE --out DIR`, `out_dir=` in
Python; default the current folder), which is created with its parents if missing
and checked for writing before anything is computed; `name` is a file stem, never
a path out of that folder. The page and its image are drawn first, then written
together: a run that fails writes neither, and leaves the files of an earlier run
as they were.
"""


def _doc_text(cls: type) -> str:
    """Return the class docstring up to its Examples, with Markdown literals."""
    doc = (cls.__doc__ or "").split("\n    Parameters\n")[0].split("\n    Examples\n")[0]
    lines = [line.strip() for line in doc.strip().splitlines()]
    text = "\n".join(lines).replace("``", "`")
    text = text.split(": ", 1)[1] if text.startswith("`[") else text
    return text[:1].upper() + text[1:]


def _rows(cls: type) -> list[str]:
    out = ["| key | kind | unit | default | meaning |", "|---|---|---|---|---|"]
    for f in dataclasses.fields(cls):
        meta = f.metadata
        if "section" in meta:
            heading = _heading(meta["key"], meta["array"])
            out.append(f"| `{heading}` | section | | | {meta['doc']} |")
            continue
        default = meta["default"]
        shown = (
            "required"
            if default is REQUIRED
            else "none"
            if default is None
            else f"`{toml_text(default)}`"
        )
        kind = meta["kind"]
        out.append(f"| `{meta['key']}` | {kind.name} | {kind.unit} | {shown} | {meta['doc']} |")
    return out


def scenario_reference() -> str:
    """Return the reference of the scenario format (``docs/scenario.md``), in Markdown.

    Every section and key with its kind, unit and default, read from the fields of
    :class:`Scenario` and its sections, so that the reference cannot drift from the
    code that reads the files.

    Returns
    -------
    str
        Markdown.

    Examples
    --------
    >>> text = scenario_reference()
    >>> "| `radius` | distance | metres | required |" in text
    True
    """
    parts = [_INTRO, "## Top level", "", *_rows(Scenario), ""]
    kinds: dict[str, Kind] = {}
    for f in dataclasses.fields(Scenario):
        cls = f.metadata.get("section")
        if cls is None:
            kinds[f.metadata["kind"].name] = f.metadata["kind"]
            continue
        parts += [
            f"## `{_heading(f.metadata['key'], f.metadata['array'])}`",
            "",
            _doc_text(cls),
            "",
        ]
        parts += [*_rows(cls), ""]
        kinds.update({g.metadata["kind"].name: g.metadata["kind"] for g in dataclasses.fields(cls)})
    parts += ["## Kinds of value", "", "| kind | how to write it |", "|---|---|"]
    parts += [f"| {k.name} | {k.written} |" for k in sorted(kinds.values(), key=lambda k: k.name)]
    return "\n".join(parts) + "\n"
