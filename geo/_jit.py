"""numba's ``njit``, imported when a compiled function is first called, not when geo is.

Importing numba takes about half a second (llvmlite), more than the rest of ``import geo``.
:func:`njit` records the function; its first call imports numba and turns every recorded
function into a numba dispatcher in its module's namespace at once, so that compiled functions
calling each other find dispatchers there when numba compiles them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["njit"]

_pending: list[tuple[dict[str, Any], str, Callable[..., Any], dict[str, Any]]] = []
_lock = threading.Lock()


def njit(**options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Like ``numba.njit(**options)``, but numba is imported on the first call."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        namespace, name = func.__globals__, func.__name__
        _pending.append((namespace, name, func, options))

        @functools.wraps(func)
        def first_call(*args: Any) -> Any:
            compile_all()
            return namespace[name](*args)

        return first_call

    return decorate


def compile_all() -> None:
    """Replace every recorded function by its numba dispatcher (compiled on its first call)."""
    with _lock:
        if not _pending:
            return
        import numba  # the reason for this module: see its docstring

        while _pending:
            namespace, name, func, options = _pending.pop()
            namespace[name] = numba.njit(**options)(func)
