"""riskmap data layers: territories, borders, settlements, population grids, exposure.

Every public name is re-exported from its submodule and imported on first use
(PEP 562, as scientific-python's SPEC 1 does): ``import layers`` loads neither a
submodule nor pandas or geopandas; ``layers.exposure`` loads :mod:`layers.analysis`
the first time it is read.

>>> import layers
>>> layers.territory.__module__, layers.exposure.__module__
('layers.territory', 'layers.analysis.compute')
"""

from typing import TYPE_CHECKING

from geo.lazy import attach as _attach

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

if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name stays an error there
    __getattr__, __dir__ = _attach(__name__, _EXPORTS)
