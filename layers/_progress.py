"""Progress bars for long operations: shown when someone is watching, silent otherwise.

Every bar riskmap draws (distances to many settlements, zonal sums and cell lists of
a population grid, downloads) is a tqdm bar from :func:`progress_bar`. Whether it is
drawn:

1. ``RISKMAP_PROGRESS=0`` (or ``false``/``no``/``off``) silences every bar;
2. otherwise a function's ``progress=True`` or ``progress=False`` decides for that call;
3. otherwise ``RISKMAP_PROGRESS=1`` (or ``true``/``yes``/``on``) draws them even
   when the stream is not a terminal (a log file, a CI job);
4. otherwise tqdm draws a bar only when its stream (stderr) is a terminal
   (``disable=None``), and only once the operation has run for a second
   (``delay=1``), so quick calls print nothing.

A bar that is not drawn is a tqdm bar with ``disable=True``: same methods, no output.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import IO, Any

from tqdm import tqdm  # plain text bars: the notebook widget needs ipywidgets

from geo.errors import InputError

__all__ = ["PROGRESS_ENV", "fraction_callback", "progress_bar", "progress_enabled"]

#: Environment variable: 0 silences every progress bar, 1 draws them even off a terminal.
PROGRESS_ENV = "RISKMAP_PROGRESS"

_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}


def _choice(progress: bool | None) -> bool | None:
    """Return True or False when the environment or the call decides, None to let tqdm."""
    raw = os.environ.get(PROGRESS_ENV, "").strip()
    env = raw.lower()
    if env and env not in _ON | _OFF:
        raise InputError(
            f"{PROGRESS_ENV}={raw!r} is not understood; set it to 0 to silence progress bars "
            "or 1 to always draw them, or unset it to draw them only on a terminal"
        )
    if env in _OFF:
        return False
    if progress is not None:
        return bool(progress)
    return True if env in _ON else None


def progress_enabled(progress: bool | None = None, *, file: IO[str] | None = None) -> bool:
    """Return whether a progress bar would be drawn (see the module's rules).

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

    Examples
    --------
    >>> import io
    >>> progress_enabled(file=io.StringIO()), progress_enabled(True, file=io.StringIO())
    (False, True)
    """
    choice = _choice(progress)
    if choice is not None:
        return choice
    stream = sys.stderr if file is None else file
    return not _closed(stream) and bool(getattr(stream, "isatty", None) and stream.isatty())


def _closed(stream: Any) -> bool:
    """Whether a stream is closed (tqdm's terminal test would raise on it)."""
    return stream is None or bool(getattr(stream, "closed", False))


def progress_bar(
    *,
    total: float | None,
    desc: str,
    unit: str = "it",
    progress: bool | None = None,
    file: IO[str] | None = None,
    unit_scale: bool = False,
) -> tqdm:
    """Return a tqdm progress bar, drawn or not by the module's rules.

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
    tqdm.tqdm
        Use it as a context manager and call ``update(n)``; ``bar.disable`` is True
        when it is not drawn.

    Raises
    ------
    InputError
        If ``RISKMAP_PROGRESS`` holds a value it does not understand.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> with progress_bar(total=3, desc="counting", progress=True, file=out) as bar:
    ...     bar.update(3)
    >>> "counting" in out.getvalue()
    True
    >>> progress_bar(total=3, desc="quiet", progress=False).disable
    True
    """
    choice = _choice(progress)
    stream = sys.stderr if file is None else file
    if choice is None and _closed(stream):
        choice = False
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=unit_scale,
        file=stream,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.5,
        disable=None if choice is None else not choice,  # None: tqdm asks the stream
        delay=1.0 if choice is None else 0.0,
    )


def fraction_callback(bar: tqdm) -> Callable[[float, str], None]:
    """Return a ``f(fraction, message)`` callback that moves ``bar`` to ``fraction * total``.

    Parameters
    ----------
    bar : tqdm.tqdm
        A bar with a ``total``; exactextract reports its progress as a fraction.

    Returns
    -------
    callable
        ``f(fraction, message="")``; the bar only moves forward.

    Examples
    --------
    >>> import io
    >>> bar = progress_bar(total=200, desc="zones", progress=True, file=io.StringIO())
    >>> fraction_callback(bar)(0.25)
    >>> bar.n
    50.0
    """

    def update(fraction: float, message: str = "") -> None:
        target = (bar.total or 0) * min(max(float(fraction), 0.0), 1.0)
        if target > bar.n:
            bar.update(target - bar.n)

    return update
