"""Download cache: checksummed downloads of online data into a local folder.

Every online source riskmap can use (population grids, Natural Earth zips, ...)
goes through :func:`fetch`, which downloads a URL once into the cache folder with
pooch and checks its SHA-256 before the file is used. The folder is the platform's
user cache folder for "riskmap" (``platformdirs.user_cache_dir``, as
``pooch.os_cache`` gives it) unless the environment variable ``RISKMAP_DATA_DIR``
names another one; ``RISKMAP_OFFLINE=1`` forbids downloads (files already in the
cache are still used, after their checksum is checked).

pooch writes a download to a temporary file in the cache folder and moves it into
place only when its checksum matches, so a corrupted or interrupted download never
leaves a file behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import platformdirs
from tqdm import tqdm

from geo.errors import DataError, InputError
from layers._progress import progress_bar

__all__ = ["DATA_DIR_ENV", "OFFLINE_ENV", "cache_dir", "fetch", "file_sha256", "is_offline"]

#: Environment variable naming the cache folder (overrides the platform default).
DATA_DIR_ENV = "RISKMAP_DATA_DIR"
#: Environment variable that forbids downloads when set to 1 / true / yes.
OFFLINE_ENV = "RISKMAP_OFFLINE"

_TRUE = {"1", "true", "yes", "on"}
_BLOCK = 1 << 16  # bytes copied or downloaded between progress updates


def cache_dir() -> Path:
    """Return the folder downloads are kept in (not created here).

    Returns
    -------
    pathlib.Path
        ``$RISKMAP_DATA_DIR`` if set, else ``platformdirs.user_cache_dir("riskmap")``
        (what ``pooch.os_cache("riskmap")`` returns).

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"RISKMAP_DATA_DIR": "~/riskmap-data"}):
    ...     print(cache_dir() == Path.home() / "riskmap-data")
    True
    >>> with mock.patch.dict(os.environ):
    ...     _ = os.environ.pop("RISKMAP_DATA_DIR", None)
    ...     print(cache_dir().name)
    riskmap
    """
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir("riskmap"))


def is_offline() -> bool:
    """Return True when ``RISKMAP_OFFLINE`` forbids downloads.

    Returns
    -------
    bool
        True when the variable is ``1``, ``true``, ``yes`` or ``on`` (any case).

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"RISKMAP_OFFLINE": "Yes"}):
    ...     print(is_offline())
    True
    >>> with mock.patch.dict(os.environ, {"RISKMAP_OFFLINE": "0"}):
    ...     print(is_offline())
    False
    """
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in _TRUE


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file as 64 lowercase hex digits (``pooch.file_hash``).

    Parameters
    ----------
    path : str or path-like
        The file to hash.

    Returns
    -------
    str
        The hex digest.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "data.bin"
    ...     _ = path.write_bytes(b"riskmap")
    ...     print(file_sha256(path)[:16])
    fe3cc344dd0649c9
    """
    # pooch (with the tqdm.auto and asyncio it loads) adds about 20 ms to
    # `import layers` (python -X importtime): loaded when a file is hashed or fetched.
    import pooch

    return str(pooch.file_hash(os.fspath(path), alg="sha256"))


def _check_sha256(sha256: str) -> str:
    value = sha256.lower().removeprefix("sha256:")
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InputError(
            f"sha256 {sha256!r} is not a SHA-256 digest; expected 64 hex digits "
            "(compute one with layers.cache.file_sha256(path) or `sha256sum FILE`)"
        )
    return value


def _file_downloader(bar: tqdm) -> Callable[[str, str, object], None]:
    """Return a pooch downloader copying a ``file://`` URL (a local mirror), moving ``bar``.

    pooch has downloaders for http(s), ftp, sftp and doi, but none for local files.
    """

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
    """A tqdm bar as pooch's HTTPDownloader uses it.

    pooch tests the bar's truth first (which a tqdm bar of unknown total refuses), sets
    ``total`` (0 when the server sends no size), then calls update/reset/close.
    """

    def __init__(self, bar: tqdm) -> None:
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


def _downloader(url: str, bar: tqdm) -> Any:
    """Return the pooch downloader for a URL, moving ``bar`` when it is drawn."""
    import pooch  # see file_sha256

    scheme = urlparse(url).scheme
    if scheme == "file":
        return _file_downloader(bar)
    if scheme in ("http", "https"):
        shown = _PoochBar(bar) if not bar.disable else False
        return pooch.HTTPDownloader(progressbar=shown, chunk_size=_BLOCK)
    return pooch.choose_downloader(url, progressbar=False)  # ftp, sftp, doi: no bar


def _offline_error(name: str, target: Path, url: str, how: str) -> DataError:
    state = (
        "is not in the cache"
        if not target.exists()
        else "is in the cache but its checksum does not match"
    )
    return DataError(
        f"{name!r} {state} ({target}) and downloads are forbidden ({OFFLINE_ENV}=1); "
        f"unset {OFFLINE_ENV} to let riskmap fetch {url!r}, or {how}"
    )


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
        Show a progress bar while downloading; by default only on a terminal
        (``RISKMAP_PROGRESS=0`` silences it, ``=1`` forces it).

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

    Examples
    --------
    A local mirror, given as a ``file://`` URL, needs no network:

    >>> import hashlib, os, pathlib, tempfile
    >>> from unittest import mock
    >>> payload = b"people per cell"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     mirror = pathlib.Path(tmp) / "pop.bin"
    ...     _ = mirror.write_bytes(payload)
    ...     cache = {"RISKMAP_DATA_DIR": str(pathlib.Path(tmp) / "cache")}
    ...     with mock.patch.dict(os.environ, cache):
    ...         path = fetch(mirror.as_uri(), sha256=hashlib.sha256(payload).hexdigest())
    ...         print(path.relative_to(tmp).as_posix(), path.read_bytes() == payload)
    cache/pop.bin True
    """
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
        raise _offline_error(name, target, url, how)
    return _download(url, name, folder, expected, how, progress)


def _download(
    url: str, name: str, folder: Path, expected: str, how: str, progress: bool | None
) -> Path:
    """Download ``url`` into ``folder/name`` with pooch, checking its SHA-256."""
    import pooch  # see file_sha256
    import requests  # pooch's HTTP client, loaded by pooch only when it downloads

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
        target = folder / name
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
