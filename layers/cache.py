"""Download cache: checksummed downloads of online data into a local folder.

Every online source riskmap can use (population grids, Natural Earth zips, ...)
goes through :func:`fetch`, which downloads a URL once into the cache folder and
checks its SHA-256 before the file is used. The folder is
``platformdirs.user_cache_dir("riskmap")`` unless the environment variable
``RISKMAP_DATA_DIR`` names another one; ``RISKMAP_OFFLINE=1`` forbids downloads
(files already in the cache are still used, after their checksum is checked).

A download is written to a temporary file in the cache folder and moved into
place only when its checksum matches (pooch does this), so a corrupted or
interrupted download never leaves a file behind.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from geo.errors import DataError, InputError
from layers._progress import _Silent, progress_bar

__all__ = ["cache_dir", "is_offline", "fetch", "file_sha256", "DATA_DIR_ENV", "OFFLINE_ENV"]

#: Environment variable naming the cache folder (overrides the platform default).
DATA_DIR_ENV = "RISKMAP_DATA_DIR"
#: Environment variable that forbids downloads when set to 1 / true / yes.
OFFLINE_ENV = "RISKMAP_OFFLINE"

_TRUE = {"1", "true", "yes", "on"}


def cache_dir() -> Path:
    """Return the folder downloads are kept in (not created here).

    Returns
    -------
    pathlib.Path
        ``$RISKMAP_DATA_DIR`` if set, else ``platformdirs.user_cache_dir("riskmap")``.
    """
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("riskmap"))


def is_offline() -> bool:
    """Return True when ``RISKMAP_OFFLINE`` forbids downloads."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in _TRUE


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file as 64 lowercase hex digits.

    Parameters
    ----------
    path : str or path-like
        The file to hash, read in 1 MiB blocks.

    Returns
    -------
    str
        The hex digest.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_sha256(sha256: str) -> str:
    value = sha256.lower().removeprefix("sha256:")
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InputError(
            f"sha256 {sha256!r} is not a SHA-256 digest; expected 64 hex digits "
            "(compute one with layers.cache.file_sha256(path) or `sha256sum FILE`)"
        )
    return value


_BLOCK = 1 << 16  # bytes copied or downloaded between progress updates


def _file_downloader(bar: Any) -> Callable[[str, str, object], None]:
    """Return a pooch downloader copying a ``file://`` URL (a local mirror), moving ``bar``."""

    def download(url: str, output_file: str, _pooch: object) -> None:
        source = Path(unquote(urlparse(url).path))
        if not source.is_file():
            raise DataError(f"local file {str(source)!r} named by {url!r} does not exist")
        bar.total = source.stat().st_size
        with open(source, "rb") as src, open(output_file, "wb") as dst:
            for block in iter(lambda: src.read(_BLOCK), b""):
                dst.write(block)
                bar.update(len(block))

    return download


class _PoochBar:
    """A tqdm bar as pooch wants it.

    pooch sets ``total``, calls update/reset/close, and first tests the bar's truth,
    which a tqdm bar of unknown total refuses.
    """

    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def __bool__(self) -> bool:
        return True

    @property
    def total(self) -> Any:
        return self._bar.total

    @total.setter
    def total(self, value: Any) -> None:
        self._bar.total = value or None  # 0: the server sent no size

    def update(self, n: float) -> None:
        self._bar.update(n)

    def reset(self) -> None:
        self._bar.reset(total=self._bar.total)

    def close(self) -> None:
        self._bar.close()


def _downloader(url: str, bar: Any) -> Any:
    """Return the pooch downloader for a URL, drawing ``bar`` when it is a real (tqdm) bar."""
    import pooch

    scheme = urlparse(url).scheme
    if scheme == "file":
        return _file_downloader(bar)
    if scheme in ("http", "https"):
        drawn = not isinstance(bar, _Silent)
        return pooch.HTTPDownloader(
            progressbar=_PoochBar(bar) if drawn else False, chunk_size=_BLOCK
        )
    return pooch.choose_downloader(url, progressbar=False)  # ftp, sftp, doi: no bar


def fetch(
    url: str,
    *,
    sha256: str,
    filename: str | None = None,
    subdir: str = "",
    progress: bool | None = None,
) -> Path:
    """Return the local path of a checksummed file, downloading it once if needed.

    Parameters
    ----------
    url : str
        Where to get the file: ``https://``, ``http://``, ``ftp://`` or ``file://``
        (a local copy or mirror).
    sha256 : str
        The expected SHA-256 of the file (64 hex digits, optionally prefixed
        ``"sha256:"``). A file whose digest differs is never used or kept.
    filename : str, optional
        Name of the file in the cache; by default the last part of the URL.
    subdir : str, default ""
        Sub-folder of the cache, e.g. ``"ghs-pop"``.
    progress : bool, optional
        Show a progress bar while downloading; by default only on a terminal (see
        :mod:`layers._progress`; ``RISKMAP_PROGRESS=0`` silences it, ``=1`` forces it).

    Returns
    -------
    pathlib.Path
        Path of the verified file in the cache folder.

    Raises
    ------
    DataError
        If the download fails, its checksum does not match (nothing is left in
        the cache), or ``RISKMAP_OFFLINE=1`` and the file is not already cached;
        the message names the file and how to fetch it by hand.
    InputError
        If ``sha256`` is not a SHA-256 digest.
    """
    import pooch
    import requests

    expected = _check_sha256(sha256)
    name = filename or Path(unquote(urlparse(url).path)).name
    if not name:
        raise InputError(
            f"url {url!r} has no file name; pass filename='...' to name it in the cache"
        )
    folder = cache_dir() / subdir if subdir else cache_dir()
    target = folder / name

    if target.exists() and file_sha256(target) == expected:
        return target
    how = (
        f"download it by hand with `curl -L -o {str(target)!r} {url!r}` "
        f"(its sha256 must be {expected})"
    )
    if is_offline():
        state = (
            "is not in the cache"
            if not target.exists()
            else "is in the cache but its checksum does not match"
        )
        raise DataError(
            f"{name!r} {state} ({target}) and downloads are forbidden ({OFFLINE_ENV}=1); "
            f"unset {OFFLINE_ENV} to let riskmap fetch {url!r}, or {how}"
        )
    bar = progress_bar(
        total=None, desc=f"downloading {name}", unit="B", unit_scale=True, progress=progress
    )
    try:
        with bar:
            path = pooch.retrieve(
                url,
                known_hash=f"sha256:{expected}",
                fname=name,
                path=folder,
                downloader=_downloader(url, bar),
            )
    except ValueError as exc:  # pooch's checksum mismatch; its temporary file is already gone
        if target.exists() and file_sha256(target) != expected:
            target.unlink()
        raise DataError(
            f"download of {name!r} from {url!r} is corrupt or has changed: {exc}; "
            "nothing was kept in the cache. Retry later, check the URL, or " + how
        ) from exc
    except (OSError, requests.exceptions.RequestException, DataError) as exc:
        raise DataError(
            f"could not download {name!r} from {url!r}: {exc}; retry, or {how}"
        ) from exc
    return Path(path)
