"""riskmap data layers: territories, borders, settlements, population grids, exposure."""

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
