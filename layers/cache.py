"""Download cache: verified downloads of online data into a local folder.

Every online source riskmap can use (population grids, their tiles, a grid named by
URL) goes through :func:`fetch`, which downloads a URL once into the cache folder and
checks its SHA-256 before the file is used. The folder is the platform's user cache
folder for "riskmap" (``platformdirs.user_cache_dir``, as ``pooch.os_cache`` gives
it) unless the environment variable ``RISKMAP_DATA_DIR`` names another one;
``RISKMAP_OFFLINE=1`` forbids downloads (files already in the cache are still used,
after their checksum is checked).

Which hash a file must have comes from, in order: the caller (a checksum the
producer publishes, pinned in the registry, or one the user pins), else the lock
file (:mod:`layers.lockfile`), else nobody: then the first download is trusted and
its hash, size, URL and date are recorded in the lock file, and every later use is
checked against that record. A file whose hash differs is an error that replaces
nothing. Downloads go to a partial file (:mod:`layers.download`), resumed when cut
short, and are moved into place only once verified.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import platformdirs

from geo.errors import DataError, InputError
from layers.download import download_part, part_paths
from layers.lockfile import LockEntry, lock_path, read_lock, write_entry

__all__ = [
    "DATA_DIR_ENV",
    "DERIVED_FOLDER",
    "OFFLINE_ENV",
    "CachedFile",
    "cache_dir",
    "check_sha256",
    "fetch",
    "file_sha256",
    "forget",
    "is_offline",
    "verify_cache",
]

#: Environment variable naming the cache folder (overrides the platform default).
DATA_DIR_ENV = "RISKMAP_DATA_DIR"
#: Environment variable that forbids downloads when set to 1 / true / yes.
OFFLINE_ENV = "RISKMAP_OFFLINE"
#: The subfolder of geometries riskmap derives from its package data (:mod:`layers.derived`):
#: not downloads, so not in the lock file, and not checked by :func:`verify_cache`.
DERIVED_FOLDER = "derived"

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
    """Return the SHA-256 of a file as 64 lowercase hex digits.

    Parameters
    ----------
    path : str or path-like
        The file to hash.

    Returns
    -------
    str
        The hex digest (what ``sha256sum FILE`` prints).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "data.bin"
    ...     _ = path.write_bytes(b"riskmap")
    ...     print(file_sha256(path)[:16])
    fe3cc344dd0649c9
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(sha256: str) -> str:
    """Return a SHA-256 digest in lowercase without its ``sha256:`` prefix, or raise.

    Parameters
    ----------
    sha256 : str
        64 hex digits, optionally prefixed ``"sha256:"``.

    Returns
    -------
    str
        The 64 lowercase hex digits.

    Raises
    ------
    InputError
        For anything else, with how to compute a digest.

    Examples
    --------
    >>> check_sha256("sha256:" + "AB" * 32) == "ab" * 32
    True
    """
    value = str(sha256).strip().lower().removeprefix("sha256:")
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InputError(
            f"sha256 {sha256!r} is not a SHA-256 digest; expected 64 hex digits "
            "(compute one with layers.cache.file_sha256(path) or `sha256sum FILE`)"
        )
    return value


@dataclass(frozen=True)
class CachedFile:
    """A file in the cache and what the lock file says it must be.

    Attributes
    ----------
    key : str
        Path inside the cache folder, ``/``-separated.
    path : pathlib.Path
        The file.
    entry : LockEntry or None
        Its lock entry (None: not recorded yet).
    state : str
        ``"ok"`` (hash matches), ``"changed"`` (hash differs), ``"missing"``
        (recorded, not in the cache), ``"unrecorded"`` (no entry) or ``"partial"``
        (an unfinished download), as :func:`verify_cache` finds it.

    Examples
    --------
    >>> CachedFile("a.tif", Path("a.tif"), None, "unrecorded").state
    'unrecorded'
    """

    key: str
    path: Path
    entry: LockEntry | None
    state: str


def _key(folder: Path, target: Path) -> str:
    return target.relative_to(folder).as_posix()


