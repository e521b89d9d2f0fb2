"""The lock file: what every downloaded file must hash to, recorded on first use.

Few producers of population grids publish checksums. Where none is published,
riskmap trusts a file the first time it downloads it and writes down what it got:
the SHA-256, the size in bytes, the URL and the date, in ``riskmap.lock.json`` in
the cache folder (:func:`layers.cache.cache_dir`). Every later use of the file is
checked against that entry, so a file changed in the cache or on the server is
noticed, and nothing is replaced without the user's say.

The file is plain JSON, one entry per cached file (keyed by its path inside the
cache folder, ``/``-separated), so that a team can share it: copy it into another
cache folder (or name it with ``RISKMAP_LOCK_FILE``) and every download there must
match the same hashes. A user may also pin a hash of their own by writing an entry
with ``"how": "pinned by user"``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from geo.errors import DataError

__all__ = ["LOCK_ENV", "LOCK_NAME", "LockEntry", "lock_path", "read_lock", "write_entry"]

#: Name of the lock file inside the cache folder.
LOCK_NAME = "riskmap.lock.json"
#: Environment variable naming a lock file elsewhere (a shared one).
LOCK_ENV = "RISKMAP_LOCK_FILE"
_FORMAT = 1


@dataclass(frozen=True)
class LockEntry:
    """What one cached file must be.

    Parameters
    ----------
    url : str
        Where it was (or is to be) downloaded from.
    sha256 : str
        Its SHA-256, 64 lowercase hex digits.
    size : int or None
        Its size in bytes (None when pinned without one).
    recorded : str
        When the entry was written (UTC, ISO 8601).
    how : str
        ``"first download"`` (trust on first use), ``"pinned by producer"``,
        ``"pinned by user"`` or ``"found in cache"`` (a file put there by hand).

    Examples
    --------
    >>> e = LockEntry(url="https://example.org/a.tif", sha256="0" * 64, size=10,
    ...               recorded="2025-01-01T00:00:00+00:00", how="first download")
    >>> e.size, e.how
    (10, 'first download')
    """

    url: str
    sha256: str
    size: int | None
    recorded: str
    how: str

    @staticmethod
    def now() -> str:
        """Return the current UTC time as the ``recorded`` field writes it.

        Returns
        -------
        str
            ISO 8601 to the second, with ``+00:00``.

        Examples
        --------
        >>> LockEntry.now().endswith("+00:00")
        True
        """
        return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def lock_path(folder: Path) -> Path:
    """Return the lock file used for the cache folder ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        The cache folder.

    Returns
    -------
    pathlib.Path
        ``$RISKMAP_LOCK_FILE`` if set, else ``folder / "riskmap.lock.json"``.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ):
    ...     _ = os.environ.pop("RISKMAP_LOCK_FILE", None)
    ...     print(lock_path(Path("cache")).as_posix())
    cache/riskmap.lock.json
    """
    override = os.environ.get(LOCK_ENV, "").strip()
    return Path(override).expanduser() if override else folder / LOCK_NAME


def read_lock(path: Path) -> dict[str, LockEntry]:
    """Return the entries of a lock file (none when it does not exist).

    Parameters
    ----------
    path : pathlib.Path
        The lock file.

    Returns
    -------
    dict
        Cache-relative path -> :class:`LockEntry`.

    Raises
    ------
    DataError
        If the file is not a riskmap lock file; the message names the bad entry.

    Examples
    --------
    >>> read_lock(Path("no-such-lock.json"))
    {}
    """
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        files = raw["files"]
        return {key: _entry(key, value) for key, value in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(
            f"lock file {str(path)!r} is not a riskmap lock file ({exc!r}); expected JSON "
            '{"format": 1, "files": {"PATH": {"url", "sha256", "size", "recorded", "how"}}}; '
            "fix the entry or move the file away (riskmap then records hashes afresh)"
        ) from exc


def _entry(key: str, value: Any) -> LockEntry:
    sha = str(value["sha256"]).lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ValueError(f"entry {key!r}: sha256 {value['sha256']!r} is not 64 hex digits")
    size = value.get("size")
    return LockEntry(
        url=str(value.get("url", "")),
        sha256=sha,
        size=None if size is None else int(size),
        recorded=str(value.get("recorded", "")),
        how=str(value.get("how", "pinned by user")),
    )


def write_entry(path: Path, key: str, entry: LockEntry | None) -> None:
    """Add, replace or (with None) remove one entry, rewriting the file atomically.

    Parameters
    ----------
    path : pathlib.Path
        The lock file (created with its folder if missing).
    key : str
        The file's path inside the cache folder.
    entry : LockEntry or None
        The new entry; None removes ``key``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     lock = Path(tmp) / "riskmap.lock.json"
    ...     e = LockEntry("https://x.org/a.tif", "a" * 64, 3, LockEntry.now(), "pinned by user")
    ...     write_entry(lock, "grids/a.tif", e)
    ...     print(list(read_lock(lock)), read_lock(lock)["grids/a.tif"].size)
    ['grids/a.tif'] 3
    """
    entries = read_lock(path)
    if entry is None:
        entries.pop(key, None)
    else:
        entries[key] = entry
    doc = {"format": _FORMAT, "files": {k: asdict(v) for k, v in sorted(entries.items())}}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lock-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, indent=1)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
