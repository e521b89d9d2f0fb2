"""The keys of a scenario file: how each kind of value is written, read and refused.

Each configuration field of :mod:`maps.scenario_config` is made by :func:`key`, which
records the TOML key it is read from, its :class:`Kind` (how the value is written,
its unit, how it is read and checked) and its default as written in TOML. Errors
name the key, where it is in the file and how to write it.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import geo
from geo.errors import InputError
from geo.units import HALF_CIRCUMFERENCE_M, UNITS_M
from layers import BoundaryVariant, boundary_variant
from maps._display import check_bounds
from maps._io import STEM_RULE, check_stem, suggest_stem
from maps._scenario_values import Wrong as _Wrong
from maps._scenario_values import country_name, point_text, tile_set, view_box

__all__ = [
    "REQUIRED",
    "Where",
    "Kind",
    "Tolerance",
    "config_field",
    "documented",
    "unknown",
    "toml_text",
    "TEXT",
    "FILE_STEM",
    "FLAG",
    "DISTANCE",
    "DISTANCES",
    "LENGTH",
    "PEOPLE",
    "TOLERANCE",
    "PLACE",
    "SOURCE",
    "FILE",
    "COLUMN",
    "CRS_TEXT",
    "RADII",
    "BY",
    "POPULATIONS",
    "PEOPLE_TOLERANCE",
    "COUNTRY",
    "COUNTRIES",
    "BORDER",
    "VARIANT",
    "VARIANTS",
    "TILES",
    "BOUNDS",
]


# -- where a value is, and errors that say so ------------------------------------------


@dataclass(frozen=True)
class Where:
    """A place in the file: ``[map]``, the 2nd ``[[exposure]]``, the top level."""

    section: str  # "[map]", "[[exposure]]", "the scenario"
    entry: int | None = None  # 1-based, for arrays of tables
    file: str | None = None
    folder: Path | None = None  # where the file is: paths in it are relative to it

    def __str__(self) -> str:
        return self.section

    @property
    def detail(self) -> str:
        parts = [f"entry {self.entry}"] if self.entry is not None else []
        parts += [f"in {self.file}"] if self.file else []
        return f" ({', '.join(parts)})" if parts else ""


def toml_text(value: Any) -> str:
    """Write a value the way TOML does, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {toml_text(v)}" for k, v in value.items()) + "}"
    return repr(value)


def unknown(what: str, name: str, shown: str, valid: Mapping[str, str], where: str) -> InputError:
    """Return the error for an unknown key or section, naming the nearest of ``valid``."""
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    hint = f"did you mean {valid[close[0]]}? " if close else ""
    return InputError(f"unknown {what} {shown}{where}; {hint}valid: {', '.join(valid.values())}")


# -- kinds of value --------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How a key's value is written in the file, and how it is read.

    Parameters
    ----------
    name : str
        Its name in the reference ("distance", "list of countries").
    written : str
        How to write it, for the reference (Markdown).
    unit : str
        The unit of the value read ("metres", "people", "degrees"; "" for none).
    reader : callable
        ``reader(value)``: the value as the configuration holds it (a distance in
        metres, a boundary variant); it raises ``_Wrong`` with what is wrong and an
        example of a right value.

    Examples
    --------
    >>> DISTANCE.name, DISTANCE.unit
    ('distance', 'metres')
    >>> DISTANCE.read("200km", "radius", Where("[overview]"))
    200000.0
    >>> DISTANCE.read(200, "radius", Where("[[exposure]]", 1))
    Traceback (most recent call last):
    ...
    geo.errors.InputError: radius = 200 in [[exposure]] (entry 1): a distance needs its unit \
