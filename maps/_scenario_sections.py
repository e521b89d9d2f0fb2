"""How a scenario's tables are read: keys to typed fields, each refused with its fix.

:class:`Section` is the base of the configuration classes of
:mod:`maps.scenario_config`: a table of the file is read key by key into the fields
that name them (:func:`maps._scenario_keys.config_field`); an unknown key is refused
with the nearest valid one, a key of an earlier version of the format with the key
that replaced it, and the keys together are checked by each class's ``_check``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from geo.errors import InputError
from maps._scenario_keys import REQUIRED, Where, toml_text, unknown
from maps._scenario_reference import heading as _heading

__all__ = [
    "Section",
    "section_field",
    "read_section",
    "read_document",
    "one_claim",
    "bounds_in_order",
    "tolerance_below",
    "joined",
]


class Section:
    """Reading a table of the file into a dataclass whose fields name their keys."""

    #: Keys of earlier versions of the format: the message that names the key now.
    renamed: dict[str, str] = {}

    @classmethod
    def read(cls, table: Any, where: Where) -> Any:
        if not isinstance(table, Mapping):
            raise InputError(f"{where}{where.detail} is {toml_text(table)}, not a table of keys")
        spec = {f.metadata["key"]: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        for key in table:
            if key in cls.renamed:
                value = toml_text(table[key])
                raise InputError(
                    f"{key} = {value} in {where}{where.detail}: "
                    + cls.renamed[key].format(value=value, joined=joined(table[key]))
                )
            if key not in spec:
                valid = {k: repr(k) for k in spec}
                raise unknown("key", key, repr(key), valid, f" in {where}{where.detail}")
        values = {}
        for key, f in spec.items():
            if key in table:
                values[f.name] = f.metadata["kind"].read(table[key], key, where)
            elif f.metadata["default"] is REQUIRED:
                raise InputError(
                    f"{where} has no {key!r}{where.detail}; add it to the scenario file "
                    f"(keys given: {sorted(table)})"
                )
        config = cls(**values)
        config._check(where, set(table))
        return config

    def _check(self, where: Where, given: set[str]) -> None:
        """Check the keys together (each one alone is checked as it is read)."""


def joined(value: Any) -> str:
    """``["KP", "RU"]`` as the border source ``"KP-RU"`` (for the message of a renamed key)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return toml_text("-".join(value))
    return toml_text(value)


def one_claim(where: Where, given: set[str], unit: str) -> None:
    """Refuse ``about`` with ``more_than``/``less_than``, and ``tolerance`` without ``about``."""
    if "about" in given and given & {"more_than", "less_than"}:
        raise InputError(
            f"{where}{where.detail} has 'about' and "
            f"{' and '.join(repr(k) for k in sorted(given & {'more_than', 'less_than'}))}; "
            f"a claim is about a {unit}, or more than and/or less than one: keep one of them"
        )
    if "tolerance" in given and "about" not in given:
        raise InputError(
            f"{where}{where.detail} has a 'tolerance' but no 'about'; the tolerance says how "
            "far from an `about` claim the number may be: add about, or remove tolerance"
        )


def bounds_in_order(where: Where, low: float | None, high: float | None, fmt: Any) -> None:
    if low is not None and high is not None and not low < high:
        raise InputError(
            f"{where}{where.detail}: more_than = {fmt(low)} is not below less_than = {fmt(high)}; "
            "no number is both: check the two"
        )


def tolerance_below(where: Where, tolerance: Any, about: float | None, fmt: Any) -> None:
    """Refuse a tolerance as large as the ``about`` claim: the claim would hold from 0 on."""
    if about is None or tolerance.share is not None:
        return  # a share is below 100%, checked as it is read
    allowed = tolerance.of(about)
    if allowed >= about > 0:
        raise InputError(
            f"{where}{where.detail}: tolerance = {fmt(allowed)} is not below about = "
            f"{fmt(about)}, so the claim would hold for anything from 0 to twice it; give a "
            'tolerance below about, e.g. tolerance = "5%"'
        )


def section_field(name: str, cls: type[Section], doc: str, *, array: bool, default: Any) -> Any:
    """Return a field read from the section ``[name]`` (or ``[[name]]``, a table per entry)."""
    meta = {"key": name, "section": cls, "array": array, "doc": doc}
    return field(default=default, metadata=meta)


def read_section(key: str, value: Any, cls: type[Section], array: bool, top: Where) -> Any:
    """Read ``[key]`` (one table) or ``[[key]]`` (a list of tables) into ``cls`` objects."""
    file, folder = top.file, top.folder
    where = f" in {file}" if file else ""
    if array:
        if isinstance(value, Mapping):
            raise InputError(
                f"[{key}]{where} holds one claim per table: write [[{key}]] (double brackets)"
            )
        if not isinstance(value, list):
            raise InputError(f"{key} = {toml_text(value)}{where} is not a list of [[{key}]] tables")
        return tuple(
            cls.read(entry, Where(f"[[{key}]]", i, file, folder))
            for i, entry in enumerate(value, 1)
        )
    if isinstance(value, list):
        raise InputError(f"[[{key}]]{where} is one table: write [{key}] (single brackets)")
    return cls.read(value, Where(f"[{key}]", file=file, folder=folder))


def read_document(
    cls: type, data: Mapping[str, Any], *, file: str | None, folder: Path | None
) -> dict[str, Any]:
    """Read a whole document's keys and sections into the keyword arguments of ``cls``."""
    top = Where("the scenario", file=file, folder=folder)
    spec = {f.metadata["key"]: f for f in dataclasses.fields(cls)}
    shown = {
        k: _heading(k, f.metadata["array"]) if "section" in f.metadata else k
        for k, f in spec.items()
    }
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in spec:
            array = isinstance(value, list) and bool(value) and isinstance(value[0], Mapping)
            if isinstance(value, Mapping) or array:
                what, name = "section", _heading(key, array)
            else:
                what, name = "key", repr(key)
            raise unknown(what, key, name, shown, f" in {file}" if file else "")
        f = spec[key]
        if "section" not in f.metadata:
            values[f.name] = f.metadata["kind"].read(value, key, top)
        else:
            values[f.name] = read_section(
                key, value, f.metadata["section"], f.metadata["array"], top
            )
    return values