def fetch(
    url: str,
    *,
    sha256: str | None = None,
    filename: str | None = None,
    subdir: str = "",
    progress: bool | None = None,
    refetch: bool = False,
    pinned_by: str = "pinned by user",
) -> Path:
    """Return the local path of a verified file, downloading it once if needed.

    Parameters
    ----------
    url : str
        Where to get the file: ``https://``, ``http://`` or ``file://`` (a local
        copy or mirror). Redirects are followed; a transfer cut short is resumed.
    sha256 : str, optional
        The SHA-256 the file must have (64 hex digits, optionally prefixed
        ``"sha256:"``). Without it, the lock file's entry decides; without an entry,
        the first download is trusted and recorded (trust on first use).
    filename : str, optional
        Name of the file in the cache; by default the last part of the URL.
    subdir : str, default ""
        Sub-folder of the cache, e.g. ``"ghs-pop"``.
    progress : bool, optional
        Show a progress bar while downloading; by default only on a terminal
        (``RISKMAP_PROGRESS=0`` silences it, ``=1`` forces it).
    refetch : bool, default False
        Download again even when a copy is cached; the new copy must still match
        the expected hash, or nothing is replaced.
    pinned_by : str, default "pinned by user"
        How the lock file records a ``sha256`` given here (the registry passes
        ``"pinned by producer"``).

    Returns
    -------
    pathlib.Path
        Path of the verified file in the cache folder.

    Raises
    ------
    DataError
        If the cached copy or the download does not have the expected hash (nothing
        is replaced; the message says how to accept a new release), the download
        fails, or ``RISKMAP_OFFLINE=1`` and the file is not cached.
    InputError
        If ``sha256`` is not a SHA-256 digest, contradicts the lock file, or the
        URL names no file.

    Examples
    --------
    A local mirror, given as a ``file://`` URL, needs no network. The first use
    records the file's hash in the lock file:

    >>> import os, pathlib, tempfile
    >>> from unittest import mock
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     mirror = pathlib.Path(tmp) / "pop.bin"
    ...     _ = mirror.write_bytes(b"people per cell")
    ...     env = {"RISKMAP_DATA_DIR": str(pathlib.Path(tmp) / "cache"), "RISKMAP_LOCK_FILE": ""}
    ...     with mock.patch.dict(os.environ, env):
    ...         path = fetch(mirror.as_uri())
    ...         entry = read_lock(lock_path(cache_dir()))["pop.bin"]
    ...     print(path.relative_to(tmp).as_posix(), entry.size, entry.how)
    cache/pop.bin 15 first download
    """
    expected = None if sha256 is None else check_sha256(sha256)
    name = filename or Path(unquote(urlparse(url).path)).name
    if not name:
        raise InputError(
            f"url {url!r} has no file name; pass filename='...' to name it in the cache"
        )
    folder = cache_dir()
    target = folder / subdir / name if subdir else folder / name
    lock = lock_path(folder)
    key = _key(folder, target)
    entry = read_lock(lock).get(key)
    if expected is not None and entry is not None and entry.sha256 != expected:
        raise InputError(
            f"sha256 {expected} for {key!r} contradicts the lock file {str(lock)!r}, which "
            f"records {entry.sha256} ({entry.how}, {entry.recorded}); drop sha256= to use "
            "the recorded file, or remove the entry (riskmap data forget) to pin a new one"
        )
    want = expected or (entry.sha256 if entry else None)
    if target.exists() and not refetch:
        return _use_cached(target, key, url, want, entry, lock, expected, pinned_by)
    if is_offline():
        raise _offline_error(name, target, url, want)
    part = download_part(url, target, progress=progress)
    got = file_sha256(part)
    if want is not None and got != want:
        part.unlink(missing_ok=True)
        raise DataError(
            f"download of {name!r} from {url!r} has sha256 {got}, not {want} "
            f"({_source(entry, expected)}): the file is corrupt or has changed on the server; "
            "nothing was replaced in the cache. If the producer has published a new "
            f"release, run `riskmap data forget {key}` (or remove its entry from "
            f"{str(lock)!r}) and fetch it again"
        )
    if entry is None or entry.sha256 != got:
        how = "first download" if expected is None else pinned_by
        size = part.stat().st_size
        write_entry(lock, key, LockEntry(url, got, size, LockEntry.now(), how))
    os.replace(part, target)
    return target


def _source(entry: LockEntry | None, expected: str | None) -> str:
    if expected is not None:
        return "the checksum asked for"
    assert entry is not None
    return f"as recorded on {entry.recorded} ({entry.how})"


