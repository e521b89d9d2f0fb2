"""The command line's words for what the library says in Python keywords.

The library's messages name its keywords (``pass crs='EPSG:4326'``); on the command
line the same fix is an option (``--crs EPSG:4326``). :func:`cli_words` rewrites the
ones a ``riskmap exposure`` user can meet.
"""

from __future__ import annotations

__all__ = ["cli_words"]

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
    """
    for python, cli in _WORDS:
        message = message.replace(python, cli)
    return message
