"""Unpacking a verified zip download: the GeoTIFF inside, extracted once, atomically."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from geo.errors import DataError
from layers.cache import file_sha256

__all__ = ["only_tif", "unzip_member"]


def only_tif(zip_path: Path) -> str:
    """Return the name of the one GeoTIFF in a zip, or raise.

    Parameters
    ----------
    zip_path : pathlib.Path
        The zip.

    Returns
    -------
    str
        The member's name.

    Raises
    ------
    DataError
        If the zip holds no GeoTIFF or several (the message lists them).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     z = Path(tmp) / "a.zip"
    ...     with zipfile.ZipFile(z, "w") as zf:
    ...         zf.writestr("readme.txt", "x")
    ...         zf.writestr("pop/grid.tif", "x")
    ...     print(only_tif(z))
    pop/grid.tif
    """
    with zipfile.ZipFile(zip_path) as zf:
        tifs = [n for n in zf.namelist() if n.lower().endswith((".tif", ".tiff"))]
    if len(tifs) != 1:
        raise DataError(
            f"zip {zip_path.name!r} holds {len(tifs)} GeoTIFFs ({', '.join(tifs) or 'none'}); "
            "name the one to use after the URL: 'URL#member.tif'"
        )
    return tifs[0]


def unzip_member(zip_path: Path, member: str) -> Path:
    """Extract one file of a verified zip beside it (atomically), again if it changed.

    Beside the file, ``NAME.sha256`` records the zip's and the file's SHA-256, so
    that a later use re-extracts a file changed in the cache (or from a new zip).

    Parameters
    ----------
    zip_path : pathlib.Path
        The zip (already verified by :func:`layers.cache.fetch`).
    member : str
        The file inside it.

    Returns
    -------
    pathlib.Path
        The extracted file, beside the zip.

    Raises
    ------
    DataError
        If the zip does not hold ``member`` or is not a zip.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     z = Path(tmp) / "a.zip"
    ...     with zipfile.ZipFile(z, "w") as zf:
    ...         zf.writestr("pop/grid.tif", "cells")
    ...     print(unzip_member(z, "pop/grid.tif").read_text())
    cells
    """
    target = zip_path.with_name(Path(member).name)
    stamp = target.with_name(target.name + ".sha256")
    zip_digest = file_sha256(zip_path)
    if target.exists() and stamp.exists():
        zip_was, _, tif_was = stamp.read_text().partition(" ")
        if zip_was == zip_digest and file_sha256(target) == tif_was.strip():
            return target
    try:
        with zipfile.ZipFile(zip_path) as zf, zf.open(member) as src:
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as dst:
                    while block := src.read(1 << 20):
                        dst.write(block)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except (KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{zip_path.name!r} does not contain {member!r}: {exc}") from exc
    stamp.write_text(f"{zip_digest} {file_sha256(target)}\n")
    return target
