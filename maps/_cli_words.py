"""The command line's words for what the library says in Python keywords.

The library's messages name its keywords (``pass crs='EPSG:4326'``); on the command
line the same fix is an option (``--crs EPSG:4326``). :func:`cli_words` rewrites the
ones a ``riskmap exposure`` user can meet.
"""

from __future__ import annotations

from geo.validation import LAT_FIX, LON_FIX

__all__ = ["cli_words"]

#: How a point is written on the command line, for a place given as 'lon,lat'.
_POINT = "write the point as 'lon,lat' in degrees, longitude first (e.g. '131.9,43.1')"
#: How a sites table's coordinates are fixed on the command line.
_TABLE = "correct the table's lon/lat columns (degrees), or give --crs with the CRS they are in"

#: (Python wording, command-line wording), in the order they are replaced.
_WORDS = (
    ("pass kind='count' or kind='density'", "give --kind count or --kind density"),
    ("; drop kind=", "; drop --kind"),
    ("pass crs='EPSG:4326'", "give --crs EPSG:4326"),
    (
        "name them with lon=..., lat=...",
        "name them lon and lat (longitude/latitude, lng/long and x/y are read too)",
    ),
)


def cli_words(message: str) -> str:
    """Return ``message`` with the library's keyword hints written as ``riskmap`` options.

    Parameters
    ----------
    message : str
        An error message from the library.

    Returns
    -------
    str

    Examples
    --------
    >>> cli_words("no CRS; pass crs='EPSG:4326' if they are lon/lat degrees")
    'no CRS; give --crs EPSG:4326 if they are lon/lat degrees'
    >>> import geo, layers
    >>> try:
    ...     layers.resolve_place("181,0")
    ... except geo.InputError as exc:
    ...     print(cli_words(str(exc)))
    place '181,0': longitude 181.0 is outside [-180, 180] (it wraps to -179); write the \
point as 'lon,lat' in degrees, longitude first (e.g. '131.9,43.1')
    """
    for python, cli in _WORDS:
        message = message.replace(python, cli)
    # a point out of range: said as the user wrote it (a 'lon,lat' text, a table's columns)
    fix = _POINT if message.startswith("place '") else _TABLE
    return message.replace(LAT_FIX, fix).replace(LON_FIX, fix)
