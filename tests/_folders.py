"""A folder that refuses new files for real, for the tests of map and scenario outputs.

As a normal user ``chmod 0o555`` does it. As root, permission bits do not stop
writes, so the folder gets the immutable flag (``chattr +i``, which needs
CAP_LINUX_IMMUTABLE and a filesystem that has the flag); where neither works the
test is skipped with the reason. Either way the folder is probed by creating a
file in it, so that a test never passes on a folder that is writable after all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["read_only"]


def _lock(folder: Path) -> None:
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root, where chmod does not stop writes, and chattr is absent")
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(
            "running as root, where chmod does not stop writes, and chattr +i failed "
            f"(no CAP_LINUX_IMMUTABLE, or a filesystem without the flag): {done.stderr.strip()}"
        )


def _unlock(folder: Path) -> None:
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o755)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """Make ``folder`` refuse new files while the block runs, then writable again."""
    _lock(folder)
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip(f"{folder} stays writable after chmod/chattr here")
        yield folder
    finally:
        _unlock(folder)
