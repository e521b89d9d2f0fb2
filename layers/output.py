"""Atomic file output: a failed write never leaves a half-written file behind.

Every file riskmap writes goes through here: the exports of an exposure
(:meth:`layers.Exposure.to_file`) and the pages, images and scenario reports of
:mod:`maps`.

A file is written to a hidden temporary file beside it, ``.<name>.<pid>-<host>.<random>.tmp``,
and moved onto its name (``os.replace``, atomic on one filesystem) only when complete.
A writer killed outright (SIGKILL, power loss) cannot remove its temporary file, so
every later write of the same target removes the temporary files of that target
whose writer is gone: written on this machine by a process that no longer runs, or,
where the writer cannot be asked (another machine's, or a file named before writers
were recorded), not modified for :data:`STALE_AFTER_S` seconds. A temporary file of
a writer running on this machine is never touched.

The target is resolved first: a symbolic link is written through to the file it
points to (the link stays a link); a target that exists and is not a regular file
(a folder, a FIFO, a device) is refused; a folder where no file can be created is
named in an :class:`~geo.errors.InputError`, not in an ``OSError`` about a
temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import socket
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from geo.errors import InputError, RiskmapError

__all__ = [
    "STALE_AFTER_S",
    "OutputError",
    "atomic_path",
    "atomic_paths",
    "atomic_write",
    "check_folder",
    "check_target",
    "host_tag",
]

#: A temporary file not modified for this long (seconds) is left over, whoever wrote it.
STALE_AFTER_S = 15 * 60

# mkstemp's random part: 8 characters of this alphabet.
_RANDOM = r"[a-z0-9_]{8}"
_REFUSED_WRITE = (errno.EACCES, errno.EPERM, errno.EROFS)


class OutputError(RiskmapError, OSError):
    """Files could not be written (a full disk, an I/O error); none was left half-written.

    Also an ``OSError``: the system, not the call, refused.

    Examples
    --------
    >>> try:
    ...     raise OutputError("out/summit.png could not be written; nothing was written")
    ... except OSError as exc:
    ...     print(isinstance(exc, RiskmapError))
    True
    """


def host_tag() -> str:
    """Return 8 hex digits naming this machine in temporary file names.

    Examples
    --------
    >>> len(host_tag()), int(host_tag(), 16) >= 0
    (8, True)
    """
    return hashlib.blake2s(socket.gethostname().encode(), digest_size=4).hexdigest()


def check_target(path: str | os.PathLike[str]) -> Path:
    """Return the file that writing ``path`` replaces, or raise naming the problem.

    A symbolic link resolves to the file it points to (written through, the link
    kept); the file's folder must exist; an existing target must be a regular file.

    Parameters
    ----------
    path : str or path-like
        The file to write.

    Returns
    -------
    pathlib.Path
        The real file to replace.

    Raises
    ------
    InputError
        If the target is a folder or another kind of non-regular file, or its folder
        does not exist.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_target(folder)
    Traceback (most recent call last):
    ...
    geo.errors.InputError: output path '...' is a folder; give a file name inside it
    """
    given = Path(path).expanduser()
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    via = f" (the link {str(given)!r} points there)" if target != given else ""
    where = f"output path {str(target)!r}{via}"
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise InputError(f"{where} cannot be read: {exc.strerror}") from exc
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"{where} is a folder; give a file name inside it")
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(
            f"{where} is not a regular file (a FIFO, socket or device); "
            "riskmap writes only regular files: choose another path"
        )
    if not target.parent.is_dir():
        raise InputError(
            f"output folder {str(target.parent)!r}{via} does not exist; "
            "create it first or choose another path"
        )
    return target


def check_folder(folder: str | os.PathLike[str], *, create: bool = False) -> Path:
    """Return ``folder`` once a file can be created in it (made first, with ``create``).

    Parameters
    ----------
    folder : str or path-like
        The output folder.
    create : bool, default False
        Create it, and any missing parent, when it does not exist.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If the folder does not exist (and ``create`` is False), is a file, cannot
        be created, or refuses new files.

    Examples
    --------
    >>> import os, tempfile
    >>> out = os.path.join(tempfile.mkdtemp(), "results")
    >>> check_folder(out, create=True).is_dir()
    True
    """
    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise InputError(f"output folder {str(path)!r} is a file; give a folder")
    if not path.exists():
        if not create:
            raise InputError(
                f"output folder {str(path)!r} does not exist; create it or choose another"
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"output folder {str(path)!r} cannot be created: {exc.strerror}; "
                "choose another folder"
            ) from exc
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise _not_writable(path, exc) from exc
    return path


def _not_writable(folder: Path, exc: OSError) -> InputError:
    return InputError(
        f"output folder {str(folder)!r} is not writable ({exc.strerror}); "
        "choose another folder, or change its permissions"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def _remove_stale(target: Path) -> None:
    """Remove temporary files of ``target`` left by writers that are gone."""
    pattern = re.compile(
        rf"\.{re.escape(target.name)}\.(?:(\d+)-([0-9a-f]{{8}})\.)?{_RANDOM}\.tmp", re.ASCII
    )
    here, now = host_tag(), time.time()
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        pid, host = match.groups()
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            if pid is not None and host == here:
                stale = not _alive(int(pid))  # a live writer's file, however old, is kept
            else:
                stale = now - info.st_mtime > STALE_AFTER_S
            if stale:
                os.unlink(entry.path)
        except OSError:  # removed meanwhile by another writer, or not ours to remove
            continue


def _mode(target: Path) -> int:
    """Return the mode to write: the replaced file's, else a new file's under the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def _temporary(target: Path) -> Path:
    _remove_stale(target)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}-{host_tag()}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        # ENOENT in a folder that exists: a file system that makes no files (/proc)
        if exc.errno in _REFUSED_WRITE or (exc.errno == errno.ENOENT and target.parent.is_dir()):
            raise _not_writable(target.parent, exc) from exc
        raise
    os.close(fd)
    os.chmod(tmp, _mode(target))  # mkstemp makes it 0600; give it a normal file's mode
    return Path(tmp)


