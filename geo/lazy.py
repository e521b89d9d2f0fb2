"""Public names of a package imported from their submodules on first access (PEP 562).

riskmap's packages (``geo``, ``layers``, ``layers.analysis``, ``maps``) map each public name
to the submodule it lives in, as scientific-python's SPEC 1 does; ``import maps`` then loads
no submodule, and ``maps.RiskMap`` loads :mod:`maps.riskmap` (and what it needs) the first
time it is read.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping

__all__ = ["attach"]


class _Package(types.ModuleType):
    """A package whose public functions outrank its submodules of the same name.

    ``layers.territory`` is a function that lives in the module ``layers.territory``.
    Importing that module (``from layers.territory import border``) makes Python bind the
    module on its package, which would hide the function; that one binding is refused,
    and the function is read from the module on first access as every other name is.
    """

    def __setattr__(self, name: str, value: object) -> None:
        exports = self.__dict__.get("_EXPORTS", {})
        if (
            name in exports
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            return
        super().__setattr__(name, value)


def attach(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of a package with lazy public names.

    Parameters
    ----------
    package : str
        The package's ``__name__``; it must already be in ``sys.modules`` (call this from
        its ``__init__``) and define ``__all__`` and ``_EXPORTS`` (``exports``).
    exports : mapping of str to str
        Public name → the submodule it is imported from.

    Returns
    -------
    (callable, callable)
        ``__getattr__(name)``: imports ``name`` from its submodule (or the submodule
        ``package.name``) and keeps it on the package; any other name raises the usual
        ``AttributeError``, with Python's "Did you mean" suggestion. ``__dir__()``: the
        public names and whatever is loaded already.

    Examples
    --------
    >>> import geo
    >>> geo.buffer.__module__
    'geo.constructive'
    >>> geo.bufer
    Traceback (most recent call last):
    AttributeError: module 'geo' has no attribute 'bufer'
    """
    module = sys.modules[package]
    module.__class__ = _Package

    def __getattr__(name: str) -> object:
        missing = AttributeError(
            f"module {package!r} has no attribute {name!r}", name=name, obj=module
        )
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
        elif not name.isidentifier() or name.startswith("__"):
            raise missing  # no submodule has such a name (``__wrapped__``, ``a.b``)
        else:
            try:
                value = importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise  # the submodule exists and lacks a dependency: say which
                raise missing from None
        module.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | set(module.__dict__["__all__"]))

    return __getattr__, __dir__
