"""The reference of the scenario format (``docs/scenario.md``), written from its classes.

:func:`reference` reads every section and key, with its kind, unit and default, from
the fields of :class:`maps.scenario_config.Scenario` and its sections, then adds an
example of each kind of source, so that the page cannot drift from the code that
reads the files.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from maps._scenario_keys import REQUIRED, Kind, toml_text

__all__ = ["heading", "reference"]


def heading(name: str, array: bool) -> str:
    """Return the TOML heading of a section: ``[map]``, or ``[[exposure]]`` for an array."""
    return f"[[{name}]]" if array else f"[{name}]"


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


_SOURCES = """\
## Sources: one example of each kind

`around` takes what `riskmap exposure --around` takes, through the one resolver
`layers.resolve_source`, so a name means the same in Python, on the command line and
here. An unknown or ambiguous name is refused with the candidates.

```toml
[[exposure]]                        # a country: ISO alpha-2, alpha-3 or name
around = "KP"
boundaries = ["osm-sea", "naturalearth"]   # its territory drawn these ways
country = "RU"                      # count the residents of Russia only
radius = "200km"
more_than = 1_000_000

[[exposure]]                        # the border line between two countries
around = "KP-RU"
radius = "200km"

[[exposure]]                        # an admin-1 region: name, local name or ISO 3166-2
around = "Kaliningrad Oblast"       # or "RU-KGD"; its own residents are left out
by = ["country", "admin1"]
radius = "100km"

[[exposure]]                        # a place, or a point "lon,lat" in degrees
around = "141.0329,37.4213"
subject = "Fukushima Daiichi"
radius = ["20km", "30km", "80km"]   # no claim: the numbers at each radius
by = "admin1"

[[exposure]]                        # a file, relative to the scenario file
around = "zone.geojson"             # GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet
radius = "50km"

[[exposure]]                        # sites, each with its own ranges
sites = "launch_sites.csv"          # CSV with lon/lat columns, or any file geopandas reads
range = "range"                     # "300km; 1000km", or numbers in a column like range_km
crs = "EPSG:4326"                   # a CSV's coordinates; other files carry their CRS
less_than = 100_000_000             # people within range of at least one site, counted once

[[exposure]]                        # sites, all at the same radii
sites = "plants.csv"
radius = ["20km", "30km"]
crs = "EPSG:4326"
```

Keys of earlier versions are refused with the key now: `territory = "KP"` and
`border = ["KP", "RU"]` are `around = "KP"` and `around = "KP-RU"` (in `[[exposure]]`
and `[overview]`)."""

_VERDICTS = """\
## Verdicts

A claim is `more_than` (strictly), `less_than` (strictly), both (strictly between), or
`about` within `tolerance` (a share of the number claimed, `"5%"`, or an amount:
`"20km"` for a distance, `50_000` people). It is checked on every variant of the
numbers (boundary variants of a country, the raw GeoNames sum with `with_sections`):
**holds** when it holds on all of them, **does not hold** when on none, **depends on
the variant** otherwise."""


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
            title = heading(meta["key"], meta["array"])
            out.append(f"| `{title}` | section | | | {meta['doc']} |")
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


def reference(scenario: type) -> str:
    """Return the reference of the format whose top level is the class ``scenario``.

    Parameters
    ----------
    scenario : type
        :class:`maps.scenario_config.Scenario`.

    Returns
    -------
    str
        Markdown.
    """
    parts = [_INTRO, "## Top level", "", *_rows(scenario), ""]
    kinds: dict[str, Kind] = {}
    for f in dataclasses.fields(scenario):
        cls: Any = f.metadata.get("section")
        if cls is None:
            kinds[f.metadata["kind"].name] = f.metadata["kind"]
            continue
        parts += [f"## `{heading(f.metadata['key'], f.metadata['array'])}`", "", _doc_text(cls), ""]
        parts += [*_rows(cls), ""]
        kinds.update({g.metadata["kind"].name: g.metadata["kind"] for g in dataclasses.fields(cls)})
    parts += ["## Kinds of value", "", "| kind | how to write it |", "|---|---|"]
    parts += [f"| {k.name} | {k.written} |" for k in sorted(kinds.values(), key=lambda k: k.name)]
    parts += ["", _SOURCES, "", _VERDICTS]
    return "\n".join(parts) + "\n"