@contextlib.contextmanager
def atomic_paths(*paths: str | os.PathLike[str]) -> Iterator[tuple[Path, ...]]:
    """Yield temporary paths beside ``paths``; move them all into place if the block succeeds.

    Every target is checked (:func:`check_target`) before anything is written. On
    any error every temporary file is removed and no target changes: a set of files
    (a page and its image) is written whole or not at all. The moves, one
    ``os.replace`` per file in one folder each, run only after every file is complete.

    Parameters
    ----------
    *paths : str or path-like
        The files to write.

    Yields
    ------
    tuple of pathlib.Path
        One temporary path per target, in the same order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_paths(folder / "a.txt", folder / "b.txt") as (a, b):
    ...     _ = a.write_text("a"), b.write_text("b")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt', 'b.txt']
    """
    targets = [check_target(p) for p in paths]
    temps: list[Path] = []
    try:
        for target in targets:
            temps.append(_temporary(target))
        yield tuple(temps)
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
    except BaseException:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` if the block succeeds.

    The temporary file lives in the same folder, so the final ``os.replace`` is
    atomic; on any error it is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The file to write (see :func:`check_target`).

    Yields
    ------
    pathlib.Path
        The temporary file to write.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "map.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    with atomic_paths(path) as (tmp,):
        yield tmp


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically and return the path.

    Parameters
    ----------
    path : str or path-like
        The file to write (see :func:`check_target`).
    data : str or bytes
        The content; text is encoded as UTF-8.

    Returns
    -------
    pathlib.Path
        ``path`` as given (a link stays the path returned).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "page.html"
    >>> atomic_write(target, "<p>map</p>").read_text()
    '<p>map</p>'
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)
    return Path(path).expanduser()
