"""Resumable downloads into a partial file that is never read as the product.

:func:`download_part` fetches a URL into ``NAME.part`` beside the file's place in
the cache. A transfer cut short leaves the partial file and a small note
(``NAME.part.json``: the URL and the server's ``ETag`` / ``Last-Modified``); the
next attempt asks the server for the rest (HTTP ``Range`` with ``If-Range``, so a
file changed on the server in between is fetched whole again instead of being
spliced). A server that ignores ranges sends the whole file, which replaces the
partial one. Only :func:`layers.cache.fetch` moves a finished, verified partial
file to its place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from geo.errors import DataError
from layers._progress import progress_bar

__all__ = ["ATTEMPTS", "NotFoundError", "TIMEOUT_S", "download_part", "part_paths"]

#: Attempts per call: a transfer cut short is resumed this many times in all.
ATTEMPTS = 3
#: Seconds to wait for the server to connect or send more data.
TIMEOUT_S = 60.0
_BLOCK = 1 << 16


class NotFoundError(DataError):
    """The server has no file at the URL (HTTP 404 or 410).

    Examples
    --------
    >>> issubclass(NotFoundError, DataError)
    True
    """


def part_paths(target: Path) -> tuple[Path, Path]:
    """Return the partial file and its note for a file's place in the cache.

    Parameters
    ----------
    target : pathlib.Path
        Where the finished file goes.

    Returns
    -------
    tuple of pathlib.Path
        ``(NAME.part, NAME.part.json)``.

    Examples
    --------
    >>> [p.name for p in part_paths(Path("cache/pop.tif"))]
    ['pop.tif.part', 'pop.tif.part.json']
    """
    return target.with_name(target.name + ".part"), target.with_name(target.name + ".part.json")


def download_part(url: str, target: Path, *, progress: bool | None = None) -> Path:
    """Download ``url`` into ``target``'s partial file, resuming one left before.

    Parameters
    ----------
    url : str
        ``http://``, ``https://`` (redirects followed) or ``file://``.
    target : pathlib.Path
        Where the finished file will go (its folder is created).
    progress : bool, optional
        Draw a progress bar (see :func:`layers._progress.progress_bar`).

    Returns
    -------
    pathlib.Path
        The complete partial file, not yet verified.

    Raises
    ------
    DataError
        If the server refuses (the status is named), the URL's scheme is not
        supported, or the transfer is cut short :data:`ATTEMPTS` times; the partial
        file is kept, so the next call resumes it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     src = pathlib.Path(tmp) / "src.bin"
    ...     _ = src.write_bytes(b"x" * 1000)
    ...     part = download_part(src.as_uri(), pathlib.Path(tmp) / "cache" / "pop.bin")
    ...     print(part.name, part.stat().st_size)
    pop.bin.part 1000
    """
    part, note = part_paths(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scheme = urlparse(url).scheme
    if scheme == "file":
        return _copy_file(url, part, note, progress)
    if scheme not in ("http", "https"):
        raise DataError(
            f"url {url!r} has scheme {scheme!r}; riskmap downloads http://, https:// and "
            "file:// URLs: download it yourself and give the local path instead"
        )
    import requests  # loaded only when something is downloaded

    bar = progress_bar(
        total=None,
        desc=f"downloading {target.name}",
        unit="B",
        unit_scale=True,
        progress=progress,
    )
    with bar:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                _http_attempt(requests, url, part, note, bar)
                note.unlink(missing_ok=True)
                return part
            except requests.exceptions.ConnectionError as exc:
                unreachable = _unreachable(exc)
                if unreachable:  # no connection at all: trying again would only wait
                    raise DataError(unreachable) from exc
                if attempt == ATTEMPTS:
                    raise _gave_up(url, part, exc) from exc
            except (
                requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError,
                _ShortRead,
            ) as exc:
                if attempt == ATTEMPTS:
                    raise _gave_up(url, part, exc) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _unreachable(exc: Exception) -> str:
    """Say, in one line, that the server of a URL could not be reached; "" if it was.

    A connection that never opened (the host name does not resolve, the port refuses,
    no route) is what an offline machine meets: it is named with the URL and the ways
    to get the file without a network. A connection cut after it opened returns ""
    (it is retried and resumed).
    """
    import urllib3.exceptions as ux

    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # requests wraps urllib3's MaxRetryError
    if not isinstance(reason, ux.ConnectTimeoutError):  # NewConnectionError is one
        return ""
    url = getattr(getattr(exc, "request", None), "url", None) or "the URL"
    host = urlparse(url).hostname or url
    why = (
        f"the name {host!r} does not resolve"
        if isinstance(reason, ux.NameResolutionError)
        else f"{host} refused or did not answer the connection"
    )
    return (
        f"could not reach {url!r} ({why}): this machine may be offline; where there is a "
        "network, fetch it (a product: riskmap data fetch NAME, then copy its cache folder, "
        "riskmap data path NAME, here; a file: download it and give its path), or set "
        "RISKMAP_OFFLINE=1 to fail at once"
    )


def _gave_up(url: str, part: Path, exc: Exception) -> DataError:
    have = part.stat().st_size if part.exists() else 0
    if not have:
        return DataError(
            f"could not download {part.name.removesuffix('.part')!r} from {url!r} "
            f"({ATTEMPTS} attempts: {exc}); check the connection and retry, or download "
            "the file yourself and give its path"
        )
    return DataError(
        f"download of {url!r} was cut short {ATTEMPTS} times ({exc}); {have:,} bytes are "
        f"kept in {str(part)!r} (never read as the file) and the next attempt resumes "
        "from there: run the same command again"
    )


class _ShortRead(Exception):
    """The server closed the connection before sending the size it announced."""


def _validators(note: Path, url: str) -> dict[str, str]:
    """Return the server ETag / Last-Modified recorded for a partial file of ``url``."""
    try:
        saved = json.loads(note.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) and saved.get("url") == url else {}


def _http_attempt(requests: Any, url: str, part: Path, note: Path, bar: Any) -> None:
    """One GET of ``url`` into ``part``, resuming when the server allows it."""
    have = part.stat().st_size if part.exists() else 0
    saved = _validators(note, url)
    validator = saved.get("etag") or saved.get("last_modified")
    headers = {"Accept-Encoding": "identity"}
    if have and validator:
        headers["Range"] = f"bytes={have}-"
        headers["If-Range"] = validator
    with requests.get(url, headers=headers, stream=True, timeout=TIMEOUT_S) as resp:
        if resp.status_code == 416:  # the partial file is no prefix of the file now served
            part.unlink(missing_ok=True)
            raise _ShortRead("the server refused to resume; starting again")
        if resp.status_code >= 400:
            error = NotFoundError if resp.status_code in (404, 410) else DataError
            raise error(
                f"could not download {url!r}: the server answered {resp.status_code} "
                f"{resp.reason}; check the URL (riskmap data list shows what a product "
                "expects), or download the file yourself and give its path"
            )
        resumed = resp.status_code == 206
        if resumed and not _starts_at(resp, have):
            part.unlink(missing_ok=True)
            raise _ShortRead("the server resumed at another byte; starting again")
        mode = "ab" if resumed else "wb"
        offset = have if resumed else 0
        length = resp.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None
        note.write_text(
            json.dumps(
                {
                    "url": url,
                    "etag": resp.headers.get("ETag", ""),
                    "last_modified": resp.headers.get("Last-Modified", ""),
                }
            ),
            encoding="utf-8",
        )
        bar.reset(total=total)
        bar.update(offset)
        # Read the raw stream without urllib3's length check, which would drop the bytes
        # of a body cut short; the size is checked below, and what came is kept.
        resp.raw.enforce_content_length = False
        with open(part, mode) as out:
            while block := resp.raw.read(_BLOCK, decode_content=True):
                out.write(block)
                bar.update(len(block))
        if total is not None and part.stat().st_size < total:
            raise _ShortRead(f"{part.stat().st_size:,} of {total:,} bytes received")


def _starts_at(resp: Any, have: int) -> bool:
    """Whether a 206 answer continues at byte ``have`` (``Content-Range: bytes have-…``)."""
    content_range = resp.headers.get("Content-Range", "")
    return content_range.startswith(f"bytes {have}-")


def _copy_file(url: str, part: Path, note: Path, progress: bool | None) -> Path:
    source = Path(unquote(urlparse(url).path))
    if not source.is_file():
        raise DataError(f"local file {str(source)!r} named by {url!r} does not exist")
    bar = progress_bar(
        total=source.stat().st_size,
        desc=f"downloading {part.name.removesuffix('.part')}",
        unit="B",
        unit_scale=True,
        progress=progress,
    )
    with bar, open(source, "rb") as src, open(part, "wb") as dst:
        while block := src.read(_BLOCK):
            dst.write(block)
            bar.update(len(block))
    note.unlink(missing_ok=True)
    return part
