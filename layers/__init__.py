"""riskmap data layers: territories, borders, settlements, population grids, exposure.

Every public name is re-exported from its submodule and imported on first use
(PEP 562, as scientific-python's SPEC 1 does): ``import layers`` loads neither a
submodule nor pandas or geopandas; ``layers.exposure`` loads :mod:`layers.analysis`
the first time it is read.

>>> import layers
>>> layers.territory.__module__, layers.exposure.__module__
('layers.territory', 'layers.analysis.compute')
"""

import importlib as _importlib
import sys as _sys
import types as _types
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports the same names
    from layers.analysis import (
        Exposure,
        ExposureVariants,
        PopulationComparison,
        compare_populations,
        exposure,
        exposure_variants,
    )
    from layers.boundaries import (
        BOUNDARY_VARIANTS,
        DEFAULT_BOUNDARY,
        BoundaryVariant,
        boundary_variant,
        variant_label,
    )
    from layers.countries import Country, country, country_table
    from layers.grid import PopulationGrid, population_grid
    from layers.naturalearth import land
    from layers.places import Place, resolve_place
    from layers.provenance import DataSource, Provenance
    from layers.regions import region, regions
    from layers.settlements import coverage, read_settlements, settlements
    from layers.sources import Source, resolve_source
    from layers.territory import border, territory, time_zones

__all__ = [
    "BOUNDARY_VARIANTS",
    "BoundaryVariant",
    "Country",
    "DataSource",
    "DEFAULT_BOUNDARY",
    "Exposure",
    "ExposureVariants",
    "Place",
    "PopulationComparison",
    "PopulationGrid",
    "Provenance",
    "Source",
    "boundary_variant",
    "border",
    "compare_populations",
    "country",
    "country_table",
    "coverage",
    "exposure",
    "exposure_variants",
    "land",
    "population_grid",
    "read_settlements",
    "region",
    "regions",
    "resolve_place",
    "resolve_source",
    "settlements",
    "territory",
    "time_zones",
    "variant_label",
]

#: The submodule each public name lives in, imported when the name is first read.
_EXPORTS = {
    "BOUNDARY_VARIANTS": "layers.boundaries",
    "BoundaryVariant": "layers.boundaries",
    "Country": "layers.countries",
    "DataSource": "layers.provenance",
    "DEFAULT_BOUNDARY": "layers.boundaries",
    "Exposure": "layers.analysis",
    "ExposureVariants": "layers.analysis",
    "Place": "layers.places",
    "PopulationComparison": "layers.analysis",
    "PopulationGrid": "layers.grid",
    "Provenance": "layers.provenance",
    "Source": "layers.sources",
    "boundary_variant": "layers.boundaries",
    "border": "layers.territory",
    "compare_populations": "layers.analysis",
    "country": "layers.countries",
    "country_table": "layers.countries",
    "coverage": "layers.settlements",
    "exposure": "layers.analysis",
    "exposure_variants": "layers.analysis",
    "land": "layers.naturalearth",
    "population_grid": "layers.grid",
    "read_settlements": "layers.settlements",
    "region": "layers.regions",
    "regions": "layers.regions",
    "resolve_place": "layers.places",
    "resolve_source": "layers.sources",
    "settlements": "layers.settlements",
    "territory": "layers.territory",
    "time_zones": "layers.territory",
    "variant_label": "layers.boundaries",
}


class _Package(_types.ModuleType):
    """The ``layers`` module, whose public functions outrank its submodules of the same name.

    ``layers.territory``, ``layers.regions`` and ``layers.settlements`` are functions
    that live in modules of the same name. Importing such a module (``from
    layers.territory import border``) makes Python bind the module on its package,
    which would hide the function; that one binding is refused, the function is
    read from the module on first access as every other public name is.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if (
            name in _EXPORTS
            and isinstance(value, _types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name stays an error there

    def __getattr__(name: str) -> object:
        """Import a public name (or a submodule, ``layers.analysis``) on first access."""
        missing = AttributeError(
            f"module {__name__!r} has no attribute {name!r}", name=name, obj=_sys.modules[__name__]
        )
        if name in _EXPORTS:
            value = getattr(_importlib.import_module(_EXPORTS[name]), name)
        elif not name.isidentifier() or name.startswith("__"):
            raise missing  # no submodule has such a name (``__wrapped__``, ``a.b``)
        else:
            try:
                value = _importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise  # the submodule exists and lacks a dependency: say which
                raise missing from None
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """List the public names and whatever is loaded already (for ``dir(layers)``, completion)."""
    return sorted(set(globals()) | set(__all__))
