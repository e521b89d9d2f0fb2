"""Atomic file output: a failed write never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from geo.errors import InputError

__all__ = ["atomic_path", "atomic_write"]


def _target(path: str | os.PathLike[str]) -> Path:
    target = Path(path).expanduser()
    if target.is_dir():
        raise InputError(f"output path {str(target)!r} is a folder; give a file name inside it")
    if not target.parent.is_dir():
        raise InputError(
            f"output folder {str(target.parent)!r} does not exist; "
            "create it first or choose another path"
        )
    return target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` if the block succeeds.

    The temporary file lives in the same folder, so the final ``os.replace`` is
    atomic; on any error it is removed and ``path`` is left as it was.
    """
    target = _target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; give it a normal file's mode
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically and return the path."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = _target(path)
    with atomic_path(target) as tmp:
        tmp.write_bytes(payload)
    return target