(m, km, mi, nmi); write radius = "200km"
    """

    name: str
    written: str
    unit: str
    reader: Callable[[Any], Any]
    path: str = ""  # "file": a file relative to the scenario file; "source", "populations": maybe

    def read(self, value: Any, key: str, where: Where) -> Any:
        """Return ``value`` read, or raise an error naming ``key``, ``where`` and the fix.

        Parameters
        ----------
        value : Any
            As TOML gives it.
        key : str
            The key it was given to.
        where : Where
            Where the key is in the file.

        Returns
        -------
        Any
            The value as the configuration holds it.
        """
        try:
            read = self.reader(value)
            if self.path == "populations":
                return _populations_in_folder(read, where.folder)
            return _in_folder(read, where.folder, self.path) if self.path else read
        except _Wrong as exc:
            fix = f"; write {key} = {exc.example}" if exc.example else ""
            raise InputError(
                f"{key} = {toml_text(value)} in {where}{where.detail}: {exc.problem}{fix}"
            ) from exc


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Wrong("expected text in quotes", '"…"')
    return value


def _stem(value: Any) -> str:
    try:
        return check_stem(value)
    except InputError as exc:
        raise _Wrong(f"a name is a file stem: {STEM_RULE}", toml_text(suggest_stem(value))) from exc


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Wrong("expected true or false", "true")
    return value


def _distance(value: Any, *, positive: bool = False) -> float:
    units = ", ".join(UNITS_M)
    if _number(value):
        raise _Wrong(f"a distance needs its unit ({units})", f'"{value:g}km"')
    if not isinstance(value, str):
        raise _Wrong(f"expected a distance with its unit ({units})", '"200km"')
    try:
        return geo.parse_distance(value, positive=positive)
    except InputError as exc:
        if "half the Earth's circumference" in str(exc):  # said in a scenario's words
            raise _Wrong(
                f"more than half the Earth's circumference ({HALF_CIRCUMFERENCE_M / 1000:,.0f} "
                "km), the largest distance between two points",
                '"200km"',
            ) from exc
        raise _Wrong(str(exc), '"200km"') from exc


def _length(value: Any) -> float:
    return _distance(value, positive=True)


def _people(value: Any) -> float:
    if not _number(value) or not math.isfinite(value) or value < 0:
        raise _Wrong("expected a number of people >= 0, without quotes", "1_000_000")
    return float(value)


def _percent_or_distance(value: Any) -> Tolerance:
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100.0
        except ValueError as exc:
            raise _Wrong("not a percentage like '5%'", '"5%"') from exc
        if not (0 <= share < 1):
            raise _Wrong("not between 0% and 100%", '"5%"')
        return Tolerance(share=share)
    try:
        return Tolerance(metres=_distance(value))
    except _Wrong as exc:
        raise _Wrong(f"not a percentage, and {exc.problem}", '"5%"') from exc


#: Suffixes of the files a source or sites key may name (what geopandas reads, and CSV).
FILE_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".parquet", ".csv", ".kml", ".gml")


def _in_folder(text: str, folder: Path | None, mode: str) -> str:
    """Return a file named in the scenario as a path from here (relative to its folder).

    A source (``mode="source"``) is a file only when it ends like one (``zone.geojson``);
    ``"Kaliningrad Oblast"`` stays a name.
    """
    if mode == "source" and Path(text).suffix.lower() not in FILE_SUFFIXES and "/" not in text:
        return text
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (folder if folder is not None else Path.cwd()) / path
    if not path.is_file():
        raise _Wrong(
            f"there is no file {str(path)!r}; a file is named relative to the scenario "
            "file's folder (GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet or CSV)"
        )
    return str(path)


def _populations(value: Any) -> tuple[str, ...]:
    items = _list_of(_text)(value) if isinstance(value, list) else (_text(value),)
    if not items:
        raise _Wrong("expected at least one population source", '["geonames", "ghs-pop:2020"]')
    if len({i.strip().lower() for i in items}) != len(items):
        raise _Wrong("a population source is given twice; give each once")
    return tuple(i.strip() for i in items)


def _populations_in_folder(items: tuple[str, ...], folder: Path | None) -> tuple[str, ...]:
    """Check each population source as ``--population`` does; files are relative to the folder.

    Nothing is fetched: a product's name and year are checked against the registry
    (``"ghs-pop:2019"`` is refused: not an epoch), a file must exist.
    """
    from layers.analysis.compare_sources import SETTLEMENT_NAMES, check_population
    from layers.grid_products import PRODUCTS, is_url

    out = []
    for i, text in enumerate(items, 1):
        named = text.lower() in SETTLEMENT_NAMES or is_url(text)
        product = text.split(":")[0].lower() in PRODUCTS
        if not (named or product):
            path = Path(text).expanduser()
            text = str(path if path.is_absolute() else (folder or Path.cwd()) / path)
        try:
            out.append(check_population(text))
        except InputError as exc:
            example = toml_text([*items[: i - 1], "ghs-pop:2020", *items[i:]])
            raise _Wrong(f"item {i}, {toml_text(items[i - 1])}: {exc}", example) from exc
    return tuple(out)


def _radii(value: Any) -> tuple[float, ...]:
    radii = _list_of(_length)(value) if isinstance(value, list) else (_length(value),)
    if not radii:
        raise _Wrong("expected at least one distance", '"30km"')
    return tuple(sorted(set(radii)))


_BY = ("country", "admin1")


def _by(value: Any) -> tuple[str, ...]:
    parts = value if isinstance(value, list) else [value]
    if any(p not in _BY for p in parts) or len(set(parts)) != len(parts):
        raise _Wrong('expected "country", "admin1" or ["country", "admin1"]', '"admin1"')
    return tuple(parts)


def _crs(value: Any) -> str:
    import pyproj

    text = _text(value)
    try:
        pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError as exc:
        raise _Wrong(f"not a CRS pyproj knows ({exc})", '"EPSG:4326"') from exc
    return text


def _people_tolerance(value: Any) -> Tolerance:
    if isinstance(value, str) and value.strip().endswith("%"):
        return _percent_or_distance(value)
    if _number(value) and math.isfinite(value) and value >= 0:
        return Tolerance(people=float(value))
    raise _Wrong('expected a share of the claimed number, "10%", or a number of people', '"10%"')


def _variant(value: Any) -> BoundaryVariant:
    try:
        return boundary_variant(value)
    except InputError as exc:
        raise _Wrong(str(exc)) from exc


def _tiles(value: Any) -> str | None:
    if value is False or value == "":
        return None
    if not isinstance(value, str):
        raise _Wrong('expected a tile provider folium knows, or "" for none', '"OpenStreetMap"')
    return tile_set(value)


def _bounds(value: Any) -> tuple[float, float, float, float]:
    example = "[124.0, 37.0, 135.0, 45.0]"
    if not (isinstance(value, list) and len(value) == 4 and all(_number(v) for v in value)):
        raise _Wrong("expected [west, south, east, north] in degrees", example)
    try:
        return check_bounds(view_box(*value))
    except InputError as exc:
        raise _Wrong(str(exc), example) from exc


def _list_of(item: Callable[[Any], Any]) -> Callable[[Any], tuple[Any, ...]]:
    def read(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            try:
                item(value)
            except _Wrong as exc:
                raise _Wrong("expected a list in brackets", f"[{exc.example or '…'}]") from exc
            raise _Wrong("expected a list in brackets", f"[{toml_text(value)}]")
        out = []
        for i, v in enumerate(value, 1):
            try:
                out.append(item(v))
            except _Wrong as exc:
                example = f"[{exc.example}]" if exc.example else None
                raise _Wrong(f"item {i}, {toml_text(v)}: {exc.problem}", example) from exc
        return tuple(out)

    return read


def _pair(value: Any) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise _Wrong("expected two country codes", '["KP", "RU"]')
    return (value[0], value[1])


TEXT = Kind("text", 'a string in quotes: `"…"`', "", _text)
FILE_STEM = Kind(
    "file stem",
    'letters, digits, `-`, `_` and `.` (not first), at most 100: `"summit_2019"`; a folder '
    "(`../x`, `/tmp/x`) is refused, as the files go in the output folder",
    "",
    _stem,
)
FLAG = Kind("true/false", "`true` or `false`", "", _flag)
DISTANCE = Kind(
    "distance",
    'a string with its unit: `"200km"`, `"124 mi"`, `"108 nmi"`, `"700000 m"`; a bare '
    "number is refused, as its unit would be a guess",
    "metres",
    _distance,
)
DISTANCES = Kind(
    "list of distances", '`["50km", "100km", "200km"]`, each above 0', "metres", _list_of(_length)
)
LENGTH = Kind("distance above 0", 'as a distance, above 0: `"5km"`', "metres", _length)
PEOPLE = Kind("number", "`1_000_000` or `1000000` (no quotes)", "people", _people)
TOLERANCE = Kind(
    "percentage or distance",
    'a share of the claimed distance, `"5%"`, or a distance, `"20km"`',
    "metres",
    _percent_or_distance,
)
PLACE = Kind(
    "place",
    'a settlement, `"Vladivostok"` (the most populous of that name) or `"Vladivostok,RU"`, '
    'or `"lon,lat"` in degrees',
    "",
    lambda v: point_text(_text(v)),
)
SOURCE = Kind(
    "source",
    "what distances are measured from, as `riskmap exposure --around` takes it: a country "
    '`"KP"`, a border `"KP-RU"`, an admin-1 region `"Kaliningrad Oblast"` or `"RU-KGD"`, a '
    'place `"Vladivostok,RU"`, a point `"lon,lat"` in degrees (`"141.03,37.42"`), or a file '
    '(`"zone.geojson"`, relative to the scenario file)',
    "",
    lambda v: point_text(_text(v)),
    path="source",
)
FILE = Kind(
    "file",
    'a path relative to the scenario file: `"plants.csv"` (CSV with lon/lat columns, or any '
    "file geopandas reads)",
    "",
    _text,
    path="file",
)
COLUMN = Kind("column", 'a column of the file: `"range_km"`', "", _text)
CRS_TEXT = Kind("CRS", '`"EPSG:4326"`, anything pyproj reads', "", _crs)
RADII = Kind(
    "distance or list of distances",
    '`"30km"` or `["20km", "30km", "80km"]`, each above 0',
    "metres",
    _radii,
)
POPULATIONS = Kind(
    "list of population sources",
    'as `riskmap exposure --population` takes them: `"geonames"` (the packaged settlements), '
    'a grid product with its year (and countries): `"ghs-pop:2020"`, `"ghs-pop-100m:2020"`, '
    '`"worldpop-1km:2020:PRK+RUS"` (`riskmap data list`), a GeoTIFF relative to the scenario '
    'file or an `http(s)` URL: `["geonames", "ghs-pop:2020"]`',
    "",
    _populations,
    path="populations",
)
BY = Kind("breakdown", '`"country"`, `"admin1"` or `["country", "admin1"]`', "", _by)
PEOPLE_TOLERANCE = Kind(
    "percentage or number",
    'a share of the claimed number, `"10%"`, or a number of people, `50_000`',
    "people",
    _people_tolerance,
)
COUNTRY = Kind(
    "country",
    'an ISO 3166-1 code or English name: `"KP"`, `"PRK"`, `"North Korea"`',
    "",
    lambda v: country_name(_text(v)),
)
COUNTRIES = Kind(
    "list of countries", '`["RU", "CN"]`', "", _list_of(lambda v: country_name(_text(v)))
)
BORDER = Kind("two countries", 'the two sides of a border line: `["KP", "RU"]`', "", _pair)
VARIANT = Kind(
    "boundary variant",
    '`"osm-sea"`, `"osm-land"` or `"naturalearth"` (`layers.BOUNDARY_VARIANTS`)',
    "",
    _variant,
)
VARIANTS = Kind(
    "list of boundary variants", '`["osm-sea", "naturalearth"]`', "", _list_of(_variant)
)
TILES = Kind(
    "tile provider",
    'a tile set folium knows (xyzservices\' providers that need no key), `"OpenStreetMap"`, '
    '`"OpenTopoMap"`, `"Esri.WorldImagery"`; `""` for none; a misspelt one is refused',
    "",
    _tiles,
)
BOUNDS = Kind(
    "box",
    "`[west, south, east, north]`, numbers; a west greater than the east crosses the "
    "antimeridian (`[170, 60, -170, 70]`: Chukotka and Alaska; at most 180° wide)",
    "degrees",
    _bounds,
)

REQUIRED: Any = dataclasses.MISSING


def config_field(name: str, kind: Kind, doc: str, default: Any = REQUIRED) -> Any:
    """Return a configuration field read from the key ``name`` (``default`` as in TOML)."""
    meta = {"key": name, "kind": kind, "doc": doc, "default": default}
    if default is REQUIRED:
        return field(metadata=meta)
    value = None if default is None else kind.reader(default)
    return field(default=value, metadata=meta)


@dataclass(frozen=True)
class Tolerance:
    """How far a measured distance may be from the claim and still agree with it.

    Parameters
    ----------
    share : float, optional
        A share of the claimed distance (0.05 for ``"5%"``).
    metres : float, optional
        A distance in metres (``"20km"``).
    people : float, optional
        A number of people (``50_000``), for exposure claims.

    Examples
    --------
    >>> Tolerance(share=0.05).of(700_000.0)
    35000.0
    >>> Tolerance(metres=20_000.0).of(700_000.0)
    20000.0
    """

    share: float | None = None
    metres: float | None = None
    people: float | None = None

    def of(self, claim: float) -> float:
        """Return the tolerance around a claim of ``claim`` (metres, or people)."""
        if self.share is not None:
            return self.share * claim
        return float(self.metres if self.metres is not None else self.people or 0.0)


_T = TypeVar("_T")


def documented(cls: type[_T]) -> type[_T]:
    """Write the Parameters section of a configuration class from its fields' metadata.

    The key, kind, unit, default and meaning of each field are written once, where the
    field is made; this puts them in the class docstring, as ``scenario_reference``
    puts them in ``docs/scenario.md``.
    """
    lines = ["", "    Parameters", "    ----------"]
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        meta = f.metadata
        doc = str(meta["doc"]).replace("`", "``")
        if "section" in meta:
            heading = f"[[{meta['key']}]]" if meta["array"] else f"[{meta['key']}]"
            lines += [f"    {f.name} : {f.type}", f"        The section ``{heading}``: {doc}"]
            continue
        kind, default = meta["kind"], meta["default"]
        shown = "" if default is REQUIRED else f", default ``{toml_text(default)}``"
        unit = f", in {kind.unit}" if kind.unit else ""
        lines.append(f"    {f.name} : {f.type}{shown}")
        lines.append(f"        The key ``{meta['key']}`` ({kind.name}{unit}). {doc}")
    head, sep, tail = (cls.__doc__ or "").partition("\n    Examples\n")
    cls.__doc__ = head.rstrip() + "\n" + "\n".join(lines) + "\n" + sep + tail
    return cls