def _use_cached(
    target: Path,
    key: str,
    url: str,
    want: str | None,
    entry: LockEntry | None,
    lock: Path,
    expected: str | None,
    pinned_by: str,
) -> Path:
    """Verify a cached file against its expected hash; record one found unrecorded."""
    got = file_sha256(target)
    if want is None:  # put there by hand: trust it now, as a first download would be
        size = target.stat().st_size
        write_entry(lock, key, LockEntry(url, got, size, LockEntry.now(), "found in cache"))
        return target
    if got != want:
        raise DataError(
            f"cached file {str(target)!r} has sha256 {got}, not {want} "
            f"({_source(entry, expected)}): it was changed after it was verified, and "
            "riskmap will not use it. Delete it to download it again, or run "
            f"`riskmap data fetch` with --refetch (the new copy must match {want[:12]}…)"
        )
    if entry is None and expected is not None:
        write_entry(
            lock, key, LockEntry(url, got, target.stat().st_size, LockEntry.now(), pinned_by)
        )
    return target


def _offline_error(name: str, target: Path, url: str, want: str | None) -> DataError:
    must = f" (its sha256 must be {want})" if want else ""
    return DataError(
        f"{name!r} is not in the cache ({target}) and downloads are forbidden "
        f"({OFFLINE_ENV}=1); unset {OFFLINE_ENV} to let riskmap fetch {url!r}, or download "
        f"it by hand with `curl -L -o {str(target)!r} {url!r}`{must}"
    )


_SKIP = (".part.json", ".sha256")  # partial-download notes, unpacking stamps


def verify_cache(folder: Path | None = None) -> list[CachedFile]:
    """Check every file in the cache against the lock file.

    Parameters
    ----------
    folder : pathlib.Path, optional
        The cache folder; :func:`cache_dir` by default.

    Returns
    -------
    list of CachedFile
        One per recorded or present file (the lock file itself and partial-download
        notes excluded), sorted by key, each with its state.

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with mock.patch.dict(os.environ, {"RISKMAP_LOCK_FILE": ""}):
    ...         _ = (Path(tmp) / "a.tif").write_bytes(b"x")
    ...         print([(f.key, f.state) for f in verify_cache(Path(tmp))])
    [('a.tif', 'unrecorded')]
    """
    folder = cache_dir() if folder is None else folder
    lock = lock_path(folder)
    entries = read_lock(lock)
    found: dict[str, CachedFile] = {}
    if folder.exists():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            key = _key(folder, path)
            if path == lock or path.name.startswith(".lock-") or key.endswith(_SKIP):
                continue
            if key.startswith(DERIVED_FOLDER + "/"):
                continue
            stamp = path.with_name(path.name + ".sha256")
            if stamp.exists() and key not in entries:  # unpacked from a verified zip
                recorded = stamp.read_text().split()[-1:]
                ok = recorded == [file_sha256(path)]
                found[key] = CachedFile(key, path, None, "ok" if ok else "changed")
                continue
            if key.endswith(".part"):
                found[key] = CachedFile(key, path, None, "partial")
                continue
            entry = entries.get(key)
            if entry is None:
                state = "unrecorded"
            elif (entry.size is not None and path.stat().st_size != entry.size) or (
                file_sha256(path) != entry.sha256
            ):
                state = "changed"
            else:
                state = "ok"
            found[key] = CachedFile(key, path, entry, state)
    for key, entry in entries.items():
        if key not in found:
            found[key] = CachedFile(key, folder / key, entry, "missing")
    return [found[k] for k in sorted(found)]


def forget(key: str, folder: Path | None = None) -> LockEntry | None:
    """Remove a file's entry from the lock file (and a partial download of it).

    The next fetch then trusts what it downloads, as on first use: the way to accept
    a file its producer has republished.

    Parameters
    ----------
    key : str
        Path inside the cache folder (as ``riskmap data verify`` lists it).
    folder : pathlib.Path, optional
        The cache folder; :func:`cache_dir` by default.

    Returns
    -------
    LockEntry or None
        The entry removed (None if there was none).

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ,
    ...                                                           {"RISKMAP_LOCK_FILE": ""}):
    ...     print(forget("nothing.tif", Path(tmp)))
    None
    """
    folder = cache_dir() if folder is None else folder
    lock = lock_path(folder)
    entry = read_lock(lock).get(key)
    if entry is not None:
        write_entry(lock, key, None)
    for path in part_paths(folder / key):
        path.unlink(missing_ok=True)
    return entry
