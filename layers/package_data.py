"""The data files shipped inside the package (``layers/data``), read in one place.

Country table, settlements, Natural Earth layers and the manifest that records their
versions and checksums are package data, built by ``python tools/build_data.py``
(see ``layers/data/README.md``). Every module reads them through these functions, so
that a missing file always fails with the same message and the same fix.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from geo.errors import DataError

if TYPE_CHECKING:  # importlib.resources.abc is new in Python 3.11
    from importlib.resources.abc import Traversable

__all__ = ["data_file", "data_text", "manifest"]

_REBUILD = "reinstall riskmap, or rebuild the data with `python tools/build_data.py`"


def data_file(name: str) -> Traversable:
    """Return a file of the package data, checking that it is there.

    Parameters
    ----------
    name : str
        File name inside ``layers/data``, e.g. ``"countries.csv"``.

    Returns
    -------
    importlib.resources.abc.Traversable
        The file; open it with ``.open("rb")`` or read it with ``.read_bytes()``.

    Raises
    ------
    DataError
        If the file is missing; the message says how to get it back.

    Examples
    --------
    >>> data_file("countries.csv").name
    'countries.csv'
    >>> data_file("nothing.bin")
    Traceback (most recent call last):
    ...
    geo.errors.DataError: package data file layers/data/nothing.bin is missing; ...
    """
    ref = resources.files("layers") / "data" / name
    if not ref.is_file():
        raise DataError(f"package data file layers/data/{name} is missing; {_REBUILD}")
    return ref


def data_text(name: str) -> str:
    """Return a text file of the package data, decoded as UTF-8.

    Parameters
    ----------
    name : str
        File name inside ``layers/data``, e.g. ``"countries.csv"``.

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    DataError
        If the file is missing.

    Examples
    --------
    >>> data_text("countries.csv").splitlines()[0]
    'iso2,iso3,iso_numeric,name,population,area_km2,continent,neighbours,geonameid'
    """
    return data_file(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _manifest() -> dict[str, Any]:
    return json.loads(data_text("manifest.json"))


def manifest() -> dict[str, Any]:
    """Return ``manifest.json``: versions, sizes and SHA-256 of the package data.

    Returns
    -------
    dict
        Keys ``"files"`` (name to ``{"bytes", "sha256"}``), ``"geonames"`` and
        ``"naturalearth"`` (versions of the sources). Read once per process; the dict
        returned is shared, so do not change it.

    Examples
    --------
    >>> manifest()["naturalearth"]["version"]
    '4.1.0'
    >>> manifest()["files"]["countries.csv"]["bytes"] > 0
    True
    """
    return _manifest()
