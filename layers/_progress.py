"""Progress bars for long operations: shown when someone is watching, silent otherwise.

Every bar riskmap draws (distances to many settlements, zonal sums and cell lists of
a population grid, downloads) comes from :func:`progress_bar`. Whether it is drawn:

1. ``RISKMAP_PROGRESS=0`` (or ``false``/``no``/``off``) silences every bar;
2. otherwise a function's ``progress=True`` or ``progress=False`` decides for that call;
3. otherwise ``RISKMAP_PROGRESS=1`` (or ``true``/``yes``/``on``) draws them even
   when the stream is not a terminal (a log file, a CI job);
4. otherwise a bar is drawn only when its stream (stderr) is a terminal, and only
   once the operation has run for a second, so quick calls print nothing.

tqdm is imported only when a bar is drawn.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import IO, Any

from geo.errors import InputError

__all__ = ["PROGRESS_ENV", "fraction_callback", "progress_bar", "progress_enabled"]

#: Environment variable: 0 silences every progress bar, 1 draws them even off a terminal.
PROGRESS_ENV = "RISKMAP_PROGRESS"

_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}


def _decide(progress: bool | None, stream: Any) -> tuple[bool, bool]:
    """``(draw, asked)``: whether to draw a bar, and whether it was asked for explicitly."""
    raw = os.environ.get(PROGRESS_ENV, "").strip()
    env = raw.lower()
    if env and env not in _ON | _OFF:
        raise InputError(
            f"{PROGRESS_ENV}={raw!r} is not understood; set it to 0 to silence progress bars "
            "or 1 to always draw them, or unset it to draw them only on a terminal"
        )
    if env in _OFF:
        return False, True
    if progress is not None:
        return bool(progress), True
    if env in _ON:
        return True, True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty()), False
    except ValueError:  # a closed stream
        return False, False


def progress_enabled(progress: bool | None = None, *, file: IO[str] | None = None) -> bool:
    """Return whether a progress bar should be drawn (see the module's rules).

    Parameters
    ----------
    progress : bool, optional
        The caller's choice; None leaves it to ``RISKMAP_PROGRESS`` and the stream.
    file : file-like, optional
        Where the bar would be written; ``sys.stderr`` by default.

    Returns
    -------
    bool
        True to draw the bar.

    Raises
    ------
    InputError
        If ``RISKMAP_PROGRESS`` holds something other than 0/1 (or false/true, no/yes,
        off/on).
    """
    return _decide(progress, sys.stderr if file is None else file)[0]


class _Silent:
    """Stands in for a tqdm bar that is not drawn: same calls, no output."""

    n = 0
    total = None

    def update(self, n: float = 1) -> None:
        pass

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def progress_bar(
    *,
    total: float | None,
    desc: str,
    unit: str = "it",
    progress: bool | None = None,
    file: IO[str] | None = None,
    unit_scale: bool = False,
) -> Any:
    """Return a tqdm progress bar, or a silent stand-in with the same methods.

    Parameters
    ----------
    total : float or None
        The count at completion (None when unknown, e.g. a download without a size).
    desc : str
        What is being done, shown before the bar.
    unit : str, default "it"
        What is counted (``"place"``, ``"row"``, ``"B"``).
    progress : bool, optional
        Draw it or not; None follows ``RISKMAP_PROGRESS`` and whether the stream is
        a terminal (see :func:`progress_enabled`). A bar drawn only because the
        stream is a terminal appears after one second.
    file : file-like, optional
        Where to write the bar; ``sys.stderr`` (as it is at the call) by default.
    unit_scale : bool, default False
        Print counts with SI prefixes (for bytes: kB, MB).

    Returns
    -------
    tqdm.tqdm or a silent stand-in
        Use it as a context manager and call ``update(n)``.
    """
    stream = sys.stderr if file is None else file
    draw, asked = _decide(progress, stream)
    if not draw:
        return _Silent()
    from tqdm import tqdm  # plain text bars: the notebook widget needs ipywidgets

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=unit_scale,
        file=stream,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.5,
        delay=0.0 if asked else 1.0,
    )


def fraction_callback(bar: Any) -> Callable[[float, str], None]:
    """Return a ``f(fraction, message)`` callback that moves ``bar`` to ``fraction * total``."""

    def update(fraction: float, message: str = "") -> None:
        target = (bar.total or 0) * min(max(float(fraction), 0.0), 1.0)
        if target > bar.n:
            bar.update(target - bar.n)

    return update
