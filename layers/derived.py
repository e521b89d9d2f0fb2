"""Geometries derived from package data, kept on disk from one process to the next.

Russia's OpenStreetMap territory is the union of 26 time-zone polygons, clipped to land:
over a second of work, and reading the polygons loads timezonefinder and its compiled
helpers (another second). The result depends only on its inputs: the data packages, the
code that derives it and the GEOS that runs that code. So :func:`derived_geometry` keeps
it as WKB (exact to the bit) in ``<cache folder>/derived/``, under a key that hashes all
of them, and reads it back in milliseconds.

A file is used only when the SHA-256 written in its first line matches its geometry; any
other file (cut short, changed, from another key) is rebuilt over. A folder where nothing
can be written costs only the time: the geometry is built as if there were no cache.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import shapely

from geo.errors import InputError
from layers.cache import DERIVED_FOLDER, cache_dir
from layers.output import atomic_write

__all__ = ["derived_geometry", "inputs_key"]

_HEADER = re.compile(rb"riskmap-derived sha256=([0-9a-f]{64})\n")


def inputs_key(files: Iterable[Path], *labels: str) -> str:
    """Return a SHA-256 (hex) of the files' bytes and the labels, in the order given.

    Parameters
    ----------
    files : iterable of pathlib.Path
        Every file the derivation reads or runs: data files and source modules.
    *labels : str
        Anything else it depends on (package versions, the GEOS version).

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> inputs_key([], "a") == inputs_key([], "a"), inputs_key([], "a") == inputs_key([], "b")
    (True, False)
    """
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    for label in (shapely.geos_version_string, *labels):
        digest.update(b"\0" + label.encode("utf-8"))
    return digest.hexdigest()


def derived_geometry(name: str, key: str, build: Callable[[], shapely.Geometry]):
    """Return ``build()``, read from the cache when it was built before with the same key.

    Parameters
    ----------
    name : str
        What is built, as a file name stem (``osm-land-RU``).
    key : str
        The hash of everything the result depends on (:func:`inputs_key`).
    build : callable
        Builds the geometry; called only when no valid file has this name and key.

    Returns
    -------
    shapely.Geometry
        What ``build()`` returns, or the same geometry read back (WKB keeps every bit).

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(
    ...     os.environ, {"RISKMAP_DATA_DIR": tmp}
    ... ):
    ...     first = derived_geometry("box", "k1", lambda: shapely.box(0, 0, 1, 1))
    ...     again = derived_geometry("box", "k1", lambda: 1 / 0)  # read, not built
    ...     print(again.equals_exact(first, 0), len(os.listdir(tmp + "/derived")))
    True 1
    """
    folder = cache_dir() / DERIVED_FOLDER
    path = folder / f"{name}-{key[:20]}.wkb"
    cached = _read(path)
    if cached is not None:
        return cached
    geometry = build()
    _write(folder, name, path, shapely.to_wkb(geometry))
    return geometry


def _read(path: Path) -> shapely.Geometry | None:
    try:
        data = path.read_bytes()
    except OSError:  # not there (or not readable): built instead
        return None
    header = _HEADER.match(data)
    if header is None:
        return None
    body = data[header.end() :]
    if hashlib.sha256(body).hexdigest().encode() != header.group(1):
        return None
    return shapely.from_wkb(body)


def _write(folder: Path, name: str, path: Path, body: bytes) -> None:
    header = b"riskmap-derived sha256=" + hashlib.sha256(body).hexdigest().encode() + b"\n"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, header + body)
        # Files of the same name under another key are stale: their inputs have changed.
        for old in folder.glob(f"{name}-*.wkb"):
            if old != path and re.fullmatch(rf"{re.escape(name)}-[0-9a-f]{{20}}\.wkb", old.name):
                old.unlink(missing_ok=True)
    except (OSError, InputError):  # a read-only or full cache: the result stands, only slower
        pass
